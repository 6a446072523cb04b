#include "upstreambuilder.h"

#include "wire/requestinspector.h"
#include "wire/requesttranslator.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace UpstreamBuilder {

std::optional<Built> build(const CallContext &ctx, const Provider &provider, const QString &upstreamModel,
                           GatewayError *error)
{
    Built b;
    UpstreamRequest &up = b.request;
    up.kind = ctx.countTokens ? UpstreamRequest::Kind::CountTokens : UpstreamRequest::Kind::Generate;
    up.model = upstreamModel;
    up.stream = ctx.request.stream;
    up.callerCredential = ctx.passthroughCredential;

    const bool native = provider.speaksNatively(ctx.clientFormat);
    b.format = native ? ctx.clientFormat : provider.format();
    if (!native) {
        if (ctx.countTokens) {
            // Token counting has no OpenAI equivalent; the proxy estimates instead.
            *error = GatewayError::invalidRequest(u"count_tokens needs an Anthropic-format provider"_s);
            return std::nullopt;
        }
        const auto body = RequestTranslator::translate(ctx.clientFormat, b.format, ctx.request.json, upstreamModel,
                                                       error);
        if (!body)
            return std::nullopt;
        up.body = *body;
        b.translated = true;
    } else {
        const bool renameModel = upstreamModel != ctx.request.model;
        const bool addUsage = ctx.clientFormat == WireFormat::OpenAI && ctx.request.stream
            && !ctx.request.clientAskedUsage;
        b.strippedUsage = addUsage;
        if (!renameModel && !addUsage) {
            up.body = ctx.request.body; // forwarded byte for byte
        } else {
            ProxyRequest edited = ctx.request;
            if (renameModel) {
                edited.json.insert(u"model"_s, upstreamModel);
                edited.body = QJsonDocument(edited.json).toJson(QJsonDocument::Compact);
            }
            up.body = addUsage ? RequestInspector::withIncludeUsage(edited) : edited.body;
        }
    }
    if (b.format == WireFormat::Anthropic) {
        for (const QByteArray &h : {QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("anthropic-beta")}) {
            const QByteArray v = ctx.http.header(h);
            if (!v.isEmpty())
                up.headers.append({h, v});
        }
    }
    return b;
}

} // namespace UpstreamBuilder
