#include "provider.h"

bool Provider::serves(const QString &model) const
{
    for (const QString &p : m_config.models) {
        if (globMatch(p, model))
            return true;
    }
    return false;
}

// Iterative glob with backtracking on the last '*': linear for the simple
// patterns configs use, no regex compilation on the hot path.
bool Provider::globMatch(const QString &pattern, const QString &text)
{
    qsizetype p = 0, t = 0, star = -1, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == u'?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == u'*') {
            star = p++;
            mark = t;
        } else if (star >= 0) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == u'*')
        ++p;
    return p == pattern.size();
}

bool Provider::admit(qint64 nowMs)
{
    switch (m_health.circuit) {
    case ProviderHealthState::Circuit::Closed:
        return true;
    case ProviderHealthState::Circuit::Open:
        if (nowMs < m_health.openUntilMs)
            return false;
        m_health.circuit = ProviderHealthState::Circuit::HalfOpen;
        m_health.probeInFlight = true;
        return true;
    case ProviderHealthState::Circuit::HalfOpen:
        if (m_health.probeInFlight)
            return false;
        m_health.probeInFlight = true;
        return true;
    }
    return true;
}

qint64 Provider::cooldownLeftMs(qint64 nowMs) const
{
    return m_health.circuit == ProviderHealthState::Circuit::Open ? qMax<qint64>(0, m_health.openUntilMs - nowMs) : 0;
}

void Provider::recordSuccess(double latencyMs)
{
    m_health.latencyMs = m_health.latencyMs < 0 ? latencyMs : 0.8 * m_health.latencyMs + 0.2 * latencyMs;
    m_health.consecutiveFailures = 0;
    m_health.healthy = true;
    m_health.circuit = ProviderHealthState::Circuit::Closed;
    m_health.probeInFlight = false;
}

void Provider::recordFailure(const QString &error, qint64 nowMs)
{
    m_health.lastError = error;
    ++m_health.consecutiveFailures;
    m_health.healthy = false;
    const bool probeFailed = m_health.circuit == ProviderHealthState::Circuit::HalfOpen;
    m_health.probeInFlight = false;
    if (probeFailed || m_health.consecutiveFailures >= m_breakerFailures) {
        m_health.circuit = ProviderHealthState::Circuit::Open;
        m_health.openUntilMs = nowMs + m_breakerCooldownMs;
    }
}

void Provider::recordAbandoned()
{
    m_health.probeInFlight = false;
}
