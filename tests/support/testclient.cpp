#include "testclient.h"

#include <QBuffer>
#include <QNetworkReply>
#include <QPointer>
#include <QTest>

TestClient::TestClient(QObject *parent) : QObject(parent)
{
    m_nam.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

HttpReply TestClient::get(const QString &url, const HttpHeaders &headers, int timeoutMs)
{
    return send("GET", url, {}, headers, timeoutMs);
}

HttpReply TestClient::post(const QString &url, const QByteArray &body, const HttpHeaders &headers, int timeoutMs)
{
    return send("POST", url, body, headers, timeoutMs);
}

HttpReply TestClient::send(const QByteArray &method, const QString &url, const QByteArray &body,
                           const HttpHeaders &headers, int timeoutMs)
{
    QNetworkRequest request{QUrl(url)};
    bool typed = false;
    for (const auto &h : headers) {
        typed = typed || h.first.compare("content-type", Qt::CaseInsensitive) == 0;
        request.setRawHeader(h.first, h.second);
    }
    if (!typed && !body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));

    QNetworkReply *reply = nullptr;
    if (method == "GET")
        reply = m_nam.get(request);
    else if (method == "POST")
        reply = m_nam.post(request, body);
    else
        reply = m_nam.sendCustomRequest(request, method, body);

    HttpReply out;
    const bool done = QTest::qWaitFor([reply] { return reply->isFinished(); }, timeoutMs);
    if (!done) {
        reply->abort();
        out.error = QStringLiteral("no reply within %1 ms").arg(timeoutMs);
        reply->deleteLater();
        return out;
    }
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
    for (const auto &p : reply->rawHeaderPairs())
        out.headers.append({p.first.toLower(), p.second});
    out.body = reply->readAll();
    if (out.status == 0)
        out.error = reply->errorString();
    reply->deleteLater();
    return out;
}
