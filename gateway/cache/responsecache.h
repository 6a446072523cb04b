#pragma once

// Exact-match response cache with a TTL and a size bound (least recently
// used out, by bytes), and single flight: while one call for a key is in
// flight, identical calls wait for its answer instead of going upstream.
// Entries are announced with stored()/evicted() so the store persists
// them; restore() brings them back after a restart, while calls are served.
//
//   const QByteArray key = ResponseCache::keyFor(endpoint, body);
//   if (const CacheEntry *e = cache.lookup(key, now)) serve(*e);
//   else if (cache.inFlight(key)) cache.wait(key, this, [](const CacheEntry *e) {...});
//   else { cache.begin(key); ... cache.finish(key, entryOrNull); }

#include "core/cacheentry.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <functional>
#include <list>
#include <optional>

class ResponseCache : public QObject
{
    Q_OBJECT
public:
    ResponseCache(qint64 maxBytes, int ttlSeconds, QObject *parent = nullptr);

    // Body fields that never change the answer, left out of the key.
    static const QStringList kIgnoredFields;
    static QByteArray keyFor(const QString &endpoint, const QJsonObject &body);

    // Entries read back from the store, newest first, chunk after chunk:
    // each goes behind every entry present (older than all of them), and
    // one present already (stored by a call since the start) or expired is
    // skipped. Nothing is evicted to make room and nothing is announced
    // (they are in the store). False once an entry no longer fits.
    bool restore(const QList<CacheEntry> &entries, const QDateTime &now);
    // The live entry for key (refreshing its recency), or null.
    const CacheEntry *lookup(const QByteArray &key, const QDateTime &now);
    void insert(CacheEntry entry);
    void clear();

    bool inFlight(const QByteArray &key) const { return m_flights.contains(key); }
    void begin(const QByteArray &key);
    // Waiters get the entry (null if the leader failed); dropped if context is gone.
    void wait(const QByteArray &key, QObject *context, std::function<void(const CacheEntry *)> done);
    void finish(const QByteArray &key, const CacheEntry *entry);

    int ttlSeconds() const { return m_ttl; }
    qint64 bytes() const { return m_bytes; }
    int count() const { return int(m_entries.size()); }
    qint64 hits() const { return m_hits; }
    qint64 misses() const { return m_misses; }

Q_SIGNALS:
    void stored(const CacheEntry &entry);
    void evicted(const QByteArray &key);

private:
    struct Slot
    {
        CacheEntry entry;
        std::list<QByteArray>::iterator order;
    };
    struct Waiter
    {
        QPointer<QObject> context;
        std::function<void(const CacheEntry *)> done;
    };
    void remove(const QByteArray &key);
    void evictToFit();

    QHash<QByteArray, Slot> m_entries;
    std::list<QByteArray> m_lru;              // front = most recently used
    QHash<QByteArray, QList<Waiter>> m_flights;
    qint64 m_maxBytes;
    int m_ttl;
    qint64 m_bytes = 0;
    qint64 m_hits = 0;
    qint64 m_misses = 0;
};
