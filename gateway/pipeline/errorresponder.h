#pragma once

// The one place where a GatewayError becomes what the client reads: an
// OpenAI-shaped or Anthropic-shaped body with the contract's status, code
// and headers, or the error event that ends a stream in either format.
// Every error names the request id.

#include "core/gatewayerror.h"
#include "core/wireformat.h"
#include "http/httpresponder.h"

#include <QByteArray>

namespace ErrorResponder {

QByteArray body(WireFormat format, const GatewayError &error, const QByteArray &requestId);
HttpResponder::Headers headers(const GatewayError &error, const QByteArray &requestId);

// Writes the whole error response; extra headers (rate limits, run ids) are appended.
void respond(HttpResponder *responder, WireFormat format, const GatewayError &error,
             const QByteArray &requestId, const HttpResponder::Headers &extra = {});

// The single SSE event that tells a streaming client why its stream ends.
QByteArray streamErrorEvent(WireFormat format, const GatewayError &error, const QByteArray &requestId);
}
