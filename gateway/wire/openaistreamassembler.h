#pragma once

// StreamAssembler for OpenAI Chat Completions streams: folds the deltas of
// the chat.completion.chunk events back into the chat.completion body a
// non-streaming call returns. Choices are kept apart by their "index", tool
// calls within a choice by theirs (a call's id, type and name come in its
// first delta, its arguments in pieces after it), and the usage is the one
// the include_usage chunk carried.

#include "streamassembler.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <optional>

class OpenAiStreamAssembler : public StreamAssembler
{
public:
    void add(const SseEvent &event) override;
    bool complete() const override;
    QByteArray body() const override;

private:
    struct ToolCall
    {
        QString id;
        QString type;
        QString name;
        QString arguments;
    };

    // A text field built from deltas; 'seen' tells "" from never sent.
    struct Text
    {
        QString text;
        bool seen = false;
        void append(const QJsonValue &piece);
    };

    struct Choice
    {
        QString role;
        Text content;
        Text refusal;
        Text reasoning;   // "reasoning_content", as DeepSeek-style providers stream it
        QMap<int, ToolCall> toolCalls;
        QJsonArray annotations;
        bool annotationsSeen = false;
        QJsonValue finishReason = QJsonValue::Null;
        // logprobs arrive per chunk; their "content"/"refusal" lists are concatenated.
        QJsonObject logprobs;
        bool logprobsSeen = false;
    };

    void addChoice(const QJsonObject &choice);
    static QJsonObject messageOf(const Choice &choice);

    // id, created, model, system_fingerprint, service_tier as the chunks named them.
    QJsonObject m_head;
    QMap<int, Choice> m_choices;
    std::optional<QJsonObject> m_usage;
    bool m_done = false;
    bool m_error = false;
};
