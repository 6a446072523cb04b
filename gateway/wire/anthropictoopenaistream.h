#pragma once

// Rewrites an Anthropic Messages event stream as OpenAI chat.completion.chunk
// events, for an OpenAI client served by an Anthropic-format provider.
//
// message_start gives the first chunk (delta {role: "assistant", content: ""});
// text_delta becomes content deltas; a tool_use block becomes a tool call
// (its own "index", id, name, arguments "") whose input_json_delta fragments
// follow as argument deltas; thinking blocks are left out. message_delta's
// stop_reason gives the finish chunk; message_stop gives the usage chunk
// (choices [], prompt_tokens counting cache reads and writes, cached_tokens
// the reads; left out after setIncludeUsage(false), for clients that did not
// ask for it) and "data: [DONE]". Every chunk of a stream shares one id,
// "created" and the provider's model name. An Anthropic "error" event
// becomes an OpenAI error chunk and ends the translation.
//
//   AnthropicToOpenAiStream translator(u"gpt-4o"_s);
//   out += translator.translate(event);   // for each provider event
//   out += translator.finish(true);

#include "core/tokenusage.h"
#include "streamtranslator.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>

class AnthropicToOpenAiStream final : public StreamTranslator
{
public:
    explicit AnthropicToOpenAiStream(const QString &clientModel);

    QByteArray translate(const SseEvent &event) override;
    QByteArray finish(bool complete) override;

private:
    QByteArray messageStart(const QJsonObject &message);
    QByteArray blockStart(const QJsonObject &event);
    QByteArray blockDelta(const QJsonObject &event);
    QByteArray messageDelta(const QJsonObject &event);
    QByteArray terminate();
    QByteArray error(const QJsonObject &event);

    QByteArray ensureStarted();
    QByteArray chunk(const QJsonObject &delta, const QJsonValue &finishReason = QJsonValue::Null) const;
    QByteArray finishChunk();
    void takeUsage(const QJsonObject &usage);

    QString m_clientModel;
    QString m_id;
    QString m_model;
    qint64 m_created = 0;
    bool m_started = false;
    bool m_finishSent = false;
    bool m_done = false;             // [DONE] sent, or an error ended the stream
    QString m_finishReason;
    QHash<int, int> m_toolIndex;     // Anthropic block index → OpenAI tool call index
    TokenUsage m_usage;
};
