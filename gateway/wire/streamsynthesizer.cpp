#include "streamsynthesizer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Splits text into pieces of 'words' words each, a word taking the
// whitespace after it, so the pieces concatenate to the text exactly. A long
// run without spaces (code, CJK text, compact JSON) is cut as well, so it
// still streams as several events; a cut never separates a surrogate pair.
QStringList pieces(const QString &text, int words)
{
    const int perEvent = qMax(1, words);
    const qsizetype maxChars = qMax(16, perEvent * 12);
    const qsizetype n = text.size();
    QStringList out;
    qsizetype start = 0;
    int count = 0;
    bool inSpace = false;
    bool hadWord = false;
    for (qsizetype i = 0; i < n; ++i) {
        const bool space = text.at(i).isSpace();
        if (!space) {
            if (inSpace && hadWord && ++count == perEvent) {
                out.append(text.sliced(start, i - start));
                start = i;
                count = 0;
            }
            hadWord = true;
        }
        inSpace = space;
        if (i + 1 - start >= maxChars && !(text.at(i).isHighSurrogate() && i + 1 < n)) {
            out.append(text.sliced(start, i + 1 - start));
            start = i + 1;
            count = 0;
            hadWord = false;
        }
    }
    if (start < n)
        out.append(text.sliced(start));
    return out;
}

// ---- OpenAI ----------------------------------------------------------------

class OpenAiStream
{
public:
    OpenAiStream(const QJsonObject &body, StreamSynthesizer::Options options)
        : m_options(options)
    {
        // Every chunk repeats what names the completion.
        for (const QLatin1StringView key :
             {"id"_L1, "created"_L1, "model"_L1, "service_tier"_L1, "system_fingerprint"_L1}) {
            const auto it = body.constFind(key);
            if (it != body.constEnd())
                m_head.insert(key, *it);
        }
        m_head.insert("object"_L1, "chat.completion.chunk"_L1);
        if (m_options.includeUsage)
            m_head.insert("usage"_L1, QJsonValue::Null);
    }

    void choice(const QJsonObject &choice)
    {
        const int index = choice.value("index"_L1).toInt();
        const QJsonObject message = choice.value("message"_L1).toObject();
        const QJsonValue content = message.value("content"_L1);
        const QString role = message.value("role"_L1).toString();

        // The opening delta: content "" for a text answer, null (as OpenAI
        // sends it) when the answer has none, e.g. only tool calls.
        delta(index, {{"role"_L1, role.isEmpty() ? u"assistant"_s : role},
                      {"content"_L1, content.isString() ? QJsonValue(u""_s) : QJsonValue()},
                      {"refusal"_L1, QJsonValue::Null}});
        text(index, "reasoning_content"_L1, message.value("reasoning_content"_L1).toString());
        text(index, "content"_L1, content.toString());
        text(index, "refusal"_L1, message.value("refusal"_L1).toString());

        const QJsonArray calls = message.value("tool_calls"_L1).toArray();
        for (qsizetype i = 0; i < calls.size(); ++i)
            toolCall(index, int(i), calls.at(i).toObject());

        // Sent even when empty, so the body's "annotations": [] survives.
        const QJsonValue annotations = message.value("annotations"_L1);
        if (annotations.isArray())
            delta(index, {{"annotations"_L1, annotations}});

        // Token logprobs ride on the closing chunk whole; joined, the lists
        // of every chunk are the body's anyway.
        chunk(QJsonArray{QJsonObject{
                {"index"_L1, index},
                {"delta"_L1, QJsonObject()},
                {"logprobs"_L1, choice.value("logprobs"_L1).isObject() ? choice.value("logprobs"_L1)
                                                                       : QJsonValue()},
                {"finish_reason"_L1, choice.value("finish_reason"_L1).isString()
                                             ? choice.value("finish_reason"_L1)
                                             : QJsonValue()},
        }});
    }

    void finish(const QJsonValue &usage)
    {
        if (m_options.includeUsage && usage.isObject()) {
            QJsonObject last = m_head;
            last.insert("choices"_L1, QJsonArray());
            last.insert("usage"_L1, usage);
            append(last);
        }
        m_events.append(QByteArrayLiteral("data: [DONE]\n\n"));
    }

    QList<QByteArray> events() const { return m_events; }

private:
    void text(int index, QLatin1StringView key, const QString &value)
    {
        for (const QString &piece : pieces(value, m_options.wordsPerEvent))
            delta(index, {{key, piece}});
    }

    // The first delta of a call names it, with empty arguments; the
    // arguments follow in pieces, each delta naming the call by index only.
    void toolCall(int choiceIndex, int callIndex, const QJsonObject &call)
    {
        const QJsonObject function = call.value("function"_L1).toObject();
        const QString type = call.value("type"_L1).toString();
        delta(choiceIndex,
              {{"tool_calls"_L1,
                QJsonArray{QJsonObject{
                        {"index"_L1, callIndex},
                        {"id"_L1, call.value("id"_L1)},
                        {"type"_L1, type.isEmpty() ? u"function"_s : type},
                        {"function"_L1, QJsonObject{{"name"_L1, function.value("name"_L1)},
                                                    {"arguments"_L1, u""_s}}},
                }}}});
        const QString arguments = function.value("arguments"_L1).toString();
        for (const QString &piece : pieces(arguments, m_options.wordsPerEvent)) {
            delta(choiceIndex,
                  {{"tool_calls"_L1,
                    QJsonArray{QJsonObject{
                            {"index"_L1, callIndex},
                            {"function"_L1, QJsonObject{{"arguments"_L1, piece}}},
                    }}}});
        }
    }

    void delta(int index, const QJsonObject &delta)
    {
        chunk(QJsonArray{QJsonObject{
                {"index"_L1, index},
                {"delta"_L1, delta},
                {"logprobs"_L1, QJsonValue::Null},
                {"finish_reason"_L1, QJsonValue::Null},
        }});
    }

    void chunk(const QJsonArray &choices)
    {
        QJsonObject chunk = m_head;
        chunk.insert("choices"_L1, choices);
        append(chunk);
    }

    void append(const QJsonObject &chunk) { m_events.append("data: " + compact(chunk) + "\n\n"); }

    StreamSynthesizer::Options m_options;
    QJsonObject m_head;
    QList<QByteArray> m_events;
};

QList<QByteArray> openAiEvents(const QJsonObject &body, StreamSynthesizer::Options options)
{
    OpenAiStream stream(body, options);
    const QJsonArray choices = body.value("choices"_L1).toArray();
    for (const QJsonValue &choice : choices)
        stream.choice(choice.toObject());
    stream.finish(body.value("usage"_L1));
    return stream.events();
}

// ---- Anthropic -------------------------------------------------------------

QByteArray anthropicEvent(QLatin1StringView type, QJsonObject data)
{
    data.insert("type"_L1, type);
    return "event: " + QByteArray(type.data(), type.size()) + "\ndata: " + compact(data) + "\n\n";
}

// The events of one content block, from content_block_start to _stop.
void anthropicBlock(QList<QByteArray> &out, int index, const QJsonObject &block, int words)
{
    const auto deltas = [&](QLatin1StringView deltaType, QLatin1StringView key, const QString &value) {
        for (const QString &piece : pieces(value, words)) {
            out.append(anthropicEvent("content_block_delta"_L1,
                                      {{"index"_L1, index},
                                       {"delta"_L1, QJsonObject{{"type"_L1, deltaType}, {key, piece}}}}));
        }
    };

    const QString type = block.value("type"_L1).toString();
    QJsonObject start = block;
    const bool text = type == "text"_L1;
    const bool thinking = type == "thinking"_L1;
    // tool_use, server_tool_use, mcp_tool_use: the input streams as JSON text.
    const bool toolInput = block.value("input"_L1).isObject() && type.endsWith("tool_use"_L1);
    if (text) {
        start.insert("text"_L1, u""_s);
        if (block.value("citations"_L1).isArray())
            start.insert("citations"_L1, QJsonArray());   // filled by citations_delta
    } else if (thinking) {
        start.insert("thinking"_L1, u""_s);
        start.remove("signature"_L1);
    } else if (toolInput) {
        start.insert("input"_L1, QJsonObject());
    }
    out.append(anthropicEvent("content_block_start"_L1, {{"index"_L1, index}, {"content_block"_L1, start}}));

    if (text) {
        deltas("text_delta"_L1, "text"_L1, block.value("text"_L1).toString());
        for (const QJsonValue &citation : block.value("citations"_L1).toArray()) {
            out.append(anthropicEvent("content_block_delta"_L1,
                                      {{"index"_L1, index},
                                       {"delta"_L1, QJsonObject{{"type"_L1, "citations_delta"_L1},
                                                                {"citation"_L1, citation}}}}));
        }
    } else if (thinking) {
        deltas("thinking_delta"_L1, "thinking"_L1, block.value("thinking"_L1).toString());
        // The signature comes whole, just before the block ends.
        const QJsonValue signature = block.value("signature"_L1);
        if (signature.isString()) {
            out.append(anthropicEvent("content_block_delta"_L1,
                                      {{"index"_L1, index},
                                       {"delta"_L1, QJsonObject{{"type"_L1, "signature_delta"_L1},
                                                                {"signature"_L1, signature}}}}));
        }
    } else if (toolInput) {
        const QJsonObject input = block.value("input"_L1).toObject();
        if (!input.isEmpty())
            deltas("input_json_delta"_L1, "partial_json"_L1, QString::fromUtf8(compact(input)));
    }
    // Anything else (redacted_thinking, tool results) arrives whole in its start.
    out.append(anthropicEvent("content_block_stop"_L1, {{"index"_L1, index}}));
}

QList<QByteArray> anthropicEvents(const QJsonObject &body, StreamSynthesizer::Options options)
{
    QList<QByteArray> out;

    // message_start carries the message without its content or stop, and
    // the input-side usage; Anthropic reports output_tokens 1 at this point.
    QJsonObject message = body;
    message.insert("content"_L1, QJsonArray());
    message.insert("stop_reason"_L1, QJsonValue::Null);
    message.insert("stop_sequence"_L1, QJsonValue::Null);
    QJsonObject usage = body.value("usage"_L1).toObject();
    const QJsonValue outputTokens = usage.value("output_tokens"_L1);
    if (body.value("usage"_L1).isObject()) {
        usage.insert("output_tokens"_L1, 1);
        message.insert("usage"_L1, usage);
    }
    out.append(anthropicEvent("message_start"_L1, {{"message"_L1, message}}));
    out.append(anthropicEvent("ping"_L1, {}));

    const QJsonArray content = body.value("content"_L1).toArray();
    for (qsizetype i = 0; i < content.size(); ++i)
        anthropicBlock(out, int(i), content.at(i).toObject(), options.wordsPerEvent);

    QJsonObject messageDelta{
        {"delta"_L1, QJsonObject{{"stop_reason"_L1, body.value("stop_reason"_L1).isString()
                                                            ? body.value("stop_reason"_L1)
                                                            : QJsonValue()},
                                 {"stop_sequence"_L1, body.value("stop_sequence"_L1).isString()
                                                              ? body.value("stop_sequence"_L1)
                                                              : QJsonValue()}}},
    };
    if (outputTokens.isDouble())
        messageDelta.insert("usage"_L1, QJsonObject{{"output_tokens"_L1, outputTokens}});
    out.append(anthropicEvent("message_delta"_L1, messageDelta));
    out.append(anthropicEvent("message_stop"_L1, {}));
    return out;
}

} // namespace

QList<QByteArray> StreamSynthesizer::events(WireFormat format, const QByteArray &body, Options options)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject())
        return {};
    switch (format) {
    case WireFormat::OpenAI:
        return openAiEvents(doc.object(), options);
    case WireFormat::Anthropic:
        return anthropicEvents(doc.object(), options);
    }
    return {};
}
