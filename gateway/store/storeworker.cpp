#include "storeworker.h"

#include "core/logging.h"
#include "recordsql.h"
#include "schema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QTimer>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

std::atomic<int> s_connectionCounter{0};

template<class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};

// PRAGMAs that answer with a row (journal_mode) report failure through
// their answer, not through exec().
bool pragma(QSqlDatabase &db, const QString &statement, QString *answer, QString *error)
{
    QSqlQuery q(db);
    if (!q.exec(statement)) {
        *error = statement % u": "_s % q.lastError().text();
        return false;
    }
    if (answer)
        *answer = q.next() ? q.value(0).toString() : QString();
    return true;
}

} // namespace

StoreWorker::StoreWorker(QString path)
    : m_path(std::move(path))
    , m_connectionName(u"tollgate-store-%1"_s.arg(s_connectionCounter.fetch_add(1)))
    , m_batchTimer(new QTimer(this))
{
    m_batchTimer->setSingleShot(true);
    m_batchTimer->setTimerType(Qt::PreciseTimer);
    connect(m_batchTimer, &QTimer::timeout, this, &StoreWorker::commitPending);
}

StoreWorker::~StoreWorker()
{
    close();
}

bool StoreWorker::open(QString *error)
{
    if (m_db.isOpen())
        return true;

    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = u"cannot create the folder "_s + info.absolutePath();
        return false;
    }
    // Create the file ourselves, already 0600, before SQLite does it with
    // the umask's mode: a ledger of keys and spend is nobody else's to read.
    // SQLite gives the -wal and -shm files the database file's mode.
    if (!info.exists()) {
        QFile file(m_path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerOnly) && !file.exists()) {
            *error = u"cannot create "_s % m_path % u": "_s % file.errorString();
            return false;
        }
    }
    tightenPermissions();

    m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
    m_db.setDatabaseName(m_path);
    if (!m_db.open()) {
        *error = u"cannot open "_s % m_path % u": "_s % m_db.lastError().text();
        close();
        return false;
    }

    QString message;
    QString journalMode;
    // busy_timeout: another process holding the lock (the sqlite3 shell, a
    // backup) delays a batch instead of failing it.
    bool ok = pragma(m_db, u"PRAGMA busy_timeout = 5000"_s, nullptr, &message)
        && pragma(m_db, u"PRAGMA foreign_keys = ON"_s, nullptr, &message);
    // A database from a newer Tollgate is refused before anything writes to
    // it: journal_mode=WAL below rewrites the file header.
    if (ok && Schema::version(m_db) > Schema::kLatestVersion)
        ok = Schema::migrate(m_db, &message);   // refuses, with the message a user needs
    ok = ok && pragma(m_db, u"PRAGMA journal_mode = WAL"_s, &journalMode, &message)
        // NORMAL is durable against a crash of the process, which is what
        // the ledger must survive; it skips the fsync on every commit that
        // FULL does, which only a power cut would need.
        && pragma(m_db, u"PRAGMA synchronous = NORMAL"_s, nullptr, &message)
        && Schema::migrate(m_db, &message)
        && prepareStatements(&message);
    if (!ok) {
        *error = m_path % u": "_s % message;
        close();
        return false;
    }
    if (journalMode.compare(u"wal"_s, Qt::CaseInsensitive) != 0)
        qCWarning(lcStore) << "journal mode is" << journalMode << "not wal for" << m_path;
    tightenPermissions();
    // After open() has returned: the start does not wait for it.
    QMetaObject::invokeMethod(this, &StoreWorker::purgeExpiredCacheEntries, Qt::QueuedConnection);

    qCInfo(lcStore) << "opened" << m_path << "schema version" << Schema::kLatestVersion;
    // Writes queued before open() waited for it.
    drainInbox();
    if (!m_pending.empty())
        m_batchTimer->start(Store::kBatchWindowMs);
    return true;
}

void StoreWorker::close()
{
    if (m_db.isOpen())
        commitPending();
    else
        drainInbox();   // nothing can be saved; count it below
    if (!m_pending.empty())
        qCWarning(lcStore) << "closing" << m_path << "with" << m_pending.size() << "writes not saved";
    clearPending();
    m_batchTimer->stop();
    for (auto *q : {&m_insertUsage, &m_upsertKey, &m_upsertRun, &m_upsertPrice, &m_ensurePrompt,
                    &m_upsertPromptVersion, &m_setActivePrompt, &m_upsertCacheEntry,
                    &m_deleteCacheEntry})
        q->reset();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool StoreWorker::prepareStatements(QString *error)
{
    const std::pair<std::optional<QSqlQuery> *, QString> statements[] = {
        {&m_insertUsage, RecordSql::insertUsageSql()},
        {&m_upsertKey, RecordSql::upsertKeySql()},
        {&m_upsertRun, RecordSql::upsertRunSql()},
        {&m_upsertPrice, RecordSql::upsertPriceSql()},
        {&m_ensurePrompt, RecordSql::ensurePromptSql()},
        {&m_upsertPromptVersion, RecordSql::upsertPromptVersionSql()},
        {&m_setActivePrompt, RecordSql::setActivePromptSql()},
        {&m_upsertCacheEntry, RecordSql::upsertCacheEntrySql()},
        {&m_deleteCacheEntry, RecordSql::deleteCacheEntrySql()},
    };
    for (const auto &[query, sql] : statements) {
        query->emplace(m_db);
        if (!(*query)->prepare(sql)) {
            *error = u"cannot prepare "_s % sql % u": "_s % (*query)->lastError().text();
            return false;
        }
    }
    return true;
}

void StoreWorker::tightenPermissions()
{
    for (const QString &suffix : {QString(), u"-wal"_s, u"-shm"_s}) {
        const QString file = m_path + suffix;
        if (QFile::exists(file) && !QFile::setPermissions(file, kOwnerOnly))
            qCWarning(lcStore) << "cannot make" << file << "private (mode 0600)";
    }
}

// --- writes ----------------------------------------------------------------

void StoreWorker::appendUsage(const UsageRecord &record) { post(record); }
void StoreWorker::saveKey(const KeyRecord &key) { post(key); }
void StoreWorker::saveRun(const RunRecord &run) { post(run); }
void StoreWorker::savePrice(const QString &model, const Price &price) { post(PriceWrite{model, price}); }

void StoreWorker::savePromptVersion(const QString &name, const PromptVersion &version)
{
    post(PromptVersionWrite{name, version});
}

void StoreWorker::setActivePrompt(const QString &name, int version)
{
    post(ActivePromptWrite{name, version});
}

void StoreWorker::saveCacheEntry(const CacheEntry &entry) { post(entry); }
void StoreWorker::deleteCacheEntry(const QByteArray &key) { post(CacheDeleteWrite{key}); }

void StoreWorker::post(Write write)
{
    bool wake = false;
    {
        const QMutexLocker lock(&m_inboxLock);
        m_inbox.push_back(std::move(write));
        if (!m_batchOpen) {
            // The first write of a batch: its window starts now.
            m_batchOpen = true;
            wake = true;
        } else if (m_inbox.size() >= std::size_t(kBatchOps) && !m_drainQueued) {
            wake = true;   // a full batch's worth: no need to wait for the window
        }
        m_drainQueued = m_drainQueued || wake;
    }
    if (wake)
        QMetaObject::invokeMethod(this, &StoreWorker::drainInbox, Qt::QueuedConnection);
}

void StoreWorker::drainInbox()
{
    std::vector<Write> writes;
    {
        const QMutexLocker lock(&m_inboxLock);
        writes.swap(m_inbox);
        m_drainQueued = false;
    }
    for (Write &write : writes)
        enqueue(std::move(write));
}

void StoreWorker::enqueue(Write write)
{
    // A later save of a key or run already waiting takes its place: the row
    // is written once per batch, as last saved. Nothing reads the order of
    // key and run rows against the rest (the ledger has no foreign keys).
    if (const auto *key = std::get_if<KeyRecord>(&write)) {
        const auto it = m_pendingKeys.constFind(key->id);
        if (it != m_pendingKeys.constEnd()) {
            m_pending[*it] = std::move(write);
            return;
        }
    } else if (const auto *run = std::get_if<RunRecord>(&write)) {
        const auto it = m_pendingRuns.constFind(run->id);
        if (it != m_pendingRuns.constEnd()) {
            m_pending[*it] = std::move(write);
            return;
        }
    }
    if (m_pending.size() >= std::size_t(kMaxPending)) {
        if (m_dropped++ % 10000 == 0)
            qCCritical(lcStore) << "cannot save to" << m_path << "- dropped" << m_dropped
                                << "writes so far";
        return;
    }
    if (const auto *key = std::get_if<KeyRecord>(&write))
        m_pendingKeys.insert(key->id, m_pending.size());
    else if (const auto *run = std::get_if<RunRecord>(&write))
        m_pendingRuns.insert(run->id, m_pending.size());
    // Keys, runs and prices share the ledger's batch rather than committing
    // on their own, and one list keeps every write in the order it was made.
    m_pending.push_back(std::move(write));
    if (!m_db.isOpen())
        return;   // open() starts the clock
    // Already running when writes waited in the inbox: their window started then.
    if (!m_batchTimer->isActive())
        m_batchTimer->start(Store::kBatchWindowMs);
    else if (m_pending.size() >= std::size_t(kBatchOps) && !m_failing)
        commitBatch();
}

void StoreWorker::clearPending()
{
    m_pending.clear();
    m_pendingKeys.clear();
    m_pendingRuns.clear();
}

StoreWorker::Outcome StoreWorker::exec(QSqlQuery &q, const char *what)
{
    if (q.exec())
        return Outcome::Saved;
    const QSqlError error = q.lastError();
    // The driver reports SQLite's result code; the low byte is the primary
    // code whether or not extended codes are on.
    constexpr int kSqliteConstraint = 19;
    const bool refused = (error.nativeErrorCode().toInt() & 0xff) == kSqliteConstraint;
    qCWarning(lcStore) << (refused ? "refused to save" : "cannot save") << what << "in" << m_path
                       << ":" << error.text();
    return refused ? Outcome::Refused : Outcome::Failed;
}

StoreWorker::Outcome StoreWorker::execute(const Write &write)
{
    return std::visit(
        Overloaded{
            [this](const UsageRecord &r) {
                RecordSql::bindUsage(*m_insertUsage, r);
                return exec(*m_insertUsage, "usage");
            },
            [this](const KeyRecord &k) {
                RecordSql::bindKey(*m_upsertKey, k);
                return exec(*m_upsertKey, "key");
            },
            [this](const RunRecord &r) {
                RecordSql::bindRun(*m_upsertRun, r);
                return exec(*m_upsertRun, "run");
            },
            [this](const PriceWrite &p) {
                RecordSql::bindPrice(*m_upsertPrice, p.model, p.price);
                return exec(*m_upsertPrice, "price");
            },
            [this](const PromptVersionWrite &p) {
                m_ensurePrompt->bindValue(0, RecordSql::textValue(p.name));
                const Outcome prompt = exec(*m_ensurePrompt, "prompt");
                if (prompt != Outcome::Saved)
                    return prompt;
                RecordSql::bindPromptVersion(*m_upsertPromptVersion, p.name, p.version);
                return exec(*m_upsertPromptVersion, "prompt version");
            },
            [this](const ActivePromptWrite &a) {
                m_setActivePrompt->bindValue(0, RecordSql::textValue(a.name));
                m_setActivePrompt->bindValue(1, a.version);
                return exec(*m_setActivePrompt, "active prompt");
            },
            [this](const CacheEntry &e) {
                RecordSql::bindCacheEntry(*m_upsertCacheEntry, e);
                return exec(*m_upsertCacheEntry, "cache entry");
            },
            [this](const CacheDeleteWrite &d) {
                m_deleteCacheEntry->bindValue(0, d.key);
                return exec(*m_deleteCacheEntry, "cache entry deletion");
            },
        },
        write);
}

bool StoreWorker::sql(const QString &statement)
{
    QSqlQuery q(m_db);
    if (q.exec(statement))
        return true;
    qCWarning(lcStore) << statement << "failed on" << m_path << ":" << q.lastError().text();
    return false;
}

bool StoreWorker::runQuery(QSqlQuery &q, const QString &statement, const QVariantList &values,
                           const char *what)
{
    q.setForwardOnly(true);
    if (q.prepare(statement)) {
        for (qsizetype i = 0; i < values.size(); ++i)
            q.bindValue(int(i), values.at(i));
        if (q.exec())
            return true;
    }
    qCWarning(lcStore) << what << "failed on" << m_path << ":" << q.lastError().text();
    return false;
}

void StoreWorker::purgeExpiredCacheEntries()
{
    // A range read on the expires_ms index, kPurgeRows at a time, each
    // step its own queued call: after a long pause the whole cache can have
    // expired, and deleting it in one go would hold the store thread (the
    // start, every batch) for seconds. Reads skip expired entries anyway:
    // this only keeps the file from growing with answers nobody will be
    // served again.
    if (!m_db.isOpen())
        return;
    QSqlQuery q(m_db);
    if (!runQuery(q, RecordSql::purgeCacheEntriesSql(), {QDateTime::currentMSecsSinceEpoch(), kPurgeRows},
                  "purging expired cache entries"))
        return;
    const int deleted = q.numRowsAffected();
    m_purged += std::max(deleted, 0);
    if (deleted >= kPurgeRows) {
        QMetaObject::invokeMethod(this, &StoreWorker::purgeExpiredCacheEntries, Qt::QueuedConnection);
        return;
    }
    if (m_purged > 0)
        qCInfo(lcStore) << "purged" << m_purged << "expired cache entries from" << m_path;
    m_purged = 0;
}

bool StoreWorker::commitPending()
{
    drainInbox();
    return commitBatch();
}

bool StoreWorker::commitBatch()
{
    const bool written = writeBatch();
    // Writes that came in while this one was written did not wake the store
    // thread (the batch was open): keep it open and its clock running for
    // them. Only a batch that closes here has the next write wake us.
    bool open = false;
    {
        const QMutexLocker lock(&m_inboxLock);
        open = !m_inbox.empty() || !m_pending.empty();
        m_batchOpen = open;
    }
    if (open && m_db.isOpen() && !m_batchTimer->isActive())
        m_batchTimer->start(Store::kBatchWindowMs);
    return written;
}

bool StoreWorker::writeBatch()
{
    m_batchTimer->stop();
    if (m_pending.empty())
        return true;
    if (!m_db.isOpen())
        return false;

    const auto retryLater = [this] {
        m_failing = true;
        m_batchTimer->start(kRetryMs);
        return false;
    };
    // IMMEDIATE takes the write lock up front, so a lock held elsewhere
    // shows here (and is waited for, then retried) rather than halfway
    // through the batch.
    if (!sql(u"BEGIN IMMEDIATE"_s))
        return retryLater();
    qint64 usageRows = 0;
    for (const Write &write : m_pending) {
        switch (execute(write)) {
        case Outcome::Saved:
            if (std::holds_alternative<UsageRecord>(write))
                ++usageRows;
            break;
        case Outcome::Refused:
            break;   // one bad record must not hold back the batch
        case Outcome::Failed:
            sql(u"ROLLBACK"_s);
            return retryLater();
        }
    }
    if (!sql(u"COMMIT"_s)) {
        sql(u"ROLLBACK"_s);
        return retryLater();
    }
    m_failing = false;
    clearPending();
    m_usageRowsWritten.fetch_add(usageRows, std::memory_order_relaxed);
    return true;
}

// --- reads -----------------------------------------------------------------

Store::Snapshot StoreWorker::loadSnapshot()
{
    Store::Snapshot snapshot;
    if (!m_db.isOpen())
        return snapshot;
    commitPending();

    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    const auto select = [&](const QString &sql) {
        if (q.exec(sql))
            return true;
        qCWarning(lcStore) << "cannot read the snapshot of" << m_path << ":" << q.lastError().text();
        return false;
    };
    if (select(RecordSql::selectKeysSql())) {
        while (q.next())
            snapshot.keys.append(RecordSql::readKey(q));
    }
    if (select(RecordSql::selectRunsSql())) {
        while (q.next())
            snapshot.runs.append(RecordSql::readRun(q));
    }
    if (select(RecordSql::selectPricesSql())) {
        while (q.next()) {
            auto [model, price] = RecordSql::readPrice(q);
            snapshot.prices.insert(model, price);
        }
    }
    QHash<QString, qsizetype> promptIndex;
    if (select(RecordSql::selectPromptsSql())) {
        while (q.next()) {
            PromptRecord p;
            p.name = q.value(0).toString();
            p.activeVersion = q.value(1).toInt();
            promptIndex.insert(p.name, snapshot.prompts.size());
            snapshot.prompts.append(p);
        }
    }
    if (select(RecordSql::selectPromptVersionsSql())) {
        while (q.next()) {
            QString name;
            PromptVersion v = RecordSql::readPromptVersion(q, &name);
            const auto it = promptIndex.constFind(name);
            if (it != promptIndex.constEnd())
                snapshot.prompts[*it].versions.append(std::move(v));
        }
    }
    return snapshot;
}

Store::CacheChunk StoreWorker::readCacheChunk(qint64 from, int maxEntries, qint64 maxBytes)
{
    Store::CacheChunk chunk;
    if (!m_db.isOpen() || maxEntries <= 0 || maxBytes <= 0)
        return chunk;
    // The first chunk sees every write made before it, as every read does.
    // Later ones do not commit first: by then what is pending are answers
    // the cache holds already, and the batch keeps its window.
    if (from <= 0)
        commitPending();
    QSqlQuery q(m_db);
    const qint64 before = from > 0 ? from : std::numeric_limits<qint64>::max();
    // Expired and not purged yet: skipped.
    if (!runQuery(q, RecordSql::selectCacheChunkSql(),
                  {before, QDateTime::currentMSecsSinceEpoch(), maxEntries}, "reading the cache entries"))
        return chunk;
    int rows = 0;
    qint64 bytes = 0;
    qint64 last = 0;
    while (bytes < maxBytes && q.next()) {
        ++rows;
        last = RecordSql::cacheRowId(q);
        if (std::optional<CacheEntry> e = RecordSql::readCacheEntry(q)) {
            bytes += e->sizeBytes();
            chunk.entries.append(std::move(*e));
        }
    }
    // Fewer rows than asked for, and not cut short: that was the oldest.
    if (rows == maxEntries || bytes >= maxBytes)
        chunk.next = last;
    return chunk;
}

QList<UsageRecord> StoreWorker::queryUsage(const Store::UsageQuery &query)
{
    QList<UsageRecord> rows;
    if (!m_db.isOpen())
        return rows;
    commitPending();

    QVariantList values;
    const QString sql = RecordSql::usageQuerySql(query, &values);
    QSqlQuery q(m_db);
    if (!runQuery(q, sql, values, "usage query"))
        return rows;
    while (q.next())
        rows.append(RecordSql::readUsage(q));
    return rows;
}

Store::SpendSummary StoreWorker::querySpend(const QDateTime &now)
{
    constexpr int kDays = 30;
    const QDate epoch(1970, 1, 1);
    const QDate today = now.toUTC().date();
    const QDate firstDay = today.addDays(-(kDays - 1));
    const QDate monthStart(today.year(), today.month(), 1);
    const auto startMs = [](QDate day) { return day.startOfDay(Qt::UTC).toMSecsSinceEpoch(); };

    Store::SpendSummary summary;
    summary.byDay.reserve(kDays);
    for (int i = 0; i < kDays; ++i)
        summary.byDay.append({firstDay.addDays(i), 0.0});
    if (!m_db.isOpen())
        return summary;
    commitPending();

    QSqlQuery q(m_db);
    // Today is the last of the 30 days: its group is exactly today's rows.
    if (runQuery(q, RecordSql::spendByDaySql(), {startMs(firstDay), startMs(today.addDays(1))},
                 "spend by day")) {
        while (q.next()) {
            const qint64 day = firstDay.daysTo(epoch.addDays(q.value(0).toLongLong()));
            if (day < 0 || day >= kDays)
                continue;   // outside the window the bounds select: never, but never index past it
            summary.byDay[day].second = q.value(1).toDouble();
            if (day == kDays - 1) {
                summary.today = q.value(1).toDouble();
                summary.callsToday = q.value(2).toLongLong();
            }
        }
    }
    if (runQuery(q, RecordSql::spendByKeySql(), {startMs(monthStart), startMs(monthStart.addMonths(1))},
                 "spend by key")) {
        while (q.next()) {
            const double spend = q.value(1).toDouble();
            summary.month += spend;
            if (!q.value(0).isNull())
                summary.monthByKey.insert(q.value(0).toLongLong(), spend);
        }
    }
    return summary;
}
