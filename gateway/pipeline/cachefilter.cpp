#include "cachefilter.h"

#include "cache/responsecache.h"
#include "governance/keystore.h"

using namespace Qt::StringLiterals;

bool CacheFilter::bypassRequested(const HttpRequest &request)
{
    const QByteArray cc = request.header("cache-control").toLower();
    return cc.contains("no-cache") || cc.contains("no-store")
        || request.header("x-tollgate-cache").trimmed().compare("bypass", Qt::CaseInsensitive) == 0;
}

void CacheFilter::applyHit(CallContext &ctx, const CacheEntry &entry)
{
    ctx.cached = true;
    ctx.cacheStatus = u"hit"_s;
    ctx.provider = entry.provider;
    ctx.usage = entry.usage;
    ctx.estimated = false;
    ctx.savedCost = entry.cost;
    ctx.localAnswer = entry.body;
}

CallFilter::Result CacheFilter::onRequest(CallContext &ctx)
{
    if (!m_enabled || ctx.countTokens)
        return Result::Continue;
    if (bypassRequested(ctx.http)) {
        ctx.cacheStatus = u"bypass"_s;
        return Result::Continue;
    }
    if (ctx.keyId) {
        const KeyRecord *key = m_keys->find(*ctx.keyId);
        if (key && !key->cacheEnabled) {
            ctx.cacheStatus = u"bypass"_s;
            return Result::Continue;
        }
    }
    const QByteArray key = ResponseCache::keyFor(ctx.endpoint, ctx.request.json);
    if (const CacheEntry *hit = m_cache->lookup(key, QDateTime::currentDateTimeUtc())) {
        applyHit(ctx, *hit);
        return Result::Respond;
    }
    ctx.cacheStatus = u"miss"_s;
    if (m_cache->inFlight(key)) {
        // A follower: wait for the leader's answer. If the leader fails, go
        // upstream as an ordinary (uncached) call.
        auto resume = ctx.resumeWith;
        m_cache->wait(key, m_cache, [resume](const CacheEntry *entry) {
            if (!entry) {
                resume(nullptr);
                return;
            }
            const CacheEntry copy = *entry;
            resume([copy](CallContext &c) { applyHit(c, copy); });
        });
        return Result::Suspend;
    }
    ctx.cacheKey = key;
    m_cache->begin(key);
    return Result::Continue;
}

void CacheFilter::onFinish(CallContext &ctx)
{
    if (ctx.cacheKey.isEmpty())
        return;
    const QByteArray key = std::exchange(ctx.cacheKey, {});
    const bool success = ctx.status >= 200 && ctx.status < 300 && ctx.errorCode.isEmpty() && !ctx.cached
        && !ctx.responseBody.isEmpty();
    if (!success) {
        m_cache->finish(key, nullptr);
        return;
    }
    CacheEntry entry;
    entry.key = key;
    entry.format = ctx.clientFormat;
    entry.body = ctx.responseBody;
    entry.provider = ctx.provider;
    entry.model = ctx.request.model;
    entry.usage = ctx.usage;
    entry.cost = ctx.cost;
    entry.createdAt = QDateTime::currentDateTimeUtc();
    entry.expiresAt = entry.createdAt.addSecs(m_cache->ttlSeconds());
    m_cache->insert(entry);
    m_cache->finish(key, &entry);
}
