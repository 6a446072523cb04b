#include "ratelimiter.h"

#include <cmath>

namespace {
constexpr double kWindowMs = 60000.0;
}

void RateLimiter::refill(Bucket &b, qint64 capacity, qint64 nowMs)
{
    // A debt (negative level) left by adjustTokens() must be waited out, so
    // "new bucket" cannot be told by the level.
    if (b.fresh) {
        b.fresh = false;
        b.level = double(capacity);
    } else {
        const double rate = double(capacity) / kWindowMs;
        b.level = std::min(double(capacity), b.level + rate * double(qMax<qint64>(0, nowMs - b.updatedMs)));
    }
    b.updatedMs = nowMs;
}

RateLimiter::Window RateLimiter::window(const Bucket &b, qint64 capacity)
{
    Window w;
    w.limit = capacity;
    w.remaining = qMax<qint64>(0, qint64(std::floor(b.level)));
    const double rate = double(capacity) / kWindowMs;
    w.resetMs = qint64(std::ceil((double(capacity) - b.level) / rate));
    return w;
}

RateLimiter::Decision RateLimiter::acquire(qint64 keyId, Limits limits, qint64 tokens, qint64 nowMs)
{
    Decision d;
    Bucket *req = nullptr;
    Bucket *tok = nullptr;
    double tokenCost = 0;
    if (limits.requestsPerMin > 0) {
        req = &m_requests[keyId];
        refill(*req, limits.requestsPerMin, nowMs);
        if (req->level < 1.0) {
            d.allowed = false;
            d.retryAfterMs = qint64(std::ceil((1.0 - req->level) / (double(limits.requestsPerMin) / kWindowMs)));
        }
    }
    if (limits.tokensPerMin > 0) {
        tok = &m_tokens[keyId];
        refill(*tok, limits.tokensPerMin, nowMs);
        // A call larger than the whole allowance waits for a full bucket, not forever.
        tokenCost = double(qMin(tokens, limits.tokensPerMin));
        if (tok->level < tokenCost) {
            const qint64 wait = qint64(std::ceil((tokenCost - tok->level) / (double(limits.tokensPerMin) / kWindowMs)));
            if (d.allowed || wait > d.retryAfterMs) {
                d.byTokens = d.allowed;
                d.retryAfterMs = qMax(d.retryAfterMs, wait);
            }
            d.allowed = false;
        }
    }
    if (d.allowed) {
        if (req)
            req->level -= 1.0;
        if (tok)
            tok->level -= tokenCost;
    }
    if (req)
        d.requests = window(*req, limits.requestsPerMin);
    if (tok)
        d.tokens = window(*tok, limits.tokensPerMin);
    return d;
}

void RateLimiter::adjustTokens(qint64 keyId, qint64 tokensPerMin, qint64 delta, qint64 nowMs)
{
    if (tokensPerMin <= 0 || delta == 0)
        return;
    Bucket &b = m_tokens[keyId];
    refill(b, tokensPerMin, nowMs);
    b.level = std::min(double(tokensPerMin), b.level - double(delta));
}

RateLimiter::Decision RateLimiter::peek(qint64 keyId, Limits limits, qint64 nowMs)
{
    Decision d;
    if (limits.requestsPerMin > 0) {
        Bucket &b = m_requests[keyId];
        refill(b, limits.requestsPerMin, nowMs);
        d.requests = window(b, limits.requestsPerMin);
    }
    if (limits.tokensPerMin > 0) {
        Bucket &b = m_tokens[keyId];
        refill(b, limits.tokensPerMin, nowMs);
        d.tokens = window(b, limits.tokensPerMin);
    }
    return d;
}

void RateLimiter::forget(qint64 keyId)
{
    m_requests.remove(keyId);
    m_tokens.remove(keyId);
}
