#include "httpserver.h"

#include "core/logging.h"

#include <QTcpServer>
#include <QTcpSocket>

HttpServer::HttpServer(QObject *parent) : QObject(parent), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
}

HttpServer::~HttpServer() = default;

bool HttpServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    // A deep backlog: bursts of hundreds of clients connect at once.
    m_server->setListenBacklogSize(1024);
    if (!m_server->listen(address, port)) {
        if (error)
            *error = m_server->errorString();
        return false;
    }
    return true;
}

QHostAddress HttpServer::address() const
{
    return m_server->serverAddress();
}

quint16 HttpServer::port() const
{
    return m_server->serverPort();
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *connection = new HttpConnection(socket, m_options, m_handler, this);
        m_connections.insert(connection);
        connect(connection, &HttpConnection::closed, this, [this, connection] {
            m_connections.remove(connection);
        });
        connect(connection, &QObject::destroyed, this, [this, connection] {
            m_connections.remove(connection);
        });
    }
}

void HttpServer::stopAccepting()
{
    m_server->close();
}

void HttpServer::closeIdleConnections()
{
    const auto connections = m_connections;
    for (HttpConnection *c : connections)
        c->closeWhenIdle();
}
