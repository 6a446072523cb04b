#pragma once

// StreamAssembler for Anthropic Messages streams: message_start gives the
// message shell, each content block is rebuilt from its content_block_start
// and the deltas for its index (text, tool input JSON, thinking and its
// signature, citations), and message_delta sets the stop reason and updates
// the usage, whose counts are running totals (the latest value of each field
// wins).

#include "streamassembler.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>

class AnthropicStreamAssembler : public StreamAssembler
{
public:
    void add(const SseEvent &event) override;
    bool complete() const override;
    QByteArray body() const override;

private:
    struct Block
    {
        QJsonObject start;   // the content_block of content_block_start
        QString text;
        QString thinking;
        QString signature;
        QString partialJson;
        QJsonArray citations;
        bool textSeen = false;
        bool thinkingSeen = false;
        bool signatureSeen = false;
        bool jsonSeen = false;
        bool citationsSeen = false;
    };

    void addDelta(int index, const QJsonObject &delta);
    void addMessageDelta(const QJsonObject &event);
    static QJsonObject blockOf(const Block &block);

    QJsonObject m_message;
    QMap<int, Block> m_blocks;
    bool m_stopped = false;
    bool m_error = false;
};
