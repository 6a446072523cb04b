#include "anthropictoopenaistream.h"

#include "translationmaps.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace {

// Anthropic's message_delta counts are running totals: a field present
// replaces the value held, a field absent leaves it.
void takeLatest(qint64 &field, const QJsonObject &usage, QStringView key)
{
    const QJsonValue value = usage.value(key);
    if (value.isDouble())
        field = value.toInteger();
}

} // namespace

AnthropicToOpenAiStream::AnthropicToOpenAiStream(const QString &clientModel)
    : m_clientModel(clientModel)
{
}

QByteArray AnthropicToOpenAiStream::translate(const SseEvent &event)
{
    if (m_done || event.data.isEmpty())
        return {};
    const QJsonObject &object = event.object();
    QString type = object.value(u"type").toString();
    if (type.isEmpty())
        type = QString::fromUtf8(event.event);

    if (type == u"message_start")
        return messageStart(object.value(u"message").toObject());
    if (type == u"content_block_start")
        return blockStart(object);
    if (type == u"content_block_delta")
        return blockDelta(object);
    if (type == u"message_delta")
        return messageDelta(object);
    if (type == u"message_stop")
        return terminate();
    if (type == u"error")
        return error(object);
    return {};   // ping, content_block_stop and events yet to be invented
}

QByteArray AnthropicToOpenAiStream::finish(bool complete)
{
    if (!complete || m_done || !m_started)
        return {};
    return terminate();
}

QByteArray AnthropicToOpenAiStream::messageStart(const QJsonObject &message)
{
    if (m_started)
        return {};
    m_id = TranslationMaps::openAiCompletionId(message.value(u"id").toString());
    m_model = message.value(u"model").toString();
    takeUsage(message.value(u"usage").toObject());
    return ensureStarted();
}

QByteArray AnthropicToOpenAiStream::ensureStarted()
{
    if (m_started)
        return {};
    m_started = true;
    if (m_id.isEmpty())
        m_id = TranslationMaps::openAiCompletionId({});
    if (m_model.isEmpty())
        m_model = m_clientModel;
    m_created = QDateTime::currentSecsSinceEpoch();
    return chunk(QJsonObject{{u"role"_s, u"assistant"_s}, {u"content"_s, u""_s}});
}

QByteArray AnthropicToOpenAiStream::blockStart(const QJsonObject &event)
{
    QByteArray out = ensureStarted();
    const QJsonObject block = event.value(u"content_block").toObject();
    const QString type = block.value(u"type").toString();
    if (type == u"text") {
        const QString text = block.value(u"text").toString();
        if (!text.isEmpty())
            out += chunk(QJsonObject{{u"content"_s, text}});
    } else if (type == u"tool_use") {
        const int index = int(m_toolIndex.size());
        m_toolIndex.insert(event.value(u"index").toInt(), index);
        // Streams start tool input empty and fill it with input_json_delta;
        // an input already given here is sent whole.
        const QJsonObject input = block.value(u"input").toObject();
        const QString arguments = input.isEmpty() ? QString() : QString::fromUtf8(TranslationMaps::compact(input));
        const QJsonObject call{
            {u"index"_s, index},
            {u"id"_s, block.value(u"id")},
            {u"type"_s, u"function"_s},
            {u"function"_s, QJsonObject{{u"name"_s, block.value(u"name")}, {u"arguments"_s, arguments}}},
        };
        out += chunk(QJsonObject{{u"tool_calls"_s, QJsonArray{call}}});
    }
    // thinking, redacted_thinking and server-tool blocks stay with Anthropic.
    return out;
}

QByteArray AnthropicToOpenAiStream::blockDelta(const QJsonObject &event)
{
    QByteArray out = ensureStarted();
    const QJsonObject delta = event.value(u"delta").toObject();
    const QString type = delta.value(u"type").toString();
    if (type == u"text_delta") {
        const QString text = delta.value(u"text").toString();
        if (!text.isEmpty())
            out += chunk(QJsonObject{{u"content"_s, text}});
    } else if (type == u"input_json_delta") {
        const auto it = m_toolIndex.constFind(event.value(u"index").toInt());
        const QString partial = delta.value(u"partial_json").toString();
        if (it != m_toolIndex.constEnd() && !partial.isEmpty()) {
            const QJsonObject call{{u"index"_s, *it},
                                   {u"function"_s, QJsonObject{{u"arguments"_s, partial}}}};
            out += chunk(QJsonObject{{u"tool_calls"_s, QJsonArray{call}}});
        }
    }
    return out;
}

QByteArray AnthropicToOpenAiStream::messageDelta(const QJsonObject &event)
{
    QByteArray out = ensureStarted();
    takeUsage(event.value(u"usage").toObject());
    const QJsonValue stop = event.value(u"delta").toObject().value(u"stop_reason");
    if (stop.isString()) {
        m_finishReason = TranslationMaps::openAiFinishReason(stop.toString());
        out += finishChunk();
    }
    return out;
}

QByteArray AnthropicToOpenAiStream::finishChunk()
{
    if (m_finishSent)
        return {};
    m_finishSent = true;
    const QString reason = m_finishReason.isEmpty() ? (m_toolIndex.isEmpty() ? u"stop"_s : u"tool_calls"_s)
                                                    : m_finishReason;
    return chunk(QJsonObject(), reason);
}

QByteArray AnthropicToOpenAiStream::terminate()
{
    QByteArray out = ensureStarted();
    out += finishChunk();
    const QJsonObject usageChunk{
        {u"id"_s, m_id},
        {u"object"_s, u"chat.completion.chunk"_s},
        {u"created"_s, m_created},
        {u"model"_s, m_model},
        {u"choices"_s, QJsonArray()},
        {u"usage"_s, TranslationMaps::openAiUsage(m_usage)},
    };
    if (m_includeUsage)
        out += TranslationMaps::openAiEvent(usageChunk);
    out += TranslationMaps::openAiDone();
    m_done = true;
    return out;
}

QByteArray AnthropicToOpenAiStream::error(const QJsonObject &event)
{
    m_done = true;
    const QJsonObject error = event.value(u"error").toObject();
    QString message = error.value(u"message").toString();
    if (message.isEmpty())
        message = u"the provider's stream failed"_s;
    const QString type = error.value(u"type").toString();
    return TranslationMaps::openAiEvent(QJsonObject{{u"error"_s, QJsonObject{
            {u"message"_s, message},
            {u"type"_s, TranslationMaps::openAiErrorType(0, type)},
            {u"code"_s, type.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(type)},
            {u"param"_s, QJsonValue::Null},
    }}});
}

QByteArray AnthropicToOpenAiStream::chunk(const QJsonObject &delta, const QJsonValue &finishReason) const
{
    const QJsonObject choice{
        {u"index"_s, 0},
        {u"delta"_s, delta},
        {u"logprobs"_s, QJsonValue::Null},
        {u"finish_reason"_s, finishReason},
    };
    return TranslationMaps::openAiEvent(QJsonObject{
            {u"id"_s, m_id},
            {u"object"_s, u"chat.completion.chunk"_s},
            {u"created"_s, m_created},
            {u"model"_s, m_model},
            {u"choices"_s, QJsonArray{choice}},
    });
}

void AnthropicToOpenAiStream::takeUsage(const QJsonObject &usage)
{
    takeLatest(m_usage.inputTokens, usage, u"input_tokens");
    takeLatest(m_usage.outputTokens, usage, u"output_tokens");
    takeLatest(m_usage.cacheReadTokens, usage, u"cache_read_input_tokens");
    takeLatest(m_usage.cacheWriteTokens, usage, u"cache_creation_input_tokens");
}
