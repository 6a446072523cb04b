// tollgate-test-links: tollgate_http
//
// The incremental HTTP/1.1 request parser: requests arrive in pieces of any
// size, with CRLF or bare LF, chunked or with Content-Length, pipelined in
// one buffer; oversized requests are refused from the head alone, before a
// byte of the body is read; malformed ones get 400.

#include "http/httpparser.h"

#include <QTest>

namespace {

struct Expected
{
    QByteArray method;
    QByteArray path;
    QByteArray query;
    QByteArray body;
    bool keepAlive = true;
    QList<QPair<QByteArray, QByteArray>> someHeaders;
};

// Feeds the parts one by one, calling next() after each; returns every
// request produced, and the last result.
QList<HttpRequest> feed(HttpParser &parser, const QList<QByteArray> &parts, HttpParser::Result *last = nullptr)
{
    QList<HttpRequest> out;
    HttpParser::Result r = HttpParser::Result::NeedMore;
    for (const QByteArray &p : parts) {
        parser.append(p);
        while (true) {
            r = parser.next();
            if (r == HttpParser::Result::Request) {
                out.append(parser.takeRequest());
                continue;
            }
            if (r == HttpParser::Result::ExpectContinue)
                continue;
            break;
        }
        if (r == HttpParser::Result::Error)
            break;
    }
    if (last)
        *last = r;
    return out;
}

HttpParser::Limits smallLimits()
{
    HttpParser::Limits l;
    l.maxBodyBytes = 1000;
    l.maxHeaderBytes = 512;
    return l;
}

} // namespace

class tst_HttpParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void splitAtEveryByte_data();
    void splitAtEveryByte();
    void oneByteAtATime_data() { splitAtEveryByte_data(); }
    void oneByteAtATime();
    void chunkedBodies_data();
    void chunkedBodies();
    void bodyOverLimitRefusedFromHead_data();
    void bodyOverLimitRefusedFromHead();
    void chunkedBodyOverLimit();
    void headOverLimit_data();
    void headOverLimit();
    void invalid_data();
    void invalid();
    void pipelined();
    void expectContinue();
    void expectContinueOverLimitIsRefused();
    void keepAlive_data();
    void keepAlive();
    void leadingEmptyLinesTolerated();
    void errorIsFinal();
};

void tst_HttpParser::splitAtEveryByte_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");

    QTest::newRow("get crlf") << QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Thing:  v1 \r\n\r\n")
                              << QByteArray("GET") << QByteArray("/healthz") << QByteArray() << QByteArray()
                              << QByteArray("x-thing") << QByteArray("v1");
    QTest::newRow("get lf only") << QByteArray("GET /v1/models?x=1&y=2 HTTP/1.1\nHost: a\nAccept: */*\n\n")
                                 << QByteArray("GET") << QByteArray("/v1/models") << QByteArray("x=1&y=2")
                                 << QByteArray() << QByteArray("accept") << QByteArray("*/*");
    QTest::newRow("post content-length")
        << QByteArray("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                      "Content-Length: 26\r\n\r\n{\"model\":\"gpt-4o\",\"x\":[1]}")
        << QByteArray("POST") << QByteArray("/v1/chat/completions") << QByteArray()
        << QByteArray("{\"model\":\"gpt-4o\",\"x\":[1]}") << QByteArray("content-type")
        << QByteArray("application/json");
    QTest::newRow("post lf content-length")
        << QByteArray("POST /v1/messages HTTP/1.1\nContent-Length: 5\nX-Api-Key: k\n\nhello")
        << QByteArray("POST") << QByteArray("/v1/messages") << QByteArray() << QByteArray("hello")
        << QByteArray("x-api-key") << QByteArray("k");
    QTest::newRow("post chunked")
        << QByteArray("POST /v1/messages HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n")
        << QByteArray("POST") << QByteArray("/v1/messages") << QByteArray() << QByteArray("hello, world")
        << QByteArray("transfer-encoding") << QByteArray("chunked");
    QTest::newRow("post chunked lf")
        << QByteArray("POST /p HTTP/1.1\nTransfer-Encoding: chunked\n\nA\n0123456789\n0\n\n")
        << QByteArray("POST") << QByteArray("/p") << QByteArray() << QByteArray("0123456789")
        << QByteArray("transfer-encoding") << QByteArray("chunked");
    QTest::newRow("body with blank lines inside")
        << QByteArray("POST /p HTTP/1.1\r\nContent-Length: 8\r\n\r\n\r\n\r\n\r\n\r\n")
        << QByteArray("POST") << QByteArray("/p") << QByteArray() << QByteArray("\r\n\r\n\r\n\r\n")
        << QByteArray("content-length") << QByteArray("8");
}

void tst_HttpParser::splitAtEveryByte()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);

    for (qsizetype split = 0; split <= bytes.size(); ++split) {
        HttpParser parser;
        HttpParser::Result last;
        const auto requests = feed(parser, {bytes.left(split), bytes.mid(split)}, &last);
        QVERIFY2(requests.size() == 1, qPrintable(QStringLiteral("split at %1").arg(split)));
        const HttpRequest &r = requests.first();
        QCOMPARE(r.method, method);
        QCOMPARE(r.path, path);
        QCOMPARE(r.query, query);
        QCOMPARE(r.body, body);
        QCOMPARE(r.header(headerName), headerValue);
        QCOMPARE(last, HttpParser::Result::NeedMore);
        QVERIFY(parser.isIdle());
    }
}

void tst_HttpParser::oneByteAtATime()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, path);

    HttpParser parser;
    QList<QByteArray> parts;
    for (char c : bytes)
        parts.append(QByteArray(1, c));
    // Twice in a row on the same connection.
    parts += parts;
    const auto requests = feed(parser, parts);
    QCOMPARE(requests.size(), 2);
    for (const HttpRequest &r : requests) {
        QCOMPARE(r.path, path);
        QCOMPARE(r.body, body);
    }
}

void tst_HttpParser::chunkedBodies_data()
{
    QTest::addColumn<QByteArray>("chunks");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("one") << QByteArray("3\r\nabc\r\n0\r\n\r\n") << QByteArray("abc");
    QTest::newRow("several") << QByteArray("1\r\na\r\n2\r\nbc\r\n3\r\ndef\r\n0\r\n\r\n") << QByteArray("abcdef");
    QTest::newRow("upper hex") << QByteArray("1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n")
                               << QByteArray("abcdefghijklmnopqrstuvwxyz");
    QTest::newRow("extension") << QByteArray("4;name=value\r\nwxyz\r\n0\r\n\r\n") << QByteArray("wxyz");
    QTest::newRow("trailers") << QByteArray("2\r\nok\r\n0\r\nDigest: x\r\nOther: y\r\n\r\n") << QByteArray("ok");
    QTest::newRow("empty body") << QByteArray("0\r\n\r\n") << QByteArray();
    QTest::newRow("crlf inside data") << QByteArray("4\r\n\r\n\r\n\r\n0\r\n\r\n") << QByteArray("\r\n\r\n");
}

void tst_HttpParser::chunkedBodies()
{
    QFETCH(QByteArray, chunks);
    QFETCH(QByteArray, body);

    const QByteArray head = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    const QByteArray next = "GET /healthz HTTP/1.1\r\n\r\n";
    HttpParser parser;
    const auto requests = feed(parser, {head + chunks + next});
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(0).body, body);
    QCOMPARE(requests.at(1).path, QByteArray("/healthz"));
}

void tst_HttpParser::bodyOverLimitRefusedFromHead_data()
{
    QTest::addColumn<QByteArray>("contentLength");

    QTest::newRow("one over") << QByteArray("1001");
    QTest::newRow("200 MB") << QByteArray::number(200LL * 1024 * 1024);
    QTest::newRow("huge") << QByteArray("999999999999999");
}

void tst_HttpParser::bodyOverLimitRefusedFromHead()
{
    QFETCH(QByteArray, contentLength);

    HttpParser parser(smallLimits());
    // Only the head: no body byte has been sent, and none is needed.
    parser.append("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: " + contentLength + "\r\n\r\n");
    QCOMPARE(parser.next(), HttpParser::Result::Error);
    QCOMPARE(parser.errorStatus(), 413);
    QVERIFY(!parser.errorReason().isEmpty());

    // At the limit exactly is fine.
    HttpParser ok(smallLimits());
    const auto requests = feed(ok, {"POST /p HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + QByteArray(1000, 'x')});
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().body.size(), 1000);
}

void tst_HttpParser::chunkedBodyOverLimit()
{
    HttpParser parser(smallLimits());
    HttpParser::Result last;
    QByteArray bytes = "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i)
        bytes += "190\r\n" + QByteArray(400, 'x') + "\r\n"; // 3 x 400 > 1000
    bytes += "0\r\n\r\n";
    const auto requests = feed(parser, {bytes}, &last);
    QVERIFY(requests.isEmpty());
    QCOMPARE(last, HttpParser::Result::Error);
    QCOMPARE(parser.errorStatus(), 413);
}

void tst_HttpParser::headOverLimit_data()
{
    QTest::addColumn<bool>("terminated");
    QTest::newRow("head still coming") << false;
    QTest::newRow("complete head") << true;
}

void tst_HttpParser::headOverLimit()
{
    QFETCH(bool, terminated);

    HttpParser parser(smallLimits());
    QByteArray bytes = "GET / HTTP/1.1\r\n";
    while (bytes.size() <= 600)
        bytes += "X-Padding: " + QByteArray(40, 'p') + "\r\n";
    if (terminated)
        bytes += "\r\n";
    parser.append(bytes);
    QCOMPARE(parser.next(), HttpParser::Result::Error);
    QCOMPARE(parser.errorStatus(), 431);

    // Just under the limit is accepted.
    HttpParser ok(smallLimits());
    QByteArray small = "GET / HTTP/1.1\r\nX-Padding: " + QByteArray(400, 'p') + "\r\n\r\n";
    QVERIFY(small.size() < 512);
    QCOMPARE(feed(ok, {small}).size(), 1);
}

void tst_HttpParser::invalid_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");

    QTest::newRow("no target") << QByteArray("GET\r\n\r\n") << 400;
    QTest::newRow("no version") << QByteArray("GET /\r\n\r\n") << 400;
    QTest::newRow("double space") << QByteArray("GET  / HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("bad method char") << QByteArray("G(T / HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("relative target") << QByteArray("GET foo HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("bad version") << QByteArray("GET / HTTP/1.1x\r\n\r\n") << 400;
    QTest::newRow("not http") << QByteArray("GET / FTP/1.1\r\n\r\n") << 400;
    QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\x05 hello /x\r\n\r\n") << 400;
    QTest::newRow("header without colon") << QByteArray("GET / HTTP/1.1\r\nHost a\r\n\r\n") << 400;
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : a\r\n\r\n") << 400;
    QTest::newRow("empty header name") << QByteArray("GET / HTTP/1.1\r\n: a\r\n\r\n") << 400;
    QTest::newRow("obsolete folding") << QByteArray("GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n") << 400;
    QTest::newRow("content-length letters") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n") << 400;
    QTest::newRow("content-length negative") << QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") << 400;
    QTest::newRow("content-length conflicting")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") << 400;
    QTest::newRow("content-length and chunked")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
    QTest::newRow("chunked and content-length")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n") << 400;
    QTest::newRow("bad chunk size") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") << 400;
    QTest::newRow("chunk without crlf")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY\r\n0\r\n\r\n") << 400;
    QTest::newRow("unsupported transfer-encoding")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n") << 501;
}

void tst_HttpParser::invalid()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);

    HttpParser parser;
    HttpParser::Result last;
    const auto requests = feed(parser, {bytes}, &last);
    QVERIFY(requests.isEmpty());
    QCOMPARE(last, HttpParser::Result::Error);
    QCOMPARE(parser.errorStatus(), status);
    QVERIFY(!parser.errorReason().isEmpty());
}

void tst_HttpParser::pipelined()
{
    const QByteArray bytes = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nonePOST /b HTTP/1.1\r\nTransfer-Encoding: "
                             "chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\nGET /c?q HTTP/1.1\r\n\r\nGET /d HTTP/1.1\r\nConnection: "
                             "close\r\n\r\n";
    HttpParser parser;
    parser.append(bytes);
    QList<HttpRequest> requests;
    HttpParser::Result r;
    while ((r = parser.next()) == HttpParser::Result::Request)
        requests.append(parser.takeRequest());
    QCOMPARE(r, HttpParser::Result::NeedMore);
    QCOMPARE(requests.size(), 4);
    QCOMPARE(requests.at(0).path, QByteArray("/a"));
    QCOMPARE(requests.at(0).body, QByteArray("one"));
    QCOMPARE(requests.at(1).path, QByteArray("/b"));
    QCOMPARE(requests.at(1).body, QByteArray("two"));
    QCOMPARE(requests.at(2).path, QByteArray("/c"));
    QCOMPARE(requests.at(2).query, QByteArray("q"));
    QVERIFY(requests.at(2).keepAlive);
    QCOMPARE(requests.at(3).path, QByteArray("/d"));
    QVERIFY(!requests.at(3).keepAlive);
    QVERIFY(parser.isIdle());
}

void tst_HttpParser::expectContinue()
{
    HttpParser parser;
    parser.append("POST /v1/messages HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    QCOMPARE(parser.next(), HttpParser::Result::ExpectContinue);
    QCOMPARE(parser.next(), HttpParser::Result::NeedMore);
    parser.append("he");
    QCOMPARE(parser.next(), HttpParser::Result::NeedMore);
    parser.append("llo");
    QCOMPARE(parser.next(), HttpParser::Result::Request);
    QCOMPARE(parser.takeRequest().body, QByteArray("hello"));

    // Without a body there is nothing to continue.
    parser.append("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n");
    QCOMPARE(parser.next(), HttpParser::Result::Request);
    parser.takeRequest();

    // The next request on the connection asks again, and is told again.
    parser.append("POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n");
    QCOMPARE(parser.next(), HttpParser::Result::ExpectContinue);
    parser.append("z");
    QCOMPARE(parser.next(), HttpParser::Result::Request);
    QCOMPARE(parser.takeRequest().body, QByteArray("z"));
}

void tst_HttpParser::expectContinueOverLimitIsRefused()
{
    // A client waiting for 100 Continue must get the 413 instead.
    HttpParser parser(smallLimits());
    parser.append("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
    QCOMPARE(parser.next(), HttpParser::Result::Error);
    QCOMPARE(parser.errorStatus(), 413);
}

void tst_HttpParser::keepAlive_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<bool>("keepAlive");

    QTest::newRow("1.1 default") << QByteArray("GET / HTTP/1.1\r\n\r\n") << true;
    QTest::newRow("1.1 close") << QByteArray("GET / HTTP/1.1\r\nConnection: close\r\n\r\n") << false;
    QTest::newRow("1.1 Close") << QByteArray("GET / HTTP/1.1\r\nconnection: Close\r\n\r\n") << false;
    QTest::newRow("1.0 default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false;
    QTest::newRow("1.0 keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << true;
}

void tst_HttpParser::keepAlive()
{
    QFETCH(QByteArray, head);
    QFETCH(bool, keepAlive);

    HttpParser parser;
    const auto requests = feed(parser, {head});
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().keepAlive, keepAlive);
}

void tst_HttpParser::leadingEmptyLinesTolerated()
{
    HttpParser parser;
    const auto requests = feed(parser, {"\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n"});
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().path, QByteArray("/healthz"));
}

void tst_HttpParser::errorIsFinal()
{
    HttpParser parser;
    parser.append("BROKEN\r\n\r\n");
    QCOMPARE(parser.next(), HttpParser::Result::Error);
    // Whatever follows, the connection is done.
    parser.append("GET / HTTP/1.1\r\n\r\n");
    QCOMPARE(parser.next(), HttpParser::Result::Error);
}

QTEST_GUILESS_MAIN(tst_HttpParser)
#include "tst_httpparser.moc"
