#pragma once

// A client connection that writes raw request bytes and keeps every byte
// the server sends back, for tests that check the wire itself: chunked
// framing byte for byte, pipelining, keep-alive, Connection: close, limits.
// Waiting spins the event loop (QTest::qWaitFor), so the server under test
// may live on the same thread.
//
//   RawConnection c(gateway.port());
//   c.send(HttpWire::request("GET", "/healthz"));
//   QVERIFY(c.waitForResponses(1));
//   QCOMPARE(c.responses().first().status, 200);

#include "httpwire.h"

#include <QObject>
#include <functional>

class QTcpSocket;

class RawConnection : public QObject
{
    Q_OBJECT
public:
    // Connects to 127.0.0.1:port at once.
    explicit RawConnection(quint16 port, QObject *parent = nullptr);
    ~RawConnection() override;

    bool waitConnected(int timeoutMs = 5000);
    void send(const QByteArray &bytes);
    void abort();   // closes the socket now (a client that goes away)

    QByteArray received() const { return m_received; }
    bool isClosed() const { return m_closed; }

    // Every complete response so far, in order; framing violations end up
    // in framingError().
    QList<HttpReply> responses() const;
    QString framingError() const;
    bool waitForResponses(int count, int timeoutMs = 10000);
    bool waitForClosed(int timeoutMs = 10000);

    // For a streamed response still flowing: the first response's head and
    // its de-chunked body so far.
    HttpReply streamSoFar(bool *ended = nullptr) const;
    bool waitForStream(const std::function<bool(const QByteArray &body)> &done, int timeoutMs = 10000);

    QTcpSocket *socket() const { return m_socket; }

    // Connect, send, wait for one response (status 0 and error set on failure).
    static HttpReply exchange(quint16 port, const QByteArray &request, int timeoutMs = 10000);

private:
    QTcpSocket *m_socket;
    QByteArray m_received;
    bool m_closed = false;
};
