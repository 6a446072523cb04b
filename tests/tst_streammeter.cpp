// tollgate-test-links: tollgate_wire

// StreamMeter decides what a streamed call is billed and what the client
// receives: usage must come out right (cache tokens included), a cut stream
// must still be estimated, and the forwarded bytes must be the provider's own
// bytes, except for the usage the gateway asked for on its own.

#include "wire/anthropicstreammeter.h"
#include "wire/openaistreammeter.h"
#include "wire/sseparser.h"
#include "wire/streammeter.h"

#include <QTest>

char *toString(const TokenUsage &u)
{
    return QTest::toString(QByteArray("in=" + QByteArray::number(u.inputTokens)
                                      + " out=" + QByteArray::number(u.outputTokens)
                                      + " cacheRead=" + QByteArray::number(u.cacheReadTokens)
                                      + " cacheWrite=" + QByteArray::number(u.cacheWriteTokens)));
}

namespace {

TokenUsage tokens(qint64 in, qint64 out, qint64 cacheRead, qint64 cacheWrite)
{
    TokenUsage u;
    u.inputTokens = in;
    u.outputTokens = out;
    u.cacheReadTokens = cacheRead;
    u.cacheWriteTokens = cacheWrite;
    return u;
}

// Runs 'stream' through a parser and the meter in pieces of 'chunkSize'
// bytes (0: all at once) and returns what would reach the client.
QByteArray pump(StreamMeter &meter, const QByteArray &stream, qsizetype chunkSize)
{
    SseParser parser;
    QByteArray out;
    const auto sink = [&](const SseEvent &e) { out += meter.filter(e); };
    const qsizetype step = chunkSize > 0 ? chunkSize : qMax<qsizetype>(1, stream.size());
    for (qsizetype i = 0; i < stream.size(); i += step)
        parser.feed(QByteArrayView(stream).sliced(i, qMin(step, stream.size() - i)), sink);
    return out + parser.pending();
}

void addChunkSizes()
{
    QTest::addColumn<qsizetype>("chunkSize");
    QTest::newRow("whole") << qsizetype(0);
    QTest::newRow("byte by byte") << qsizetype(1);
    QTest::newRow("7 bytes") << qsizetype(7);
    QTest::newRow("256 bytes") << qsizetype(256);
}

// ---- OpenAI ----------------------------------------------------------------

const QByteArray openAiHead =
        R"({"id":"chatcmpl-9xKQ2bT7cR1mZ4nP0vL8sW3yE6hJ","object":"chat.completion.chunk",)"
        R"("created":1723542000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_2a322c9ffc",)";

QByteArray openAiEvent(const QByteArray &json)
{
    return "data: " + json + "\n\n";
}

// A chunk as the provider shapes it; 'usageMember' is what include_usage adds
// to it (empty: the chunk as sent without include_usage).
QByteArray openAiChunk(const QByteArray &choices, const QByteArray &usageMember = R"(,"usage":null)")
{
    return openAiEvent(openAiHead + R"("choices":)" + choices + usageMember + "}");
}

QByteArray openAiContent(const QByteArray &escapedText)
{
    return R"([{"index":0,"delta":{"content":")" + escapedText
            + R"("},"logprobs":null,"finish_reason":null}])";
}

const QByteArray openAiFirstChoices =
        R"([{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}])";
const QByteArray openAiStopChoices =
        R"([{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}])";
const QByteArray openAiUsageChunk = openAiEvent(
        openAiHead
        + R"("choices":[],"usage":{"prompt_tokens":1523,"completion_tokens":8,"total_tokens":1531,)"
          R"("prompt_tokens_details":{"cached_tokens":1280,"audio_tokens":0},)"
          R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,)"
          R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}})");
const QByteArray openAiDone = "data: [DONE]\n\n";

// "The capital" + " of France is Paris." = 31 characters.
QByteArray openAiText(const QByteArray &usageMember = R"(,"usage":null)")
{
    return openAiChunk(openAiFirstChoices, usageMember)
            + openAiChunk(openAiContent("The capital"), usageMember)
            + openAiChunk(openAiContent(" of France is Paris."), usageMember)
            + openAiChunk(openAiStopChoices, usageMember);
}

// ---- Anthropic -------------------------------------------------------------

QByteArray anthropicEvent(const QByteArray &type, const QByteArray &json)
{
    return "event: " + type + "\ndata: " + json + "\n\n";
}

const QByteArray anthropicStart = anthropicEvent(
        "message_start",
        R"({"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message",)"
        R"("role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,)"
        R"("stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":2048,)"
        R"("cache_read_input_tokens":10240,"output_tokens":2,"service_tier":"standard"}}})");

QByteArray anthropicTextDelta(const QByteArray &escapedText)
{
    return anthropicEvent("content_block_delta",
                          R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":")"
                                  + escapedText + R"("}})");
}

// "Hello" + "! How can I help?" = 22 characters.
const QByteArray anthropicBody =
        anthropicEvent("content_block_start",
                       R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})")
        + anthropicEvent("ping", R"({"type": "ping"})")
        + anthropicTextDelta("Hello")
        + anthropicTextDelta("! How can I help?")
        + anthropicEvent("content_block_stop", R"({"type":"content_block_stop","index":0})");

const QByteArray anthropicEnd =
        anthropicEvent("message_delta",
                       R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
                       R"("usage":{"output_tokens":15}})")
        + anthropicEvent("message_stop", R"({"type":"message_stop"})");

} // namespace

class tst_StreamMeter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createMatchesFormat();

    void openAiUsage_data() { addChunkSizes(); }
    void openAiUsage();
    void openAiCutStream();
    void openAiEstimate_data();
    void openAiEstimate();
    void openAiStripUsage_data();
    void openAiStripUsage();
    void openAiError();

    void anthropicUsage_data() { addChunkSizes(); }
    void anthropicUsage();
    void anthropicDeltaCountsAreCumulative();
    void anthropicCutStream();
    void anthropicEstimate_data();
    void anthropicEstimate();
    void anthropicError();
};

void tst_StreamMeter::createMatchesFormat()
{
    const auto openAi = StreamMeter::create(WireFormat::OpenAI);
    const auto anthropic = StreamMeter::create(WireFormat::Anthropic);
    QVERIFY(dynamic_cast<OpenAiStreamMeter *>(openAi.get()));
    QVERIFY(dynamic_cast<AnthropicStreamMeter *>(anthropic.get()));
}

void tst_StreamMeter::openAiUsage()
{
    QFETCH(qsizetype, chunkSize);
    const QByteArray stream = openAiText() + openAiUsageChunk + openAiDone;

    const auto meter = StreamMeter::create(WireFormat::OpenAI);
    QCOMPARE(pump(*meter, stream, chunkSize), stream);   // forwarded byte for byte
    QVERIFY(meter->usageSeen());
    QCOMPARE(meter->usage(), tokens(1523 - 1280, 8, 1280, 0));
    QVERIFY(meter->completed());
    QVERIFY(!meter->errorSeen());
    QCOMPARE(meter->providerModel(), QStringLiteral("gpt-4o-2024-08-06"));
    QCOMPARE(meter->eventsSeen(), qint64(6));
    QCOMPARE(meter->estimatedOutputTokens(), qint64((31 + 3) / 4));
}

// The connection dropped before the usage chunk: the call must be billed on
// the estimate, so the meter must say usage never came.
void tst_StreamMeter::openAiCutStream()
{
    const QByteArray full = openAiText();
    const QByteArray stream = full.left(full.size() - 40);
    const auto meter = StreamMeter::create(WireFormat::OpenAI);
    QCOMPARE(pump(*meter, stream, 5), stream);
    QVERIFY(!meter->usageSeen());
    QVERIFY(meter->usage().isEmpty());
    QVERIFY(!meter->completed());
    QCOMPARE(meter->estimatedOutputTokens(), qint64((31 + 3) / 4));
    QCOMPARE(meter->providerModel(), QStringLiteral("gpt-4o-2024-08-06"));
}

void tst_StreamMeter::openAiEstimate_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<qint64>("estimate");

    QTest::newRow("no text") << QByteArray(openAiChunk(openAiFirstChoices) + openAiDone) << qint64(0);
    QTest::newRow("one character") << openAiChunk(openAiContent("a")) << qint64(1);
    QTest::newRow("four characters") << openAiChunk(openAiContent("abcd")) << qint64(1);
    QTest::newRow("five characters") << openAiChunk(openAiContent("abcde")) << qint64(2);
    // Escapes count as the characters they stand for: "a\nb" is 3.
    QTest::newRow("escaped text") << openAiChunk(openAiContent(R"(a\nb\"c\u00e9d)")) << qint64((7 + 3) / 4);
    QTest::newRow("refusal")
            << openAiChunk(R"([{"index":0,"delta":{"refusal":"I can't help with that."},"finish_reason":null}])")
            << qint64((23 + 3) / 4);
    QTest::newRow("reasoning_content")
            << QByteArray(openAiChunk(R"([{"index":0,"delta":{"reasoning_content":"Let me think"},"finish_reason":null}])")
                          + openAiChunk(openAiContent("Paris")))
            << qint64((12 + 5 + 3) / 4);
    // name "get_weather" (11) + arguments {"city": (8) + "Paris"} (8) = 27.
    QTest::newRow("tool call deltas")
            << QByteArray(openAiChunk(R"([{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,)"
                                      R"("id":"call_Qx1Vb2","type":"function","function":{"name":"get_weather","arguments":""}}],)"
                                      R"("refusal":null},"logprobs":null,"finish_reason":null}])")
                          + openAiChunk(R"([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},)"
                                        R"("logprobs":null,"finish_reason":null}])")
                          + openAiChunk(R"([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},)"
                                        R"("logprobs":null,"finish_reason":null}])")
                          + openAiChunk(R"([{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}])"))
            << qint64((27 + 3) / 4);
    QTest::newRow("two choices")
            << openAiChunk(R"([{"index":0,"delta":{"content":"abcd"}},{"index":1,"delta":{"content":"efgh"}}])")
            << qint64(2);
}

void tst_StreamMeter::openAiEstimate()
{
    QFETCH(QByteArray, stream);
    QFETCH(qint64, estimate);
    const auto meter = StreamMeter::create(WireFormat::OpenAI);
    pump(*meter, stream, 0);
    QCOMPARE(meter->estimatedOutputTokens(), qint64(estimate));
}

void tst_StreamMeter::openAiStripUsage_data()
{
    QTest::addColumn<QByteArray>("withUsage");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<qsizetype>("chunkSize");

    // What the provider sends without include_usage: no usage member, no
    // usage chunk, the same [DONE].
    const QByteArray plain = openAiText(QByteArray()) + openAiDone;

    const QByteArray real = openAiText() + openAiUsageChunk + openAiDone;
    QTest::newRow("usage last, whole") << real << plain << qsizetype(0);
    QTest::newRow("usage last, byte by byte") << real << plain << qsizetype(1);
    QTest::newRow("usage last, 11 bytes") << real << plain << qsizetype(11);
    QTest::newRow("space after colon")
            << QByteArray(openAiText(R"(,"usage": null)") + openAiUsageChunk + openAiDone) << plain << qsizetype(0);
    QTest::newRow("space after comma")
            << QByteArray(openAiText(R"(, "usage":null)") + openAiUsageChunk + openAiDone) << plain << qsizetype(0);

    // usage as the first member: the comma after it goes instead.
    const QByteArray first = openAiEvent(R"({"usage":null,"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"x"}}]})")
            + openAiEvent(R"({"usage":{"prompt_tokens":3,"completion_tokens":1},"id":"chatcmpl-1","choices":[]})")
            + openAiDone;
    const QByteArray firstPlain = openAiEvent(R"({"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"x"}}]})")
            + openAiDone;
    QTest::newRow("usage first") << first << firstPlain << qsizetype(0);

    // A provider that repeats running usage on every chunk.
    const QByteArray running = openAiChunk(openAiContent("Hi"), R"(,"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4})")
            + openAiChunk(openAiStopChoices, R"(,"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5})")
            + openAiDone;
    const QByteArray runningPlain = openAiChunk(openAiContent("Hi"), QByteArray())
            + openAiChunk(openAiStopChoices, QByteArray()) + openAiDone;
    QTest::newRow("usage on every chunk") << running << runningPlain << qsizetype(0);

    // "usage":null inside a string or a nested object is not the member.
    const QByteArray lookalike =
            openAiEvent(openAiHead + R"("choices":[{"index":0,"delta":{"content":"say \"usage\":null"},"x":{"usage":null}}],"usage":null})");
    const QByteArray lookalikePlain =
            openAiEvent(openAiHead + R"("choices":[{"index":0,"delta":{"content":"say \"usage\":null"},"x":{"usage":null}}]})");
    QTest::newRow("look-alikes left alone") << lookalike << lookalikePlain << qsizetype(0);

    const QByteArray crlf = "data: {\"id\":\"c\",\"choices\":[],\"usage\":null}\r\n\r\n";
    QTest::newRow("crlf line ends kept")
            << crlf << QByteArray("data: {\"id\":\"c\",\"choices\":[]}\r\n\r\n") << qsizetype(0);
}

void tst_StreamMeter::openAiStripUsage()
{
    QFETCH(QByteArray, withUsage);
    QFETCH(QByteArray, expected);
    QFETCH(qsizetype, chunkSize);

    const auto meter = StreamMeter::create(WireFormat::OpenAI);
    meter->setStripUsage(true);
    QCOMPARE(pump(*meter, withUsage, chunkSize), expected);
}

void tst_StreamMeter::openAiError()
{
    const QByteArray error =
            R"({"error":{"message":"The server had an error while processing your request. Sorry about that!",)"
            R"("type":"server_error","param":null,"code":null}})";
    const QByteArray stream = openAiText().left(openAiText().size() / 2);
    const QByteArray cut = stream.left(stream.lastIndexOf("\n\n") + 2) + openAiEvent(error);

    const auto meter = StreamMeter::create(WireFormat::OpenAI);
    meter->setStripUsage(true);
    const QByteArray out = pump(*meter, cut, 0);
    QVERIFY(out.endsWith(openAiEvent(error)));
    QVERIFY(meter->errorSeen());
    QCOMPARE(meter->errorPayload(), error);
    QVERIFY(!meter->completed());
    QVERIFY(!meter->usageSeen());
}

void tst_StreamMeter::anthropicUsage()
{
    QFETCH(qsizetype, chunkSize);
    const QByteArray stream = anthropicStart + anthropicBody + anthropicEnd;

    const auto meter = StreamMeter::create(WireFormat::Anthropic);
    meter->setStripUsage(true);   // means nothing for Anthropic: usage always streams
    QCOMPARE(pump(*meter, stream, chunkSize), stream);
    QVERIFY(meter->usageSeen());
    QCOMPARE(meter->usage(), tokens(472, 15, 10240, 2048));
    QVERIFY(meter->completed());
    QVERIFY(!meter->errorSeen());
    QCOMPARE(meter->providerModel(), QStringLiteral("claude-sonnet-4-20250514"));
    QCOMPARE(meter->eventsSeen(), qint64(8));
    QCOMPARE(meter->estimatedOutputTokens(), qint64((22 + 3) / 4));
}

// message_delta counts are totals so far: the last one is the answer, and
// adding them up would bill output twice.
void tst_StreamMeter::anthropicDeltaCountsAreCumulative()
{
    const QByteArray stream = anthropicStart + anthropicBody
            + anthropicEvent("message_delta", R"({"type":"message_delta","delta":{},"usage":{"output_tokens":10}})")
            + anthropicEvent("message_delta",
                             R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":472,)"
                             R"("cache_creation_input_tokens":2048,"cache_read_input_tokens":10240,"output_tokens":15}})")
            + anthropicEvent("message_stop", R"({"type":"message_stop"})");

    const auto meter = StreamMeter::create(WireFormat::Anthropic);
    pump(*meter, stream, 0);
    QCOMPARE(meter->usage(), tokens(472, 15, 10240, 2048));
}

// Cut after the text but before message_delta: input and cache counts from
// message_start are known, but its output count is a placeholder.
void tst_StreamMeter::anthropicCutStream()
{
    const QByteArray stream = anthropicStart + anthropicBody;
    const auto meter = StreamMeter::create(WireFormat::Anthropic);
    QCOMPARE(pump(*meter, stream, 3), stream);
    QVERIFY(!meter->usageSeen());
    QVERIFY(!meter->completed());
    QCOMPARE(meter->usage().inputTokens, qint64(472));
    QCOMPARE(meter->usage().cacheReadTokens, qint64(10240));
    QCOMPARE(meter->usage().cacheWriteTokens, qint64(2048));
    QCOMPARE(meter->estimatedOutputTokens(), qint64((22 + 3) / 4));
}

void tst_StreamMeter::anthropicEstimate_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<qint64>("estimate");

    QTest::newRow("ping only") << anthropicEvent("ping", R"({"type": "ping"})") << qint64(0);
    QTest::newRow("text") << anthropicTextDelta("abcde") << qint64(2);
    // name "get_weather" (11) + {"city": (8) + "Paris"} (8) = 27.
    QTest::newRow("tool use")
            << QByteArray(anthropicEvent("content_block_start",
                                         R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use",)"
                                         R"("id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}})")
                          + anthropicEvent("content_block_delta",
                                           R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})")
                          + anthropicEvent("content_block_delta",
                                           R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}})")
                          + anthropicEvent("content_block_delta",
                                           R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}})"))
            << qint64((27 + 3) / 4);
    QTest::newRow("thinking")
            << QByteArray(anthropicEvent("content_block_start",
                                         R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})")
                          + anthropicEvent("content_block_delta",
                                           R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me see"}})")
                          + anthropicEvent("content_block_delta",
                                           R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3h"}})"))
            << qint64((10 + 3) / 4);
}

void tst_StreamMeter::anthropicEstimate()
{
    QFETCH(QByteArray, stream);
    QFETCH(qint64, estimate);
    const auto meter = StreamMeter::create(WireFormat::Anthropic);
    pump(*meter, stream, 0);
    QCOMPARE(meter->estimatedOutputTokens(), qint64(estimate));
}

void tst_StreamMeter::anthropicError()
{
    const QByteArray error = R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})";
    const QByteArray stream = anthropicStart + anthropicTextDelta("Hel") + anthropicEvent("error", error);

    const auto meter = StreamMeter::create(WireFormat::Anthropic);
    QCOMPARE(pump(*meter, stream, 0), stream);
    QVERIFY(meter->errorSeen());
    QCOMPARE(meter->errorPayload(), error);
    QVERIFY(!meter->completed());
    QVERIFY(!meter->usageSeen());
}

QTEST_GUILESS_MAIN(tst_StreamMeter)
#include "tst_streammeter.moc"
