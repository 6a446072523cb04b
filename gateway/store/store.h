#pragma once

// Tollgate's persistence: one SQLite database (tollgate.db, WAL, file mode
// 0600) owned by a thread of its own, so no database work ever runs on the
// GUI thread or on the proxy's hot path. Writes are queued and return at
// once; ledger rows are batched and committed at least every 100 ms (the
// most a crash can lose). Queries answer through a callback on the
// caller's thread. The schema is versioned and migrated in place on open.
//
// A write is cheap for the caller: it goes into an inbox under a mutex, and
// only the write that finds the inbox empty wakes the store thread, which
// takes the whole inbox into its batch at once. Writes keep the order they
// were made in, and a read or a flush sees every write made before it.
//
//   Store store(dataDir + "/tollgate.db");
//   if (!store.open(&error)) ...              // startup only: waits for the store thread
//   Store::Snapshot s = store.loadSnapshot(); // startup only
//   store.appendUsage(record);                // async, batched
//   store.queryUsage(q, this, [](QList<UsageRecord> rows) { ... });

#include "core/cacheentry.h"
#include "core/keyrecord.h"
#include "core/price.h"
#include "core/promptrecord.h"
#include "core/runrecord.h"
#include "core/usagerecord.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <functional>
#include <optional>

class QThread;
class StoreReply;
class StoreWorker;

class Store : public QObject
{
    Q_OBJECT
public:
    static constexpr int kSchemaVersion = 4;
    static constexpr int kBatchWindowMs = 100;

    explicit Store(QString databasePath, QObject *parent = nullptr);
    ~Store() override;   // flushes every queued write, then stops the thread

    // Opens, creates or migrates the database. Blocks the calling thread
    // until the store thread is done: call at startup, never from the GUI.
    bool open(QString *error);
    QString path() const { return m_path; }

    struct Snapshot
    {
        QList<KeyRecord> keys;
        QList<RunRecord> runs;
        QHash<QString, Price> prices;      // admin-set prices
        QList<PromptRecord> prompts;
    };
    // Blocking; startup only. Small tables only: nothing here grows with
    // the ledger or the response cache.
    Snapshot loadSnapshot();

    // The response cache on disk, read back a chunk at a time so a large
    // cache loads while the gateway already serves, without holding the
    // store thread for long: up to maxEntries unexpired entries stored
    // before `from` (the previous chunk's `next`; 0 = start from the
    // newest), newest first, stopping as soon as their sizes
    // (CacheEntry::sizeBytes) reach maxBytes.
    struct CacheChunk
    {
        QList<CacheEntry> entries;         // newest first
        qint64 next = 0;                   // where the next chunk starts; 0 = nothing older
    };
    void readCacheChunk(qint64 from, int maxEntries, qint64 maxBytes, QObject *context,
                        std::function<void(CacheChunk)> done);

    // Queued writes; each returns at once. A key or a run saved several
    // times within one batch is written once, as last saved.
    void appendUsage(const UsageRecord &record);
    void saveKey(const KeyRecord &key);    // insert or replace by id
    void saveRun(const RunRecord &run);    // insert or replace by id
    void savePrice(const QString &model, const Price &price);
    void savePromptVersion(const QString &name, const PromptVersion &version);
    void setActivePrompt(const QString &name, int version);
    void saveCacheEntry(const CacheEntry &entry);      // insert or replace by key
    void deleteCacheEntry(const QByteArray &key);

    struct UsageQuery
    {
        std::optional<qint64> keyId;
        QString runId;
        QString model;
        QDateTime since;                   // inclusive; invalid = open
        QDateTime until;                   // exclusive; invalid = open
        bool errorsOnly = false;
        int limit = 1000;
    };
    // Newest first. done runs on context's thread; dropped if context is gone.
    void queryUsage(const UsageQuery &query, QObject *context,
                    std::function<void(QList<UsageRecord>)> done);

    // Spend totals for the window: today and this month (UTC calendar), the
    // last 30 days day by day (oldest first, days without calls included as
    // 0), calls today, and this month's spend per key.
    struct SpendSummary
    {
        double today = 0.0;
        double month = 0.0;
        qint64 callsToday = 0;
        QList<QPair<QDate, double>> byDay;
        QHash<qint64, double> monthByKey;
    };
    void querySpend(const QDateTime &now, QObject *context, std::function<void(SpendSummary)> done);

    // Commits everything queued so far, then calls done on context's thread.
    void flush(QObject *context, std::function<void()> done);
    // Commits everything queued so far and waits (shutdown only).
    void flushAndWait();

    qint64 usageRowsWritten() const;       // for metrics and benchmarks

private:
    // A reply that runs callback on context's thread once the store thread
    // delivers it; nullptr (nothing to call) when there is no context.
    StoreReply *replyTo(QObject *context, std::function<void()> callback);

    QString m_path;
    QThread *m_thread;
    StoreWorker *m_worker;
};
