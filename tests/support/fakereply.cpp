#include "fakereply.h"

FakeReply FakeReply::json(const QByteArray &body, int status)
{
    FakeReply r;
    r.kind = Kind::Whole;
    r.status = status;
    r.body = body;
    r.headers = {{"content-type", "application/json"}};
    return r;
}

FakeReply FakeReply::error(int status, const QByteArray &body)
{
    return json(body, status);
}

FakeReply FakeReply::sse(const QList<QByteArray> &events, int eventDelayMs)
{
    FakeReply r;
    r.kind = Kind::Stream;
    r.events = events;
    r.eventDelayMs = eventDelayMs;
    r.headers = {{"content-type", "text/event-stream; charset=utf-8"}, {"cache-control", "no-cache"}};
    return r;
}

FakeReply FakeReply::truncated(const QList<QByteArray> &events, int sendEvents, int eventDelayMs)
{
    FakeReply r = sse(events, eventDelayMs);
    r.sendEvents = sendEvents;
    r.end = End::Close;
    return r;
}

FakeReply FakeReply::stalled(const QList<QByteArray> &events, int sendEvents, int eventDelayMs)
{
    FakeReply r = sse(events, eventDelayMs);
    r.sendEvents = sendEvents;
    r.end = End::Stall;
    return r;
}

FakeReply FakeReply::malformed(const QByteArray &raw)
{
    FakeReply r;
    r.kind = Kind::Raw;
    r.raw = raw;
    return r;
}

FakeReply FakeReply::hang()
{
    FakeReply r;
    r.kind = Kind::Hang;
    return r;
}

FakeReply FakeReply::withHeader(const QByteArray &name, const QByteArray &value) const
{
    FakeReply r = *this;
    r.headers.append({name, value});
    return r;
}

FakeReply FakeReply::withHeadDelay(int ms) const
{
    FakeReply r = *this;
    r.headDelayMs = ms;
    return r;
}

QByteArray FakeReply::sentBody() const
{
    switch (kind) {
    case Kind::Whole:
        return body;
    case Kind::Stream: {
        const qsizetype n = sendEvents < 0 ? events.size() : qMin<qsizetype>(sendEvents, events.size());
        QByteArray out;
        for (qsizetype i = 0; i < n; ++i)
            out += events.at(i);
        return out;
    }
    case Kind::Raw:
    case Kind::Hang:
        return {};
    }
    return {};
}
