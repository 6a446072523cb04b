#pragma once

// One upstream HTTP/1.1 exchange on a socket it owns for the duration: a
// kept-alive connection from the NetworkPool, or a new one (TLS for
// https). It writes the request, reads the response head and body
// (Content-Length, chunked or until close; chunked bodies are handed on
// de-chunked) and gives the connection back when the response is complete.
// Times out on connect, on the first response byte and on an idle gap
// between body bytes; kill() aborts the socket, which closes the upstream
// connection at once. A kept-alive connection that the server had closed
// before answering is replaced by a new one, once.
//
// It runs on the thread that starts it (see NetworkPool for why not QNAM).

#include "providercall.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class NetworkPool;
class QTcpSocket;

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
    enum class Stage { Idle, Connecting, Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Done };

    void openSocket(bool allowPooled);
    void sendRequest();
    void onReadyRead();
    void onDisconnected();
    void onSocketError();
    void onTimeout();
    bool parse(QByteArray *body);     // false: malformed, the call has failed
    bool parseHead();
    void responseComplete();
    void finish(Outcome outcome, const QString &error);
    void releaseSocket(bool reusable);
    bool retryOnFreshConnection();

    QPointer<NetworkPool> m_pool;
    QUrl m_url;
    QString m_origin;
    QByteArray m_head;                // request line and headers
    QByteArray m_body;
    Timeouts m_timeouts;
    QTcpSocket *m_socket = nullptr;
    QTimer m_timer;                   // connect + first byte, then idle (re-armed lazily)
    QElapsedTimer m_lastData;         // when body bytes last arrived
    QByteArray m_buffer;              // received, not yet parsed
    Stage m_stage = Stage::Idle;
    qint64 m_remaining = 0;           // body or chunk bytes still to come
    bool m_reused = false;            // m_socket came from the pool
    bool m_retried = false;
    bool m_received = false;          // any response byte on this socket
    bool m_keepAlive = true;
    bool m_headSeen = false;
    bool m_idleArmed = false;         // m_timer measures the idle gap now
    bool m_done = false;
    bool m_counted = false;
};
