#include "anthropicstreammeter.h"

#include "usageparser.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

namespace {

qint64 stringLength(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).toString().size();
}

// message_delta counts are running totals: a field present replaces the
// value held, a field absent (or null) leaves it alone.
void takeLatest(qint64 &field, const QJsonObject &usage, QLatin1StringView key)
{
    const QJsonValue value = usage.value(key);
    if (value.isDouble())
        field = value.toInteger();
}

} // namespace

QByteArray AnthropicStreamMeter::filter(const SseEvent &event)
{
    ++m_events;
    if (event.data.isEmpty())
        return event.raw;

    const QJsonObject &object = event.object();
    // The data's "type" is authoritative; the "event:" line repeats it.
    QString type = object.value(QLatin1StringView("type")).toString();
    if (type.isEmpty())
        type = QString::fromLatin1(event.event);

    if (type == QLatin1StringView("content_block_delta")) {
        const QJsonObject delta = object.value(QLatin1StringView("delta")).toObject();
        m_textChars += stringLength(delta, QLatin1StringView("text"));
        m_textChars += stringLength(delta, QLatin1StringView("partial_json"));
        m_textChars += stringLength(delta, QLatin1StringView("thinking"));
    } else if (type == QLatin1StringView("content_block_start")) {
        // A tool_use block names its tool here; the name is output too.
        const QJsonObject block = object.value(QLatin1StringView("content_block")).toObject();
        m_textChars += stringLength(block, QLatin1StringView("text"));
        m_textChars += stringLength(block, QLatin1StringView("name"));
    } else if (type == QLatin1StringView("message_start")) {
        const QJsonObject message = object.value(QLatin1StringView("message")).toObject();
        m_model = message.value(QLatin1StringView("model")).toString();
        const QJsonObject usage = message.value(QLatin1StringView("usage")).toObject();
        if (const auto parsed = UsageParser::fromUsageObject(WireFormat::Anthropic, usage))
            m_usage = *parsed;
    } else if (type == QLatin1StringView("message_delta")) {
        const QJsonValue usageValue = object.value(QLatin1StringView("usage"));
        if (usageValue.isObject()) {
            const QJsonObject usage = usageValue.toObject();
            takeLatest(m_usage.inputTokens, usage, QLatin1StringView("input_tokens"));
            takeLatest(m_usage.outputTokens, usage, QLatin1StringView("output_tokens"));
            takeLatest(m_usage.cacheReadTokens, usage, QLatin1StringView("cache_read_input_tokens"));
            takeLatest(m_usage.cacheWriteTokens, usage,
                       QLatin1StringView("cache_creation_input_tokens"));
            m_usageSeen = true;
        }
    } else if (type == QLatin1StringView("message_stop")) {
        m_completed = true;
    } else if (type == QLatin1StringView("error")) {
        if (m_error.isEmpty())
            m_error = event.data;
    }
    return event.raw;
}
