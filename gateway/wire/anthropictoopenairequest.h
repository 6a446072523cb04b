#pragma once

// An Anthropic Messages request rewritten as an OpenAI Chat Completions
// request (model and stream are set by RequestTranslator).
//
// Mapped: "system" (a string or text blocks, joined with a blank line) → a
// first system message; user text and image blocks → text and image_url
// parts (base64 → data: URL); assistant text → content and tool_use →
// tool_calls (input → compact JSON arguments); tool_result blocks → "tool"
// messages placed before the rest of their user message (text joined, an
// error result prefixed "Error: "); thinking blocks in the history dropped
// (no OpenAI model can read them back); max_tokens → max_tokens, or
// max_completion_tokens for OpenAI's reasoning models (o1, o3, o4, gpt-5),
// which refuse max_tokens; stop_sequences → stop; temperature, top_p;
// custom tools → function tools; tool_choice auto/any/tool/none →
// "auto"/"required"/named function/"none"; disable_parallel_tool_use →
// parallel_tool_calls = false; metadata.user_id → user.
//
// Refused with a 400 naming the field: top_k, "thinking" when enabled (no
// portable way to ask an OpenAI-compatible model for a thinking budget, and
// dropping it would silently change the answer), server tools (any tool with
// a "type" other than "custom"), document, search_result and server-tool
// blocks, citations, images inside tool results (OpenAI tool messages carry
// text only), container, mcp_servers, context_management.
//
// Dropped: cache_control (OpenAI caches prompts on its own), service_tier.

#include "core/gatewayerror.h"

#include <QJsonObject>
#include <QString>
#include <optional>

namespace AnthropicToOpenAiRequest {

std::optional<QJsonObject> translate(const QJsonObject &body, const QString &upstreamModel, GatewayError *error);

} // namespace AnthropicToOpenAiRequest
