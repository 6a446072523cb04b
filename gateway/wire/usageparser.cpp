#include "usageparser.h"

#include "jsonscan.h"

#include <QJsonDocument>
#include <QJsonValue>

#include <algorithm>

namespace {

std::optional<TokenUsage> fromOpenAi(const QJsonObject &usage)
{
    const QJsonValue prompt = usage.value(QLatin1StringView("prompt_tokens"));
    const QJsonValue completion = usage.value(QLatin1StringView("completion_tokens"));
    if (!prompt.isDouble() && !completion.isDouble())
        return std::nullopt;

    qint64 cached = usage.value(QLatin1StringView("prompt_tokens_details"))
                            .toObject()
                            .value(QLatin1StringView("cached_tokens"))
                            .toInteger();
    // DeepSeek's OpenAI-compatible API reports cache hits under its own name;
    // like cached_tokens they are part of prompt_tokens.
    if (cached == 0)
        cached = usage.value(QLatin1StringView("prompt_cache_hit_tokens")).toInteger();

    const qint64 promptTokens = prompt.toInteger();
    cached = std::clamp<qint64>(cached, 0, promptTokens);

    TokenUsage result;
    result.inputTokens = promptTokens - cached;
    result.cacheReadTokens = cached;
    result.outputTokens = completion.toInteger();
    return result;
}

std::optional<TokenUsage> fromAnthropic(const QJsonObject &usage)
{
    const QJsonValue input = usage.value(QLatin1StringView("input_tokens"));
    const QJsonValue output = usage.value(QLatin1StringView("output_tokens"));
    if (!input.isDouble() && !output.isDouble())
        return std::nullopt;

    // Anthropic's input_tokens already excludes cache reads and writes, so
    // the four counts add up without overlap.
    TokenUsage result;
    result.inputTokens = input.toInteger();
    result.outputTokens = output.toInteger();
    result.cacheReadTokens = usage.value(QLatin1StringView("cache_read_input_tokens")).toInteger();
    result.cacheWriteTokens =
            usage.value(QLatin1StringView("cache_creation_input_tokens")).toInteger();
    return result;
}

} // namespace

std::optional<TokenUsage> UsageParser::fromUsageObject(WireFormat format, const QJsonObject &usage)
{
    if (usage.isEmpty())
        return std::nullopt;
    return format == WireFormat::OpenAI ? fromOpenAi(usage) : fromAnthropic(usage);
}

std::optional<TokenUsage> UsageParser::fromResponseBody(WireFormat format, const QByteArray &body)
{
    // Only the usage object is parsed; the answer around it (its text can
    // be long) is skipped over.
    const JsonScan::Member member = JsonScan::topLevelMember(body, "usage");
    if (member.status == JsonScan::Status::Absent)
        return std::nullopt;
    if (member.status == JsonScan::Status::Found) {
        const QJsonDocument usage = QJsonDocument::fromJson(member.value.toByteArray());
        return usage.isObject() ? fromUsageObject(format, usage.object()) : std::nullopt;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject())
        return std::nullopt;
    const QJsonValue usage = doc.object().value(QLatin1StringView("usage"));
    if (!usage.isObject())
        return std::nullopt;
    return fromUsageObject(format, usage.toObject());
}
