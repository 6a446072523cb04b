#pragma once

// What a client sees in a translated stream, as a test can check it: whether
// Anthropic events follow the Messages stream grammar, whether OpenAI chunks
// form a well-formed chat.completion.chunk stream, and the content blocks,
// text and tool calls they add up to. Shared by the tests of the stream
// translators and of the pipeline that uses them.
//
//   QCOMPARE(StreamGrammar::anthropicOrderProblem(events), QString());
//   const auto view = StreamGrammar::openAiView(events);

#include "wire/sseevent.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace StreamGrammar {

using namespace Qt::StringLiterals;

inline QJsonObject eventJson(const SseEvent &e)
{
    return QJsonDocument::fromJson(e.data).object();
}

// Empty when the events follow Anthropic's grammar: message_start, then
// blocks opened in index order, one at a time, each filled with deltas of
// its kind and closed, then message_delta and message_stop, nothing after.
inline QString anthropicOrderProblem(const QList<SseEvent> &events)
{
    enum { Before, InMessage, Delta, Stopped } state = Before;
    int open = -1;
    int next = 0;
    QString openType;
    for (const SseEvent &e : events) {
        const QJsonObject o = eventJson(e);
        const QString type = o.value(u"type").toString();
        if (QString::fromUtf8(e.event) != type)
            return u"event line '"_s + QString::fromUtf8(e.event) + u"' differs from type "_s + type;
        if (state == Stopped)
            return type + u" after message_stop"_s;
        if (type == u"message_start") {
            if (state != Before)
                return u"second message_start"_s;
            state = InMessage;
            continue;
        }
        if (state == Before)
            return type + u" before message_start"_s;
        const int index = o.value(u"index").toInt(-1);
        if (type == u"ping")
            continue;
        if (type == u"content_block_start") {
            if (state != InMessage || open != -1 || index != next)
                return u"content_block_start "_s + QString::number(index) + u" out of order"_s;
            open = index;
            ++next;
            openType = o.value(u"content_block").toObject().value(u"type").toString();
        } else if (type == u"content_block_delta") {
            if (index != open)
                return u"delta for block "_s + QString::number(index) + u", which is not open"_s;
            const QString kind = o.value(u"delta").toObject().value(u"type").toString();
            if ((openType == u"text") != (kind == u"text_delta"))
                return kind + u" in a "_s + openType + u" block"_s;
        } else if (type == u"content_block_stop") {
            if (index != open)
                return u"stop for block "_s + QString::number(index) + u", which is not open"_s;
            open = -1;
        } else if (type == u"message_delta") {
            if (open != -1 || state != InMessage)
                return u"message_delta out of place"_s;
            state = Delta;
        } else if (type == u"message_stop") {
            if (state != Delta)
                return u"message_stop without message_delta"_s;
            state = Stopped;
        } else {
            return u"unexpected event "_s + type;
        }
    }
    return state == Stopped ? QString() : u"no message_stop"_s;
}

struct AnthropicBlock
{
    QString type;
    QString id;
    QString name;
    QString text;   // text, or the tool input's JSON
};

inline QList<AnthropicBlock> anthropicBlocks(const QList<SseEvent> &events)
{
    QList<AnthropicBlock> blocks;
    for (const SseEvent &e : events) {
        const QJsonObject o = eventJson(e);
        if (o.value(u"type") == QJsonValue(u"content_block_start"_s)) {
            const QJsonObject b = o.value(u"content_block").toObject();
            blocks.append({b.value(u"type").toString(), b.value(u"id").toString(), b.value(u"name").toString(),
                           b.value(u"text").toString()});
        } else if (o.value(u"type") == QJsonValue(u"content_block_delta"_s)) {
            const QJsonObject d = o.value(u"delta").toObject();
            blocks[o.value(u"index").toInt()].text += d.value(u"text").toString() + d.value(u"partial_json").toString();
        }
    }
    return blocks;
}

inline QJsonObject findEvent(const QList<SseEvent> &events, const QString &type)
{
    for (const SseEvent &e : events) {
        if (eventJson(e).value(u"type").toString() == type)
            return eventJson(e);
    }
    return {};
}

struct OpenAiCall
{
    QString id;
    QString type;
    QString name;
    QString arguments;
};

struct OpenAiView
{
    QString problem;   // empty: a well-formed chat.completion.chunk stream
    QString content;
    QMap<int, OpenAiCall> calls;
    QString finishReason;
    QString model;
    bool done = false;
};

inline OpenAiView openAiView(const QList<SseEvent> &events)
{
    OpenAiView v;
    QString id;
    qint64 created = -1;
    bool usageSeen = false;
    for (qsizetype i = 0; i < events.size(); ++i) {
        if (v.done) {
            v.problem = u"event after [DONE]"_s;
            return v;
        }
        if (events[i].data == "[DONE]") {
            v.done = true;
            continue;
        }
        const QJsonObject o = eventJson(events[i]);
        if (o.value(u"object").toString() != u"chat.completion.chunk") {
            v.problem = u"not a chunk: "_s + QString::fromUtf8(events[i].data);
            return v;
        }
        if (i == 0) {
            id = o.value(u"id").toString();
            created = o.value(u"created").toInteger();
            v.model = o.value(u"model").toString();
            const QJsonObject delta = o.value(u"choices")[0].toObject().value(u"delta").toObject();
            if (delta.value(u"role").toString() != u"assistant") {
                v.problem = u"first chunk does not give the role"_s;
                return v;
            }
        }
        if (o.value(u"id").toString() != id || o.value(u"created").toInteger() != created
            || o.value(u"model").toString() != v.model || !id.startsWith(u"chatcmpl-")) {
            v.problem = u"chunk id, created or model changes"_s;
            return v;
        }
        const QJsonArray choices = o.value(u"choices").toArray();
        if (choices.isEmpty()) {
            usageSeen = o.value(u"usage").isObject();
            continue;
        }
        if (usageSeen || !v.finishReason.isEmpty()) {
            v.problem = u"choice after the finish or the usage chunk"_s;
            return v;
        }
        const QJsonObject choice = choices.at(0).toObject();
        const QJsonObject delta = choice.value(u"delta").toObject();
        v.content += delta.value(u"content").toString();
        for (const QJsonValue &c : delta.value(u"tool_calls").toArray()) {
            const QJsonObject call = c.toObject();
            OpenAiCall &mine = v.calls[call.value(u"index").toInt(-1)];
            if (call.contains(u"id"))
                mine.id = call.value(u"id").toString();
            if (call.contains(u"type"))
                mine.type = call.value(u"type").toString();
            const QJsonObject function = call.value(u"function").toObject();
            mine.name += function.value(u"name").toString();
            mine.arguments += function.value(u"arguments").toString();
        }
        v.finishReason = choice.value(u"finish_reason").toString();
    }
    return v;
}

} // namespace StreamGrammar
