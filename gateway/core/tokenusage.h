#pragma once

// Token counts of one call, normalised across formats:
// inputTokens are the uncached input tokens (OpenAI's prompt_tokens minus
// cached_tokens; Anthropic's input_tokens), cache reads and writes are kept
// apart, outputTokens include reasoning tokens.

#include <QtGlobal>

struct TokenUsage
{
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 cacheReadTokens = 0;
    qint64 cacheWriteTokens = 0;

    qint64 total() const { return inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens; }
    bool isEmpty() const { return total() == 0; }
    friend bool operator==(const TokenUsage &, const TokenUsage &) = default;
};
