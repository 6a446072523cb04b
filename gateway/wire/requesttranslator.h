#pragma once

// Turns a client's request body in one API format into the body a provider
// speaking the other format expects, so either endpoint can serve any model:
// system prompts, multi-part content and images, tool definitions, tool calls
// and tool results, stop sequences, sampling and output limits. What has no
// faithful equivalent on the other side is refused with a 400 that names the
// field (GatewayError::invalidRequest, param = the field's path, e.g.
// "messages[2].content[1]"), never dropped silently when it changes the
// output. Fields that only tune delivery or bookkeeping (seed, store,
// service_tier, cache_control, …) are dropped.
//
//   GatewayError error;
//   const auto body = RequestTranslator::translate(WireFormat::OpenAI, WireFormat::Anthropic,
//                                                  request.json, u"claude-sonnet-4-5"_s, &error);
//   if (!body) return respond(error);
//
// The two directions live in OpenAiToAnthropicRequest and
// AnthropicToOpenAiRequest; see their headers for the field-by-field choices.

#include "core/gatewayerror.h"
#include "core/wireformat.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <optional>

namespace RequestTranslator {

// 'body' is the client's validated JSON in format 'from'. Returns the body
// for a provider of format 'to', with "model" set to 'upstreamModel' and the
// stream flag kept (OpenAI targets that stream also get
// stream_options.include_usage = true, so the stream can be metered). The
// same format on both sides only renames the model. On failure returns
// nullopt and sets *error.
std::optional<QByteArray> translate(WireFormat from, WireFormat to, const QJsonObject &body,
                                    const QString &upstreamModel, GatewayError *error);

} // namespace RequestTranslator
