#include "httpcall.h"

#include "core/logging.h"
#include "networkpool.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>

HttpCall::HttpCall(NetworkPool *pool, QNetworkRequest request, QByteArray body, Timeouts timeouts,
                   QObject *parent)
    : ProviderCall(parent), m_pool(pool), m_request(std::move(request)), m_body(std::move(body)),
      m_timeouts(timeouts)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpCall::onTimeout);
}

HttpCall::~HttpCall()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        delete m_reply;
    }
    releaseManager();
}

void HttpCall::releaseManager()
{
    if (m_manager && m_pool)
        m_pool->release(m_manager);
    m_manager = nullptr;
}

void HttpCall::start()
{
    m_manager = m_pool->acquire();
    m_reply = m_manager->post(m_request, m_body);
    m_reply->setParent(this);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &HttpCall::onMetaDataChanged);
    connect(m_reply, &QNetworkReply::readyRead, this, &HttpCall::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &HttpCall::onFinished);
    // QNAM does not report "connected" separately, so the connect timeout
    // bounds the time to the response head together with the first-byte one.
    m_timer.start(qMax(1, m_timeouts.connectMs + m_timeouts.firstByteMs));
}

void HttpCall::onMetaDataChanged()
{
    if (m_headSeen || m_done)
        return;
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return;
    m_headSeen = true;
    HeaderList headers;
    const auto pairs = m_reply->rawHeaderPairs();
    headers.reserve(pairs.size());
    for (const auto &p : pairs)
        headers.append({p.first.toLower(), p.second});
    setHead(status.toInt(), std::move(headers));
    m_timer.start(qMax(1, m_timeouts.idleMs));
    Q_EMIT headReceived();
}

void HttpCall::onReadyRead()
{
    if (m_done)
        return;
    if (!m_headSeen)
        onMetaDataChanged();
    // Exactly what is there: QIODevice::readAll() on a reply allocates at
    // least a 16 KiB chunk and doubles it while reading, then shrinks only the
    // size, so a 300-byte answer kept by the caller (the response cache, a
    // buffered body) would pin 16 to 32 KiB of heap.
    const qint64 available = m_reply->bytesAvailable();
    if (available <= 0)
        return;
    const QByteArray bytes = m_reply->read(available);
    if (bytes.isEmpty())
        return;
    m_gotBytes = true;
    m_timer.start(qMax(1, m_timeouts.idleMs));
    Q_EMIT bodyData(bytes);
}

void HttpCall::onFinished()
{
    if (m_done)
        return;
    if (!m_headSeen)
        onMetaDataChanged();
    if (m_reply->bytesAvailable() > 0)
        onReadyRead();
    if (m_done)
        return;
    const QNetworkReply::NetworkError err = m_reply->error();
    // A response with an error status is a complete answer, not a transport
    // failure. QNAM reports those statuses as content (2xx codes), protocol
    // (400 → 302) or server (4xx codes) errors; network-layer errors
    // (below 100) and a malformed response (ProtocolFailure) are failures.
    const bool httpAnswer = m_headSeen && httpStatus() >= 400 && err >= QNetworkReply::ContentAccessDenied
        && err != QNetworkReply::ProtocolFailure;
    if (err == QNetworkReply::NoError || httpAnswer) {
        finish(Outcome::Completed, {});
        return;
    }
    finish(Outcome::ConnectError, m_reply->errorString());
}

void HttpCall::onTimeout()
{
    if (m_done)
        return;
    const QString what = !m_headSeen ? QStringLiteral("no response within %1 ms").arg(m_timeouts.connectMs + m_timeouts.firstByteMs)
                                     : QStringLiteral("no data for %1 ms").arg(m_timeouts.idleMs);
    qCInfo(lcProviders) << "upstream timeout:" << m_request.url().toString() << what;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    finish(Outcome::Timeout, what);
}

void HttpCall::kill()
{
    if (m_done)
        return;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    finish(Outcome::Killed, QStringLiteral("cancelled"));
}

void HttpCall::finish(Outcome outcome, const QString &error)
{
    m_done = true;
    m_timer.stop();
    setOutcome(outcome, error);
    releaseManager();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    Q_EMIT finished();
    if (!parent())
        deleteLater();
}
