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

void Store::appendUsage(const UsageRecord &record)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, record] { worker->appendUsage(record); },
                              Qt::QueuedConnection);
}

void Store::saveKey(const KeyRecord &key)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, key] { worker->saveKey(key); },
                              Qt::QueuedConnection);
}

void Store::saveRun(const RunRecord &run)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, run] { worker->saveRun(run); },
                              Qt::QueuedConnection);
}

void Store::savePrice(const QString &model, const Price &price)
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, model, price] { worker->savePrice(model, price); },
        Qt::QueuedConnection);
}

void Store::savePromptVersion(const QString &name, const PromptVersion &version)
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, name, version] { worker->savePromptVersion(name, version); },
        Qt::QueuedConnection);
}

void Store::setActivePrompt(const QString &name, int version)
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, name, version] { worker->setActivePrompt(name, version); },
        Qt::QueuedConnection);
}

void Store::saveCacheEntry(const CacheEntry &entry)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, entry] { worker->saveCacheEntry(entry); },
                              Qt::QueuedConnection);
}

void Store::deleteCacheEntry(const QByteArray &key)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, key] { worker->deleteCacheEntry(key); },
                              Qt::QueuedConnection);
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
