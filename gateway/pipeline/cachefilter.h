#pragma once

// The response cache on the request path. A hit is answered locally in the
// caller's mode (a stream is replayed as events) at no cost, with the cost
// it saved recorded; identical calls in flight together make one upstream
// call and the followers answer as hits. Complete successful answers are
// stored on the way out. Skipped for `Cache-Control: no-cache`,
// `X-Tollgate-Cache: bypass`, keys that opted out, and count_tokens.

#include "callfilter.h"

class KeyStore;
class ResponseCache;

class CacheFilter : public CallFilter
{
public:
    CacheFilter(ResponseCache *cache, const KeyStore *keys, bool enabled)
        : m_cache(cache), m_keys(keys), m_enabled(enabled)
    {
    }
    const char *name() const override { return "cache"; }
    Result onRequest(CallContext &ctx) override;
    void onFinish(CallContext &ctx) override;

    static bool bypassRequested(const HttpRequest &request);

private:
    static void applyHit(CallContext &ctx, const struct CacheEntry &entry);

    ResponseCache *m_cache;
    const KeyStore *m_keys;
    bool m_enabled;
};
