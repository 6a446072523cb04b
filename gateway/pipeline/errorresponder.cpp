#include "errorresponder.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace ErrorResponder {

namespace {

QString messageWithId(const GatewayError &error, const QByteArray &requestId)
{
    if (requestId.isEmpty())
        return error.message();
    return error.message() + u" (request id "_s + QString::fromLatin1(requestId) + u')';
}

QJsonObject errorObject(WireFormat format, const GatewayError &error, const QByteArray &requestId)
{
    if (format == WireFormat::Anthropic) {
        return QJsonObject{
            {u"type"_s, u"error"_s},
            {u"error"_s,
             QJsonObject{{u"type"_s, QString::fromLatin1(error.anthropicType())},
                         {u"message"_s, messageWithId(error, requestId)},
                         {u"code"_s, QString::fromLatin1(error.codeString())}}},
            {u"request_id"_s, QString::fromLatin1(requestId)},
        };
    }
    return QJsonObject{
        {u"error"_s,
         QJsonObject{{u"message"_s, messageWithId(error, requestId)},
                     {u"type"_s, QString::fromLatin1(error.openAiType())},
                     {u"code"_s, QString::fromLatin1(error.codeString())},
                     {u"param"_s, error.param().isEmpty() ? QJsonValue() : QJsonValue(error.param())}}},
    };
}

} // namespace

QByteArray body(WireFormat format, const GatewayError &error, const QByteArray &requestId)
{
    return QJsonDocument(errorObject(format, error, requestId)).toJson(QJsonDocument::Compact);
}

HttpResponder::Headers headers(const GatewayError &error, const QByteArray &requestId)
{
    HttpResponder::Headers h{{"content-type", "application/json"}};
    if (!requestId.isEmpty())
        h.emplaceBack(QByteArray("x-tollgate-request-id"), requestId);
    if (!error.retryable())
        h.emplaceBack(QByteArray("x-should-retry"), "false");
    if (error.code() == GatewayError::Code::RateLimited)
        h.emplaceBack(QByteArray("retry-after"), QByteArray::number(qMax(1, error.retryAfterSeconds())));
    return h;
}

void respond(HttpResponder *responder, WireFormat format, const GatewayError &error,
             const QByteArray &requestId, const HttpResponder::Headers &extra)
{
    if (!responder)
        return;
    HttpResponder::Headers h = headers(error, requestId);
    h.append(extra);
    responder->respond(error.httpStatus(), h, body(format, error, requestId));
}

QByteArray streamErrorEvent(WireFormat format, const GatewayError &error, const QByteArray &requestId)
{
    const QByteArray json = body(format, error, requestId);
    if (format == WireFormat::Anthropic)
        return "event: error\ndata: " + json + "\n\n";
    return "data: " + json + "\n\n";
}

} // namespace ErrorResponder
