#include "httpwire.h"

#include <algorithm>

QByteArray HttpReply::header(QByteArrayView name) const
{
    for (const auto &h : headers) {
        if (h.first == name)
            return h.second;
    }
    return {};
}

bool HttpReply::hasHeader(QByteArrayView name) const
{
    return headerCount(name) > 0;
}

int HttpReply::headerCount(QByteArrayView name) const
{
    int n = 0;
    for (const auto &h : headers)
        n += h.first == name ? 1 : 0;
    return n;
}

namespace HttpWire {

QByteArray request(const QByteArray &method, const QByteArray &target, const HttpHeaders &headers,
                   const QByteArray &body)
{
    QByteArray out = method + ' ' + target + " HTTP/1.1\r\nhost: 127.0.0.1\r\n";
    bool typed = false;
    for (const auto &h : headers) {
        typed = typed || h.first.compare("content-type", Qt::CaseInsensitive) == 0;
        out += h.first + ": " + h.second + "\r\n";
    }
    if (!body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH") {
        if (!typed && !body.isEmpty())
            out += "content-type: application/json\r\n";
        out += "content-length: " + QByteArray::number(body.size()) + "\r\n";
    }
    return out + "\r\n" + body;
}

namespace {

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

Parse invalid(HttpReply *reply, const QString &why)
{
    reply->error = why;
    return Parse::Invalid;
}

} // namespace

Parse parseOne(QByteArrayView bytes, bool eof, HttpReply *reply, qsizetype *consumed)
{
    *reply = HttpReply();
    const qsizetype headEnd = bytes.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return eof && !bytes.isEmpty() ? invalid(reply, QStringLiteral("connection closed inside the head"))
                                       : Parse::Incomplete;
    const QList<QByteArray> lines = bytes.first(headEnd).toByteArray().split('\n');
    for (const QByteArray &l : lines) {
        if (!l.endsWith('\r') && &l != &lines.last())
            return invalid(reply, QStringLiteral("head line without CRLF"));
    }
    const QByteArray statusLine = lines.first().trimmed();
    if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.size() < 12)
        return invalid(reply, QStringLiteral("bad status line: ") + QString::fromLatin1(statusLine));
    bool ok = false;
    reply->status = statusLine.mid(9, 3).toInt(&ok);
    if (!ok)
        return invalid(reply, QStringLiteral("bad status code"));
    reply->reason = statusLine.mid(13);
    qint64 contentLength = -1;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return invalid(reply, QStringLiteral("bad header line"));
        const QByteArray name = line.left(colon).toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        reply->headers.append({name, value});
        if (name == "content-length") {
            if (contentLength >= 0)
                return invalid(reply, QStringLiteral("two content-length headers"));
            contentLength = value.toLongLong(&ok);
            if (!ok)
                return invalid(reply, QStringLiteral("bad content-length"));
        } else if (name == "transfer-encoding") {
            if (value != "chunked")
                return invalid(reply, QStringLiteral("unexpected transfer-encoding"));
            reply->chunked = true;
        }
    }
    if (reply->chunked && contentLength >= 0)
        return invalid(reply, QStringLiteral("both content-length and chunked"));
    qsizetype pos = headEnd + 4;
    if ((reply->status >= 100 && reply->status < 200) || reply->status == 204 || reply->status == 304) {
        // No body.
    } else if (reply->chunked) {
        while (true) {
            const qsizetype crlf = bytes.indexOf("\r\n", pos);
            if (crlf < 0) {
                if (bytes.size() - pos > 16)
                    return invalid(reply, QStringLiteral("chunk size line too long"));
                return eof ? invalid(reply, QStringLiteral("connection closed inside a chunked body"))
                           : Parse::Incomplete;
            }
            const QByteArrayView sizeText = bytes.sliced(pos, crlf - pos);
            if (sizeText.isEmpty() || !std::all_of(sizeText.begin(), sizeText.end(), isHex))
                return invalid(reply, QStringLiteral("bad chunk size line: ") + QString::fromLatin1(sizeText));
            const qint64 size = sizeText.toByteArray().toLongLong(&ok, 16);
            pos = crlf + 2;
            if (size == 0) {
                if (bytes.size() - pos < 2)
                    return eof ? invalid(reply, QStringLiteral("connection closed before the last CRLF"))
                               : Parse::Incomplete;
                if (bytes.sliced(pos, 2) != "\r\n")
                    return invalid(reply, QStringLiteral("trailers or garbage after the last chunk"));
                pos += 2;
                break;
            }
            if (bytes.size() - pos < size + 2)
                return eof ? invalid(reply, QStringLiteral("connection closed inside a chunk")) : Parse::Incomplete;
            if (bytes.sliced(pos + size, 2) != "\r\n")
                return invalid(reply, QStringLiteral("chunk data not followed by CRLF"));
            const QByteArray chunk = bytes.sliced(pos, size).toByteArray();
            reply->chunks.append(chunk);
            reply->body += chunk;
            pos += size + 2;
        }
    } else if (contentLength >= 0) {
        if (bytes.size() - pos < contentLength)
            return eof ? invalid(reply, QStringLiteral("connection closed inside the body")) : Parse::Incomplete;
        reply->body = bytes.sliced(pos, contentLength).toByteArray();
        pos += contentLength;
    } else {
        // Delimited by the end of the connection.
        if (!eof)
            return Parse::Incomplete;
        reply->body = bytes.sliced(pos).toByteArray();
        pos = bytes.size();
    }
    reply->raw = bytes.first(pos).toByteArray();
    *consumed = pos;
    return Parse::Complete;
}

QList<HttpReply> parseAll(QByteArrayView bytes, bool eof, QString *error, qsizetype *rest)
{
    QList<HttpReply> out;
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        HttpReply reply;
        qsizetype used = 0;
        const Parse p = parseOne(bytes.sliced(pos), eof, &reply, &used);
        if (p == Parse::Invalid) {
            if (error && error->isEmpty())
                *error = reply.error;
            break;
        }
        if (p == Parse::Incomplete)
            break;
        out.append(reply);
        pos += used;
    }
    if (rest)
        *rest = bytes.size() - pos;
    return out;
}

QByteArray dechunkedSoFar(QByteArrayView body, bool *ended)
{
    QByteArray out;
    if (ended)
        *ended = false;
    qsizetype pos = 0;
    while (true) {
        const qsizetype crlf = body.indexOf("\r\n", pos);
        if (crlf < 0)
            return out;
        bool ok = false;
        const qint64 size = body.sliced(pos, crlf - pos).toByteArray().toLongLong(&ok, 16);
        if (!ok)
            return out;
        if (size == 0) {
            if (ended)
                *ended = body.size() >= crlf + 4;
            return out;
        }
        if (body.size() < crlf + 2 + size + 2)
            return out;
        out += body.sliced(crlf + 2, size);
        pos = crlf + 2 + size + 2;
    }
}

} // namespace HttpWire
