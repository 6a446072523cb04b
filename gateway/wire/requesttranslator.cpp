#include "requesttranslator.h"

#include "anthropictoopenairequest.h"
#include "openaitoanthropicrequest.h"
#include "translationmaps.h"

using namespace Qt::StringLiterals;

namespace RequestTranslator {

std::optional<QByteArray> translate(WireFormat from, WireFormat to, const QJsonObject &body,
                                    const QString &upstreamModel, GatewayError *error)
{
    GatewayError local;
    GatewayError *err = error ? error : &local;

    std::optional<QJsonObject> out;
    if (from == to)
        out = body;
    else if (from == WireFormat::OpenAI)
        out = OpenAiToAnthropicRequest::translate(body, err);
    else
        out = AnthropicToOpenAiRequest::translate(body, upstreamModel, err);
    if (!out)
        return std::nullopt;

    // The gateway's own instructions never reach a provider.
    out->remove(u"tollgate");
    out->insert(u"model"_s, upstreamModel);

    const bool stream = body.value(u"stream").toBool(false);
    if (stream) {
        out->insert(u"stream"_s, true);
        if (to == WireFormat::OpenAI) {
            QJsonObject options = out->value(u"stream_options").toObject();
            options.insert(u"include_usage"_s, true);
            out->insert(u"stream_options"_s, options);
        }
    } else if (from != to) {
        out->remove(u"stream");
    }
    return TranslationMaps::compact(*out);
}

} // namespace RequestTranslator
