// tollgate-test-links: tollgate_governance
//
// The key store: minted keys are "tg-" and 32 CSPRNG bytes in base64url,
// never repeat, and are kept only as a hash and a short display prefix;
// a key is found by its raw value alone; revoking and changing keys are
// announced; monthly spend starts again at every UTC calendar month; and a
// reloaded store never hands out an id twice.

#include "governance/keystore.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace {

KeyRecord named(const QString &name)
{
    KeyRecord k;
    k.name = name;
    return k;
}

QDateTime utc(int y, int m, int d, int hh, int mm, int ss, int ms = 0)
{
    return QDateTime(QDate(y, m, d), QTime(hh, mm, ss, ms), QTimeZone::utc());
}

QDateTime offset(int y, int m, int d, int hh, int mm, int offsetHours)
{
    return QDateTime(QDate(y, m, d), QTime(hh, mm), QTimeZone(offsetHours * 3600));
}

} // namespace

class tst_KeyStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mintFormat();
    void mintedKeysAreUnique();
    void onlyTheHashIsStored();
    void prefixIsShown();
    void authenticateByRawKeyOnly();
    void revoke();
    void update();
    void updateSettingsKeepsIdentityAndSpend();
    void addSpendRollsOverAtUtcMonth_data();
    void addSpendRollsOverAtUtcMonth();
    void addSpendIgnoresNothingAndUnknown();
    void loadKeepsNextId();
    void loadReplacesKeys();
};

void tst_KeyStore::mintFormat()
{
    KeyStore keys;
    const KeyStore::Minted m = keys.mint(named(u"ci"_s));
    QVERIFY2(m.rawKey.startsWith("tg-"), m.rawKey.constData());
    QCOMPARE(m.rawKey.size(), 3 + 43);
    static const QRegularExpression base64url(u"^[A-Za-z0-9_-]{43}$"_s);
    const QString body = QString::fromLatin1(m.rawKey.sliced(3));
    QVERIFY2(base64url.match(body).hasMatch(), qPrintable(body));

    const auto decoded = QByteArray::fromBase64Encoding(
        m.rawKey.sliced(3), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    QVERIFY(decoded);
    QCOMPARE(decoded.decoded.size(), 32);
    QVERIFY(KeyStore::isGatewayKey(m.rawKey));
    QCOMPARE(m.record.name, u"ci"_s);
    QCOMPARE(m.record.id, 1);
    QVERIFY(!m.record.revoked);
    QVERIFY(m.record.createdAt.isValid());
    QCOMPARE(m.record.createdAt.timeSpec(), Qt::UTC);
}

void tst_KeyStore::mintedKeysAreUnique()
{
    KeyStore keys;
    QSignalSpy changed(&keys, &KeyStore::keyChanged);
    QSet<QByteArray> raws;
    QSet<QByteArray> hashes;
    QSet<qint64> ids;
    QSet<QString> prefixes;
    constexpr int n = 500;
    for (int i = 0; i < n; ++i) {
        const KeyStore::Minted m = keys.mint(named(u"k"_s + QString::number(i)));
        raws.insert(m.rawKey);
        hashes.insert(m.record.hash);
        ids.insert(m.record.id);
        prefixes.insert(m.record.prefix);
    }
    QCOMPARE(raws.size(), n);
    QCOMPARE(hashes.size(), n);
    QCOMPARE(ids.size(), n);
    // 7 random base64 characters: 42 bits, collisions among 500 are vanishingly rare.
    QCOMPARE(prefixes.size(), n);
    QCOMPARE(keys.all().size(), n);
    QCOMPARE(changed.count(), n);
    // Ids are handed out in order.
    const QList<KeyRecord> all = keys.all();
    for (int i = 0; i < n; ++i)
        QCOMPARE(all.at(i).id, qint64(i + 1));
}

void tst_KeyStore::onlyTheHashIsStored()
{
    KeyStore keys;
    QSignalSpy changed(&keys, &KeyStore::keyChanged);
    const KeyStore::Minted m = keys.mint(named(u"secret-holder"_s));
    const QByteArray expectedHash = QCryptographicHash::hash(m.rawKey, QCryptographicHash::Sha256);

    const KeyRecord *stored = keys.find(m.record.id);
    QVERIFY(stored);
    QCOMPARE(stored->hash, expectedHash);
    QCOMPARE(stored->hash.size(), 32);
    QCOMPARE(KeyStore::hashOf(m.rawKey), expectedHash);

    // Nothing the store keeps, or announces for persistence, holds the raw key.
    const QString raw = QString::fromLatin1(m.rawKey);
    const QByteArray secretPart = m.rawKey.sliced(10);
    QList<KeyRecord> seen{*stored, m.record};
    for (const QList<QVariant> &args : std::as_const(changed))
        seen.append(args.at(0).value<KeyRecord>());
    for (const KeyRecord &k : std::as_const(seen)) {
        QVERIFY(!k.hash.contains(secretPart));
        for (const QString &field : {k.name, k.prefix, k.spendMonthKey}) {
            QVERIFY2(!field.contains(raw), qPrintable(field));
            QVERIFY2(!field.toLatin1().contains(secretPart), qPrintable(field));
        }
    }
}

void tst_KeyStore::prefixIsShown()
{
    KeyStore keys;
    const KeyStore::Minted m = keys.mint(named(u"p"_s));
    const QString prefix = m.record.prefix;
    QVERIFY2(prefix.startsWith(u"tg-"_s), qPrintable(prefix));
    QVERIFY2(prefix.size() > 3, qPrintable(prefix));
    // Enough to recognise the key, far too little to use it.
    QVERIFY2(prefix.size() <= 12, qPrintable(prefix));
    QVERIFY(m.rawKey.startsWith(prefix.toLatin1()));
    QCOMPARE(keys.find(m.record.id)->prefix, prefix);
}

void tst_KeyStore::authenticateByRawKeyOnly()
{
    KeyStore keys;
    const KeyStore::Minted a = keys.mint(named(u"a"_s));
    const KeyStore::Minted b = keys.mint(named(u"b"_s));

    const KeyRecord *found = keys.authenticate(a.rawKey);
    QVERIFY(found);
    QCOMPARE(found->id, a.record.id);
    QCOMPARE(found->name, u"a"_s);
    QVERIFY(keys.authenticate(b.rawKey));
    QCOMPARE(keys.authenticate(b.rawKey)->id, b.record.id);

    // The stored values are not credentials.
    QVERIFY(!keys.authenticate(a.record.hash));
    QVERIFY(!keys.authenticate(a.record.hash.toHex()));
    QVERIFY(!keys.authenticate(a.record.hash.toBase64()));
    QVERIFY(!keys.authenticate(a.record.prefix.toLatin1()));
    // Nor is anything close to the key.
    QByteArray flipped = a.rawKey;
    flipped[flipped.size() - 1] = flipped.back() == 'A' ? 'B' : 'A';
    QVERIFY(!keys.authenticate(flipped));
    QVERIFY(!keys.authenticate(QByteArray(a.rawKey + "x")));
    QVERIFY(!keys.authenticate(a.rawKey.chopped(1)));
    QVERIFY(!keys.authenticate(a.rawKey.toUpper()));
    QVERIFY(!keys.authenticate(QByteArray()));
    QVERIFY(!keys.authenticate("tg-"));
}

void tst_KeyStore::revoke()
{
    KeyStore keys;
    const KeyStore::Minted m = keys.mint(named(u"r"_s));
    QSignalSpy revoked(&keys, &KeyStore::keyRevoked);
    QSignalSpy changed(&keys, &KeyStore::keyChanged);

    const QDateTime before = QDateTime::currentDateTimeUtc();
    QVERIFY(keys.revoke(m.record.id));
    const KeyRecord *k = keys.find(m.record.id);
    QVERIFY(k->revoked);
    QVERIFY(k->revokedAt.isValid());
    QVERIFY(k->revokedAt >= before.addSecs(-1));
    QCOMPARE(revoked.count(), 1);
    QCOMPARE(revoked.at(0).at(0).toLongLong(), m.record.id);
    QCOMPARE(changed.count(), 1);
    QVERIFY(changed.at(0).at(0).value<KeyRecord>().revoked);

    // A revoked key is still recognised (so its refusal can be recorded against it).
    const KeyRecord *auth = keys.authenticate(m.rawKey);
    QVERIFY(auth);
    QVERIFY(auth->revoked);

    // Revoking again changes nothing and announces nothing.
    const QDateTime at = k->revokedAt;
    QVERIFY(keys.revoke(m.record.id));
    QCOMPARE(keys.find(m.record.id)->revokedAt, at);
    QCOMPARE(revoked.count(), 1);
    QCOMPARE(changed.count(), 1);

    QVERIFY(!keys.revoke(9999));
    QCOMPARE(revoked.count(), 1);
}

void tst_KeyStore::update()
{
    KeyStore keys;
    const KeyStore::Minted m = keys.mint(named(u"before"_s));
    QSignalSpy changed(&keys, &KeyStore::keyChanged);
    QVERIFY(keys.update(m.record.id, [](KeyRecord &k) {
        k.name = u"after"_s;
        k.ratePerMin = 7;
        k.allowedModels = {u"gpt-*"_s};
    }));
    const KeyRecord *k = keys.find(m.record.id);
    QCOMPARE(k->name, u"after"_s);
    QCOMPARE(k->ratePerMin, 7);
    QCOMPARE(k->allowedModels, QStringList{u"gpt-*"_s});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<KeyRecord>().name, u"after"_s);
    // The key still authenticates after a change.
    QCOMPARE(keys.authenticate(m.rawKey)->name, u"after"_s);

    bool called = false;
    QVERIFY(!keys.update(12345, [&](KeyRecord &) { called = true; }));
    QVERIFY(!called);
    QCOMPARE(changed.count(), 1);
}

void tst_KeyStore::updateSettingsKeepsIdentityAndSpend()
{
    KeyStore keys;
    const KeyStore::Minted m = keys.mint(named(u"before"_s));
    keys.addSpend(m.record.id, 1.5, QDateTime::currentDateTimeUtc());
    const KeyRecord before = *keys.find(m.record.id);

    // Everything set on the settings, including what an owner may not change.
    KeyRecord s;
    s.id = 999;
    s.name = u"after"_s;
    s.prefix = u"tg-forged"_s;
    s.hash = QByteArray(32, 'x');
    s.allowedModels = {u"claude-*"_s};
    s.ratePerMin = 11;
    s.tokensPerMin = 22;
    s.monthlyCap = 3.0;
    s.hardCap = 4.0;
    s.runBudgetUsd = 0.5;
    s.cacheEnabled = false;
    s.spendTotal = 0;
    s.spendMonth = 0;
    s.revoked = true;
    QVERIFY(keys.updateSettings(m.record.id, s));

    const KeyRecord *k = keys.find(m.record.id);
    QCOMPARE(k->name, u"after"_s);
    QCOMPARE(k->allowedModels, QStringList{u"claude-*"_s});
    QCOMPARE(k->ratePerMin, 11);
    QCOMPARE(k->tokensPerMin, 22);
    QCOMPARE(k->monthlyCap, 3.0);
    QCOMPARE(k->hardCap, 4.0);
    QCOMPARE(k->runBudgetUsd, 0.5);
    QCOMPARE(k->cacheEnabled, false);
    QCOMPARE(k->id, before.id);
    QCOMPARE(k->prefix, before.prefix);
    QCOMPARE(k->hash, before.hash);
    QCOMPARE(k->spendTotal, 1.5);
    QCOMPARE(k->spendMonth, 1.5);
    QCOMPARE(k->revoked, false);
    QCOMPARE(keys.authenticate(m.rawKey)->name, u"after"_s);
    QVERIFY(!keys.updateSettings(12345, s));
}

void tst_KeyStore::addSpendRollsOverAtUtcMonth_data()
{
    QTest::addColumn<QDateTime>("first");
    QTest::addColumn<QDateTime>("second");
    QTest::addColumn<bool>("rolled");

    QTest::newRow("same month, first and last instant")
        << utc(2025, 5, 1, 0, 0, 0) << utc(2025, 5, 31, 23, 59, 59, 999) << false;
    QTest::newRow("last millisecond of January, first of February")
        << utc(2025, 1, 31, 23, 59, 59, 999) << utc(2025, 2, 1, 0, 0, 0) << true;
    QTest::newRow("new year") << utc(2024, 12, 31, 23, 59, 59) << utc(2025, 1, 1, 0, 0, 0) << true;
    QTest::newRow("leap day to March") << utc(2024, 2, 29, 12, 0, 0) << utc(2024, 3, 1, 0, 0, 1) << true;
    // Local times: what counts is the UTC month.
    QTest::newRow("local still March, UTC already April")
        << offset(2025, 3, 31, 22, 0, +2) << offset(2025, 3, 31, 23, 30, -1) << true;
    QTest::newRow("local already April, UTC still March")
        << utc(2025, 3, 2, 0, 0, 0) << offset(2025, 4, 1, 1, 0, +3) << false;
}

void tst_KeyStore::addSpendRollsOverAtUtcMonth()
{
    QFETCH(QDateTime, first);
    QFETCH(QDateTime, second);
    QFETCH(bool, rolled);

    KeyStore keys;
    const qint64 id = keys.mint(named(u"spender"_s)).record.id;
    QSignalSpy changed(&keys, &KeyStore::keyChanged);

    keys.addSpend(id, 1.0, first);
    const KeyRecord *k = keys.find(id);
    QCOMPARE(k->spendMonth, 1.0);
    QCOMPARE(k->spendTotal, 1.0);
    QCOMPARE(k->spendMonthKey, KeyStore::monthKey(first));
    QCOMPARE(KeyStore::monthSpend(*k, first), 1.0);
    // Seen from the second instant, before anything is spent there.
    QCOMPARE(KeyStore::monthSpend(*k, second), rolled ? 0.0 : 1.0);

    keys.addSpend(id, 0.25, second);
    k = keys.find(id);
    QCOMPARE(k->spendMonth, rolled ? 0.25 : 1.25);
    QCOMPARE(k->spendTotal, 1.25);
    QCOMPARE(k->spendMonthKey, KeyStore::monthKey(second));
    QCOMPARE(KeyStore::monthSpend(*k, second), rolled ? 0.25 : 1.25);
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.last().at(0).value<KeyRecord>().spendTotal, 1.25);
}

void tst_KeyStore::addSpendIgnoresNothingAndUnknown()
{
    KeyStore keys;
    const qint64 id = keys.mint(named(u"z"_s)).record.id;
    QSignalSpy changed(&keys, &KeyStore::keyChanged);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    keys.addSpend(id, 0.0, now);
    keys.addSpend(id, -5.0, now);
    keys.addSpend(777, 1.0, now);
    QCOMPARE(keys.find(id)->spendTotal, 0.0);
    QCOMPARE(KeyStore::monthSpend(*keys.find(id), now), 0.0);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(KeyStore::monthKey(utc(2026, 11, 3, 4, 5, 6)), u"2026-11"_s);
}

void tst_KeyStore::loadKeepsNextId()
{
    KeyStore first;
    const KeyStore::Minted a = first.mint(named(u"a"_s));
    const KeyStore::Minted b = first.mint(named(u"b"_s));
    KeyRecord seven = named(u"seven"_s);
    seven.id = 7;
    seven.hash = KeyStore::hashOf("tg-not-a-real-key-but-hashed");
    QList<KeyRecord> saved = first.all();
    saved.insert(0, seven);   // out of order, as a database may return them

    KeyStore reopened;
    reopened.load(saved);
    QCOMPARE(reopened.all().size(), 3);
    QCOMPARE(reopened.authenticate(a.rawKey)->id, a.record.id);
    QCOMPARE(reopened.authenticate(b.rawKey)->id, b.record.id);
    QCOMPARE(reopened.authenticate("tg-not-a-real-key-but-hashed")->id, 7);

    const KeyStore::Minted c = reopened.mint(named(u"c"_s));
    QCOMPARE(c.record.id, 8);
    QCOMPARE(reopened.mint(named(u"d"_s)).record.id, 9);

    // A store that minted before loading keeps counting past both.
    KeyStore busy;
    for (int i = 0; i < 12; ++i)
        busy.mint(named(u"x"_s));
    busy.load(saved);
    QCOMPARE(busy.mint(named(u"y"_s)).record.id, 13);
}

void tst_KeyStore::loadReplacesKeys()
{
    KeyStore keys;
    const KeyStore::Minted old = keys.mint(named(u"old"_s));
    keys.load({});
    QVERIFY(!keys.authenticate(old.rawKey));
    QVERIFY(!keys.find(old.record.id));
    QVERIFY(keys.all().isEmpty());
}

QTEST_GUILESS_MAIN(tst_KeyStore)
#include "tst_keystore.moc"
