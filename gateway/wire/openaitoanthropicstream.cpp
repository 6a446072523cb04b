#include "openaitoanthropicstream.h"

#include "translationmaps.h"
#include "usageparser.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <utility>

using namespace Qt::StringLiterals;

using TranslationMaps::anthropicEvent;

OpenAiToAnthropicStream::OpenAiToAnthropicStream(const QString &clientModel)
    : m_clientModel(clientModel)
{
}

QByteArray OpenAiToAnthropicStream::translate(const SseEvent &event)
{
    if (m_done)
        return {};
    const QByteArrayView data = QByteArrayView(event.data).trimmed();
    if (data.isEmpty())
        return {};   // keep-alive comments mean nothing to an Anthropic client
    if (data == "[DONE]")
        return m_started ? terminate() : QByteArray();

    if (!event.isObject())
        return {};
    const QJsonObject &chunk = event.object();
    if (chunk.contains(u"error") || event.event == "error") {
        const QJsonValue error = chunk.value(u"error");
        return this->error(error.isObject() ? error.toObject() : chunk);
    }

    QByteArray out;
    if (!m_started)
        out += start(chunk);

    const QJsonArray choices = chunk.value(u"choices").toArray();
    for (const QJsonValue &value : choices) {
        const QJsonObject choice = value.toObject();
        if (choice.value(u"index").toInt(0) != 0)
            continue;   // n > 1 is refused on the way in
        const QJsonObject delta = choice.value(u"delta").toObject();
        out += text(delta.value(u"content").toString());
        const QString refusal = delta.value(u"refusal").toString();
        if (!refusal.isEmpty()) {
            m_refusal = true;
            out += text(refusal);
        }
        const QJsonArray calls = delta.value(u"tool_calls").toArray();
        for (qsizetype i = 0; i < calls.size(); ++i)
            out += toolCallDelta(calls.at(i).toObject(), int(i));
        const QJsonValue finish = choice.value(u"finish_reason");
        if (finish.isString()) {
            m_finishReason = finish.toString();
            m_finishSeen = true;
        }
    }

    const QJsonValue usage = chunk.value(u"usage");
    if (usage.isObject()) {
        if (const auto parsed = UsageParser::fromUsageObject(WireFormat::OpenAI, usage.toObject())) {
            m_usage = *parsed;
            m_usageSeen = true;
        }
    }
    // Anthropic gives stop reason and usage in one event, after every block.
    if (m_finishSeen && m_usageSeen)
        out += terminate();
    return out;
}

QByteArray OpenAiToAnthropicStream::finish(bool complete)
{
    if (!complete || m_done || !m_started)
        return {};
    return terminate();
}

QByteArray OpenAiToAnthropicStream::start(const QJsonObject &chunk)
{
    m_started = true;
    m_id = TranslationMaps::anthropicMessageId(chunk.value(u"id").toString());
    m_model = chunk.value(u"model").toString();
    if (m_model.isEmpty())
        m_model = m_clientModel;
    // Input tokens are not known before OpenAI's last chunk; message_delta
    // carries them.
    const QJsonObject message{
        {u"id"_s, m_id},
        {u"type"_s, u"message"_s},
        {u"role"_s, u"assistant"_s},
        {u"model"_s, m_model},
        {u"content"_s, QJsonArray()},
        {u"stop_reason"_s, QJsonValue::Null},
        {u"stop_sequence"_s, QJsonValue::Null},
        {u"usage"_s, TranslationMaps::anthropicUsage(TokenUsage())},
    };
    return anthropicEvent(QJsonObject{{u"type"_s, u"message_start"_s}, {u"message"_s, message}});
}

QByteArray OpenAiToAnthropicStream::text(const QString &text)
{
    if (text.isEmpty())
        return {};
    QByteArray out;
    if (m_openBlock < 0 || !m_openIsText) {
        out += closeBlock();
        m_openBlock = m_nextBlock++;
        m_openIsText = true;
        out += anthropicEvent(QJsonObject{
                {u"type"_s, u"content_block_start"_s},
                {u"index"_s, m_openBlock},
                {u"content_block"_s, QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u""_s}}},
        });
    }
    m_outputChars += text.size();
    out += anthropicEvent(QJsonObject{
            {u"type"_s, u"content_block_delta"_s},
            {u"index"_s, m_openBlock},
            {u"delta"_s, QJsonObject{{u"type"_s, u"text_delta"_s}, {u"text"_s, text}}},
    });
    return out;
}

QByteArray OpenAiToAnthropicStream::toolCallDelta(const QJsonObject &call, int position)
{
    const QString id = call.value(u"id").toString();
    int index = position;
    if (call.value(u"index").isDouble()) {
        index = call.value(u"index").toInt();
    } else if (!id.isEmpty()) {
        // Servers that leave out "index" start each call with its id.
        index = m_tools.isEmpty() ? 0 : m_tools.lastKey() + 1;
        for (auto it = m_tools.cbegin(); it != m_tools.cend(); ++it) {
            if (it->id == id)
                index = it.key();
        }
    } else if (m_lastTool >= 0) {
        index = m_lastTool;
    }
    m_lastTool = index;

    ToolCall &tool = m_tools[index];
    if (tool.id.isEmpty())
        tool.id = id;
    const QJsonObject function = call.value(u"function").toObject();
    if (tool.name.isEmpty())
        tool.name = function.value(u"name").toString();
    QString arguments = function.value(u"arguments").toString();

    QByteArray out;
    if (tool.block < 0) {
        if (tool.name.isEmpty()) {
            tool.heldArguments += arguments;
            return {};
        }
        out += openTool(index, tool);
        arguments.prepend(std::exchange(tool.heldArguments, QString()));
    }
    if (!arguments.isEmpty()) {
        m_outputChars += arguments.size();
        out += anthropicEvent(QJsonObject{
                {u"type"_s, u"content_block_delta"_s},
                {u"index"_s, tool.block},
                {u"delta"_s, QJsonObject{{u"type"_s, u"input_json_delta"_s}, {u"partial_json"_s, arguments}}},
        });
    }
    return out;
}

QByteArray OpenAiToAnthropicStream::openTool(int openAiIndex, ToolCall &tool)
{
    QByteArray out = closeBlock();
    tool.block = m_nextBlock++;
    m_openBlock = tool.block;
    m_openIsText = false;
    QString id = TranslationMaps::anthropicToolId(tool.id);
    if (id.isEmpty())
        id = u"toolu_"_s + m_id.mid(4) + u'_' + QString::number(openAiIndex);
    m_outputChars += tool.name.size();
    out += anthropicEvent(QJsonObject{
            {u"type"_s, u"content_block_start"_s},
            {u"index"_s, tool.block},
            {u"content_block"_s, QJsonObject{{u"type"_s, u"tool_use"_s},
                                             {u"id"_s, id},
                                             {u"name"_s, tool.name},
                                             {u"input"_s, QJsonObject()}}},
    });
    return out;
}

QByteArray OpenAiToAnthropicStream::closeBlock()
{
    if (m_openBlock < 0)
        return {};
    const int index = std::exchange(m_openBlock, -1);
    return anthropicEvent(QJsonObject{{u"type"_s, u"content_block_stop"_s}, {u"index"_s, index}});
}

QByteArray OpenAiToAnthropicStream::terminate()
{
    QByteArray out;
    // A call whose name never came still carries arguments the client needs.
    for (auto it = m_tools.begin(); it != m_tools.end(); ++it) {
        if (it->block >= 0)
            continue;
        out += openTool(it.key(), *it);
        const QString held = std::exchange(it->heldArguments, QString());
        if (!held.isEmpty())
            out += anthropicEvent(QJsonObject{
                    {u"type"_s, u"content_block_delta"_s},
                    {u"index"_s, it->block},
                    {u"delta"_s, QJsonObject{{u"type"_s, u"input_json_delta"_s}, {u"partial_json"_s, held}}},
            });
    }
    out += closeBlock();

    QString stopReason = TranslationMaps::anthropicStopReason(m_finishReason, !m_tools.isEmpty());
    if (m_refusal)
        stopReason = u"refusal"_s;
    // Without the provider's usage, output is estimated as StreamMeter does
    // (four characters a token); Anthropic's message_delta always has usage.
    QJsonObject usage = m_usageSeen ? TranslationMaps::anthropicUsage(m_usage)
                                    : QJsonObject{{u"output_tokens"_s, (m_outputChars + 3) / 4}};
    out += anthropicEvent(QJsonObject{
            {u"type"_s, u"message_delta"_s},
            {u"delta"_s, QJsonObject{{u"stop_reason"_s, stopReason}, {u"stop_sequence"_s, QJsonValue::Null}}},
            {u"usage"_s, usage},
    });
    out += anthropicEvent(QJsonObject{{u"type"_s, u"message_stop"_s}});
    m_done = true;
    return out;
}

QByteArray OpenAiToAnthropicStream::error(const QJsonObject &error)
{
    m_done = true;
    QString message = error.value(u"message").toString();
    if (message.isEmpty())
        message = u"the provider's stream failed"_s;
    const QJsonValue code = error.value(u"code");
    const QString type = TranslationMaps::anthropicErrorType(0, error.value(u"type").toString(), code.toString());
    return anthropicEvent(QJsonObject{
            {u"type"_s, u"error"_s},
            {u"error"_s, QJsonObject{{u"type"_s, type}, {u"message"_s, message}}},
    });
}
