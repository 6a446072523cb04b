#pragma once

// Validates a client's body for the OpenAI or Anthropic endpoint and fills
// a ProxyRequest, or says precisely what is wrong (field and reason) in a
// GatewayError. Also the few body edits the gateway needs, done so that a
// body needing no change is forwarded byte for byte.

#include "core/gatewayerror.h"
#include "proxyrequest.h"

#include <optional>

namespace RequestInspector {

enum class Endpoint { ChatCompletions, Messages, CountTokens };

std::optional<ProxyRequest> inspect(Endpoint endpoint, const QByteArray &body, GatewayError *error);

// About four characters a token over every text in the request.
qint64 estimateInputTokens(const QJsonObject &json);

// OpenAI streams: adds stream_options.include_usage = true. Inserted at the
// byte level when the body has no stream_options, re-serialized otherwise.
QByteArray withIncludeUsage(const ProxyRequest &request);

// The body with "model" set to another name (aliases), re-serialized.
QByteArray withModel(const QJsonObject &json, const QString &model);
}
