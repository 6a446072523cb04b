#include "sseparser.h"

#include <utility>

namespace {

bool isLineEnd(char c)
{
    return c == '\n' || c == '\r';
}

} // namespace

void SseParser::feed(QByteArrayView bytes, const Sink &sink)
{
    if (bytes.isEmpty())
        return;
    m_buffer.append(bytes);

    const char *d = m_buffer.constData();
    const qsizetype n = m_buffer.size();
    qsizetype i = m_scanFrom;
    // Bytes before eventStart belong to events already handed to the sink;
    // they are cut from the buffer once, after the loop.
    qsizetype eventStart = 0;

    while (i < n) {
        if (m_crPending) {
            m_crPending = false;
            if (d[i] == '\n') {
                // Second half of a "\r\n" split across feeds (or across an
                // event already dispatched, see m_crOnly).
                m_crOnly = false;
                m_lineStart = ++i;
                continue;
            }
            m_crOnly = true;
        }

        qsizetype j = i;
        while (j < n && !isLineEnd(d[j]))
            ++j;
        if (j == n) {
            i = n;
            break;
        }

        if (j == m_lineStart) {
            // A blank line: the event ends with its line end.
            m_bomChecked = true;
            qsizetype end = 0;
            if (d[j] == '\n') {
                end = j + 1;
            } else if (j + 1 < n) {
                m_crOnly = d[j + 1] != '\n';
                end = m_crOnly ? j + 1 : j + 2;
            } else if (m_crOnly) {
                // A stream of bare '\r' line ends: its last event must not
                // wait for a byte that never comes.
                end = j + 1;
                m_crPending = true;
            } else {
                // Could be the first half of "\r\n": the raw bytes of the
                // event depend on it, so wait for the next byte.
                i = j;
                break;
            }

            SseEvent event;
            event.raw = QByteArray(d + eventStart, end - eventStart);
            event.event = std::exchange(m_event, QByteArray());
            event.data = std::exchange(m_data, QByteArray());
            m_hasData = false;
            sink(event);

            eventStart = end;
            m_lineStart = end;
            i = end;
            continue;
        }

        processLine(QByteArrayView(d + m_lineStart, j - m_lineStart));
        if (d[j] == '\n') {
            m_crOnly = false;
            i = j + 1;
        } else if (j + 1 < n) {
            m_crOnly = d[j + 1] != '\n';
            i = m_crOnly ? j + 1 : j + 2;
        } else {
            // The line is complete either way; only its line end's length
            // is unknown, and m_crPending settles that with the next byte.
            m_crPending = true;
            i = j + 1;
        }
        m_lineStart = i;
    }

    if (eventStart > 0) {
        m_buffer.remove(0, eventStart);
        m_lineStart -= eventStart;
        i -= eventStart;
    }
    m_scanFrom = i;
}

void SseParser::processLine(QByteArrayView line)
{
    if (!m_bomChecked) {
        m_bomChecked = true;
        if (line.startsWith("\xEF\xBB\xBF"))
            line = line.sliced(3);
    }
    if (line.isEmpty() || line.front() == ':')
        return;

    const qsizetype colon = line.indexOf(':');
    const QByteArrayView name = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);

    if (name == "data") {
        if (m_hasData)
            m_data.append('\n');
        m_data.append(value);
        m_hasData = true;
    } else if (name == "event") {
        m_event = value.toByteArray();
    }
    // "id", "retry" and unknown fields carry nothing the gateway uses; they
    // stay in the raw bytes for the client.
}

QByteArray SseParser::pending() const
{
    return m_buffer;
}

bool SseParser::hasPending() const
{
    return !m_buffer.isEmpty();
}

void SseParser::reset()
{
    *this = SseParser();
}
