#include "openaistreamassembler.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace {

// Members of a chunk that name the completion rather than a piece of it.
constexpr QLatin1StringView headKeys[] = {"id"_L1, "created"_L1, "model"_L1,
                                          "system_fingerprint"_L1, "service_tier"_L1};

// Per-chunk logprobs carry lists for the tokens of that chunk only; the
// body's lists are their concatenation.
void mergeLogprobs(QJsonObject &into, const QJsonObject &piece)
{
    for (auto it = piece.constBegin(); it != piece.constEnd(); ++it) {
        const QJsonValue held = into.value(it.key());
        if (it->isArray() && held.isArray()) {
            QJsonArray list = held.toArray();
            for (const QJsonValue &entry : it->toArray())
                list.append(entry);
            into.insert(it.key(), list);
        } else if (!it->isNull() || !into.contains(it.key())) {
            into.insert(it.key(), *it);
        }
    }
}

} // namespace

void OpenAiStreamAssembler::Text::append(const QJsonValue &piece)
{
    if (!piece.isString())
        return;
    text += piece.toString();
    seen = true;
}

void OpenAiStreamAssembler::add(const SseEvent &event)
{
    if (event.data.isEmpty())
        return;   // comments and keep-alives
    if (QByteArrayView(event.data).trimmed() == "[DONE]") {
        m_done = true;
        return;
    }
    if (event.event == "error") {
        m_error = true;
        return;
    }
    if (!event.isObject())
        return;
    const QJsonObject &chunk = event.object();
    if (chunk.contains("error"_L1)) {
        m_error = true;
        return;
    }

    for (const QLatin1StringView key : headKeys) {
        const auto it = chunk.constFind(key);
        if (it != chunk.constEnd() && (!m_head.contains(key) || m_head.value(key).isNull()))
            m_head.insert(key, *it);
    }
    for (const QJsonValue &choice : chunk.value("choices"_L1).toArray())
        addChoice(choice.toObject());
    const QJsonValue usage = chunk.value("usage"_L1);
    if (usage.isObject())
        m_usage = usage.toObject();
}

void OpenAiStreamAssembler::addChoice(const QJsonObject &choice)
{
    Choice &c = m_choices[choice.value("index"_L1).toInt()];
    const QJsonObject delta = choice.value("delta"_L1).toObject();

    const QJsonValue role = delta.value("role"_L1);
    if (role.isString() && !role.toString().isEmpty())
        c.role = role.toString();
    c.content.append(delta.value("content"_L1));
    c.refusal.append(delta.value("refusal"_L1));
    c.reasoning.append(delta.value("reasoning_content"_L1));

    for (const QJsonValue &value : delta.value("tool_calls"_L1).toArray()) {
        const QJsonObject call = value.toObject();
        ToolCall &t = c.toolCalls[call.value("index"_L1).toInt()];
        // id and type name the call once; a repeat replaces rather than appends.
        const QString id = call.value("id"_L1).toString();
        if (!id.isEmpty())
            t.id = id;
        const QString type = call.value("type"_L1).toString();
        if (!type.isEmpty())
            t.type = type;
        const QJsonObject function = call.value("function"_L1).toObject();
        t.name += function.value("name"_L1).toString();
        t.arguments += function.value("arguments"_L1).toString();
    }

    const QJsonValue annotations = delta.value("annotations"_L1);
    if (annotations.isArray()) {
        for (const QJsonValue &a : annotations.toArray())
            c.annotations.append(a);
        c.annotationsSeen = true;
    }

    const QJsonValue logprobs = choice.value("logprobs"_L1);
    if (logprobs.isObject()) {
        mergeLogprobs(c.logprobs, logprobs.toObject());
        c.logprobsSeen = true;
    }
    const QJsonValue finish = choice.value("finish_reason"_L1);
    if (!finish.isNull() && !finish.isUndefined())
        c.finishReason = finish;
}

bool OpenAiStreamAssembler::complete() const
{
    return m_done && !m_error;
}

QJsonObject OpenAiStreamAssembler::messageOf(const Choice &c)
{
    QJsonObject message{{"role"_L1, c.role.isEmpty() ? u"assistant"_s : c.role}};
    // A tool-call answer's body has "content": null, though some providers
    // open its stream with "content": "".
    const bool hasText = c.content.seen && !(c.content.text.isEmpty() && !c.toolCalls.isEmpty());
    message.insert("content"_L1, hasText ? QJsonValue(c.content.text) : QJsonValue());
    message.insert("refusal"_L1, c.refusal.seen ? QJsonValue(c.refusal.text) : QJsonValue());
    if (c.reasoning.seen)
        message.insert("reasoning_content"_L1, c.reasoning.text);
    if (!c.toolCalls.isEmpty()) {
        QJsonArray calls;
        for (const ToolCall &t : c.toolCalls) {
            calls.append(QJsonObject{
                {"id"_L1, t.id},
                {"type"_L1, t.type.isEmpty() ? u"function"_s : t.type},
                {"function"_L1, QJsonObject{{"name"_L1, t.name}, {"arguments"_L1, t.arguments}}},
            });
        }
        message.insert("tool_calls"_L1, calls);
    }
    if (c.annotationsSeen)
        message.insert("annotations"_L1, c.annotations);
    return message;
}

QByteArray OpenAiStreamAssembler::body() const
{
    QJsonObject body = m_head;
    body.insert("object"_L1, "chat.completion"_L1);
    QJsonArray choices;
    for (auto it = m_choices.constBegin(); it != m_choices.constEnd(); ++it) {
        choices.append(QJsonObject{
            {"index"_L1, it.key()},
            {"message"_L1, messageOf(*it)},
            {"logprobs"_L1, it->logprobsSeen ? QJsonValue(it->logprobs) : QJsonValue()},
            {"finish_reason"_L1, it->finishReason},
        });
    }
    body.insert("choices"_L1, choices);
    if (m_usage)
        body.insert("usage"_L1, *m_usage);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}
