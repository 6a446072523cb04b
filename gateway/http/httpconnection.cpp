#include "httpconnection.h"

#include "core/logging.h"
#include "httpresponder.h"

#include <QPointer>
#include <QTcpSocket>

#include <cerrno>
#include <sys/socket.h>

namespace {
constexpr int kLingerMs = 2000;   // how long input is drained after a refusal
}

HttpConnection::HttpConnection(QTcpSocket *socket, Options options, Handler handler, QObject *parent)
    : QObject(parent), m_socket(socket), m_options(options), m_handler(std::move(handler)),
      m_parser(options.limits)
{
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        abortAll();
        Q_EMIT closed();
        deleteLater();
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError)
            qCDebug(lcHttp) << "client socket error" << m_socket->errorString();
    });
    // The idle timer is not restarted on every read and write: with
    // thousands of connections, re-registering a timer per event costs more
    // than the event. It fires at the original deadline and, when there was
    // activity since, sleeps again for what is left.
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &HttpConnection::onIdleTimeout);
    m_lastActivity.start();
    m_idleTimer.start(m_options.idleTimeoutMs);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    // Responders are children and go with us; make sure their users know.
    abortAll();
}

void HttpConnection::abortAll()
{
    const auto queue = m_queue;
    for (HttpResponder *r : queue)
        r->markClientGone();
}

void HttpConnection::onReadyRead()
{
    if (m_lingering) {
        m_socket->readAll(); // discard
        return;
    }
    if (m_closing) {
        // Keep the bytes in the socket until the in-flight answers are out.
        return;
    }
    m_lastActivity.start();
    m_parser.append(m_socket->readAll());
    processBuffered();
}

void HttpConnection::processBuffered()
{
    QPointer<HttpConnection> self(this);
    while (self && !m_closing && m_queue.size() < m_options.maxPipelined) {
        const HttpParser::Result r = m_parser.next();
        if (r == HttpParser::Result::NeedMore)
            return;
        if (r == HttpParser::Result::ExpectContinue) {
            if (m_queue.isEmpty())
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            continue;
        }
        if (r == HttpParser::Result::Error) {
            refuse(m_parser.errorStatus(), m_parser.errorReason());
            return;
        }
        HttpRequest request = m_parser.takeRequest();
        auto *responder = new HttpResponder(this);
        responder->m_isHead = request.method == "HEAD";
        responder->m_http10 = request.minorVersion == 0;
        if (!request.keepAlive) {
            responder->m_closeAfter = true;
            m_closing = true;
        }
        responder->m_active = m_queue.isEmpty();
        m_queue.append(responder);
        m_handler(std::move(request), responder);
    }
}

void HttpConnection::refuse(int status, const QByteArray &reason)
{
    // A protocol-level refusal: the request could not be read, so no handler
    // sees it. The body is JSON in OpenAI's shape, which is also what the
    // Anthropic SDKs read when they see an unexpected error.
    qCInfo(lcHttp).nospace() << "refusing request from " << m_socket->peerAddress().toString()
                             << ": " << status << " " << reason;
    m_closing = true;
    const QByteArray code = status == 413 || status == 431 ? "request_too_large" : "invalid_request";
    const QByteArray type = "invalid_request_error";
    QByteArray escaped = reason;
    escaped.replace('\\', "\\\\").replace('"', "\\\"");
    const QByteArray body = "{\"error\":{\"message\":\"" + escaped + "\",\"type\":\"" + type
        + "\",\"code\":\"" + code + "\",\"param\":null}}";
    auto *responder = new HttpResponder(this);
    responder->m_closeAfter = true;
    responder->m_active = m_queue.isEmpty();
    m_queue.append(responder);
    responder->respond(status, {{"content-type", "application/json"}, {"x-should-retry", "false"}}, body);
}

void HttpConnection::write(HttpResponder *responder, QByteArray bytes)
{
    Q_UNUSED(responder);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_lastActivity.start();
    // Straight to the kernel when nothing is queued before these bytes.
    // QTcpSocket::write() would arm the socket's write notifier and write on
    // the next turn of the event loop, then disarm it: a register and an
    // unregister per write, which the glib event dispatcher does in time
    // linear in the number of sockets (a quarter of the gateway thread with
    // 1,000 open streams), and a loop turn of latency. What the kernel does
    // not take at once (or an error) goes through QTcpSocket as before.
    qsizetype done = 0;
    if (m_socket->bytesToWrite() == 0) {
        const int fd = int(m_socket->socketDescriptor());
        while (fd >= 0 && done < bytes.size()) {
            const ssize_t n = ::send(fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
            if (n > 0)
                done += n;
            else if (n < 0 && errno == EINTR)
                continue;
            else
                break;
        }
    }
    if (done < bytes.size())
        m_socket->write(bytes.constData() + done, bytes.size() - done);
}

void HttpConnection::responderFinished(HttpResponder *responder)
{
    // Only the first in line finishes the exchange on the wire; later ones
    // wait with their bytes until they are first.
    while (!m_queue.isEmpty() && m_queue.front()->m_finished) {
        HttpResponder *done = m_queue.takeFirst();
        const bool closeAfter = done->m_closeAfter;
        done->deleteLater();
        if (closeAfter) {
            m_closing = true;
            for (HttpResponder *r : std::as_const(m_queue))
                r->markClientGone();
            m_queue.clear();
            lingerAndClose();
            return;
        }
        if (!m_queue.isEmpty()) {
            HttpResponder *next = m_queue.front();
            next->m_active = true;
            if (!next->m_pending.isEmpty())
                write(next, std::exchange(next->m_pending, {}));
        }
    }
    Q_UNUSED(responder);
    if (m_queue.isEmpty() && m_closing) {
        lingerAndClose();
        return;
    }
    // Requests that waited for a free pipeline slot, or arrived while busy.
    if (m_queue.size() < m_options.maxPipelined && !m_parser.isIdle())
        QMetaObject::invokeMethod(this, &HttpConnection::processBuffered, Qt::QueuedConnection);
}

void HttpConnection::lingerAndClose()
{
    if (m_lingering)
        return;
    m_lingering = true;
    m_socket->flush();
    // Half-close, then drain what the client is still sending: closing with
    // unread input makes the kernel send a reset, which can destroy the
    // response before the client reads it (RFC 9112 9.6).
    auto halfClose = [this] {
        if (m_socket->bytesToWrite() == 0 && m_socket->socketDescriptor() >= 0) {
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
            return true;
        }
        return false;
    };
    if (!halfClose()) {
        connect(m_socket, &QTcpSocket::bytesWritten, this, [halfClose] { halfClose(); });
    }
    m_socket->readAll();
    QTimer::singleShot(kLingerMs, this, [this] { m_socket->abort(); });
}

void HttpConnection::closeWhenIdle()
{
    m_closing = true;
    if (m_queue.isEmpty())
        lingerAndClose();
}

void HttpConnection::onIdleTimeout()
{
    const qint64 left = m_options.idleTimeoutMs - m_lastActivity.elapsed();
    if (left > 0) {
        m_idleTimer.start(int(left));
        return;
    }
    if (!m_queue.isEmpty()) {
        m_idleTimer.start(m_options.idleTimeoutMs);
        return;
    }
    qCDebug(lcHttp) << "closing idle connection";
    m_socket->disconnectFromHost();
}
