#pragma once

// One server-sent event as it crossed the wire: the exact bytes (so it can be
// forwarded unchanged) and the fields parsed from them. Its data is parsed
// as JSON at most once, however many readers (the meter, the assembler, a
// translator) look at it.

#include <QByteArray>
#include <QJsonObject>

struct SseEvent
{
    QByteArray raw;     // every byte of the event, including its terminating blank line
    QByteArray event;   // value of the "event:" field, empty when absent
    QByteArray data;    // "data:" lines joined with '\n'

    // The data as a JSON object; empty when the data is not one.
    const QJsonObject &object() const;
    bool isObject() const;

private:
    void parse() const;
    mutable QJsonObject m_object;
    mutable bool m_parsed = false;
    mutable bool m_isObject = false;
};
