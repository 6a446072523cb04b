#include "responsecache.h"

#include <QCborValue>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

using namespace Qt::StringLiterals;

// stream/stream_options only choose the delivery; user/metadata/store/
// service_tier label or route the call but do not change the answer.
const QStringList ResponseCache::kIgnoredFields{u"stream"_s,   u"stream_options"_s, u"user"_s,
                                                u"metadata"_s, u"store"_s,          u"service_tier"_s};

ResponseCache::ResponseCache(qint64 maxBytes, int ttlSeconds, QObject *parent)
    : QObject(parent), m_maxBytes(maxBytes), m_ttl(ttlSeconds)
{
}

namespace {

// Feeds a JSON value into the hash as typed, length-prefixed pieces, so
// no two different values hash alike and nothing is serialised first.
// Object members go in key order (QJsonObject keeps its keys sorted), so
// the client's field order and whitespace do not matter.
void hashValue(QCryptographicHash &h, const QJsonValue &v);

void hashText(QCryptographicHash &h, char tag, const QString &text)
{
    const qsizetype size = text.size();
    h.addData(QByteArrayView(&tag, 1));
    h.addData(QByteArrayView(reinterpret_cast<const char *>(&size), sizeof size));
    h.addData(QByteArrayView(reinterpret_cast<const char *>(text.utf16()), size * 2));
}

void hashObject(QCryptographicHash &h, const QJsonObject &o, const QStringList *skip)
{
    h.addData(QByteArrayView("{", 1));
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString key = it.key();
        if (skip && skip->contains(key))
            continue;
        hashText(h, 'k', key);
        hashValue(h, it.value());
    }
    h.addData(QByteArrayView("}", 1));
}

void hashValue(QCryptographicHash &h, const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        h.addData(QByteArrayView("n", 1));
        break;
    case QJsonValue::Bool:
        h.addData(v.toBool() ? QByteArrayView("t", 1) : QByteArrayView("f", 1));
        break;
    case QJsonValue::Double: {
        // Integers exactly (a seed of 2^53 + 1 is not 2^53), and an
        // integral double as the integer it is, so 1 and 1.0 hash alike.
        const QCborValue number = QCborValue::fromJsonValue(v);
        const double d = number.toDouble();
        qint64 i = 0;
        bool integral = number.isInteger();
        if (integral)
            i = number.toInteger();
        else if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) {
            i = qint64(d);
            integral = true;
        }
        if (integral) {
            h.addData(QByteArrayView("i", 1));
            h.addData(QByteArrayView(reinterpret_cast<const char *>(&i), sizeof i));
        } else {
            h.addData(QByteArrayView("d", 1));
            h.addData(QByteArrayView(reinterpret_cast<const char *>(&d), sizeof d));
        }
        break;
    }
    case QJsonValue::String:
        hashText(h, 's', v.toString());
        break;
    case QJsonValue::Array: {
        h.addData(QByteArrayView("[", 1));
        for (const QJsonValue &e : v.toArray())
            hashValue(h, e);
        h.addData(QByteArrayView("]", 1));
        break;
    }
    case QJsonValue::Object:
        hashObject(h, v.toObject(), nullptr);
        break;
    case QJsonValue::Undefined:
        break;
    }
}

} // namespace

QByteArray ResponseCache::keyFor(const QString &endpoint, const QJsonObject &body)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    hashText(h, 'e', endpoint);
    hashObject(h, body, &kIgnoredFields);
    return h.result();
}

bool ResponseCache::restore(const QList<CacheEntry> &entries, const QDateTime &now)
{
    for (const CacheEntry &e : entries) {
        if (e.expiresAt <= now || m_entries.contains(e.key))
            continue;
        if (m_bytes + e.sizeBytes() > m_maxBytes)
            return false;
        m_lru.push_back(e.key);
        m_bytes += e.sizeBytes();
        m_entries.insert(e.key, Slot{e, std::prev(m_lru.end())});
    }
    return true;
}

const CacheEntry *ResponseCache::lookup(const QByteArray &key, const QDateTime &now)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        ++m_misses;
        return nullptr;
    }
    if (it->entry.expiresAt <= now) {
        remove(key);
        Q_EMIT evicted(key);
        ++m_misses;
        return nullptr;
    }
    m_lru.splice(m_lru.begin(), m_lru, it->order);
    ++m_hits;
    return &it->entry;
}

void ResponseCache::insert(CacheEntry entry)
{
    if (entry.sizeBytes() > m_maxBytes)
        return;
    const QByteArray key = entry.key;
    remove(key);
    m_lru.push_front(key);
    m_bytes += entry.sizeBytes();
    m_entries.insert(key, Slot{std::move(entry), m_lru.begin()});
    evictToFit();
    if (auto it = m_entries.constFind(key); it != m_entries.constEnd())
        Q_EMIT stored(it->entry);
}

void ResponseCache::remove(const QByteArray &key)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        return;
    m_bytes -= it->entry.sizeBytes();
    m_lru.erase(it->order);
    m_entries.erase(it);
}

void ResponseCache::evictToFit()
{
    while (m_bytes > m_maxBytes && !m_lru.empty()) {
        const QByteArray victim = m_lru.back();
        remove(victim);
        Q_EMIT evicted(victim);
    }
}

void ResponseCache::clear()
{
    const QList<QByteArray> keys = m_entries.keys();
    for (const QByteArray &k : keys) {
        remove(k);
        Q_EMIT evicted(k);
    }
}

void ResponseCache::begin(const QByteArray &key)
{
    m_flights.insert(key, {});
}

void ResponseCache::wait(const QByteArray &key, QObject *context, std::function<void(const CacheEntry *)> done)
{
    m_flights[key].append(Waiter{context, std::move(done)});
}

void ResponseCache::finish(const QByteArray &key, const CacheEntry *entry)
{
    const QList<Waiter> waiters = m_flights.take(key);
    for (const Waiter &w : waiters) {
        if (w.context)
            w.done(entry);
    }
}
