#include "store.h"

#include "schema.h"
#include "storereply.h"
#include "storeworker.h"

#include <QThread>

using namespace Qt::StringLiterals;

static_assert(Store::kSchemaVersion == Schema::kLatestVersion);

Store::Store(QString databasePath, QObject *parent)
    : QObject(parent)
    , m_path(std::move(databasePath))
    , m_thread(new QThread(this))
    // No parent: a parent would have to live on this thread. The store
    // thread owns it instead and deletes it as it finishes, on that thread,
    // which is where the database connection must be closed.
    , m_worker(new StoreWorker(m_path))
{
    m_thread->setObjectName(u"tollgate-store"_s);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

Store::~Store()
{
    // Runs after every call queued before it, so every write is committed.
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->close(); },
                              Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

bool Store::open(QString *error)
{
    bool ok = false;
    QString message;
    QMetaObject::invokeMethod(m_worker, [&] { ok = m_worker->open(&message); },
                              Qt::BlockingQueuedConnection);
    if (!ok && error)
        *error = message;
    return ok;
}

Store::Snapshot Store::loadSnapshot()
{
    Snapshot snapshot;
    QMetaObject::invokeMethod(m_worker, [&] { snapshot = m_worker->loadSnapshot(); },
                              Qt::BlockingQueuedConnection);
    return snapshot;
}

// The writes go straight into the worker's inbox (StoreWorker::post), from
// this thread: no queued call per write.

void Store::appendUsage(const UsageRecord &record)
{
    m_worker->appendUsage(record);
}

void Store::saveKey(const KeyRecord &key)
{
    m_worker->saveKey(key);
}

void Store::saveRun(const RunRecord &run)
{
    m_worker->saveRun(run);
}

void Store::savePrice(const QString &model, const Price &price)
{
    m_worker->savePrice(model, price);
}

void Store::savePromptVersion(const QString &name, const PromptVersion &version)
{
    m_worker->savePromptVersion(name, version);
}

void Store::setActivePrompt(const QString &name, int version)
{
    m_worker->setActivePrompt(name, version);
}

void Store::saveCacheEntry(const CacheEntry &entry)
{
    m_worker->saveCacheEntry(entry);
}

void Store::deleteCacheEntry(const QByteArray &key)
{
    m_worker->deleteCacheEntry(key);
}

StoreReply *Store::replyTo(QObject *context, std::function<void()> callback)
{
    if (!context)
        return nullptr;
    // Handed to the store thread, which deletes it once it has answered.
    auto *reply = new StoreReply;
    connect(reply, &StoreReply::ready, context, std::move(callback), Qt::QueuedConnection);
    reply->moveToThread(m_thread);
    return reply;
}

void Store::queryUsage(const UsageQuery &query, QObject *context,
                       std::function<void(QList<UsageRecord>)> done)
{
    if (!context)
        return;   // nobody to answer
    // Filled on the store thread before `ready` is emitted; the queued
    // signal orders that write before the callback's read.
    auto rows = std::make_shared<QList<UsageRecord>>();
    StoreReply *reply = replyTo(context, [rows, done = std::move(done)] { done(std::move(*rows)); });
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, query, rows, reply] {
            *rows = worker->queryUsage(query);
            reply->deliver();
        },
        Qt::QueuedConnection);
}

void Store::readCacheChunk(qint64 from, int maxEntries, qint64 maxBytes, QObject *context,
                           std::function<void(CacheChunk)> done)
{
    if (!context)
        return;
    auto chunk = std::make_shared<CacheChunk>();
    StoreReply *reply = replyTo(context, [chunk, done = std::move(done)] { done(std::move(*chunk)); });
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, from, maxEntries, maxBytes, chunk, reply] {
            *chunk = worker->readCacheChunk(from, maxEntries, maxBytes);
            reply->deliver();
        },
        Qt::QueuedConnection);
}

void Store::querySpend(const QDateTime &now, QObject *context,
                       std::function<void(SpendSummary)> done)
{
    if (!context)
        return;
    // An invalid time has no calendar day: read it as "now".
    const QDateTime at = now.isValid() ? now : QDateTime::currentDateTimeUtc();
    auto summary = std::make_shared<SpendSummary>();
    StoreReply *reply = replyTo(context, [summary, done = std::move(done)] { done(std::move(*summary)); });
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, at, summary, reply] {
            *summary = worker->querySpend(at);
            reply->deliver();
        },
        Qt::QueuedConnection);
}

void Store::flush(QObject *context, std::function<void()> done)
{
    StoreReply *reply = replyTo(context, std::move(done));
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, reply] {
            worker->commitPending();
            if (reply)
                reply->deliver();
        },
        Qt::QueuedConnection);
}

void Store::flushAndWait()
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->commitPending(); },
                              Qt::BlockingQueuedConnection);
}

qint64 Store::usageRowsWritten() const
{
    return m_worker->usageRowsWritten();
}
