#include "streammeter.h"

#include "anthropicstreammeter.h"
#include "openaistreammeter.h"

std::unique_ptr<StreamMeter> StreamMeter::create(WireFormat format)
{
    switch (format) {
    case WireFormat::OpenAI:
        return std::make_unique<OpenAiStreamMeter>();
    case WireFormat::Anthropic:
        return std::make_unique<AnthropicStreamMeter>();
    }
    return nullptr;
}

qint64 StreamMeter::estimatedOutputTokens() const
{
    // About four characters a token for English text and code; rounded up so
    // a stream that produced any text is never estimated at zero.
    return (m_textChars + 3) / 4;
}
