#pragma once

// Records the moment a marker first shows up in what a connection received,
// for tests that time how fast the gateway reacts (a kill, a revocation).
//
//   ArrivalClock clock(&connection, "run_killed");
//   clock.start(); ... act ...
//   QVERIFY(clock.wait(2000)); qInfo() << clock.ms() << "ms";

#include "rawconnection.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QObject>
#include <QTcpSocket>
#include <QTimer>

class ArrivalClock : public QObject
{
public:
    ArrivalClock(RawConnection *c, QByteArray marker) : m_connection(c), m_marker(std::move(marker))
    {
        connect(c->socket(), &QTcpSocket::readyRead, this, [this] {
            if (m_seenNs < 0 && m_clock.isValid() && m_connection->received().contains(m_marker))
                m_seenNs = m_clock.nsecsElapsed();
        });
    }
    void start() { m_clock.start(); }
    bool seen() const { return m_seenNs >= 0; }
    double ms() const { return double(m_seenNs) / 1e6; }
    // Waits in an event loop of its own, which (unlike QTRY's polling with
    // sleeps) wakes the moment the bytes arrive.
    bool wait(int timeoutMs)
    {
        if (seen())
            return true;
        QEventLoop loop;
        connect(m_connection->socket(), &QTcpSocket::readyRead, &loop, [this, &loop] {
            if (seen())
                loop.quit();
        });
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
        return seen();
    }

private:
    RawConnection *m_connection;
    QByteArray m_marker;
    QElapsedTimer m_clock;
    qint64 m_seenNs = -1;
};
