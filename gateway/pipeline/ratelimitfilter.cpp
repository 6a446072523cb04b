#include "ratelimitfilter.h"

#include "governance/keystore.h"
#include "governance/ratelimiter.h"

#include <QDateTime>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 kDefaultOutputCharge = 1024;
}

QByteArray RateLimitFilter::formatDuration(qint64 ms)
{
    if (ms < 1000)
        return QByteArray::number(qMax<qint64>(0, ms)) + "ms";
    if (ms < 60000)
        return QByteArray::number(double(ms) / 1000.0, 'g', 4) + "s";
    return QByteArray::number(ms / 60000) + "m" + QByteArray::number(double(ms % 60000) / 1000.0, 'g', 4) + "s";
}

CallFilter::Result RateLimitFilter::onRequest(CallContext &ctx)
{
    if (!ctx.keyId)
        return Result::Continue;
    const KeyRecord *key = m_keys->find(*ctx.keyId);
    if (!key || (key->ratePerMin <= 0 && key->tokensPerMin <= 0))
        return Result::Continue;

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 charge = ctx.request.estimatedInputTokens
        + (ctx.request.maxOutputTokens > 0 ? ctx.request.maxOutputTokens : kDefaultOutputCharge);
    const RateLimiter::Limits limits{key->ratePerMin, key->tokensPerMin};
    const RateLimiter::Decision d = m_limiter->acquire(key->id, limits, charge, now);

    const bool anthropic = ctx.clientFormat == WireFormat::Anthropic;
    auto add = [&](const char *kind, const RateLimiter::Window &w) {
        const QByteArray k(kind);
        ctx.responseHeaders.emplaceBack("x-ratelimit-limit-" + k, QByteArray::number(w.limit));
        ctx.responseHeaders.emplaceBack("x-ratelimit-remaining-" + k, QByteArray::number(w.remaining));
        ctx.responseHeaders.emplaceBack("x-ratelimit-reset-" + k, formatDuration(w.resetMs));
        if (anthropic) {
            // toUTC(): "…Z", as Anthropic writes it, rather than "…+00:00".
            const QByteArray reset = QDateTime::fromMSecsSinceEpoch(now + w.resetMs, QTimeZone::utc())
                                         .toUTC()
                                         .toString(Qt::ISODate)
                                         .toLatin1();
            ctx.responseHeaders.emplaceBack("anthropic-ratelimit-" + k + "-limit", QByteArray::number(w.limit));
            ctx.responseHeaders.emplaceBack("anthropic-ratelimit-" + k + "-remaining", QByteArray::number(w.remaining));
            ctx.responseHeaders.emplaceBack("anthropic-ratelimit-" + k + "-reset", reset);
        }
    };
    if (key->ratePerMin > 0)
        add("requests", d.requests);
    if (key->tokensPerMin > 0)
        add("tokens", d.tokens);

    if (!d.allowed) {
        ctx.error = GatewayError(GatewayError::Code::RateLimited,
                                 d.byTokens ? u"tokens-per-minute limit of "_s + QString::number(key->tokensPerMin)
                                                  + u" reached for this key"_s
                                            : u"requests-per-minute limit of "_s + QString::number(key->ratePerMin)
                                                  + u" reached for this key"_s);
        ctx.error.setRetryAfterSeconds(int((d.retryAfterMs + 999) / 1000));
        return Result::Respond;
    }
    ctx.rateTokensCharged = key->tokensPerMin > 0 ? qMin(charge, key->tokensPerMin) : 0;
    return Result::Continue;
}

void RateLimitFilter::onFinish(CallContext &ctx)
{
    if (!ctx.keyId || ctx.rateTokensCharged == 0)
        return;
    const KeyRecord *key = m_keys->find(*ctx.keyId);
    if (!key)
        return;
    const qint64 actual = ctx.cached ? 0 : ctx.usage.total();
    m_limiter->adjustTokens(key->id, key->tokensPerMin, actual - ctx.rateTokensCharged,
                            QDateTime::currentMSecsSinceEpoch());
    ctx.rateTokensCharged = 0;
}
