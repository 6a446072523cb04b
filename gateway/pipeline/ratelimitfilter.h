#pragma once

// Per-key requests and tokens per minute (RateLimiter's token buckets).
// Adds the x-ratelimit-* headers (and Anthropic's names on /v1/messages)
// to every answer of a limited key, refusals and streams included; a
// refusal is a 429 with Retry-After. Tokens are charged as the input
// estimate plus max_tokens (1024 when unset) and corrected afterwards.

#include "callfilter.h"

class KeyStore;
class RateLimiter;

class RateLimitFilter : public CallFilter
{
public:
    RateLimitFilter(RateLimiter *limiter, const KeyStore *keys) : m_limiter(limiter), m_keys(keys) {}
    const char *name() const override { return "rate-limit"; }
    Result onRequest(CallContext &ctx) override;
    void onFinish(CallContext &ctx) override;

    // "12ms", "1.5s", "2m3s": the duration format OpenAI's headers use.
    static QByteArray formatDuration(qint64 ms);

private:
    RateLimiter *m_limiter;
    const KeyStore *m_keys;
};
