#pragma once

// A pool of QNetworkAccessManagers. Qt 6.4 opens at most six HTTP/1.1
// connections per host and manager and queues the rest, so hundreds of
// concurrent streams to one provider would wait behind each other. Each
// call takes the least busy manager, and the pool grows while every manager
// already has its six calls in flight.
//
//   QNetworkAccessManager *nam = pool.acquire();
//   ... start the request ...
//   pool.release(nam);   // when the reply finished

#include <QList>
#include <QObject>

class QNetworkAccessManager;

class NetworkPool : public QObject
{
    Q_OBJECT
public:
    explicit NetworkPool(QObject *parent = nullptr, int maxManagers = 256);

    QNetworkAccessManager *acquire();
    void release(QNetworkAccessManager *manager);
    int managerCount() const { return int(m_managers.size()); }
    int inFlight() const;

private:
    struct Slot
    {
        QNetworkAccessManager *manager;
        int active;
    };
    QList<Slot> m_managers;
    int m_maxManagers;
};
