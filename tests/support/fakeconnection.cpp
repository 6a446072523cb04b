#include "fakeconnection.h"

#include "fakeprovider.h"

#include <QTcpSocket>

namespace {

QByteArrayView reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 529: return "Overloaded";
    default: return "Status";
    }
}

bool hasHeader(const FakeReply::Headers &headers, QByteArrayView name)
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

FakeConnection::FakeConnection(QTcpSocket *socket, int id, FakeProvider *provider)
    : QObject(provider), m_provider(provider), m_socket(socket), m_id(id)
{
    m_socket->setParent(this);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &FakeConnection::onTimer);
    connect(m_socket, &QTcpSocket::readyRead, this, &FakeConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &FakeConnection::onDisconnected);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &FakeConnection::onReadyRead, Qt::QueuedConnection);
}

void FakeConnection::onReadyRead()
{
    if (m_gone)
        return;
    m_buffer += m_socket->readAll();
    // One request at a time: the next is parsed once this answer is out.
    if (m_current >= 0)
        return;
    FakeRequest request;
    if (!takeRequest(&request))
        return;
    request.connection = m_id;
    m_current = m_provider->record(std::move(request));
    if (m_gone)
        return;
    m_reply = m_provider->replyFor(m_current);
    startReply();
}

bool FakeConnection::takeRequest(FakeRequest *request)
{
    const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return false;
    const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    request->method = first.value(0);
    request->target = first.value(1);
    qint64 contentLength = 0;
    bool chunked = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length")
            contentLength = value.toLongLong();
        else if (name == "transfer-encoding" && value.toLower().contains("chunked"))
            chunked = true;
        request->headers.append({name, value});
    }
    qsizetype pos = headEnd + 4;
    if (!chunked) {
        if (m_buffer.size() - pos < contentLength)
            return false;
        request->body = m_buffer.mid(pos, contentLength);
        m_buffer.remove(0, pos + contentLength);
        return true;
    }
    QByteArray body;
    while (true) {
        const qsizetype crlf = m_buffer.indexOf("\r\n", pos);
        if (crlf < 0)
            return false;
        QByteArray sizeLine = m_buffer.mid(pos, crlf - pos);
        if (const qsizetype semi = sizeLine.indexOf(';'); semi >= 0)
            sizeLine.truncate(semi);
        bool ok = false;
        const qint64 size = sizeLine.trimmed().toLongLong(&ok, 16);
        if (!ok)
            return false;
        pos = crlf + 2;
        if (size == 0) {
            // Trailers (ignored) up to the blank line.
            while (true) {
                const qsizetype end = m_buffer.indexOf("\r\n", pos);
                if (end < 0)
                    return false;
                const bool blank = end == pos;
                pos = end + 2;
                if (blank)
                    break;
            }
            break;
        }
        if (m_buffer.size() < pos + size + 2)
            return false;
        body += m_buffer.mid(pos, size);
        pos += size + 2;
    }
    request->body = body;
    m_buffer.remove(0, pos);
    return true;
}

void FakeConnection::startReply()
{
    m_sent = 0;
    if (m_reply.kind == FakeReply::Kind::Hang || m_provider->holdReply(this))
        return;
    release();
}

void FakeConnection::release()
{
    if (m_gone || m_current < 0)
        return;
    if (m_reply.headDelayMs > 0)
        schedule(Step::Head, m_reply.headDelayMs);
    else
        writeHead();
}

void FakeConnection::schedule(Step step, int ms)
{
    m_step = step;
    m_timer.start(ms);
}

void FakeConnection::onTimer()
{
    if (m_gone)
        return;
    if (m_step == Step::Head) {
        writeHead();
        return;
    }
    // One paced event.
    const qsizetype limit = m_reply.sendEvents < 0 ? m_reply.events.size()
                                                   : qMin<qsizetype>(m_reply.sendEvents, m_reply.events.size());
    if (m_sent < limit) {
        const QByteArray &e = m_reply.events.at(m_sent++);
        m_socket->write(QByteArray::number(e.size(), 16) + "\r\n" + e + "\r\n");
    }
    if (m_sent < limit)
        schedule(Step::Event, m_reply.eventDelayMs);
    else
        endStream();
}

void FakeConnection::writeHead()
{
    if (m_reply.kind == FakeReply::Kind::Raw) {
        m_socket->write(m_reply.raw);
        closeByUs();
        return;
    }
    QByteArray head = "HTTP/1.1 " + QByteArray::number(m_reply.status) + ' ' + reason(m_reply.status).toByteArray()
        + "\r\n";
    for (const auto &h : std::as_const(m_reply.headers))
        head += h.first + ": " + h.second + "\r\n";
    if (!hasHeader(m_reply.headers, "content-type"))
        head += m_reply.kind == FakeReply::Kind::Stream ? "content-type: text/event-stream\r\n"
                                                        : "content-type: application/json\r\n";
    if (m_reply.closeConnection)
        head += "connection: close\r\n";
    if (m_reply.kind == FakeReply::Kind::Whole) {
        head += "content-length: " + QByteArray::number(m_reply.body.size()) + "\r\n\r\n";
        m_socket->write(head + m_reply.body);
        replyDone(m_reply.closeConnection);
        return;
    }
    head += "transfer-encoding: chunked\r\n\r\n";
    m_socket->write(head);
    sendEvents();
}

void FakeConnection::sendEvents()
{
    if (m_reply.eventDelayMs > 0) {
        schedule(Step::Event, m_reply.eventDelayMs);
        return;
    }
    const qsizetype limit = m_reply.sendEvents < 0 ? m_reply.events.size()
                                                   : qMin<qsizetype>(m_reply.sendEvents, m_reply.events.size());
    for (; m_sent < limit; ++m_sent) {
        const QByteArray &e = m_reply.events.at(m_sent);
        m_socket->write(QByteArray::number(e.size(), 16) + "\r\n" + e + "\r\n");
    }
    endStream();
}

void FakeConnection::endStream()
{
    switch (m_reply.end) {
    case FakeReply::End::Clean:
        m_socket->write("0\r\n\r\n");
        replyDone(m_reply.closeConnection);
        return;
    case FakeReply::End::Close:
        closeByUs();
        return;
    case FakeReply::End::Stall:
        return;
    }
}

void FakeConnection::replyDone(bool close)
{
    const int index = m_current;
    m_current = -1;
    m_provider->markAnswered(index);
    if (close) {
        closeByUs();
        return;
    }
    // A next request may be waiting in the buffer already (keep-alive).
    if (!m_buffer.isEmpty())
        QMetaObject::invokeMethod(this, &FakeConnection::onReadyRead, Qt::QueuedConnection);
}

void FakeConnection::closeByUs()
{
    m_closingByUs = true;
    m_socket->disconnectFromHost();
}

void FakeConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    m_timer.stop();
    if (m_current >= 0)
        m_provider->markClosed(m_current, !m_closingByUs);
    m_current = -1;
    m_provider->m_connections.removeAll(this);
    deleteLater();
}
