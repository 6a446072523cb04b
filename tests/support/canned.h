#pragma once

// Realistic request and response bodies of the two APIs, byte for byte as
// the vendors send them (field order, "usage":null members, pings), with
// known usage figures including prompt caching, so tests can compare what
// the gateway forwards and meters against exact numbers.
//
//   fake.enqueue(FakeReply::sse(Canned::anthropicStream()));
//   ... QCOMPARE(record.cacheReadTokens, Canned::kAnthropicCacheRead);

#include <QByteArray>
#include <QList>

namespace Canned {

// OpenAI: prompt_tokens 1250 of which 1024 cached, completion_tokens 42.
inline constexpr qint64 kOpenAiPromptTokens = 1250;
inline constexpr qint64 kOpenAiCachedTokens = 1024;
inline constexpr qint64 kOpenAiCompletionTokens = 42;
// Anthropic: input 12 (uncached), cache write 300, cache read 2000, output 57.
inline constexpr qint64 kAnthropicInputTokens = 12;
inline constexpr qint64 kAnthropicCacheWrite = 300;
inline constexpr qint64 kAnthropicCacheRead = 2000;
inline constexpr qint64 kAnthropicOutputTokens = 57;

// Client request bodies (compact JSON, as SDKs send them).
QByteArray openAiRequest(const QByteArray &model = "gpt-4o-mini", bool stream = false, bool includeUsage = false);
QByteArray anthropicRequest(const QByteArray &model = "claude-sonnet-4-5", bool stream = false);
QByteArray countTokensRequest(const QByteArray &model = "claude-sonnet-4-5");
// A minimal body both endpoints accept (Anthropic needs max_tokens; OpenAI
// takes it): one user message with text.
QByteArray chatBody(const QByteArray &model, int maxTokens, bool stream, const QByteArray &text);

// Whole responses.
QByteArray openAiCompletion(const QByteArray &model = "gpt-4o-mini-2024-07-18");
QByteArray anthropicMessage(const QByteArray &model = "claude-sonnet-4-5-20250929");
QByteArray openAiError(const QByteArray &message, const QByteArray &type = "invalid_request_error",
                       const QByteArray &code = "invalid_value");
QByteArray anthropicError(const QByteArray &message, const QByteArray &type = "invalid_request_error");

// Streams, one SSE event per element (each ending in its blank line).
// withUsage: what OpenAI sends when stream_options.include_usage is true:
// "usage":null on every chunk and a last usage-only chunk before [DONE].
QList<QByteArray> openAiStream(bool withUsage, const QByteArray &model = "gpt-4o-mini-2024-07-18");
QList<QByteArray> anthropicStream(const QByteArray &model = "claude-sonnet-4-5-20250929");
// Index of the first content event, for cutting a stream after some text.
inline constexpr int kFirstContentEvent = 1;   // OpenAI: after the role chunk
inline constexpr int kAnthropicFirstDelta = 3; // after message_start, content_block_start, ping

// Mid-stream errors, as each vendor sends them.
QByteArray openAiStreamErrorEvent();
QByteArray anthropicStreamErrorEvent();

// A long stream: n content events (for pacing and concurrency tests).
QList<QByteArray> openAiLongStream(int contentEvents, bool withUsage);

QByteArray join(const QList<QByteArray> &events);
}
