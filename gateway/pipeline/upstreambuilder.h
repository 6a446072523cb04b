#pragma once

// Builds the request a route's provider gets from the client's request:
// the body forwarded byte for byte when nothing needs to change, else with
// the alias's upstream model, OpenAI's stream_options.include_usage (so a
// stream can be metered exactly), or translated into the provider's format;
// plus the Anthropic headers the client sent.

#include "callcontext.h"
#include "providers/provider.h"
#include "providers/upstreamrequest.h"

#include <optional>

namespace UpstreamBuilder {

struct Built
{
    UpstreamRequest request;
    WireFormat format = WireFormat::OpenAI;   // the provider's format for this call
    bool translated = false;
    bool strippedUsage = false;               // include_usage was added: strip it for the client
};

// nullopt with *error when the request cannot be put in the provider's format.
std::optional<Built> build(const CallContext &ctx, const Provider &provider, const QString &upstreamModel,
                           GatewayError *error);
}
