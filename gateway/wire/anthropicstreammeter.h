#pragma once

// StreamMeter for Anthropic Messages streams (message_start, content_block_*,
// message_delta, message_stop, ping, error).
//
// message_start carries the input and cache counts and a provisional output
// count; message_delta carries cumulative counts, so each field present
// replaces the one before and nothing is added up. usageSeen() turns true
// only once a message_delta with usage arrived: before that the output count
// is a placeholder, and a stream cut there should be billed on the estimate
// (usage() still holds the input and cache counts from message_start).
// Anthropic always streams usage, so stripUsage changes nothing here.

#include "streammeter.h"

class AnthropicStreamMeter : public StreamMeter
{
public:
    QByteArray filter(const SseEvent &event) override;
};
