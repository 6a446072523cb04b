#include "httpresponder.h"

#include "httpconnection.h"

namespace {

QByteArrayView reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 529: return "Overloaded";
    default: return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
    }
}

void appendHead(QByteArray &out, int status, const HttpResponder::Headers &headers)
{
    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reasonPhrase(status);
    out += "\r\n";
    for (const auto &h : headers) {
        out += h.first;
        out += ": ";
        out += h.second;
        out += "\r\n";
    }
}

} // namespace

HttpResponder::HttpResponder(HttpConnection *connection)
    : QObject(connection), m_connection(connection)
{
    m_since.start();
}

void HttpResponder::respond(int status, const Headers &headers, const QByteArray &body)
{
    if (m_finished || m_headWritten)
        return;
    QByteArray out;
    out.reserve(256 + body.size());
    appendHead(out, status, headers);
    out += "content-length: ";
    out += QByteArray::number(body.size());
    out += "\r\n";
    if (m_closeAfter)
        out += "connection: close\r\n";
    out += "\r\n";
    if (!m_isHead)
        out += body;
    m_headWritten = true;
    m_finished = true;
    emitData(std::move(out));
    m_connection->responderFinished(this);
}

void HttpResponder::writeHead(int status, const Headers &headers)
{
    if (m_finished || m_headWritten)
        return;
    QByteArray out;
    out.reserve(512);
    appendHead(out, status, headers);
    // HTTP/1.0 clients do not know chunked encoding: their body ends when
    // the connection closes.
    m_chunked = !m_http10;
    if (m_chunked)
        out += "transfer-encoding: chunked\r\n";
    else
        m_closeAfter = true;
    if (m_closeAfter)
        out += "connection: close\r\n";
    out += "\r\n";
    m_headWritten = true;
    emitData(std::move(out));
}

void HttpResponder::writeChunk(const QByteArray &data)
{
    if (m_finished || !m_headWritten || data.isEmpty())
        return;
    if (!m_chunked) {
        emitData(data);
        return;
    }
    QByteArray out;
    out.reserve(data.size() + 16);
    out += QByteArray::number(data.size(), 16);
    out += "\r\n";
    out += data;
    out += "\r\n";
    emitData(std::move(out));
}

void HttpResponder::end()
{
    if (m_finished)
        return;
    if (!m_headWritten) {
        respond(200, {}, {});
        return;
    }
    m_finished = true;
    if (m_chunked)
        emitData(QByteArrayLiteral("0\r\n\r\n"));
    m_connection->responderFinished(this);
}

void HttpResponder::emitData(QByteArray bytes)
{
    if (m_clientGone)
        return;
    if (m_active)
        m_connection->write(this, std::move(bytes));
    else
        m_pending += bytes;
}

void HttpResponder::markClientGone()
{
    if (m_clientGone)
        return;
    m_clientGone = true;
    m_pending.clear();
    if (!m_finished)
        Q_EMIT clientGone();
}
