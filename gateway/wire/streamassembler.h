#pragma once

// Rebuilds the complete response body a non-streaming call would have
// returned from a stream's events, in the same format: text, tool calls,
// stop reason, usage, the provider's model and id. The response cache stores
// streamed answers this way so either mode can be served from them.
//
//   auto a = StreamAssembler::create(WireFormat::OpenAI);
//   for (const SseEvent &e : events) a->add(e);
//   if (a->complete()) cache.store(a->body());

#include "core/wireformat.h"
#include "sseevent.h"

#include <QByteArray>
#include <memory>

class StreamAssembler
{
public:
    static std::unique_ptr<StreamAssembler> create(WireFormat format);
    virtual ~StreamAssembler() = default;

    virtual void add(const SseEvent &event) = 0;
    // The stream ended properly ([DONE] / message_stop) without an error event.
    virtual bool complete() const = 0;
    // The equivalent complete JSON body (chat.completion / message).
    virtual QByteArray body() const = 0;
};
