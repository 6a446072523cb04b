#pragma once

// The upstream connections kept alive between calls, per origin
// ("http://127.0.0.1:8080", "https://api.openai.com:443"). A call takes an
// idle connection when there is one and gives it back once its response has
// been read to the end; a connection the server closes, or that sends bytes
// while idle, or that stays idle too long, is dropped.
//
// Why not QNetworkAccessManager: in Qt 6.4 it runs every HTTP exchange on
// a thread of its own and hands each head, body piece and end back through
// queued signals (three thread hops per call and their context switches),
// and it caps a manager at six connections per host. Calls here run on the
// gateway's thread, one connection each, as many as there are calls.
//
//   QTcpSocket *s = pool.take(origin, this);   // nullptr: open a new one
//   ... exchange ...
//   pool.put(origin, s);                        // reusable: keep it

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

class QTcpSocket;

class NetworkPool : public QObject
{
    Q_OBJECT
public:
    explicit NetworkPool(QObject *parent = nullptr, int maxIdlePerOrigin = 256, int idleTimeoutMs = 60000);
    ~NetworkPool() override;

    // An idle connected socket to origin, now owned by owner; nullptr when none.
    QTcpSocket *take(const QString &origin, QObject *owner);
    // Keeps a socket whose last response was read completely, for the next call.
    void put(const QString &origin, QTcpSocket *socket);

    // Calls that hold an upstream connection (for diagnostics).
    void callStarted() { ++m_inFlight; }
    void callEnded() { --m_inFlight; }
    int inFlight() const { return m_inFlight; }
    int idleCount() const;

private:
    struct Idle
    {
        QTcpSocket *socket;
        qint64 since;   // ms, monotonic
    };
    void drop(QTcpSocket *socket);
    void expire();

    QHash<QString, QList<Idle>> m_idle;
    QHash<QTcpSocket *, QString> m_originOf;
    QTimer m_reaper;
    int m_maxIdlePerOrigin;
    int m_idleTimeoutMs;
    int m_inFlight = 0;
};
