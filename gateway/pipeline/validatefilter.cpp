#include "validatefilter.h"

#include "wire/requestinspector.h"

CallFilter::Result ValidateFilter::onRequest(CallContext &ctx)
{
    const RequestInspector::Endpoint endpoint = ctx.countTokens
        ? RequestInspector::Endpoint::CountTokens
        : (ctx.clientFormat == WireFormat::Anthropic ? RequestInspector::Endpoint::Messages
                                                     : RequestInspector::Endpoint::ChatCompletions);
    GatewayError error;
    auto request = RequestInspector::inspect(endpoint, ctx.http.body, &error);
    ctx.http.body.clear(); // kept once, in ctx.request.body
    if (!request) {
        ctx.error = error;
        return Result::Respond;
    }
    ctx.request = std::move(*request);
    return Result::Continue;
}
