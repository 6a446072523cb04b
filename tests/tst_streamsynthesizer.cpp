// tollgate-test-links: tollgate_wire

// StreamSynthesizer answers a streaming request from the response cache. A
// client must not be able to tell the difference from the provider: the
// events must reassemble into the very body that was cached (text byte for
// byte, tool arguments exactly), arrive as many small events, carry usage
// where each format puts it and end properly.

#include "wire/sseparser.h"
#include "wire/streamassembler.h"
#include "wire/streammeter.h"
#include "wire/streamsynthesizer.h"
#include "wire/usageparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

// Declared ahead of the fixtures: moc (6.4) does not understand raw string
// literals and loses its place after one holding an odd number of quotes.
class tst_StreamSynthesizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void eachElementIsOneEvent_data();
    void eachElementIsOneEvent();
    void meterSeesBodyUsage_data();
    void meterSeesBodyUsage();
    void longTextStreamsInManyEvents_data();
    void longTextStreamsInManyEvents();

    void openAiChunkShape();
    void openAiWithoutUsage();
    void openAiToolCallDeltas();
    void anthropicEventShape();
    void anthropicThinkingAndToolInput();
    void invalidBodyGivesNoEvents();
};

Q_DECLARE_METATYPE(WireFormat)

char *toString(const TokenUsage &u)
{
    return QTest::toString(QByteArray("in=" + QByteArray::number(u.inputTokens)
                                      + " out=" + QByteArray::number(u.outputTokens)
                                      + " cacheRead=" + QByteArray::number(u.cacheReadTokens)
                                      + " cacheWrite=" + QByteArray::number(u.cacheWriteTokens)));
}

namespace {

// ---- Bodies, as the providers return them ---------------------------------

const QByteArray openAiUsage =
        R"({"prompt_tokens":1523,"completion_tokens":212,"total_tokens":1735,)"
        R"("prompt_tokens_details":{"cached_tokens":1280,"audio_tokens":0},)"
        R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,)"
        R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})";

QByteArray openAiBody(const QByteArray &message, const QByteArray &finishReason)
{
    return R"({"id":"chatcmpl-AqK7pX2vN9mR4tY1wB8cE5fH3jL6","object":"chat.completion",)"
           R"("created":1737052800,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":)"
            + message + R"(,"logprobs":null,"finish_reason":")" + finishReason
            + R"("}],"usage":)" + openAiUsage
            + R"(,"service_tier":"default","system_fingerprint":"fp_2a322c9ffc"})";
}

const QByteArray openAiText = openAiBody(
        R"({"role":"assistant","content":"The capital of France is Paris. It sits on the Seine and )"
        R"(has been the seat of government for most of the last thousand years.","refusal":null,)"
        R"("annotations":[]})",
        "stop");

// Markdown with paragraphs, a list, an indented code block, tabs, a leading
// space, a trailing newline, escapes, an emoji (a surrogate pair) and a long
// run of Japanese with no spaces at all.
const QByteArray openAiParagraphs = openAiBody(
        R"({"role":"assistant","content":" Here is how the gateway meters a stream:\n\n)"
        R"(1. It parses each **server-sent event** as it arrives.\n2. It reads usage from the final chunk.\n)"
        R"(3. It estimates tokens when the stream is cut.\n\n```cpp\nfor (const SseEvent &e : events) {\n)"
        R"(    meter->filter(e);\t// \"forward\" unchanged\n}\n```\n\n)"
        R"(That is all there is to it \ud83d\ude80 \u2014 mostly. Paths like C:\\tmp\\cache stay intact.\n\n)"
        R"(\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3042\u308a\u3001\u4e16\u754c\u3067)"
        R"(\u6700\u3082\u4eba\u53e3\u306e\u591a\u3044\u90fd\u5e02\u570f\u306e\u4e00\u3064\u3067\u3059)"
        R"(\u3002\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3042\u308a\u3001\u4e16\u754c)"
        R"(\u3067\u6700\u3082\u4eba\u53e3\u306e\u591a\u3044\u90fd\u5e02\u570f\u306e\u4e00\u3064\u3067)"
        R"(\u3059\u3002\n","refusal":null,"annotations":[]})",
        "stop");

const QByteArray openAiNestedToolCall = openAiBody(
        R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_Xk3vR8tQm2LpN5wYc7HbJ0sD",)"
        R"("type":"function","function":{"name":"create_calendar_event","arguments":)"
        R"("{\"title\":\"Quarterly review\",\"start\":{\"date\":\"2025-03-14\",\"time\":\"09:30\",)"
        R"(\"timezone\":\"Europe/Paris\"},\"attendees\":[{\"email\":\"ana@example.com\",\"optional\":false},)"
        R"({\"email\":\"li.wei@example.com\",\"optional\":true}],\"reminders\":{\"minutes_before\":[10,60]},)"
        R"(\"notes\":\"Bring the Q1 numbers \\u2014 the \\\"final\\\" draft\\nRoom 4.12\"}"}}],)"
        R"("refusal":null,"annotations":[]})",
        "tool_calls");

// Parallel tool calls, arguments spaced the way OpenAI writes them.
const QByteArray openAiTwoToolCalls = openAiBody(
        R"({"role":"assistant","content":null,"tool_calls":[)"
        R"({"id":"call_8ZyM1pQ4rT6vW9xA2bC5dE7f","type":"function","function":{"name":"get_weather",)"
        R"("arguments":"{\"location\": \"Paris, France\", \"unit\": \"celsius\"}"}},)"
        R"({"id":"call_3GhJ5kL7mN9pQ1rS4tU6vW8x","type":"function","function":{"name":"get_weather",)"
        R"("arguments":"{\"location\": \"Tokyo, Japan\", \"unit\": \"celsius\", \"hours\": [6, 12, 18]}"}},)"
        R"({"id":"call_0aB2cD4eF6gH8iJ0kL2mN4oP","type":"function","function":{"name":"list_alerts",)"
        R"("arguments":""}}],"refusal":null})",
        "tool_calls");

const QByteArray openAiRefusal = openAiBody(
        R"({"role":"assistant","content":null,"refusal":"I'm sorry, but I can't help with that request."})",
        "stop");

const QByteArray anthropicUsage =
        R"({"input_tokens":472,"cache_creation_input_tokens":2048,"cache_read_input_tokens":10240,)"
        R"("cache_creation":{"ephemeral_5m_input_tokens":2048,"ephemeral_1h_input_tokens":0},)"
        R"("output_tokens":187,"service_tier":"standard"})";

QByteArray anthropicBody(const QByteArray &content, const QByteArray &stop,
                         const QByteArray &stopSequence = "null")
{
    return R"({"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",)"
           R"("model":"claude-sonnet-4-20250514","content":)"
            + content + R"(,"stop_reason":")" + stop + R"(","stop_sequence":)" + stopSequence
            + R"(,"usage":)" + anthropicUsage + "}";
}

const QByteArray anthropicText = anthropicBody(
        R"([{"type":"text","text":"Hello! I'm Claude. How can I help you with your gateway today?"}])",
        "end_turn");

const QByteArray anthropicParagraphs = anthropicBody(
        R"([{"type":"text","text":"# Caching streamed answers\n\nA streamed answer is rebuilt into )"
        R"(the body a non-streaming call returns, then stored.\n\nWhen the same request comes back )"
        R"(as a stream, the body is replayed as events:\n\n- a few words per `text_delta`,\n)"
        R"(- tool input as `input_json_delta` pieces,\n- usage in `message_start` and `message_delta`.\n\n)"
        R"(  Indented line with trailing spaces   \n\tand a tab. Emoji \ud83d\udc4d and \"quotes\".\n"}])",
        "end_turn");

const QByteArray anthropicThinkingToolUse = anthropicBody(
        R"([{"type":"thinking","thinking":"The user wants the weather in Paris.\n\nI should call )"
        R"(get_weather with the city and ask for a three-day forecast in celsius.",)"
        R"("signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+0/ZCQ2Vm0Qm4tYp8WcR)"
        R"(Hv2aL7nLX3ZdfH9dC4xq1tGzS8Ek="},)"
        R"({"type":"text","text":"I'll check the current weather in Paris for you."},)"
        R"({"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather",)"
        R"("input":{"location":"Paris, France","unit":"celsius","options":{"include_forecast":true,)"
        R"("days":3,"fields":["temp","wind","humidity"],"threshold":-2.5},"note":"caf\u00e9 \"Le Dome\""}}])",
        "tool_use");

const QByteArray anthropicSeveralTools = anthropicBody(
        R"([{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},)"
        R"({"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"search_docs",)"
        R"("input":{"query":"SSE chunked encoding","filters":{"tags":["http","qt"],"since":2023},"limit":5}},)"
        R"({"type":"tool_use","id":"toolu_01BpXqZ9w2vY8uT7sR6qP5oN","name":"list_alerts","input":{}}])",
        "tool_use");

const QByteArray anthropicStopSequence = anthropicBody(
        R"([{"type":"text","text":"Step one: open the settings.\nStep two: add a key."}])",
        "stop_sequence", R"("\n\nStep three")");

// ---- Helpers ---------------------------------------------------------------

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

// Sorted keys, compact: equal objects give equal bytes, and a failure shows
// both bodies readably.
QByteArray canonical(const QByteArray &json)
{
    return QJsonDocument(parse(json)).toJson(QJsonDocument::Compact);
}

QList<SseEvent> parseEvents(const QByteArray &stream, qsizetype chunkSize = 0)
{
    SseParser parser;
    QList<SseEvent> events;
    const auto sink = [&](const SseEvent &e) { events.append(e); };
    const qsizetype step = chunkSize > 0 ? chunkSize : qMax<qsizetype>(1, stream.size());
    for (qsizetype i = 0; i < stream.size(); i += step)
        parser.feed(QByteArrayView(stream).sliced(i, qMin(step, stream.size() - i)), sink);
    return events;
}

QList<QJsonObject> payloads(const QList<QByteArray> &events)
{
    QList<QJsonObject> out;
    for (const SseEvent &e : parseEvents(events.join())) {
        if (e.data != "[DONE]")
            out.append(parse(e.data));
    }
    return out;
}

void addBodies()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("openai text") << WireFormat::OpenAI << openAiText;
    QTest::newRow("openai paragraphs") << WireFormat::OpenAI << openAiParagraphs;
    QTest::newRow("openai nested tool call") << WireFormat::OpenAI << openAiNestedToolCall;
    QTest::newRow("openai three tool calls") << WireFormat::OpenAI << openAiTwoToolCalls;
    QTest::newRow("openai refusal") << WireFormat::OpenAI << openAiRefusal;
    QTest::newRow("anthropic text") << WireFormat::Anthropic << anthropicText;
    QTest::newRow("anthropic paragraphs") << WireFormat::Anthropic << anthropicParagraphs;
    QTest::newRow("anthropic thinking+text+tool_use") << WireFormat::Anthropic << anthropicThinkingToolUse;
    QTest::newRow("anthropic several tools") << WireFormat::Anthropic << anthropicSeveralTools;
    QTest::newRow("anthropic stop sequence") << WireFormat::Anthropic << anthropicStopSequence;
}

qsizetype wordCount(const QString &text)
{
    static const QRegularExpression space(u"\\s+"_s);
    return text.split(space, Qt::SkipEmptyParts).size();
}

} // namespace


void tst_StreamSynthesizer::eachElementIsOneEvent_data()
{
    addBodies();
}

void tst_StreamSynthesizer::meterSeesBodyUsage_data()
{
    addBodies();
}

void tst_StreamSynthesizer::roundTrip_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("wordsPerEvent");
    QTest::addColumn<qsizetype>("chunkSize");
    const struct { const char *name; WireFormat format; QByteArray body; } bodies[] = {
        {"openai text", WireFormat::OpenAI, openAiText},
        {"openai paragraphs", WireFormat::OpenAI, openAiParagraphs},
        {"openai nested tool call", WireFormat::OpenAI, openAiNestedToolCall},
        {"openai three tool calls", WireFormat::OpenAI, openAiTwoToolCalls},
        {"openai refusal", WireFormat::OpenAI, openAiRefusal},
        {"anthropic text", WireFormat::Anthropic, anthropicText},
        {"anthropic paragraphs", WireFormat::Anthropic, anthropicParagraphs},
        {"anthropic thinking+text+tool_use", WireFormat::Anthropic, anthropicThinkingToolUse},
        {"anthropic several tools", WireFormat::Anthropic, anthropicSeveralTools},
        {"anthropic stop sequence", WireFormat::Anthropic, anthropicStopSequence},
    };
    for (const auto &b : bodies) {
        for (const int words : {1, 3, 10}) {
            QTest::addRow("%s, %d words, whole", b.name, words) << b.format << b.body << words << qsizetype(0);
        }
        QTest::addRow("%s, 3 words, byte by byte", b.name) << b.format << b.body << 3 << qsizetype(1);
    }
}

// Synthesize, parse the bytes as a client would, assemble: the cached body
// comes back.
void tst_StreamSynthesizer::roundTrip()
{
    QFETCH(WireFormat, format);
    QFETCH(QByteArray, body);
    QFETCH(int, wordsPerEvent);
    QFETCH(qsizetype, chunkSize);
    QVERIFY(!parse(body).isEmpty());   // the fixture itself is valid JSON

    StreamSynthesizer::Options options;
    options.wordsPerEvent = wordsPerEvent;
    const QList<QByteArray> events = StreamSynthesizer::events(format, body, options);
    QVERIFY(events.size() > 3);

    const auto assembler = StreamAssembler::create(format);
    for (const SseEvent &e : parseEvents(events.join(), chunkSize))
        assembler->add(e);
    QVERIFY(assembler->complete());
    const QByteArray assembled = assembler->body();
    QCOMPARE(canonical(assembled), canonical(body));

    if (format == WireFormat::OpenAI) {
        // Arguments are a string the client parses itself: not one byte may move.
        const auto calls = [](const QByteArray &json) {
            QStringList out;
            const QJsonObject message = parse(json)["choices"_L1][0]["message"_L1].toObject();
            for (const QJsonValue &call : message["tool_calls"_L1].toArray())
                out.append(call["function"_L1]["arguments"_L1].toString());
            return out;
        };
        QCOMPARE(calls(assembled), calls(body));
    }
}

void tst_StreamSynthesizer::eachElementIsOneEvent()
{
    QFETCH(WireFormat, format);
    QFETCH(QByteArray, body);
    const QList<QByteArray> events = StreamSynthesizer::events(format, body, {});
    QVERIFY(!events.isEmpty());
    for (const QByteArray &event : events) {
        QVERIFY2(event.endsWith("\n\n") && !event.endsWith("\n\n\n"), event.constData());
        SseParser parser;
        int count = 0;
        parser.feed(event, [&](const SseEvent &e) {
            ++count;
            QCOMPARE(e.raw, event);
        });
        QCOMPARE(count, 1);
        QVERIFY(!parser.hasPending());
    }
}

void tst_StreamSynthesizer::meterSeesBodyUsage()
{
    QFETCH(WireFormat, format);
    QFETCH(QByteArray, body);
    const auto expected = UsageParser::fromResponseBody(format, body);
    QVERIFY(expected);

    const auto meter = StreamMeter::create(format);
    for (const SseEvent &e : parseEvents(StreamSynthesizer::events(format, body, {}).join(), 5))
        meter->filter(e);
    QVERIFY(meter->usageSeen());
    QCOMPARE(meter->usage(), *expected);
    QVERIFY(meter->completed());
    QVERIFY(!meter->errorSeen());
    QCOMPARE(meter->providerModel(), parse(body)["model"_L1].toString());
}

void tst_StreamSynthesizer::longTextStreamsInManyEvents_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("wordsPerEvent");
    for (const int words : {1, 3, 7}) {
        QTest::addRow("openai, %d words", words) << WireFormat::OpenAI << openAiParagraphs << words;
        QTest::addRow("anthropic, %d words", words) << WireFormat::Anthropic << anthropicParagraphs << words;
    }
}

// The text arrives a few words at a time, exactly: joined, the deltas are the
// cached text including every space and newline.
void tst_StreamSynthesizer::longTextStreamsInManyEvents()
{
    QFETCH(WireFormat, format);
    QFETCH(QByteArray, body);
    QFETCH(int, wordsPerEvent);
    StreamSynthesizer::Options options;
    options.wordsPerEvent = wordsPerEvent;

    QStringList pieces;
    for (const QJsonObject &p : payloads(StreamSynthesizer::events(format, body, options))) {
        const QJsonValue piece = format == WireFormat::OpenAI
                                         ? p["choices"_L1][0]["delta"_L1]["content"_L1]
                                         : p["delta"_L1]["text"_L1];
        if (piece.isString() && !piece.toString().isEmpty())
            pieces.append(piece.toString());
    }
    const QString text = format == WireFormat::OpenAI
                                 ? parse(body)["choices"_L1][0]["message"_L1]["content"_L1].toString()
                                 : parse(body)["content"_L1][0]["text"_L1].toString();
    QCOMPARE(pieces.join(QString()), text);
    const qsizetype words = wordCount(text);
    QVERIFY2(pieces.size() >= words / wordsPerEvent,
             qPrintable(u"%1 pieces for %2 words"_s.arg(pieces.size()).arg(words)));
    for (const QString &piece : pieces)
        QVERIFY2(wordCount(piece) <= wordsPerEvent, qPrintable(piece));
}

// What an OpenAI client parses: the opening role delta, usage:null on every
// chunk, the usage-only chunk, [DONE], and one identity throughout.
void tst_StreamSynthesizer::openAiChunkShape()
{
    const QList<QByteArray> events = StreamSynthesizer::events(WireFormat::OpenAI, openAiText, {});
    QCOMPARE(events.last(), QByteArray("data: [DONE]\n\n"));
    QList<QJsonObject> chunks = payloads(events);
    QVERIFY(chunks.size() >= 5);

    const QJsonObject body = parse(openAiText);
    for (const QJsonObject &chunk : chunks) {
        QCOMPARE(chunk["object"_L1].toString(), u"chat.completion.chunk"_s);
        for (const auto key : {"id"_L1, "created"_L1, "model"_L1, "system_fingerprint"_L1})
            QCOMPARE(chunk[key], body[key]);
        QVERIFY(chunk.contains("usage"_L1));
    }

    const QJsonObject usageChunk = chunks.takeLast();
    QCOMPARE(usageChunk["choices"_L1].toArray(), QJsonArray());
    QCOMPARE(usageChunk["usage"_L1].toObject(), body["usage"_L1].toObject());

    const QJsonObject first = chunks.first()["choices"_L1][0].toObject();
    QCOMPARE(first["delta"_L1]["role"_L1].toString(), u"assistant"_s);
    QCOMPARE(first["delta"_L1]["content"_L1], QJsonValue(u""_s));
    QVERIFY(first["finish_reason"_L1].isNull());

    const QJsonObject last = chunks.last()["choices"_L1][0].toObject();
    QCOMPARE(last["finish_reason"_L1].toString(), u"stop"_s);
    QCOMPARE(last["delta"_L1].toObject(), QJsonObject());
    for (const QJsonObject &chunk : chunks)
        QVERIFY(chunk["usage"_L1].isNull());
}

// Without include_usage the stream carries no usage at all, as OpenAI sends it.
void tst_StreamSynthesizer::openAiWithoutUsage()
{
    StreamSynthesizer::Options options;
    options.includeUsage = false;
    const QList<QByteArray> events = StreamSynthesizer::events(WireFormat::OpenAI, openAiText, options);
    QCOMPARE(events.last(), QByteArray("data: [DONE]\n\n"));
    for (const QByteArray &event : events)
        QVERIFY2(!event.contains("\"usage\""), event.constData());
    const QList<QJsonObject> chunks = payloads(events);
    QCOMPARE(chunks.last()["choices"_L1][0]["finish_reason"_L1].toString(), u"stop"_s);

    const auto meter = StreamMeter::create(WireFormat::OpenAI);
    for (const SseEvent &e : parseEvents(events.join()))
        meter->filter(e);
    QVERIFY(meter->completed());
    QVERIFY(!meter->usageSeen());
}

// Each call opens with index, id, type, name and empty arguments; the
// arguments follow in several pieces naming the call by index only.
void tst_StreamSynthesizer::openAiToolCallDeltas()
{
    const QList<QJsonObject> chunks = payloads(StreamSynthesizer::events(WireFormat::OpenAI, openAiTwoToolCalls, {}));
    const QJsonArray expected = parse(openAiTwoToolCalls)["choices"_L1][0]["message"_L1]["tool_calls"_L1].toArray();

    QList<QJsonObject> deltas;
    for (const QJsonObject &chunk : chunks) {
        for (const QJsonValue &call : chunk["choices"_L1][0]["delta"_L1]["tool_calls"_L1].toArray())
            deltas.append(call.toObject());
    }
    int index = -1;
    QList<int> argumentPieces(expected.size(), 0);
    for (const QJsonObject &d : deltas) {
        if (d.contains("id"_L1)) {
            ++index;
            QCOMPARE(d["index"_L1].toInt(), index);
            QCOMPARE(d["id"_L1], expected[index]["id"_L1]);
            QCOMPARE(d["type"_L1].toString(), u"function"_s);
            QCOMPARE(d["function"_L1]["name"_L1], expected[index]["function"_L1]["name"_L1]);
            QCOMPARE(d["function"_L1]["arguments"_L1].toString(), QString());
        } else {
            QCOMPARE(d["index"_L1].toInt(), index);   // calls stream one after another
            QVERIFY(!d["function"_L1].toObject().contains("name"_L1));
            ++argumentPieces[index];
        }
    }
    QCOMPARE(index, int(expected.size()) - 1);
    QVERIFY(argumentPieces[0] >= 2);
    QVERIFY(argumentPieces[1] >= 2);
    QCOMPARE(argumentPieces[2], 0);   // no arguments: nothing after the opening delta

    const QJsonObject first = chunks.first()["choices"_L1][0]["delta"_L1].toObject();
    QVERIFY(first["content"_L1].isNull());   // a tool-call answer has no text
    QCOMPARE(chunks.at(chunks.size() - 2)["choices"_L1][0]["finish_reason"_L1].toString(), u"tool_calls"_s);
}

void tst_StreamSynthesizer::anthropicEventShape()
{
    const QList<QByteArray> events = StreamSynthesizer::events(WireFormat::Anthropic, anthropicText, {});
    const QList<SseEvent> parsed = parseEvents(events.join());
    QCOMPARE(parsed.size(), events.size());
    for (const SseEvent &e : parsed)
        QCOMPARE(QString::fromLatin1(e.event), parse(e.data)["type"_L1].toString());

    QCOMPARE(parsed.first().event, QByteArray("message_start"));
    const QJsonObject message = parse(parsed.first().data)["message"_L1].toObject();
    const QJsonObject body = parse(anthropicText);
    QCOMPARE(message["id"_L1], body["id"_L1]);
    QCOMPARE(message["model"_L1], body["model"_L1]);
    QCOMPARE(message["content"_L1].toArray(), QJsonArray());
    QVERIFY(message["stop_reason"_L1].isNull());
    const QJsonObject usage = message["usage"_L1].toObject();
    QCOMPARE(usage["input_tokens"_L1].toInt(), 472);
    QCOMPARE(usage["cache_creation_input_tokens"_L1].toInt(), 2048);
    QCOMPARE(usage["cache_read_input_tokens"_L1].toInt(), 10240);
    QCOMPARE(usage["output_tokens"_L1].toInt(), 1);

    QByteArrayList names;
    for (const SseEvent &e : parsed)
        names.append(e.event);
    QCOMPARE(names.last(), QByteArray("message_stop"));
    QCOMPARE(names.at(names.size() - 2), QByteArray("message_delta"));
    QCOMPARE(names.count("content_block_start"), 1);
    QCOMPARE(names.count("content_block_stop"), 1);
    QVERIFY(names.count("content_block_delta") >= 4);
    QVERIFY(names.indexOf("content_block_start") < names.indexOf("content_block_delta"));
    QVERIFY(names.lastIndexOf("content_block_delta") < names.indexOf("content_block_stop"));

    const QJsonObject delta = parse(parsed.at(parsed.size() - 2).data);
    QCOMPARE(delta["delta"_L1]["stop_reason"_L1].toString(), u"end_turn"_s);
    QVERIFY(delta["delta"_L1]["stop_sequence"_L1].isNull());
    QCOMPARE(delta["usage"_L1]["output_tokens"_L1].toInt(), 187);
}

// Thinking streams as thinking_delta pieces then one signature_delta; tool
// input as input_json_delta pieces that are only valid JSON when joined.
void tst_StreamSynthesizer::anthropicThinkingAndToolInput()
{
    const QList<QJsonObject> events = payloads(StreamSynthesizer::events(WireFormat::Anthropic, anthropicThinkingToolUse, {}));
    const QJsonArray content = parse(anthropicThinkingToolUse)["content"_L1].toArray();

    QHash<int, QStringList> deltaTypes;
    QHash<int, QString> json;
    QList<int> started;
    for (const QJsonObject &e : events) {
        const int index = e["index"_L1].toInt();
        if (e["type"_L1] == "content_block_start"_L1) {
            started.append(index);
            const QJsonObject block = e["content_block"_L1].toObject();
            QCOMPARE(block["type"_L1], content[index]["type"_L1]);
            if (block["type"_L1] == "tool_use"_L1) {
                QCOMPARE(block["id"_L1], content[index]["id"_L1]);
                QCOMPARE(block["name"_L1], content[index]["name"_L1]);
                QCOMPARE(block["input"_L1].toObject(), QJsonObject());
            }
        } else if (e["type"_L1] == "content_block_delta"_L1) {
            QCOMPARE(started.last(), index);
            deltaTypes[index].append(e["delta"_L1]["type"_L1].toString());
            json[index] += e["delta"_L1]["partial_json"_L1].toString();
        }
    }
    QCOMPARE(started, QList<int>({0, 1, 2}));

    QVERIFY(deltaTypes[0].size() >= 3);
    QCOMPARE(deltaTypes[0].last(), u"signature_delta"_s);
    QCOMPARE(deltaTypes[0].count(u"signature_delta"_s), 1);
    QCOMPARE(deltaTypes[0].count(u"thinking_delta"_s), deltaTypes[0].size() - 1);
    QVERIFY(!deltaTypes[1].isEmpty());
    QCOMPARE(deltaTypes[1].count(u"text_delta"_s), deltaTypes[1].size());
    QVERIFY(deltaTypes[2].size() >= 2);
    QCOMPARE(deltaTypes[2].count(u"input_json_delta"_s), deltaTypes[2].size());
    QCOMPARE(QJsonDocument::fromJson(json[2].toUtf8()).object(), content[2]["input"_L1].toObject());
}

void tst_StreamSynthesizer::invalidBodyGivesNoEvents()
{
    QVERIFY(StreamSynthesizer::events(WireFormat::OpenAI, "not json", {}).isEmpty());
    QVERIFY(StreamSynthesizer::events(WireFormat::Anthropic, R"({"type":"message",)", {}).isEmpty());
    QVERIFY(StreamSynthesizer::events(WireFormat::Anthropic, "[1,2]", {}).isEmpty());
}

QTEST_GUILESS_MAIN(tst_StreamSynthesizer)
#include "tst_streamsynthesizer.moc"
