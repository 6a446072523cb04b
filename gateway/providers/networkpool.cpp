#include "networkpool.h"

#include <QDeadlineTimer>
#include <QTcpSocket>

namespace {
qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}
} // namespace

NetworkPool::NetworkPool(QObject *parent, int maxIdlePerOrigin, int idleTimeoutMs)
    : QObject(parent), m_maxIdlePerOrigin(maxIdlePerOrigin), m_idleTimeoutMs(idleTimeoutMs)
{
    m_reaper.setInterval(qMax(1000, idleTimeoutMs / 4));
    connect(&m_reaper, &QTimer::timeout, this, &NetworkPool::expire);
}

NetworkPool::~NetworkPool()
{
    for (auto it = m_originOf.cbegin(); it != m_originOf.cend(); ++it) {
        it.key()->disconnect(this);
        it.key()->abort();
    }
}

QTcpSocket *NetworkPool::take(const QString &origin, QObject *owner)
{
    auto it = m_idle.find(origin);
    if (it == m_idle.end())
        return nullptr;
    // The most recently used first: the least likely to have been closed.
    while (!it->isEmpty()) {
        QTcpSocket *s = it->takeLast().socket;
        m_originOf.remove(s);
        s->disconnect(this);
        if (s->state() != QAbstractSocket::ConnectedState || s->bytesAvailable() > 0) {
            s->abort();
            s->deleteLater();
            continue;
        }
        s->setParent(owner);
        if (it->isEmpty())
            m_idle.erase(it);
        return s;
    }
    m_idle.erase(it);
    return nullptr;
}

void NetworkPool::put(const QString &origin, QTcpSocket *socket)
{
    QList<Idle> &list = m_idle[origin];
    if (list.size() >= m_maxIdlePerOrigin || socket->state() != QAbstractSocket::ConnectedState) {
        socket->abort();
        socket->deleteLater();
        return;
    }
    socket->setParent(this);
    list.append({socket, nowMs()});
    m_originOf.insert(socket, origin);
    // An idle connection has nothing to say: bytes or a close mean it is done.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { drop(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] { drop(socket); });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket] { drop(socket); });
    if (!m_reaper.isActive())
        m_reaper.start();
}

int NetworkPool::idleCount() const
{
    return int(m_originOf.size());
}

void NetworkPool::drop(QTcpSocket *socket)
{
    const auto found = m_originOf.find(socket);
    if (found == m_originOf.end())
        return;
    const QString origin = found.value();
    m_originOf.erase(found);
    auto it = m_idle.find(origin);
    if (it != m_idle.end()) {
        it->removeIf([socket](const Idle &i) { return i.socket == socket; });
        if (it->isEmpty())
            m_idle.erase(it);
    }
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void NetworkPool::expire()
{
    const qint64 cutoff = nowMs() - m_idleTimeoutMs;
    QList<QTcpSocket *> old;
    for (const QList<Idle> &list : std::as_const(m_idle)) {
        for (const Idle &i : list) {
            if (i.since < cutoff)
                old.append(i.socket);
        }
    }
    for (QTcpSocket *s : std::as_const(old))
        drop(s);
    if (m_originOf.isEmpty())
        m_reaper.stop();
}
