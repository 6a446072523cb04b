#pragma once

// Lives on the gateway thread and turns the core's per-call signals into a
// few batches a second for the window. Under load the core settles
// thousands of calls a second, and each one changes its key and its run:
// forwarding every signal would post thousands of events to the GUI
// thread. The batcher keeps only the latest state of each key, run and
// call, drops calls that started and finished within one batch from the
// live list (their ledger records still go through), and emits one queued
// `ready` at most every kBatchMs (ten a second, CallMonitor's own pace for
// live updates): as soon as something happened and the last batch is at
// least that old. So the window repaints its live views ten times a second
// at most, whatever the load.
//
//   auto *batcher = new CoreEventBatcher(gateway->services(), gateway);   // on the gateway thread
//   connect(batcher, &CoreEventBatcher::ready, client, &GatewayClient::deliver);

#include "core/keyrecord.h"
#include "core/runrecord.h"
#include "core/usagerecord.h"
#include "pipeline/coreservices.h"
#include "pipeline/livecall.h"

#include <QHash>
#include <QList>
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

class CoreEventBatcher : public QObject
{
    Q_OBJECT
public:
    static constexpr int kBatchMs = 100;

    struct Batch
    {
        QList<KeyRecord> keys;          // latest state of each key that changed
        QList<RunRecord> runs;          // latest state of each run that changed
        QList<LiveCall> started;        // still in flight at the end of the batch
        QList<LiveCall> updated;        // latest snapshot of calls seen before
        QList<UsageRecord> finished;    // in the order the calls finished
        bool isEmpty() const
        {
            return keys.isEmpty() && runs.isEmpty() && started.isEmpty() && updated.isEmpty() && finished.isEmpty();
        }
    };

    CoreEventBatcher(const CoreServices &services, QObject *parent);

    // Emits what is pending now (for a query that must see every earlier event first).
    void flushNow();

Q_SIGNALS:
    void ready(const CoreEventBatcher::Batch &batch);

private:
    void schedule();
    void onStarted(const LiveCall &call);
    void onUpdated(const QList<LiveCall> &calls);
    void onFinished(const UsageRecord &record);

    QHash<qint64, KeyRecord> m_keys;
    QHash<QString, RunRecord> m_runs;
    QHash<QString, LiveCall> m_started; // by request id
    QHash<QString, LiveCall> m_updated;
    QList<UsageRecord> m_finished;
    QTimer m_timer;
    QElapsedTimer m_sinceFlush;
};

Q_DECLARE_METATYPE(CoreEventBatcher::Batch)
