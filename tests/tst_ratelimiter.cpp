// tollgate-test-links: tollgate_governance
//
// The per-key token buckets, driven with a fake clock: a key may burst up
// to its per-minute limit and is then refused until the bucket refills at
// the steady rate; Retry-After says exactly how long; token limits charge
// an estimate that is later refunded or turned into debt; lowering or
// raising a limit while the key is in use behaves; keys never share a
// bucket.

#include "governance/ratelimiter.h"

#include <QTest>

namespace {

constexpr qint64 kT0 = 1'700'000'000'000;   // any epoch-ms instant
constexpr qint64 kKey = 1;

RateLimiter::Limits rpm(qint64 n)
{
    return {n, 0};
}

RateLimiter::Limits tpm(qint64 n)
{
    return {0, n};
}

// Floating point may put a computed duration one millisecond either side.
bool near(qint64 actual, qint64 expected)
{
    return qAbs(actual - expected) <= 1;
}

} // namespace

class tst_RateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unlimitedKeysAreNeverRefused();
    void burstThenRefusal_data();
    void burstThenRefusal();
    void refillsAtTheSteadyRate();
    void retryAfterAfterPartialRefill();
    void remainingAndReset();
    void tokensChargedByEstimate();
    void callLargerThanTheAllowanceWaitsForAFullBucket();
    void adjustRefunds();
    void adjustDebtIsWaitedOut();
    void refusedRequestTakesNoTokens();
    void refusedTokensTakeNoRequest();
    void retryAfterIsTheLongerWait();
    void limitLoweredWhileInUse();
    void limitRaisedWhileInUse();
    void keysAreIndependent();
    void peekTakesNothing();
    void forgetStartsAfresh();
};

void tst_RateLimiter::unlimitedKeysAreNeverRefused()
{
    RateLimiter limiter;
    for (int i = 0; i < 10000; ++i) {
        const RateLimiter::Decision d = limiter.acquire(kKey, {0, 0}, 1'000'000, kT0);
        QVERIFY(d.allowed);
        QCOMPARE(d.requests.limit, 0);
        QCOMPARE(d.tokens.limit, 0);
    }
}

void tst_RateLimiter::burstThenRefusal_data()
{
    QTest::addColumn<qint64>("perMinute");
    QTest::addColumn<qint64>("retryAfterMs");   // for the first refused call
    QTest::newRow("1/min") << qint64(1) << qint64(60000);
    QTest::newRow("5/min") << qint64(5) << qint64(12000);
    QTest::newRow("7/min") << qint64(7) << qint64(8572);   // ceil(60000 / 7)
    QTest::newRow("60/min") << qint64(60) << qint64(1000);
    QTest::newRow("1000/min") << qint64(1000) << qint64(60);
}

void tst_RateLimiter::burstThenRefusal()
{
    QFETCH(qint64, perMinute);
    QFETCH(qint64, retryAfterMs);
    RateLimiter limiter;
    for (qint64 i = 0; i < perMinute; ++i) {
        const RateLimiter::Decision d = limiter.acquire(kKey, rpm(perMinute), 0, kT0);
        QVERIFY2(d.allowed, qPrintable(QString::number(i)));
        QCOMPARE(d.requests.limit, perMinute);
        QCOMPARE(d.requests.remaining, perMinute - i - 1);
    }
    for (int i = 0; i < 3; ++i) {
        const RateLimiter::Decision d = limiter.acquire(kKey, rpm(perMinute), 0, kT0);
        QVERIFY(!d.allowed);
        QVERIFY(!d.byTokens);
        QVERIFY2(near(d.retryAfterMs, retryAfterMs), qPrintable(QString::number(d.retryAfterMs)));
        QCOMPARE(d.requests.remaining, 0);
        QVERIFY(near(d.requests.resetMs, 60000));
    }
}

void tst_RateLimiter::refillsAtTheSteadyRate()
{
    RateLimiter limiter;
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.acquire(kKey, rpm(5), 0, kT0).allowed);
    // One request comes back every 12 s.
    QVERIFY(!limiter.acquire(kKey, rpm(5), 0, kT0 + 11990).allowed);
    QVERIFY(limiter.acquire(kKey, rpm(5), 0, kT0 + 12001).allowed);
    QVERIFY(!limiter.acquire(kKey, rpm(5), 0, kT0 + 12002).allowed);
    QVERIFY(limiter.acquire(kKey, rpm(5), 0, kT0 + 24002).allowed);
    // After a quiet minute the whole burst is available again, and no more.
    const qint64 later = kT0 + 24002 + 60000;
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.acquire(kKey, rpm(5), 0, later).allowed);
    QVERIFY(!limiter.acquire(kKey, rpm(5), 0, later).allowed);
    // A clock that goes backwards refills nothing.
    QVERIFY(!limiter.acquire(kKey, rpm(5), 0, later - 50000).allowed);
}

void tst_RateLimiter::retryAfterAfterPartialRefill()
{
    RateLimiter limiter;
    for (int i = 0; i < 60; ++i)
        QVERIFY(limiter.acquire(kKey, rpm(60), 0, kT0).allowed);
    const RateLimiter::Decision d = limiter.acquire(kKey, rpm(60), 0, kT0 + 400);
    QVERIFY(!d.allowed);
    QVERIFY2(near(d.retryAfterMs, 600), qPrintable(QString::number(d.retryAfterMs)));
    // Waiting exactly that long is enough.
    QVERIFY(limiter.acquire(kKey, rpm(60), 0, kT0 + 400 + d.retryAfterMs + 1).allowed);
}

void tst_RateLimiter::remainingAndReset()
{
    RateLimiter limiter;
    const RateLimiter::Limits limits{10, 6000};
    RateLimiter::Decision d;
    for (int i = 0; i < 3; ++i)
        d = limiter.acquire(kKey, limits, 1000, kT0);
    QVERIFY(d.allowed);
    QCOMPARE(d.requests.limit, 10);
    QCOMPARE(d.requests.remaining, 7);
    QVERIFY2(near(d.requests.resetMs, 18000), qPrintable(QString::number(d.requests.resetMs)));   // 3 × 6 s
    QCOMPARE(d.tokens.limit, 6000);
    QCOMPARE(d.tokens.remaining, 3000);
    QVERIFY2(near(d.tokens.resetMs, 30000), qPrintable(QString::number(d.tokens.resetMs)));

    // Half the time later: half of what was used is back.
    d = limiter.peek(kKey, limits, kT0 + 9000);
    QCOMPARE(d.requests.remaining, 8);
    QVERIFY(near(d.requests.resetMs, 9000));
    QCOMPARE(d.tokens.remaining, 3900);
    QVERIFY(near(d.tokens.resetMs, 21000));

    // A full bucket resets in 0.
    d = limiter.peek(kKey, limits, kT0 + 600000);
    QCOMPARE(d.requests.remaining, 10);
    QCOMPARE(d.requests.resetMs, 0);
    QCOMPARE(d.tokens.remaining, 6000);
    QCOMPARE(d.tokens.resetMs, 0);
}

void tst_RateLimiter::tokensChargedByEstimate()
{
    RateLimiter limiter;
    RateLimiter::Decision d = limiter.acquire(kKey, tpm(1000), 400, kT0);
    QVERIFY(d.allowed);
    QCOMPARE(d.tokens.remaining, 600);
    d = limiter.acquire(kKey, tpm(1000), 600, kT0);
    QVERIFY(d.allowed);
    QCOMPARE(d.tokens.remaining, 0);
    d = limiter.acquire(kKey, tpm(1000), 100, kT0 + 3000);   // 50 back by now
    QVERIFY(!d.allowed);
    QVERIFY(d.byTokens);
    QVERIFY2(near(d.retryAfterMs, 3000), qPrintable(QString::number(d.retryAfterMs)));
    QCOMPARE(d.tokens.remaining, 50);
    QVERIFY(limiter.acquire(kKey, tpm(1000), 100, kT0 + 6001).allowed);
}

void tst_RateLimiter::callLargerThanTheAllowanceWaitsForAFullBucket()
{
    RateLimiter limiter;
    QVERIFY(limiter.acquire(kKey, tpm(100), 500, kT0).allowed);
    RateLimiter::Decision d = limiter.acquire(kKey, tpm(100), 500, kT0 + 30000);
    QVERIFY(!d.allowed);
    QVERIFY(near(d.retryAfterMs, 30000));
    QVERIFY(limiter.acquire(kKey, tpm(100), 500, kT0 + 60000).allowed);
}

void tst_RateLimiter::adjustRefunds()
{
    RateLimiter limiter;
    QVERIFY(limiter.acquire(kKey, tpm(1000), 800, kT0).allowed);
    QCOMPARE(limiter.peek(kKey, tpm(1000), kT0).tokens.remaining, 200);
    // The call used 300 of the 800 charged.
    limiter.adjustTokens(kKey, 1000, 300 - 800, kT0);
    QCOMPARE(limiter.peek(kKey, tpm(1000), kT0).tokens.remaining, 700);
    QVERIFY(limiter.acquire(kKey, tpm(1000), 700, kT0).allowed);
    // A refund never fills past the limit.
    limiter.adjustTokens(kKey, 1000, -5000, kT0);
    QCOMPARE(limiter.peek(kKey, tpm(1000), kT0).tokens.remaining, 1000);
    QVERIFY(near(limiter.peek(kKey, tpm(1000), kT0).tokens.resetMs, 0));
    // Nothing to correct, or no token limit: nothing happens.
    limiter.adjustTokens(kKey, 1000, 0, kT0);
    limiter.adjustTokens(kKey, 0, 400, kT0);
    QCOMPARE(limiter.peek(kKey, tpm(1000), kT0).tokens.remaining, 1000);
}

void tst_RateLimiter::adjustDebtIsWaitedOut()
{
    RateLimiter limiter;
    QVERIFY(limiter.acquire(kKey, tpm(1000), 1000, kT0).allowed);
    // The call used 1600 tokens, 600 more than charged: the bucket is in debt.
    limiter.adjustTokens(kKey, 1000, 600, kT0);
    RateLimiter::Decision d = limiter.peek(kKey, tpm(1000), kT0);
    QCOMPARE(d.tokens.remaining, 0);
    QVERIFY2(near(d.tokens.resetMs, 96000), qPrintable(QString::number(d.tokens.resetMs)));

    d = limiter.acquire(kKey, tpm(1000), 10, kT0 + 1);
    QVERIFY(!d.allowed);
    QVERIFY(d.byTokens);
    // 610 tokens short at 1000/min.
    QVERIFY2(near(d.retryAfterMs, 36600), qPrintable(QString::number(d.retryAfterMs)));
    QVERIFY(!limiter.acquire(kKey, tpm(1000), 10, kT0 + 30000).allowed);
    QVERIFY(limiter.acquire(kKey, tpm(1000), 10, kT0 + 36601).allowed);
}

void tst_RateLimiter::refusedRequestTakesNoTokens()
{
    RateLimiter limiter;
    const RateLimiter::Limits limits{1, 1000};
    QVERIFY(limiter.acquire(kKey, limits, 100, kT0).allowed);
    const RateLimiter::Decision d = limiter.acquire(kKey, limits, 100, kT0);
    QVERIFY(!d.allowed);
    QVERIFY(!d.byTokens);
    QCOMPARE(d.tokens.remaining, 900);
    QCOMPARE(limiter.peek(kKey, limits, kT0).tokens.remaining, 900);
}

void tst_RateLimiter::refusedTokensTakeNoRequest()
{
    RateLimiter limiter;
    const RateLimiter::Limits limits{10, 1000};
    QVERIFY(limiter.acquire(kKey, limits, 900, kT0).allowed);
    const RateLimiter::Decision d = limiter.acquire(kKey, limits, 200, kT0);
    QVERIFY(!d.allowed);
    QVERIFY(d.byTokens);
    QCOMPARE(d.requests.remaining, 9);
    QCOMPARE(d.tokens.remaining, 100);
    QCOMPARE(limiter.peek(kKey, limits, kT0).requests.remaining, 9);
    // A smaller call still fits.
    QVERIFY(limiter.acquire(kKey, limits, 100, kT0).allowed);
}

void tst_RateLimiter::retryAfterIsTheLongerWait()
{
    RateLimiter limiter;
    const RateLimiter::Limits limits{60, 600};   // 1 request per s, 10 tokens per s
    QVERIFY(limiter.acquire(kKey, limits, 600, kT0).allowed);
    for (int i = 0; i < 59; ++i)
        QVERIFY(limiter.acquire(kKey, limits, 0, kT0).allowed);
    // Both are short: the request in 1 s, the 100 tokens in 10 s.
    const RateLimiter::Decision d = limiter.acquire(kKey, limits, 100, kT0);
    QVERIFY(!d.allowed);
    QVERIFY2(near(d.retryAfterMs, 10000), qPrintable(QString::number(d.retryAfterMs)));
    QVERIFY(!limiter.acquire(kKey, limits, 100, kT0 + 5000).allowed);
    QVERIFY(limiter.acquire(kKey, limits, 100, kT0 + 10001).allowed);
}

void tst_RateLimiter::limitLoweredWhileInUse()
{
    RateLimiter limiter;
    for (int i = 0; i < 2; ++i)
        QVERIFY(limiter.acquire(kKey, rpm(10), 0, kT0).allowed);
    // The admin lowers the limit to 5: the key may not keep its 8.
    RateLimiter::Decision d = limiter.peek(kKey, rpm(5), kT0);
    QCOMPARE(d.requests.limit, 5);
    QCOMPARE(d.requests.remaining, 5);
    QCOMPARE(d.requests.resetMs, 0);
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.acquire(kKey, rpm(5), 0, kT0).allowed);
    d = limiter.acquire(kKey, rpm(5), 0, kT0);
    QVERIFY(!d.allowed);
    QVERIFY(near(d.retryAfterMs, 12000));   // the new, slower rate

    // Token limit lowered below what a bucket in debt holds.
    QVERIFY(limiter.acquire(2, tpm(1000), 1000, kT0).allowed);
    limiter.adjustTokens(2, 1000, 500, kT0);
    d = limiter.acquire(2, tpm(100), 10, kT0);
    QVERIFY(!d.allowed);
    QCOMPARE(d.tokens.limit, 100);
    QCOMPARE(d.tokens.remaining, 0);
}

void tst_RateLimiter::limitRaisedWhileInUse()
{
    RateLimiter limiter;
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.acquire(kKey, rpm(5), 0, kT0).allowed);
    QVERIFY(!limiter.acquire(kKey, rpm(5), 0, kT0).allowed);
    // Raised to 20/min: refills at the new rate, 1 per 3 s, up to 20.
    RateLimiter::Decision d = limiter.acquire(kKey, rpm(20), 0, kT0);
    QVERIFY(!d.allowed);
    QVERIFY(near(d.retryAfterMs, 3000));
    QCOMPARE(d.requests.limit, 20);
    QVERIFY(near(d.requests.resetMs, 60000));
    QVERIFY(limiter.acquire(kKey, rpm(20), 0, kT0 + 3001).allowed);
    d = limiter.peek(kKey, rpm(20), kT0 + 3001 + 60000);
    QCOMPARE(d.requests.remaining, 20);
}

void tst_RateLimiter::keysAreIndependent()
{
    RateLimiter limiter;
    for (int i = 0; i < 3; ++i)
        QVERIFY(limiter.acquire(1, {3, 300}, 100, kT0).allowed);
    QVERIFY(!limiter.acquire(1, {3, 300}, 100, kT0).allowed);
    // Another key with the same limits has its own, full buckets.
    const RateLimiter::Decision d = limiter.acquire(2, {3, 300}, 100, kT0);
    QVERIFY(d.allowed);
    QCOMPARE(d.requests.remaining, 2);
    QCOMPARE(d.tokens.remaining, 200);
    limiter.adjustTokens(2, 300, 10000, kT0);
    QCOMPARE(limiter.peek(1, {3, 300}, kT0).tokens.remaining, 0);
    QVERIFY(near(limiter.peek(1, {3, 300}, kT0).tokens.resetMs, 60000));
    QVERIFY(!limiter.acquire(3, {3, 300}, 100, kT0).byTokens);
}

void tst_RateLimiter::peekTakesNothing()
{
    RateLimiter limiter;
    for (int i = 0; i < 100; ++i) {
        const RateLimiter::Decision d = limiter.peek(kKey, {2, 50}, kT0);
        QVERIFY(d.allowed);
        QCOMPARE(d.requests.remaining, 2);
        QCOMPARE(d.tokens.remaining, 50);
    }
    QVERIFY(limiter.acquire(kKey, {2, 50}, 25, kT0).allowed);
    QVERIFY(limiter.acquire(kKey, {2, 50}, 25, kT0).allowed);
    QVERIFY(!limiter.acquire(kKey, {2, 50}, 25, kT0).allowed);
}

void tst_RateLimiter::forgetStartsAfresh()
{
    RateLimiter limiter;
    QVERIFY(limiter.acquire(kKey, rpm(1), 0, kT0).allowed);
    QVERIFY(!limiter.acquire(kKey, rpm(1), 0, kT0).allowed);
    limiter.forget(kKey);
    QVERIFY(limiter.acquire(kKey, rpm(1), 0, kT0).allowed);
}

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
