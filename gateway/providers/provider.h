#pragma once

// A configured provider: its name, its wire format, the models it serves,
// and a factory for upstream calls. HttpProvider reaches a real server with
// QNetworkAccessManager; SimProvider answers in-process.

#include "config/config.h"
#include "core/wireformat.h"
#include "providercall.h"

#include <QString>
#include <QStringList>

// What the gateway has seen of a provider lately, and its circuit breaker:
// closed (calls flow), open after `threshold` consecutive failures (calls
// skip it for the cooldown), then half-open (one probe call decides).
struct ProviderHealthState
{
    enum class Circuit { Closed, Open, HalfOpen };
    bool healthy = true;
    QString lastError;
    double latencyMs = -1;          // smoothed time to the response head; -1 = never called
    int consecutiveFailures = 0;
    Circuit circuit = Circuit::Closed;
    qint64 openUntilMs = 0;         // epoch ms when an open circuit lets a probe through
    bool probeInFlight = false;
};

class Provider
{
public:
    explicit Provider(ProviderConfig config) : m_config(std::move(config)) {}
    virtual ~Provider() = default;

    const QString &name() const { return m_config.name; }
    const ProviderConfig &config() const { return m_config; }
    virtual WireFormat format() const = 0;

    // True when one of the model patterns (glob with '*') matches.
    bool serves(const QString &model) const;

    // The caller owns the call through Qt parenting (parent may be null, in
    // which case the call deletes itself after finished()).
    virtual ProviderCall *createCall(const UpstreamRequest &request, QObject *parent) = 0;

    // A provider that speaks both formats natively (the simulator) says so
    // here and is handed the request in the client's own format.
    virtual bool speaksNatively(WireFormat f) const { return f == format(); }
    virtual ProviderCall *createCallIn(WireFormat f, const UpstreamRequest &request, QObject *parent)
    {
        Q_UNUSED(f);
        return createCall(request, parent);
    }

    const ProviderHealthState &health() const { return m_health; }
    void setBreaker(int failures, int cooldownMs)
    {
        m_breakerFailures = failures;
        m_breakerCooldownMs = cooldownMs;
    }
    // Whether a call may go to this provider now; taking the half-open probe.
    bool admit(qint64 nowMs);
    // Milliseconds until an open circuit admits a probe (0 when closed).
    qint64 cooldownLeftMs(qint64 nowMs) const;
    void recordSuccess(double latencyMs);
    void recordFailure(const QString &error, qint64 nowMs);
    // A call that ended without a verdict (cancelled) gives the probe back.
    void recordAbandoned();

    static bool globMatch(const QString &pattern, const QString &text);

private:
    ProviderConfig m_config;
    ProviderHealthState m_health;
    int m_breakerFailures = 3;
    int m_breakerCooldownMs = 30000;
};
