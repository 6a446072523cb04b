#pragma once

// One server-sent event as it crossed the wire: the exact bytes (so it can be
// forwarded unchanged) and the fields parsed from them.

#include <QByteArray>

struct SseEvent
{
    QByteArray raw;     // every byte of the event, including its terminating blank line
    QByteArray event;   // value of the "event:" field, empty when absent
    QByteArray data;    // "data:" lines joined with '\n'
};
