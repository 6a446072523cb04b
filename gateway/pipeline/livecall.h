#pragma once

// A snapshot of one call in flight, as the window and /admin/events see it.
// Plain values, so it crosses threads by copy.

#include "core/tokenusage.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <optional>

struct LiveCall
{
    QString requestId;
    QString endpoint;
    QString model;
    QString provider;
    std::optional<qint64> keyId;
    QString keyName;
    QString runId;
    QString stepId;
    bool stream = false;
    TokenUsage usage;
    double cost = 0.0;
    QDateTime startedAt;
};
Q_DECLARE_METATYPE(LiveCall)
