#pragma once

// Turns a provider's complete (non-streaming) response body into the body
// the client's API format promises: an OpenAI chat.completion becomes an
// Anthropic message and back — text, tool calls, stop reason and usage with
// cache tokens. The body keeps the provider's own model name, as the
// contract asks. A provider's error body becomes the client format's error
// shape with the provider's message kept.
//
//   if (translated)
//       body = ResponseTranslator::translate(providerFormat, clientFormat, reply.body);
//
// Usage: OpenAI's prompt_tokens include cached tokens, Anthropic's
// input_tokens exclude cache reads and writes; each side is converted so
// that UsageParser reads the same counts from either body. OpenAI has no
// name for cache writes: towards OpenAI they are counted in prompt_tokens.

#include "core/wireformat.h"

#include <QByteArray>

namespace ResponseTranslator {

// A 2xx body in format 'from' → format 'to'. Returns an empty array when
// the body is not a JSON object (the caller should answer 502 rather than
// send the client a body it cannot parse). The same format on both sides
// returns the body unchanged.
QByteArray translate(WireFormat from, WireFormat to, const QByteArray &body);

// A provider error body (any status ≥ 400, JSON or not) → the client's error
// shape: OpenAI {"error":{message,type,code,param}}, Anthropic
// {"type":"error","error":{type,message}}. The type follows the status.
QByteArray translateError(WireFormat from, WireFormat to, int status, const QByteArray &body);

} // namespace ResponseTranslator
