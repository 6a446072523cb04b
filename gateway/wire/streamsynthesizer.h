#pragma once

// Turns a complete response body into the stream of events the provider
// would have sent for it, in the same format: many small events (a few
// words of text each, tool-call arguments in pieces), usage where each
// format puts it, and the proper ending. Used to answer a streaming request
// from the response cache as a real stream, not one lump.
//
//   for (const QByteArray &event : StreamSynthesizer::events(WireFormat::Anthropic, body, {}))
//       responder->writeChunk(event);

#include "core/wireformat.h"

#include <QByteArray>
#include <QList>

namespace StreamSynthesizer {

struct Options
{
    bool includeUsage = true;   // OpenAI: send the final usage chunk (stream_options.include_usage)
    int wordsPerEvent = 3;
};

// Each element is one complete SSE event (ending with a blank line).
QList<QByteArray> events(WireFormat format, const QByteArray &body, Options options);
}
