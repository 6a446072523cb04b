#pragma once

// One client connection: reads and parses requests, hands each to the
// server's handler with its own responder, writes the responses back in
// request order (HTTP/1.1 pipelining), answers limit violations itself, and
// closes the connection when the client asks, on a protocol error, or after
// an idle timeout.

#include "httpparser.h"
#include "httprequest.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>
#include <functional>

class HttpResponder;
class QTcpSocket;

struct HttpConnectionOptions
{
    HttpLimits limits;
    int idleTimeoutMs = 120000;
    int maxPipelined = 16;
};

class HttpConnection : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(HttpRequest &&, HttpResponder *)>;
    using Options = HttpConnectionOptions;

    HttpConnection(QTcpSocket *socket, Options options, Handler handler, QObject *parent);
    ~HttpConnection() override;

    // Stops reading new requests; closes once the in-flight ones are answered.
    void closeWhenIdle();
    bool hasInFlight() const { return !m_queue.isEmpty(); }

Q_SIGNALS:
    void closed();

private:
    friend class HttpResponder;

    void onReadyRead();
    void processBuffered();
    void onIdleTimeout();
    void refuse(int status, const QByteArray &reason);
    void write(HttpResponder *responder, QByteArray bytes);
    void responderFinished(HttpResponder *responder);
    void lingerAndClose();
    void abortAll();

    QTcpSocket *m_socket;
    Options m_options;
    Handler m_handler;
    HttpParser m_parser;
    QList<HttpResponder *> m_queue;   // in request order; front writes to the socket
    QTimer m_idleTimer;
    QElapsedTimer m_lastActivity;     // last read or write; the idle timer checks it
    bool m_closing = false;           // no more requests are read
    bool m_lingering = false;         // discarding input before closing
};
