#include "anthropicstreamassembler.h"

#include <QJsonDocument>
#include <QJsonValue>

using namespace Qt::StringLiterals;

void AnthropicStreamAssembler::add(const SseEvent &event)
{
    if (event.data.isEmpty())
        return;
    const QJsonObject &object = event.object();
    // The data's "type" is authoritative; the "event:" line repeats it.
    QString type = object.value("type"_L1).toString();
    if (type.isEmpty())
        type = QString::fromLatin1(event.event);

    if (type == "content_block_delta"_L1) {
        addDelta(object.value("index"_L1).toInt(), object.value("delta"_L1).toObject());
    } else if (type == "content_block_start"_L1) {
        Block &block = m_blocks[object.value("index"_L1).toInt()];
        block = Block();
        block.start = object.value("content_block"_L1).toObject();
    } else if (type == "message_start"_L1) {
        m_message = object.value("message"_L1).toObject();
    } else if (type == "message_delta"_L1) {
        addMessageDelta(object);
    } else if (type == "message_stop"_L1) {
        m_stopped = true;
    } else if (type == "error"_L1) {
        m_error = true;
    }
    // content_block_stop and ping change nothing: a block is whole once its
    // deltas are in, and body() may be asked for a stream cut mid-block.
}

void AnthropicStreamAssembler::addDelta(int index, const QJsonObject &delta)
{
    Block &block = m_blocks[index];
    const QString type = delta.value("type"_L1).toString();
    if (type == "text_delta"_L1) {
        block.text += delta.value("text"_L1).toString();
        block.textSeen = true;
    } else if (type == "input_json_delta"_L1) {
        block.partialJson += delta.value("partial_json"_L1).toString();
        block.jsonSeen = true;
    } else if (type == "thinking_delta"_L1) {
        block.thinking += delta.value("thinking"_L1).toString();
        block.thinkingSeen = true;
    } else if (type == "signature_delta"_L1) {
        block.signature += delta.value("signature"_L1).toString();
        block.signatureSeen = true;
    } else if (type == "citations_delta"_L1) {
        block.citations.append(delta.value("citation"_L1));
        block.citationsSeen = true;
    }
}

void AnthropicStreamAssembler::addMessageDelta(const QJsonObject &event)
{
    // stop_reason, stop_sequence and whatever else the delta sets on the message.
    const QJsonObject delta = event.value("delta"_L1).toObject();
    for (auto it = delta.constBegin(); it != delta.constEnd(); ++it)
        m_message.insert(it.key(), *it);

    // Counts are running totals: a field present replaces the value held,
    // a field absent or null leaves it alone.
    const QJsonObject update = event.value("usage"_L1).toObject();
    if (update.isEmpty())
        return;
    QJsonObject usage = m_message.value("usage"_L1).toObject();
    for (auto it = update.constBegin(); it != update.constEnd(); ++it) {
        if (!it->isNull())
            usage.insert(it.key(), *it);
    }
    m_message.insert("usage"_L1, usage);
}

QJsonObject AnthropicStreamAssembler::blockOf(const Block &block)
{
    QJsonObject out = block.start;
    if (block.textSeen)
        out.insert("text"_L1, QString(out.value("text"_L1).toString() + block.text));
    if (block.thinkingSeen)
        out.insert("thinking"_L1, QString(out.value("thinking"_L1).toString() + block.thinking));
    if (block.signatureSeen)
        out.insert("signature"_L1, QString(out.value("signature"_L1).toString() + block.signature));
    if (block.citationsSeen) {
        QJsonArray citations = out.value("citations"_L1).toArray();
        for (const QJsonValue &c : block.citations)
            citations.append(c);
        out.insert("citations"_L1, citations);
    }
    if (block.jsonSeen) {
        // Tool input streams as JSON text in arbitrary pieces; it parses only
        // once whole. A tool called without arguments streams nothing (or "").
        if (block.partialJson.trimmed().isEmpty()) {
            out.insert("input"_L1, QJsonObject());
        } else {
            const QJsonDocument input = QJsonDocument::fromJson(block.partialJson.toUtf8());
            if (input.isObject())
                out.insert("input"_L1, input.object());
        }
    }
    return out;
}

bool AnthropicStreamAssembler::complete() const
{
    return m_stopped && !m_error;
}

QByteArray AnthropicStreamAssembler::body() const
{
    QJsonObject body = m_message;
    if (!body.contains("type"_L1))
        body.insert("type"_L1, "message"_L1);
    if (!body.contains("role"_L1))
        body.insert("role"_L1, "assistant"_L1);
    QJsonArray content;
    for (const Block &block : m_blocks)
        content.append(blockOf(block));
    body.insert("content"_L1, content);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}
