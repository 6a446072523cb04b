// The response cache coming back after a restart, as a caller notices it:
// the gateway listens before the cache is loaded; a call made while it
// loads is a miss answered from upstream, and that fresh answer is not
// overwritten by an older one from the data dir; what was loaded is served
// as hits, during the load and after; the load stops at the cache's size,
// keeping the answers saved last.
//
// Loading is held half-way deterministically: the test parks the store
// thread (where the chunks are read) on a semaphore once the first chunk
// has been read, and lets it go when it has made its calls.

#include "cache/responsecache.h"
#include "canned.h"
#include "fakeprovider.h"
#include "gateway.h"
#include "governance/keystore.h"
#include "pipeline/callmonitor.h"
#include "rawconnection.h"
#include "restartablegateway.h"
#include "store/store.h"

#include <QJsonArray>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 15000;

QByteArray question(const QString &text)
{
    const QJsonObject body{
        {u"model"_s, u"gpt-4o-mini"_s},
        {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, text}}}},
    };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// Big enough that three of them fill more than one chunk of the load.
const QByteArray kBigText(int(Gateway::kCacheLoadChunkBytes * 45 / 100), 'x');

// Answers "big…" questions with a big answer, anything else with `small`.
void serve(FakeProvider &fake, const QByteArray &small)
{
    fake.setReplyFunction([small](const FakeRequest &r) {
        const QString content = r.json()
                                    .value(u"messages"_s).toArray().first().toObject()
                                    .value(u"content"_s).toString();
        const QByteArray text = content.startsWith(u"big"_s) ? kBigText : small;
        return FakeReply::json(Canned::openAiCompletion().replace("Hello, gateway!", text));
    });
}

// A restartable gateway that can also be called.
struct Instance : RestartableGateway
{
    HttpReply call(const QByteArray &key, const QByteArray &body)
    {
        return RawConnection::exchange(
            gateway->port(),
            HttpWire::request("POST", "/v1/chat/completions", {{"authorization", "Bearer " + key}}, body),
            kTimeoutMs);
    }
};

// Parks the store thread of a gateway until release() or destruction (so a
// failed check cannot leave the store, and the gateway's teardown, stuck).
class StoreThreadParking
{
public:
    explicit StoreThreadParking(Gateway &gateway)
    {
        auto *thread = gateway.services().store->findChild<QThread *>();
        if (!thread)
            return;
        m_anchor.moveToThread(thread);
        QMetaObject::invokeMethod(&m_anchor, [this] { m_parked.release(); m_gate.acquire(); },
                                  Qt::QueuedConnection);
        m_parked.acquire();
        m_holding = true;
    }
    ~StoreThreadParking() { release(); }
    bool holding() const { return m_holding; }
    void release()
    {
        if (m_holding)
            m_gate.release();
        m_holding = false;
    }

private:
    QObject m_anchor;
    QSemaphore m_parked;
    QSemaphore m_gate;
    bool m_holding = false;
};

} // namespace

class tst_CacheLoadE2e : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void callsDuringTheLoadMissAndTheirAnswersWin();
    void theLoadStopsAtTheCacheSize();

private:
    // Fills the data dir through a first gateway: "small" first (the oldest
    // entry), then three big answers.
    void fill(const QByteArray &small);

    FakeProvider m_openai;
    std::unique_ptr<QTemporaryDir> m_dir;
    Config m_config;
    QByteArray m_key;
};

void tst_CacheLoadE2e::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(m_openai.isListening());
    m_config = Config();
    m_config.listenHost = u"127.0.0.1"_s;
    m_config.listenPort = 0;
    ProviderConfig p;
    p.name = u"openai"_s;
    p.kind = u"openai"_s;
    p.baseUrl = m_openai.openAiBaseUrl();
    p.apiKey = u"sk-test"_s;
    p.models = {u"gpt-*"_s};
    m_config.providers = {p};
}

void tst_CacheLoadE2e::fill(const QByteArray &small)
{
    serve(m_openai, small);
    Instance one;
    QVERIFY(one.start(m_config, m_dir->path()));
    QSignalSpy loaded(one.gateway.get(), &Gateway::cacheLoaded);
    QVERIFY(loaded.wait(kTimeoutMs) || one.gateway->isCacheLoaded());
    KeyRecord settings;
    settings.name = u"load"_s;
    m_key = one.gateway->services().keys->mint(settings).rawKey;
    for (const QString &q : {u"small"_s, u"big 1"_s, u"big 2"_s, u"big 3"_s}) {
        const HttpReply r = one.call(m_key, question(q));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-tollgate-cache"), QByteArray("miss"));
    }
    QCOMPARE(one.gateway->services().cache->count(), 4);
    QTRY_COMPARE_WITH_TIMEOUT(one.records.size(), 4, kTimeoutMs);
} // the gateway goes, saving what is queued; the data dir stays

void tst_CacheLoadE2e::callsDuringTheLoadMissAndTheirAnswersWin()
{
    fill("the old answer");
    if (QTest::currentTestFailed())
        return;
    const int upstream = m_openai.requestCount();
    serve(m_openai, "the new answer");

    Instance two;
    QVERIFY(two.start(m_config, m_dir->path()));
    QSignalSpy loaded(two.gateway.get(), &Gateway::cacheLoaded);
    // Queued behind the first chunk's read, ahead of the second's.
    StoreThreadParking parking(*two.gateway);
    QVERIFY(parking.holding());
    ResponseCache *cache = two.gateway->services().cache;
    // The first chunk, newest first: the three big answers.
    QTRY_COMPARE_WITH_TIMEOUT(cache->count(), 3, kTimeoutMs);
    QVERIFY(!two.gateway->isCacheLoaded());

    const HttpReply early = two.call(m_key, question(u"small"_s));
    QCOMPARE(early.status, 200);
    QCOMPARE(early.header("x-tollgate-cache"), QByteArray("miss"));
    QVERIFY2(early.body.contains("the new answer"), early.body.constData());
    QCOMPARE(m_openai.requestCount(), upstream + 1);
    const HttpReply big = two.call(m_key, question(u"big 2"_s));
    QCOMPARE(big.status, 200);
    QCOMPARE(big.header("x-tollgate-cache"), QByteArray("hit"));
    QVERIFY(big.body.contains(kBigText));
    QVERIFY(!two.gateway->isCacheLoaded());
    QCOMPARE(loaded.size(), 0);

    parking.release();
    QVERIFY(loaded.wait(kTimeoutMs));
    QVERIFY(two.gateway->isCacheLoaded());
    QCOMPARE(cache->count(), 4);
    // The answer from the load is older than the one the call stored: the
    // call's stays.
    const HttpReply after = two.call(m_key, question(u"small"_s));
    QCOMPARE(after.header("x-tollgate-cache"), QByteArray("hit"));
    QVERIFY2(after.body.contains("the new answer"), after.body.constData());
    for (const QString &q : {u"big 1"_s, u"big 3"_s})
        QCOMPARE(two.call(m_key, question(q)).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(m_openai.requestCount(), upstream + 1);
    QTRY_COMPARE_WITH_TIMEOUT(two.records.size(), 5, kTimeoutMs);
    QVERIFY(!two.records.first().cached);
    QVERIFY(two.records.last().cached);
    two.gateway.reset();

    // And it is the one on disk.
    Instance three;
    QVERIFY(three.start(m_config, m_dir->path()));
    QSignalSpy loadedAgain(three.gateway.get(), &Gateway::cacheLoaded);
    QVERIFY(loadedAgain.wait(kTimeoutMs));
    const HttpReply restarted = three.call(m_key, question(u"small"_s));
    QCOMPARE(restarted.header("x-tollgate-cache"), QByteArray("hit"));
    QVERIFY2(restarted.body.contains("the new answer"), restarted.body.constData());
    QCOMPARE(m_openai.requestCount(), upstream + 1);
}

void tst_CacheLoadE2e::theLoadStopsAtTheCacheSize()
{
    fill("small");
    if (QTest::currentTestFailed())
        return;
    const int upstream = m_openai.requestCount();

    // Room for two big answers, not three.
    Config smaller = m_config;
    smaller.cache.maxBytes = kBigText.size() * 5 / 2;
    Instance two;
    QVERIFY(two.start(smaller, m_dir->path()));
    QSignalSpy loaded(two.gateway.get(), &Gateway::cacheLoaded);
    QVERIFY(loaded.wait(kTimeoutMs));
    QCOMPARE(two.gateway->services().cache->count(), 2);
    QVERIFY(two.gateway->services().cache->bytes() <= smaller.cache.maxBytes);
    // The two saved last came back.
    for (const QString &q : {u"big 3"_s, u"big 2"_s})
        QCOMPARE(two.call(m_key, question(q)).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(m_openai.requestCount(), upstream);
    QCOMPARE(two.call(m_key, question(u"big 1"_s)).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(m_openai.requestCount(), upstream + 1);
}

QTEST_GUILESS_MAIN(tst_CacheLoadE2e)
#include "tst_cacheload_e2e.moc"
