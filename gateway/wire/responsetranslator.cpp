#include "responsetranslator.h"

#include "translationmaps.h"
#include "usageparser.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace ResponseTranslator {

namespace {

QJsonObject parseObject(const QByteArray &body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (doc.isObject())
        return doc.object();
    // Some OpenAI-compatible servers wrap their error in an array.
    if (doc.isArray() && doc.array().first().isObject())
        return doc.array().first().toObject();
    return {};
}

QJsonObject toolUseBlock(const QJsonObject &call)
{
    const QJsonObject function = call.value(u"function").toObject();
    const QJsonValue arguments = function.value(u"arguments");
    QJsonObject input = arguments.toObject();
    if (arguments.isString()) {
        // A model can emit arguments that are not JSON; Anthropic's input
        // must be an object, so such a call arrives with an empty input.
        input = QJsonDocument::fromJson(arguments.toString().toUtf8()).object();
    }
    QString id = TranslationMaps::anthropicToolId(call.value(u"id").toString());
    if (id.isEmpty())
        id = u"toolu_"_s + TranslationMaps::anthropicMessageId({}).mid(4);
    return QJsonObject{{u"type"_s, u"tool_use"_s},
                       {u"id"_s, id},
                       {u"name"_s, function.value(u"name")},
                       {u"input"_s, input}};
}

QByteArray openAiToAnthropic(const QJsonObject &in)
{
    const QJsonObject choice = in.value(u"choices").toArray().first().toObject();
    const QJsonObject message = choice.value(u"message").toObject();

    QJsonArray content;
    const QJsonValue text = message.value(u"content");
    if (text.isString() && !text.toString().isEmpty()) {
        content.append(QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, text}});
    } else if (text.isArray()) {
        for (const QJsonValue &part : text.toArray()) {
            const QString t = part.toObject().value(u"text").toString();
            if (!t.isEmpty())
                content.append(QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, t}});
        }
    }
    const QString refusal = message.value(u"refusal").toString();
    if (!refusal.isEmpty())
        content.append(QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, refusal}});
    const QJsonArray calls = message.value(u"tool_calls").toArray();
    for (const QJsonValue &call : calls)
        content.append(toolUseBlock(call.toObject()));

    QString stopReason = TranslationMaps::anthropicStopReason(choice.value(u"finish_reason").toString(),
                                                              !calls.isEmpty());
    if (!refusal.isEmpty())
        stopReason = u"refusal"_s;

    const TokenUsage usage =
            UsageParser::fromUsageObject(WireFormat::OpenAI, in.value(u"usage").toObject()).value_or(TokenUsage());
    const QJsonObject out{
        {u"id"_s, TranslationMaps::anthropicMessageId(in.value(u"id").toString())},
        {u"type"_s, u"message"_s},
        {u"role"_s, u"assistant"_s},
        {u"model"_s, in.value(u"model")},
        {u"content"_s, content},
        {u"stop_reason"_s, stopReason},
        {u"stop_sequence"_s, QJsonValue::Null},
        {u"usage"_s, TranslationMaps::anthropicUsage(usage)},
    };
    return TranslationMaps::compact(out);
}

QByteArray anthropicToOpenAi(const QJsonObject &in)
{
    QString text;
    QJsonArray calls;
    for (const QJsonValue &value : in.value(u"content").toArray()) {
        const QJsonObject block = value.toObject();
        const QString type = block.value(u"type").toString();
        if (type == u"text") {
            // Citations split one text into several blocks; it reads as one.
            text += block.value(u"text").toString();
        } else if (type == u"tool_use") {
            const QByteArray arguments = TranslationMaps::compact(block.value(u"input").toObject());
            calls.append(QJsonObject{{u"id"_s, block.value(u"id")},
                                     {u"type"_s, u"function"_s},
                                     {u"function"_s, QJsonObject{{u"name"_s, block.value(u"name")},
                                                                 {u"arguments"_s, QString::fromUtf8(arguments)}}}});
        }
        // thinking, redacted_thinking and server-tool blocks have no place
        // in a chat.completion message.
    }
    QJsonObject message{{u"role"_s, u"assistant"_s},
                        {u"content"_s, text.isEmpty() && !calls.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                                          : QJsonValue(text)},
                        {u"refusal"_s, QJsonValue::Null}};
    if (!calls.isEmpty())
        message.insert(u"tool_calls"_s, calls);

    const QJsonValue stop = in.value(u"stop_reason");
    const QJsonObject choice{
        {u"index"_s, 0},
        {u"message"_s, message},
        {u"logprobs"_s, QJsonValue::Null},
        {u"finish_reason"_s, stop.isString() ? QJsonValue(TranslationMaps::openAiFinishReason(stop.toString()))
                                             : QJsonValue(QJsonValue::Null)},
    };
    const TokenUsage usage = UsageParser::fromUsageObject(WireFormat::Anthropic, in.value(u"usage").toObject())
                                     .value_or(TokenUsage());
    const QJsonObject out{
        {u"id"_s, TranslationMaps::openAiCompletionId(in.value(u"id").toString())},
        {u"object"_s, u"chat.completion"_s},
        {u"created"_s, QDateTime::currentSecsSinceEpoch()},
        {u"model"_s, in.value(u"model")},
        {u"choices"_s, QJsonArray{choice}},
        {u"usage"_s, TranslationMaps::openAiUsage(usage)},
    };
    return TranslationMaps::compact(out);
}

// What the provider said went wrong, from whichever shape it used.
struct ProviderError
{
    QString message;
    QString type;
    QString code;
};

ProviderError readError(const QByteArray &body, int status)
{
    ProviderError e;
    const QJsonObject object = parseObject(body);
    const QJsonValue error = object.value(u"error");
    if (error.isObject()) {
        const QJsonObject o = error.toObject();
        e.message = o.value(u"message").toString();
        e.type = o.value(u"type").toString();
        const QJsonValue code = o.value(u"code");
        e.code = code.isDouble() ? QString::number(code.toInteger()) : code.toString();
    } else if (error.isString()) {
        e.message = error.toString();
    }
    if (e.message.isEmpty())
        e.message = object.value(u"message").toString();
    if (e.message.isEmpty())
        e.message = object.value(u"detail").toString();
    if (e.message.isEmpty() && object.isEmpty())
        e.message = QString::fromUtf8(body.trimmed().left(1000));
    if (e.message.isEmpty())
        e.message = u"the provider answered HTTP "_s + QString::number(status);
    return e;
}

} // namespace

QByteArray translate(WireFormat from, WireFormat to, const QByteArray &body)
{
    if (from == to)
        return body;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject())
        return {};
    return from == WireFormat::OpenAI ? openAiToAnthropic(doc.object()) : anthropicToOpenAi(doc.object());
}

QByteArray translateError(WireFormat from, WireFormat to, int status, const QByteArray &body)
{
    if (from == to)
        return body;
    const ProviderError e = readError(body, status);
    if (to == WireFormat::Anthropic) {
        QJsonObject error{{u"type"_s, TranslationMaps::anthropicErrorType(status, e.type, e.code)},
                          {u"message"_s, e.message}};
        if (!e.code.isEmpty())
            error.insert(u"code"_s, e.code);
        return TranslationMaps::compact(QJsonObject{{u"type"_s, u"error"_s}, {u"error"_s, error}});
    }
    const QJsonObject error{
        {u"message"_s, e.message},
        {u"type"_s, TranslationMaps::openAiErrorType(status, e.type)},
        {u"code"_s, e.type.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(e.type)},
        {u"param"_s, QJsonValue::Null},
    };
    return TranslationMaps::compact(QJsonObject{{u"error"_s, error}});
}

} // namespace ResponseTranslator
