#pragma once

// The half of Store that lives on the store thread: it alone opens and
// uses the QSqlDatabase connection (a connection may only be used by the
// thread that opened it). Store reaches it with queued calls, so the calls
// run here one at a time and in the order they were made; writes come
// through an inbox instead (see post()).
//
// Writes are not committed one by one: they wait in a pending list and go
// to disk in one transaction when kBatchWindowMs have passed since the
// first of them, or when kBatchOps are waiting, whichever comes first. One
// commit per batch instead of one per row is what lets the ledger keep up
// with thousands of calls a second; the window bounds what a crash loses.
// A key's and a run's row are saved on every call: within a batch each is
// written once, as last saved. Every read takes in the inbox and commits
// the pending writes first, so a caller reads what it wrote.

#include "store.h"

#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <atomic>
#include <optional>
#include <variant>
#include <vector>

class QTimer;

class StoreWorker : public QObject
{
    Q_OBJECT
public:
    static constexpr int kBatchOps = 500;
    static constexpr int kRetryMs = 1000;   // after a failed commit (disk full, locked)
    // What waits in memory while commits keep failing; later writes are
    // dropped (and logged) rather than growing without bound.
    static constexpr int kMaxPending = 200000;
    static constexpr int kPurgeRows = 2000; // expired cache entries deleted per step

    explicit StoreWorker(QString path);     // no parent: it is moved to the store thread
    ~StoreWorker() override;

    bool open(QString *error);
    void close();                           // commits what is pending first

    // Writes: callable from any thread (see post()).
    void appendUsage(const UsageRecord &record);
    void saveKey(const KeyRecord &key);
    void saveRun(const RunRecord &run);
    void savePrice(const QString &model, const Price &price);
    void savePromptVersion(const QString &name, const PromptVersion &version);
    void setActivePrompt(const QString &name, int version);
    void saveCacheEntry(const CacheEntry &entry);
    void deleteCacheEntry(const QByteArray &key);

    bool commitPending();                   // the inbox too
    Store::Snapshot loadSnapshot();
    Store::CacheChunk readCacheChunk(qint64 from, int maxEntries, qint64 maxBytes);
    QList<UsageRecord> queryUsage(const Store::UsageQuery &query);
    Store::SpendSummary querySpend(const QDateTime &now);

    // Read from any thread.
    qint64 usageRowsWritten() const { return m_usageRowsWritten.load(std::memory_order_relaxed); }

private:
    struct PriceWrite
    {
        QString model;
        Price price;
    };
    struct PromptVersionWrite
    {
        QString name;
        PromptVersion version;
    };
    struct ActivePromptWrite
    {
        QString name;
        int version = 0;
    };
    struct CacheDeleteWrite
    {
        QByteArray key;
    };
    using Write = std::variant<UsageRecord, KeyRecord, RunRecord, PriceWrite, PromptVersionWrite,
                               ActivePromptWrite, CacheEntry, CacheDeleteWrite>;

    // Refused: SQLite turned this one row down (a constraint); the batch
    // goes on without it. Failed: the database could not write at all
    // (locked past the busy timeout, disk full, I/O); the batch is retried.
    enum class Outcome { Saved, Refused, Failed };

    // Puts a write into the inbox. Only the first write of a batch wakes
    // the store thread (a queued drainInbox(), which starts the batch's
    // clock), and one more when a full batch's worth waits; the rest wait
    // for the clock, when commitPending() takes the whole inbox at once.
    // So a batch of hundreds of writes costs one or two cross-thread events.
    void post(Write write);
    void drainInbox();
    void enqueue(Write write);
    // Writes the batch, then leaves it open (clock running) if more came
    // in meanwhile, or closes it, so that the next write wakes us.
    bool commitBatch();
    bool writeBatch();
    void clearPending();
    Outcome execute(const Write &write);
    Outcome exec(QSqlQuery &q, const char *what);
    bool sql(const QString &statement);
    // Prepares, binds values in order and runs a read; false (logged) on failure.
    bool runQuery(QSqlQuery &q, const QString &statement, const QVariantList &values, const char *what);
    void purgeExpiredCacheEntries();
    bool prepareStatements(QString *error);
    void tightenPermissions();

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    QTimer *m_batchTimer;
    QMutex m_inboxLock;
    std::vector<Write> m_inbox;             // guarded by m_inboxLock, as are:
    bool m_batchOpen = false;               // the store thread knows writes are coming
    bool m_drainQueued = false;             // a drainInbox() call is queued
    std::vector<Write> m_pending;
    // Where the pending write of a key (by id) and of a run (by id) is.
    QHash<qint64, std::size_t> m_pendingKeys;
    QHash<QString, std::size_t> m_pendingRuns;
    bool m_failing = false;                 // the last commit failed: wait for the retry
    qint64 m_dropped = 0;
    qint64 m_purged = 0;                    // by the steps of the purge under way
    std::atomic<qint64> m_usageRowsWritten{0};

    // Prepared once, reused for every row: preparing is most of the cost of
    // a one-row insert.
    std::optional<QSqlQuery> m_insertUsage;
    std::optional<QSqlQuery> m_upsertKey;
    std::optional<QSqlQuery> m_upsertRun;
    std::optional<QSqlQuery> m_upsertPrice;
    std::optional<QSqlQuery> m_ensurePrompt;
    std::optional<QSqlQuery> m_upsertPromptVersion;
    std::optional<QSqlQuery> m_setActivePrompt;
    std::optional<QSqlQuery> m_upsertCacheEntry;
    std::optional<QSqlQuery> m_deleteCacheEntry;
};
