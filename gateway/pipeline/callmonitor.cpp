#include "callmonitor.h"

#include "proxycall.h"

#include <QMetaMethod>

namespace {
constexpr int kFlushIntervalMs = 100; // ten updates a second for the live view
}

CallMonitor::CallMonitor(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<LiveCall>();
    qRegisterMetaType<QList<LiveCall>>();
    qRegisterMetaType<UsageRecord>();
    m_flushTimer.setInterval(kFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &CallMonitor::flush);
}

void CallMonitor::add(ProxyCall *call)
{
    m_calls.insert(call, false);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
    if (isSignalConnected(QMetaMethod::fromSignal(&CallMonitor::callStarted)))
        Q_EMIT callStarted(call->snapshot());
}

void CallMonitor::markChanged(ProxyCall *call)
{
    auto it = m_calls.find(call);
    if (it != m_calls.end())
        it.value() = true;
}

void CallMonitor::remove(ProxyCall *call, const UsageRecord &record)
{
    m_calls.remove(call);
    if (m_calls.isEmpty())
        m_flushTimer.stop();
    Q_EMIT callFinished(record);
}

void CallMonitor::flush()
{
    if (!isSignalConnected(QMetaMethod::fromSignal(&CallMonitor::callsUpdated)))
        return;
    QList<LiveCall> changed;
    for (auto it = m_calls.begin(); it != m_calls.end(); ++it) {
        if (it.value()) {
            it.value() = false;
            changed.append(it.key()->snapshot());
        }
    }
    if (!changed.isEmpty())
        Q_EMIT callsUpdated(changed);
}

int CallMonitor::cutWhere(const std::function<bool(const ProxyCall &)> &select, const GatewayError &error)
{
    // Collect first: cutting a call removes it from m_calls.
    QList<QPointer<ProxyCall>> victims;
    for (auto it = m_calls.begin(); it != m_calls.end(); ++it) {
        if (select(*it.key()))
            victims.append(it.key());
    }
    int n = 0;
    for (const QPointer<ProxyCall> &c : victims) {
        if (c) {
            c->cut(error);
            ++n;
        }
    }
    return n;
}

int CallMonitor::cutRun(const QString &runId, const GatewayError &error)
{
    return cutWhere([&](const ProxyCall &c) { return c.context().runId == runId; }, error);
}

int CallMonitor::cutKey(qint64 keyId, const GatewayError &error)
{
    return cutWhere([&](const ProxyCall &c) { return c.context().keyId == keyId; }, error);
}

int CallMonitor::cutRequest(const QString &requestId, const GatewayError &error)
{
    const QByteArray id = requestId.toLatin1();
    return cutWhere([&](const ProxyCall &c) { return c.context().requestId == id; }, error);
}

int CallMonitor::cutAll(const GatewayError &error)
{
    return cutWhere([](const ProxyCall &) { return true; }, error);
}

int CallMonitor::liveStreams() const
{
    int n = 0;
    for (auto it = m_calls.begin(); it != m_calls.end(); ++it)
        n += it.key()->context().streaming ? 1 : 0;
    return n;
}

int CallMonitor::liveStreamsOfRun(const QString &runId) const
{
    int n = 0;
    for (auto it = m_calls.begin(); it != m_calls.end(); ++it) {
        const CallContext &c = it.key()->context();
        n += (c.streaming && c.runId == runId) ? 1 : 0;
    }
    return n;
}

QList<LiveCall> CallMonitor::snapshot() const
{
    QList<LiveCall> out;
    out.reserve(m_calls.size());
    for (auto it = m_calls.begin(); it != m_calls.end(); ++it)
        out.append(it.key()->snapshot());
    return out;
}
