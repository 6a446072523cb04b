#pragma once

// Raw HTTP/1.1 on the test side: builds request bytes and parses response
// bytes strictly, so tests can check what crossed the wire — chunked
// framing chunk by chunk, Connection headers, pipelined responses in order.
//
//   const QByteArray bytes = HttpWire::request("POST", "/v1/messages", headers, body);
//   QList<HttpReply> replies = HttpWire::parseAll(received, eof, &error);

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// One HTTP response as a client saw it.
struct HttpReply
{
    int status = 0;                // 0: no response (connection failed or timed out)
    QByteArray reason;
    HttpHeaders headers;           // names lowercased, in order
    QByteArray body;               // de-chunked
    QByteArray raw;                // every byte of this response, head included
    bool chunked = false;
    QList<QByteArray> chunks;      // the chunks' payloads, in order
    QString error;                 // transport error or framing violation

    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    int headerCount(QByteArrayView name) const;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

namespace HttpWire {

// A request with Host and (for a body or POST) Content-Length; extra
// headers are written as given.
QByteArray request(const QByteArray &method, const QByteArray &target, const HttpHeaders &headers = {},
                   const QByteArray &body = {});

enum class Parse { Complete, Incomplete, Invalid };

// Parses one response from the start of bytes. eof: the connection has
// closed (ends a body delimited by the close). On Complete, *consumed is
// the response's length; on Invalid, reply->error says why.
Parse parseOne(QByteArrayView bytes, bool eof, HttpReply *reply, qsizetype *consumed);

// Every complete response in bytes, in order; *rest (optional) says whether
// bytes remain after them, *error the first framing violation.
QList<HttpReply> parseAll(QByteArrayView bytes, bool eof, QString *error = nullptr, qsizetype *rest = nullptr);

// The body of a chunked stream so far (complete chunks only), and whether
// the terminating chunk has arrived; for reading a stream while it flows.
QByteArray dechunkedSoFar(QByteArrayView bodyBytes, bool *ended = nullptr);
}
