#pragma once

// Rewrites a provider's SSE stream, event by event, into the stream the
// client's API format promises, for calls served across formats. Each
// provider event may yield nothing, one event or several; the output keeps
// the order and nesting the client format requires (Anthropic:
// message_start, then content blocks opened, filled and closed one after
// another, then message_delta and message_stop; OpenAI: a role chunk,
// content and tool-call deltas, a finish chunk, a usage chunk, [DONE]), and
// carries the provider's usage, cache tokens included, so that a
// StreamMeter of the client's format reads the same counts.
//
//   auto translator = StreamTranslator::create(WireFormat::OpenAI, WireFormat::Anthropic, clientModel);
//   parser.feed(bytes, [&](const SseEvent &e) { client.write(translator->translate(e)); });
//   client.write(translator->finish(meter->completed()));

#include "core/wireformat.h"
#include "sseevent.h"

#include <QByteArray>
#include <QString>
#include <memory>

class StreamTranslator
{
public:
    // 'clientModel' names the model only when the provider's stream does not.
    // The same format on both sides gives a translator that forwards every
    // event unchanged.
    static std::unique_ptr<StreamTranslator> create(WireFormat from, WireFormat to, const QString &clientModel);
    virtual ~StreamTranslator();

    // The client-format bytes for one provider event (may be empty).
    virtual QByteArray translate(const SseEvent &event) = 0;
    // Called once when the provider's stream ends. complete = true: it ended
    // normally; whatever closing events the provider left out are sent.
    // complete = false: it broke off; nothing that claims success is sent.
    virtual QByteArray finish(bool complete) = 0;

    // For OpenAI clients: whether the stream ends with the usage chunk
    // (choices []), i.e. whether the client asked for
    // stream_options.include_usage. On by default; Anthropic streams always
    // carry usage.
    void setIncludeUsage(bool include) { m_includeUsage = include; }

protected:
    bool m_includeUsage = true;
};
