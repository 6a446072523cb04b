#include "streamtranslator.h"

#include "anthropictoopenaistream.h"
#include "openaitoanthropicstream.h"

namespace {

// Same format on both sides: nothing to rewrite.
class Passthrough final : public StreamTranslator
{
public:
    QByteArray translate(const SseEvent &event) override { return event.raw; }
    QByteArray finish(bool) override { return {}; }
};

} // namespace

StreamTranslator::~StreamTranslator() = default;

std::unique_ptr<StreamTranslator> StreamTranslator::create(WireFormat from, WireFormat to, const QString &clientModel)
{
    if (from == to)
        return std::make_unique<Passthrough>();
    if (from == WireFormat::OpenAI)
        return std::make_unique<OpenAiToAnthropicStream>(clientModel);
    return std::make_unique<AnthropicToOpenAiStream>(clientModel);
}
