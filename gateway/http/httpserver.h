#pragma once

// The gateway's HTTP/1.1 listener. It accepts connections and gives every
// complete request to one handler together with the responder to answer it.
//
// Why not QHttpServer: in Qt 6.4 it keeps each request's bytes in a socket
// transaction until the whole body is in (no body limit, twice the memory),
// reuses one request object per socket (so asynchronous answers to
// pipelined requests cannot be ordered), writes no chunked encoding and its
// responder holds a raw socket pointer. This server streams, limits and
// orders by construction, and stays small.
//
//   HttpServer server;
//   server.setHandler([](HttpRequest &&req, HttpResponder *r) { r->respond(200, {}, "ok"); });
//   server.listen(QHostAddress::LocalHost, 0, &error);

#include "httpconnection.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>

class QTcpServer;

class HttpServer : public QObject
{
    Q_OBJECT
public:
    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    void setHandler(HttpConnection::Handler handler) { m_handler = std::move(handler); }
    void setOptions(const HttpConnection::Options &options) { m_options = options; }

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    QHostAddress address() const;
    quint16 port() const;

    // Stops accepting; open connections close once their answers are out.
    void stopAccepting();
    void closeIdleConnections();
    int connectionCount() const { return int(m_connections.size()); }

private:
    void onNewConnection();

    QTcpServer *m_server;
    HttpConnection::Handler m_handler;
    HttpConnection::Options m_options;
    QSet<HttpConnection *> m_connections;
};
