#pragma once

// A client's request to a proxy endpoint, validated and with the facts the
// gateway needs pulled out: model, stream flag, output limit and an input
// estimate. The body stays as received unless the gateway has to change it.

#include "core/wireformat.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

struct ProxyRequest
{
    WireFormat format = WireFormat::OpenAI;
    QByteArray body;              // as received
    QJsonObject json;             // parsed body
    QString model;
    bool stream = false;
    bool clientAskedUsage = false;  // OpenAI stream_options.include_usage
    qint64 maxOutputTokens = 0;     // 0 when the request sets none
    qint64 estimatedInputTokens = 0;
};
