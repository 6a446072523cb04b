#include "coreeventbatcher.h"

#include "governance/keystore.h"
#include "governance/runregistry.h"
#include "pipeline/callmonitor.h"

#include <algorithm>

CoreEventBatcher::CoreEventBatcher(const CoreServices &services, QObject *parent) : QObject(parent)
{
    qRegisterMetaType<CoreEventBatcher::Batch>();
    m_timer.setSingleShot(true);
    m_sinceFlush.start();
    connect(&m_timer, &QTimer::timeout, this, &CoreEventBatcher::flushNow);

    // Direct connections: every one of these lives on this thread.
    connect(services.keys, &KeyStore::keyChanged, this, [this](const KeyRecord &key) {
        m_keys.insert(key.id, key);
        schedule();
    });
    connect(services.runs, &RunRegistry::runChanged, this, [this](const RunRecord &run) {
        m_runs.insert(run.id, run);
        schedule();
    });
    connect(services.monitor, &CallMonitor::callStarted, this, &CoreEventBatcher::onStarted);
    connect(services.monitor, &CallMonitor::callsUpdated, this, &CoreEventBatcher::onUpdated);
    connect(services.monitor, &CallMonitor::callFinished, this, &CoreEventBatcher::onFinished);
}

void CoreEventBatcher::schedule()
{
    if (!m_timer.isActive())
        m_timer.start(int(std::max<qint64>(0, kBatchMs - m_sinceFlush.elapsed())));
}

void CoreEventBatcher::onStarted(const LiveCall &call)
{
    m_started.insert(call.requestId, call);
    schedule();
}

void CoreEventBatcher::onUpdated(const QList<LiveCall> &calls)
{
    for (const LiveCall &c : calls) {
        auto started = m_started.find(c.requestId);
        if (started != m_started.end())
            *started = c;   // not shown yet: show its latest state straight away
        else
            m_updated.insert(c.requestId, c);
    }
    schedule();
}

void CoreEventBatcher::onFinished(const UsageRecord &record)
{
    m_started.remove(record.requestId);
    m_updated.remove(record.requestId);
    m_finished.append(record);
    schedule();
}

void CoreEventBatcher::flushNow()
{
    m_timer.stop();
    m_sinceFlush.restart();
    Batch batch;
    batch.keys = m_keys.values();
    batch.runs = m_runs.values();
    batch.started = m_started.values();
    std::sort(batch.started.begin(), batch.started.end(),
              [](const LiveCall &a, const LiveCall &b) { return a.startedAt < b.startedAt; });
    batch.updated = m_updated.values();
    batch.finished = std::move(m_finished);
    m_keys.clear();
    m_runs.clear();
    m_started.clear();
    m_updated.clear();
    m_finished.clear();
    if (!batch.isEmpty())
        Q_EMIT ready(batch);
}
