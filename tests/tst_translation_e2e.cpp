// Translation through the whole gateway: an OpenAI-format client calling a
// model whose provider speaks Anthropic, and an Anthropic-format client
// calling one whose provider speaks OpenAI, whole and streamed. The fake
// provider receives a valid request in its own format (system prompt,
// tools, tool calls and tool results, its own credential header and path),
// and the client receives a valid answer in its own (tool calls whose
// streamed arguments reassemble into valid JSON, stop reasons, usage with
// cache tokens). A field that cannot be translated is a 400 naming it, and
// the provider is never called. An alias that crosses vendors falls back
// from a failing provider of one format to a working one of the other.

#include "canned.h"
#include "fakeprovider.h"
#include "rawconnection.h"
#include "streamgrammar.h"
#include "testgateway.h"
#include "wire/sseparser.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 15000;

const QJsonObject kWeatherSchema{
    {u"type"_s, u"object"_s},
    {u"properties"_s, QJsonObject{{u"city"_s, QJsonObject{{u"type"_s, u"string"_s}}},
                                  {u"unit"_s, QJsonObject{{u"type"_s, u"string"_s}}}}},
    {u"required"_s, QJsonArray{u"city"_s}},
};
// What the fakes' tool calls ask for, once the streamed pieces are joined.
const QJsonObject kBergenInput{{u"city"_s, u"Bergen"_s}, {u"unit"_s, u"celsius"_s}};

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// An OpenAI client's conversation with a tool round behind it.
QByteArray openAiToolRequest(const QString &model, bool stream, bool includeUsage)
{
    QJsonObject body{
        {u"model"_s, model},
        {u"max_tokens"_s, 512},
        {u"temperature"_s, 0.3},
        {u"messages"_s,
         QJsonArray{
             QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, u"You are a weather bot."_s}},
             QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"What is the weather in Oslo?"_s}},
             QJsonObject{{u"role"_s, u"assistant"_s},
                         {u"content"_s, QJsonValue::Null},
                         {u"tool_calls"_s,
                          QJsonArray{QJsonObject{
                              {u"id"_s, u"call_oslo1"_s},
                              {u"type"_s, u"function"_s},
                              {u"function"_s, QJsonObject{{u"name"_s, u"get_weather"_s},
                                                          {u"arguments"_s, u"{\"city\":\"Oslo\"}"_s}}}}}}},
             QJsonObject{{u"role"_s, u"tool"_s}, {u"tool_call_id"_s, u"call_oslo1"_s}, {u"content"_s, u"4 C, rain"_s}},
             QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"And in Bergen?"_s}},
         }},
        {u"tools"_s,
         QJsonArray{QJsonObject{{u"type"_s, u"function"_s},
                                {u"function"_s, QJsonObject{{u"name"_s, u"get_weather"_s},
                                                            {u"description"_s, u"Current weather in a city"_s},
                                                            {u"parameters"_s, kWeatherSchema}}}}}},
        {u"tool_choice"_s, u"auto"_s},
    };
    if (stream)
        body.insert(u"stream"_s, true);
    if (includeUsage)
        body.insert(u"stream_options"_s, QJsonObject{{u"include_usage"_s, true}});
    return compact(body);
}

// The same conversation from an Anthropic client.
QByteArray anthropicToolRequest(const QString &model, bool stream)
{
    QJsonObject body{
        {u"model"_s, model},
        {u"max_tokens"_s, 512},
        {u"system"_s, u"You are a weather bot."_s},
        {u"messages"_s,
         QJsonArray{
             QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"What is the weather in Oslo?"_s}},
             QJsonObject{{u"role"_s, u"assistant"_s},
                         {u"content"_s,
                          QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"Checking."_s}},
                                     QJsonObject{{u"type"_s, u"tool_use"_s},
                                                 {u"id"_s, u"toolu_oslo1"_s},
                                                 {u"name"_s, u"get_weather"_s},
                                                 {u"input"_s, QJsonObject{{u"city"_s, u"Oslo"_s}}}}}}},
             QJsonObject{{u"role"_s, u"user"_s},
                         {u"content"_s,
                          QJsonArray{QJsonObject{{u"type"_s, u"tool_result"_s},
                                                 {u"tool_use_id"_s, u"toolu_oslo1"_s},
                                                 {u"content"_s, u"4 C, rain"_s}},
                                     QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"And in Bergen?"_s}}}}},
         }},
        {u"tools"_s, QJsonArray{QJsonObject{{u"name"_s, u"get_weather"_s},
                                            {u"description"_s, u"Current weather in a city"_s},
                                            {u"input_schema"_s, kWeatherSchema}}}},
        {u"tool_choice"_s, QJsonObject{{u"type"_s, u"auto"_s}}},
    };
    if (stream)
        body.insert(u"stream"_s, true);
    return compact(body);
}

// Anthropic's answer: some text, then a tool call; prompt caching in the usage.
constexpr qint64 kAnthInput = 20, kAnthCacheWrite = 100, kAnthCacheRead = 900, kAnthOutput = 33;

QByteArray anthropicToolMessage()
{
    return R"({"id":"msg_01ToolAnswer","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",)"
           R"("content":[{"type":"text","text":"Let me check Bergen."},{"type":"tool_use","id":"toolu_01Bergen",)"
           R"("name":"get_weather","input":{"city":"Bergen","unit":"celsius"}}],"stop_reason":"tool_use",)"
           R"("stop_sequence":null,"usage":{"input_tokens":20,"cache_creation_input_tokens":100,)"
           R"("cache_read_input_tokens":900,"output_tokens":33}})";
}

QList<QByteArray> anthropicToolStream()
{
    auto ev = [](const char *name, const QByteArray &data) -> QByteArray {
        return QByteArray("event: ") + name + "\ndata: " + data + "\n\n";
    };
    auto delta = [&](int index, const QByteArray &d) -> QByteArray {
        return ev("content_block_delta",
                  R"({"type":"content_block_delta","index":)" + QByteArray::number(index) + R"(,"delta":)" + d + "}");
    };
    return {
        ev("message_start", R"({"type":"message_start","message":{"id":"msg_01ToolAnswer","type":"message",)"
                            R"("role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,)"
                            R"("stop_sequence":null,"usage":{"input_tokens":20,"cache_creation_input_tokens":100,)"
                            R"("cache_read_input_tokens":900,"output_tokens":1}}})"),
        ev("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"),
        ev("ping", R"({"type": "ping"})"),
        delta(0, R"({"type":"text_delta","text":"Let me "})"),
        delta(0, R"({"type":"text_delta","text":"check Bergen."})"),
        ev("content_block_stop", R"({"type":"content_block_stop","index":0})"),
        ev("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use",)"
                                  R"("id":"toolu_01Bergen","name":"get_weather","input":{}}})"),
        delta(1, R"({"type":"input_json_delta","partial_json":""})"),
        delta(1, R"({"type":"input_json_delta","partial_json":"{\"city\": \"Ber"})"),
        delta(1, R"({"type":"input_json_delta","partial_json":"gen\", \"unit\""})"),
        delta(1, R"({"type":"input_json_delta","partial_json":": \"celsius\"}"})"),
        ev("content_block_stop", R"({"type":"content_block_stop","index":1})"),
        ev("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},)"
                            R"("usage":{"output_tokens":33}})"),
        ev("message_stop", R"({"type":"message_stop"})"),
    };
}

// OpenAI's answer: text, then a tool call; cached prompt tokens in the usage.
constexpr qint64 kOaiPrompt = 1250, kOaiCached = 1024, kOaiCompletion = 18;

QByteArray openAiToolCompletion()
{
    return R"({"id":"chatcmpl-ToolAnswer1","object":"chat.completion","created":1736000000,"model":"gpt-4o-2024-08-06",)"
           R"("choices":[{"index":0,"message":{"role":"assistant","content":"Let me check Bergen.","tool_calls":[)"
           R"({"id":"call_bergen9","type":"function","function":{"name":"get_weather",)"
           R"("arguments":"{\"city\":\"Bergen\",\"unit\":\"celsius\"}"}}],"refusal":null},"logprobs":null,)"
           R"("finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1250,"completion_tokens":18,"total_tokens":1268,)"
           R"("prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0}},"system_fingerprint":"fp_fake"})";
}

QList<QByteArray> openAiToolStream()
{
    auto chunk = [](const QByteArray &delta, const QByteArray &finish = "null") -> QByteArray {
        return R"(data: {"id":"chatcmpl-ToolAnswer1","object":"chat.completion.chunk","created":1736000000,)"
               R"("model":"gpt-4o-2024-08-06","system_fingerprint":"fp_fake","choices":[{"index":0,"delta":)"
            + delta + R"(,"logprobs":null,"finish_reason":)" + finish + R"(}],"usage":null})" + "\n\n";
    };
    auto args = [&](const QByteArray &piece) -> QByteArray {
        return chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":")" + piece + R"("}}]})");
    };
    return {
        chunk(R"({"role":"assistant","content":"","refusal":null})"),
        chunk(R"({"content":"Let me "})"),
        chunk(R"({"content":"check Bergen."})"),
        chunk(R"({"tool_calls":[{"index":0,"id":"call_bergen9","type":"function","function":{"name":"get_weather","arguments":""}}]})"),
        args(R"({\"ci)"),
        args(R"(ty\": \"Ber)"),
        args(R"(gen\", \"unit\": \"cel)"),
        args(R"(sius\"})"),
        chunk("{}", R"("tool_calls")"),
        R"(data: {"id":"chatcmpl-ToolAnswer1","object":"chat.completion.chunk","created":1736000000,)"
        R"("model":"gpt-4o-2024-08-06","system_fingerprint":"fp_fake","choices":[],"usage":{"prompt_tokens":1250,)"
        R"("completion_tokens":18,"total_tokens":1268,"prompt_tokens_details":{"cached_tokens":1024}}})"
        "\n\n",
        "data: [DONE]\n\n",
    };
}

QList<SseEvent> sseEvents(const QByteArray &body)
{
    QList<SseEvent> out;
    SseParser parser;
    parser.feed(body, [&out](const SseEvent &e) { out.append(e); });
    return out;
}

QJsonObject parseObject(const QString &json, bool *ok)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &pe);
    *ok = pe.error == QJsonParseError::NoError && doc.isObject();
    return doc.object();
}

struct Fixture
{
    FakeProvider openai;
    FakeProvider anthropic;
    TestGateway gw;

    Fixture()
    {
        gw.addOpenAi(openai, {u"gpt-*"_s});
        gw.addAnthropic(anthropic, {u"claude-*"_s});
        gw.config().cache.enabled = false;
        gw.config().routing.retries = 0;
    }

    HttpReply call(const QByteArray &path, const QByteArray &body, HttpHeaders extra = {})
    {
        HttpHeaders h = gw.authHeaders();
        h += extra;
        return RawConnection::exchange(gw.port(), HttpWire::request("POST", path, h, body), kTimeoutMs);
    }
};

// What an OpenAI client's tool conversation must look like to Anthropic.
void checkAnthropicUpstream(const FakeRequest &up, bool stream)
{
    QCOMPARE(up.target, QByteArray("/v1/messages"));
    QCOMPARE(up.header("x-api-key"), TestGateway::kAnthropicKey.toByteArray());
    QVERIFY(!up.header("anthropic-version").isEmpty());
    QVERIFY(!up.hasHeader("authorization"));
    const QJsonObject body = up.json();
    QCOMPARE(body.value(u"model"_s).toString(), u"claude-sonnet-4-5"_s);
    QCOMPARE(body.value(u"max_tokens"_s).toInt(), 512);
    QCOMPARE(body.value(u"stream"_s).toBool(false), stream);
    QVERIFY(!body.contains(u"stream_options"_s));
    QCOMPARE(body.value(u"temperature"_s).toDouble(), 0.3);
    // The system message became the system prompt.
    QCOMPARE(body.value(u"system"_s).toString(), u"You are a weather bot."_s);
    const QJsonArray messages = body.value(u"messages"_s).toArray();
    QCOMPARE(messages.size(), 3);
    QCOMPARE(messages[0].toObject().value(u"role"_s).toString(), u"user"_s);
    // The assistant's tool call became a tool_use block with an object input.
    const QJsonObject assistant = messages[1].toObject();
    QCOMPARE(assistant.value(u"role"_s).toString(), u"assistant"_s);
    const QJsonObject toolUse = assistant.value(u"content"_s).toArray().last().toObject();
    QCOMPARE(toolUse.value(u"type"_s).toString(), u"tool_use"_s);
    QCOMPARE(toolUse.value(u"id"_s).toString(), u"call_oslo1"_s);
    QCOMPARE(toolUse.value(u"name"_s).toString(), u"get_weather"_s);
    QCOMPARE(toolUse.value(u"input"_s).toObject(), (QJsonObject{{u"city"_s, u"Oslo"_s}}));
    // The tool result and the next user message share one user turn.
    const QJsonObject user = messages[2].toObject();
    QCOMPARE(user.value(u"role"_s).toString(), u"user"_s);
    const QJsonArray blocks = user.value(u"content"_s).toArray();
    QCOMPARE(blocks.size(), 2);
    QCOMPARE(blocks[0].toObject().value(u"type"_s).toString(), u"tool_result"_s);
    QCOMPARE(blocks[0].toObject().value(u"tool_use_id"_s).toString(), u"call_oslo1"_s);
    QCOMPARE(blocks[0].toObject().value(u"content"_s).toString(), u"4 C, rain"_s);
    QCOMPARE(blocks[1].toObject().value(u"text"_s).toString(), u"And in Bergen?"_s);
    // Tools in Anthropic's shape.
    const QJsonObject tool = body.value(u"tools"_s).toArray().first().toObject();
    QCOMPARE(tool.value(u"name"_s).toString(), u"get_weather"_s);
    QCOMPARE(tool.value(u"description"_s).toString(), u"Current weather in a city"_s);
    QCOMPARE(tool.value(u"input_schema"_s).toObject(), kWeatherSchema);
    QCOMPARE(body.value(u"tool_choice"_s).toObject().value(u"type"_s).toString(), u"auto"_s);
}

// What an Anthropic client's tool conversation must look like to OpenAI.
void checkOpenAiUpstream(const FakeRequest &up, bool stream)
{
    QCOMPARE(up.target, QByteArray("/v1/chat/completions"));
    QCOMPARE(up.header("authorization"), "Bearer " + TestGateway::kOpenAiKey.toByteArray());
    QVERIFY(!up.hasHeader("x-api-key"));
    const QJsonObject body = up.json();
    QCOMPARE(body.value(u"model"_s).toString(), u"gpt-4o"_s);
    QCOMPARE(body.value(u"max_tokens"_s).toInt(), 512);
    QCOMPARE(body.value(u"stream"_s).toBool(false), stream);
    if (stream) // metered exactly: the gateway asks for the usage chunk
        QCOMPARE(body.value(u"stream_options"_s).toObject().value(u"include_usage"_s).toBool(), true);
    const QJsonArray messages = body.value(u"messages"_s).toArray();
    QVERIFY2(messages.size() >= 5, compact(body).constData());
    QCOMPARE(messages[0].toObject(),
             (QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, u"You are a weather bot."_s}}));
    QCOMPARE(messages[1].toObject().value(u"role"_s).toString(), u"user"_s);
    const QJsonObject assistant = messages[2].toObject();
    QCOMPARE(assistant.value(u"role"_s).toString(), u"assistant"_s);
    const QJsonObject call = assistant.value(u"tool_calls"_s).toArray().first().toObject();
    QCOMPARE(call.value(u"id"_s).toString(), u"toolu_oslo1"_s);
    QCOMPARE(call.value(u"type"_s).toString(), u"function"_s);
    QCOMPARE(call.value(u"function"_s).toObject().value(u"name"_s).toString(), u"get_weather"_s);
    bool ok = false;
    QCOMPARE(parseObject(call.value(u"function"_s).toObject().value(u"arguments"_s).toString(), &ok),
             (QJsonObject{{u"city"_s, u"Oslo"_s}}));
    QVERIFY(ok);
    QVERIFY(QJsonDocument(assistant).toJson().contains("Checking."));
    const QJsonObject tool = messages[3].toObject();
    QCOMPARE(tool.value(u"role"_s).toString(), u"tool"_s);
    QCOMPARE(tool.value(u"tool_call_id"_s).toString(), u"toolu_oslo1"_s);
    QVERIFY(QJsonDocument(tool).toJson().contains("4 C, rain"));
    QCOMPARE(messages.last().toObject().value(u"role"_s).toString(), u"user"_s);
    QVERIFY(QJsonDocument(messages.last().toObject()).toJson().contains("And in Bergen?"));
    const QJsonObject function = body.value(u"tools"_s).toArray().first().toObject().value(u"function"_s).toObject();
    QCOMPARE(body.value(u"tools"_s).toArray().first().toObject().value(u"type"_s).toString(), u"function"_s);
    QCOMPARE(function.value(u"name"_s).toString(), u"get_weather"_s);
    QCOMPARE(function.value(u"description"_s).toString(), u"Current weather in a city"_s);
    QCOMPARE(function.value(u"parameters"_s).toObject(), kWeatherSchema);
    QCOMPARE(body.value(u"tool_choice"_s).toString(u"auto"_s), u"auto"_s);
}

} // namespace

class tst_TranslationE2e : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openAiClientToAnthropicProvider_data();
    void openAiClientToAnthropicProvider();
    void anthropicClientToOpenAiProvider_data();
    void anthropicClientToOpenAiProvider();
    void untranslatableFieldRefused_data();
    void untranslatableFieldRefused();
    void untranslatableRouteSkipped();
    void providerRefusalTranslated();
    void aliasFallsBackAcrossVendors_data();
    void aliasFallsBackAcrossVendors();
    void translatedStreamOverloadedFallsBack();
};

void tst_TranslationE2e::openAiClientToAnthropicProvider_data()
{
    QTest::addColumn<bool>("stream");
    QTest::addColumn<bool>("includeUsage");
    QTest::newRow("whole") << false << false;
    QTest::newRow("stream") << true << false;
    QTest::newRow("stream with usage") << true << true;
}

void tst_TranslationE2e::openAiClientToAnthropicProvider()
{
    QFETCH(bool, stream);
    QFETCH(bool, includeUsage);

    Fixture f;
    QVERIFY(f.gw.start());
    f.anthropic.enqueue(stream ? FakeReply::sse(anthropicToolStream(), 2) : FakeReply::json(anthropicToolMessage()));
    const HttpReply reply = f.call("/v1/chat/completions", openAiToolRequest(u"claude-sonnet-4-5"_s, stream, includeUsage));
    QVERIFY2(reply.error.isEmpty(), qPrintable(reply.error));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-tollgate-provider"), QByteArray("anthropic"));
    QCOMPARE(f.openai.requestCount(), 0);
    QCOMPARE(f.anthropic.requestCount(), 1);
    checkAnthropicUpstream(f.anthropic.request(0), stream);

    const qint64 prompt = kAnthInput + kAnthCacheRead + kAnthCacheWrite;
    if (!stream) {
        QVERIFY(reply.header("content-type").startsWith("application/json"));
        const QJsonObject body = reply.json();
        QCOMPARE(body.value(u"object"_s).toString(), u"chat.completion"_s);
        QVERIFY(body.value(u"id"_s).toString().startsWith(u"chatcmpl-"_s));
        const QJsonObject choice = body.value(u"choices"_s).toArray().first().toObject();
        QCOMPARE(choice.value(u"finish_reason"_s).toString(), u"tool_calls"_s);
        const QJsonObject message = choice.value(u"message"_s).toObject();
        QCOMPARE(message.value(u"role"_s).toString(), u"assistant"_s);
        QCOMPARE(message.value(u"content"_s).toString(), u"Let me check Bergen."_s);
        const QJsonObject call = message.value(u"tool_calls"_s).toArray().first().toObject();
        QCOMPARE(call.value(u"id"_s).toString(), u"toolu_01Bergen"_s);
        QCOMPARE(call.value(u"type"_s).toString(), u"function"_s);
        QCOMPARE(call.value(u"function"_s).toObject().value(u"name"_s).toString(), u"get_weather"_s);
        bool ok = false;
        QCOMPARE(parseObject(call.value(u"function"_s).toObject().value(u"arguments"_s).toString(), &ok), kBergenInput);
        QVERIFY(ok);
        const QJsonObject usage = body.value(u"usage"_s).toObject();
        QCOMPARE(usage.value(u"prompt_tokens"_s).toInteger(), prompt);
        QCOMPARE(usage.value(u"completion_tokens"_s).toInteger(), kAnthOutput);
        QCOMPARE(usage.value(u"total_tokens"_s).toInteger(), prompt + kAnthOutput);
        QCOMPARE(usage.value(u"prompt_tokens_details"_s).toObject().value(u"cached_tokens"_s).toInteger(), kAnthCacheRead);
    } else {
        QVERIFY(reply.chunked);
        QVERIFY(reply.header("content-type").startsWith("text/event-stream"));
        const QList<SseEvent> events = sseEvents(reply.body);
        const StreamGrammar::OpenAiView view = StreamGrammar::openAiView(events);
        QVERIFY2(view.problem.isEmpty(), qPrintable(view.problem));
        QVERIFY(view.done);
        QCOMPARE(view.content, u"Let me check Bergen."_s);
        QCOMPARE(view.finishReason, u"tool_calls"_s);
        QCOMPARE(view.calls.size(), 1);
        const StreamGrammar::OpenAiCall call = view.calls.value(0);
        QCOMPARE(call.id, u"toolu_01Bergen"_s);
        QCOMPARE(call.type, u"function"_s);
        QCOMPARE(call.name, u"get_weather"_s);
        // The arguments came in pieces; together they are the tool's JSON input.
        bool ok = false;
        QCOMPARE(parseObject(call.arguments, &ok), kBergenInput);
        QVERIFY2(ok, qPrintable(call.arguments));
        // The usage chunk, only when the client asked for it.
        QJsonObject usage;
        for (const SseEvent &e : events) {
            const QJsonObject o = QJsonDocument::fromJson(e.data).object();
            if (o.value(u"usage"_s).isObject())
                usage = o.value(u"usage"_s).toObject();
        }
        QCOMPARE(usage.isEmpty(), !includeUsage);
        if (includeUsage) {
            QCOMPARE(usage.value(u"prompt_tokens"_s).toInteger(), prompt);
            QCOMPARE(usage.value(u"completion_tokens"_s).toInteger(), kAnthOutput);
            QCOMPARE(usage.value(u"prompt_tokens_details"_s).toObject().value(u"cached_tokens"_s).toInteger(),
                     kAnthCacheRead);
        }
    }

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QCOMPARE(r.provider, u"anthropic"_s);
    QCOMPARE(r.model, u"claude-sonnet-4-5"_s);
    QCOMPARE(r.status, 200);
    QVERIFY(!r.estimated);
    QCOMPARE(r.inputTokens, kAnthInput);
    QCOMPARE(r.cacheReadTokens, kAnthCacheRead);
    QCOMPARE(r.cacheWriteTokens, kAnthCacheWrite);
    QCOMPARE(r.outputTokens, kAnthOutput);
    QVERIFY(r.cost > 0);
}

void tst_TranslationE2e::anthropicClientToOpenAiProvider_data()
{
    QTest::addColumn<bool>("stream");
    QTest::newRow("whole") << false;
    QTest::newRow("stream") << true;
}

void tst_TranslationE2e::anthropicClientToOpenAiProvider()
{
    QFETCH(bool, stream);

    Fixture f;
    QVERIFY(f.gw.start());
    f.openai.enqueue(stream ? FakeReply::sse(openAiToolStream(), 2) : FakeReply::json(openAiToolCompletion()));
    const HttpReply reply = f.call("/v1/messages", anthropicToolRequest(u"gpt-4o"_s, stream),
                                   {{"anthropic-version", "2023-06-01"}});
    QVERIFY2(reply.error.isEmpty(), qPrintable(reply.error));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-tollgate-provider"), QByteArray("openai"));
    QCOMPARE(f.anthropic.requestCount(), 0);
    QCOMPARE(f.openai.requestCount(), 1);
    checkOpenAiUpstream(f.openai.request(0), stream);
    // Anthropic's headers stay with Anthropic.
    QVERIFY(!f.openai.request(0).hasHeader("anthropic-version"));

    const qint64 input = kOaiPrompt - kOaiCached;
    if (!stream) {
        const QJsonObject body = reply.json();
        QCOMPARE(body.value(u"type"_s).toString(), u"message"_s);
        QCOMPARE(body.value(u"role"_s).toString(), u"assistant"_s);
        QVERIFY(body.value(u"id"_s).toString().startsWith(u"msg_"_s));
        QCOMPARE(body.value(u"stop_reason"_s).toString(), u"tool_use"_s);
        const QJsonArray content = body.value(u"content"_s).toArray();
        QCOMPARE(content.size(), 2);
        QCOMPARE(content[0].toObject().value(u"type"_s).toString(), u"text"_s);
        QCOMPARE(content[0].toObject().value(u"text"_s).toString(), u"Let me check Bergen."_s);
        const QJsonObject toolUse = content[1].toObject();
        QCOMPARE(toolUse.value(u"type"_s).toString(), u"tool_use"_s);
        QCOMPARE(toolUse.value(u"id"_s).toString(), u"call_bergen9"_s);
        QCOMPARE(toolUse.value(u"name"_s).toString(), u"get_weather"_s);
        QCOMPARE(toolUse.value(u"input"_s).toObject(), kBergenInput);
        const QJsonObject usage = body.value(u"usage"_s).toObject();
        QCOMPARE(usage.value(u"input_tokens"_s).toInteger(), input);
        QCOMPARE(usage.value(u"cache_read_input_tokens"_s).toInteger(), kOaiCached);
        QCOMPARE(usage.value(u"output_tokens"_s).toInteger(), kOaiCompletion);
    } else {
        QVERIFY(reply.chunked);
        const QList<SseEvent> events = sseEvents(reply.body);
        QCOMPARE(StreamGrammar::anthropicOrderProblem(events), QString());
        const QList<StreamGrammar::AnthropicBlock> blocks = StreamGrammar::anthropicBlocks(events);
        QCOMPARE(blocks.size(), 2);
        QCOMPARE(blocks[0].type, u"text"_s);
        QCOMPARE(blocks[0].text, u"Let me check Bergen."_s);
        QCOMPARE(blocks[1].type, u"tool_use"_s);
        QCOMPARE(blocks[1].id, u"call_bergen9"_s);
        QCOMPARE(blocks[1].name, u"get_weather"_s);
        bool ok = false;
        QCOMPARE(parseObject(blocks[1].text, &ok), kBergenInput);
        QVERIFY2(ok, qPrintable(blocks[1].text));
        const QJsonObject delta = StreamGrammar::findEvent(events, u"message_delta"_s);
        QCOMPARE(delta.value(u"delta"_s).toObject().value(u"stop_reason"_s).toString(), u"tool_use"_s);
        QCOMPARE(delta.value(u"usage"_s).toObject().value(u"output_tokens"_s).toInteger(), kOaiCompletion);
        // No trace of OpenAI's own stream.
        QVERIFY(!reply.body.contains("[DONE]"));
        QVERIFY(!reply.body.contains("chat.completion.chunk"));
    }

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QCOMPARE(r.provider, u"openai"_s);
    QCOMPARE(r.endpoint, u"/v1/messages"_s);
    QVERIFY(!r.estimated);
    QCOMPARE(r.inputTokens, input);
    QCOMPARE(r.cacheReadTokens, kOaiCached);
    QCOMPARE(r.outputTokens, kOaiCompletion);
}

void tst_TranslationE2e::untranslatableFieldRefused_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("param");
    QTest::newRow("n=2 towards Anthropic")
        << QByteArray("/v1/chat/completions")
        << QByteArray(R"({"model":"claude-sonnet-4-5","n":2,"messages":[{"role":"user","content":"hi"}]})") << u"n"_s;
    QTest::newRow("n=2 streamed towards Anthropic")
        << QByteArray("/v1/chat/completions")
        << QByteArray(R"({"model":"claude-sonnet-4-5","n":2,"stream":true,"messages":[{"role":"user","content":"hi"}]})")
        << u"n"_s;
    QTest::newRow("logprobs towards Anthropic")
        << QByteArray("/v1/chat/completions")
        << QByteArray(R"({"model":"claude-sonnet-4-5","logprobs":true,"messages":[{"role":"user","content":"hi"}]})")
        << u"logprobs"_s;
    QTest::newRow("top_k towards OpenAI")
        << QByteArray("/v1/messages")
        << QByteArray(R"({"model":"gpt-4o","max_tokens":64,"top_k":5,"messages":[{"role":"user","content":"hi"}]})")
        << u"top_k"_s;
    QTest::newRow("thinking towards OpenAI")
        << QByteArray("/v1/messages")
        << QByteArray(R"({"model":"gpt-4o","max_tokens":2048,"thinking":{"type":"enabled","budget_tokens":1024},)"
                      R"("messages":[{"role":"user","content":"hi"}]})")
        << u"thinking"_s;
}

void tst_TranslationE2e::untranslatableFieldRefused()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, param);

    Fixture f;
    QVERIFY(f.gw.start());
    const HttpReply reply = f.call(path, body);
    QCOMPARE(reply.status, 400);
    const bool anthropicClient = path == "/v1/messages";
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"code"_s).toString(), u"invalid_request"_s);
    QCOMPARE(error.value(u"type"_s).toString(), u"invalid_request_error"_s);
    const QString message = error.value(u"message"_s).toString();
    QVERIFY2(message.contains(u'\'' + param + u'\''), qPrintable(message));
    if (!anthropicClient)
        QCOMPARE(error.value(u"param"_s).toString(), param);
    else
        QCOMPARE(reply.json().value(u"type"_s).toString(), u"error"_s);
    QCOMPARE(reply.header("x-should-retry"), QByteArray("false"));
    QCOMPARE(f.openai.requestCount() + f.anthropic.requestCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    QCOMPARE(f.gw.lastRecord().status, 400);
    QCOMPARE(f.gw.lastRecord().error, u"invalid_request"_s);
}

void tst_TranslationE2e::untranslatableRouteSkipped()
{
    // An alias whose first route cannot take the request (n=2 towards
    // Anthropic) goes on to the route that can, without a call to the first.
    Fixture f;
    f.gw.config().aliases.insert(u"multi"_s, {{u"anthropic"_s, u"claude-sonnet-4-5"_s}, {u"openai"_s, u"gpt-4o"_s}});
    QVERIFY(f.gw.start());
    f.openai.enqueue(FakeReply::json(Canned::openAiCompletion()));
    const HttpReply reply =
        f.call("/v1/chat/completions", R"({"model":"multi","n":2,"messages":[{"role":"user","content":"hi"}]})");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-tollgate-provider"), QByteArray("openai"));
    QCOMPARE(f.anthropic.requestCount(), 0);
    QCOMPARE(f.openai.request(0).json().value(u"n"_s).toInt(), 2);
}

void tst_TranslationE2e::providerRefusalTranslated()
{
    // Anthropic refuses an OpenAI client's request: the client reads the
    // refusal in OpenAI's shape, with Anthropic's status and message.
    Fixture f;
    QVERIFY(f.gw.start());
    f.anthropic.enqueue(FakeReply::error(400, Canned::anthropicError("messages.0.content: text content blocks must be non-empty")));
    const HttpReply reply = f.call("/v1/chat/completions", openAiToolRequest(u"claude-sonnet-4-5"_s, false, false));
    QCOMPARE(reply.status, 400);
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QVERIFY2(error.value(u"message"_s).toString().contains(u"text content blocks must be non-empty"_s),
             reply.body.constData());
    QCOMPARE(error.value(u"type"_s).toString(), u"invalid_request_error"_s);
    QVERIFY(!reply.json().contains(u"type"_s));
}

void tst_TranslationE2e::aliasFallsBackAcrossVendors_data()
{
    QTest::addColumn<bool>("anthropicClient");
    QTest::addColumn<bool>("stream");
    QTest::newRow("openai client, stream: openai 503, then anthropic") << false << true;
    QTest::newRow("openai client, whole: openai 503, then anthropic") << false << false;
    QTest::newRow("anthropic client, stream: anthropic overloaded, then openai") << true << true;
    QTest::newRow("anthropic client, whole: anthropic 529, then openai") << true << false;
}

void tst_TranslationE2e::aliasFallsBackAcrossVendors()
{
    QFETCH(bool, anthropicClient);
    QFETCH(bool, stream);

    Fixture f;
    // The client's own vendor first, the other one behind it.
    if (anthropicClient) {
        f.gw.config().aliases.insert(u"smart"_s, {{u"anthropic"_s, u"claude-sonnet-4-5"_s}, {u"openai"_s, u"gpt-4o"_s}});
    } else {
        f.gw.config().aliases.insert(u"smart"_s, {{u"openai"_s, u"gpt-4o"_s}, {u"anthropic"_s, u"claude-sonnet-4-5"_s}});
    }
    QVERIFY(f.gw.start());
    if (anthropicClient) {
        f.anthropic.enqueue(stream ? FakeReply::sse({Canned::anthropicStreamErrorEvent()})
                                   : FakeReply::error(529, Canned::anthropicError("Overloaded", "overloaded_error")));
        f.openai.enqueue(stream ? FakeReply::sse(Canned::openAiStream(true), 2) : FakeReply::json(Canned::openAiCompletion()));
    } else {
        f.openai.enqueue(FakeReply::error(503, Canned::openAiError("The engine is currently overloaded", "server_error",
                                                                   "overloaded")));
        f.anthropic.enqueue(stream ? FakeReply::sse(Canned::anthropicStream(), 2) : FakeReply::json(Canned::anthropicMessage()));
    }

    const QByteArray body = anthropicClient
        ? QByteArray(R"({"model":"smart","max_tokens":256,"system":"You are terse.",)"
                     R"("messages":[{"role":"user","content":"Say hello to the gateway."}])"
                     + QByteArray(stream ? R"(,"stream":true})" : "}"))
        : QByteArray(R"({"model":"smart","messages":[{"role":"system","content":"You are terse."},)"
                     R"({"role":"user","content":"Say hello to the gateway."}])"
                     + QByteArray(stream ? R"(,"stream":true})" : "}"));
    const HttpReply reply = f.call(anthropicClient ? "/v1/messages" : "/v1/chat/completions", body);
    QVERIFY2(reply.error.isEmpty(), qPrintable(reply.error));
    QCOMPARE(reply.status, 200);
    const QByteArray second = anthropicClient ? "openai" : "anthropic";
    QCOMPARE(reply.header("x-tollgate-provider"), second);
    QCOMPARE(f.openai.requestCount(), 1);
    QCOMPARE(f.anthropic.requestCount(), 1);
    // Each provider got the alias's model for it, in its own format.
    QCOMPARE(f.openai.request(0).json().value(u"model"_s).toString(), u"gpt-4o"_s);
    QCOMPARE(f.openai.request(0).target, QByteArray("/v1/chat/completions"));
    QCOMPARE(f.anthropic.request(0).json().value(u"model"_s).toString(), u"claude-sonnet-4-5"_s);
    QCOMPARE(f.anthropic.request(0).target, QByteArray("/v1/messages"));
    QCOMPARE(f.anthropic.request(0).json().value(u"system"_s).toString(), u"You are terse."_s);

    if (anthropicClient) {
        const QString expected = u"Hello, gateway!"_s; // what Canned's OpenAI answers say
        if (stream) {
            const QList<SseEvent> events = sseEvents(reply.body);
            QCOMPARE(StreamGrammar::anthropicOrderProblem(events), QString());
            const auto blocks = StreamGrammar::anthropicBlocks(events);
            QCOMPARE(blocks.size(), 1);
            QCOMPARE(blocks[0].text, u"Hello! The gateway forwards every event as it arrives, byte for byte."_s);
            // Nothing of the overloaded first attempt reached the client.
            QVERIFY(!reply.body.contains("overloaded"));
        } else {
            const QJsonObject answer = reply.json();
            QCOMPARE(answer.value(u"type"_s).toString(), u"message"_s);
            QCOMPARE(answer.value(u"content"_s).toArray().first().toObject().value(u"text"_s).toString(), expected);
            QCOMPARE(answer.value(u"model"_s).toString(), u"gpt-4o-mini-2024-07-18"_s);
        }
    } else {
        if (stream) {
            const QList<SseEvent> events = sseEvents(reply.body);
            const StreamGrammar::OpenAiView view = StreamGrammar::openAiView(events);
            QVERIFY2(view.problem.isEmpty(), qPrintable(view.problem));
            QVERIFY(view.done);
            QCOMPARE(view.content, u"Hello! The gateway forwards every event as it arrives, byte for byte."_s);
            QCOMPARE(view.finishReason, u"stop"_s);
            // The provider's own model, as the contract says.
            QCOMPARE(view.model, u"claude-sonnet-4-5-20250929"_s);
            QVERIFY(events.size() > 10); // streamed, not one lump
        } else {
            const QJsonObject answer = reply.json();
            QCOMPARE(answer.value(u"object"_s).toString(), u"chat.completion"_s);
            QCOMPARE(answer.value(u"choices"_s).toArray().first().toObject().value(u"message"_s).toObject()
                         .value(u"content"_s).toString(),
                     u"Hello, gateway!"_s);
            QCOMPARE(answer.value(u"model"_s).toString(), u"claude-sonnet-4-5-20250929"_s);
        }
    }

    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    const UsageRecord r = f.gw.lastRecord();
    QCOMPARE(r.model, u"smart"_s);   // the name the client asked for
    QCOMPARE(r.provider, QString::fromLatin1(second));
    QCOMPARE(r.status, 200);
    QVERIFY(!r.estimated);
}

void tst_TranslationE2e::translatedStreamOverloadedFallsBack()
{
    // The failing first route is itself a translated one: an OpenAI client
    // streaming from Anthropic, whose first event is overloaded_error.
    Fixture f;
    f.gw.config().aliases.insert(u"smart"_s, {{u"anthropic"_s, u"claude-sonnet-4-5"_s}, {u"openai"_s, u"gpt-4o"_s}});
    QVERIFY(f.gw.start());
    f.anthropic.enqueue(FakeReply::sse({Canned::anthropicStreamErrorEvent()}));
    f.openai.enqueue(FakeReply::sse(Canned::openAiStream(true), 2));
    const HttpReply reply = f.call("/v1/chat/completions", Canned::openAiRequest("smart", true, true));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("x-tollgate-provider"), QByteArray("openai"));
    // Exactly OpenAI's stream, nothing of the translated attempt before it.
    QCOMPARE(reply.body, Canned::join(Canned::openAiStream(true)));
    QCOMPARE(f.anthropic.requestCount(), 1);
    QCOMPARE(f.openai.requestCount(), 1);
}

QTEST_GUILESS_MAIN(tst_TranslationE2e)
#include "tst_translation_e2e.moc"
