// The proxy endpoints against fake OpenAI and Anthropic servers: answers
// forwarded byte for byte, the provider's own credential sent upstream
// (never the caller's key, never a cookie), the gateway's headers added,
// the model list and health check, every bad request refused with its own
// status and code in the endpoint's error format, a provider's own refusal
// passed through, fallback, and count_tokens forwarded.

#include "canned.h"
#include "fakeprovider.h"
#include "rawconnection.h"
#include "testclient.h"
#include "testgateway.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 10000;

// Two fake vendors behind one gateway.
struct Fixture
{
    FakeProvider openai;
    FakeProvider anthropic;
    TestGateway gw;
    TestClient client;

    Fixture()
    {
        gw.addOpenAi(openai, {u"gpt-4o-mini"_s, u"gpt-*"_s});
        gw.addAnthropic(anthropic, {u"claude-sonnet-4-5"_s, u"claude-*"_s});
        gw.config().aliases.insert(u"smart"_s, {{u"openai"_s, u"gpt-4o"_s}, {u"anthropic"_s, u"claude-sonnet-4-5"_s}});
    }

    // A raw exchange, so the body is compared as it crossed the wire.
    HttpReply call(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                   HttpHeaders extra = {})
    {
        HttpHeaders headers = gw.authHeaders();
        headers += extra;
        return RawConnection::exchange(gw.port(), HttpWire::request(method, path, headers, body), kTimeoutMs);
    }
};

QByteArray pathFor(bool anthropic)
{
    return anthropic ? "/v1/messages" : "/v1/chat/completions";
}

// The caller's key appears in none of the upstream request's headers.
bool carriesCallerKey(const FakeRequest &upstream, const HttpHeaders &auth)
{
    for (const auto &a : auth) {
        QByteArray key = a.second;
        if (key.startsWith("Bearer "))
            key = key.mid(7);
        for (const auto &h : upstream.headers) {
            if (h.second.contains(key))
                return true;
        }
    }
    return false;
}

void checkOpenAiShape(const QJsonObject &body, const QString &code)
{
    QCOMPARE(body.keys(), QStringList{u"error"_s});
    const QJsonObject e = body.value(u"error"_s).toObject();
    QCOMPARE(e.value(u"code"_s).toString(), code);
    QVERIFY(e.value(u"message"_s).isString());
    QVERIFY(e.value(u"message"_s).toString().contains(u"req_"_s)); // names the request id
    QVERIFY(e.contains(u"param"_s));
    const QStringList types{u"invalid_request_error"_s, u"authentication_error"_s, u"permission_error"_s,
                            u"rate_limit_error"_s,      u"insufficient_quota"_s,   u"api_error"_s};
    QVERIFY2(types.contains(e.value(u"type"_s).toString()), qPrintable(e.value(u"type"_s).toString()));
}

void checkAnthropicShape(const QJsonObject &body, const QString &code, const QString &type)
{
    QCOMPARE(body.value(u"type"_s).toString(), u"error"_s);
    const QJsonObject e = body.value(u"error"_s).toObject();
    QCOMPARE(e.value(u"type"_s).toString(), type);
    QCOMPARE(e.value(u"code"_s).toString(), code);
    QVERIFY(e.value(u"message"_s).toString().contains(u"req_"_s));
}

} // namespace

class tst_Proxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void forwarded_data();
    void forwarded();
    void anthropicHeadersForwarded();
    void noCookiesEitherWay();
    void models();
    void healthz();
    void badRequests_data();
    void badRequests();
    void providerRefusalPassedThrough_data();
    void providerRefusalPassedThrough();
    void fallbackOnRetryableError();
    void malformedUpstreamIsNoProvider();
    void countTokensForwarded();
};

void tst_Proxy::forwarded_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("stream");
    QTest::newRow("openai") << false << false;
    QTest::newRow("openai stream") << false << true;
    QTest::newRow("anthropic") << true << false;
    QTest::newRow("anthropic stream") << true << true;
}

void tst_Proxy::forwarded()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, stream);

    Fixture f;
    QVERIFY(f.gw.start());
    FakeProvider &fake = anthropic ? f.anthropic : f.openai;
    const QByteArray model = anthropic ? "claude-sonnet-4-5" : "gpt-4o-mini";
    // A streaming OpenAI client that asks for usage itself gets the stream unchanged.
    const QByteArray request = anthropic ? Canned::anthropicRequest(model, stream)
                                         : Canned::openAiRequest(model, stream, stream);
    const QList<QByteArray> events = anthropic ? Canned::anthropicStream() : Canned::openAiStream(true);
    const QByteArray upstreamBody = stream ? Canned::join(events)
                                           : (anthropic ? Canned::anthropicMessage() : Canned::openAiCompletion());
    fake.enqueue((stream ? FakeReply::sse(events, 2) : FakeReply::json(upstreamBody))
                     .withHeader("x-request-id", "req_upstream_42"));

    const HttpHeaders auth = f.gw.authHeaders();
    const HttpReply reply = f.call("POST", pathFor(anthropic), request);
    QVERIFY2(reply.status == 200, qPrintable(reply.error + QString::fromUtf8(reply.body)));
    QCOMPARE(reply.body, upstreamBody);
    if (stream) {
        QVERIFY(reply.chunked);
        QVERIFY(reply.header("content-type").startsWith("text/event-stream"));
        QVERIFY(!reply.hasHeader("x-tollgate-cost-usd"));
    } else {
        QCOMPARE(reply.header("content-length"), QByteArray::number(upstreamBody.size()));
        QVERIFY(reply.header("content-type").startsWith("application/json"));
        bool ok = false;
        reply.header("x-tollgate-cost-usd").toDouble(&ok);
        QVERIFY(ok);
    }
    QVERIFY(reply.header("x-tollgate-request-id").startsWith("req_"));
    QCOMPARE(reply.header("x-tollgate-provider"), anthropic ? QByteArray("anthropic") : QByteArray("openai"));
    QVERIFY(!reply.header("x-tollgate-cache").isEmpty());
    QVERIFY(reply.hasHeader("x-tollgate-overhead-ms"));
    QCOMPARE(reply.header("x-request-id"), QByteArray("req_upstream_42"));

    QCOMPARE(fake.requestCount(), 1);
    const FakeRequest up = fake.request(0);
    QCOMPARE(up.method, QByteArray("POST"));
    QCOMPARE(up.target, pathFor(anthropic));
    QCOMPARE(up.body, request); // nothing needed changing: byte for byte
    if (anthropic) {
        QCOMPARE(up.header("x-api-key"), TestGateway::kAnthropicKey.toByteArray());
        QCOMPARE(up.header("anthropic-version"), QByteArray("2023-06-01"));
        QVERIFY(!up.hasHeader("authorization"));
    } else {
        QCOMPARE(up.header("authorization"), "Bearer " + TestGateway::kOpenAiKey.toByteArray());
        QVERIFY(!up.hasHeader("x-api-key"));
    }
    QVERIFY(!carriesCallerKey(up, auth));
    QVERIFY(!up.hasHeader("cookie"));
    QCOMPARE((anthropic ? f.openai : f.anthropic).requestCount(), 0);

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QCOMPARE(r.status, 200);
    QCOMPARE(r.model, QString::fromLatin1(model));
    QCOMPARE(r.provider, anthropic ? u"anthropic"_s : u"openai"_s);
    QCOMPARE(r.endpoint, QString::fromLatin1(pathFor(anthropic)));
    QCOMPARE(r.requestId, QString::fromLatin1(reply.header("x-tollgate-request-id")));
    QVERIFY(!r.estimated);
    if (anthropic) {
        QCOMPARE(r.inputTokens, Canned::kAnthropicInputTokens);
        QCOMPARE(r.outputTokens, Canned::kAnthropicOutputTokens);
        QCOMPARE(r.cacheReadTokens, Canned::kAnthropicCacheRead);
        QCOMPARE(r.cacheWriteTokens, Canned::kAnthropicCacheWrite);
    } else {
        QCOMPARE(r.inputTokens, Canned::kOpenAiPromptTokens - Canned::kOpenAiCachedTokens);
        QCOMPARE(r.cacheReadTokens, Canned::kOpenAiCachedTokens);
        QCOMPARE(r.outputTokens, Canned::kOpenAiCompletionTokens);
    }
}

void tst_Proxy::anthropicHeadersForwarded()
{
    Fixture f;
    QVERIFY(f.gw.start());
    f.anthropic.enqueue(FakeReply::json(Canned::anthropicMessage()));
    const QByteArray beta = "prompt-caching-2024-07-31,output-128k-2025-02-19";
    const HttpReply reply = f.call("POST", "/v1/messages", Canned::anthropicRequest(),
                                   {{"anthropic-version", "2023-01-01"}, {"anthropic-beta", beta}});
    QCOMPARE(reply.status, 200);
    const FakeRequest up = f.anthropic.lastRequest();
    QCOMPARE(up.header("anthropic-beta"), beta);
    QCOMPARE(up.header("anthropic-version"), QByteArray("2023-01-01"));
    QCOMPARE(up.header("x-api-key"), TestGateway::kAnthropicKey.toByteArray());
}

void tst_Proxy::noCookiesEitherWay()
{
    Fixture f;
    QVERIFY(f.gw.start());
    f.openai.enqueue(FakeReply::json(Canned::openAiCompletion())
                         .withHeader("set-cookie", "__cf_bm=upstream-session; path=/; HttpOnly; Secure"));
    f.openai.enqueue(FakeReply::json(Canned::openAiCompletion()));

    // An SDK-like client: a cookie jar would send back whatever it was given.
    HttpHeaders headers = f.gw.authHeaders();
    headers.emplaceBack("cache-control", "no-cache");
    const HttpReply first = f.client.post(f.gw.url(u"/v1/chat/completions"), Canned::openAiRequest(), headers);
    QCOMPARE(first.status, 200);
    QVERIFY(!first.hasHeader("set-cookie"));

    headers.emplaceBack("cookie", "caller_session=secret");
    const HttpReply second = f.client.post(f.gw.url(u"/v1/chat/completions"), Canned::openAiRequest(), headers);
    QCOMPARE(second.status, 200);
    QCOMPARE(f.openai.requestCount(), 2);
    QVERIFY(!f.openai.request(0).hasHeader("cookie"));
    QVERIFY(!f.openai.request(1).hasHeader("cookie"));
}

void tst_Proxy::models()
{
    Fixture f;
    QVERIFY(f.gw.start());
    const HttpReply reply = f.client.get(f.gw.url(u"/v1/models"), f.gw.authHeaders());
    QCOMPARE(reply.status, 200);
    const QJsonObject body = reply.json();
    QCOMPARE(body.value(u"object"_s).toString(), u"list"_s);
    QStringList ids;
    for (const QJsonValue &v : body.value(u"data"_s).toArray()) {
        const QJsonObject m = v.toObject();
        QCOMPARE(m.value(u"object"_s).toString(), u"model"_s);
        QVERIFY(!m.value(u"owned_by"_s).toString().isEmpty());
        ids.append(m.value(u"id"_s).toString());
    }
    QVERIFY2(ids.contains(u"gpt-4o-mini"_s), qPrintable(ids.join(u' ')));
    QVERIFY(ids.contains(u"claude-sonnet-4-5"_s));
    QVERIFY(ids.contains(u"smart"_s));
    QVERIFY(!ids.contains(u"gpt-*"_s));
    QVERIFY(!ids.contains(u"sim-small"_s));
    QCOMPARE(ids.removeDuplicates(), 0);
    QCOMPARE(f.openai.requestCount() + f.anthropic.requestCount(), 0);
}

void tst_Proxy::healthz()
{
    Fixture f;
    QVERIFY(f.gw.start());
    const HttpReply reply = f.client.get(f.gw.url(u"/healthz"));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value(u"status"_s).toString(), u"ok"_s);
}

void tst_Proxy::badRequests_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QByteArray chat = "/v1/chat/completions";
    const QByteArray msgs = "/v1/messages";
    const QByteArray okMessages = R"("messages":[{"role":"user","content":"hi"}])";

    QTest::newRow("openai malformed json") << QByteArray("POST") << chat << QByteArray(R"({"model":"gpt-4o",)")
                                           << 400 << u"invalid_request"_s;
    QTest::newRow("openai empty body") << QByteArray("POST") << chat << QByteArray() << 400 << u"invalid_request"_s;
    QTest::newRow("openai body is an array") << QByteArray("POST") << chat << QByteArray("[1,2]") << 400
                                             << u"invalid_request"_s;
    QTest::newRow("openai missing model") << QByteArray("POST") << chat << ("{" + okMessages + "}") << 400
                                          << u"invalid_request"_s;
    QTest::newRow("openai model is a number") << QByteArray("POST") << chat
                                              << (R"({"model":4,)" + okMessages + "}") << 400
                                              << u"invalid_request"_s;
    QTest::newRow("openai missing messages") << QByteArray("POST") << chat << QByteArray(R"({"model":"gpt-4o"})")
                                             << 400 << u"invalid_request"_s;
    QTest::newRow("openai messages not an array")
        << QByteArray("POST") << chat << QByteArray(R"({"model":"gpt-4o","messages":"hi"})") << 400
        << u"invalid_request"_s;
    QTest::newRow("openai stream not a boolean")
        << QByteArray("POST") << chat << (R"({"model":"gpt-4o","stream":"yes",)" + okMessages + "}") << 400
        << u"invalid_request"_s;
    QTest::newRow("openai temperature not a number")
        << QByteArray("POST") << chat << (R"({"model":"gpt-4o","temperature":"hot",)" + okMessages + "}") << 400
        << u"invalid_request"_s;
    QTest::newRow("openai unknown model") << QByteArray("POST") << chat
                                          << (R"({"model":"no-such-model",)" + okMessages + "}") << 404
                                          << u"model_not_found"_s;
    QTest::newRow("openai wrong method") << QByteArray("GET") << chat << QByteArray() << 405
                                         << u"method_not_allowed"_s;
    QTest::newRow("openai unknown route") << QByteArray("POST") << QByteArray("/v1/completion") << QByteArray("{}")
                                          << 404 << u"not_found"_s;

    QTest::newRow("anthropic malformed json") << QByteArray("POST") << msgs << QByteArray("{not json}") << 400
                                              << u"invalid_request"_s;
    QTest::newRow("anthropic missing model") << QByteArray("POST") << msgs
                                             << (R"({"max_tokens":10,)" + okMessages + "}") << 400
                                             << u"invalid_request"_s;
    QTest::newRow("anthropic missing messages")
        << QByteArray("POST") << msgs << QByteArray(R"({"model":"claude-sonnet-4-5","max_tokens":10})") << 400
        << u"invalid_request"_s;
    QTest::newRow("anthropic missing max_tokens")
        << QByteArray("POST") << msgs << (R"({"model":"claude-sonnet-4-5",)" + okMessages + "}") << 400
        << u"invalid_request"_s;
    QTest::newRow("anthropic max_tokens not an integer")
        << QByteArray("POST") << msgs << (R"({"model":"claude-sonnet-4-5","max_tokens":"ten",)" + okMessages + "}")
        << 400 << u"invalid_request"_s;
    QTest::newRow("anthropic system role in messages")
        << QByteArray("POST") << msgs
        << QByteArray(R"({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"system","content":"x"}]})")
        << 400 << u"invalid_request"_s;
    QTest::newRow("anthropic unknown model") << QByteArray("POST") << msgs
                                             << (R"({"model":"nope","max_tokens":10,)" + okMessages + "}") << 404
                                             << u"model_not_found"_s;
    QTest::newRow("anthropic wrong method") << QByteArray("PUT") << msgs << QByteArray("{}") << 405
                                            << u"method_not_allowed"_s;
    QTest::newRow("anthropic unknown route") << QByteArray("POST") << QByteArray("/v1/messages/batches/x")
                                             << QByteArray("{}") << 404 << u"not_found"_s;
}

void tst_Proxy::badRequests()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);

    Fixture f;
    QVERIFY(f.gw.start());
    const HttpReply reply = f.call(method, path, body);
    QCOMPARE(reply.status, status);
    QVERIFY(reply.header("content-type").startsWith("application/json"));
    QCOMPARE(reply.header("x-should-retry"), QByteArray("false"));
    const QJsonObject json = reply.json();
    if (path.startsWith("/v1/messages")) {
        const QString type = status == 404 ? u"not_found_error"_s : u"invalid_request_error"_s;
        checkAnthropicShape(json, code, type);
    } else {
        checkOpenAiShape(json, code);
    }
    if (QTest::currentTestFailed())
        return;
    if (status == 405)
        QVERIFY(!reply.header("allow").isEmpty());
    QCOMPARE(f.openai.requestCount() + f.anthropic.requestCount(), 0);

    // And the gateway carries on.
    f.openai.enqueue(FakeReply::json(Canned::openAiCompletion()));
    const HttpReply next = f.call("POST", "/v1/chat/completions", Canned::openAiRequest());
    QCOMPARE(next.status, 200);
    QCOMPARE(next.body, Canned::openAiCompletion());
}

void tst_Proxy::providerRefusalPassedThrough_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<int>("status");
    QTest::newRow("openai 400") << false << false << 400;
    QTest::newRow("openai 400 stream") << false << true << 400;
    QTest::newRow("openai 404") << false << false << 404;
    QTest::newRow("anthropic 400") << true << false << 400;
    QTest::newRow("anthropic 400 stream") << true << true << 400;
    QTest::newRow("anthropic 413") << true << false << 413;
}

void tst_Proxy::providerRefusalPassedThrough()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, stream);
    QFETCH(int, status);

    Fixture f;
    QVERIFY(f.gw.start());
    const QByteArray error = anthropic
        ? Canned::anthropicError("messages.0.content: Input should be a valid list")
        : Canned::openAiError("Invalid value for 'temperature': expected a number <= 2.");
    (anthropic ? f.anthropic : f.openai).enqueue(FakeReply::error(status, error).withHeader("x-request-id", "req_up_9"));
    const HttpReply reply = f.call("POST", pathFor(anthropic),
                                   anthropic ? Canned::anthropicRequest("claude-sonnet-4-5", stream)
                                             : Canned::openAiRequest("gpt-4o-mini", stream));
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.body, error);
    QCOMPARE(reply.header("x-request-id"), QByteArray("req_up_9"));
    QCOMPARE(reply.header("x-should-retry"), QByteArray("false"));
    QVERIFY(reply.header("x-tollgate-request-id").startsWith("req_"));
    // Not retried: a refusal is not a failure of the provider.
    QCOMPARE((anthropic ? f.anthropic : f.openai).requestCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    QCOMPARE(f.gw.lastRecord().status, status);
}

void tst_Proxy::fallbackOnRetryableError()
{
    FakeProvider primary;
    FakeProvider backup;
    TestGateway gw;
    gw.addOpenAi(primary, {u"gpt-*"_s}, u"primary"_s);
    gw.addOpenAi(backup, {u"gpt-*"_s}, u"backup"_s);
    QVERIFY(gw.start());
    // The primary is overloaded however often it is retried.
    primary.setReplyFunction([](const FakeRequest &) {
        return FakeReply::error(503, Canned::openAiError("The engine is currently overloaded", "server_error",
                                                         "overloaded"));
    });
    backup.enqueue(FakeReply::json(Canned::openAiCompletion()));
    const HttpReply reply = RawConnection::exchange(
        gw.port(), HttpWire::request("POST", "/v1/chat/completions", gw.authHeaders(), Canned::openAiRequest()));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, Canned::openAiCompletion());
    QCOMPARE(reply.header("x-tollgate-provider"), QByteArray("backup"));
    // Retried on the primary (routing.retries), then one call to the backup.
    QCOMPARE(primary.requestCount(), 1 + gw.config().routing.retries);
    QCOMPARE(backup.requestCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(gw.recordCount(), 1, kTimeoutMs);
    QCOMPARE(gw.lastRecord().provider, u"backup"_s);
    QCOMPARE(backup.request(0).body, Canned::openAiRequest());
}

void tst_Proxy::malformedUpstreamIsNoProvider()
{
    Fixture f;
    QVERIFY(f.gw.start());
    // Garbage however often it is asked.
    f.openai.setReplyFunction(
        [](const FakeRequest &) { return FakeReply::malformed("this is not HTTP at all\r\n\r\n\x01\x02\x03"); });
    const HttpReply reply = f.call("POST", "/v1/chat/completions", Canned::openAiRequest());
    QCOMPARE(reply.status, 502);
    checkOpenAiShape(reply.json(), u"no_provider"_s);
    QVERIFY(reply.json().value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"openai"_s));

    QVERIFY(f.openai.requestCount() >= 1);

    f.openai.setReplyFunction({});
    f.openai.enqueue(FakeReply::json(Canned::openAiCompletion()));
    const HttpReply next = f.call("POST", "/v1/chat/completions", Canned::openAiRequest());
    QCOMPARE(next.status, 200);
}

void tst_Proxy::countTokensForwarded()
{
    Fixture f;
    QVERIFY(f.gw.start());
    const QByteArray answer = R"({"input_tokens":2095})";
    f.anthropic.enqueue(FakeReply::json(answer));
    const QByteArray request = Canned::countTokensRequest();
    const HttpReply reply = f.call("POST", "/v1/messages/count_tokens", request,
                                   {{"anthropic-beta", "token-counting-2024-11-01"}});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, answer);
    QCOMPARE(f.anthropic.requestCount(), 1);
    const FakeRequest up = f.anthropic.request(0);
    QCOMPARE(up.target, QByteArray("/v1/messages/count_tokens"));
    QCOMPARE(up.body, request);
    QCOMPARE(up.header("x-api-key"), TestGateway::kAnthropicKey.toByteArray());
    QCOMPARE(up.header("anthropic-version"), QByteArray("2023-06-01"));
    QCOMPARE(up.header("anthropic-beta"), QByteArray("token-counting-2024-11-01"));
}

QTEST_GUILESS_MAIN(tst_Proxy)
#include "tst_proxy.moc"
