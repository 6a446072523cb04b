#include "routeplan.h"

#include <QRandomGenerator>

using namespace Qt::StringLiterals;

RoutePlan::RoutePlan(QList<ProviderRegistry::Route> routes, RoutingConfig routing)
    : m_routes(std::move(routes)), m_routing(routing)
{
}

int RoutePlan::backoffMs(int base, int retry)
{
    if (base <= 0)
        return 0;
    const qint64 cap = qint64(base) << qMin(retry - 1, 16);
    return int(QRandomGenerator::global()->bounded(qMin<qint64>(cap, 60000) + 1));
}

RoutePlan::Step RoutePlan::next(qint64 nowMs)
{
    if (m_pendingRetry) {
        m_pendingRetry = false;
        if (m_lastRetryable && m_retriesUsed < m_routing.retries && m_index >= 0
            && m_routes.at(m_index).provider->admit(nowMs)) {
            ++m_retriesUsed;
            return Step{Step::Wait, m_index, backoffMs(m_routing.backoffMs, m_retriesUsed)};
        }
    }
    while (++m_index < m_routes.size()) {
        Provider *p = m_routes.at(m_index).provider;
        if (!p->admit(nowMs)) {
            m_failures.append(p->name() + u": circuit open after repeated failures (next probe in "_s
                              + QString::number((p->cooldownLeftMs(nowMs) + 999) / 1000) + u" s)"_s);
            continue;
        }
        m_retriesUsed = 0;
        return Step{Step::Attempt, m_index, 0};
    }
    return Step{};
}

void RoutePlan::failed(const QString &why, bool retryable)
{
    m_failures.append(why);
    // Only a call that went out counts: a route refused before sending
    // (refused()) leaves the refusal as the answer when nothing else was tried.
    m_attempted = true;
    m_lastRetryable = retryable;
    m_pendingRetry = true;
}

void RoutePlan::refused(const GatewayError &why)
{
    m_failures.append(m_routes.at(m_index).provider->name() + u": "_s + why.message());
    if (!m_refusal.isError())
        m_refusal = why;
    m_lastRetryable = false;
    m_pendingRetry = false;
}
