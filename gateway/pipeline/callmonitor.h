#pragma once

// Knows every call in flight. Governance cuts calls through it (a run's kill
// switch, a revoked key, shutdown), and it publishes what happens live:
// callStarted, callsUpdated (batched, at most ten times a second, only the
// calls that changed) and callFinished with the ledger record. The window
// and GET /admin/events listen to these signals; they are queued across
// threads, so the gateway thread never waits for a listener.

#include "core/gatewayerror.h"
#include "core/usagerecord.h"
#include "livecall.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>
#include <functional>

class ProxyCall;

class CallMonitor : public QObject
{
    Q_OBJECT
public:
    explicit CallMonitor(QObject *parent = nullptr);

    void add(ProxyCall *call);
    void markChanged(ProxyCall *call);
    void remove(ProxyCall *call, const UsageRecord &record);

    // Cuts every live call the predicate selects; returns how many.
    int cutWhere(const std::function<bool(const ProxyCall &)> &select, const GatewayError &error);
    int cutRun(const QString &runId, const GatewayError &error);
    int cutKey(qint64 keyId, const GatewayError &error);
    int cutAll(const GatewayError &error);
    int cutRequest(const QString &requestId, const GatewayError &error);

    int liveCount() const { return int(m_calls.size()); }
    int liveStreams() const;
    QList<LiveCall> snapshot() const;
    int liveStreamsOfRun(const QString &runId) const;

Q_SIGNALS:
    void callStarted(const LiveCall &call);
    void callsUpdated(const QList<LiveCall> &calls);
    void callFinished(const UsageRecord &record);

private:
    void flush();

    QHash<ProxyCall *, bool> m_calls;   // value: changed since the last flush
    QTimer m_flushTimer;
};
