// The response cache through the whole gateway, as a caller notices it:
// which request fields make a new answer (model, messages, system,
// temperature, max_tokens, tools) and which do not (stream,
// stream_options, user, metadata, field order, the caller's own key: two
// keys share hits); the TTL and the size bound from the config's `cache`
// section; answers that survive a restart on the same data dir; a hit
// answered in the caller's mode (a streaming request replayed as many
// events from a whole answer, and a whole answer from a streamed one) at
// cost 0 with the saved cost in the ledger; single flight (twenty identical
// calls at once make one upstream call); bypass by request header; and a
// key's opt-out through the admin API.

#include "canned.h"
#include "config/configloader.h"
#include "fakeprovider.h"
#include "gateway.h"
#include "governance/keystore.h"
#include "pipeline/callmonitor.h"
#include "rawconnection.h"
#include "restartablegateway.h"
#include "streamgrammar.h"
#include "testclient.h"
#include "testgateway.h"
#include "wire/sseparser.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 15000;

// Long enough for a replayed stream to take several events.
const QByteArray kLongText = "The Glomma, the Rhine and the Danube are three long rivers of Europe, each with many towns.";

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray openAiAnswer()
{
    return Canned::openAiCompletion().replace("Hello, gateway!", kLongText);
}

QByteArray anthropicAnswer()
{
    return Canned::anthropicMessage().replace("Hello, gateway!", kLongText);
}

// A fake that answers in whichever mode the gateway asked.
void serveAll(FakeProvider &fake, bool anthropic)
{
    fake.setReplyFunction([anthropic](const FakeRequest &r) {
        const bool stream = r.json().value(u"stream"_s).toBool();
        if (anthropic)
            return stream ? FakeReply::sse(Canned::anthropicStream()) : FakeReply::json(anthropicAnswer());
        return stream ? FakeReply::sse(Canned::openAiStream(true)) : FakeReply::json(openAiAnswer());
    });
}

const QJsonArray kTools{QJsonObject{
    {u"type"_s, u"function"_s},
    {u"function"_s, QJsonObject{{u"name"_s, u"lookup_river"_s},
                                {u"description"_s, u"Facts about a river"_s},
                                {u"parameters"_s, QJsonObject{{u"type"_s, u"object"_s}}}}}}};

QJsonObject openAiBase()
{
    return QJsonObject{
        {u"model"_s, u"gpt-4o-mini"_s},
        {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, u"You are terse."_s}},
                                   QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Name three rivers."_s}}}},
        {u"temperature"_s, 0.2},
        {u"max_tokens"_s, 100},
        {u"tools"_s, kTools},
    };
}

QJsonObject anthropicBase()
{
    return QJsonObject{
        {u"model"_s, u"claude-sonnet-4-5"_s},
        {u"system"_s, u"You are terse."_s},
        {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Name three rivers."_s}}}},
        {u"temperature"_s, 0.2},
        {u"max_tokens"_s, 100},
        {u"tools"_s, QJsonArray{QJsonObject{{u"name"_s, u"lookup_river"_s},
                                            {u"description"_s, u"Facts about a river"_s},
                                            {u"input_schema"_s, QJsonObject{{u"type"_s, u"object"_s}}}}}},
    };
}

// The same object written the way another client might: keys in reverse
// order, with whitespace.
QByteArray reordered(const QJsonObject &o)
{
    QStringList keys = o.keys();
    std::reverse(keys.begin(), keys.end());
    QByteArray out = "{ ";
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (i)
            out += " ,\n  ";
        const QJsonValue v = o.value(keys[i]);
        QByteArray value = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Indented).trimmed();
        value = value.mid(1, value.size() - 2).trimmed(); // the element, out of its array
        out += '"' + keys[i].toUtf8() + "\" :  " + value;
    }
    return out + " }";
}

QList<SseEvent> sseEvents(const QByteArray &body)
{
    QList<SseEvent> out;
    SseParser parser;
    parser.feed(body, [&out](const SseEvent &e) { out.append(e); });
    return out;
}

HttpHeaders bearer(const QByteArray &key)
{
    return {{"authorization", "Bearer " + key}};
}

struct Fixture
{
    FakeProvider openai;
    FakeProvider anthropic;
    TestGateway gw;
    TestClient client;

    Fixture()
    {
        gw.addOpenAi(openai, {u"gpt-*"_s});
        gw.addAnthropic(anthropic, {u"claude-*"_s});
        serveAll(openai, false);
        serveAll(anthropic, true);
    }

    int upstreamCalls() const { return openai.requestCount() + anthropic.requestCount(); }

    HttpReply call(const QByteArray &path, const QByteArray &body, HttpHeaders headers = {})
    {
        if (headers.isEmpty())
            headers = gw.authHeaders();
        return RawConnection::exchange(gw.port(), HttpWire::request("POST", path, headers, body), kTimeoutMs);
    }

    HttpHeaders admin() { return bearer(gw.gateway()->adminToken()); }

    // A caller key minted through the admin API; its id in *id.
    QByteArray mintKey(const QByteArray &name, qint64 *id = nullptr)
    {
        const HttpReply r = client.post(gw.url(u"/admin/keys"), R"({"name":")" + name + R"("})", admin());
        if (id)
            *id = r.json().value(u"record"_s).toObject().value(u"id"_s).toInteger();
        return r.json().value(u"key"_s).toString().toUtf8();
    }
};


} // namespace

class tst_CacheE2e : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keyFields_data();
    void keyFields();
    void ttlExpires();
    void evictedBySize();
    void survivesRestart();
    void replayedInTheCallersMode_data();
    void replayedInTheCallersMode();
    void singleFlight_data();
    void singleFlight();
    void bypassByHeader_data();
    void bypassByHeader();
    void keyOptOut();
    void failuresAreNotCached();
    void translatedAnswerKeptInTheCallersFormat_data();
    void translatedAnswerKeptInTheCallersFormat();
};

void tst_CacheE2e::keyFields_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<bool>("otherKey");
    QTest::addColumn<bool>("hit");

    const QByteArray chat = "/v1/chat/completions";
    const QByteArray messages = "/v1/messages";
    auto row = [](const char *name, const QByteArray &path, const QJsonObject &base, const QJsonObject &changed,
                  bool hit, bool otherKey = false) {
        QTest::newRow(name) << path << compact(base) << compact(changed) << otherKey << hit;
    };
    auto with = [](QJsonObject o, const QString &key, const QJsonValue &value) {
        o.insert(key, value);
        return o;
    };
    auto without = [](QJsonObject o, const QString &key) {
        o.remove(key);
        return o;
    };

    const QJsonObject oa = openAiBase();
    QJsonArray otherMessages = oa.value(u"messages"_s).toArray();
    otherMessages.replace(1, QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Name four rivers."_s}});
    QJsonArray otherSystem = oa.value(u"messages"_s).toArray();
    otherSystem.replace(0, QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, u"You are verbose."_s}});
    QJsonArray otherTools = kTools;
    QJsonObject tool = otherTools.at(0).toObject();
    QJsonObject function = tool.value(u"function"_s).toObject();
    function.insert(u"description"_s, u"Facts about a lake"_s);
    tool.insert(u"function"_s, function);
    otherTools.replace(0, tool);

    row("openai: model changes the key", chat, oa, with(oa, u"model"_s, u"gpt-4o"_s), false);
    row("openai: messages change the key", chat, oa, with(oa, u"messages"_s, otherMessages), false);
    row("openai: the system message changes the key", chat, oa, with(oa, u"messages"_s, otherSystem), false);
    row("openai: temperature changes the key", chat, oa, with(oa, u"temperature"_s, 0.7), false);
    row("openai: max_tokens changes the key", chat, oa, with(oa, u"max_tokens"_s, 101), false);
    row("openai: tools change the key", chat, oa, with(oa, u"tools"_s, otherTools), false);
    row("openai: no tools changes the key", chat, oa, without(oa, u"tools"_s), false);
    row("openai: tool_choice changes the key", chat, oa, with(oa, u"tool_choice"_s, u"required"_s), false);
    row("openai: seed changes the key", chat, oa, with(oa, u"seed"_s, 7), false);
    row("openai: stream does not", chat, oa, with(oa, u"stream"_s, true), true);
    row("openai: stream_options does not", chat, oa,
        with(with(oa, u"stream"_s, true), u"stream_options"_s, QJsonObject{{u"include_usage"_s, true}}), true);
    row("openai: user does not", chat, oa, with(oa, u"user"_s, u"alice@example.com"_s), true);
    row("openai: metadata does not", chat, oa, with(oa, u"metadata"_s, QJsonObject{{u"job"_s, u"nightly"_s}}), true);
    row("openai: the caller's key does not", chat, oa, oa, true, true);
    QTest::newRow("openai: field order and whitespace do not")
        << chat << compact(oa) << reordered(oa) << false << true;
    row("openai: a seed past 2^53 changes the key", chat, with(oa, u"seed"_s, qint64(9007199254740992)),
        with(oa, u"seed"_s, qint64(9007199254740993)), false);
    {
        const QByteArray one = compact(with(oa, u"temperature"_s, 1));
        QByteArray onePointZero = one;
        onePointZero.replace("\"temperature\":1", "\"temperature\":1.0");
        QVERIFY(onePointZero != one);
        QTest::newRow("openai: 1 and 1.0 do not") << chat << one << onePointZero << false << true;
    }

    const QJsonObject an = anthropicBase();
    QJsonArray anMessages{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Name four rivers."_s}}};
    row("anthropic: model changes the key", messages, an, with(an, u"model"_s, u"claude-haiku-4-5"_s), false);
    row("anthropic: messages change the key", messages, an, with(an, u"messages"_s, anMessages), false);
    row("anthropic: system changes the key", messages, an, with(an, u"system"_s, u"You are verbose."_s), false);
    row("anthropic: no system changes the key", messages, an, without(an, u"system"_s), false);
    row("anthropic: temperature changes the key", messages, an, with(an, u"temperature"_s, 0.9), false);
    row("anthropic: max_tokens changes the key", messages, an, with(an, u"max_tokens"_s, 200), false);
    row("anthropic: tools change the key", messages, an, without(an, u"tools"_s), false);
    row("anthropic: stream does not", messages, an, with(an, u"stream"_s, true), true);
    row("anthropic: metadata does not", messages, an,
        with(an, u"metadata"_s, QJsonObject{{u"user_id"_s, u"u-1234"_s}}), true);
    row("anthropic: the caller's key does not", messages, an, an, true, true);
    QTest::newRow("anthropic: field order and whitespace do not")
        << messages << compact(an) << reordered(an) << false << true;
}

void tst_CacheE2e::keyFields()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(bool, otherKey);
    QFETCH(bool, hit);

    // Only the caller's key row sends the same bytes twice.
    QCOMPARE(first == second, otherKey);

    Fixture f;
    QVERIFY(f.gw.start());
    const HttpReply a = f.call(path, first);
    QCOMPARE(a.status, 200);
    QCOMPARE(a.header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.upstreamCalls(), 1);

    // The same request again is a hit: the baseline the row varies.
    const HttpReply again = f.call(path, first);
    QCOMPARE(again.header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(again.body, a.body);

    const QByteArray secondKey = otherKey ? f.mintKey("second caller") : QByteArray();
    if (otherKey)
        QVERIFY(secondKey.startsWith("tg-") && !f.gw.authHeaders().first().second.endsWith(secondKey));
    const HttpHeaders headers = otherKey ? bearer(secondKey) : f.gw.authHeaders();
    const HttpReply b = f.call(path, second, headers);
    QCOMPARE(b.status, 200);
    QCOMPARE(b.header("x-tollgate-cache"), hit ? QByteArray("hit") : QByteArray("miss"));
    QCOMPARE(f.upstreamCalls(), hit ? 1 : 2);
    const bool streamed = QJsonDocument::fromJson(second).object().value(u"stream"_s).toBool();
    if (hit && !streamed)
        QCOMPARE(b.body, a.body);
    QCOMPARE(b.header("x-tollgate-provider"), a.header("x-tollgate-provider"));
}

void tst_CacheE2e::ttlExpires()
{
    Fixture f;
    QString error;
    const auto parsed = ConfigLoader::fromJson(R"({"cache": {"ttl_s": 1}})", u"ttl.json"_s, &error);
    QVERIFY2(parsed, qPrintable(error));
    f.gw.config().cache = parsed->cache;
    QVERIFY(f.gw.start());

    const QByteArray body = compact(openAiBase());
    QCOMPARE(f.call("/v1/chat/completions", body).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.call("/v1/chat/completions", body).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.upstreamCalls(), 1);
    // Past its second the answer is gone; the next call goes upstream and is stored anew.
    QTest::qWait(1000 + 300);
    QCOMPARE(f.call("/v1/chat/completions", body).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.upstreamCalls(), 2);
    QCOMPARE(f.call("/v1/chat/completions", body).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.upstreamCalls(), 2);
}

void tst_CacheE2e::evictedBySize()
{
    // Room for two answers, not three (an entry is its body, its key and a
    // little bookkeeping).
    const double entry = double(openAiAnswer().size() + 32 + 128);
    const QByteArray mb = QByteArray::number(2.5 * entry / (1 << 20), 'f', 8);
    Fixture f;
    QString error;
    const auto parsed = ConfigLoader::fromJson(R"({"cache": {"max_mb": )" + mb + "}}", u"size.json"_s, &error);
    QVERIFY2(parsed, qPrintable(error));
    f.gw.config().cache = parsed->cache;
    QVERIFY(f.gw.start());

    auto body = [](const QString &question) {
        QJsonObject o = openAiBase();
        o.insert(u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, question}}});
        return compact(o);
    };
    const QByteArray a = body(u"A?"_s), b = body(u"B?"_s), c = body(u"C?"_s);
    for (const QByteArray &x : {a, b, c})
        QCOMPARE(f.call("/v1/chat/completions", x).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.upstreamCalls(), 3);
    // The least recently used answer (A) made room for C.
    QCOMPARE(f.call("/v1/chat/completions", c).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.call("/v1/chat/completions", b).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.upstreamCalls(), 3);
    QCOMPARE(f.call("/v1/chat/completions", a).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.upstreamCalls(), 4);
    // A came back and pushed out C, the least recently used now.
    QCOMPARE(f.call("/v1/chat/completions", b).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.call("/v1/chat/completions", c).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.upstreamCalls(), 5);
}

void tst_CacheE2e::survivesRestart()
{
    FakeProvider openai;
    serveAll(openai, false);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Config config;
    config.listenHost = u"127.0.0.1"_s;
    config.listenPort = 0;
    ProviderConfig p;
    p.name = u"openai"_s;
    p.kind = u"openai"_s;
    p.baseUrl = openai.openAiBaseUrl();
    p.apiKey = QString::fromLatin1(TestGateway::kOpenAiKey);
    p.models = {u"gpt-*"_s};
    config.providers = {p};

    const QByteArray body = compact(openAiBase());
    const QByteArray stored = compact(openAiBase()).replace("three", "five");
    QByteArray key;
    QByteArray firstAnswer;
    {
        RestartableGateway one;
        QVERIFY(one.start(config, dir.path()));
        KeyRecord settings;
        settings.name = u"restart"_s;
        key = one.gateway->services().keys->mint(settings).rawKey;
        const HttpReply r = RawConnection::exchange(
            one.gateway->port(), HttpWire::request("POST", "/v1/chat/completions", bearer(key), body), kTimeoutMs);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-tollgate-cache"), QByteArray("miss"));
        firstAnswer = r.body;
        const HttpReply s = RawConnection::exchange(
            one.gateway->port(), HttpWire::request("POST", "/v1/chat/completions", bearer(key), stored), kTimeoutMs);
        QCOMPARE(s.status, 200);
        QCOMPARE(openai.requestCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(one.records.size(), 2, kTimeoutMs);
    } // the gateway goes; the data dir stays

    RestartableGateway two;
    QVERIFY(two.start(config, dir.path()));
    // The cache comes back while the gateway already listens (see tst_cacheload_e2e).
    QTRY_VERIFY_WITH_TIMEOUT(two.gateway->isCacheLoaded(), kTimeoutMs);
    const quint16 port = two.gateway->port();
    for (const QByteArray &b : {body, stored}) {
        const HttpReply r = RawConnection::exchange(
            port, HttpWire::request("POST", "/v1/chat/completions", bearer(key), b), kTimeoutMs);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-tollgate-cache"), QByteArray("hit"));
        QCOMPARE(r.header("x-tollgate-provider"), QByteArray("openai"));
    }
    QCOMPARE(openai.requestCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(two.records.size(), 2, kTimeoutMs);
    QVERIFY(two.records.first().cached);
    QVERIFY(two.records.first().savedCost > 0);

    const HttpReply again = RawConnection::exchange(
        port, HttpWire::request("POST", "/v1/chat/completions", bearer(key), body), kTimeoutMs);
    QCOMPARE(again.body, firstAnswer);
}

void tst_CacheE2e::replayedInTheCallersMode_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("firstStreamed");
    QTest::addColumn<bool>("includeUsage");
    QTest::newRow("openai: whole answer replayed as a stream") << false << false << false;
    QTest::newRow("openai: whole answer replayed as a stream with usage") << false << false << true;
    QTest::newRow("openai: streamed answer given whole") << false << true << false;
    QTest::newRow("openai: streamed answer replayed as a stream") << false << true << true;
    QTest::newRow("anthropic: whole answer replayed as a stream") << true << false << false;
    QTest::newRow("anthropic: streamed answer given whole") << true << true << false;
}

void tst_CacheE2e::replayedInTheCallersMode()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, firstStreamed);
    QFETCH(bool, includeUsage);

    Fixture f;
    QVERIFY(f.gw.start());
    const QByteArray path = anthropic ? "/v1/messages" : "/v1/chat/completions";
    QJsonObject base = anthropic ? anthropicBase() : openAiBase();
    base.remove(u"tools"_s);
    QJsonObject streamed = base;
    streamed.insert(u"stream"_s, true);
    if (includeUsage)
        streamed.insert(u"stream_options"_s, QJsonObject{{u"include_usage"_s, true}});

    const HttpReply first = f.call(path, compact(firstStreamed ? streamed : base));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.header("x-tollgate-cache"), QByteArray("miss"));
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord original = f.gw.lastRecord();
    QVERIFY(original.cost > 0);

    // The second call asks in the other mode (or, last row, the same).
    const bool secondStreamed = !firstStreamed || includeUsage;
    const HttpReply hit = f.call(path, compact(secondStreamed ? streamed : base));
    QCOMPARE(hit.status, 200);
    QCOMPARE(hit.header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(hit.header("x-tollgate-provider"), QByteArray(anthropic ? "anthropic" : "openai"));
    QCOMPARE(f.upstreamCalls(), 1);

    // The text the client gets is the original answer's.
    const QString text = firstStreamed ? u"Hello! The gateway forwards every event as it arrives, byte for byte."_s
                                       : QString::fromUtf8(kLongText);
    if (secondStreamed) {
        QVERIFY(hit.chunked);
        QVERIFY(hit.header("content-type").startsWith("text/event-stream"));
        QVERIFY(!hit.hasHeader("x-tollgate-cost-usd"));
        const QList<SseEvent> events = sseEvents(hit.body);
        QVERIFY2(events.size() >= 8, qPrintable(QString::number(events.size()))); // many events, not one lump
        if (anthropic) {
            QCOMPARE(StreamGrammar::anthropicOrderProblem(events), QString());
            const auto blocks = StreamGrammar::anthropicBlocks(events);
            QCOMPARE(blocks.size(), 1);
            QCOMPARE(blocks[0].text, text);
            const QJsonObject start = StreamGrammar::findEvent(events, u"message_start"_s);
            QCOMPARE(start.value(u"message"_s).toObject().value(u"usage"_s).toObject().value(u"cache_read_input_tokens"_s)
                         .toInteger(),
                     Canned::kAnthropicCacheRead);
        } else {
            const StreamGrammar::OpenAiView view = StreamGrammar::openAiView(events);
            QVERIFY2(view.problem.isEmpty(), qPrintable(view.problem));
            QVERIFY(view.done);
            QCOMPARE(view.content, text);
            QCOMPARE(view.finishReason, u"stop"_s);
            // The usage chunk only for a client that asked for it.
            QCOMPARE(hit.body.contains("\"prompt_tokens\""), includeUsage);
        }
    } else {
        QVERIFY(!hit.chunked);
        QVERIFY(hit.header("content-type").startsWith("application/json"));
        QCOMPARE(hit.header("x-tollgate-cost-usd").toDouble(), 0.0);
        const QJsonObject body = hit.json();
        if (anthropic) {
            QCOMPARE(body.value(u"type"_s).toString(), u"message"_s);
            QCOMPARE(body.value(u"content"_s).toArray().first().toObject().value(u"text"_s).toString(), text);
            QCOMPARE(body.value(u"stop_reason"_s).toString(), u"end_turn"_s);
            QCOMPARE(body.value(u"usage"_s).toObject().value(u"output_tokens"_s).toInteger(),
                     Canned::kAnthropicOutputTokens);
        } else {
            QCOMPARE(body.value(u"object"_s).toString(), u"chat.completion"_s);
            const QJsonObject message =
                body.value(u"choices"_s).toArray().first().toObject().value(u"message"_s).toObject();
            QCOMPARE(message.value(u"content"_s).toString(), text);
            QCOMPARE(body.value(u"usage"_s).toObject().value(u"completion_tokens"_s).toInteger(),
                     Canned::kOpenAiCompletionTokens);
        }
    }

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 2, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QVERIFY(r.cached);
    QCOMPARE(r.cost, 0.0);
    QCOMPARE(r.savedCost, original.cost);
    QVERIFY(r.savedCost > 0);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.provider, original.provider);
    QCOMPARE(r.outputTokens, original.outputTokens);
}

void tst_CacheE2e::singleFlight_data()
{
    QTest::addColumn<bool>("stream");
    QTest::newRow("whole") << false;
    QTest::newRow("stream") << true;
}

void tst_CacheE2e::singleFlight()
{
    QFETCH(bool, stream);
    constexpr int kCalls = 20;

    Fixture f;
    QVERIFY(f.gw.start());
    // The one upstream answer takes its time, so every call is in flight with it.
    f.openai.setReplyFunction([](const FakeRequest &r) {
        const bool s = r.json().value(u"stream"_s).toBool();
        return (s ? FakeReply::sse(Canned::openAiStream(true), 5) : FakeReply::json(openAiAnswer())).withHeadDelay(1200);
    });
    QJsonObject body = openAiBase();
    if (stream)
        body.insert(u"stream"_s, true);
    const QByteArray request = HttpWire::request("POST", "/v1/chat/completions", f.gw.authHeaders(), compact(body));

    std::vector<std::unique_ptr<RawConnection>> clients;
    for (int i = 0; i < kCalls; ++i) {
        clients.push_back(std::make_unique<RawConnection>(f.gw.port()));
        QVERIFY(clients.back()->waitConnected());
    }
    for (auto &c : clients)
        c->send(request);
    QTRY_COMPARE_WITH_TIMEOUT(f.openai.requestCount(), 1, kTimeoutMs);
    // While the leader waits, the others wait with it rather than go upstream.
    QTest::qWait(300);
    QCOMPARE(f.openai.requestCount(), 1);
    for (auto &c : clients)
        QVERIFY(c->responses().isEmpty());

    int hits = 0, misses = 0;
    QByteArray missBody;
    for (auto &c : clients) {
        QVERIFY2(c->waitForResponses(1, kTimeoutMs), qPrintable(c->framingError()));
        const HttpReply r = c->responses().first();
        QCOMPARE(r.status, 200);
        if (r.header("x-tollgate-cache") == "hit") {
            ++hits;
        } else {
            QCOMPARE(r.header("x-tollgate-cache"), QByteArray("miss"));
            ++misses;
            missBody = r.body;
        }
    }
    QCOMPARE(misses, 1);
    QCOMPARE(hits, kCalls - 1);
    QCOMPARE(f.openai.requestCount(), 1);
    // Every follower got the leader's answer.
    for (auto &c : clients) {
        const HttpReply r = c->responses().first();
        if (stream) {
            const StreamGrammar::OpenAiView view = StreamGrammar::openAiView(sseEvents(r.body));
            QVERIFY2(view.problem.isEmpty(), qPrintable(view.problem));
            QCOMPARE(view.content, u"Hello! The gateway forwards every event as it arrives, byte for byte."_s);
        } else {
            QCOMPARE(r.body, missBody);
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), kCalls, kTimeoutMs);
    int cached = 0;
    for (const UsageRecord &r : f.gw.records()) {
        cached += r.cached ? 1 : 0;
        QCOMPARE(r.cost > 0, !r.cached);
    }
    QCOMPARE(cached, kCalls - 1);
}

void tst_CacheE2e::bypassByHeader_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("Cache-Control: no-cache") << QByteArray("Cache-Control") << QByteArray("no-cache");
    QTest::newRow("Cache-Control: no-store") << QByteArray("Cache-Control") << QByteArray("no-store");
    QTest::newRow("X-Tollgate-Cache: bypass") << QByteArray("X-Tollgate-Cache") << QByteArray("bypass");
}

void tst_CacheE2e::bypassByHeader()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);

    Fixture f;
    QVERIFY(f.gw.start());
    const QByteArray body = compact(anthropicBase());
    QCOMPARE(f.call("/v1/messages", body).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.upstreamCalls(), 1);

    HttpHeaders headers = f.gw.authHeaders();
    headers.append({name, value});
    const HttpReply bypassed = f.call("/v1/messages", body, headers);
    QCOMPARE(bypassed.status, 200);
    QCOMPARE(bypassed.header("x-tollgate-cache"), QByteArray("bypass"));
    QCOMPARE(f.upstreamCalls(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 2, kTimeoutMs);
    QVERIFY(!f.gw.lastRecord().cached);
    QVERIFY(f.gw.lastRecord().cost > 0);

    // Without the header the stored answer still serves.
    QCOMPARE(f.call("/v1/messages", body).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.upstreamCalls(), 2);
}

void tst_CacheE2e::keyOptOut()
{
    Fixture f;
    QVERIFY(f.gw.start());
    qint64 optOutId = 0;
    const QByteArray optOut = f.mintKey("private", &optOutId);
    const QByteArray other = f.mintKey("shared");
    QVERIFY(!optOut.isEmpty() && !other.isEmpty() && optOutId > 0);

    const QByteArray body = compact(openAiBase());
    QCOMPARE(f.call("/v1/chat/completions", body, bearer(optOut)).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.call("/v1/chat/completions", body, bearer(other)).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.upstreamCalls(), 1);

    const HttpReply patched = f.client.send("PATCH", f.gw.url(QString(u"/admin/keys/"_s + QString::number(optOutId))),
                                            R"({"cache_enabled": false})", f.admin());
    QCOMPARE(patched.status, 200);
    QCOMPARE(patched.json().value(u"cache_enabled"_s).toBool(true), false);

    // The opted-out key neither reads the cache…
    const HttpReply mine = f.call("/v1/chat/completions", body, bearer(optOut));
    QCOMPARE(mine.status, 200);
    QCOMPARE(mine.header("x-tollgate-cache"), QByteArray("bypass"));
    QCOMPARE(f.upstreamCalls(), 2);
    // …nor leaves its answers in it.
    QJsonObject fresh = openAiBase();
    fresh.insert(u"temperature"_s, 0.9);
    QCOMPARE(f.call("/v1/chat/completions", compact(fresh), bearer(optOut)).header("x-tollgate-cache"),
             QByteArray("bypass"));
    QCOMPARE(f.call("/v1/chat/completions", compact(fresh), bearer(other)).header("x-tollgate-cache"),
             QByteArray("miss"));
    QCOMPARE(f.upstreamCalls(), 4);
    // Other keys keep their hits.
    QCOMPARE(f.call("/v1/chat/completions", body, bearer(other)).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.upstreamCalls(), 4);

    // And opting back in reads the cache again.
    QCOMPARE(f.client.send("PATCH", f.gw.url(QString(u"/admin/keys/"_s + QString::number(optOutId))), R"({"cache_enabled": true})",
                           f.admin())
                 .status,
             200);
    QCOMPARE(f.call("/v1/chat/completions", body, bearer(optOut)).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.upstreamCalls(), 4);
}

void tst_CacheE2e::failuresAreNotCached()
{
    // A provider's refusal and a stream that broke off are not answers to keep.
    Fixture f;
    QVERIFY(f.gw.start());
    f.openai.setReplyFunction({});
    f.openai.enqueue(FakeReply::error(400, Canned::openAiError("Invalid value for 'temperature'")));
    f.openai.enqueue(FakeReply::truncated(Canned::openAiStream(true), 4));
    f.openai.enqueue(FakeReply::json(openAiAnswer()));
    QJsonObject body = openAiBase();
    QCOMPARE(f.call("/v1/chat/completions", compact(body)).status, 400);
    body.insert(u"stream"_s, true);
    const HttpReply broken = f.call("/v1/chat/completions", compact(body));
    QCOMPARE(broken.status, 200);
    QCOMPARE(broken.header("x-tollgate-cache"), QByteArray("miss"));
    body.remove(u"stream"_s);
    const HttpReply whole = f.call("/v1/chat/completions", compact(body));
    QCOMPARE(whole.status, 200);
    QCOMPARE(whole.header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(whole.body, openAiAnswer());
    QCOMPARE(f.openai.requestCount(), 3);
}

void tst_CacheE2e::translatedAnswerKeptInTheCallersFormat_data()
{
    QTest::addColumn<bool>("anthropicClient");
    QTest::addColumn<bool>("firstStreamed");
    QTest::newRow("openai client, anthropic provider, streamed then whole") << false << true;
    QTest::newRow("openai client, anthropic provider, whole then streamed") << false << false;
    QTest::newRow("anthropic client, openai provider, streamed then whole") << true << true;
    QTest::newRow("anthropic client, openai provider, whole then streamed") << true << false;
}

void tst_CacheE2e::translatedAnswerKeptInTheCallersFormat()
{
    // An answer that crossed formats is stored as the client got it, and
    // served from the cache in that format, in either mode.
    QFETCH(bool, anthropicClient);
    QFETCH(bool, firstStreamed);

    Fixture f;
    QVERIFY(f.gw.start());
    const QByteArray path = anthropicClient ? "/v1/messages" : "/v1/chat/completions";
    QJsonObject base = anthropicClient ? anthropicBase() : openAiBase();
    base.insert(u"model"_s, anthropicClient ? u"gpt-4o-mini"_s : u"claude-sonnet-4-5"_s);
    base.remove(u"tools"_s);
    QJsonObject streamed = base;
    streamed.insert(u"stream"_s, true);

    const HttpReply first = f.call(path, compact(firstStreamed ? streamed : base));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.header("x-tollgate-cache"), QByteArray("miss"));
    const HttpReply hit = f.call(path, compact(firstStreamed ? base : streamed));
    QCOMPARE(hit.status, 200);
    QCOMPARE(hit.header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(hit.header("x-tollgate-provider"), QByteArray(anthropicClient ? "openai" : "anthropic"));
    QCOMPARE(f.upstreamCalls(), 1);

    const QString text = firstStreamed ? u"Hello! The gateway forwards every event as it arrives, byte for byte."_s
                                       : QString::fromUtf8(kLongText);
    if (firstStreamed) {
        const QJsonObject body = hit.json();
        if (anthropicClient) {
            QCOMPARE(body.value(u"type"_s).toString(), u"message"_s);
            QCOMPARE(body.value(u"content"_s).toArray().first().toObject().value(u"text"_s).toString(), text);
        } else {
            QCOMPARE(body.value(u"object"_s).toString(), u"chat.completion"_s);
            QCOMPARE(body.value(u"choices"_s).toArray().first().toObject().value(u"message"_s).toObject()
                         .value(u"content"_s).toString(),
                     text);
        }
    } else {
        const QList<SseEvent> events = sseEvents(hit.body);
        if (anthropicClient) {
            QCOMPARE(StreamGrammar::anthropicOrderProblem(events), QString());
            QCOMPARE(StreamGrammar::anthropicBlocks(events).value(0).text, text);
        } else {
            const StreamGrammar::OpenAiView view = StreamGrammar::openAiView(events);
            QVERIFY2(view.problem.isEmpty(), qPrintable(view.problem));
            QCOMPARE(view.content, text);
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 2, kTimeoutMs);
    QVERIFY(f.gw.lastRecord().cached);
    QVERIFY(f.gw.lastRecord().savedCost > 0);
}

QTEST_GUILESS_MAIN(tst_CacheE2e)
#include "tst_cache_e2e.moc"
