#pragma once

// Incremental server-sent-events splitter. Feed it bytes as they arrive, in
// pieces of any size (even one byte); it hands back each complete event with
// its exact raw bytes, so an event can be forwarded unchanged or dropped.
// Events end at a blank line; "\n", "\r\n" and "\r" line ends are all
// accepted (WHATWG EventSource rules). Comment lines (": ping") belong to the
// event they precede.
//
// Not reentrant: the sink must not call back into the parser.
//
//   SseParser parser;
//   parser.feed(chunk, [&](const SseEvent &e) { forward(e.raw); });

#include "sseevent.h"

#include <QByteArray>
#include <QByteArrayView>
#include <functional>

class SseParser
{
public:
    using Sink = std::function<void(const SseEvent &)>;

    void feed(QByteArrayView bytes, const Sink &sink);

    // Bytes of an event that has not been terminated yet.
    QByteArray pending() const;
    bool hasPending() const;
    void reset();

private:
    void processLine(QByteArrayView line);

    // The event being received, from its first byte on: earlier events are
    // cut off once dispatched, so the buffer never holds more than one event.
    QByteArray m_buffer;
    // First byte of m_buffer not examined yet, so a feed never rescans.
    qsizetype m_scanFrom = 0;
    // Start of the line being received; a line is parsed once it is complete.
    qsizetype m_lineStart = 0;
    // Fields of the event being received, parsed line by line.
    QByteArray m_event;
    QByteArray m_data;
    bool m_hasData = false;
    // The last byte examined was a '\r' ending a line; a '\n' next completes
    // that line end rather than starting a blank line.
    bool m_crPending = false;
    // The last line end whose kind is known was a bare '\r'. A blank line that
    // is a '\r' at the very end of the input is then taken as final at once;
    // otherwise the parser waits a byte in case it is the start of "\r\n".
    bool m_crOnly = false;
    // A UTF-8 byte-order mark is skipped only before the stream's first line.
    bool m_bomChecked = false;
};
