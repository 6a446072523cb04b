#pragma once

// Incremental HTTP/1.1 request parser with limits. The connection feeds it
// the socket's bytes; it yields whole requests and refuses oversized ones as
// soon as the head shows it (Content-Length over the body limit) or the
// bytes do (head or chunked body past its limit), so an oversized upload is
// never held in memory.
//
//   HttpParser parser(limits);
//   parser.append(socket->readAll());
//   while (parser.next() == HttpParser::Result::Request) handle(parser.takeRequest());

#include "httprequest.h"

#include <QByteArray>

struct HttpLimits
{
    qint64 maxBodyBytes = 32LL * 1024 * 1024;
    int maxHeaderBytes = 64 * 1024;
};

class HttpParser
{
public:
    using Limits = HttpLimits;

    enum class Result {
        NeedMore,        // feed more bytes
        Request,         // takeRequest() returns a complete request
        ExpectContinue,  // head of a request with "Expect: 100-continue" that fits the limits
        Error,           // errorStatus() says which; the connection must close
    };

    explicit HttpParser(Limits limits = {}) : m_limits(limits) {}

    void append(const QByteArray &bytes);
    Result next();
    HttpRequest takeRequest();

    int errorStatus() const { return m_errorStatus; }      // 400, 413, 431, 501, 505
    QByteArray errorReason() const { return m_errorReason; }
    bool isIdle() const { return m_state == State::Head && m_buffer.size() == m_pos; }
    qint64 bufferedBytes() const { return m_buffer.size() - m_pos; }

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Done, Failed };

    Result fail(int status, QByteArray reason);
    Result parseHead();
    bool parseRequestLine(QByteArrayView line);
    void compact();

    Limits m_limits;
    State m_state = State::Head;
    QByteArray m_buffer;
    qsizetype m_pos = 0;          // start of unconsumed bytes
    qsizetype m_headScanFrom = 0; // resume point when looking for the end of the head
    qint64 m_remaining = 0;       // bytes of body or chunk still to read
    bool m_continueSent = false;
    HttpRequest m_request;
    int m_errorStatus = 0;
    QByteArray m_errorReason;
};
