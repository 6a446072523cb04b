#include "translationmaps.h"

#include <QJsonDocument>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace TranslationMaps {

QString anthropicStopReason(const QString &finishReason, bool toolCalls)
{
    if (finishReason == u"length")
        return u"max_tokens"_s;
    if (finishReason == u"tool_calls" || finishReason == u"function_call")
        return u"tool_use"_s;
    if (finishReason == u"content_filter")
        return u"refusal"_s;
    // "stop" covers both a natural end and a stop sequence; OpenAI does not
    // say which sequence matched, so it reads as the end of the turn.
    return toolCalls ? u"tool_use"_s : u"end_turn"_s;
}

QString openAiFinishReason(const QString &stopReason)
{
    if (stopReason == u"max_tokens" || stopReason == u"model_context_window_exceeded")
        return u"length"_s;
    if (stopReason == u"tool_use")
        return u"tool_calls"_s;
    if (stopReason == u"refusal")
        return u"content_filter"_s;
    // end_turn, stop_sequence, pause_turn and whatever comes next.
    return u"stop"_s;
}

QString anthropicErrorType(int status, const QString &openAiType, const QString &openAiCode)
{
    switch (status) {
    case 400:
    case 405:
    case 409:
    case 422: return u"invalid_request_error"_s;
    case 401: return u"authentication_error"_s;
    case 402: return u"billing_error"_s;
    case 403: return u"permission_error"_s;
    case 404: return u"not_found_error"_s;
    case 413: return u"request_too_large"_s;
    case 429:
        return openAiType == u"insufficient_quota" || openAiCode == u"insufficient_quota"
            ? u"billing_error"_s
            : u"rate_limit_error"_s;
    case 503:
    case 529: return u"overloaded_error"_s;
    default: break;
    }
    if (status >= 500)
        return u"api_error"_s;
    if (openAiType == u"invalid_request_error" || openAiType == u"authentication_error"
        || openAiType == u"permission_error" || openAiType == u"rate_limit_error"
        || openAiType == u"not_found_error")
        return openAiType;
    if (openAiCode == u"rate_limit_exceeded")
        return u"rate_limit_error"_s;
    if (openAiType == u"insufficient_quota")
        return u"billing_error"_s;
    return u"api_error"_s;
}

QString openAiErrorType(int status, const QString &anthropicType)
{
    switch (status) {
    case 400:
    case 404:
    case 405:
    case 409:
    case 413:
    case 422: return u"invalid_request_error"_s;
    case 401: return u"authentication_error"_s;
    case 402: return u"insufficient_quota"_s;
    case 403: return u"permission_error"_s;
    case 429:
        return anthropicType == u"billing_error" ? u"insufficient_quota"_s : u"rate_limit_error"_s;
    default: break;
    }
    if (status >= 500)
        return u"api_error"_s;
    if (anthropicType == u"invalid_request_error" || anthropicType == u"authentication_error"
        || anthropicType == u"permission_error" || anthropicType == u"rate_limit_error")
        return anthropicType;
    if (anthropicType == u"not_found_error" || anthropicType == u"request_too_large")
        return u"invalid_request_error"_s;
    if (anthropicType == u"billing_error")
        return u"insufficient_quota"_s;
    return u"api_error"_s;
}

QJsonObject anthropicUsage(const TokenUsage &usage)
{
    return QJsonObject{
        {u"input_tokens"_s, usage.inputTokens},
        {u"cache_creation_input_tokens"_s, usage.cacheWriteTokens},
        {u"cache_read_input_tokens"_s, usage.cacheReadTokens},
        {u"output_tokens"_s, usage.outputTokens},
    };
}

QJsonObject openAiUsage(const TokenUsage &usage)
{
    const qint64 prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
    return QJsonObject{
        {u"prompt_tokens"_s, prompt},
        {u"completion_tokens"_s, usage.outputTokens},
        {u"total_tokens"_s, prompt + usage.outputTokens},
        {u"prompt_tokens_details"_s, QJsonObject{{u"cached_tokens"_s, usage.cacheReadTokens}}},
    };
}

QString anthropicToolId(const QString &id)
{
    QString out = id;
    for (QChar &c : out) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
            || u == u'_' || u == u'-';
        if (!ok)
            c = u'_';
    }
    return out;
}

namespace {

QString freshId()
{
    return QUuid::createUuid().toString(QUuid::Id128).left(24);
}

} // namespace

QString anthropicMessageId(const QString &openAiId)
{
    if (openAiId.isEmpty())
        return u"msg_"_s + freshId();
    if (openAiId.startsWith(u"msg_"))
        return openAiId;
    QString tail = openAiId;
    if (tail.startsWith(u"chatcmpl-"))
        tail.remove(0, 9);
    return u"msg_"_s + tail;
}

QString openAiCompletionId(const QString &anthropicId)
{
    if (anthropicId.isEmpty())
        return u"chatcmpl-"_s + freshId();
    if (anthropicId.startsWith(u"chatcmpl-"))
        return anthropicId;
    QString tail = anthropicId;
    if (tail.startsWith(u"msg_"))
        tail.remove(0, 4);
    return u"chatcmpl-"_s + tail;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray anthropicEvent(const QJsonObject &data)
{
    // QJsonObject sorts its keys; Anthropic puts "type" first, and so do
    // we, for people reading a stream (type names need no escaping).
    const QByteArray type = data.value(u"type").toString().toUtf8();
    QJsonObject rest = data;
    rest.remove(u"type");
    const QByteArray members = rest.isEmpty() ? QByteArray("}") : "," + compact(rest).sliced(1);
    return "event: " + type + "\ndata: {\"type\":\"" + type + "\"" + members + "\n\n";
}

QByteArray openAiEvent(const QJsonObject &data)
{
    return "data: " + compact(data) + "\n\n";
}

QByteArray openAiDone()
{
    return QByteArrayLiteral("data: [DONE]\n\n");
}

} // namespace TranslationMaps
