#include "fakeprovider.h"

#include "fakeconnection.h"

#include <QTcpServer>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

FakeProvider::FakeProvider(QObject *parent) : QObject(parent), m_server(new QTcpServer(this))
{
    m_default = FakeReply::error(500, R"({"error":{"message":"FakeProvider: no reply scripted for this request","type":"server_error"}})");
    m_server->setListenBacklogSize(1024);
    connect(m_server, &QTcpServer::newConnection, this, &FakeProvider::onNewConnection);
    m_server->listen(QHostAddress::LocalHost, 0);
}

FakeProvider::~FakeProvider()
{
    // Connections are children; close them before the server goes.
    const auto connections = m_connections;
    m_connections.clear();
    qDeleteAll(connections);
}

bool FakeProvider::isListening() const
{
    return m_server->isListening();
}

quint16 FakeProvider::port() const
{
    return m_server->serverPort();
}

QString FakeProvider::url() const
{
    return u"http://127.0.0.1:"_s + QString::number(port());
}

QString FakeProvider::openAiBaseUrl() const
{
    return url() + u"/v1"_s;
}

QString FakeProvider::anthropicBaseUrl() const
{
    return url();
}

void FakeProvider::enqueue(const FakeReply &reply)
{
    m_queue.append(reply);
}

int FakeProvider::clientClosedCount() const
{
    int n = 0;
    for (const FakeRequest &r : m_requests)
        n += r.clientClosed ? 1 : 0;
    return n;
}

void FakeProvider::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        ++m_connectionCount;
        m_connections.append(new FakeConnection(socket, m_connectionCount, this));
    }
}

int FakeProvider::record(FakeRequest request)
{
    m_requests.append(std::move(request));
    m_open += 1;
    m_maxOpen = qMax(m_maxOpen, m_open);
    const int index = int(m_requests.size()) - 1;
    Q_EMIT requestReceived(index);
    if (m_holdUntil > 0 && m_open >= m_holdUntil) {
        m_holdUntil = 0;
        // After this request's own reply is chosen and held.
        QMetaObject::invokeMethod(this, &FakeProvider::releaseHeld, Qt::QueuedConnection);
    }
    return index;
}

bool FakeProvider::holdReply(FakeConnection *connection)
{
    if (m_holdUntil <= 0 && m_held.isEmpty())
        return false;
    m_held.append(connection);
    return true;
}

void FakeProvider::releaseHeld()
{
    const auto held = std::exchange(m_held, {});
    for (const QPointer<FakeConnection> &c : held) {
        if (c)
            c->release();
    }
}

FakeReply FakeProvider::replyFor(int index)
{
    if (!m_queue.isEmpty())
        return m_queue.takeFirst();
    if (m_function)
        return m_function(m_requests.at(index));
    return m_default;
}

void FakeProvider::markAnswered(int index)
{
    if (index < 0 || index >= m_requests.size() || m_requests[index].answered)
        return;
    m_requests[index].answered = true;
    --m_open;
}

void FakeProvider::markClosed(int index, bool byClient)
{
    if (index < 0 || index >= m_requests.size() || m_requests[index].answered)
        return;
    // Stays unanswered; no longer open.
    m_requests[index].answered = false;
    --m_open;
    if (byClient) {
        m_requests[index].clientClosed = true;
        Q_EMIT clientClosed(index);
    }
}
