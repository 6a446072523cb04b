#pragma once

// An OpenAI Chat Completions request rewritten as an Anthropic Messages
// request (model and stream are set by RequestTranslator).
//
// Mapped: system and developer messages → top-level "system" (joined with a
// blank line, wherever they stood); user text and image_url parts → text and
// image blocks (data: URLs → base64 source, http(s) → url source); assistant
// tool_calls → tool_use blocks (arguments parsed into "input"); "tool"
// messages → tool_result blocks in a user message; consecutive messages of
// one role merged, as Anthropic wants roles to alternate; max_completion_tokens
// or max_tokens → max_tokens (4096 when absent: Anthropic requires it);
// stop → stop_sequences; temperature clamped from OpenAI's 0..2 to 0..1;
// top_p (left out when 1, its default); tools and tool_choice;
// parallel_tool_calls = false → disable_parallel_tool_use; user →
// metadata.user_id; cache_control on a text part is kept (OpenRouter's
// convention for Anthropic models).
//
// Refused with a 400 naming the field: n > 1, logprobs, top_logprobs,
// response_format other than "text" (json_object and json_schema included:
// Anthropic has no JSON mode, and a prompt-level imitation would fail
// silently), audio and non-text modalities, non-zero frequency_penalty or
// presence_penalty, logit_bias, reasoning_effort, verbosity, prediction,
// web_search_options, the legacy functions/function_call and "function"
// messages, input_audio and file parts, custom (non-function) tools and tool
// calls, tool call arguments that are not a JSON object, image URLs that are
// neither http(s) nor base64 data URLs of a type Anthropic reads.
//
// Dropped: seed, store, metadata, service_tier, stream_options,
// prompt_cache_key, safety_identifier, message names, image detail.

#include "core/gatewayerror.h"

#include <QJsonObject>
#include <optional>

namespace OpenAiToAnthropicRequest {

std::optional<QJsonObject> translate(const QJsonObject &body, GatewayError *error);

} // namespace OpenAiToAnthropicRequest
