// tollgate-test-links: tollgate_http tollgate_testsupport
//
// The HTTP/1.1 server on real sockets: pipelined requests answered in
// order even when an earlier answer is slower and asynchronous, keep-alive,
// chunked streams framed correctly and the connection usable afterwards,
// Connection: close, limits refused before the body is read, idle
// connections closed, and a responder kept after its client left.

#include "http/httpresponder.h"
#include "http/httpserver.h"
#include "rawconnection.h"

#include <QFile>
#include <QPointer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 10000;

// Resident set size of this process, in KiB.
qint64 rssKb()
{
    QFile f(u"/proc/self/status"_s);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

// A server with a few routes that answer at different speeds.
class TestServer : public QObject
{
public:
    explicit TestServer(HttpConnection::Options options = {})
    {
        server.setOptions(options);
        server.setHandler([this](HttpRequest &&request, HttpResponder *responder) {
            handle(std::move(request), responder);
        });
    }

    bool listen()
    {
        QString error;
        return server.listen(QHostAddress::LocalHost, 0, &error);
    }

    void handle(HttpRequest &&request, HttpResponder *responder)
    {
        handled.append(request.path);
        QPointer<HttpResponder> r = responder;
        if (request.path == "/fast") {
            if (slowPending)
                fastWhileSlowPending = true;
            r->respond(200, {{"content-type", "text/plain"}}, "fast:" + request.query);
        } else if (request.path == "/slow") {
            slowPending = true;
            QTimer::singleShot(200, this, [this, r] {
                slowPending = false;
                if (r)
                    r->respond(200, {{"content-type", "text/plain"}}, "slow");
            });
        } else if (request.path == "/sse") {
            r->writeHead(200, {{"content-type", "text/event-stream"}});
            auto *timer = new QTimer(this);
            timer->setInterval(20);
            auto sent = std::make_shared<int>(0);
            connect(timer, &QTimer::timeout, this, [r, timer, sent] {
                if (!r) {
                    timer->deleteLater();
                    return;
                }
                if (*sent < 3) {
                    r->writeChunk("data: event " + QByteArray::number(++*sent) + "\n\n");
                    return;
                }
                r->end();
                timer->deleteLater();
            });
            timer->start();
        } else if (request.path == "/echo") {
            r->respond(200, {}, QByteArray::number(request.body.size()) + ':' + request.body.left(64));
        } else if (request.path == "/hold") {
            held = r;
            connect(r, &HttpResponder::clientGone, this, [this, r] {
                ++clientGoneCount;
                // Writing now must be harmless: everything is a no-op.
                if (r) {
                    r->writeHead(200, {});
                    r->writeChunk("too late");
                    r->end();
                    r->respond(200, {}, "too late");
                }
            });
            if (request.query == "stream") {
                r->writeHead(200, {{"content-type", "text/event-stream"}});
                r->writeChunk("data: first\n\n");
            }
        } else {
            r->respond(404, {}, "no");
        }
    }

    HttpServer server;
    QList<QByteArray> handled;
    bool slowPending = false;
    bool fastWhileSlowPending = false;
    QPointer<HttpResponder> held;
    int clientGoneCount = 0;
};

} // namespace

class tst_HttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pipelinedAnsweredInOrder();
    void keepAliveReuse();
    void chunkedStreamFraming();
    void connectionCloseHonored_data();
    void connectionCloseHonored();
    void http10StreamEndsWithClose();
    void expectContinue();
    void hugeBodyRefusedBeforeReading();
    void headersOverLimit();
    void malformedRequestRefused();
    void idleConnectionClosed_data();
    void idleConnectionClosed();
    void responderAfterClientLeft_data();
    void responderAfterClientLeft();
};

void tst_HttpServer::pipelinedAnsweredInOrder()
{
    TestServer s;
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());
    // All in one write: the slow answer comes last in time, first on the wire.
    c.send(HttpWire::request("GET", "/slow") + HttpWire::request("GET", "/fast?1")
           + HttpWire::request("POST", "/echo", {}, "body") + HttpWire::request("GET", "/fast?2"));
    QVERIFY2(c.waitForResponses(4, kTimeoutMs), qPrintable(c.framingError()));
    const QList<HttpReply> replies = c.responses();
    QCOMPARE(replies.size(), 4);
    QCOMPARE(replies.at(0).body, QByteArray("slow"));
    QCOMPARE(replies.at(1).body, QByteArray("fast:1"));
    QCOMPARE(replies.at(2).body, QByteArray("4:body"));
    QCOMPARE(replies.at(3).body, QByteArray("fast:2"));
    // The later requests were handled while the first was still pending.
    QVERIFY(s.fastWhileSlowPending);
    QCOMPARE(c.framingError(), QString());
    QVERIFY(!c.isClosed());
}

void tst_HttpServer::keepAliveReuse()
{
    TestServer s;
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());
    for (int i = 1; i <= 5; ++i) {
        c.send(HttpWire::request("GET", "/fast?" + QByteArray::number(i)));
        QVERIFY(c.waitForResponses(i, kTimeoutMs));
        QCOMPARE(c.responses().at(i - 1).body, "fast:" + QByteArray::number(i));
        QVERIFY(!c.responses().at(i - 1).hasHeader("connection"));
    }
    QVERIFY(!c.isClosed());
    QCOMPARE(s.server.connectionCount(), 1);
}

void tst_HttpServer::chunkedStreamFraming()
{
    TestServer s;
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());
    c.send(HttpWire::request("GET", "/sse"));
    QVERIFY2(c.waitForResponses(1, kTimeoutMs), qPrintable(c.framingError()));
    const QByteArray expected = "HTTP/1.1 200 OK\r\n"
                                "content-type: text/event-stream\r\n"
                                "transfer-encoding: chunked\r\n"
                                "\r\n"
                                "f\r\ndata: event 1\n\n\r\n"
                                "f\r\ndata: event 2\n\n\r\n"
                                "f\r\ndata: event 3\n\n\r\n"
                                "0\r\n\r\n";
    QCOMPARE(c.received(), expected);
    QCOMPARE(c.responses().first().chunks.size(), 3);

    // The connection is still good for the next request.
    c.send(HttpWire::request("GET", "/fast?after"));
    QVERIFY(c.waitForResponses(2, kTimeoutMs));
    QCOMPARE(c.responses().at(1).body, QByteArray("fast:after"));
    QVERIFY(!c.isClosed());
}

void tst_HttpServer::connectionCloseHonored_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("1.1 close") << QByteArray("GET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QTest::newRow("1.0") << QByteArray("GET /fast HTTP/1.0\r\nHost: x\r\n\r\n");
    QTest::newRow("close then another") << QByteArray("GET /fast HTTP/1.1\r\nConnection: close\r\n\r\n"
                                                      "GET /fast?ignored HTTP/1.1\r\n\r\n");
}

void tst_HttpServer::connectionCloseHonored()
{
    QFETCH(QByteArray, request);

    TestServer s;
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());
    c.send(request);
    QVERIFY(c.waitForClosed(kTimeoutMs));
    const QList<HttpReply> replies = c.responses();
    QCOMPARE(replies.size(), 1);
    QCOMPARE(replies.first().body, QByteArray("fast:"));
    QCOMPARE(replies.first().header("connection"), QByteArray("close"));
    QCOMPARE(s.handled.size(), 1);
}

void tst_HttpServer::http10StreamEndsWithClose()
{
    // An HTTP/1.0 client knows no chunked encoding: raw body, end by close.
    TestServer s;
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());
    c.send("GET /sse HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    QVERIFY(c.waitForClosed(kTimeoutMs));
    const QList<HttpReply> replies = c.responses();
    QCOMPARE(replies.size(), 1);
    QVERIFY(!replies.first().chunked);
    QCOMPARE(replies.first().body, QByteArray("data: event 1\n\ndata: event 2\n\ndata: event 3\n\n"));
}

void tst_HttpServer::expectContinue()
{
    TestServer s;
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    QVERIFY(c.waitForResponses(1, kTimeoutMs));
    QCOMPARE(c.responses().first().status, 100);
    c.send("hello");
    QVERIFY(c.waitForResponses(2, kTimeoutMs));
    QCOMPARE(c.responses().at(1).status, 200);
    QCOMPARE(c.responses().at(1).body, QByteArray("5:hello"));
}

void tst_HttpServer::hugeBodyRefusedBeforeReading()
{
    TestServer s;   // default limit: 32 MiB
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());

    constexpr qint64 total = 200LL * 1024 * 1024;
    const QByteArray piece(256 * 1024, 'x');
    const qint64 before = rssKb();
    QVERIFY(before > 0);
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
           + QByteArray::number(total) + "\r\n\r\n");
    qint64 sent = 0;
    // Send the body in pieces, never more than a little ahead of the
    // socket, and stop as soon as the server answered or hung up.
    while (sent < total) {
        const bool ready = QTest::qWaitFor(
            [&] { return c.socket()->bytesToWrite() < 1024 * 1024 || c.isClosed() || !c.responses().isEmpty(); },
            kTimeoutMs);
        if (!ready || c.isClosed() || !c.responses().isEmpty())
            break;
        c.send(piece);
        sent += piece.size();
    }
    QVERIFY(c.waitForResponses(1, kTimeoutMs));
    const HttpReply reply = c.responses().first();
    QCOMPARE(reply.status, 413);
    QCOMPARE(reply.header("connection"), QByteArray("close"));
    QVERIFY(reply.body.contains("request_too_large"));
    QVERIFY2(sent < total / 4, qPrintable(QStringLiteral("%1 bytes sent before the refusal").arg(sent)));
    QVERIFY(s.handled.isEmpty());
    const qint64 growth = rssKb() - before;
    QVERIFY2(growth < 16 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(growth)));
    QVERIFY(c.waitForClosed(kTimeoutMs));
}

void tst_HttpServer::headersOverLimit()
{
    TestServer s;   // default head limit: 64 KiB
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());
    QByteArray head = "GET /fast HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; head.size() < 80 * 1024; ++i)
        head += "X-Padding-" + QByteArray::number(i) + ": " + QByteArray(1000, 'p') + "\r\n";
    c.send(head + "\r\n");
    QVERIFY(c.waitForResponses(1, kTimeoutMs));
    const HttpReply reply = c.responses().first();
    QCOMPARE(reply.status, 431);
    QCOMPARE(reply.json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"request_too_large"_s);
    QVERIFY(s.handled.isEmpty());
    QVERIFY(c.waitForClosed(kTimeoutMs));
}

void tst_HttpServer::malformedRequestRefused()
{
    TestServer s;
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());
    c.send("BROKEN REQUEST LINE\r\n\r\n");
    QVERIFY(c.waitForResponses(1, kTimeoutMs));
    QCOMPARE(c.responses().first().status, 400);
    QCOMPARE(c.responses().first().header("x-should-retry"), QByteArray("false"));
    QVERIFY(c.waitForClosed(kTimeoutMs));

    // The server itself is fine.
    const HttpReply next = RawConnection::exchange(s.server.port(), HttpWire::request("GET", "/fast"));
    QCOMPARE(next.status, 200);
}

void tst_HttpServer::idleConnectionClosed_data()
{
    QTest::addColumn<bool>("afterRequest");
    QTest::newRow("never sent anything") << false;
    QTest::newRow("after one exchange") << true;
}

void tst_HttpServer::idleConnectionClosed()
{
    QFETCH(bool, afterRequest);

    HttpConnection::Options options;
    options.idleTimeoutMs = 200;
    TestServer s(options);
    QVERIFY(s.listen());
    RawConnection c(s.server.port());
    QVERIFY(c.waitConnected());
    if (afterRequest) {
        c.send(HttpWire::request("GET", "/fast"));
        QVERIFY(c.waitForResponses(1, kTimeoutMs));
    }
    QTRY_VERIFY_WITH_TIMEOUT(c.isClosed(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(s.server.connectionCount(), 0, kTimeoutMs);
}

void tst_HttpServer::responderAfterClientLeft_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::newRow("nothing written yet") << QByteArray();
    QTest::newRow("stream open") << QByteArray("stream");
}

void tst_HttpServer::responderAfterClientLeft()
{
    QFETCH(QByteArray, query);

    TestServer s;
    QVERIFY(s.listen());
    {
        RawConnection c(s.server.port());
        QVERIFY(c.waitConnected());
        c.send(HttpWire::request("GET", "/hold" + (query.isEmpty() ? QByteArray() : "?" + query)));
        QTRY_VERIFY_WITH_TIMEOUT(s.held, kTimeoutMs);
        if (!query.isEmpty())
            QVERIFY(c.waitForStream([](const QByteArray &body) { return body == "data: first\n\n"; }, kTimeoutMs));
        c.abort();
    }
    QTRY_COMPARE_WITH_TIMEOUT(s.clientGoneCount, 1, kTimeoutMs);
    // Still around or already gone with its connection: either way, harmless.
    if (s.held) {
        QVERIFY(s.held->isClientGone());
        s.held->writeChunk("still too late");
        s.held->end();
    }
    QTRY_VERIFY_WITH_TIMEOUT(s.held.isNull(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(s.server.connectionCount(), 0, kTimeoutMs);
    QCOMPARE(s.clientGoneCount, 1);

    const HttpReply next = RawConnection::exchange(s.server.port(), HttpWire::request("GET", "/fast"));
    QCOMPARE(next.status, 200);
}

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"
