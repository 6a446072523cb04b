#pragma once

// One upstream HTTP call on a QNetworkReply it owns. Times out on connect,
// on the first response byte and on an idle gap between body bytes; kill()
// aborts the reply, which closes the upstream connection at once.

#include "providercall.h"

#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

class NetworkPool;
class QNetworkAccessManager;
class QNetworkReply;

class HttpCall : public ProviderCall
{
    Q_OBJECT
public:
    struct Timeouts
    {
        int connectMs = 10000;
        int firstByteMs = 120000;
        int idleMs = 120000;
    };

    HttpCall(NetworkPool *pool, QNetworkRequest request, QByteArray body, Timeouts timeouts, QObject *parent);
    ~HttpCall() override;

    void start() override;
    void kill() override;

private:
    void onMetaDataChanged();
    void onReadyRead();
    void onFinished();
    void onTimeout();
    void finish(Outcome outcome, const QString &error);
    void releaseManager();

    QPointer<NetworkPool> m_pool;
    QNetworkAccessManager *m_manager = nullptr;
    QNetworkRequest m_request;
    QByteArray m_body;
    Timeouts m_timeouts;
    QNetworkReply *m_reply = nullptr;
    QTimer m_timer;
    bool m_headSeen = false;
    bool m_done = false;
    bool m_gotBytes = false;
};
