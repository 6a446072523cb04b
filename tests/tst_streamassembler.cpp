// tollgate-test-links: tollgate_wire

// StreamAssembler turns a provider's stream into the body the response cache
// stores. The streams below are shaped as the providers really send them
// (tool-call arguments and tool input cut mid-token, usage in its own chunk
// or spread over message_start and message_delta); the body must be the one a
// non-streaming call would have returned, and a stream that did not end
// properly must never count as complete, or a broken answer would be cached.

#include "wire/anthropicstreamassembler.h"
#include "wire/openaistreamassembler.h"
#include "wire/sseparser.h"
#include "wire/streamassembler.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

// Declared ahead of the fixtures: moc (6.4) does not understand raw string
// literals and loses its place after one holding an odd number of quotes.
class tst_StreamAssembler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createMatchesFormat();

    void openAiText_data();
    void openAiText();
    void openAiToolCalls_data();
    void openAiToolCalls();
    void openAiWithoutUsage();
    void openAiSeveralChoices();
    void openAiIncomplete_data();
    void openAiIncomplete();

    void anthropicMixed_data();
    void anthropicMixed();
    void anthropicUsageTakesLatestPerField();
    void anthropicStopSequence();
    void anthropicIncomplete_data();
    void anthropicIncomplete();
};

namespace {

QByteArray canonical(const QByteArray &json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    return doc.isObject() ? doc.toJson(QJsonDocument::Compact) : QByteArray("<invalid JSON>");
}

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

// Feeds 'stream' through a parser into the assembler in pieces of
// 'chunkSize' bytes (0: all at once).
void feed(StreamAssembler &assembler, const QByteArray &stream, qsizetype chunkSize)
{
    SseParser parser;
    const auto sink = [&](const SseEvent &e) { assembler.add(e); };
    const qsizetype step = chunkSize > 0 ? chunkSize : qMax<qsizetype>(1, stream.size());
    for (qsizetype i = 0; i < stream.size(); i += step)
        parser.feed(QByteArrayView(stream).sliced(i, qMin(step, stream.size() - i)), sink);
}

void addChunkSizes()
{
    QTest::addColumn<qsizetype>("chunkSize");
    QTest::newRow("whole") << qsizetype(0);
    QTest::newRow("byte by byte") << qsizetype(1);
    QTest::newRow("7 bytes") << qsizetype(7);
}

// ---- OpenAI ----------------------------------------------------------------

const QByteArray openAiHead =
        R"({"id":"chatcmpl-9xKQ2bT7cR1mZ4nP0vL8sW3yE6hJ","object":"chat.completion.chunk",)"
        R"("created":1723542000,"model":"gpt-4o-2024-08-06","service_tier":"default",)"
        R"("system_fingerprint":"fp_2a322c9ffc",)";

QByteArray openAiChunk(const QByteArray &choices, const QByteArray &usage = "null")
{
    return "data: " + openAiHead + R"("choices":)" + choices + R"(,"usage":)" + usage + "}\n\n";
}

QByteArray openAiDelta(const QByteArray &delta, const QByteArray &finish = "null", int index = 0)
{
    return openAiChunk(R"([{"index":)" + QByteArray::number(index) + R"(,"delta":)" + delta
                       + R"(,"logprobs":null,"finish_reason":)" + finish + "}]");
}

const QByteArray openAiUsage =
        R"({"prompt_tokens":1523,"completion_tokens":8,"total_tokens":1531,)"
        R"("prompt_tokens_details":{"cached_tokens":1280,"audio_tokens":0},)"
        R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,)"
        R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})";
const QByteArray openAiUsageChunk = openAiChunk("[]", openAiUsage);
const QByteArray done = "data: [DONE]\n\n";

const QByteArray openAiTextStream =
        openAiDelta(R"({"role":"assistant","content":"","refusal":null})")
        + openAiDelta(R"({"content":"The capital"})")
        + ": keep-alive\n\n"
        + openAiDelta(R"({"content":" of France is Paris.\n\n"})")
        + openAiDelta(R"({"content":"Caf\u00e9 \"Les Deux Magots\" \ud83e\udd50"})")
        + openAiDelta("{}", R"("stop")");

QByteArray openAiBody(const QByteArray &message, const QByteArray &finish, const QByteArray &usage)
{
    return R"({"id":"chatcmpl-9xKQ2bT7cR1mZ4nP0vL8sW3yE6hJ","object":"chat.completion",)"
           R"("created":1723542000,"model":"gpt-4o-2024-08-06","service_tier":"default",)"
           R"("system_fingerprint":"fp_2a322c9ffc","choices":[{"index":0,"message":)"
            + message + R"(,"logprobs":null,"finish_reason":)" + finish + "}]"
            + (usage.isEmpty() ? QByteArray() : R"(,"usage":)" + usage) + "}";
}

const QByteArray openAiTextBody = openAiBody(
        R"({"role":"assistant","content":"The capital of France is Paris.\n\nCaf\u00e9 \"Les Deux Magots\" \ud83e\udd50","refusal":null})",
        R"("stop")", openAiUsage);

// Two parallel calls, as OpenAI streams them: the first delta of each call
// names it, the arguments follow cut anywhere, even inside an escape.
const QByteArray openAiToolStream =
        openAiDelta(R"({"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_8ZyM1pQ4rT6vW9xA2bC5dE7f",)"
                    R"("type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null})")
        + openAiDelta(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"lo"}}]})")
        + openAiDelta(R"({"tool_calls":[{"index":0,"function":{"arguments":"cation\": \"Paris, "}}]})")
        + openAiDelta(R"({"tool_calls":[{"index":0,"function":{"arguments":"France\", \"note\": \"a \\"}}]})")
        + openAiDelta(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"b\\\"\"}"}}]})")
        + openAiDelta(R"({"tool_calls":[{"index":1,"id":"call_3GhJ5kL7mN9pQ1rS4tU6vW8x","type":"function",)"
                      R"("function":{"name":"get_time","arguments":""}}]})")
        + openAiDelta(R"({"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\": [\"Europe/Paris\", "}}]})")
        + openAiDelta(R"({"tool_calls":[{"index":1,"function":{"arguments":"{\"alt\": \"UTC\"}]}"}}]})")
        + openAiDelta("{}", R"("tool_calls")");

const QByteArray openAiToolBody = openAiBody(
        R"({"role":"assistant","content":null,"refusal":null,"tool_calls":[)"
        R"({"id":"call_8ZyM1pQ4rT6vW9xA2bC5dE7f","type":"function","function":{"name":"get_weather",)"
        R"("arguments":"{\"location\": \"Paris, France\", \"note\": \"a \\\"b\\\"\"}"}},)"
        R"({"id":"call_3GhJ5kL7mN9pQ1rS4tU6vW8x","type":"function","function":{"name":"get_time",)"
        R"("arguments":"{\"tz\": [\"Europe/Paris\", {\"alt\": \"UTC\"}]}"}}]})",
        R"("tool_calls")", openAiUsage);

// ---- Anthropic -------------------------------------------------------------

QByteArray anthropicEvent(const QByteArray &type, const QByteArray &json)
{
    return "event: " + type + "\ndata: " + json + "\n\n";
}

QByteArray blockStart(int index, const QByteArray &block)
{
    return anthropicEvent("content_block_start", R"({"type":"content_block_start","index":)"
                                                         + QByteArray::number(index)
                                                         + R"(,"content_block":)" + block + "}");
}

QByteArray blockDelta(int index, const QByteArray &delta)
{
    return anthropicEvent("content_block_delta", R"({"type":"content_block_delta","index":)"
                                                         + QByteArray::number(index)
                                                         + R"(,"delta":)" + delta + "}");
}

QByteArray blockStop(int index)
{
    return anthropicEvent("content_block_stop",
                          R"({"type":"content_block_stop","index":)" + QByteArray::number(index) + "}");
}

const QByteArray anthropicStart = anthropicEvent(
        "message_start",
        R"({"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message",)"
        R"("role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,)"
        R"("stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":2048,)"
        R"("cache_read_input_tokens":10240,"output_tokens":2,"service_tier":"standard"}}})");

const QByteArray anthropicStop = anthropicEvent("message_stop", R"({"type":"message_stop"})");

QByteArray messageDelta(const QByteArray &stopReason, const QByteArray &usage)
{
    return anthropicEvent("message_delta",
                          R"({"type":"message_delta","delta":{"stop_reason":)" + stopReason
                                  + R"(,"stop_sequence":null},"usage":)" + usage + "}");
}

// Thinking, then text, then a tool call whose input arrives cut mid-string
// and mid-escape; the text block starts at index 1 before index 0 is read
// back, as blocks are ordered by index, not by arrival of their last delta.
const QByteArray anthropicMixedStream =
        anthropicStart
        + blockStart(0, R"({"type":"thinking","thinking":""})")
        + anthropicEvent("ping", R"({"type": "ping"})")
        + blockDelta(0, R"({"type":"thinking_delta","thinking":"The user wants the weather.\n\n"})")
        + blockDelta(0, R"({"type":"thinking_delta","thinking":"Call get_weather."})")
        + blockDelta(0, R"({"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3h"})")
        + blockStop(0)
        + blockStart(1, R"({"type":"text","text":""})")
        + blockDelta(1, R"({"type":"text_delta","text":"I'll check "})")
        + blockDelta(1, R"({"type":"text_delta","text":"the weather in Paris."})")
        + blockStop(1)
        + blockStart(2, R"({"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{}})")
        + blockDelta(2, R"({"type":"input_json_delta","partial_json":""})")
        + blockDelta(2, R"({"type":"input_json_delta","partial_json":"{\"location\": \"Par"})")
        + blockDelta(2, R"({"type":"input_json_delta","partial_json":"is, France\", \"opts\": {\"days\": 3, \"q\": \"\\"})")
        + blockDelta(2, R"({"type":"input_json_delta","partial_json":"\"x\\\"\", \"f\": [1.5, true, null]}}"})")
        + blockStop(2)
        + blockStart(3, R"({"type":"tool_use","id":"toolu_01BpXqZ9w2vY8uT7sR6qP5oN","name":"list_alerts","input":{}})")
        + blockDelta(3, R"({"type":"input_json_delta","partial_json":""})")
        + blockStop(3)
        + messageDelta(R"("tool_use")", R"({"output_tokens":89})");

const QByteArray anthropicMixedBody =
        R"({"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",)"
        R"("model":"claude-sonnet-4-20250514","content":[)"
        R"({"type":"thinking","thinking":"The user wants the weather.\n\nCall get_weather.","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3h"},)"
        R"({"type":"text","text":"I'll check the weather in Paris."},)"
        R"({"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather",)"
        R"("input":{"location":"Paris, France","opts":{"days":3,"q":"\"x\"","f":[1.5,true,null]}}},)"
        R"({"type":"tool_use","id":"toolu_01BpXqZ9w2vY8uT7sR6qP5oN","name":"list_alerts","input":{}}],)"
        R"("stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":472,)"
        R"("cache_creation_input_tokens":2048,"cache_read_input_tokens":10240,"output_tokens":89,)"
        R"("service_tier":"standard"}})";

} // namespace


void tst_StreamAssembler::openAiText_data()
{
    addChunkSizes();
}

void tst_StreamAssembler::openAiToolCalls_data()
{
    addChunkSizes();
}

void tst_StreamAssembler::anthropicMixed_data()
{
    addChunkSizes();
}

void tst_StreamAssembler::createMatchesFormat()
{
    QVERIFY(dynamic_cast<OpenAiStreamAssembler *>(StreamAssembler::create(WireFormat::OpenAI).get()));
    QVERIFY(dynamic_cast<AnthropicStreamAssembler *>(StreamAssembler::create(WireFormat::Anthropic).get()));
}

void tst_StreamAssembler::openAiText()
{
    QFETCH(qsizetype, chunkSize);
    OpenAiStreamAssembler assembler;
    feed(assembler, openAiTextStream + openAiUsageChunk + done, chunkSize);
    QVERIFY(assembler.complete());
    QCOMPARE(canonical(assembler.body()), canonical(openAiTextBody));
}

void tst_StreamAssembler::openAiToolCalls()
{
    QFETCH(qsizetype, chunkSize);
    OpenAiStreamAssembler assembler;
    feed(assembler, openAiToolStream + openAiUsageChunk + done, chunkSize);
    QVERIFY(assembler.complete());
    const QByteArray body = assembler.body();
    QCOMPARE(canonical(body), canonical(openAiToolBody));

    const QJsonArray calls = parse(body)["choices"_L1][0]["message"_L1]["tool_calls"_L1].toArray();
    QCOMPARE(calls.size(), 2);
    QCOMPARE(calls[0]["function"_L1]["arguments"_L1].toString(),
             uR"({"location": "Paris, France", "note": "a \"b\""})"_s);
    // The joined arguments are the JSON the model wrote.
    const QJsonObject args = parse(calls[1]["function"_L1]["arguments"_L1].toString().toUtf8());
    QCOMPARE(args["tz"_L1][1]["alt"_L1].toString(), u"UTC"_s);
}

// Without include_usage there is no usage to report: the body has none
// rather than a made-up one.
void tst_StreamAssembler::openAiWithoutUsage()
{
    QByteArray stream = openAiTextStream + done;
    stream.replace(R"(,"usage":null)", "");
    OpenAiStreamAssembler assembler;
    feed(assembler, stream, 0);
    QVERIFY(assembler.complete());
    const QJsonObject body = parse(assembler.body());
    QVERIFY(!body.contains("usage"_L1));
    QCOMPARE(canonical(assembler.body()), canonical(openAiBody(
            R"({"role":"assistant","content":"The capital of France is Paris.\n\nCaf\u00e9 \"Les Deux Magots\" \ud83e\udd50","refusal":null})",
            R"("stop")", {})));
}

// n=2: the choices' deltas interleave; each is rebuilt on its own, in index order.
void tst_StreamAssembler::openAiSeveralChoices()
{
    const QByteArray stream =
            openAiDelta(R"({"role":"assistant","content":""})", "null", 1)
            + openAiDelta(R"({"role":"assistant","content":""})", "null", 0)
            + openAiDelta(R"({"content":"Second "})", "null", 1)
            + openAiDelta(R"({"content":"First "})", "null", 0)
            + openAiDelta(R"({"content":"answer."})", "null", 1)
            + openAiDelta(R"({"content":"answer."})", "null", 0)
            + openAiDelta("{}", R"("stop")", 0)
            + openAiDelta("{}", R"("length")", 1)
            + done;
    OpenAiStreamAssembler assembler;
    feed(assembler, stream, 3);
    QVERIFY(assembler.complete());
    const QJsonArray choices = parse(assembler.body())["choices"_L1].toArray();
    QCOMPARE(choices.size(), 2);
    QCOMPARE(choices[0]["index"_L1].toInt(), 0);
    QCOMPARE(choices[0]["message"_L1]["content"_L1].toString(), u"First answer."_s);
    QCOMPARE(choices[0]["finish_reason"_L1].toString(), u"stop"_s);
    QCOMPARE(choices[1]["index"_L1].toInt(), 1);
    QCOMPARE(choices[1]["message"_L1]["content"_L1].toString(), u"Second answer."_s);
    QCOMPARE(choices[1]["finish_reason"_L1].toString(), u"length"_s);
}

void tst_StreamAssembler::openAiIncomplete_data()
{
    QTest::addColumn<QByteArray>("stream");
    const QByteArray full = openAiTextStream + openAiUsageChunk + done;
    const QByteArray error =
            R"(data: {"error":{"message":"The server had an error while processing your request.",)"
            R"("type":"server_error","param":null,"code":null}})"
            "\n\n";
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("cut before [DONE]") << openAiTextStream + openAiUsageChunk;
    QTest::newRow("cut inside [DONE]") << full.left(full.size() - 3);
    QTest::newRow("cut mid-chunk") << full.left(full.size() / 2);
    QTest::newRow("error chunk") << openAiTextStream.left(300) + error;
    QTest::newRow("error chunk, then [DONE]") << openAiTextStream + error + done;
    QTest::newRow("error event")
            << openAiTextStream + "event: error\ndata: {\"message\":\"overloaded\"}\n\n" + done;
}

// A cache must never store these: the client did not get the whole answer.
void tst_StreamAssembler::openAiIncomplete()
{
    QFETCH(QByteArray, stream);
    OpenAiStreamAssembler assembler;
    feed(assembler, stream, 0);
    QVERIFY(!assembler.complete());
}

void tst_StreamAssembler::anthropicMixed()
{
    QFETCH(qsizetype, chunkSize);
    AnthropicStreamAssembler assembler;
    feed(assembler, anthropicMixedStream + anthropicStop, chunkSize);
    QVERIFY(assembler.complete());
    QCOMPARE(canonical(assembler.body()), canonical(anthropicMixedBody));
}

// Newer message_delta events repeat the input-side counts; each field keeps
// its latest value, and fields the delta leaves out (or sends as null) keep
// what message_start said.
void tst_StreamAssembler::anthropicUsageTakesLatestPerField()
{
    const QByteArray stream =
            anthropicStart
            + blockStart(0, R"({"type":"text","text":""})")
            + blockDelta(0, R"({"type":"text_delta","text":"Hi."})")
            + blockStop(0)
            + messageDelta(R"("end_turn")",
                           R"({"input_tokens":480,"cache_read_input_tokens":null,"output_tokens":7,)"
                           R"("server_tool_use":{"web_search_requests":1}})")
            + anthropicStop;
    AnthropicStreamAssembler assembler;
    feed(assembler, stream, 0);
    QVERIFY(assembler.complete());
    const QJsonObject body = parse(assembler.body());
    const QJsonObject usage = body["usage"_L1].toObject();
    QCOMPARE(usage["input_tokens"_L1].toInt(), 480);
    QCOMPARE(usage["output_tokens"_L1].toInt(), 7);
    QCOMPARE(usage["cache_read_input_tokens"_L1].toInt(), 10240);
    QCOMPARE(usage["cache_creation_input_tokens"_L1].toInt(), 2048);
    QCOMPARE(usage["server_tool_use"_L1]["web_search_requests"_L1].toInt(), 1);
    QCOMPARE(body["content"_L1][0]["text"_L1].toString(), u"Hi."_s);
    QCOMPARE(body["stop_reason"_L1].toString(), u"end_turn"_s);
}

void tst_StreamAssembler::anthropicStopSequence()
{
    const QByteArray stream =
            anthropicStart
            + blockStart(0, R"({"type":"text","text":""})")
            + blockDelta(0, R"({"type":"text_delta","text":"Step one.\n"})")
            + blockStop(0)
            + anthropicEvent("message_delta",
                             R"({"type":"message_delta","delta":{"stop_reason":"stop_sequence",)"
                             R"("stop_sequence":"\n\nStep two"},"usage":{"output_tokens":4}})")
            + anthropicStop;
    AnthropicStreamAssembler assembler;
    feed(assembler, stream, 0);
    QVERIFY(assembler.complete());
    const QJsonObject body = parse(assembler.body());
    QCOMPARE(body["stop_reason"_L1].toString(), u"stop_sequence"_s);
    QCOMPARE(body["stop_sequence"_L1].toString(), u"\n\nStep two"_s);
}

void tst_StreamAssembler::anthropicIncomplete_data()
{
    QTest::addColumn<QByteArray>("stream");
    const QByteArray full = anthropicMixedStream + anthropicStop;
    const QByteArray error = anthropicEvent(
            "error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("cut before message_stop") << anthropicMixedStream;
    QTest::newRow("cut inside message_stop") << full.left(full.size() - 5);
    QTest::newRow("cut mid-tool-input") << full.left(full.indexOf("is, France"));
    QTest::newRow("error") << anthropicMixedStream.left(anthropicMixedStream.indexOf("event: content_block_stop")) + error;
    QTest::newRow("error, then message_stop") << anthropicMixedStream + error + anthropicStop;
}

void tst_StreamAssembler::anthropicIncomplete()
{
    QFETCH(QByteArray, stream);
    AnthropicStreamAssembler assembler;
    feed(assembler, stream, 0);
    QVERIFY(!assembler.complete());
    // What arrived is still readable, e.g. for a log of the cut answer.
    if (!stream.isEmpty())
        QCOMPARE(parse(assembler.body())["id"_L1].toString(), u"msg_01XFDUDYJgAACzvnptvVoYEL"_s);
}

QTEST_GUILESS_MAIN(tst_StreamAssembler)
#include "tst_streamassembler.moc"
