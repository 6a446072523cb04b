#pragma once

// A configured provider: its name, its wire format, the models it serves,
// and a factory for upstream calls. HttpProvider reaches a real server with
// QNetworkAccessManager; SimProvider answers in-process.

#include "config/config.h"
#include "core/wireformat.h"
#include "providercall.h"

#include <QString>
#include <QStringList>

// What the gateway has seen of a provider lately.
struct ProviderHealthState
{
    bool healthy = true;
    QString lastError;
    double latencyMs = -1;          // smoothed time to the response head; -1 = never called
    int consecutiveFailures = 0;
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
    void recordSuccess(double latencyMs)
    {
        m_health.latencyMs = m_health.latencyMs < 0 ? latencyMs : 0.8 * m_health.latencyMs + 0.2 * latencyMs;
        m_health.consecutiveFailures = 0;
        m_health.healthy = true;
    }
    void recordFailure(const QString &error)
    {
        m_health.lastError = error;
        ++m_health.consecutiveFailures;
        m_health.healthy = false;
    }

    static bool globMatch(const QString &pattern, const QString &text);

private:
    ProviderConfig m_config;
    ProviderHealthState m_health;
};
