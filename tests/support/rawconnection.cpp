#include "rawconnection.h"

#include <QTcpSocket>
#include <QTest>

RawConnection::RawConnection(quint16 port, QObject *parent) : QObject(parent), m_socket(new QTcpSocket(this))
{
    auto take = [this] {
        if (m_socket->isOpen())
            m_received += m_socket->readAll();
    };
    connect(m_socket, &QTcpSocket::readyRead, this, take);
    connect(m_socket, &QTcpSocket::disconnected, this, [this, take] {
        take();
        m_closed = true;
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this, take](QAbstractSocket::SocketError) {
        take();
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            m_closed = true;
    });
    m_socket->connectToHost(QHostAddress::LocalHost, port);
}

RawConnection::~RawConnection()
{
    m_socket->disconnect(this);
    m_socket->abort();
}

bool RawConnection::waitConnected(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_socket->state() == QAbstractSocket::ConnectedState || m_closed; },
                           timeoutMs)
        && m_socket->state() == QAbstractSocket::ConnectedState;
}

void RawConnection::send(const QByteArray &bytes)
{
    m_socket->write(bytes);
}

void RawConnection::abort()
{
    m_socket->disconnect(this);
    m_socket->abort();
    m_closed = true;
}

QList<HttpReply> RawConnection::responses() const
{
    return HttpWire::parseAll(m_received, m_closed);
}

QString RawConnection::framingError() const
{
    QString error;
    HttpWire::parseAll(m_received, m_closed, &error);
    return error;
}

bool RawConnection::waitForResponses(int count, int timeoutMs)
{
    return QTest::qWaitFor(
               [this, count] {
                   return responses().size() >= count || !framingError().isEmpty()
                       || (m_closed && m_socket->bytesAvailable() == 0);
               },
               timeoutMs)
        && responses().size() >= count;
}

bool RawConnection::waitForClosed(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_closed; }, timeoutMs);
}

HttpReply RawConnection::streamSoFar(bool *ended) const
{
    HttpReply reply;
    if (ended)
        *ended = false;
    const qsizetype headEnd = m_received.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return reply;
    // Parse the head alone (an empty body makes it a complete response).
    qsizetype used = 0;
    QByteArray head = m_received.left(headEnd + 4);
    HttpWire::parseOne(head, true, &reply, &used);
    if (reply.chunked)
        reply.body = HttpWire::dechunkedSoFar(QByteArrayView(m_received).sliced(headEnd + 4), ended);
    else
        reply.body = m_received.mid(headEnd + 4);
    return reply;
}

bool RawConnection::waitForStream(const std::function<bool(const QByteArray &)> &done, int timeoutMs)
{
    return QTest::qWaitFor([&] { return done(streamSoFar().body) || m_closed; }, timeoutMs)
        && done(streamSoFar().body);
}

HttpReply RawConnection::exchange(quint16 port, const QByteArray &request, int timeoutMs)
{
    RawConnection c(port);
    if (!c.waitConnected(timeoutMs)) {
        HttpReply r;
        r.error = QStringLiteral("cannot connect: ") + c.socket()->errorString();
        return r;
    }
    c.send(request);
    if (!c.waitForResponses(1, timeoutMs)) {
        HttpReply r;
        const QString framing = c.framingError();
        r.error = framing.isEmpty() ? QStringLiteral("no complete response") : framing;
        r.raw = c.received();
        return r;
    }
    return c.responses().first();
}
