// tollgate-test-links: tollgate_store
//
// The response cache on disk: an entry comes back, read chunk by chunk as
// the gateway loads it, with every field as saved; a later save of the same
// key replaces it, a delete removes it, and entries survive a restart,
// newest first; a chunk stops at its byte bound; an expired entry is never
// handed back and is purged from the file after it opens.

#include "storecachechunks.h"
#include "store/store.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(CacheEntry)

namespace {

// A plain connection on the test's thread: what is on disk.
class RawDb
{
public:
    explicit RawDb(const QString &path)
        : m_name(u"raw-%1"_s.arg(++s_count))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawDb()
    {
        QSqlDatabase::database(m_name).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    bool exec(const QString &sql) const
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        if (q.exec(sql))
            return true;
        qWarning() << sql << q.lastError().text();
        return false;
    }
    QVariant scalar(const QString &sql) const
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        if (!q.exec(sql)) {
            qWarning() << sql << q.lastError().text();
            return {};
        }
        return q.next() ? q.value(0) : QVariant();
    }

private:
    static inline int s_count = 0;
    QString m_name;
};

// Times relative to the real clock: the store filters on it.
QDateTime now()
{
    return QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
}

QByteArray keyOf(char c)
{
    return QByteArray(32, c);
}

CacheEntry fullEntry(char keyByte)
{
    CacheEntry e;
    // Every byte value, NUL included: the key is binary, not text.
    e.key = keyOf(keyByte);
    e.key[0] = '\0';
    e.key[31] = '\xff';
    e.format = WireFormat::Anthropic;
    // UTF-8 and a NUL: the body is bytes, not text.
    static const char body[] = "{\"content\":[{\"type\":\"text\",\"text\":\"h\xc3\xa9llo\"}]}\0tail";
    e.body = QByteArray(body, sizeof(body) - 1);
    e.provider = u"anthropic-eu"_s;
    e.model = u"claude-sonnet-4-5"_s;
    e.usage = TokenUsage{1234567890123, 456, 78, 9};
    e.cost = 0.000123456789;
    e.createdAt = now().addSecs(-60).addMSecs(7);
    e.expiresAt = now().addDays(1).addMSecs(3);
    return e;
}

void compareEntry(const CacheEntry &a, const CacheEntry &e)
{
    QCOMPARE(a.key, e.key);
    QCOMPARE(a.format, e.format);
    QCOMPARE(a.body, e.body);
    QCOMPARE(a.provider, e.provider);
    QCOMPARE(a.model, e.model);
    QCOMPARE(a.usage, e.usage);
    QCOMPARE(a.cost, e.cost);
    QCOMPARE(a.createdAt, e.createdAt);
    QCOMPARE(a.createdAt.isValid(), e.createdAt.isValid());
    QCOMPARE(a.expiresAt, e.expiresAt);
}

QList<QByteArray> keys(const QList<CacheEntry> &entries)
{
    QList<QByteArray> out;
    for (const CacheEntry &e : entries)
        out.append(e.key);
    return out;
}

} // namespace

class tst_StoreCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void roundTrip_data();
    void roundTrip();
    void aLaterSaveReplacesByKey();
    void deleteRemovesTheEntry();
    void writesStayInOrderWithinABatch();
    void expiredEntriesAreNotReturnedAndPurgedAfterOpen();
    void aFormatThisBuildDoesNotSpeakIsSkipped();
    void anEntryWithoutAKeyIsRefused();
    void entriesSurviveARestart();
    void theLastSavedComesFirst();
    void aChunkStopsAtItsByteBound();

private:
    std::unique_ptr<Store> openStore();
    QString dbPath() const { return m_dir->filePath(u"tollgate.db"_s); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_StoreCache::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

std::unique_ptr<Store> tst_StoreCache::openStore()
{
    auto store = std::make_unique<Store>(dbPath());
    QString error;
    if (!store->open(&error)) {
        qWarning() << "open failed:" << error;
        return nullptr;
    }
    return store;
}

void tst_StoreCache::roundTrip_data()
{
    QTest::addColumn<CacheEntry>("entry");

    QTest::newRow("every field set") << fullEntry('a');
    CacheEntry openai = fullEntry('b');
    openai.format = WireFormat::OpenAI;
    openai.provider = u"openai"_s;
    openai.model = u"gpt-4o-mini"_s;
    QTest::newRow("openai format") << openai;
    CacheEntry bare;
    bare.key = keyOf('c');
    bare.expiresAt = now().addSecs(600);
    QTest::newRow("empty body, no tokens, no creation time") << bare;
}

void tst_StoreCache::roundTrip()
{
    QFETCH(CacheEntry, entry);
    auto store = openStore();
    QVERIFY(store);
    store->saveCacheEntry(entry);
    const QList<CacheEntry> s = StoreCacheChunks::readAll(*store);
    QCOMPARE(s.size(), 1);
    compareEntry(s.first(), entry);
}

void tst_StoreCache::aLaterSaveReplacesByKey()
{
    auto store = openStore();
    QVERIFY(store);
    const CacheEntry first = fullEntry('a');
    CacheEntry second = fullEntry('a');
    second.format = WireFormat::OpenAI;
    second.body = "{\"choices\":[]}";
    second.provider = u"other"_s;
    second.usage = TokenUsage{1, 2, 3, 4};
    second.cost = 0.5;
    second.createdAt = first.createdAt.addSecs(30);
    second.expiresAt = first.expiresAt.addSecs(30);
    store->saveCacheEntry(first);
    store->saveCacheEntry(fullEntry('b'));
    store->flushAndWait();   // the replacement lands in a later batch, not the same one
    store->saveCacheEntry(second);

    const QList<CacheEntry> s = StoreCacheChunks::readAll(*store);
    QCOMPARE(s.size(), 2);
    const qsizetype i = keys(s).indexOf(first.key);
    QVERIFY(i >= 0);
    compareEntry(s.at(i), second);
}

void tst_StoreCache::deleteRemovesTheEntry()
{
    auto store = openStore();
    QVERIFY(store);
    const CacheEntry a = fullEntry('a');
    const CacheEntry b = fullEntry('b');
    store->saveCacheEntry(a);
    store->saveCacheEntry(b);
    store->flushAndWait();
    store->deleteCacheEntry(a.key);
    store->deleteCacheEntry(keyOf('z'));   // not there: harmless
    const QList<CacheEntry> s = StoreCacheChunks::readAll(*store);
    QCOMPARE(keys(s), QList<QByteArray>{b.key});

    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM cache_entries"_s).toInt(), 1);
}

void tst_StoreCache::writesStayInOrderWithinABatch()
{
    // save, delete, save again of one key, and delete then save of another,
    // all in one batch: the last write of each key wins.
    auto store = openStore();
    QVERIFY(store);
    CacheEntry a = fullEntry('a');
    store->saveCacheEntry(a);
    store->deleteCacheEntry(a.key);
    a.cost = 2.0;
    store->saveCacheEntry(a);
    const CacheEntry b = fullEntry('b');
    store->saveCacheEntry(b);
    store->deleteCacheEntry(b.key);

    const QList<CacheEntry> s = StoreCacheChunks::readAll(*store);
    QCOMPARE(s.size(), 1);
    compareEntry(s.first(), a);
}

void tst_StoreCache::expiredEntriesAreNotReturnedAndPurgedAfterOpen()
{
    CacheEntry expired = fullEntry('x');
    expired.expiresAt = now().addSecs(-3600);
    CacheEntry noExpiry = fullEntry('n');   // the cache reads "no expiry" as expired too
    noExpiry.expiresAt = QDateTime();
    CacheEntry soon = fullEntry('s');
    soon.expiresAt = now().addMSecs(1500);
    const CacheEntry fresh = fullEntry('f');
    {
        auto store = openStore();
        QVERIFY(store);
        for (const CacheEntry &e : {expired, noExpiry, soon, fresh})
            store->saveCacheEntry(e);
        QCOMPARE(keys(StoreCacheChunks::readAll(*store)).size(), 2);
        // Expiry is judged when the entries are read, not when they were saved.
        QTest::qWait(int(now().msecsTo(soon.expiresAt)) + 50);
        QCOMPARE(keys(StoreCacheChunks::readAll(*store)), QList<QByteArray>{fresh.key});
    }
    {
        RawDb raw(dbPath());
        QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM cache_entries"_s).toInt(), 4);   // still on disk
    }

    auto store = openStore();
    QVERIFY(store);
    RawDb raw(dbPath());
    // Purged in the background once the store is open.
    QTRY_COMPARE(raw.scalar(u"SELECT COUNT(*) FROM cache_entries"_s).toInt(), 1);
    QCOMPARE(raw.scalar(u"SELECT key FROM cache_entries"_s).toByteArray(), fresh.key);
    const QList<CacheEntry> s = StoreCacheChunks::readAll(*store);
    QCOMPARE(s.size(), 1);
    compareEntry(s.first(), fresh);
}

void tst_StoreCache::aFormatThisBuildDoesNotSpeakIsSkipped()
{
    {
        auto store = openStore();
        QVERIFY(store);
        store->saveCacheEntry(fullEntry('a'));
        store->saveCacheEntry(fullEntry('b'));
    }
    {
        RawDb raw(dbPath());
        QVERIFY(raw.exec(u"UPDATE cache_entries SET format = 'gemini' WHERE key = x'"_s
                         + QString::fromLatin1(fullEntry('b').key.toHex()) + u"'"_s));
    }
    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(keys(StoreCacheChunks::readAll(*store)), QList<QByteArray>{fullEntry('a').key});
}

void tst_StoreCache::anEntryWithoutAKeyIsRefused()
{
    auto store = openStore();
    QVERIFY(store);
    CacheEntry keyless = fullEntry('a');
    keyless.key.clear();
    store->saveCacheEntry(keyless);
    store->saveCacheEntry(fullEntry('b'));   // the rest of the batch still lands
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"refused to save cache entry"_s));
    store->flushAndWait();
    QCOMPARE(keys(StoreCacheChunks::readAll(*store)), QList<QByteArray>{fullEntry('b').key});
}

void tst_StoreCache::entriesSurviveARestart()
{
    QList<CacheEntry> saved;
    for (char c = 'a'; c < 'a' + 20; ++c) {
        CacheEntry e = fullEntry(c);
        e.createdAt = e.createdAt.addSecs(c);   // distinct, so the order is known
        e.body.append(QByteArray(1 << 16, c));  // bodies bigger than a page
        saved.append(e);
    }
    {
        auto store = openStore();
        QVERIFY(store);
        for (const CacheEntry &e : std::as_const(saved))
            store->saveCacheEntry(e);
        // No flush: closing the store must save what is queued.
    }
    auto store = openStore();
    QVERIFY(store);
    const QList<CacheEntry> s = StoreCacheChunks::readAll(*store);
    QCOMPARE(s.size(), saved.size());
    for (qsizetype i = 0; i < saved.size(); ++i) {   // newest first
        compareEntry(s.at(i), saved.at(saved.size() - 1 - i));
        if (QTest::currentTestFailed())
            return;
    }
}

void tst_StoreCache::theLastSavedComesFirst()
{
    // A gateway that loads only what fits keeps the answers saved last:
    // saving an entry again makes it the newest.
    auto store = openStore();
    QVERIFY(store);
    for (char c : {'a', 'b', 'c', 'd'})
        store->saveCacheEntry(fullEntry(c));
    store->flushAndWait();
    CacheEntry again = fullEntry('b');
    again.cost = 9.0;
    store->saveCacheEntry(again);
    const QList<CacheEntry> s = StoreCacheChunks::readAll(*store, 2);
    QCOMPARE(keys(s), (QList<QByteArray>{fullEntry('b').key, fullEntry('d').key, fullEntry('c').key,
                                         fullEntry('a').key}));
    QCOMPARE(s.first().cost, 9.0);
}

void tst_StoreCache::aChunkStopsAtItsByteBound()
{
    auto store = openStore();
    QVERIFY(store);
    QList<QByteArray> saved;
    for (char c = 'a'; c < 'a' + 10; ++c) {
        store->saveCacheEntry(fullEntry(c));
        saved.prepend(fullEntry(c).key);   // newest first
    }
    const qint64 entryBytes = fullEntry('a').sizeBytes();
    // A chunk ends with the entry that reaches the bound: 3 of 2.5 entries' worth.
    const QList<Store::CacheChunk> chunks = StoreCacheChunks::chunks(*store, 100, entryBytes * 5 / 2);
    QList<qsizetype> sizes;
    QList<QByteArray> read;
    for (const Store::CacheChunk &c : chunks) {
        sizes.append(c.entries.size());
        read += keys(c.entries);
    }
    QCOMPARE(sizes, (QList<qsizetype>{3, 3, 3, 1}));
    QCOMPARE(read, saved);   // each once, in order
    // And by count: 4 at a time, the last chunk short.
    sizes.clear();
    for (const Store::CacheChunk &c : StoreCacheChunks::chunks(*store, 4))
        sizes.append(c.entries.size());
    QCOMPARE(sizes, (QList<qsizetype>{4, 4, 2}));
}

QTEST_GUILESS_MAIN(tst_StoreCache)
#include "tst_storecache.moc"
