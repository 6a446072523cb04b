#pragma once

// StreamMeter for OpenAI Chat Completions streams (chat.completion.chunk
// events ending in "data: [DONE]"). Usage comes from the final chunk that
// stream_options.include_usage asks for: empty "choices", a "usage" object.
// With stripUsage set, that chunk is dropped and the "usage":null member of
// every other chunk is cut out byte for byte, which is exactly the stream the
// provider sends when include_usage is off.

#include "streammeter.h"

class OpenAiStreamMeter : public StreamMeter
{
public:
    QByteArray filter(const SseEvent &event) override;
};
