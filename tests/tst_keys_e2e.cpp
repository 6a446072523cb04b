// Caller keys end to end, through real HTTP on 127.0.0.1: a minted key is
// never written anywhere in the data dir (database, WAL, shared memory,
// token file), only its hash and display prefix; revoking a key cuts its
// live streams at once (and only its own) and refuses its next call with
// 401; and in pass-through mode a non-Tollgate key reaches the provider as
// the caller's own credential, is recorded with key_id null and is
// governed by its run's budget.

#include "canned.h"
#include "arrivalclock.h"
#include "fakeprovider.h"
#include "gateway.h"
#include "pipeline/callmonitor.h"
#include "rawconnection.h"
#include "store/store.h"
#include "testclient.h"
#include "testgateway.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 20000;
constexpr qint64 kCutBoundMs = 1000;

// Destroying a Gateway with a call in flight crashes (see the report on
// Gateway::~Gateway), so every test ends its calls first; declared after
// the TestGateway, it runs before its destructor.
struct CutOnExit
{
    TestGateway &gw;
    ~CutOnExit()
    {
        if (gw.gateway())
            gw.gateway()->monitor()->cutAll(GatewayError(GatewayError::Code::Unavailable, u"the test is over"_s));
    }
};

SimConfig slowSim()
{
    SimConfig s;
    s.firstTokenMs = 10;
    s.tokensPerSecond = 20;
    s.outputTokens = 400;
    return s;
}

HttpHeaders adminAuth(const TestGateway &gw)
{
    return {{"authorization", "Bearer " + gw.gateway()->adminToken()}, {"content-type", "application/json"}};
}

HttpHeaders bearer(const QByteArray &key, const HttpHeaders &extra = {})
{
    HttpHeaders h{{"authorization", "Bearer " + key}, {"content-type", "application/json"}};
    h.append(extra);
    return h;
}

struct Minted
{
    QByteArray key;
    qint64 id = 0;
    QJsonObject record;
};

Minted mintKey(TestClient &client, const TestGateway &gw, const QJsonObject &settings)
{
    const HttpReply r = client.post(gw.url(u"/admin/keys"), QJsonDocument(settings).toJson(QJsonDocument::Compact),
                                    adminAuth(gw));
    if (r.status != 201)
        qWarning() << "minting failed:" << r.status << r.body;
    const QJsonObject record = r.json().value(u"record"_s).toObject();
    return {r.json().value(u"key"_s).toString().toLatin1(), qint64(record.value(u"id"_s).toDouble()), record};
}

QByteArray errorCode(const HttpReply &r)
{
    return r.json().value(u"error"_s).toObject().value(u"code"_s).toString().toLatin1();
}

bool flushStore(const TestGateway &gw)
{
    bool done = false;
    QObject context;
    gw.gateway()->services().store->flush(&context, [&done] { done = true; });
    return QTest::qWaitFor([&done] { return done; }, kTimeoutMs);
}

// Every file under dir (hidden ones, -wal and -shm included) that holds
// any of the secrets, as "file: what" lines.
QStringList leaks(const QString &dir, const QList<QPair<QByteArray, QByteArray>> &secrets, int *filesRead)
{
    QStringList found;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            found.append(path + u": cannot read"_s);
            continue;
        }
        const QByteArray bytes = f.readAll();
        ++*filesRead;
        for (const auto &[what, secret] : secrets) {
            if (bytes.contains(secret))
                found.append(path + u": "_s + QString::fromLatin1(what));
        }
    }
    return found;
}

// The forms a raw key could be written in.
QList<QPair<QByteArray, QByteArray>> secretForms(const QByteArray &name, const QByteArray &raw)
{
    return {{name + " (raw)", raw},
            {name + " (after its display prefix)", raw.mid(10)},
            {name + " (hex)", raw.toHex()},
            {name + " (base64)", raw.toBase64()}};
}

} // namespace

class tst_KeysE2E : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rawKeyNeverStored();
    void revocationCutsLiveStream_data();
    void revocationCutsLiveStream();
    void passThrough();
};

void tst_KeysE2E::rawKeyNeverStored()
{
    SimConfig sim = TestGateway::fastSim();
    TestGateway gw;
    gw.addSim(sim);
    QVERIFY(gw.start());
    const CutOnExit guard{gw};
    TestClient client;

    // Keys of every kind, used in every way the ledger, runs, spend and
    // the response cache record.
    const Minted plain = mintKey(client, gw, {{u"name"_s, u"plain"_s}});
    const Minted limited = mintKey(client, gw, {{u"name"_s, u"limited"_s}, {u"rate_per_min"_s, 100},
                                                {u"tokens_per_min"_s, 100000}, {u"monthly_cap"_s, 5.0},
                                                {u"hard_cap"_s, 50.0}, {u"run_budget_usd"_s, 1.0},
                                                {u"allowed_models"_s, QJsonArray{u"sim-*"_s}}});
    const Minted revoked = mintKey(client, gw, {{u"name"_s, u"revoked"_s}});
    QVERIFY(!plain.key.isEmpty() && !limited.key.isEmpty() && !revoked.key.isEmpty());
    QCOMPARE(plain.record.value(u"prefix"_s).toString(), QString::fromLatin1(plain.key.left(10)));
    const QByteArray fixtureKey = gw.authHeaders().first().second.mid(7);

    int n = 0;
    for (const QByteArray &key : {plain.key, limited.key, revoked.key, fixtureKey}) {
        for (bool anthropic : {false, true}) {
            for (bool stream : {false, true}) {
                const QByteArray text = "question " + QByteArray::number(++n);
                const HttpReply r = client.post(gw.url(anthropic ? u"/v1/messages" : u"/v1/chat/completions"),
                                                Canned::chatBody("sim-small", 16, stream, text),
                                                bearer(key, {{"x-tollgate-run-id", "run-" + QByteArray::number(n % 3)},
                                                             {"x-api-key", key}}));
                QCOMPARE(r.status, 200);
            }
        }
        // A refusal, recorded too.
        QCOMPARE(client.post(gw.url(u"/v1/chat/completions"), Canned::chatBody("gpt-4o", 16, false, "refused"), bearer(key)).status,
                 key == limited.key ? 403 : 404);
    }
    QCOMPARE(client.send("PATCH", gw.url(QString(u"/admin/keys/"_s + QString::number(plain.id))),
                         R"({"name":"renamed","monthly_cap":3})", adminAuth(gw)).status, 200);
    QCOMPARE(client.post(gw.url(QString(u"/admin/keys/"_s + QString::number(revoked.id) + u"/revoke"_s)), {},
                         adminAuth(gw)).status, 200);
    QCOMPARE(client.post(gw.url(u"/v1/chat/completions"), Canned::chatBody("sim-small", 16, false, "after"), bearer(revoked.key))
                 .status, 401);
    QCOMPARE(client.post(gw.url(u"/v1/chat/completions"), Canned::chatBody("sim-small", 16, false, "after"),
                         bearer("tg-" + revoked.key.mid(3, 20))).status, 401);

    QList<QPair<QByteArray, QByteArray>> secrets;
    secrets += secretForms("plain key", plain.key);
    secrets += secretForms("limited key", limited.key);
    secrets += secretForms("revoked key", revoked.key);
    secrets += secretForms("fixture key", fixtureKey);

    // Once written out...
    QVERIFY(flushStore(gw));
    int files = 0;
    QStringList found = leaks(gw.dataDir(), secrets, &files);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(u"\n"_s)));
    QVERIFY2(files >= 2, qPrintable(QString::number(files)));
    QVERIFY(QFile::exists(gw.dataDir() + u"/tollgate.db-wal"_s));
    // ...and after a shutdown, which checkpoints the WAL into the database.
    bool stopped = false;
    QObject::connect(gw.gateway(), &Gateway::stopped, gw.gateway(), [&stopped] { stopped = true; });
    gw.gateway()->shutdown(1000);
    QTRY_VERIFY_WITH_TIMEOUT(stopped, kTimeoutMs);
    files = 0;
    found = leaks(gw.dataDir(), secrets, &files);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(u"\n"_s)));
    // The scan is not vacuous: the hashes and display prefixes are there.
    QByteArray everything;
    QDirIterator it(gw.dataDir(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (f.open(QIODevice::ReadOnly))
            everything += f.readAll();
    }
    QVERIFY(everything.contains(plain.key.left(10)));
    QVERIFY(everything.contains("renamed"));
}

void tst_KeysE2E::revocationCutsLiveStream_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::newRow("openai") << false;
    QTest::newRow("anthropic") << true;
}

void tst_KeysE2E::revocationCutsLiveStream()
{
    QFETCH(bool, anthropic);
    TestGateway gw;
    gw.addSim(slowSim());
    QVERIFY(gw.start());
    const CutOnExit guard{gw};
    TestClient client;
    const QByteArray path = anthropic ? "/v1/messages" : "/v1/chat/completions";
    const Minted victim = mintKey(client, gw, {{u"name"_s, u"victim"_s}, {u"monthly_cap"_s, 5.0}});
    const Minted other = mintKey(client, gw, {{u"name"_s, u"other"_s}});

    RawConnection stream(gw.port());
    stream.send(HttpWire::request("POST", path, bearer(victim.key, {{"x-tollgate-run-id", "victim-run"}}),
                                  Canned::chatBody("sim-small", 400, true, "a long story")));
    RawConnection bystander(gw.port());
    bystander.send(HttpWire::request("POST", path, bearer(other.key), Canned::chatBody("sim-small", 400, true, "another")));
    const auto flowing = [](const QByteArray &b) { return b.count("\n\n") >= 5; };
    QVERIFY(stream.waitForStream(flowing, kTimeoutMs));
    QVERIFY(bystander.waitForStream(flowing, kTimeoutMs));
    const QByteArray requestId = stream.streamSoFar().header("x-tollgate-request-id");

    RawConnection admin(gw.port());
    QVERIFY(admin.waitConnected());
    ArrivalClock clock(&stream, "invalid_api_key");
    clock.start();
    admin.send(HttpWire::request("POST", "/admin/keys/" + QByteArray::number(victim.id) + "/revoke", adminAuth(gw)));
    QVERIFY(clock.wait(kTimeoutMs));
    qInfo("revoke to error event at the client: %.2f ms", clock.ms());
    QVERIFY(clock.ms() < kCutBoundMs);
    QVERIFY(admin.waitForResponses(1));
    const HttpReply revoked = admin.responses().first();
    QCOMPARE(revoked.status, 200);
    QCOMPARE(revoked.json().value(u"revoked"_s).toBool(), true);
    QVERIFY(QDateTime::fromString(revoked.json().value(u"revoked_at"_s).toString(), Qt::ISODateWithMs).isValid());

    // One error event in the client's format, last, then a clean end.
    QTRY_VERIFY_WITH_TIMEOUT(stream.responses().size() == 1, kTimeoutMs);
    QVERIFY(stream.framingError().isEmpty());
    QVERIFY(!stream.isClosed());
    const QByteArray streamed = stream.responses().first().body;
    QCOMPARE(streamed.count("invalid_api_key"), 1);
    const qsizetype last = streamed.lastIndexOf("\n\n", streamed.size() - 3);
    const QByteArray lastEvent = streamed.mid(last + 2);
    QVERIFY2(lastEvent.startsWith(anthropic ? "event: error\ndata: {" : "data: {\"error\""), lastEvent.constData());
    QVERIFY(lastEvent.contains("\"code\":\"invalid_api_key\""));

    // Only the revoked key's stream was cut.
    const qsizetype before = bystander.received().size();
    QVERIFY(bystander.waitForStream([&](const QByteArray &) { return bystander.received().size() > before; },
                                    kTimeoutMs));
    QVERIFY(!bystander.received().contains("invalid_api_key"));
    bystander.abort();

    // The next call is refused, in the client's shape.
    const HttpReply next = client.post(gw.url(QString::fromLatin1(path)), Canned::chatBody("sim-small", 10, false, "again"),
                                       bearer(victim.key));
    QCOMPARE(next.status, 401);
    QCOMPARE(errorCode(next), QByteArray("invalid_api_key"));
    QCOMPARE(next.json().value(u"error"_s).toObject().value(u"type"_s).toString(), u"authentication_error"_s);
    QCOMPARE(next.header("x-should-retry"), QByteArray("false"));
    QCOMPARE(client.post(gw.url(QString::fromLatin1(path)), Canned::chatBody("sim-small", 10, true, "again"), bearer(victim.key))
                 .status, 401);

    // The cut call is billed from what was metered, and recorded.
    QJsonObject row;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const HttpReply usage = client.get(gw.url(QString(u"/admin/usage?key_id="_s + QString::number(victim.id))),
                                               adminAuth(gw));
            for (const QJsonValue &v : usage.json().value(u"records"_s).toArray()) {
                if (v.toObject().value(u"request_id"_s).toString().toLatin1() == requestId)
                    row = v.toObject();
            }
            return !row.isEmpty();
        }(),
        kTimeoutMs);
    QCOMPARE(row.value(u"error"_s).toString(), u"invalid_api_key"_s);
    QVERIFY(row.value(u"cost"_s).toDouble() > 0);
    const QJsonObject key = client.get(gw.url(QString(u"/admin/keys/"_s + QString::number(victim.id))), adminAuth(gw))
                                .json();
    QVERIFY(qAbs(key.value(u"spend_total"_s).toDouble() - row.value(u"cost"_s).toDouble()) < 1e-12);
}

void tst_KeysE2E::passThrough()
{
    FakeProvider openai;
    FakeProvider anthropic;
    QVERIFY(openai.isListening() && anthropic.isListening());
    openai.setReplyFunction([](const FakeRequest &) { return FakeReply::json(Canned::openAiCompletion()); });
    anthropic.setReplyFunction([](const FakeRequest &) { return FakeReply::json(Canned::anthropicMessage()); });
    TestGateway gw;
    gw.addOpenAi(openai);
    gw.addAnthropic(anthropic);
    gw.config().passthrough = true;
    QVERIFY(gw.start());
    const CutOnExit guard{gw};
    TestClient client;
    const QByteArray openAiCaller = "sk-proj-callers-own-key-Q7vLm2";
    const QByteArray anthropicCaller = "sk-ant-api03-callers-own-key-W4rT";
    const HttpHeaders json{{"content-type", "application/json"}, {"x-tollgate-cache", "bypass"}};

    // OpenAI, Bearer: the caller's key goes upstream instead of the gateway's.
    HttpHeaders h = json;
    h.emplaceBack("authorization", "Bearer " + openAiCaller);
    QByteArray chat = Canned::openAiRequest("gpt-4o-mini");
    chat.replace("\"temperature\"", "\"max_tokens\":20,\"temperature\"");
    HttpReply r = client.post(gw.url(u"/v1/chat/completions"), chat, h);
    QCOMPARE(r.status, 200);
    QCOMPARE(openai.lastRequest().header("authorization"), "Bearer " + openAiCaller);
    QVERIFY(!openai.lastRequest().body.contains(TestGateway::kOpenAiKey.toByteArray()));
    QVERIFY(!r.header("x-tollgate-request-id").isEmpty());
    QVERIFY(r.header("x-tollgate-cost-usd").toDouble() > 0);

    // Anthropic, x-api-key.
    h = json;
    h.emplaceBack("x-api-key", anthropicCaller);
    h.emplaceBack("anthropic-version", "2023-06-01");
    r = client.post(gw.url(u"/v1/messages"), Canned::anthropicRequest("claude-sonnet-4-5"), h);
    QCOMPARE(r.status, 200);
    QCOMPARE(anthropic.lastRequest().header("x-api-key"), anthropicCaller);
    QVERIFY(!anthropic.lastRequest().header("authorization").contains(TestGateway::kAnthropicKey.toByteArray()));

    // A Tollgate key still gets the configured credential.
    r = client.post(gw.url(u"/v1/chat/completions"), chat, [&] {
        HttpHeaders t = json;
        t.append(gw.authHeaders());
        return t;
    }());
    QCOMPARE(r.status, 200);
    QCOMPARE(openai.lastRequest().header("authorization"), "Bearer " + TestGateway::kOpenAiKey.toByteArray());

    // Recorded with key_id null.
    QJsonArray records;
    QTRY_VERIFY_WITH_TIMEOUT(
        (records = client.get(gw.url(u"/admin/usage"), adminAuth(gw)).json().value(u"records"_s).toArray()).size() == 3,
        kTimeoutMs);
    int anonymous = 0;
    for (const QJsonValue &v : records) {
        const QJsonObject o = v.toObject();
        QVERIFY(o.value(u"cost"_s).toDouble() > 0);
        anonymous += o.value(u"key_id"_s).isNull() ? 1 : 0;
    }
    QCOMPARE(anonymous, 2);

    // Governed by its run's budget: the first call spends past it, the
    // second is refused before it reaches the provider.
    h = json;
    h.emplaceBack("authorization", "Bearer " + openAiCaller);
    h.emplaceBack("x-tollgate-run-id", "pt-run");
    h.emplaceBack("x-tollgate-run-budget-usd", "0.00005");
    r = client.post(gw.url(u"/v1/chat/completions"), chat, h);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("x-tollgate-run-id"), QByteArray("pt-run"));
    const int upstreamCalls = openai.requestCount();
    r = client.post(gw.url(u"/v1/chat/completions"), chat, h);
    QCOMPARE(r.status, 402);
    QCOMPARE(errorCode(r), QByteArray("run_budget_exceeded"));
    QCOMPARE(openai.requestCount(), upstreamCalls);
    const QJsonObject run = client.get(gw.url(u"/admin/runs/pt-run"), adminAuth(gw)).json();
    QVERIFY(run.value(u"key_id"_s).isNull());
    QCOMPARE(run.value(u"calls"_s).toInt(), 2);
    QCOMPARE(run.value(u"state"_s).toString(), u"budget_exceeded"_s);
    QVERIFY(run.value(u"spend"_s).toDouble() > 0);

    // A kill applies to pass-through runs as to any.
    QCOMPARE(client.post(gw.url(u"/admin/runs/pt-run/kill"), {}, adminAuth(gw)).status, 200);
    r = client.post(gw.url(u"/v1/chat/completions"), chat, h);
    QCOMPARE(r.status, 409);

    // The callers' own keys are not kept either.
    QVERIFY(flushStore(gw));
    int files = 0;
    const QStringList found = leaks(gw.dataDir(), secretForms("openai caller", openAiCaller)
                                                       + secretForms("anthropic caller", anthropicCaller), &files);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(u"\n"_s)));
}

QTEST_GUILESS_MAIN(tst_KeysE2E)
#include "tst_keys_e2e.moc"
