#include "openaistreammeter.h"

#include "usageparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

namespace {

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Index just past the string whose opening quote is at 'open', or -1.
qsizetype skipString(QByteArrayView json, qsizetype open)
{
    for (qsizetype i = open + 1; i < json.size(); ++i) {
        if (json[i] == '\\')
            ++i;
        else if (json[i] == '"')
            return i + 1;
    }
    return -1;
}

// Index just past the JSON value starting at 'from', or -1.
qsizetype skipValue(QByteArrayView json, qsizetype from)
{
    const qsizetype n = json.size();
    if (from >= n)
        return -1;
    if (json[from] == '"')
        return skipString(json, from);
    if (json[from] != '{' && json[from] != '[') {
        qsizetype i = from;
        while (i < n && json[i] != ',' && json[i] != '}' && json[i] != ']' && !isJsonSpace(json[i]))
            ++i;
        return i;
    }
    int depth = 0;
    for (qsizetype i = from; i < n; ++i) {
        const char c = json[i];
        if (c == '"') {
            i = skipString(json, i);
            if (i < 0)
                return -1;
            --i;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return -1;
}

// The raw event with the top-level member 'key' of its JSON object cut out,
// together with the comma that separated it from a neighbour; every other
// byte stays as it was. The raw bytes are scanned directly ("data: " prefixes
// of continuation lines hold no quotes or brackets), so nothing is
// re-serialized. Returns the
// input unchanged when the member is not there.
QByteArray withoutTopLevelMember(const QByteArray &raw, QByteArrayView key)
{
    const QByteArrayView json(raw);
    const qsizetype n = json.size();
    // Start at the first data line, past any comment line before it.
    qsizetype dataLine = 0;
    while (dataLine < n && !json.sliced(dataLine).startsWith("data:")) {
        while (dataLine < n && json[dataLine] != '\n' && json[dataLine] != '\r')
            ++dataLine;
        while (dataLine < n && (json[dataLine] == '\n' || json[dataLine] == '\r'))
            ++dataLine;
    }
    qsizetype i = json.indexOf('{', dataLine);
    if (i < 0)
        return raw;

    int depth = 0;
    for (; i < n; ++i) {
        const char c = json[i];
        if (c == '{' || c == '[') {
            ++depth;
            continue;
        }
        if (c == '}' || c == ']') {
            if (--depth == 0)
                return raw;
            continue;
        }
        if (c != '"')
            continue;

        const qsizetype keyBegin = i;
        const qsizetype keyEnd = skipString(json, i);
        if (keyEnd < 0)
            return raw;
        i = keyEnd - 1;
        if (depth != 1)
            continue;

        qsizetype colon = keyEnd;
        while (colon < n && isJsonSpace(json[colon]))
            ++colon;
        if (colon >= n || json[colon] != ':')
            continue;   // a string value, not a key
        if (json.sliced(keyBegin + 1, keyEnd - keyBegin - 2) != key)
            continue;

        qsizetype valueBegin = colon + 1;
        while (valueBegin < n && isJsonSpace(json[valueBegin]))
            ++valueBegin;
        const qsizetype valueEnd = skipValue(json, valueBegin);
        if (valueEnd < 0)
            return raw;

        qsizetype before = keyBegin - 1;
        while (before >= 0 && isJsonSpace(json[before]))
            --before;
        if (before >= 0 && json[before] == ',') {
            QByteArray out = raw;
            return out.remove(before, valueEnd - before);
        }
        qsizetype after = valueEnd;
        while (after < n && isJsonSpace(json[after]))
            ++after;
        QByteArray out = raw;
        if (after < n && json[after] == ',')
            return out.remove(keyBegin, after + 1 - keyBegin);
        return out.remove(keyBegin, valueEnd - keyBegin);
    }
    return raw;
}

qint64 stringLength(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).toString().size();
}

} // namespace

QByteArray OpenAiStreamMeter::filter(const SseEvent &event)
{
    ++m_events;
    if (event.data.isEmpty())
        return event.raw;   // comments and keep-alives
    if (QByteArrayView(event.data).trimmed() == "[DONE]") {
        m_completed = true;
        return event.raw;
    }

    if (!event.isObject()) {
        if (event.event == "error" && m_error.isEmpty())
            m_error = event.data;
        return event.raw;
    }
    const QJsonObject &chunk = event.object();

    if ((event.event == "error" || chunk.contains(QLatin1StringView("error"))) && m_error.isEmpty())
        m_error = event.data;

    if (m_model.isEmpty())
        m_model = chunk.value(QLatin1StringView("model")).toString();

    const QJsonArray choices = chunk.value(QLatin1StringView("choices")).toArray();
    for (const QJsonValue &choice : choices) {
        const QJsonObject delta = choice.toObject().value(QLatin1StringView("delta")).toObject();
        if (delta.isEmpty())
            continue;
        m_textChars += stringLength(delta, QLatin1StringView("content"));
        m_textChars += stringLength(delta, QLatin1StringView("refusal"));
        m_textChars += stringLength(delta, QLatin1StringView("reasoning_content"));
        const QJsonArray toolCalls = delta.value(QLatin1StringView("tool_calls")).toArray();
        for (const QJsonValue &call : toolCalls) {
            const QJsonObject function = call.toObject().value(QLatin1StringView("function")).toObject();
            m_textChars += stringLength(function, QLatin1StringView("name"));
            m_textChars += stringLength(function, QLatin1StringView("arguments"));
        }
    }

    const auto usageIt = chunk.constFind(QLatin1StringView("usage"));
    const bool hasUsageMember = usageIt != chunk.constEnd();
    const bool hasUsage = hasUsageMember && usageIt->isObject();
    if (hasUsage) {
        if (const auto usage = UsageParser::fromUsageObject(WireFormat::OpenAI, usageIt->toObject())) {
            m_usage = *usage;
            m_usageSeen = true;
        }
    }

    if (!m_stripUsage || !hasUsageMember)
        return event.raw;
    if (hasUsage && choices.isEmpty())
        return QByteArray();   // the usage-only chunk include_usage added
    // Either "usage":null, or usage that a provider repeats on every chunk:
    // neither would be there had the client's request gone out unchanged.
    return withoutTopLevelMember(event.raw, "usage");
}
