#pragma once

// What a FakeProvider answers to one request: a whole response with
// Content-Length, an SSE stream sent as chunked transfer encoding (one chunk
// per event, at a configurable pace), a stream that stops early (the
// connection closes, or simply goes silent), bytes that are not HTTP at all,
// or nothing ever. The named constructors cover what the tests use; fields
// can be adjusted after.
//
//   fake.enqueue(FakeReply::sse(Canned::anthropicStream(), 20).withHeadDelay(100));
//   fake.enqueue(FakeReply::truncated(Canned::openAiStream(), 3));

#include <QByteArray>
#include <QList>
#include <QPair>

struct FakeReply
{
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    enum class Kind {
        Whole,   // status, headers, body with Content-Length
        Stream,  // status, headers, then events as chunks
        Raw,     // the bytes in `raw` as they are, then the connection closes
        Hang,    // never answers; the connection stays open
    };
    // How a stream ends once `sendEvents` events are out.
    enum class End {
        Clean,   // the terminating zero-size chunk; the connection stays usable
        Close,   // the connection closes without the terminating chunk
        Stall,   // nothing more is sent, the connection stays open
    };

    Kind kind = Kind::Whole;
    int status = 200;
    Headers headers;              // a content-type is added when absent
    QByteArray body;              // Whole
    QList<QByteArray> events;     // Stream: each one chunk, in order
    int eventDelayMs = 0;         // Stream: wait before each event
    int sendEvents = -1;          // Stream: how many events to send; -1: all
    End end = End::Clean;
    int headDelayMs = 0;          // wait before the status line
    bool closeConnection = false; // Whole/Stream: "Connection: close", then close
    QByteArray raw;               // Raw

    static FakeReply json(const QByteArray &body, int status = 200);
    static FakeReply error(int status, const QByteArray &body);
    static FakeReply sse(const QList<QByteArray> &events, int eventDelayMs = 0);
    // The first sendEvents events, then the connection closes mid-stream.
    static FakeReply truncated(const QList<QByteArray> &events, int sendEvents, int eventDelayMs = 0);
    // The first sendEvents events, then silence with the connection open.
    static FakeReply stalled(const QList<QByteArray> &events, int sendEvents, int eventDelayMs = 0);
    static FakeReply malformed(const QByteArray &raw);
    static FakeReply hang();

    FakeReply withHeader(const QByteArray &name, const QByteArray &value) const;
    FakeReply withHeadDelay(int ms) const;

    // The body bytes a client sees for this reply, de-chunked.
    QByteArray sentBody() const;
};
