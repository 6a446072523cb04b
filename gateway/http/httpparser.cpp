#include "httpparser.h"

namespace {

bool isTokenChar(char c)
{
    // RFC 9110 tchar
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*'
        || c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|'
        || c == '~';
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
        v.chop(1);
    return v;
}

bool parseDecimal(QByteArrayView v, qint64 *out)
{
    if (v.isEmpty() || v.size() > 18)
        return false;
    qint64 n = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return false;
        n = n * 10 + (c - '0');
    }
    *out = n;
    return true;
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

} // namespace

void HttpParser::append(const QByteArray &bytes)
{
    if (m_state == State::Failed)
        return;
    if (m_pos == m_buffer.size()) {
        // Common case: everything before was consumed; take the bytes without copying.
        m_buffer = bytes;
        m_pos = 0;
        m_headScanFrom = 0;
    } else {
        m_buffer.append(bytes);
    }
}

HttpParser::Result HttpParser::fail(int status, QByteArray reason)
{
    m_state = State::Failed;
    m_errorStatus = status;
    m_errorReason = std::move(reason);
    m_buffer.clear();
    m_pos = 0;
    return Result::Error;
}

void HttpParser::compact()
{
    if (m_pos > 0 && m_pos == m_buffer.size()) {
        m_buffer.clear();
        m_pos = 0;
        m_headScanFrom = 0;
    } else if (m_pos > 64 * 1024) {
        m_buffer.remove(0, m_pos);
        m_headScanFrom -= m_pos;
        m_pos = 0;
    }
}

HttpRequest HttpParser::takeRequest()
{
    HttpRequest r = std::move(m_request);
    m_request = HttpRequest();
    m_state = State::Head;
    m_continueSent = false;
    compact();
    return r;
}

bool HttpParser::parseRequestLine(QByteArrayView line)
{
    const qsizetype sp1 = line.indexOf(' ');
    if (sp1 <= 0)
        return false;
    const qsizetype sp2 = line.indexOf(' ', sp1 + 1);
    if (sp2 <= sp1 + 1)
        return false;
    const QByteArrayView method = line.first(sp1);
    for (char c : method) {
        if (!isTokenChar(c))
            return false;
    }
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (version.size() != 8 || !version.startsWith("HTTP/1.") || version[7] < '0' || version[7] > '9')
        return false;
    if (target.isEmpty() || (target.front() != '/' && target != "*"))
        return false;
    m_request.method = method.toByteArray();
    m_request.target = target.toByteArray();
    const qsizetype q = target.indexOf('?');
    m_request.path = q < 0 ? m_request.target : target.first(q).toByteArray();
    if (q >= 0)
        m_request.query = target.sliced(q + 1).toByteArray();
    m_request.minorVersion = version[7] - '0';
    return true;
}

HttpParser::Result HttpParser::parseHead()
{
    // Empty lines before a request line are allowed (RFC 9112 2.2).
    while (m_pos < m_buffer.size() && (m_buffer[m_pos] == '\n' || m_buffer[m_pos] == '\r'))
        ++m_pos;
    if (m_pos == m_buffer.size()) {
        compact();
        return Result::NeedMore;
    }
    // Look for the blank line ending the head, tolerating bare LF.
    const qsizetype from = qMax(m_pos, m_headScanFrom);
    qsizetype end = -1;
    for (QByteArrayView sep : {QByteArrayView("\r\n\r\n"), QByteArrayView("\n\n"), QByteArrayView("\n\r\n")}) {
        const qsizetype i = m_buffer.indexOf(sep, from);
        if (i >= 0 && (end < 0 || i + sep.size() < end))
            end = i + sep.size();
    }
    if (end < 0) {
        m_headScanFrom = qMax(m_pos, m_buffer.size() - 3);
        if (m_buffer.size() - m_pos > m_limits.maxHeaderBytes)
            return fail(431, "request head larger than " + QByteArray::number(m_limits.maxHeaderBytes / 1024) + " KiB");
        return Result::NeedMore;
    }
    if (end - m_pos > m_limits.maxHeaderBytes)
        return fail(431, "request head larger than " + QByteArray::number(m_limits.maxHeaderBytes / 1024) + " KiB");

    QByteArrayView head(m_buffer.constData() + m_pos, end - m_pos);
    m_pos = end;
    m_headScanFrom = end;

    qsizetype lineEnd = head.indexOf('\n');
    if (lineEnd < 0)
        return fail(400, "malformed request line");
    if (!parseRequestLine(trimmed(head.first(lineEnd))))
        return fail(400, "malformed request line");

    qint64 contentLength = -1;
    bool chunked = false;
    bool expectContinue = false;
    QByteArrayView connectionHeader;
    qsizetype pos = lineEnd + 1;
    while (pos < head.size()) {
        qsizetype le = head.indexOf('\n', pos);
        if (le < 0)
            le = head.size();
        QByteArrayView line = head.sliced(pos, le - pos);
        pos = le + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty())
            break;
        if (line.front() == ' ' || line.front() == '\t')
            return fail(400, "obsolete header line folding");
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return fail(400, "malformed header line");
        QByteArrayView name = line.first(colon);
        for (char c : name) {
            if (!isTokenChar(c))
                return fail(400, "malformed header name");
        }
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        QByteArray lname = name.toByteArray().toLower();
        if (lname == "content-length") {
            qint64 n;
            if (!parseDecimal(value, &n) || (contentLength >= 0 && contentLength != n))
                return fail(400, "invalid Content-Length");
            contentLength = n;
        } else if (lname == "transfer-encoding") {
            if (value.compare("chunked", Qt::CaseInsensitive) != 0)
                return fail(501, "unsupported Transfer-Encoding");
            chunked = true;
        } else if (lname == "expect") {
            if (value.compare("100-continue", Qt::CaseInsensitive) == 0)
                expectContinue = true;
        } else if (lname == "connection") {
            connectionHeader = value;
        }
        m_request.headers.append({std::move(lname), value.toByteArray()});
    }
    if (chunked && contentLength >= 0)
        return fail(400, "both Content-Length and Transfer-Encoding");

    const bool closeAsked = connectionHeader.contains("close") || connectionHeader.contains("Close");
    const bool keepAliveAsked = connectionHeader.contains("keep-alive") || connectionHeader.contains("Keep-Alive");
    m_request.keepAlive = m_request.minorVersion >= 1 ? !closeAsked : keepAliveAsked;

    if (contentLength > m_limits.maxBodyBytes)
        return fail(413, "request body of " + QByteArray::number(contentLength) + " bytes is over the limit of "
                             + QByteArray::number(m_limits.maxBodyBytes) + " bytes");

    if (chunked) {
        m_state = State::ChunkSize;
    } else if (contentLength > 0) {
        m_state = State::Body;
        m_remaining = contentLength;
        // Reserve a little, not what the client claims: a client declaring
        // 32 MiB and sending nothing must not cost 32 MiB.
        m_request.body.reserve(qMin<qint64>(contentLength, 256 * 1024));
    } else {
        m_state = State::Done;
    }
    if (expectContinue && m_state != State::Done && !m_continueSent) {
        m_continueSent = true;
        return Result::ExpectContinue;
    }
    return Result::NeedMore; // caller loops
}

HttpParser::Result HttpParser::next()
{
    while (true) {
        switch (m_state) {
        case State::Failed:
            return Result::Error;
        case State::Done:
            return Result::Request;
        case State::Head: {
            if (m_pos == m_buffer.size())
                return Result::NeedMore;
            const State before = m_state;
            const Result r = parseHead();
            if (r != Result::NeedMore)
                return r;
            if (m_state == before)
                return Result::NeedMore;
            break;
        }
        case State::Body: {
            const qint64 avail = m_buffer.size() - m_pos;
            if (avail == 0)
                return Result::NeedMore;
            const qint64 take = qMin(avail, m_remaining);
            if (m_pos == 0 && take == m_buffer.size() && m_request.body.isEmpty()) {
                // The whole buffer is body: hand it over without copying.
                m_request.body = std::move(m_buffer);
                m_buffer = QByteArray();
                m_headScanFrom = 0;
            } else {
                m_request.body.append(m_buffer.constData() + m_pos, take);
                m_pos += take;
            }
            m_remaining -= take;
            if (m_remaining == 0)
                m_state = State::Done;
            compact();
            break;
        }
        case State::ChunkSize: {
            const qsizetype lf = m_buffer.indexOf('\n', m_pos);
            if (lf < 0) {
                if (m_buffer.size() - m_pos > 1024)
                    return fail(400, "malformed chunk size");
                return Result::NeedMore;
            }
            QByteArrayView line(m_buffer.constData() + m_pos, lf - m_pos);
            const qsizetype semi = line.indexOf(';');
            if (semi >= 0)
                line = line.first(semi);
            qint64 size;
            if (!parseHex(trimmed(line), &size))
                return fail(400, "malformed chunk size");
            m_pos = lf + 1;
            if (m_request.body.size() + size > m_limits.maxBodyBytes)
                return fail(413, "request body over the limit of " + QByteArray::number(m_limits.maxBodyBytes) + " bytes");
            if (size == 0) {
                m_state = State::Trailers;
            } else {
                m_remaining = size;
                m_state = State::ChunkData;
            }
            break;
        }
        case State::ChunkData: {
            const qint64 avail = m_buffer.size() - m_pos;
            if (avail == 0)
                return Result::NeedMore;
            const qint64 take = qMin(avail, m_remaining);
            const qint64 needed = m_request.body.size() + take;
            if (needed > m_request.body.capacity()) {
                // Doubling while the body is small; past 1 MiB, room up to
                // the body limit (or 64 MiB of it) at once: the chunk-size
                // check keeps the body within the limit, the allocator hands
                // out untouched pages that count towards the process's memory
                // only as the body fills them, and the body is not copied
                // again: growing by reallocation holds the old and the new
                // copy together (1.5 times the limit for an upload refused
                // at the limit).
                constexpr qint64 kDoublingUpTo = 1 << 20;
                constexpr qint64 kRoomAtOnce = qint64(64) << 20;
                const qint64 doubled = qMax(needed, 2 * qint64(m_request.body.capacity()));
                const qint64 want = needed <= kDoublingUpTo ? doubled : qMax(doubled, kRoomAtOnce);
                m_request.body.reserve(qMin(want, qMax(needed, m_limits.maxBodyBytes)));
            }
            m_request.body.append(m_buffer.constData() + m_pos, take);
            m_pos += take;
            m_remaining -= take;
            if (m_remaining == 0)
                m_state = State::ChunkDataEnd;
            compact();
            break;
        }
        case State::ChunkDataEnd: {
            const qsizetype lf = m_buffer.indexOf('\n', m_pos);
            if (lf < 0)
                return m_buffer.size() - m_pos > 2 ? fail(400, "malformed chunk") : Result::NeedMore;
            if (lf - m_pos > 1 || (lf - m_pos == 1 && m_buffer[m_pos] != '\r'))
                return fail(400, "malformed chunk");
            m_pos = lf + 1;
            m_state = State::ChunkSize;
            break;
        }
        case State::Trailers: {
            const qsizetype lf = m_buffer.indexOf('\n', m_pos);
            if (lf < 0) {
                if (m_buffer.size() - m_pos > m_limits.maxHeaderBytes)
                    return fail(431, "trailers too large");
                return Result::NeedMore;
            }
            const bool blank = lf == m_pos || (lf == m_pos + 1 && m_buffer[m_pos] == '\r');
            m_pos = lf + 1;
            if (blank)
                m_state = State::Done;
            break;
        }
        }
    }
}
