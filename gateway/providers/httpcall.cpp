#include "httpcall.h"

#include "core/logging.h"
#include "networkpool.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace {

// Hop-by-hop and framing headers are the call's own business.
bool ownHeader(const QByteArray &lowerName)
{
    return lowerName == "host" || lowerName == "content-length" || lowerName == "connection"
        || lowerName == "transfer-encoding" || lowerName == "keep-alive" || lowerName == "accept-encoding";
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
        v.chop(1);
    return v;
}

bool parseHex(QByteArrayView v, qint64 *out)
{
    if (v.isEmpty() || v.size() > 15)
        return false;
    qint64 n = 0;
    for (char c : v) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        n = n * 16 + d;
    }
    *out = n;
    return true;
}

constexpr qsizetype kMaxHeadBytes = 256 * 1024;

} // namespace

HttpCall::HttpCall(NetworkPool *pool, QNetworkRequest request, QByteArray body, Timeouts timeouts,
                   QObject *parent)
    : ProviderCall(parent), m_pool(pool), m_url(request.url()), m_body(std::move(body)), m_timeouts(timeouts)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpCall::onTimeout);

    const bool tls = m_url.scheme() == u"https";
    const int port = m_url.port(tls ? 443 : 80);
    m_origin = m_url.scheme() + u"://"_s + m_url.host() + u':' + QString::number(port);

    QByteArray target = m_url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
    if (target.isEmpty())
        target = "/";
    m_head.reserve(512);
    m_head += "POST " + target + " HTTP/1.1\r\nhost: " + QUrl::toAce(m_url.host());
    if (m_url.port() > 0 && m_url.port() != (tls ? 443 : 80))
        m_head += ':' + QByteArray::number(port);
    m_head += "\r\n";
    const QList<QByteArray> names = request.rawHeaderList();
    for (const QByteArray &name : names) {
        if (ownHeader(name.toLower()))
            continue;
        m_head += name + ": " + request.rawHeader(name) + "\r\n";
    }
    m_head += "content-length: " + QByteArray::number(m_body.size()) + "\r\n\r\n";
}

HttpCall::~HttpCall()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    if (m_counted && m_pool)
        m_pool->callEnded();
}

void HttpCall::start()
{
    if (m_pool) {
        m_pool->callStarted();
        m_counted = true;
    }
    // The connect timeout bounds the time to the response head together
    // with the first-byte one, as the caller's budget for "no answer".
    m_timer.start(qMax(1, m_timeouts.connectMs + m_timeouts.firstByteMs));
    openSocket(true);
}

void HttpCall::openSocket(bool allowPooled)
{
    m_buffer.clear();
    m_received = false;
    m_keepAlive = true;
    m_reused = false;
    if (allowPooled && m_pool)
        m_socket = m_pool->take(m_origin, this);
    if (m_socket) {
        m_reused = true;
    } else if (m_url.scheme() == u"https") {
        auto *ssl = new QSslSocket(this);
        QSslConfiguration conf = ssl->sslConfiguration();
        conf.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
        ssl->setSslConfiguration(conf);
        m_socket = ssl;
    } else {
        m_socket = new QTcpSocket(this);
    }
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpCall::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpCall::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &HttpCall::onSocketError);
    if (m_reused) {
        sendRequest();
        return;
    }
    m_stage = Stage::Connecting;
    const bool tls = m_url.scheme() == u"https";
    const quint16 port = quint16(m_url.port(tls ? 443 : 80));
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket)) {
        connect(ssl, &QSslSocket::encrypted, this, &HttpCall::sendRequest);
        ssl->connectToHostEncrypted(m_url.host(), port);
    } else {
        connect(m_socket, &QTcpSocket::connected, this, &HttpCall::sendRequest);
        m_socket->connectToHost(m_url.host(), port);
    }
}

void HttpCall::sendRequest()
{
    if (m_done || !m_socket)
        return;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_stage = Stage::Head;
    m_socket->write(m_head);
    if (!m_body.isEmpty())
        m_socket->write(m_body);
    // Out now rather than on the next turn of the event loop.
    m_socket->flush();
}

void HttpCall::onReadyRead()
{
    if (m_done || !m_socket)
        return;
    const QByteArray bytes = m_socket->readAll();
    if (bytes.isEmpty())
        return;
    m_received = true;
    if (m_buffer.isEmpty())
        m_buffer = bytes;
    else
        m_buffer.append(bytes);
    QPointer<HttpCall> self(this);
    QByteArray body;
    const bool ok = parse(&body);
    if (!self || m_done)
        return; // killed while handling the head
    if (!ok) {
        finish(Outcome::ConnectError, u"malformed response from "_s + m_origin);
        return;
    }
    if (m_headSeen) {
        // The idle timeout is re-armed lazily (see onTimeout): restarting a
        // timer for every piece of a stream costs more than the piece.
        m_lastData.start();
        if (!m_idleArmed) {
            m_idleArmed = true;
            m_timer.start(qMax(1, m_timeouts.idleMs));
        }
    }
    if (!body.isEmpty())
        Q_EMIT bodyData(body);
    if (!self || m_done)
        return;
    if (m_stage == Stage::Done)
        responseComplete();
}

bool HttpCall::parseHead()
{
    // Interim 1xx responses are skipped; returns false on a malformed head.
    while (true) {
        qsizetype end = m_buffer.indexOf("\r\n\r\n");
        qsizetype sepLen = 4;
        if (end < 0) {
            end = m_buffer.indexOf("\n\n");
            sepLen = 2;
        }
        if (end < 0)
            return m_buffer.size() <= kMaxHeadBytes;
        const QByteArrayView head(m_buffer.constData(), end);
        qsizetype lineEnd = head.indexOf('\n');
        if (lineEnd < 0)
            lineEnd = head.size();
        const QByteArrayView statusLine = trimmed(head.first(lineEnd));
        if (statusLine.size() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine[8] != ' ')
            return false;
        const int status = (statusLine[9] - '0') * 100 + (statusLine[10] - '0') * 10 + (statusLine[11] - '0');
        if (status < 100 || status > 999)
            return false;
        const bool http10 = statusLine[7] == '0';
        qint64 contentLength = -1;
        bool chunked = false;
        bool closeAsked = false;
        bool keepAliveAsked = false;
        HeaderList headers;
        qsizetype pos = lineEnd + 1;
        while (pos < head.size()) {
            qsizetype le = head.indexOf('\n', pos);
            if (le < 0)
                le = head.size();
            const QByteArrayView line = trimmed(head.sliced(pos, le - pos));
            pos = le + 1;
            if (line.isEmpty())
                continue;
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                return false;
            QByteArray name = line.first(colon).toByteArray().toLower();
            const QByteArrayView value = trimmed(line.sliced(colon + 1));
            if (name == "content-length") {
                bool ok = false;
                contentLength = value.toLongLong(&ok);
                if (!ok || contentLength < 0)
                    return false;
            } else if (name == "transfer-encoding") {
                chunked = value.contains("chunked") || value.contains("Chunked");
            } else if (name == "connection") {
                closeAsked = value.contains("close") || value.contains("Close");
                keepAliveAsked = value.contains("keep-alive") || value.contains("Keep-Alive");
            }
            headers.append({std::move(name), value.toByteArray()});
        }
        m_buffer.remove(0, end + sepLen);
        if (status >= 100 && status < 200 && status != 101)
            continue; // 100 Continue and friends: the real head follows
        m_keepAlive = http10 ? keepAliveAsked : !closeAsked;
        if (status == 204 || status == 304) {
            m_stage = Stage::Done;
        } else if (chunked) {
            m_stage = Stage::ChunkSize;
        } else if (contentLength >= 0) {
            m_remaining = contentLength;
            m_stage = contentLength == 0 ? Stage::Done : Stage::Body;
        } else {
            m_stage = Stage::UntilClose;
            m_keepAlive = false;
        }
        m_headSeen = true;
        setHead(status, std::move(headers));
        return true;
    }
}

bool HttpCall::parse(QByteArray *body)
{
    // Takes what the buffer holds; body bytes are appended to *body.
    qsizetype pos = 0;
    auto consumed = [this, &pos] {
        m_buffer.remove(0, pos);
        pos = 0;
    };
    while (true) {
        switch (m_stage) {
        case Stage::Idle:
        case Stage::Connecting:
        case Stage::Head: {
            if (m_headSeen)
                return true;
            if (!parseHead())
                return false;
            if (!m_headSeen)
                return true;
            QPointer<HttpCall> self(this);
            Q_EMIT headReceived();
            if (!self || m_done)
                return true;
            break;
        }
        case Stage::Body: {
            const qint64 take = qMin<qint64>(m_remaining, m_buffer.size() - pos);
            if (take <= 0) {
                consumed();
                return true;
            }
            if (pos == 0 && take == m_buffer.size() && body->isEmpty())
                *body = std::exchange(m_buffer, {});
            else {
                body->append(m_buffer.constData() + pos, take);
                pos += take;
                consumed();
            }
            m_remaining -= take;
            if (m_remaining == 0)
                m_stage = Stage::Done;
            break;
        }
        case Stage::UntilClose:
            body->append(m_buffer);
            m_buffer.clear();
            return true;
        case Stage::ChunkSize: {
            const qsizetype lf = m_buffer.indexOf('\n', pos);
            if (lf < 0) {
                consumed();
                return m_buffer.size() <= 1024;
            }
            QByteArrayView line(m_buffer.constData() + pos, lf - pos);
            const qsizetype semi = line.indexOf(';');
            if (semi >= 0)
                line = line.first(semi);
            qint64 size;
            if (!parseHex(trimmed(line), &size))
                return false;
            pos = lf + 1;
            m_remaining = size;
            m_stage = size == 0 ? Stage::Trailers : Stage::ChunkData;
            break;
        }
        case Stage::ChunkData: {
            const qint64 take = qMin<qint64>(m_remaining, m_buffer.size() - pos);
            if (take <= 0) {
                consumed();
                return true;
            }
            body->append(m_buffer.constData() + pos, take);
            pos += take;
            m_remaining -= take;
            if (m_remaining == 0)
                m_stage = Stage::ChunkDataEnd;
            break;
        }
        case Stage::ChunkDataEnd: {
            const qsizetype lf = m_buffer.indexOf('\n', pos);
            if (lf < 0) {
                consumed();
                return m_buffer.size() <= 2;
            }
            if (lf - pos > 1 || (lf - pos == 1 && m_buffer[pos] != '\r'))
                return false;
            pos = lf + 1;
            m_stage = Stage::ChunkSize;
            break;
        }
        case Stage::Trailers: {
            const qsizetype lf = m_buffer.indexOf('\n', pos);
            if (lf < 0) {
                consumed();
                return m_buffer.size() <= kMaxHeadBytes;
            }
            const bool blank = lf == pos || (lf == pos + 1 && m_buffer[pos] == '\r');
            pos = lf + 1;
            if (blank)
                m_stage = Stage::Done;
            break;
        }
        case Stage::Done:
            consumed();
            return true;
        }
    }
}

void HttpCall::responseComplete()
{
    // Bytes past the end of the response mean the connection is not in a
    // state to be reused.
    releaseSocket(m_keepAlive && m_buffer.isEmpty());
    finish(Outcome::Completed, {});
}

void HttpCall::onDisconnected()
{
    if (m_done || !m_socket)
        return;
    if (m_socket->bytesAvailable() > 0) {
        QPointer<HttpCall> self(this);
        onReadyRead();
        if (!self || m_done)
            return;
    }
    if (m_stage == Stage::UntilClose) {
        m_keepAlive = false;
        responseComplete();
        return;
    }
    if (retryOnFreshConnection())
        return;
    finish(Outcome::ConnectError,
           m_headSeen ? u"connection closed before the response was complete"_s
                      : u"connection closed before a response"_s);
}

void HttpCall::onSocketError()
{
    if (m_done || !m_socket)
        return;
    const QAbstractSocket::SocketError e = m_socket->error();
    if (e == QAbstractSocket::RemoteHostClosedError) {
        onDisconnected();
        return;
    }
    if (retryOnFreshConnection())
        return;
    finish(Outcome::ConnectError, m_socket->errorString());
}

bool HttpCall::retryOnFreshConnection()
{
    // A kept-alive connection the server closed before answering: it never
    // saw the request, so sending it again on a new connection is safe.
    if (!m_reused || m_received || m_retried || m_done)
        return false;
    m_retried = true;
    releaseSocket(false);
    openSocket(false);
    return true;
}

void HttpCall::onTimeout()
{
    if (m_done)
        return;
    if (m_idleArmed) {
        const qint64 left = m_timeouts.idleMs - m_lastData.elapsed();
        if (left > 0) {
            m_timer.start(int(left));
            return;
        }
    }
    const QString what = !m_headSeen ? u"no response within %1 ms"_s.arg(m_timeouts.connectMs + m_timeouts.firstByteMs)
                                     : u"no data for %1 ms"_s.arg(m_timeouts.idleMs);
    qCInfo(lcProviders) << "upstream timeout:" << m_url.toString() << what;
    finish(Outcome::Timeout, what);
}

void HttpCall::kill()
{
    if (m_done)
        return;
    finish(Outcome::Killed, u"cancelled"_s);
}

void HttpCall::releaseSocket(bool reusable)
{
    QTcpSocket *s = std::exchange(m_socket, nullptr);
    if (!s)
        return;
    s->disconnect(this);
    if (reusable && m_pool) {
        m_pool->put(m_origin, s);
        return;
    }
    s->abort();
    s->deleteLater();
}

void HttpCall::finish(Outcome outcome, const QString &error)
{
    m_done = true;
    m_stage = Stage::Done;
    m_timer.stop();
    setOutcome(outcome, error);
    releaseSocket(false); // still held: the exchange did not end cleanly
    if (m_counted && m_pool) {
        m_pool->callEnded();
        m_counted = false;
    }
    Q_EMIT finished();
    if (!parent())
        deleteLater();
}
