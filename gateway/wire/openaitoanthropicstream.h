#pragma once

// Rewrites an OpenAI chat.completion.chunk stream as Anthropic Messages
// stream events, for an Anthropic client served by an OpenAI-format
// provider.
//
// The first chunk opens the message (message_start, usage unknown yet: 0);
// text deltas fill a text block, each tool call (by its "index") gets its own
// tool_use block, opened once its name is known, its argument fragments sent
// as input_json_delta. A block closes when the next one opens or the choice
// finishes. OpenAI reports usage in a chunk after the one with
// finish_reason, while Anthropic's message_delta carries stop reason and
// usage together, so message_delta and message_stop wait for the usage
// chunk (or [DONE], or the end of the stream). A provider error chunk
// becomes an Anthropic "error" event and ends the translation.
//
//   OpenAiToAnthropicStream translator(u"claude-sonnet-4-5"_s);
//   out += translator.translate(event);   // for each provider event
//   out += translator.finish(true);

#include "core/tokenusage.h"
#include "streamtranslator.h"

#include <QJsonObject>
#include <QMap>

class OpenAiToAnthropicStream final : public StreamTranslator
{
public:
    explicit OpenAiToAnthropicStream(const QString &clientModel);

    QByteArray translate(const SseEvent &event) override;
    QByteArray finish(bool complete) override;

private:
    struct ToolCall
    {
        int block = -1;          // Anthropic content block index, -1 until opened
        QString id;
        QString name;
        QString heldArguments;   // fragments that came before the name
    };

    QByteArray start(const QJsonObject &chunk);
    QByteArray text(const QString &text);
    QByteArray toolCallDelta(const QJsonObject &call, int position);
    QByteArray openTool(int openAiIndex, ToolCall &call);
    QByteArray closeBlock();
    QByteArray terminate();
    QByteArray error(const QJsonObject &error);

    QString m_clientModel;
    QString m_id;
    QString m_model;
    bool m_started = false;
    bool m_done = false;       // message_stop sent, or an error ended the stream
    bool m_finishSeen = false;
    bool m_usageSeen = false;
    bool m_refusal = false;    // the model refused (delta.refusal)
    int m_nextBlock = 0;
    int m_openBlock = -1;
    bool m_openIsText = false;
    QMap<int, ToolCall> m_tools;   // by OpenAI tool call index
    int m_lastTool = -1;
    QString m_finishReason;
    TokenUsage m_usage;
    qint64 m_outputChars = 0;
};
