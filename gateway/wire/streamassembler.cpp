#include "streamassembler.h"

#include "anthropicstreamassembler.h"
#include "openaistreamassembler.h"

std::unique_ptr<StreamAssembler> StreamAssembler::create(WireFormat format)
{
    switch (format) {
    case WireFormat::OpenAI:
        return std::make_unique<OpenAiStreamAssembler>();
    case WireFormat::Anthropic:
        return std::make_unique<AnthropicStreamAssembler>();
    }
    return nullptr;
}
