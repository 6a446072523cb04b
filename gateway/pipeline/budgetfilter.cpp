#include "budgetfilter.h"

#include "governance/budgetbook.h"
#include "governance/keystore.h"
#include "governance/pricebook.h"
#include "governance/runregistry.h"

using namespace Qt::StringLiterals;

namespace {

QString usd(double v)
{
    return u"$"_s + QString::number(v, 'f', 6);
}

// Whether a total passes a cap. Sums of reservations carry binary rounding
// (0.1 + 0.1 + 0.1 > 0.3), which must not refuse the call that fills a cap
// exactly: a nanodollar of slack.
bool exceeds(double total, double cap)
{
    return total > cap + 1e-9;
}

} // namespace

CallFilter::Result BudgetFilter::onRequest(CallContext &ctx)
{
    const KeyRecord *key = ctx.keyId ? m_keys->find(*ctx.keyId) : nullptr;
    const RunRecord *run = ctx.runId.isEmpty() ? nullptr : m_runs->find(ctx.runId);
    const bool capped = (key && (key->monthlyCap > 0 || key->hardCap > 0)) || (run && run->budgetUsd > 0);

    const std::optional<Price> price = m_prices->priceFor(ctx.request.model);
    if (!m_prices->ownPrice(ctx.request.model)) {
        ctx.unpriced = true; // noted in onFinish, once a provider served it
    }
    if (!price) {
        // Counting tokens is free, so needs no price.
        if (capped && !ctx.countTokens) {
            ctx.error = GatewayError::invalidRequest(
                u"the model '"_s + ctx.request.model
                    + u"' has no price, and this call has a spend cap; set a price with PUT /admin/prices/"_s
                    + ctx.request.model + u" or configure \"default_price\""_s,
                u"model"_s);
            return Result::Respond;
        }
        return Result::Continue;
    }
    if (!capped || ctx.countTokens)
        return Result::Continue;

    TokenUsage worst;
    worst.inputTokens = qint64(double(ctx.request.estimatedInputTokens) * kInputMargin) + 16;
    worst.outputTokens = ctx.request.maxOutputTokens > 0 ? ctx.request.maxOutputTokens
                                                         : m_prices->maxOutputTokens(ctx.request.model);
    const double need = price->costOf(worst);
    const QDateTime now = QDateTime::currentDateTimeUtc();

    if (key && key->monthlyCap > 0) {
        const double spent = KeyStore::monthSpend(*key, now);
        const double held = m_book->keyReserved(key->id);
        if (exceeds(spent + held + need, key->monthlyCap)) {
            ctx.error = GatewayError(GatewayError::Code::QuotaExceeded,
                                     u"monthly spend cap of "_s + usd(key->monthlyCap) + u" reached: spent "_s
                                         + usd(spent) + u", in flight "_s + usd(held) + u", this call may cost up to "_s
                                         + usd(need));
            return Result::Respond;
        }
    }
    if (key && key->hardCap > 0) {
        const double held = m_book->keyReserved(key->id);
        if (exceeds(key->spendTotal + held + need, key->hardCap)) {
            ctx.error = GatewayError(GatewayError::Code::QuotaExceeded,
                                     u"hard spend cap of "_s + usd(key->hardCap) + u" reached: spent "_s
                                         + usd(key->spendTotal) + u", in flight "_s + usd(held)
                                         + u", this call may cost up to "_s + usd(need));
            return Result::Respond;
        }
    }
    if (run && run->budgetUsd > 0) {
        const double held = m_book->runReserved(run->id);
        if (exceeds(run->spend + held + need, run->budgetUsd)) {
            ctx.error = GatewayError(GatewayError::Code::RunBudgetExceeded,
                                     u"run '"_s + run->id + u"' budget of "_s + usd(run->budgetUsd)
                                         + u" would be exceeded: spent "_s + usd(run->spend) + u", in flight "_s
                                         + usd(held) + u", this call may cost up to "_s + usd(need));
            return Result::Respond;
        }
    }
    ctx.reservation.keyId = key && (key->monthlyCap > 0 || key->hardCap > 0) ? std::optional<qint64>(key->id)
                                                                               : std::nullopt;
    ctx.reservation.runId = run && run->budgetUsd > 0 ? run->id : QString();
    ctx.reservation.usd = need;
    m_book->reserve(ctx.reservation);
    return Result::Continue;
}

void BudgetFilter::price(CallContext &ctx)
{
    if (ctx.cached) {
        ctx.cost = 0;
        return;
    }
    if (ctx.estimated && !ctx.countTokens) {
        // Until the provider's own usage arrives, output is estimated from
        // the text, which can overshoot; the provider cannot send more than
        // the limit the reservation was made for. An estimate above it would
        // cut a stream that fits its reservation at a cap, then bill the cut
        // call past the cap.
        const qint64 limit = ctx.request.maxOutputTokens > 0 ? ctx.request.maxOutputTokens
                                                             : m_prices->maxOutputTokens(ctx.request.model);
        ctx.usage.outputTokens = qMin(ctx.usage.outputTokens, limit);
    }
    // Bill what the provider served: an alias's upstream model has its own price.
    std::optional<Price> p;
    if (!ctx.upstreamModel.isEmpty() && ctx.upstreamModel != ctx.request.model)
        p = m_prices->ownPrice(ctx.upstreamModel);
    if (!p)
        p = m_prices->priceFor(ctx.request.model);
    ctx.cost = p ? p->costOf(ctx.usage) : 0.0;
}

GatewayError BudgetFilter::onProgress(CallContext &ctx)
{
    price(ctx);
    const double mine = ctx.reservation.active ? ctx.reservation.usd : 0.0;
    if (ctx.keyId) {
        if (const KeyRecord *key = m_keys->find(*ctx.keyId)) {
            const double others = m_book->keyReserved(key->id) - (ctx.reservation.keyId ? mine : 0.0);
            if (key->monthlyCap > 0
                && exceeds(KeyStore::monthSpend(*key, QDateTime::currentDateTimeUtc()) + others + ctx.cost,
                           key->monthlyCap))
                return GatewayError(GatewayError::Code::QuotaExceeded,
                                    u"monthly spend cap of "_s + usd(key->monthlyCap) + u" reached during the stream"_s);
            if (key->hardCap > 0 && exceeds(key->spendTotal + others + ctx.cost, key->hardCap))
                return GatewayError(GatewayError::Code::QuotaExceeded,
                                    u"hard spend cap of "_s + usd(key->hardCap) + u" reached during the stream"_s);
        }
    }
    if (!ctx.runId.isEmpty()) {
        if (const RunRecord *run = m_runs->find(ctx.runId); run && run->budgetUsd > 0) {
            const double others = m_book->runReserved(run->id) - (!ctx.reservation.runId.isEmpty() ? mine : 0.0);
            if (exceeds(run->spend + others + ctx.cost, run->budgetUsd))
                return GatewayError(GatewayError::Code::RunBudgetExceeded,
                                    u"run '"_s + run->id + u"' reached its budget of "_s + usd(run->budgetUsd)
                                        + u" during the stream"_s);
        }
    }
    return {};
}

void BudgetFilter::onFinish(CallContext &ctx)
{
    price(ctx);
    // Only models a provider actually served belong on the "called without a
    // price" list; a model nobody serves is a 404, not a pricing gap.
    if (ctx.unpriced && !ctx.provider.isEmpty())
        m_prices->noteUnpriced(ctx.request.model);
    m_book->release(ctx.reservation);
    if (ctx.keyId && ctx.cost > 0)
        m_keys->addSpend(*ctx.keyId, ctx.cost, QDateTime::currentDateTimeUtc());
}
