// tollgate-test-links: tollgate_wire

// StreamTranslator turns a provider's stream into the stream the client's SDK
// expects. What a user notices: the events come in the order the client
// format requires (an SDK rejects anything else), text and tool-call
// arguments split over many deltas reassemble to the same text and valid
// JSON, the stop reason is the one the client acts on, the usage the gateway
// meters from the translated stream is the provider's usage, and a stream
// that broke off is never dressed up as a finished one.

#include "streamgrammar.h"
#include "wire/sseparser.h"
#include "wire/streammeter.h"
#include "wire/streamtranslator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace StreamGrammar;

char *toString(const TokenUsage &u)
{
    return QTest::toString(QByteArray("in=" + QByteArray::number(u.inputTokens) + " out="
                                      + QByteArray::number(u.outputTokens) + " cacheRead="
                                      + QByteArray::number(u.cacheReadTokens) + " cacheWrite="
                                      + QByteArray::number(u.cacheWriteTokens)));
}

// Declared before the test data: moc 6.4 loses its way in raw string
// literals holding quotes or apostrophes, and must see the class first.
class tst_StreamTranslator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openAiTextToAnthropic();
    void openAiToolCallsToAnthropic_data();
    void openAiToolCallsToAnthropic();
    void openAiStopWaitsForUsage();
    void openAiWithoutUsage();
    void openAiEndsWithoutDone();
    void openAiBrokenOff();
    void openAiErrorChunk();
    void anthropicTextToOpenAi_data();
    void anthropicTextToOpenAi();
    void anthropicToolUseToOpenAi_data();
    void anthropicToolUseToOpenAi();
    void anthropicUsageStrippedWhenNotAsked();
    void anthropicEndsWithoutMessageStop();
    void anthropicBrokenOff();
    void anthropicErrorEvent();
    void roundTrip();
    void sameFormatPassesThrough();
    void grammarChecksCanFail();
};

namespace {

// ---- helpers ----------------------------------------------------------------

QList<SseEvent> parse(const QByteArray &stream)
{
    QList<SseEvent> events;
    SseParser parser;
    parser.feed(stream, [&](const SseEvent &e) { events.append(e); });
    return events;
}

QByteArray translateAll(StreamTranslator &translator, const QByteArray &stream, bool complete = true)
{
    QByteArray out;
    for (const SseEvent &e : parse(stream))
        out += translator.translate(e);
    return out + translator.finish(complete);
}

QByteArray translateStream(WireFormat from, WireFormat to, const QByteArray &stream, bool complete = true)
{
    auto translator = StreamTranslator::create(from, to, u"client-model"_s);
    return translateAll(*translator, stream, complete);
}

TokenUsage meter(WireFormat format, const QByteArray &stream)
{
    auto m = StreamMeter::create(format);
    for (const SseEvent &e : parse(stream))
        m->filter(e);
    return m->usage();
}

QByteArray sse(const QJsonObject &o)
{
    return "data: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
}

QByteArray namedSse(const QJsonObject &o)
{
    return "event: " + o.value(u"type").toString().toUtf8() + "\n" + sse(o);
}

QStringList split(const QString &text, qsizetype size)
{
    QStringList pieces;
    for (qsizetype i = 0; i < text.size(); i += size)
        pieces.append(text.mid(i, size));
    return pieces;
}

const QString weatherArgs = uR"({"location": "San Francisco, CA", "unit": "celsius", "note": "say \"hi\" – ünïcode"})"_s;
const QString timeArgs = uR"({"timezone": "America/Los_Angeles"})"_s;

// ---- OpenAI provider streams (shaped as in OpenAI's streaming reference) ------

QByteArray openAiChunk(const QJsonObject &delta, const QJsonValue &finish = QJsonValue::Null)
{
    const QJsonObject choice{{u"index"_s, 0}, {u"delta"_s, delta}, {u"logprobs"_s, QJsonValue::Null},
                             {u"finish_reason"_s, finish}};
    return sse(QJsonObject{{u"id"_s, u"chatcmpl-9xKQ2bT7cR1mZ4nP0vL8sW3yE6hJ"_s},
                           {u"object"_s, u"chat.completion.chunk"_s}, {u"created"_s, 1723542000},
                           {u"model"_s, u"gpt-4o-mini-2024-07-18"_s}, {u"system_fingerprint"_s, u"fp_44709d6fcb"_s},
                           {u"choices"_s, QJsonArray{choice}}, {u"usage"_s, QJsonValue::Null}});
}

QByteArray openAiUsage(qint64 prompt, qint64 completion, qint64 cached)
{
    return sse(QJsonObject{
            {u"id"_s, u"chatcmpl-9xKQ2bT7cR1mZ4nP0vL8sW3yE6hJ"_s}, {u"object"_s, u"chat.completion.chunk"_s},
            {u"created"_s, 1723542000}, {u"model"_s, u"gpt-4o-mini-2024-07-18"_s}, {u"choices"_s, QJsonArray()},
            {u"usage"_s, QJsonObject{{u"prompt_tokens"_s, prompt}, {u"completion_tokens"_s, completion},
                                     {u"total_tokens"_s, prompt + completion},
                                     {u"prompt_tokens_details"_s, QJsonObject{{u"cached_tokens"_s, cached}}}}}});
}

const QByteArray done = "data: [DONE]\n\n";

QByteArray openAiTextBody()
{
    QByteArray s = openAiChunk({{u"role"_s, u"assistant"_s}, {u"content"_s, u""_s}, {u"refusal"_s, QJsonValue::Null}});
    for (const QString &piece : {u"Hello"_s, u"!"_s, u" How can"_s, u" I help"_s, u" you today?"_s})
        s += openAiChunk({{u"content"_s, piece}});
    return s + openAiChunk({}, u"stop"_s);
}

QByteArray openAiToolBody(qsizetype fragment)
{
    QByteArray s = openAiChunk({{u"role"_s, u"assistant"_s}, {u"content"_s, QJsonValue::Null}});
    const QList<std::pair<QString, QString>> calls{{u"get_weather"_s, weatherArgs}, {u"get_time"_s, timeArgs}};
    for (int i = 0; i < calls.size(); ++i) {
        const QJsonObject first{{u"index"_s, i}, {u"id"_s, QString(u"call_"_s + QString::number(i) + u"abc"_s)},
                                {u"type"_s, u"function"_s},
                                {u"function"_s, QJsonObject{{u"name"_s, calls[i].first}, {u"arguments"_s, u""_s}}}};
        s += openAiChunk({{u"tool_calls"_s, QJsonArray{first}}});
        for (const QString &piece : split(calls[i].second, fragment)) {
            const QJsonObject more{{u"index"_s, i}, {u"function"_s, QJsonObject{{u"arguments"_s, piece}}}};
            s += openAiChunk({{u"tool_calls"_s, QJsonArray{more}}});
        }
    }
    return s + openAiChunk({}, u"tool_calls"_s);
}

// ---- Anthropic provider streams (shaped as in Anthropic's streaming guide) ----

QByteArray anthropicStart(const QJsonObject &usage)
{
    return namedSse({{u"type"_s, u"message_start"_s},
                     {u"message"_s, QJsonObject{{u"id"_s, u"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY"_s},
                                                {u"type"_s, u"message"_s}, {u"role"_s, u"assistant"_s},
                                                {u"content"_s, QJsonArray()},
                                                {u"model"_s, u"claude-sonnet-4-5-20250929"_s},
                                                {u"stop_reason"_s, QJsonValue::Null},
                                                {u"stop_sequence"_s, QJsonValue::Null}, {u"usage"_s, usage}}}});
}

QByteArray anthropicBlockStart(int index, const QJsonObject &block)
{
    return namedSse({{u"type"_s, u"content_block_start"_s}, {u"index"_s, index}, {u"content_block"_s, block}});
}

QByteArray anthropicDelta(int index, const QJsonObject &delta)
{
    return namedSse({{u"type"_s, u"content_block_delta"_s}, {u"index"_s, index}, {u"delta"_s, delta}});
}

QByteArray anthropicBlockStop(int index)
{
    return namedSse({{u"type"_s, u"content_block_stop"_s}, {u"index"_s, index}});
}

QByteArray anthropicEnd(const QString &stopReason, const QJsonObject &usage, bool withStop = true)
{
    QByteArray s = namedSse({{u"type"_s, u"message_delta"_s},
                             {u"delta"_s, QJsonObject{{u"stop_reason"_s, stopReason},
                                                      {u"stop_sequence"_s, QJsonValue::Null}}},
                             {u"usage"_s, usage}});
    return withStop ? s + namedSse({{u"type"_s, u"message_stop"_s}}) : s;
}

QByteArray anthropicTextBody(const QJsonObject &startUsage)
{
    QByteArray s = anthropicStart(startUsage);
    s += anthropicBlockStart(0, {{u"type"_s, u"text"_s}, {u"text"_s, u""_s}});
    s += namedSse({{u"type"_s, u"ping"_s}});
    for (const QString &piece : {u"Hello"_s, u"!"_s, u" How can"_s, u" I help"_s, u" you today?"_s})
        s += anthropicDelta(0, {{u"type"_s, u"text_delta"_s}, {u"text"_s, piece}});
    return s + anthropicBlockStop(0);
}

QByteArray anthropicToolBody(qsizetype fragment)
{
    QByteArray s = anthropicStart({{u"input_tokens"_s, 472}, {u"output_tokens"_s, 2}});
    s += anthropicBlockStart(0, {{u"type"_s, u"thinking"_s}, {u"thinking"_s, u""_s}});
    s += anthropicDelta(0, {{u"type"_s, u"thinking_delta"_s}, {u"thinking"_s, u"Two tools are needed."_s}});
    s += anthropicDelta(0, {{u"type"_s, u"signature_delta"_s}, {u"signature"_s, u"EqQBCgIYAhIM"_s}});
    s += anthropicBlockStop(0);
    s += anthropicBlockStart(1, {{u"type"_s, u"text"_s}, {u"text"_s, u""_s}});
    s += anthropicDelta(1, {{u"type"_s, u"text_delta"_s}, {u"text"_s, u"Let me check."_s}});
    s += anthropicBlockStop(1);
    const QList<std::pair<QString, QString>> calls{{u"get_weather"_s, weatherArgs}, {u"get_time"_s, timeArgs}};
    for (int i = 0; i < calls.size(); ++i) {
        const int index = 2 + i;
        s += anthropicBlockStart(index, {{u"type"_s, u"tool_use"_s},
                                         {u"id"_s, QString(u"toolu_01T1x1fJ34qAmk2tNTrN7Up"_s + QString::number(i))},
                                         {u"name"_s, calls[i].first}, {u"input"_s, QJsonObject()}});
        s += anthropicDelta(index, {{u"type"_s, u"input_json_delta"_s}, {u"partial_json"_s, u""_s}});
        for (const QString &piece : split(calls[i].second, fragment))
            s += anthropicDelta(index, {{u"type"_s, u"input_json_delta"_s}, {u"partial_json"_s, piece}});
        s += anthropicBlockStop(index);
    }
    return s + anthropicEnd(u"tool_use"_s, {{u"output_tokens"_s, 89}});
}

QJsonObject parseObject(const QString &json)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return QJsonObject{{u"<invalid JSON>"_s, json}};
    return doc.object();
}

TokenUsage tokens(qint64 in, qint64 out, qint64 cacheRead, qint64 cacheWrite)
{
    TokenUsage u;
    u.inputTokens = in;
    u.outputTokens = out;
    u.cacheReadTokens = cacheRead;
    u.cacheWriteTokens = cacheWrite;
    return u;
}

} // namespace

// ---- OpenAI provider, Anthropic client ----------------------------------------------

void tst_StreamTranslator::openAiTextToAnthropic()
{
    const QByteArray provider = openAiTextBody() + openAiUsage(2006, 12, 1920) + done;
    const QList<SseEvent> events = parse(translateStream(WireFormat::OpenAI, WireFormat::Anthropic, provider));
    QCOMPARE(anthropicOrderProblem(events), QString());

    const QList<AnthropicBlock> blocks = anthropicBlocks(events);
    QCOMPARE(blocks.size(), 1);
    QCOMPARE(blocks[0].type, u"text"_s);
    QCOMPARE(blocks[0].text, u"Hello! How can I help you today?"_s);

    const QJsonObject message = findEvent(events, u"message_start"_s).value(u"message").toObject();
    QCOMPARE(message.value(u"model").toString(), u"gpt-4o-mini-2024-07-18"_s);
    QVERIFY(message.value(u"id").toString().startsWith(u"msg_"));
    QCOMPARE(message.value(u"role").toString(), u"assistant"_s);
    QCOMPARE(findEvent(events, u"message_delta"_s).value(u"delta")[u"stop_reason"].toString(), u"end_turn"_s);

    // Metered from the client's stream, the call costs what the provider said.
    const TokenUsage providerUsage = meter(WireFormat::OpenAI, provider);
    QCOMPARE(providerUsage, tokens(86, 12, 1920, 0));
    QCOMPARE(meter(WireFormat::Anthropic, translateStream(WireFormat::OpenAI, WireFormat::Anthropic, provider)),
             providerUsage);
}

void tst_StreamTranslator::openAiToolCallsToAnthropic_data()
{
    QTest::addColumn<qsizetype>("fragment");
    QTest::newRow("1 character per delta") << qsizetype(1);
    QTest::newRow("3 characters") << qsizetype(3);
    QTest::newRow("7 characters") << qsizetype(7);
    QTest::newRow("whole arguments") << qsizetype(1000);
}

void tst_StreamTranslator::openAiToolCallsToAnthropic()
{
    QFETCH(qsizetype, fragment);
    const QByteArray provider = openAiToolBody(fragment) + openAiUsage(300, 40, 0) + done;
    const QList<SseEvent> events = parse(translateStream(WireFormat::OpenAI, WireFormat::Anthropic, provider));
    QCOMPARE(anthropicOrderProblem(events), QString());

    const QList<AnthropicBlock> blocks = anthropicBlocks(events);
    QCOMPARE(blocks.size(), 2);
    QCOMPARE(blocks[0].type, u"tool_use"_s);
    QCOMPARE(blocks[0].id, u"call_0abc"_s);
    QCOMPARE(blocks[0].name, u"get_weather"_s);
    QCOMPARE(parseObject(blocks[0].text), parseObject(weatherArgs));
    QCOMPARE(blocks[1].id, u"call_1abc"_s);
    QCOMPARE(blocks[1].name, u"get_time"_s);
    QCOMPARE(parseObject(blocks[1].text), parseObject(timeArgs));
    QCOMPARE(findEvent(events, u"message_delta"_s).value(u"delta")[u"stop_reason"].toString(), u"tool_use"_s);
    QCOMPARE(meter(WireFormat::Anthropic, translateStream(WireFormat::OpenAI, WireFormat::Anthropic, provider)),
             tokens(300, 40, 0, 0));
}

void tst_StreamTranslator::openAiStopWaitsForUsage()
{
    // OpenAI sends usage after finish_reason; Anthropic wants both in one
    // message_delta, so the translator holds it until the usage chunk.
    auto translator = StreamTranslator::create(WireFormat::OpenAI, WireFormat::Anthropic, u"claude"_s);
    QByteArray before;
    for (const SseEvent &e : parse(openAiTextBody()))
        before += translator->translate(e);
    QVERIFY(!before.contains("message_delta"));
    QVERIFY(before.contains("content_block_stop") || before.contains("text_delta"));

    const QByteArray usage = translator->translate(parse(openAiUsage(50, 9, 0)).first());
    const QList<SseEvent> tail = parse(usage);
    QVERIFY(tail.size() >= 2);
    QCOMPARE(eventJson(tail[tail.size() - 2]).value(u"type").toString(), u"message_delta"_s);
    QCOMPARE(eventJson(tail[tail.size() - 2]).value(u"usage")[u"input_tokens"].toInteger(), 50);
    QCOMPARE(eventJson(tail.last()).value(u"type").toString(), u"message_stop"_s);
    QVERIFY(translator->translate(parse(done).first()).isEmpty());
    QVERIFY(translator->finish(true).isEmpty());
    QCOMPARE(anthropicOrderProblem(parse(before + usage)), QString());
}

void tst_StreamTranslator::openAiWithoutUsage()
{
    // An OpenAI-compatible server that ignores include_usage.
    const QByteArray client = translateStream(WireFormat::OpenAI, WireFormat::Anthropic, openAiTextBody() + done);
    const QList<SseEvent> events = parse(client);
    QCOMPARE(anthropicOrderProblem(events), QString());
    // An estimate from the text, as the gateway's meter would make.
    QCOMPARE(findEvent(events, u"message_delta"_s).value(u"usage")[u"output_tokens"].toInteger(), (32 + 3) / 4);
}

void tst_StreamTranslator::openAiEndsWithoutDone()
{
    const QByteArray client = translateStream(WireFormat::OpenAI, WireFormat::Anthropic, openAiTextBody(), true);
    QCOMPARE(anthropicOrderProblem(parse(client)), QString());
}

void tst_StreamTranslator::openAiBrokenOff()
{
    QByteArray partial = openAiChunk({{u"role"_s, u"assistant"_s}, {u"content"_s, u""_s}});
    partial += openAiChunk({{u"content"_s, u"Hello"_s}});
    const QByteArray client = translateStream(WireFormat::OpenAI, WireFormat::Anthropic, partial, false);
    QVERIFY(client.contains("Hello"));
    QVERIFY(!client.contains("message_delta"));
    QVERIFY(!client.contains("message_stop"));
    QVERIFY(!client.contains("end_turn"));
}

void tst_StreamTranslator::openAiErrorChunk()
{
    QByteArray provider = openAiChunk({{u"role"_s, u"assistant"_s}, {u"content"_s, u""_s}});
    provider += sse(QJsonObject{{u"error"_s, QJsonObject{{u"message"_s, u"The server had an error while processing your request."_s},
                                                        {u"type"_s, u"server_error"_s}, {u"param"_s, QJsonValue::Null},
                                                        {u"code"_s, QJsonValue::Null}}}});
    const QList<SseEvent> events = parse(translateStream(WireFormat::OpenAI, WireFormat::Anthropic, provider, true));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.last().event, QByteArray("error"));
    const QJsonObject error = eventJson(events.last());
    QCOMPARE(error.value(u"type").toString(), u"error"_s);
    QCOMPARE(error.value(u"error")[u"type"].toString(), u"api_error"_s);
    QCOMPARE(error.value(u"error")[u"message"].toString(), u"The server had an error while processing your request."_s);
    auto m = StreamMeter::create(WireFormat::Anthropic);
    for (const SseEvent &e : events)
        m->filter(e);
    QVERIFY(m->errorSeen());
    QVERIFY(!m->completed());
}

// ---- Anthropic provider, OpenAI client ----------------------------------------------

void tst_StreamTranslator::anthropicTextToOpenAi_data()
{
    QTest::addColumn<QByteArray>("startUsage");
    QTest::addColumn<QByteArray>("endUsage");
    QTest::newRow("plain") << QByteArray(R"({"input_tokens": 25, "output_tokens": 1})")
                           << QByteArray(R"({"output_tokens": 15})");
    QTest::newRow("cache read") << QByteArray(R"({"input_tokens": 21, "cache_creation_input_tokens": 0,
                                              "cache_read_input_tokens": 188086, "output_tokens": 1})")
                                << QByteArray(R"({"input_tokens": 21, "cache_creation_input_tokens": 0,
                                              "cache_read_input_tokens": 188086, "output_tokens": 393})");
    QTest::newRow("cache write") << QByteArray(R"({"input_tokens": 3, "cache_creation_input_tokens": 1800,
                                               "cache_read_input_tokens": 0, "output_tokens": 1})")
                                 << QByteArray(R"({"output_tokens": 42})");
}

void tst_StreamTranslator::anthropicTextToOpenAi()
{
    QFETCH(QByteArray, startUsage);
    QFETCH(QByteArray, endUsage);
    const QByteArray provider = anthropicTextBody(QJsonDocument::fromJson(startUsage).object())
        + anthropicEnd(u"end_turn"_s, QJsonDocument::fromJson(endUsage).object());
    const QByteArray client = translateStream(WireFormat::Anthropic, WireFormat::OpenAI, provider);
    const QList<SseEvent> events = parse(client);
    const OpenAiView view = openAiView(events);
    QCOMPARE(view.problem, QString());
    QVERIFY(view.done);
    QCOMPARE(view.content, u"Hello! How can I help you today?"_s);
    QCOMPARE(view.finishReason, u"stop"_s);
    QCOMPARE(view.model, u"claude-sonnet-4-5-20250929"_s);
    QCOMPARE(eventJson(events.first()).value(u"choices")[0].toObject().value(u"delta").toObject(),
             (QJsonObject{{u"role"_s, u"assistant"_s}, {u"content"_s, u""_s}}));

    const TokenUsage providerUsage = meter(WireFormat::Anthropic, provider);
    const TokenUsage clientUsage = meter(WireFormat::OpenAI, client);
    QCOMPARE(clientUsage.outputTokens, providerUsage.outputTokens);
    QCOMPARE(clientUsage.cacheReadTokens, providerUsage.cacheReadTokens);
    QCOMPARE(clientUsage.total(), providerUsage.total());
    if (providerUsage.cacheWriteTokens == 0)
        QCOMPARE(clientUsage, providerUsage);
}

void tst_StreamTranslator::anthropicToolUseToOpenAi_data()
{
    openAiToolCallsToAnthropic_data();
}

void tst_StreamTranslator::anthropicToolUseToOpenAi()
{
    QFETCH(qsizetype, fragment);
    const QByteArray client = translateStream(WireFormat::Anthropic, WireFormat::OpenAI, anthropicToolBody(fragment));
    const QList<SseEvent> events = parse(client);
    const OpenAiView view = openAiView(events);
    QCOMPARE(view.problem, QString());
    QCOMPARE(view.content, u"Let me check."_s);   // the thinking stays out
    QCOMPARE(view.calls.keys(), (QList<int>{0, 1}));
    QCOMPARE(view.calls[0].id, u"toolu_01T1x1fJ34qAmk2tNTrN7Up0"_s);
    QCOMPARE(view.calls[0].type, u"function"_s);
    QCOMPARE(view.calls[0].name, u"get_weather"_s);
    QCOMPARE(parseObject(view.calls[0].arguments), parseObject(weatherArgs));
    QCOMPARE(view.calls[1].name, u"get_time"_s);
    QCOMPARE(parseObject(view.calls[1].arguments), parseObject(timeArgs));
    QCOMPARE(view.finishReason, u"tool_calls"_s);
    QCOMPARE(meter(WireFormat::OpenAI, client), tokens(472, 89, 0, 0));
}

void tst_StreamTranslator::anthropicUsageStrippedWhenNotAsked()
{
    // A client that did not ask for include_usage gets no usage chunk once
    // the gateway's stripping meter has passed over the translated stream.
    const QByteArray provider = anthropicTextBody({{u"input_tokens"_s, 25}, {u"output_tokens"_s, 1}})
        + anthropicEnd(u"end_turn"_s, {{u"output_tokens"_s, 15}});
    auto m = StreamMeter::create(WireFormat::OpenAI);
    m->setStripUsage(true);
    QByteArray forwarded;
    for (const SseEvent &e : parse(translateStream(WireFormat::Anthropic, WireFormat::OpenAI, provider)))
        forwarded += m->filter(e);
    QVERIFY(!forwarded.contains("\"usage\""));
    QVERIFY(forwarded.endsWith("data: [DONE]\n\n"));
    QCOMPARE(m->usage(), tokens(25, 15, 0, 0));
    QVERIFY(m->completed());

    // Or the translator leaves the usage chunk out itself.
    auto translator = StreamTranslator::create(WireFormat::Anthropic, WireFormat::OpenAI, u"gpt"_s);
    translator->setIncludeUsage(false);
    const QByteArray client = translateAll(*translator, provider);
    QVERIFY(!client.contains("\"usage\""));
    const OpenAiView view = openAiView(parse(client));
    QCOMPARE(view.problem, QString());
    QVERIFY(view.done);
    QCOMPARE(view.finishReason, u"stop"_s);
}

void tst_StreamTranslator::anthropicEndsWithoutMessageStop()
{
    const QByteArray provider = anthropicTextBody({{u"input_tokens"_s, 25}, {u"output_tokens"_s, 1}})
        + anthropicEnd(u"max_tokens"_s, {{u"output_tokens"_s, 15}}, false);
    const QList<SseEvent> events = parse(translateStream(WireFormat::Anthropic, WireFormat::OpenAI, provider, true));
    const OpenAiView view = openAiView(events);
    QCOMPARE(view.problem, QString());
    QVERIFY(view.done);
    QCOMPARE(view.finishReason, u"length"_s);
}

void tst_StreamTranslator::anthropicBrokenOff()
{
    const QByteArray provider = anthropicTextBody({{u"input_tokens"_s, 25}, {u"output_tokens"_s, 1}});
    const QByteArray client = translateStream(WireFormat::Anthropic, WireFormat::OpenAI, provider, false);
    const OpenAiView view = openAiView(parse(client));
    QCOMPARE(view.problem, QString());
    QCOMPARE(view.content, u"Hello! How can I help you today?"_s);
    QVERIFY(!view.done);
    QVERIFY(view.finishReason.isEmpty());
}

void tst_StreamTranslator::anthropicErrorEvent()
{
    QByteArray provider = anthropicTextBody({{u"input_tokens"_s, 25}, {u"output_tokens"_s, 1}});
    provider += "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
                "\"message\": \"Overloaded\"}}\n\n";
    const QList<SseEvent> events = parse(translateStream(WireFormat::Anthropic, WireFormat::OpenAI, provider, true));
    const QJsonObject error = eventJson(events.last()).value(u"error").toObject();
    QCOMPARE(error.value(u"message").toString(), u"Overloaded"_s);
    QCOMPARE(error.value(u"type").toString(), u"api_error"_s);
    for (const SseEvent &e : events)
        QVERIFY(e.data != "[DONE]");
    auto m = StreamMeter::create(WireFormat::OpenAI);
    for (const SseEvent &e : events)
        m->filter(e);
    QVERIFY(m->errorSeen());
}

void tst_StreamTranslator::roundTrip()
{
    const QByteArray provider = openAiToolBody(4) + openAiUsage(1200, 77, 1024) + done;
    const QByteArray anthropic = translateStream(WireFormat::OpenAI, WireFormat::Anthropic, provider);
    const QByteArray back = translateStream(WireFormat::Anthropic, WireFormat::OpenAI, anthropic);
    const OpenAiView view = openAiView(parse(back));
    QCOMPARE(view.problem, QString());
    QCOMPARE(view.model, u"gpt-4o-mini-2024-07-18"_s);
    QCOMPARE(view.calls.size(), 2);
    QCOMPARE(view.calls[0].id, u"call_0abc"_s);
    QCOMPARE(parseObject(view.calls[0].arguments), parseObject(weatherArgs));
    QCOMPARE(parseObject(view.calls[1].arguments), parseObject(timeArgs));
    QCOMPARE(view.finishReason, u"tool_calls"_s);
    QCOMPARE(meter(WireFormat::OpenAI, back), meter(WireFormat::OpenAI, provider));
}

void tst_StreamTranslator::sameFormatPassesThrough()
{
    const QByteArray provider = openAiTextBody() + done;
    QCOMPARE(translateStream(WireFormat::OpenAI, WireFormat::OpenAI, provider), provider);
}

void tst_StreamTranslator::grammarChecksCanFail()
{
    // The checks above are only worth something if they reject bad streams.
    const QByteArray start = anthropicStart({{u"input_tokens"_s, 1}, {u"output_tokens"_s, 1}});
    const QByteArray open = anthropicBlockStart(0, {{u"type"_s, u"text"_s}, {u"text"_s, u""_s}});
    const QByteArray text = anthropicDelta(0, {{u"type"_s, u"text_delta"_s}, {u"text"_s, u"Hi"_s}});
    const QByteArray end = anthropicEnd(u"end_turn"_s, {{u"output_tokens"_s, 1}});
    QCOMPARE(anthropicOrderProblem(parse(start + open + text + anthropicBlockStop(0) + end)), QString());
    QVERIFY(!anthropicOrderProblem(parse(start + open + text + end)).isEmpty());            // block left open
    QVERIFY(!anthropicOrderProblem(parse(open + start + text + anthropicBlockStop(0) + end)).isEmpty());
    QVERIFY(!anthropicOrderProblem(parse(start + text + end)).isEmpty());                   // delta, no block
    QVERIFY(!anthropicOrderProblem(parse(start + open + anthropicBlockStop(0))).isEmpty());  // no message_stop

    const QByteArray good = translateStream(WireFormat::Anthropic, WireFormat::OpenAI,
                                            start + open + text + anthropicBlockStop(0) + end);
    QCOMPARE(openAiView(parse(good)).problem, QString());
    QVERIFY(!openAiView(parse(good + openAiChunk({{u"content"_s, u"late"_s}}))).problem.isEmpty());
    QVERIFY(!openAiView(parse(openAiChunk({{u"content"_s, u"x"_s}}))).problem.isEmpty());   // no role first
    QVERIFY(!openAiView(parse(good.first(good.indexOf("data: ", 10)) + openAiChunk({{u"content"_s, u"x"_s}})))
                     .problem.isEmpty());   // another stream's id
}

QTEST_GUILESS_MAIN(tst_StreamTranslator)
#include "tst_streamtranslator.moc"
