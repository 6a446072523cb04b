#pragma once

// Token usage of a complete (non-streaming) response body, per format.
// Returns std::nullopt when the body carries no usage object.

#include "core/tokenusage.h"
#include "core/wireformat.h"

#include <QByteArray>
#include <QJsonObject>
#include <optional>

namespace UsageParser {
// OpenAI: usage.prompt_tokens (minus prompt_tokens_details.cached_tokens,
// which become cacheReadTokens) and usage.completion_tokens.
// Anthropic: usage.input_tokens, output_tokens, cache_read_input_tokens,
// cache_creation_input_tokens.
std::optional<TokenUsage> fromUsageObject(WireFormat format, const QJsonObject &usage);
std::optional<TokenUsage> fromResponseBody(WireFormat format, const QByteArray &body);
}
