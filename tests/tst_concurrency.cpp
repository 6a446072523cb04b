// Many streams at once through one gateway to one provider: 200 clients,
// each stream lasting about a second. All of them must be open upstream at
// the same time (nothing queues behind a per-host connection limit) and
// every client must get its whole stream, correctly framed and metered.

#include "canned.h"
#include "fakeprovider.h"
#include "rawconnection.h"
#include "testgateway.h"

#include <QTest>

#include <QSet>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

constexpr int kClients = 200;
constexpr int kEventDelayMs = 80;   // 13 events: about a second per stream

QByteArray requestFor(int client)
{
    // Each body differs, so no cache or request coalescing can merge them.
    return R"({"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},)"
           R"("messages":[{"role":"user","content":"Say hello to client )"
        + QByteArray::number(client) + R"(."}]})";
}

} // namespace

class tst_Concurrency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void manyConcurrentStreams();
};

void tst_Concurrency::manyConcurrentStreams()
{
    FakeProvider fake;
    QVERIFY(fake.isListening());
    TestGateway gw;
    gw.addOpenAi(fake);
    QVERIFY(gw.start());

    const QList<QByteArray> events = Canned::openAiLongStream(9, true);
    fake.setReplyFunction([&events](const FakeRequest &) { return FakeReply::sse(events, kEventDelayMs); });
    // No stream starts before all are open upstream, so a slow machine cannot
    // finish the first ones before the last arrive; a gateway that queued
    // requests (say, six per host) never gets there and fails below.
    fake.holdRepliesUntilOpen(kClients);
    const HttpHeaders auth = gw.authHeaders();

    std::vector<std::unique_ptr<RawConnection>> clients;
    clients.reserve(kClients);
    for (int i = 0; i < kClients; ++i)
        clients.push_back(std::make_unique<RawConnection>(gw.port()));
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.begin(), clients.end(),
                                         [](const auto &c) {
                                             return c->socket()->state() == QAbstractSocket::ConnectedState;
                                         }),
                             20000);
    for (int i = 0; i < kClients; ++i)
        clients[i]->send(HttpWire::request("POST", "/v1/chat/completions", auth, requestFor(i)));

    // At some moment every one of them is open at the provider.
    QTRY_COMPARE_WITH_TIMEOUT(fake.maxOpenRequests(), kClients, 30000);

    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.begin(), clients.end(),
                                         [](const auto &c) { return c->responses().size() == 1 || c->isClosed(); }),
                             60000);
    const QByteArray expected = Canned::join(events);
    for (int i = 0; i < kClients; ++i) {
        const RawConnection &c = *clients[i];
        QVERIFY2(c.framingError().isEmpty(), qPrintable(c.framingError()));
        QCOMPARE(c.responses().size(), 1);
        const HttpReply reply = c.responses().first();
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body, expected);
        QVERIFY(!c.isClosed());
    }
    QCOMPARE(fake.requestCount(), kClients);
    QSet<QByteArray> bodies;
    for (const FakeRequest &r : fake.requests())
        bodies.insert(r.body);
    QCOMPARE(bodies.size(), kClients);

    QTRY_COMPARE_WITH_TIMEOUT(gw.recordCount(), kClients, 10000);
    for (const UsageRecord &r : gw.records()) {
        QCOMPARE(r.status, 200);
        QVERIFY(!r.estimated);
        QCOMPARE(r.outputTokens, Canned::kOpenAiCompletionTokens);
    }
}

QTEST_GUILESS_MAIN(tst_Concurrency)
#include "tst_concurrency.moc"
