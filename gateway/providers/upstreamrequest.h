#pragma once

// What the pipeline asks a provider to do: one request, already in the
// provider's own wire format.

#include "core/wireformat.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

struct UpstreamRequest
{
    enum class Kind { Generate, CountTokens };

    Kind kind = Kind::Generate;
    QString model;             // the provider's model name
    QByteArray body;           // the JSON body to send, in the provider's format
    bool stream = false;
    HeaderList headers;        // extra headers to forward (anthropic-beta, anthropic-version)
    QByteArray callerCredential; // pass-through mode: the caller's own key, used instead of ours
};
