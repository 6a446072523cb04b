#pragma once

// The order in which one call tries its routes: each route's provider in
// turn, skipping providers whose circuit is open, retrying a route that
// failed retryably with exponential backoff and full jitter, and keeping
// every failure so the final 502 can name them all.
//
//   RoutePlan plan(registry.routesFor(model), config.routing);
//   for (auto step = plan.next(now); step.kind == RoutePlan::Step::Attempt; ) ...

#include "config/config.h"
#include "core/gatewayerror.h"
#include "providers/providerregistry.h"

#include <QList>
#include <QStringList>

class RoutePlan
{
public:
    struct Step
    {
        enum Kind { Attempt, Wait, Exhausted };
        Kind kind = Exhausted;
        int routeIndex = -1;
        int delayMs = 0;        // Wait: try routeIndex again after this long
    };

    RoutePlan() = default;
    RoutePlan(QList<ProviderRegistry::Route> routes, RoutingConfig routing);

    bool isEmpty() const { return m_routes.isEmpty(); }
    const ProviderRegistry::Route &route(int index) const { return m_routes.at(index); }

    // What to do next: after a failure, a retry of the same route (Wait) or the
    // next admitted route (Attempt); Exhausted when none is left.
    Step next(qint64 nowMs);
    // The current attempt failed; retryable failures may be retried.
    void failed(const QString &why, bool retryable);
    // A route that cannot take the call at all (say, its format cannot be
    // translated): skipped without retries; the reason is kept apart.
    void refused(const GatewayError &why);

    QStringList failures() const { return m_failures; }
    // The refusal to answer with when no route ever got a call out.
    const GatewayError &refusal() const { return m_refusal; }
    // Whether a call went out to some provider (and failed): refused routes do not count.
    bool anyAttempted() const { return m_attempted; }

    // Full-jitter backoff for the given retry (1, 2, …): uniform in [0, base·2^(n-1)].
    static int backoffMs(int base, int retry);

private:
    QList<ProviderRegistry::Route> m_routes;
    RoutingConfig m_routing;
    int m_index = -1;
    int m_retriesUsed = 0;
    bool m_lastRetryable = false;
    bool m_pendingRetry = false;
    bool m_attempted = false;
    QStringList m_failures;
    GatewayError m_refusal;
};
