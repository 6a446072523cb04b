#pragma once

// The gateway-minted API keys. Keys are minted from the system's CSPRNG
// ("tg-" and 32 random bytes, base64url); only a SHA-256 hash and a display
// prefix are kept, and the raw key is returned once, by mint(). Lookup is by
// hash, and the stored hash is compared in constant time. Changes are
// announced with keyChanged() so the store persists them and the window
// shows them.
//
//   auto minted = keys.mint(record);   // minted.rawKey goes to the user, once
//   const KeyRecord *k = keys.authenticate(presentedKey);

#include "core/keyrecord.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <functional>

class KeyStore : public QObject
{
    Q_OBJECT
public:
    struct Minted
    {
        QByteArray rawKey;
        KeyRecord record;
    };

    explicit KeyStore(QObject *parent = nullptr);

    void load(const QList<KeyRecord> &keys);

    Minted mint(KeyRecord settings);
    // The key the raw value belongs to (revoked ones included), or null.
    const KeyRecord *authenticate(QByteArrayView rawKey) const;
    const KeyRecord *find(qint64 id) const;
    QList<KeyRecord> all() const;

    bool update(qint64 id, const std::function<void(KeyRecord &)> &change);
    // Takes what an owner may change from settings (name, allowed models,
    // rate limits, caps, run budget, caching); identity, spend and
    // revocation stay. The admin API's PATCH and the window both use it.
    bool updateSettings(qint64 id, const KeyRecord &settings);
    bool revoke(qint64 id);
    // Adds settled spend; rolls the monthly counter over at a new UTC month.
    void addSpend(qint64 id, double usd, const QDateTime &when);
    // Spend of the month containing when (0 if the counter is for an older month).
    static double monthSpend(const KeyRecord &key, const QDateTime &when);
    static QString monthKey(const QDateTime &when);

    static QByteArray hashOf(QByteArrayView rawKey);
    static bool isGatewayKey(QByteArrayView rawKey) { return rawKey.startsWith("tg-"); }

Q_SIGNALS:
    void keyChanged(const KeyRecord &key);
    void keyRevoked(qint64 id);

private:
    QHash<qint64, KeyRecord> m_keys;
    QHash<QByteArray, qint64> m_byHash;
    qint64 m_nextId = 1;
};
