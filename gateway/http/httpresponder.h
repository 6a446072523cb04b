#pragma once

// The write side of one HTTP exchange. A handler answers through it at any
// time later — whole (respond) or streamed (writeHead, writeChunk, end) —
// without ever touching the socket: the connection owns both, orders the
// responses of pipelined requests, and frames streamed bodies with chunked
// transfer encoding so the connection stays usable afterwards.
//
// Handlers keep a QPointer<HttpResponder>: when the client goes away the
// responder emits clientGone() and is deleted with its connection.
//
//   QPointer<HttpResponder> r = responder;
//   r->writeHead(200, {{"content-type", "text/event-stream"}});
//   r->writeChunk(event);   // later, as events arrive
//   r->end();

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPair>

class HttpConnection;

class HttpResponder : public QObject
{
    Q_OBJECT
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    // A complete response with Content-Length.
    void respond(int status, const Headers &headers, const QByteArray &body);
    // A streamed response: head now, body in chunks, end() to finish.
    void writeHead(int status, const Headers &headers);
    void writeChunk(const QByteArray &data);
    void end();

    bool headWritten() const { return m_headWritten; }
    bool isFinished() const { return m_finished; }
    bool isClientGone() const { return m_clientGone; }
    // Asks the connection to close once this response is written.
    void setCloseAfter() { m_closeAfter = true; }

    // Nanoseconds since the request's last byte arrived.
    qint64 elapsedNs() const { return m_since.nsecsElapsed(); }
    const QElapsedTimer &since() const { return m_since; }

Q_SIGNALS:
    void clientGone();
    void bytesFirstWritten();

private:
    friend class HttpConnection;
    explicit HttpResponder(HttpConnection *connection);

    void emitData(QByteArray bytes);
    void markClientGone();

    HttpConnection *m_connection;  // parent; outlives us
    QElapsedTimer m_since;
    bool m_headWritten = false;
    bool m_chunked = false;
    bool m_finished = false;
    bool m_clientGone = false;
    bool m_closeAfter = false;
    bool m_isHead = false;            // HEAD request: no body bytes
    bool m_http10 = false;            // HTTP/1.0 client: no chunked encoding
    bool m_active = false;            // first in line: bytes go to the socket
    QByteArray m_pending;             // bytes written while not yet first in line
};
