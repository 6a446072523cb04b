#pragma once

// One stored answer of the response cache: the complete response body in
// the client's format (streamed answers are assembled into one), who
// produced it and what it cost.

#include "core/tokenusage.h"
#include "core/wireformat.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

struct CacheEntry
{
    QByteArray key;          // SHA-256 of the canonical request
    WireFormat format = WireFormat::OpenAI;
    QByteArray body;
    QString provider;
    QString model;           // the model the client asked for
    TokenUsage usage;
    double cost = 0.0;       // what the original call cost: a hit saves this
    QDateTime createdAt;
    QDateTime expiresAt;

    qint64 sizeBytes() const { return body.size() + key.size() + 128; }
};
