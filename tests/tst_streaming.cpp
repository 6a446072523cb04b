// Streams through the gateway: the provider's SSE reaches the client event
// for event and byte for byte; OpenAI usage the gateway asked for on its
// own is metered and then removed; usage is metered for both formats; a
// stream the provider cuts, a provider error before or inside the stream,
// and an upstream that goes silent all end cleanly for the client; and a
// client that leaves makes the gateway close the upstream connection at once.

#include "canned.h"
#include "fakeprovider.h"
#include "rawconnection.h"
#include "testgateway.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 10000;
// How long the gateway may take to close the upstream connection after
// its client left: "at once", with room for a loaded machine.
constexpr int kAbortBoundMs = 2000;

struct Fixture
{
    FakeProvider openai;
    FakeProvider anthropic;
    TestGateway gw;

    Fixture()
    {
        gw.addOpenAi(openai);
        gw.addAnthropic(anthropic);
    }

    FakeProvider &fake(bool isAnthropic) { return isAnthropic ? anthropic : openai; }

    QByteArray requestBytes(bool isAnthropic, const QByteArray &body)
    {
        return HttpWire::request("POST", isAnthropic ? "/v1/messages" : "/v1/chat/completions", gw.authHeaders(),
                                 body);
    }
};

QByteArray streamRequest(bool anthropic, bool includeUsage = true)
{
    return anthropic ? Canned::anthropicRequest("claude-sonnet-4-5", true)
                     : Canned::openAiRequest("gpt-4o-mini", true, includeUsage);
}

// The one error event the gateway appends when a stream ends badly.
void checkErrorEvent(const QByteArray &event, bool anthropic)
{
    QVERIFY2(event.endsWith("\n\n"), event.constData());
    QCOMPARE(event.count("\n\n"), 1);
    QByteArray data;
    if (anthropic) {
        QVERIFY2(event.startsWith("event: error\ndata: "), event.constData());
        data = event.mid(int(qstrlen("event: error\ndata: ")));
    } else {
        QVERIFY2(event.startsWith("data: "), event.constData());
        data = event.mid(6);
    }
    const QJsonObject json = QJsonDocument::fromJson(data.trimmed()).object();
    if (anthropic)
        QCOMPARE(json.value(u"type"_s).toString(), u"error"_s);
    QVERIFY(!json.value(u"error"_s).toObject().value(u"code"_s).toString().isEmpty());
    QVERIFY(!json.value(u"error"_s).toObject().value(u"message"_s).toString().isEmpty());
}

} // namespace

class tst_Streaming : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void forwardedByteForByte_data();
    void forwardedByteForByte();
    void openAiUsageAddedThenRemoved_data();
    void openAiUsageAddedThenRemoved();
    void cutByProviderBeforeUsage_data();
    void cutByProviderBeforeUsage();
    void providerErrorBeforeStream_data();
    void providerErrorBeforeStream();
    void providerErrorInStream_data();
    void providerErrorInStream();
    void clientDisconnectAbortsUpstream_data();
    void clientDisconnectAbortsUpstream();
    void upstreamIdleTimeout_data();
    void upstreamIdleTimeout();
    void upstreamFirstByteTimeout();
};

void tst_Streaming::forwardedByteForByte_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::newRow("anthropic") << true;
    QTest::newRow("openai, client asked for usage") << false;
}

void tst_Streaming::forwardedByteForByte()
{
    QFETCH(bool, anthropic);

    Fixture f;
    QVERIFY(f.gw.start());
    const QList<QByteArray> events = anthropic ? Canned::anthropicStream() : Canned::openAiStream(true);
    // A provider that thinks before it answers, then streams at a pace.
    f.fake(anthropic).enqueue(FakeReply::sse(events, 5).withHeadDelay(100));

    RawConnection c(f.gw.port());
    QVERIFY(c.waitConnected());
    c.send(f.requestBytes(anthropic, streamRequest(anthropic)));
    QVERIFY2(c.waitForResponses(1, kTimeoutMs), qPrintable(c.framingError()));
    const HttpReply reply = c.responses().first();
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.chunked);
    QCOMPARE(reply.body, Canned::join(events));
    // Event for event: nothing was held back until the end.
    QVERIFY2(reply.chunks.size() >= events.size() / 2, qPrintable(QString::number(reply.chunks.size())));
    QVERIFY(!c.isClosed());

    // The upstream request went out unchanged.
    QCOMPARE(f.fake(anthropic).request(0).body, streamRequest(anthropic));

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QCOMPARE(r.status, 200);
    QVERIFY(!r.estimated);
    QVERIFY(r.error.isEmpty());
    if (anthropic) {
        QCOMPARE(r.inputTokens, Canned::kAnthropicInputTokens);
        QCOMPARE(r.outputTokens, Canned::kAnthropicOutputTokens);
        QCOMPARE(r.cacheReadTokens, Canned::kAnthropicCacheRead);
        QCOMPARE(r.cacheWriteTokens, Canned::kAnthropicCacheWrite);
    } else {
        QCOMPARE(r.inputTokens, Canned::kOpenAiPromptTokens - Canned::kOpenAiCachedTokens);
        QCOMPARE(r.cacheReadTokens, Canned::kOpenAiCachedTokens);
        QCOMPARE(r.outputTokens, Canned::kOpenAiCompletionTokens);
        QCOMPARE(r.cacheWriteTokens, 0);
    }

    // The connection carries the next request.
    f.fake(anthropic).enqueue(FakeReply::json(anthropic ? Canned::anthropicMessage() : Canned::openAiCompletion()));
    c.send(f.requestBytes(anthropic, anthropic ? Canned::anthropicRequest() : Canned::openAiRequest()));
    QVERIFY(c.waitForResponses(2, kTimeoutMs));
    QCOMPARE(c.responses().at(1).status, 200);
}

void tst_Streaming::openAiUsageAddedThenRemoved_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("no stream_options") << Canned::openAiRequest("gpt-4o-mini", true, false);
    QTest::newRow("include_usage false")
        << QByteArray(R"({"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":false},)"
                      R"("messages":[{"role":"user","content":"Say hello to the gateway."}]})");
}

void tst_Streaming::openAiUsageAddedThenRemoved()
{
    QFETCH(QByteArray, request);

    Fixture f;
    QVERIFY(f.gw.start());
    // What OpenAI sends when include_usage is on…
    f.openai.enqueue(FakeReply::sse(Canned::openAiStream(true), 2));

    RawConnection c(f.gw.port());
    QVERIFY(c.waitConnected());
    c.send(f.requestBytes(false, request));
    QVERIFY2(c.waitForResponses(1, kTimeoutMs), qPrintable(c.framingError()));
    const HttpReply reply = c.responses().first();
    QCOMPARE(reply.status, 200);
    // …and what the client gets: exactly the stream it would have had
    // without it: no usage chunk, no "usage":null members.
    QCOMPARE(reply.body, Canned::join(Canned::openAiStream(false)));
    QVERIFY(!reply.body.contains("usage"));

    // The gateway asked for usage; the rest of the body is the client's.
    QJsonObject upstream = f.openai.request(0).json();
    QCOMPARE(upstream.value(u"stream_options"_s).toObject().value(u"include_usage"_s).toBool(), true);
    QJsonObject client = QJsonDocument::fromJson(request).object();
    upstream.remove(u"stream_options"_s);
    client.remove(u"stream_options"_s);
    QCOMPARE(upstream, client);

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QVERIFY(!r.estimated);
    QCOMPARE(r.inputTokens, Canned::kOpenAiPromptTokens - Canned::kOpenAiCachedTokens);
    QCOMPARE(r.cacheReadTokens, Canned::kOpenAiCachedTokens);
    QCOMPARE(r.outputTokens, Canned::kOpenAiCompletionTokens);
}

void tst_Streaming::cutByProviderBeforeUsage_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::newRow("anthropic") << true;
    QTest::newRow("openai") << false;
}

void tst_Streaming::cutByProviderBeforeUsage()
{
    QFETCH(bool, anthropic);

    Fixture f;
    QVERIFY(f.gw.start());
    const QList<QByteArray> events = anthropic ? Canned::anthropicStream() : Canned::openAiStream(true);
    const int sent = (anthropic ? Canned::kAnthropicFirstDelta : Canned::kFirstContentEvent) + 8;
    const FakeReply script = FakeReply::truncated(events, sent, 5);
    f.fake(anthropic).enqueue(script);

    RawConnection c(f.gw.port());
    QVERIFY(c.waitConnected());
    c.send(f.requestBytes(anthropic, streamRequest(anthropic)));
    QVERIFY2(c.waitForResponses(1, kTimeoutMs), qPrintable(c.framingError() + QString::fromUtf8(c.received())));
    const HttpReply reply = c.responses().first();
    QCOMPARE(reply.status, 200);
    // What the provider sent, then one error event, then a clean chunked end.
    QVERIFY(reply.chunked);
    QCOMPARE(reply.body.left(script.sentBody().size()), script.sentBody());
    checkErrorEvent(reply.body.mid(script.sentBody().size()), anthropic);
    QVERIFY(reply.raw.endsWith("\r\n0\r\n\r\n"));
    QVERIFY(!c.isClosed());

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QVERIFY(r.estimated);
    QVERIFY(r.outputTokens > 0);
    QVERIFY(r.inputTokens > 0);
    QVERIFY(!r.error.isEmpty());
    if (anthropic) {
        // What message_start said is kept.
        QCOMPARE(r.inputTokens, Canned::kAnthropicInputTokens);
        QCOMPARE(r.cacheReadTokens, Canned::kAnthropicCacheRead);
        QCOMPARE(r.cacheWriteTokens, Canned::kAnthropicCacheWrite);
    }
}

void tst_Streaming::providerErrorBeforeStream_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<int>("status");
    QTest::newRow("anthropic 400") << true << 400;
    QTest::newRow("anthropic 401") << true << 401;
    QTest::newRow("openai 400") << false << 400;
    QTest::newRow("openai 422") << false << 422;
}

void tst_Streaming::providerErrorBeforeStream()
{
    QFETCH(bool, anthropic);
    QFETCH(int, status);

    Fixture f;
    QVERIFY(f.gw.start());
    const QByteArray error = anthropic ? Canned::anthropicError("max_tokens: must be at most 64000")
                                       : Canned::openAiError("Invalid 'messages[0].role'");
    f.fake(anthropic).enqueue(FakeReply::error(status, error));
    const HttpReply reply =
        RawConnection::exchange(f.gw.port(), f.requestBytes(anthropic, streamRequest(anthropic)), kTimeoutMs);
    QCOMPARE(reply.status, status);
    QVERIFY(!reply.chunked);
    QCOMPARE(reply.body, error);
    QCOMPARE(f.fake(anthropic).requestCount(), 1);
}

void tst_Streaming::providerErrorInStream_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::newRow("anthropic") << true;
    QTest::newRow("openai") << false;
}

void tst_Streaming::providerErrorInStream()
{
    QFETCH(bool, anthropic);

    Fixture f;
    QVERIFY(f.gw.start());
    QList<QByteArray> events = anthropic ? Canned::anthropicStream() : Canned::openAiStream(true);
    events = events.mid(0, (anthropic ? Canned::kAnthropicFirstDelta : Canned::kFirstContentEvent) + 4);
    events.append(anthropic ? Canned::anthropicStreamErrorEvent() : Canned::openAiStreamErrorEvent());
    f.fake(anthropic).enqueue(FakeReply::sse(events, 5));

    RawConnection c(f.gw.port());
    QVERIFY(c.waitConnected());
    c.send(f.requestBytes(anthropic, streamRequest(anthropic)));
    QVERIFY2(c.waitForResponses(1, kTimeoutMs), qPrintable(c.framingError()));
    const HttpReply reply = c.responses().first();
    QCOMPARE(reply.status, 200);
    // The provider's own error event reaches the client as it was sent.
    QCOMPARE(reply.body, Canned::join(events));

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    QVERIFY(!f.gw.lastRecord().error.isEmpty());
}

void tst_Streaming::clientDisconnectAbortsUpstream_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<QString>("phase");
    QTest::newRow("anthropic streaming") << true << u"streaming"_s;
    QTest::newRow("openai streaming") << false << u"streaming"_s;
    QTest::newRow("openai waiting for the head") << false << u"head"_s;
    QTest::newRow("anthropic non-stream waiting") << true << u"whole"_s;
}

void tst_Streaming::clientDisconnectAbortsUpstream()
{
    QFETCH(bool, anthropic);
    QFETCH(QString, phase);

    Fixture f;
    QVERIFY(f.gw.start());
    const QList<QByteArray> events = anthropic ? Canned::anthropicStream() : Canned::openAiLongStream(200, true);
    if (phase == u"streaming")
        f.fake(anthropic).enqueue(FakeReply::sse(events, 100)); // seconds of stream
    else
        f.fake(anthropic).enqueue(FakeReply::hang());

    const QByteArray body = phase == u"whole" ? (anthropic ? Canned::anthropicRequest() : Canned::openAiRequest())
                                              : streamRequest(anthropic);
    RawConnection c(f.gw.port());
    QVERIFY(c.waitConnected());
    c.send(f.requestBytes(anthropic, body));
    if (phase == u"streaming")
        QVERIFY(c.waitForStream([&](const QByteArray &b) { return b.startsWith(events.first()); }, kTimeoutMs));
    else
        QTRY_COMPARE_WITH_TIMEOUT(f.fake(anthropic).requestCount(), 1, kTimeoutMs);
    QCOMPARE(f.fake(anthropic).clientClosedCount(), 0);

    c.abort();
    QTRY_VERIFY_WITH_TIMEOUT(f.fake(anthropic).request(0).clientClosed, kAbortBoundMs);
    QCOMPARE(f.fake(anthropic).openRequests(), 0);

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QCOMPARE(r.error, u"client_disconnected"_s);
    if (phase == u"streaming")
        QVERIFY(r.inputTokens > 0);
}

void tst_Streaming::upstreamIdleTimeout_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::newRow("anthropic") << true;
    QTest::newRow("openai") << false;
}

void tst_Streaming::upstreamIdleTimeout()
{
    QFETCH(bool, anthropic);

    Fixture f;
    f.gw.provider(anthropic ? u"anthropic"_s : u"openai"_s)->idleTimeoutMs = 300;
    QVERIFY(f.gw.start());
    const QList<QByteArray> events = anthropic ? Canned::anthropicStream() : Canned::openAiStream(true);
    const int sent = (anthropic ? Canned::kAnthropicFirstDelta : Canned::kFirstContentEvent) + 3;
    const FakeReply script = FakeReply::stalled(events, sent, 5);
    f.fake(anthropic).enqueue(script);

    RawConnection c(f.gw.port());
    QVERIFY(c.waitConnected());
    c.send(f.requestBytes(anthropic, streamRequest(anthropic)));
    QVERIFY2(c.waitForResponses(1, kTimeoutMs), qPrintable(c.framingError()));
    const HttpReply reply = c.responses().first();
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body.left(script.sentBody().size()), script.sentBody());
    checkErrorEvent(reply.body.mid(script.sentBody().size()), anthropic);
    // The silent upstream connection was given up.
    QTRY_VERIFY_WITH_TIMEOUT(f.fake(anthropic).request(0).clientClosed, kAbortBoundMs);

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QVERIFY(r.estimated);
    QVERIFY(r.outputTokens > 0);
    QVERIFY(!r.error.isEmpty());
}

void tst_Streaming::upstreamFirstByteTimeout()
{
    Fixture f;
    ProviderConfig *p = f.gw.provider(u"openai"_s);
    p->connectTimeoutMs = 200;
    p->firstByteTimeoutMs = 300;
    QVERIFY(f.gw.start());
    f.openai.enqueue(FakeReply::hang());
    const HttpReply reply = RawConnection::exchange(f.gw.port(), f.requestBytes(false, streamRequest(false)), kTimeoutMs);
    QCOMPARE(reply.status, 502);
    QCOMPARE(reply.json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"no_provider"_s);
    QTRY_VERIFY_WITH_TIMEOUT(f.openai.request(0).clientClosed, kAbortBoundMs);
}

QTEST_GUILESS_MAIN(tst_Streaming)
#include "tst_streaming.moc"
