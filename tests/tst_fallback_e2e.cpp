// Fallback through the whole gateway, against two fake providers of one
// vendor serving the same models ("primary" first, "backup" behind it):
// every kind of failure that happens before the first byte reached the
// client (connection refused, no answer in time, 408/429/5xx, Anthropic's
// 529 and its overloaded_error as the first stream event, a stream that
// breaks before its first event) moves the call to the backup, whose answer
// the client gets whole, named by X-Tollgate-Provider and the ledger. A
// stream that broke after its first event was forwarded is not replaced:
// the client gets an error event and a clean end. A provider's refusal
// (400, 401, 403, 404, 422) is passed through and the backup never called.
// Retries per provider, the 502 that names every failure, the circuit
// breaker with its half-open probe, and what GET /admin/providers shows.

#include "canned.h"
#include "fakeprovider.h"
#include "gateway.h"
#include "rawconnection.h"
#include "testclient.h"
#include "testgateway.h"
#include "wire/sseparser.h"

#include <QJsonArray>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 15000;
// A provider that does not answer within this (connect + first byte) is a failure.
constexpr int kConnectTimeoutMs = 150;
constexpr int kFirstByteTimeoutMs = 250;
constexpr int kIdleTimeoutMs = 300;

enum class Failure {
    Refused,          // nothing listens on the provider's port
    HeadTimeout,      // connected, but no response head in time
    IdleBeforeEvent,  // a 200 head, then silence before the first event
    Status,           // an error status with the vendor's error body
    ErrorEvent,       // a 200 stream whose first event is an error (Anthropic: overloaded_error)
    ClosedBeforeEvent,// a 200 head, then the connection closes before any event
    PartialEvent,     // half of the first event, then the connection closes
};

// A port on 127.0.0.1 where nothing listens (it did a moment ago).
quint16 closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    const quint16 port = s.serverPort();
    s.close();
    return port;
}

QByteArray pathFor(bool anthropic)
{
    return anthropic ? "/v1/messages" : "/v1/chat/completions";
}

// Bodies forwarded byte for byte (OpenAI streams ask for usage themselves).
QByteArray requestBody(bool anthropic, bool stream, const QByteArray &model = {})
{
    if (anthropic)
        return Canned::anthropicRequest(model.isEmpty() ? "claude-sonnet-4-5" : model, stream);
    return Canned::openAiRequest(model.isEmpty() ? "gpt-4o-mini" : model, stream, stream);
}

QList<QByteArray> streamEvents(bool anthropic)
{
    return anthropic ? Canned::anthropicStream() : Canned::openAiStream(true);
}

FakeReply goodReply(bool anthropic, bool stream)
{
    if (stream)
        return FakeReply::sse(streamEvents(anthropic));
    return FakeReply::json(anthropic ? Canned::anthropicMessage() : Canned::openAiCompletion());
}

QByteArray goodBody(bool anthropic, bool stream)
{
    return goodReply(anthropic, stream).sentBody();
}

QByteArray errorBody(bool anthropic, int status)
{
    if (anthropic) {
        switch (status) {
        case 529: return Canned::anthropicError("Overloaded", "overloaded_error");
        case 429: return Canned::anthropicError("Number of request tokens has exceeded your per-minute rate limit", "rate_limit_error");
        case 400: return Canned::anthropicError("max_tokens: Field required");
        case 401: return Canned::anthropicError("invalid x-api-key", "authentication_error");
        case 403: return Canned::anthropicError("Your API key does not have permission", "permission_error");
        case 404: return Canned::anthropicError("model: claude-sonnet-4-5", "not_found_error");
        default: return Canned::anthropicError("Internal server error", "api_error");
        }
    }
    switch (status) {
    case 429: return Canned::openAiError("Rate limit reached for gpt-4o-mini", "requests", "rate_limit_exceeded");
    case 400: return Canned::openAiError("Invalid value for 'temperature'", "invalid_request_error", "invalid_value");
    case 401: return Canned::openAiError("Incorrect API key provided", "invalid_request_error", "invalid_api_key");
    case 403: return Canned::openAiError("Project does not have access", "invalid_request_error", "model_not_found");
    case 404: return Canned::openAiError("The model `gpt-4o-mini` does not exist", "invalid_request_error", "model_not_found");
    default: return Canned::openAiError("The server had an error while processing your request", "server_error", "server_error");
    }
}

QByteArray errorEvent(bool anthropic)
{
    return anthropic ? Canned::anthropicStreamErrorEvent() : Canned::openAiStreamErrorEvent();
}

// The client's view of a stream, event by event.
QList<SseEvent> sseEvents(const QByteArray &body)
{
    QList<SseEvent> out;
    SseParser parser;
    parser.feed(body, [&out](const SseEvent &e) { out.append(e); });
    return out;
}

// An error event in the client's own format: Anthropic's "event: error",
// OpenAI's data line with an error object.
bool isErrorEvent(const SseEvent &e, bool anthropic)
{
    const QJsonObject json = QJsonDocument::fromJson(e.data).object();
    const QJsonObject error = json.value(u"error"_s).toObject();
    if (error.value(u"message"_s).toString().isEmpty())
        return false;
    return anthropic ? e.event == "error" && json.value(u"type"_s).toString() == u"error"_s : e.event.isEmpty();
}

// Two providers of one vendor for the same models, primary first.
struct Pair
{
    explicit Pair(bool anthropic) : anthropic(anthropic)
    {
        const QStringList models = {anthropic ? u"claude-*"_s : u"gpt-*"_s};
        if (anthropic) {
            gw.addAnthropic(primary, models, u"primary"_s);
            gw.addAnthropic(backup, models, u"backup"_s);
        } else {
            gw.addOpenAi(primary, models, u"primary"_s);
            gw.addOpenAi(backup, models, u"backup"_s);
        }
        // Each call here must reach the providers, not an earlier answer.
        gw.config().cache.enabled = false;
        gw.config().routing.retries = 0;
        gw.config().routing.backoffMs = 5;
    }

    HttpReply call(bool stream, const QByteArray &model = {})
    {
        return RawConnection::exchange(
            gw.port(), HttpWire::request("POST", pathFor(anthropic), gw.authHeaders(), requestBody(anthropic, stream, model)),
            kTimeoutMs);
    }

    QJsonObject providerHealth(const QString &name)
    {
        TestClient client;
        const HttpReply r = client.get(gw.url(u"/admin/providers"), {{"authorization", "Bearer " + gw.gateway()->adminToken()}});
        for (const QJsonValue &p : r.json().value(u"providers"_s).toArray()) {
            if (p.toObject().value(u"name"_s).toString() == name)
                return p.toObject();
        }
        return {};
    }

    bool anthropic;
    FakeProvider primary;
    FakeProvider backup;
    TestGateway gw;
};

} // namespace

Q_DECLARE_METATYPE(Failure)

class tst_FallbackE2e : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fallsBackBeforeFirstByte_data();
    void fallsBackBeforeFirstByte();
    void noFallbackAfterFirstEvent_data();
    void noFallbackAfterFirstEvent();
    void refusalPassedThrough_data();
    void refusalPassedThrough();
    void retriesBeforeFallingBack_data();
    void retriesBeforeFallingBack();
    void allProvidersFailing_data();
    void allProvidersFailing();
    void circuitBreaker();
    void halfOpenLetsOneProbeThrough();
    void providersPageShowsHealth();
};

void tst_FallbackE2e::fallsBackBeforeFirstByte_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<Failure>("failure");
    QTest::addColumn<int>("status");

    for (const bool anthropic : {false, true}) {
        for (const bool stream : {false, true}) {
            const QByteArray tag = QByteArray(anthropic ? "anthropic" : "openai") + (stream ? " stream" : " whole");
            auto row = [&](const char *name, Failure f, int status = 0) {
                QTest::newRow(QByteArray(tag + ", " + name).constData()) << anthropic << stream << f << status;
            };
            row("connection refused", Failure::Refused);
            row("no response head in time", Failure::HeadTimeout);
            row("silent after the head", Failure::IdleBeforeEvent);
            for (const int status : {408, 429, 500, 502, 503, 529})
                row(QByteArray("HTTP " + QByteArray::number(status)).constData(), Failure::Status, status);
            if (stream) {
                row(anthropic ? "overloaded_error as the first event" : "error object as the first event",
                    Failure::ErrorEvent);
                row("closed before the first event", Failure::ClosedBeforeEvent);
                row("closed inside the first event", Failure::PartialEvent);
            } else {
                row("closed inside the body", Failure::PartialEvent);
            }
        }
    }
}

void tst_FallbackE2e::fallsBackBeforeFirstByte()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, stream);
    QFETCH(Failure, failure);
    QFETCH(int, status);

    Pair p(anthropic);
    ProviderConfig *primary = p.gw.provider(u"primary"_s);
    // Short timeouts only where they are the failure, so a loaded machine
    // cannot turn another failure into a timeout.
    if (failure == Failure::HeadTimeout) {
        primary->connectTimeoutMs = kConnectTimeoutMs;
        primary->firstByteTimeoutMs = kFirstByteTimeoutMs;
    }
    if (failure == Failure::IdleBeforeEvent)
        primary->idleTimeoutMs = kIdleTimeoutMs;
    if (failure == Failure::Refused)
        primary->baseUrl = u"http://127.0.0.1:"_s + QString::number(closedPort()) + (anthropic ? u""_s : u"/v1"_s);
    QVERIFY(p.gw.start());

    const QList<QByteArray> events = streamEvents(anthropic);
    switch (failure) {
    case Failure::Refused:
        break;
    case Failure::HeadTimeout:
        p.primary.enqueue(FakeReply::hang());
        break;
    case Failure::IdleBeforeEvent:
        p.primary.enqueue(FakeReply::stalled(events, 0));
        break;
    case Failure::Status:
        p.primary.enqueue(FakeReply::error(status, errorBody(anthropic, status)));
        break;
    case Failure::ErrorEvent:
        p.primary.enqueue(FakeReply::sse({errorEvent(anthropic)}));
        break;
    case Failure::ClosedBeforeEvent:
        p.primary.enqueue(FakeReply::truncated(events, 0));
        break;
    case Failure::PartialEvent:
        if (stream) {
            p.primary.enqueue(FakeReply::truncated({events.first().chopped(5)}, 1));
        } else {
            const QByteArray whole = goodBody(anthropic, false);
            p.primary.enqueue(FakeReply::malformed("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                                                   + QByteArray::number(whole.size()) + "\r\n\r\n"
                                                   + whole.left(whole.size() / 2)));
        }
        break;
    }
    p.backup.enqueue(goodReply(anthropic, stream));

    const HttpReply reply = p.call(stream);
    QVERIFY2(reply.error.isEmpty(), qPrintable(reply.error));
    QCOMPARE(reply.status, 200);
    // The backup's answer, whole, and nothing of the primary's.
    QCOMPARE(reply.body, goodBody(anthropic, stream));
    QCOMPARE(reply.header("x-tollgate-provider"), QByteArray("backup"));
    QCOMPARE(reply.chunked, stream);
    QCOMPARE(p.primary.requestCount(), failure == Failure::Refused ? 0 : 1);
    QCOMPARE(p.backup.requestCount(), 1);
    // The backup got the client's request as it was sent.
    QCOMPARE(p.backup.request(0).body, requestBody(anthropic, stream));

    QTRY_COMPARE_WITH_TIMEOUT(p.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = p.gw.lastRecord();
    QCOMPARE(r.provider, u"backup"_s);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.error, QString());
    QVERIFY(!r.estimated);
    QCOMPARE(r.outputTokens, anthropic ? Canned::kAnthropicOutputTokens : Canned::kOpenAiCompletionTokens);

    // The primary's failure is on record for the operator.
    const QJsonObject health = p.providerHealth(u"primary"_s);
    QCOMPARE(health.value(u"healthy"_s).toBool(true), false);
    QVERIFY(!health.value(u"last_error"_s).toString().isEmpty());
    if (failure == Failure::Status)
        QVERIFY2(health.value(u"last_error"_s).toString().contains(QString::number(status)),
                 qPrintable(health.value(u"last_error"_s).toString()));
}

void tst_FallbackE2e::noFallbackAfterFirstEvent_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<int>("how");   // 0: connection closes, 1: error event, 2: goes silent
    for (const bool anthropic : {false, true}) {
        const QByteArray tag = anthropic ? "anthropic, " : "openai, ";
        QTest::newRow(QByteArray(tag + "connection closes mid-stream").constData()) << anthropic << 0;
        QTest::newRow(QByteArray(tag + "error event mid-stream").constData()) << anthropic << 1;
        QTest::newRow(QByteArray(tag + "silent mid-stream").constData()) << anthropic << 2;
    }
}

void tst_FallbackE2e::noFallbackAfterFirstEvent()
{
    QFETCH(bool, anthropic);
    QFETCH(int, how);

    Pair p(anthropic);
    if (how == 2)
        p.gw.provider(u"primary"_s)->idleTimeoutMs = 2 * kIdleTimeoutMs;
    p.gw.config().routing.retries = 1;   // not even a retry
    QVERIFY(p.gw.start());

    const QList<QByteArray> events = streamEvents(anthropic);
    const int sent = anthropic ? Canned::kAnthropicFirstDelta + 3 : Canned::kFirstContentEvent + 3;
    const QList<QByteArray> head = events.first(sent);
    // Paced, so the first events have reached the client before the break.
    // (Events and an error that arrive in one read are, rightly, still
    // replaceable: nothing of them was sent yet.)
    constexpr int kPaceMs = 40;
    switch (how) {
    case 0:
        p.primary.enqueue(FakeReply::truncated(events, sent, kPaceMs));
        break;
    case 1:
        p.primary.enqueue(FakeReply::sse(head + QList<QByteArray>{errorEvent(anthropic)}, kPaceMs));
        break;
    case 2:
        p.primary.enqueue(FakeReply::stalled(events, sent, kPaceMs));
        break;
    }
    p.backup.setDefaultReply(goodReply(anthropic, true));

    const HttpReply reply = p.call(true);
    // A complete, cleanly ended chunked response…
    QVERIFY2(reply.error.isEmpty(), qPrintable(reply.error));
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.chunked);
    QCOMPARE(reply.header("x-tollgate-provider"), QByteArray("primary"));
    // …that holds what the primary sent, then one error event.
    QVERIFY2(reply.body.startsWith(Canned::join(head)), reply.body.constData());
    const QList<SseEvent> got = sseEvents(reply.body);
    QCOMPARE(got.size(), sent + 1);
    QVERIFY2(isErrorEvent(got.last(), anthropic), got.last().raw.constData());
    for (int i = 0; i < sent; ++i)
        QVERIFY(!isErrorEvent(got.at(i), anthropic));

    QCOMPARE(p.primary.requestCount(), 1);
    QCOMPARE(p.backup.requestCount(), 0);

    QTRY_COMPARE_WITH_TIMEOUT(p.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = p.gw.lastRecord();
    QCOMPARE(r.provider, u"primary"_s);
    QVERIFY2(!r.error.isEmpty(), "a broken stream is an error in the ledger");
    // What was metered before the break is billed (Anthropic names its input at once).
    if (anthropic)
        QCOMPARE(r.inputTokens, Canned::kAnthropicInputTokens);
    QVERIFY(r.outputTokens > 0);
}

void tst_FallbackE2e::refusalPassedThrough_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<int>("status");
    for (const bool anthropic : {false, true}) {
        for (const bool stream : {false, true}) {
            for (const int status : {400, 401, 403, 404, 422}) {
                const QByteArray tag = QByteArray(anthropic ? "anthropic" : "openai") + (stream ? " stream" : " whole")
                    + ", HTTP " + QByteArray::number(status);
                QTest::newRow(tag.constData()) << anthropic << stream << status;
            }
        }
    }
}

void tst_FallbackE2e::refusalPassedThrough()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, stream);
    QFETCH(int, status);

    Pair p(anthropic);
    p.gw.config().routing.retries = 2;
    QVERIFY(p.gw.start());
    const QByteArray body = errorBody(anthropic, status);
    p.primary.setDefaultReply(FakeReply::error(status, body));
    p.backup.setDefaultReply(goodReply(anthropic, stream));

    const HttpReply reply = p.call(stream);
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.body, body);
    QCOMPARE(reply.header("x-tollgate-provider"), QByteArray("primary"));
    QCOMPARE(reply.header("x-should-retry"), QByteArray("false"));
    // Neither retried nor handed to the backup.
    QCOMPARE(p.primary.requestCount(), 1);
    QCOMPARE(p.backup.requestCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(p.gw.recordCount(), 1, kTimeoutMs);
    QCOMPARE(p.gw.lastRecord().status, status);
    QCOMPARE(p.gw.lastRecord().provider, u"primary"_s);
    // A refusal says nothing about the provider's health.
    QCOMPARE(p.providerHealth(u"primary"_s).value(u"healthy"_s).toBool(false), true);
}

void tst_FallbackE2e::retriesBeforeFallingBack_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<int>("retries");
    for (const bool anthropic : {false, true}) {
        for (const bool stream : {false, true}) {
            for (const int retries : {0, 1, 2}) {
                const QByteArray tag = QByteArray(anthropic ? "anthropic" : "openai") + (stream ? " stream" : " whole")
                    + ", retries " + QByteArray::number(retries);
                QTest::newRow(tag.constData()) << anthropic << stream << retries;
            }
        }
    }
}

void tst_FallbackE2e::retriesBeforeFallingBack()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, stream);
    QFETCH(int, retries);

    Pair p(anthropic);
    p.gw.config().routing.retries = retries;
    p.gw.config().routing.backoffMs = 5;
    p.gw.config().routing.breakerFailures = 10;
    QVERIFY(p.gw.start());
    p.primary.setDefaultReply(FakeReply::error(503, errorBody(anthropic, 503)));
    p.backup.enqueue(goodReply(anthropic, stream));

    const HttpReply reply = p.call(stream);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-tollgate-provider"), QByteArray("backup"));
    QCOMPARE(p.primary.requestCount(), 1 + retries);
    QCOMPARE(p.backup.requestCount(), 1);
    // Every try carried the same request.
    for (const FakeRequest &r : p.primary.requests())
        QCOMPARE(r.body, requestBody(anthropic, stream));

    // A primary that recovers on its retry keeps the call.
    if (retries > 0) {
        p.primary.enqueue(FakeReply::error(500, errorBody(anthropic, 500)));
        p.primary.enqueue(goodReply(anthropic, stream));
        const HttpReply again = p.call(stream);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.header("x-tollgate-provider"), QByteArray("primary"));
        QCOMPARE(again.body, goodBody(anthropic, stream));
        QCOMPARE(p.primary.requestCount(), 1 + retries + 2);
        QCOMPARE(p.backup.requestCount(), 1);
    }
}

void tst_FallbackE2e::allProvidersFailing_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("stream");
    QTest::newRow("openai whole") << false << false;
    QTest::newRow("openai stream") << false << true;
    QTest::newRow("anthropic whole") << true << false;
    QTest::newRow("anthropic stream") << true << true;
}

void tst_FallbackE2e::allProvidersFailing()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, stream);

    Pair p(anthropic);
    // A third provider that is not even running.
    FakeProvider third;
    if (anthropic)
        p.gw.addAnthropic(third, {u"claude-*"_s}, u"third"_s);
    else
        p.gw.addOpenAi(third, {u"gpt-*"_s}, u"third"_s);
    p.gw.provider(u"third"_s)->baseUrl =
        u"http://127.0.0.1:"_s + QString::number(closedPort()) + (anthropic ? u""_s : u"/v1"_s);
    QVERIFY(p.gw.start());
    p.primary.setDefaultReply(FakeReply::error(503, errorBody(anthropic, 503)));
    p.backup.setDefaultReply(FakeReply::error(429, errorBody(anthropic, 429)));

    const HttpReply reply = p.call(stream);
    QCOMPARE(reply.status, 502);
    QVERIFY(!reply.chunked);
    QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"code"_s).toString(), u"no_provider"_s);
    if (anthropic) {
        QCOMPARE(reply.json().value(u"type"_s).toString(), u"error"_s);
        QCOMPARE(error.value(u"type"_s).toString(), u"api_error"_s);
    }
    // The message names each provider and what went wrong with it.
    const QString message = error.value(u"message"_s).toString();
    QVERIFY2(message.contains(u"primary: HTTP 503"_s), qPrintable(message));
    QVERIFY2(message.contains(u"backup: HTTP 429"_s), qPrintable(message));
    QVERIFY2(message.contains(u"third: "_s), qPrintable(message));
    QVERIFY2(message.contains(u"refused"_s, Qt::CaseInsensitive), qPrintable(message));
    QCOMPARE(p.primary.requestCount(), 1);
    QCOMPARE(p.backup.requestCount(), 1);

    QTRY_COMPARE_WITH_TIMEOUT(p.gw.recordCount(), 1, kTimeoutMs);
    QCOMPARE(p.gw.lastRecord().status, 502);
    QCOMPARE(p.gw.lastRecord().error, u"no_provider"_s);
}

void tst_FallbackE2e::circuitBreaker()
{
    Pair p(false);
    p.gw.config().routing.breakerFailures = 2;
    p.gw.config().routing.breakerCooldownS = 2;   // room for the calls made while it is open
    QVERIFY(p.gw.start());
    p.primary.setDefaultReply(FakeReply::error(503, errorBody(false, 503)));
    p.backup.setDefaultReply(goodReply(false, false));

    // Two failures in a row open the primary's circuit.
    for (int i = 0; i < 2; ++i) {
        const HttpReply r = p.call(false);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-tollgate-provider"), QByteArray("backup"));
    }
    QCOMPARE(p.primary.requestCount(), 2);
    QCOMPARE(p.providerHealth(u"primary"_s).value(u"consecutive_failures"_s).toInt(), 2);

    // While it is open the primary is skipped: it sees no new request.
    for (int i = 0; i < 3; ++i) {
        const HttpReply r = p.call(false);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-tollgate-provider"), QByteArray("backup"));
    }
    QCOMPARE(p.primary.requestCount(), 2);
    QCOMPARE(p.backup.requestCount(), 5);

    // After the cooldown one probe goes through; it fails, the circuit
    // opens again and the next call skips the primary once more.
    QTest::qWait(2000 + 250);
    QCOMPARE(p.call(false).status, 200);
    QCOMPARE(p.primary.requestCount(), 3);
    QCOMPARE(p.call(false).status, 200);
    QCOMPARE(p.primary.requestCount(), 3);

    // The next probe succeeds: the primary serves again, and keeps serving.
    QTest::qWait(2000 + 250);
    p.primary.setDefaultReply(goodReply(false, false));
    const HttpReply probe = p.call(false);
    QCOMPARE(probe.status, 200);
    QCOMPARE(probe.header("x-tollgate-provider"), QByteArray("primary"));
    const HttpReply after = p.call(false);
    QCOMPARE(after.header("x-tollgate-provider"), QByteArray("primary"));
    QCOMPARE(p.primary.requestCount(), 5);
    QCOMPARE(p.backup.requestCount(), 7);
    QCOMPARE(p.providerHealth(u"primary"_s).value(u"healthy"_s).toBool(false), true);
    QCOMPARE(p.providerHealth(u"primary"_s).value(u"consecutive_failures"_s).toInt(-1), 0);
}

void tst_FallbackE2e::halfOpenLetsOneProbeThrough()
{
    Pair p(false);
    p.gw.config().routing.breakerFailures = 1;
    p.gw.config().routing.breakerCooldownS = 1;
    QVERIFY(p.gw.start());
    p.primary.enqueue(FakeReply::error(500, errorBody(false, 500)));
    p.backup.setDefaultReply(goodReply(false, false));
    QCOMPARE(p.call(false).header("x-tollgate-provider"), QByteArray("backup"));
    QCOMPARE(p.primary.requestCount(), 1);

    // Only the primary's circuit is open: with the backup failing too, the
    // 502 says why the primary was not tried.
    p.backup.enqueue(FakeReply::error(503, errorBody(false, 503)));
    const HttpReply none = p.call(false);
    QCOMPARE(none.status, 502);
    const QString message = none.json().value(u"error"_s).toObject().value(u"message"_s).toString();
    QVERIFY2(message.contains(u"primary: circuit open"_s), qPrintable(message));
    QCOMPARE(p.primary.requestCount(), 1);

    // After the cooldown: a slow probe is in flight; calls meanwhile go
    // straight to the backup, and the primary sees exactly one request.
    QTest::qWait(1000 + 250);
    p.primary.enqueue(goodReply(false, false).withHeadDelay(2000));
    TestClient slow;
    QNetworkRequest request(QUrl(p.gw.url(u"/v1/chat/completions")));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &h : p.gw.authHeaders())
        request.setRawHeader(h.first, h.second);
    QNetworkReply *probe = slow.manager()->post(request, requestBody(false, false));
    QTRY_COMPARE_WITH_TIMEOUT(p.primary.requestCount(), 2, kTimeoutMs);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(p.call(false).header("x-tollgate-provider"), QByteArray("backup"));
    QTRY_VERIFY_WITH_TIMEOUT(probe->isFinished(), kTimeoutMs);
    QCOMPARE(probe->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(probe->rawHeader("x-tollgate-provider"), QByteArray("primary"));
    probe->deleteLater();
    QCOMPARE(p.primary.requestCount(), 2);
}

void tst_FallbackE2e::providersPageShowsHealth()
{
    Pair p(true);
    QVERIFY(p.gw.start());
    // Never called: healthy, no error, no latency yet.
    QJsonObject primary = p.providerHealth(u"primary"_s);
    QCOMPARE(primary.value(u"kind"_s).toString(), u"anthropic"_s);
    QCOMPARE(primary.value(u"base_url"_s).toString(), p.primary.anthropicBaseUrl());
    QCOMPARE(primary.value(u"healthy"_s).toBool(false), true);
    QVERIFY(primary.value(u"last_error"_s).isNull());
    QVERIFY(primary.value(u"latency_ms"_s).isNull());

    // A success gives a latency; a failure then marks it unhealthy, saying why.
    p.primary.enqueue(goodReply(true, false).withHeadDelay(30));
    QCOMPARE(p.call(false).status, 200);
    primary = p.providerHealth(u"primary"_s);
    QVERIFY(primary.value(u"latency_ms"_s).isDouble());
    QVERIFY2(primary.value(u"latency_ms"_s).toDouble() >= 20, qPrintable(QString::number(primary.value(u"latency_ms"_s).toDouble())));

    p.primary.enqueue(FakeReply::error(529, errorBody(true, 529)));
    p.backup.enqueue(goodReply(true, false));
    QCOMPARE(p.call(false).header("x-tollgate-provider"), QByteArray("backup"));
    primary = p.providerHealth(u"primary"_s);
    QCOMPARE(primary.value(u"healthy"_s).toBool(true), false);
    const QString lastError = primary.value(u"last_error"_s).toString();
    QVERIFY2(lastError.contains(u"529"_s) && lastError.contains(u"Overloaded"_s), qPrintable(lastError));
    QVERIFY(primary.value(u"latency_ms"_s).isDouble());
    QCOMPARE(primary.value(u"consecutive_failures"_s).toInt(), 1);

    const QJsonObject backup = p.providerHealth(u"backup"_s);
    QCOMPARE(backup.value(u"healthy"_s).toBool(false), true);
    QVERIFY(backup.value(u"last_error"_s).isNull());
    QVERIFY(backup.value(u"latency_ms"_s).isDouble());
}

QTEST_GUILESS_MAIN(tst_FallbackE2e)
#include "tst_fallback_e2e.moc"
