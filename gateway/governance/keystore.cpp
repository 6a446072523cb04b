#include "keystore.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace {

// Constant-time equality: the time taken does not depend on where the
// inputs first differ.
bool constantTimeEqual(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace

KeyStore::KeyStore(QObject *parent) : QObject(parent) {}

void KeyStore::load(const QList<KeyRecord> &keys)
{
    m_keys.clear();
    m_byHash.clear();
    for (const KeyRecord &k : keys) {
        m_keys.insert(k.id, k);
        m_byHash.insert(k.hash, k.id);
        m_nextId = qMax(m_nextId, k.id + 1);
    }
}

QByteArray KeyStore::hashOf(QByteArrayView rawKey)
{
    return QCryptographicHash::hash(rawKey, QCryptographicHash::Sha256);
}

QString KeyStore::monthKey(const QDateTime &when)
{
    // Asked on every call: the month's bounds are kept, so formatting only
    // happens when a call falls in another month than the last one.
    struct Month
    {
        qint64 begin = 0;
        qint64 end = 0;   // exclusive, ms since the epoch
        QString key;
    };
    thread_local Month last;
    const qint64 ms = when.toMSecsSinceEpoch();
    if (ms >= last.begin && ms < last.end)
        return last.key;
    const QDate day = when.toUTC().date();
    const QDate first(day.year(), day.month(), 1);
    last.begin = first.startOfDay(Qt::UTC).toMSecsSinceEpoch();
    last.end = first.addMonths(1).startOfDay(Qt::UTC).toMSecsSinceEpoch();
    last.key = when.toUTC().toString(QStringLiteral("yyyy-MM"));
    return last.key;
}

double KeyStore::monthSpend(const KeyRecord &key, const QDateTime &when)
{
    return key.spendMonthKey == monthKey(when) ? key.spendMonth : 0.0;
}

KeyStore::Minted KeyStore::mint(KeyRecord settings)
{
    // QRandomGenerator::system() reads the operating system's CSPRNG.
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray random(reinterpret_cast<const char *>(words), sizeof(words));
    QByteArray raw = "tg-" + random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);

    settings.id = m_nextId++;
    settings.hash = hashOf(raw);
    settings.prefix = QString::fromLatin1(raw.left(10));
    settings.createdAt = QDateTime::currentDateTimeUtc();
    settings.revoked = false;
    settings.revokedAt = {};
    settings.spendMonth = 0;
    settings.spendMonthKey = monthKey(settings.createdAt);
    settings.spendTotal = 0;
    m_keys.insert(settings.id, settings);
    m_byHash.insert(settings.hash, settings.id);
    Q_EMIT keyChanged(settings);
    return {raw, settings};
}

const KeyRecord *KeyStore::authenticate(QByteArrayView rawKey) const
{
    const QByteArray hash = hashOf(rawKey);
    const auto it = m_byHash.constFind(hash);
    if (it == m_byHash.constEnd())
        return nullptr;
    const auto k = m_keys.constFind(*it);
    if (k == m_keys.constEnd() || !constantTimeEqual(k->hash, hash))
        return nullptr;
    return &*k;
}

const KeyRecord *KeyStore::find(qint64 id) const
{
    const auto it = m_keys.constFind(id);
    return it == m_keys.constEnd() ? nullptr : &*it;
}

QList<KeyRecord> KeyStore::all() const
{
    QList<KeyRecord> out = m_keys.values();
    std::sort(out.begin(), out.end(), [](const KeyRecord &a, const KeyRecord &b) { return a.id < b.id; });
    return out;
}

bool KeyStore::update(qint64 id, const std::function<void(KeyRecord &)> &change)
{
    auto it = m_keys.find(id);
    if (it == m_keys.end())
        return false;
    change(*it);
    Q_EMIT keyChanged(*it);
    return true;
}

bool KeyStore::updateSettings(qint64 id, const KeyRecord &settings)
{
    return update(id, [&](KeyRecord &k) {
        k.name = settings.name;
        k.allowedModels = settings.allowedModels;
        k.ratePerMin = settings.ratePerMin;
        k.tokensPerMin = settings.tokensPerMin;
        k.monthlyCap = settings.monthlyCap;
        k.hardCap = settings.hardCap;
        k.runBudgetUsd = settings.runBudgetUsd;
        k.cacheEnabled = settings.cacheEnabled;
    });
}

bool KeyStore::revoke(qint64 id)
{
    auto it = m_keys.find(id);
    if (it == m_keys.end())
        return false;
    if (!it->revoked) {
        it->revoked = true;
        it->revokedAt = QDateTime::currentDateTimeUtc();
        Q_EMIT keyChanged(*it);
        Q_EMIT keyRevoked(id);
    }
    return true;
}

void KeyStore::addSpend(qint64 id, double usd, const QDateTime &when)
{
    auto it = m_keys.find(id);
    if (it == m_keys.end() || usd <= 0)
        return;
    const QString month = monthKey(when);
    if (it->spendMonthKey != month) {
        it->spendMonthKey = month;
        it->spendMonth = 0;
    }
    it->spendMonth += usd;
    it->spendTotal += usd;
    Q_EMIT keyChanged(*it);
}
