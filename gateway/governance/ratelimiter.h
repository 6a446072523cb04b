#pragma once

// Requests-per-minute and tokens-per-minute limits per key, as token
// buckets: each holds up to a minute's allowance and refills continuously,
// so a key may burst up to its per-minute limit and then runs at the
// steady rate — no reset cliff at minute boundaries (as with fixed windows)
// and O(1) memory per key (unlike a sliding log). Token limits are charged
// the call's estimate up front and corrected to the real count afterwards;
// a correction may leave the bucket in debt, which later calls wait out.
//
//   auto d = limiter.acquire(keyId, {rpm, tpm}, estimatedTokens, nowMs);
//   if (!d.allowed) return 429 with d.retryAfterS;
//   ... later: limiter.adjustTokens(keyId, tpm, actual - estimated, nowMs);

#include <QHash>
#include <QtGlobal>

class RateLimiter
{
public:
    struct Limits
    {
        qint64 requestsPerMin = 0;   // 0 = unlimited
        qint64 tokensPerMin = 0;
    };
    struct Window
    {
        qint64 limit = 0;            // 0 = no such limit
        qint64 remaining = 0;
        qint64 resetMs = 0;          // until the bucket is full again
    };
    struct Decision
    {
        bool allowed = true;
        bool byTokens = false;       // refused for tokens rather than requests
        qint64 retryAfterMs = 0;
        Window requests;
        Window tokens;
    };

    // Takes one request and `tokens` if both buckets allow; takes nothing otherwise.
    Decision acquire(qint64 keyId, Limits limits, qint64 tokens, qint64 nowMs);
    // Corrects the token charge of an admitted call by delta (negative refunds).
    void adjustTokens(qint64 keyId, qint64 tokensPerMin, qint64 delta, qint64 nowMs);
    // The state without taking anything (headers of a call that was not charged).
    Decision peek(qint64 keyId, Limits limits, qint64 nowMs);
    void forget(qint64 keyId);

private:
    struct Bucket
    {
        double level = 0;            // available units; negative = in debt
        qint64 updatedMs = 0;
        bool fresh = true;           // never used: starts full
    };
    static void refill(Bucket &b, qint64 capacity, qint64 nowMs);
    static Window window(const Bucket &b, qint64 capacity);

    QHash<qint64, Bucket> m_requests;
    QHash<qint64, Bucket> m_tokens;
};
