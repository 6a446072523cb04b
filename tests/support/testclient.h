#pragma once

// An HTTP client on QNetworkAccessManager, for the calls where the wire
// details do not matter: it behaves like an SDK would (de-chunks, keeps
// connections alive). Each call waits for its reply, spinning the event
// loop, so the gateway may run on the same thread.
//
//   TestClient client;
//   const HttpReply r = client.post(gw.url(u"/v1/chat/completions"), body, gw.authHeaders());
//   QCOMPARE(r.status, 200);

#include "httpwire.h"

#include <QNetworkAccessManager>
#include <QObject>

class TestClient : public QObject
{
    Q_OBJECT
public:
    explicit TestClient(QObject *parent = nullptr);

    HttpReply get(const QString &url, const HttpHeaders &headers = {}, int timeoutMs = 10000);
    HttpReply post(const QString &url, const QByteArray &body, const HttpHeaders &headers = {},
                   int timeoutMs = 10000);
    HttpReply send(const QByteArray &method, const QString &url, const QByteArray &body,
                   const HttpHeaders &headers = {}, int timeoutMs = 10000);

    QNetworkAccessManager *manager() { return &m_nam; }

private:
    QNetworkAccessManager m_nam;
};
