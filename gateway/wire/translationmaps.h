#pragma once

// The small vocabularies that OpenAI's Chat Completions API and Anthropic's
// Messages API name differently, in one place so the request, response and
// stream translators agree: stop reasons, error types, usage objects, tool
// call ids, message ids and the framing of one SSE event in each format.
//
//   const QString reason = TranslationMaps::anthropicStopReason(u"length"_s);  // "max_tokens"
//   out += TranslationMaps::anthropicEvent(messageStop);   // "event: message_stop\ndata: {…}\n\n"

#include "core/tokenusage.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace TranslationMaps {

// OpenAI finish_reason → Anthropic stop_reason. 'toolCalls' says whether the
// turn produced tool calls: some OpenAI-compatible servers (Ollama) finish a
// tool-calling turn with "stop", and an Anthropic client only runs tools on
// "tool_use".
QString anthropicStopReason(const QString &finishReason, bool toolCalls = false);
// Anthropic stop_reason → OpenAI finish_reason.
QString openAiFinishReason(const QString &stopReason);

// Error types, from the HTTP status when there is one (SDKs decide on the
// status), otherwise from the other side's own type name.
QString anthropicErrorType(int status, const QString &openAiType, const QString &openAiCode = {});
QString openAiErrorType(int status, const QString &anthropicType);

// Anthropic's usage object: input_tokens excludes cache reads and writes.
QJsonObject anthropicUsage(const TokenUsage &usage);
// OpenAI's usage object: prompt_tokens includes every input token, cache
// reads repeated in prompt_tokens_details.cached_tokens. OpenAI has no name
// for cache writes; they count as ordinary prompt tokens.
QJsonObject openAiUsage(const TokenUsage &usage);

// A tool call id Anthropic accepts (^[a-zA-Z0-9_-]+$): other characters
// become '_', an empty id is left empty for the caller to fill.
QString anthropicToolId(const QString &id);

// Message and completion ids in the other format's style ("msg_…" ↔
// "chatcmpl-…"), or a fresh one when the provider gave none.
QString anthropicMessageId(const QString &openAiId);
QString openAiCompletionId(const QString &anthropicId);

// One complete SSE event: Anthropic's names its type on an "event:" line.
QByteArray anthropicEvent(const QJsonObject &data);
QByteArray openAiEvent(const QJsonObject &data);
QByteArray openAiDone();

QByteArray compact(const QJsonObject &object);

} // namespace TranslationMaps
