// tollgate-test-links: tollgate_wire

// RequestTranslator lets either endpoint serve a model whose provider speaks
// the other format. What a user notices: the provider gets the same
// conversation (system prompt, images, tool calls and results, stop
// sequences, limits), a round trip through the other format keeps its
// meaning, and what cannot be translated is refused with a 400 naming the
// field instead of silently changing the answer.

#include "wire/requesttranslator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

// Declared before the test data: moc 6.4 loses its way in raw string
// literals holding quotes or apostrophes, and must see the class first.
class tst_RequestTranslator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openAiSystemPromptsAndSampling();
    void openAiDefaultsAnthropicNeeds();
    void openAiImages();
    void openAiToolCallsAndResults();
    void openAiToolChoice_data();
    void openAiToolChoice();
    void openAiMergesSameRoleAndKeepsCacheControl();
    void openAiToolIdsMadeValid();
    void openAiRefusals_data();
    void openAiRefusals();
    void anthropicToolConversation();
    void anthropicToolChoice_data();
    void anthropicToolChoice();
    void anthropicReasoningModelLimit();
    void anthropicRefusals_data();
    void anthropicRefusals();
    void roundTripOpenAi();
    void roundTripAnthropic();
    void sameFormatRenamesModel();
};

namespace {

QJsonObject json(const QByteArray &text)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &pe);
    if (pe.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(pe.errorString()));
    return doc.object();
}

QJsonObject translated(WireFormat from, WireFormat to, const QJsonObject &body, const QString &model = u"target"_s)
{
    GatewayError error;
    const auto out = RequestTranslator::translate(from, to, body, model, &error);
    if (!out) {
        qWarning("refused: %s", qPrintable(error.message()));
        return {};
    }
    return QJsonDocument::fromJson(*out).object();
}

QJsonObject toAnthropic(const QByteArray &body)
{
    return translated(WireFormat::OpenAI, WireFormat::Anthropic, json(body), u"claude-sonnet-4-5"_s);
}

QJsonObject toOpenAi(const QByteArray &body, const QString &model = u"gpt-4o"_s)
{
    return translated(WireFormat::Anthropic, WireFormat::OpenAI, json(body), model);
}

QJsonObject merged(QJsonObject base, const QJsonObject &patch)
{
    for (auto it = patch.begin(); it != patch.end(); ++it)
        base.insert(it.key(), it.value());
    return base;
}

// The weather conversation of OpenAI's function-calling guide, with a
// parallel call and its two results.
const QByteArray openAiToolConversation = R"({
  "model": "smart",
  "messages": [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What's the weather like in San Francisco and Paris?"},
    {"role": "assistant", "content": null, "tool_calls": [
      {"id": "call_abc123", "type": "function",
       "function": {"name": "get_current_weather", "arguments": "{\"location\": \"San Francisco, CA\", \"unit\": \"celsius\"}"}},
      {"id": "call_def456", "type": "function",
       "function": {"name": "get_current_weather", "arguments": "{\"location\": \"Paris, France\"}"}}]},
    {"role": "tool", "tool_call_id": "call_abc123", "content": "{\"temperature\": 22, \"unit\": \"celsius\"}"},
    {"role": "tool", "tool_call_id": "call_def456", "content": "{\"temperature\": 15}"},
    {"role": "user", "content": "Which one is warmer?"}
  ],
  "tools": [{"type": "function", "function": {
    "name": "get_current_weather", "description": "Get the current weather in a given location",
    "parameters": {"type": "object", "properties": {
      "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
      "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}}],
  "tool_choice": "auto",
  "stop": ["\n\nHuman:", "END"],
  "max_tokens": 512,
  "temperature": 0.2
})";

// Anthropic's tool-use example, with the result sent back and an image.
const QByteArray anthropicToolBody = R"({
  "model": "smart",
  "max_tokens": 1024,
  "system": [{"type": "text", "text": "You are a weather bot."},
             {"type": "text", "text": "Answer briefly.", "cache_control": {"type": "ephemeral"}}],
  "messages": [
    {"role": "user", "content": [
      {"type": "text", "text": "What is the weather like where this photo was taken?"},
      {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQSkZJRg=="}}]},
    {"role": "assistant", "content": [
      {"type": "thinking", "thinking": "The photo shows the Golden Gate.", "signature": "EqQBCgIYAhIM"},
      {"type": "text", "text": "I'll check the weather in San Francisco."},
      {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather",
       "input": {"location": "San Francisco, CA", "unit": "celsius"}}]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9",
       "content": [{"type": "text", "text": "15 degrees"}, {"type": "text", "text": "foggy"}]},
      {"type": "text", "text": "And tomorrow?"}]}
  ],
  "tools": [{"name": "get_weather", "description": "Get the current weather in a given location",
             "input_schema": {"type": "object", "properties": {"location": {"type": "string"},
                              "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                              "required": ["location"]}}],
  "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
  "stop_sequences": ["###"],
  "temperature": 0.5,
  "top_p": 0.9,
  "metadata": {"user_id": "user-7"},
  "stream": true
})";

QJsonObject parsedArguments(const QJsonObject &call)
{
    return QJsonDocument::fromJson(call.value(u"function").toObject().value(u"arguments").toString().toUtf8())
            .object();
}

} // namespace


void tst_RequestTranslator::openAiSystemPromptsAndSampling()
{
    const QJsonObject out = toAnthropic(R"({
      "model": "smart", "stream": true, "user": "user-123",
      "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
        {"role": "user", "content": "Hello!"}],
      "max_completion_tokens": 300, "temperature": 1.6, "top_p": 0.9, "stop": "END",
      "seed": 7, "store": false, "stream_options": {"include_usage": true}})");
    QCOMPARE(out.value(u"model").toString(), u"claude-sonnet-4-5"_s);
    QCOMPARE(out.value(u"system").toString(), u"You are terse.\n\nAnswer in French."_s);
    const QJsonArray messages = out.value(u"messages").toArray();
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).toObject().value(u"role").toString(), u"user"_s);
    QCOMPARE(messages.at(0).toObject().value(u"content").toString(), u"Hello!"_s);
    QCOMPARE(out.value(u"max_tokens").toInteger(), 300);
    QCOMPARE(out.value(u"temperature").toDouble(), 1.0);   // OpenAI's 0..2 clamped to Anthropic's 0..1
    QCOMPARE(out.value(u"top_p").toDouble(), 0.9);
    QCOMPARE(out.value(u"stop_sequences").toArray(), QJsonArray{u"END"_s});
    QCOMPARE(out.value(u"metadata").toObject().value(u"user_id").toString(), u"user-123"_s);
    QCOMPARE(out.value(u"stream").toBool(), true);
    // Nothing Anthropic would reject as unknown.
    for (const char *dropped : {"seed", "store", "stream_options", "user", "stop", "max_completion_tokens"})
        QVERIFY2(!out.contains(QLatin1StringView(dropped)), dropped);
}

void tst_RequestTranslator::openAiDefaultsAnthropicNeeds()
{
    const QJsonObject out = toAnthropic(R"({"model": "m", "messages": [{"role": "user", "content": "Hi"}]})");
    QCOMPARE(out.value(u"max_tokens").toInteger(), 4096);
    QVERIFY(!out.contains(u"stream"));
    QVERIFY(!out.contains(u"system"));
    QVERIFY(!out.contains(u"tool_choice"));
}

void tst_RequestTranslator::openAiImages()
{
    const QJsonObject out = toAnthropic(R"({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "What is in these images?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "https://upload.wikimedia.org/wikipedia/commons/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg"}}
      ]}]})");
    const QJsonArray blocks = out.value(u"messages").toArray().at(0).toObject().value(u"content").toArray();
    QCOMPARE(blocks.size(), 3);
    QCOMPARE(blocks.at(0).toObject(), json(R"({"type": "text", "text": "What is in these images?"})"));
    QCOMPARE(blocks.at(1).toObject(), json(R"({"type": "image", "source": {"type": "base64",
                                             "media_type": "image/png", "data": "iVBORw0KGgo="}})"));
    QCOMPARE(blocks.at(2).toObject(), json(R"({"type": "image", "source": {"type": "url",
        "url": "https://upload.wikimedia.org/wikipedia/commons/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg"}})"));
}

void tst_RequestTranslator::openAiToolCallsAndResults()
{
    const QJsonObject out = toAnthropic(openAiToolConversation);
    QCOMPARE(out.value(u"system").toString(), u"You are a helpful assistant."_s);
    const QJsonArray messages = out.value(u"messages").toArray();
    QCOMPARE(messages.size(), 3);

    const QJsonObject assistant = messages.at(1).toObject();
    QCOMPARE(assistant.value(u"role").toString(), u"assistant"_s);
    const QJsonArray calls = assistant.value(u"content").toArray();
    QCOMPARE(calls.size(), 2);   // no empty text block for content: null
    QCOMPARE(calls.at(0).toObject(), json(R"({"type": "tool_use", "id": "call_abc123", "name": "get_current_weather",
        "input": {"location": "San Francisco, CA", "unit": "celsius"}})"));
    QCOMPARE(calls.at(1).toObject().value(u"input").toObject(), json(R"({"location": "Paris, France"})"));

    // Both tool results and the next question form one user turn, results first.
    const QJsonObject results = messages.at(2).toObject();
    QCOMPARE(results.value(u"role").toString(), u"user"_s);
    const QJsonArray blocks = results.value(u"content").toArray();
    QCOMPARE(blocks.size(), 3);
    QCOMPARE(blocks.at(0).toObject(), json(R"({"type": "tool_result", "tool_use_id": "call_abc123",
                                             "content": "{\"temperature\": 22, \"unit\": \"celsius\"}"})"));
    QCOMPARE(blocks.at(1).toObject().value(u"tool_use_id").toString(), u"call_def456"_s);
    QCOMPARE(blocks.at(2).toObject(), json(R"({"type": "text", "text": "Which one is warmer?"})"));

    const QJsonArray tools = out.value(u"tools").toArray();
    QCOMPARE(tools.size(), 1);
    const QJsonObject tool = tools.at(0).toObject();
    QCOMPARE(tool.value(u"name").toString(), u"get_current_weather"_s);
    QCOMPARE(tool.value(u"description").toString(), u"Get the current weather in a given location"_s);
    QCOMPARE(tool.value(u"input_schema").toObject().value(u"required").toArray(), QJsonArray{u"location"_s});
    QCOMPARE(out.value(u"tool_choice").toObject(), json(R"({"type": "auto"})"));
    QCOMPARE(out.value(u"stop_sequences").toArray(), (QJsonArray{u"\n\nHuman:"_s, u"END"_s}));
}

void tst_RequestTranslator::openAiToolChoice_data()
{
    QTest::addColumn<QByteArray>("patch");
    QTest::addColumn<QByteArray>("expected");   // empty: no tool_choice
    QTest::newRow("auto") << QByteArray(R"({"tool_choice": "auto"})") << QByteArray(R"({"type": "auto"})");
    QTest::newRow("none") << QByteArray(R"({"tool_choice": "none"})") << QByteArray(R"({"type": "none"})");
    QTest::newRow("required") << QByteArray(R"({"tool_choice": "required"})") << QByteArray(R"({"type": "any"})");
    QTest::newRow("named") << QByteArray(R"({"tool_choice": {"type": "function", "function": {"name": "lookup"}}})")
                           << QByteArray(R"({"type": "tool", "name": "lookup"})");
    QTest::newRow("no parallel") << QByteArray(R"({"parallel_tool_calls": false})")
                                 << QByteArray(R"({"type": "auto", "disable_parallel_tool_use": true})");
    QTest::newRow("required, no parallel")
            << QByteArray(R"({"tool_choice": "required", "parallel_tool_calls": false})")
            << QByteArray(R"({"type": "any", "disable_parallel_tool_use": true})");
    QTest::newRow("absent") << QByteArray("{}") << QByteArray();
}

void tst_RequestTranslator::openAiToolChoice()
{
    QFETCH(QByteArray, patch);
    QFETCH(QByteArray, expected);
    const QJsonObject base = json(R"({"model": "m", "messages": [{"role": "user", "content": "Look it up"}],
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object",
                   "properties": {"q": {"type": "string"}}}}}]})");
    const QJsonObject out = translated(WireFormat::OpenAI, WireFormat::Anthropic, merged(base, json(patch)));
    QVERIFY(!out.isEmpty());
    if (expected.isEmpty())
        QVERIFY(!out.contains(u"tool_choice"));
    else
        QCOMPARE(out.value(u"tool_choice").toObject(), json(expected));
}

void tst_RequestTranslator::openAiMergesSameRoleAndKeepsCacheControl()
{
    const QJsonObject out = toAnthropic(R"({"model": "m", "messages": [
        {"role": "user", "content": [{"type": "text", "text": "Long document…",
                                      "cache_control": {"type": "ephemeral"}}]},
        {"role": "user", "content": "Summarise it."},
        {"role": "assistant", "content": "Sure."},
        {"role": "assistant", "content": [{"type": "text", "text": "Here it is."}]}]})");
    const QJsonArray messages = out.value(u"messages").toArray();
    QCOMPARE(messages.size(), 2);
    const QJsonArray user = messages.at(0).toObject().value(u"content").toArray();
    QCOMPARE(user.size(), 2);
    QCOMPARE(user.at(0).toObject().value(u"cache_control").toObject(), json(R"({"type": "ephemeral"})"));
    QCOMPARE(messages.at(1).toObject().value(u"content").toArray().size(), 2);
}

void tst_RequestTranslator::openAiToolIdsMadeValid()
{
    // Some OpenAI-compatible servers mint ids Anthropic rejects.
    const QJsonObject out = toAnthropic(R"({"model": "m", "messages": [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "tool_calls": [{"id": "functions.get_weather:0", "type": "function",
                                              "function": {"name": "get_weather", "arguments": ""}}]},
        {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "sunny"}]})");
    const QJsonArray messages = out.value(u"messages").toArray();
    const QJsonObject use = messages.at(1).toObject().value(u"content").toArray().at(0).toObject();
    const QJsonObject result = messages.at(2).toObject().value(u"content").toArray().at(0).toObject();
    QCOMPARE(use.value(u"id").toString(), u"functions_get_weather_0"_s);
    QCOMPARE(use.value(u"input").toObject(), QJsonObject());   // empty arguments: no input
    QCOMPARE(result.value(u"tool_use_id").toString(), use.value(u"id").toString());
}

void tst_RequestTranslator::openAiRefusals_data()
{
    QTest::addColumn<QByteArray>("patch");
    QTest::addColumn<QString>("param");

    const auto message = [](const char *content) -> QByteArray {
        return QByteArray(R"({"messages": [{"role": "user", "content": )") + content + "}]}";
    };
    QTest::newRow("n") << QByteArray(R"({"n": 3})") << u"n"_s;
    QTest::newRow("logprobs") << QByteArray(R"({"logprobs": true})") << u"logprobs"_s;
    QTest::newRow("top_logprobs") << QByteArray(R"({"top_logprobs": 5})") << u"top_logprobs"_s;
    QTest::newRow("json_schema") << QByteArray(R"({"response_format": {"type": "json_schema", "json_schema":
                                               {"name": "x", "schema": {"type": "object"}}}})")
                                 << u"response_format"_s;
    QTest::newRow("json_object") << QByteArray(R"({"response_format": {"type": "json_object"}})")
                                 << u"response_format"_s;
    QTest::newRow("audio") << QByteArray(R"({"audio": {"voice": "alloy", "format": "wav"}})") << u"audio"_s;
    QTest::newRow("modalities") << QByteArray(R"({"modalities": ["text", "audio"]})") << u"modalities"_s;
    QTest::newRow("frequency_penalty") << QByteArray(R"({"frequency_penalty": 0.5})") << u"frequency_penalty"_s;
    QTest::newRow("presence_penalty") << QByteArray(R"({"presence_penalty": -1})") << u"presence_penalty"_s;
    QTest::newRow("logit_bias") << QByteArray(R"({"logit_bias": {"50256": -100}})") << u"logit_bias"_s;
    QTest::newRow("reasoning_effort") << QByteArray(R"({"reasoning_effort": "high"})") << u"reasoning_effort"_s;
    QTest::newRow("functions") << QByteArray(R"({"functions": [{"name": "f", "parameters": {}}]})")
                               << u"functions"_s;
    QTest::newRow("input_audio") << message(R"([{"type": "input_audio",
                                            "input_audio": {"data": "UklGRg==", "format": "wav"}}])")
                                 << u"messages[0].content[0]"_s;
    QTest::newRow("file") << message(R"([{"type": "text", "text": "Summarise"},
                                     {"type": "file", "file": {"file_id": "file-abc"}}])")
                          << u"messages[0].content[1]"_s;
    QTest::newRow("bmp image") << message(R"([{"type": "image_url", "image_url": {"url": "data:image/bmp;base64,Qk0="}}])")
                               << u"messages[0].content[0].image_url"_s;
    QTest::newRow("ftp image") << message(R"([{"type": "image_url", "image_url": {"url": "ftp://host/a.png"}}])")
                               << u"messages[0].content[0].image_url"_s;
    QTest::newRow("bad arguments")
            << QByteArray(R"({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [
                          {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                          {"id": "call_2", "type": "function", "function": {"name": "f", "arguments": "{\"a\": "}}]}]})")
            << u"messages[1].tool_calls[1].function.arguments"_s;
    QTest::newRow("function role") << QByteArray(R"({"messages": [{"role": "user", "content": "hi"},
                                                 {"role": "function", "name": "f", "content": "42"}]})")
                                   << u"messages[1].role"_s;
    QTest::newRow("custom tool") << QByteArray(R"({"tools": [{"type": "custom", "custom": {"name": "grammar"}}]})")
                                 << u"tools[0].type"_s;
    QTest::newRow("tool without id") << QByteArray(R"({"messages": [{"role": "user", "content": "hi"},
                                                   {"role": "tool", "content": "42"}]})")
                                     << u"messages[1].tool_call_id"_s;
}

void tst_RequestTranslator::openAiRefusals()
{
    QFETCH(QByteArray, patch);
    QFETCH(QString, param);
    const QJsonObject body = merged(json(R"({"model": "m", "messages": [{"role": "user", "content": "Hi"}]})"),
                                    json(patch));
    GatewayError error;
    const auto out = RequestTranslator::translate(WireFormat::OpenAI, WireFormat::Anthropic, body, u"claude"_s, &error);
    QVERIFY(!out);
    QCOMPARE(error.code(), GatewayError::Code::InvalidRequest);
    QCOMPARE(error.httpStatus(), 400);
    QCOMPARE(error.param(), param);
    QVERIFY2(error.message().contains(u'\'' + param + u'\''), qPrintable(error.message()));
}

void tst_RequestTranslator::anthropicToolConversation()
{
    const QJsonObject out = toOpenAi(anthropicToolBody);
    QCOMPARE(out.value(u"model").toString(), u"gpt-4o"_s);
    const QJsonArray messages = out.value(u"messages").toArray();
    QCOMPARE(messages.size(), 5);

    QCOMPARE(messages.at(0).toObject(), json(R"({"role": "system",
                                               "content": "You are a weather bot.\n\nAnswer briefly."})"));
    const QJsonArray parts = messages.at(1).toObject().value(u"content").toArray();
    QCOMPARE(parts.size(), 2);
    QCOMPARE(parts.at(1).toObject(), json(R"({"type": "image_url",
                                            "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQSkZJRg=="}})"));

    // The thinking block is gone; text and tool call remain.
    const QJsonObject assistant = messages.at(2).toObject();
    QCOMPARE(assistant.value(u"content").toString(), u"I'll check the weather in San Francisco."_s);
    const QJsonObject call = assistant.value(u"tool_calls").toArray().at(0).toObject();
    QCOMPARE(call.value(u"id").toString(), u"toolu_01A09q90qw90lq917835lq9"_s);
    QCOMPARE(call.value(u"type").toString(), u"function"_s);
    QCOMPARE(call.value(u"function").toObject().value(u"name").toString(), u"get_weather"_s);
    QCOMPARE(parsedArguments(call), json(R"({"location": "San Francisco, CA", "unit": "celsius"})"));

    // The tool result comes straight after the call, the question after it.
    QCOMPARE(messages.at(3).toObject(), json(R"({"role": "tool", "tool_call_id": "toolu_01A09q90qw90lq917835lq9",
                                               "content": "15 degrees\nfoggy"})"));
    QCOMPARE(messages.at(4).toObject(), json(R"({"role": "user", "content": "And tomorrow?"})"));

    const QJsonObject tool = out.value(u"tools").toArray().at(0).toObject();
    QCOMPARE(tool.value(u"type").toString(), u"function"_s);
    QCOMPARE(tool.value(u"function").toObject().value(u"name").toString(), u"get_weather"_s);
    QCOMPARE(tool.value(u"function").toObject().value(u"parameters").toObject().value(u"required").toArray(),
             QJsonArray{u"location"_s});
    QCOMPARE(out.value(u"tool_choice").toString(), u"required"_s);
    QCOMPARE(out.value(u"parallel_tool_calls").toBool(true), false);
    QCOMPARE(out.value(u"stop").toArray(), QJsonArray{u"###"_s});
    QCOMPARE(out.value(u"max_tokens").toInteger(), 1024);
    QCOMPARE(out.value(u"temperature").toDouble(), 0.5);
    QCOMPARE(out.value(u"top_p").toDouble(), 0.9);
    QCOMPARE(out.value(u"user").toString(), u"user-7"_s);
    QCOMPARE(out.value(u"stream").toBool(), true);
    QCOMPARE(out.value(u"stream_options").toObject(), json(R"({"include_usage": true})"));
    for (const char *dropped : {"system", "metadata", "stop_sequences", "tool_result"})
        QVERIFY2(!out.contains(QLatin1StringView(dropped)), dropped);
}

void tst_RequestTranslator::anthropicToolChoice_data()
{
    QTest::addColumn<QByteArray>("choice");
    QTest::addColumn<QByteArray>("expected");   // a JSON value
    QTest::newRow("auto") << QByteArray(R"({"type": "auto"})") << QByteArray(R"("auto")");
    QTest::newRow("any") << QByteArray(R"({"type": "any"})") << QByteArray(R"("required")");
    QTest::newRow("none") << QByteArray(R"({"type": "none"})") << QByteArray(R"("none")");
    QTest::newRow("tool") << QByteArray(R"({"type": "tool", "name": "lookup"})")
                          << QByteArray(R"({"type": "function", "function": {"name": "lookup"}})");
}

void tst_RequestTranslator::anthropicToolChoice()
{
    QFETCH(QByteArray, choice);
    QFETCH(QByteArray, expected);
    QJsonObject body = json(R"({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "x"}],
        "tools": [{"name": "lookup", "input_schema": {"type": "object"}}]})");
    body.insert(u"tool_choice"_s, json(choice));
    const QJsonObject out = translated(WireFormat::Anthropic, WireFormat::OpenAI, body);
    const QJsonValue want = QJsonDocument::fromJson("[" + expected + "]").array().at(0);
    QCOMPARE(out.value(u"tool_choice"), want);
}

void tst_RequestTranslator::anthropicReasoningModelLimit()
{
    const QByteArray body = R"({"model": "m", "max_tokens": 2048, "messages": [{"role": "user", "content": "x"}]})";
    QCOMPARE(toOpenAi(body, u"o3-mini"_s).value(u"max_completion_tokens").toInteger(), 2048);
    QVERIFY(!toOpenAi(body, u"o3-mini"_s).contains(u"max_tokens"));
    QCOMPARE(toOpenAi(body, u"gpt-5"_s).value(u"max_completion_tokens").toInteger(), 2048);
    QCOMPARE(toOpenAi(body, u"llama3.1:8b"_s).value(u"max_tokens").toInteger(), 2048);
    QCOMPARE(toOpenAi(body, u"gpt-4o-mini"_s).value(u"max_tokens").toInteger(), 2048);
}

void tst_RequestTranslator::anthropicRefusals_data()
{
    QTest::addColumn<QByteArray>("patch");
    QTest::addColumn<QString>("param");
    const auto user = [](const char *blocks) -> QByteArray {
        return QByteArray(R"({"messages": [{"role": "user", "content": )") + blocks + "}]}";
    };
    QTest::newRow("top_k") << QByteArray(R"({"top_k": 40})") << u"top_k"_s;
    QTest::newRow("thinking") << QByteArray(R"({"thinking": {"type": "enabled", "budget_tokens": 10000}})")
                              << u"thinking"_s;
    QTest::newRow("server tool") << QByteArray(R"({"tools": [{"name": "get_weather", "input_schema": {"type": "object"}},
                                               {"type": "web_search_20250305", "name": "web_search", "max_uses": 5}]})")
                                 << u"tools[1].type"_s;
    QTest::newRow("document") << user(R"([{"type": "document", "source": {"type": "base64",
                                       "media_type": "application/pdf", "data": "JVBERi0="}},
                                       {"type": "text", "text": "Summarise"}])")
                              << u"messages[0].content[0]"_s;
    QTest::newRow("search_result") << user(R"([{"type": "text", "text": "x"}, {"type": "search_result",
                                            "source": "https://a", "title": "A", "content": []}])")
                                   << u"messages[0].content[1]"_s;
    QTest::newRow("image in tool result")
            << user(R"([{"type": "tool_result", "tool_use_id": "toolu_1", "content": [
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBO"}}]}])")
            << u"messages[0].content[0].content[0]"_s;
    QTest::newRow("citations") << QByteArray(R"({"messages": [{"role": "user", "content": "q"},
                                 {"role": "assistant", "content": [{"type": "text", "text": "The grass is green.",
                                  "citations": [{"type": "char_location", "cited_text": "green",
                                  "document_index": 0, "start_char_index": 0, "end_char_index": 5}]}]}]})")
                               << u"messages[1].content[0].citations"_s;
    QTest::newRow("container") << QByteArray(R"({"container": "container_011CQ"})") << u"container"_s;
    QTest::newRow("mcp_servers") << QByteArray(R"({"mcp_servers": [{"type": "url", "url": "https://mcp.example",
                                               "name": "ex"}]})")
                                 << u"mcp_servers"_s;
}

void tst_RequestTranslator::anthropicRefusals()
{
    QFETCH(QByteArray, patch);
    QFETCH(QString, param);
    const QJsonObject body = merged(json(R"({"model": "m", "max_tokens": 100,
                                             "messages": [{"role": "user", "content": "Hi"}]})"),
                                    json(patch));
    GatewayError error;
    const auto out = RequestTranslator::translate(WireFormat::Anthropic, WireFormat::OpenAI, body, u"gpt-4o"_s, &error);
    QVERIFY(!out);
    QCOMPARE(error.httpStatus(), 400);
    QCOMPARE(error.param(), param);
    QVERIFY2(error.message().contains(u'\'' + param + u'\''), qPrintable(error.message()));
}

void tst_RequestTranslator::roundTripOpenAi()
{
    const QJsonObject original = json(openAiToolConversation);
    const QJsonObject anthropic = translated(WireFormat::OpenAI, WireFormat::Anthropic, original);
    const QJsonObject back = translated(WireFormat::Anthropic, WireFormat::OpenAI, anthropic, u"gpt-4o"_s);

    const QJsonArray before = original.value(u"messages").toArray();
    const QJsonArray after = back.value(u"messages").toArray();
    QCOMPARE(after.size(), before.size());
    for (qsizetype i = 0; i < before.size(); ++i) {
        const QJsonObject b = before.at(i).toObject();
        const QJsonObject a = after.at(i).toObject();
        QCOMPARE(a.value(u"role"), b.value(u"role"));
        QCOMPARE(a.value(u"content"), b.value(u"content"));
        QCOMPARE(a.value(u"tool_call_id"), b.value(u"tool_call_id"));
        const QJsonArray bc = b.value(u"tool_calls").toArray();
        const QJsonArray ac = a.value(u"tool_calls").toArray();
        QCOMPARE(ac.size(), bc.size());
        for (qsizetype j = 0; j < bc.size(); ++j) {
            QCOMPARE(ac.at(j).toObject().value(u"id"), bc.at(j).toObject().value(u"id"));
            QCOMPARE(parsedArguments(ac.at(j).toObject()), parsedArguments(bc.at(j).toObject()));
        }
    }
    QCOMPARE(back.value(u"tools"), original.value(u"tools"));
    QCOMPARE(back.value(u"tool_choice"), original.value(u"tool_choice"));
    QCOMPARE(back.value(u"stop"), original.value(u"stop"));
    QCOMPARE(back.value(u"max_tokens"), original.value(u"max_tokens"));
    QCOMPARE(back.value(u"temperature"), original.value(u"temperature"));
}

void tst_RequestTranslator::roundTripAnthropic()
{
    QJsonObject original = json(anthropicToolBody);
    const QJsonObject openAi = translated(WireFormat::Anthropic, WireFormat::OpenAI, original);
    const QJsonObject back = translated(WireFormat::OpenAI, WireFormat::Anthropic, openAi, u"claude"_s);

    QCOMPARE(back.value(u"system").toString(), u"You are a weather bot.\n\nAnswer briefly."_s);
    const QJsonArray messages = back.value(u"messages").toArray();
    QCOMPARE(messages.size(), 3);
    QCOMPARE(messages.at(0).toObject().value(u"content"), original.value(u"messages")[0].toObject().value(u"content"));
    const QJsonArray assistant = messages.at(1).toObject().value(u"content").toArray();
    QCOMPARE(assistant.size(), 2);   // thinking does not survive the trip
    QCOMPARE(assistant.at(1), original.value(u"messages")[1].toObject().value(u"content")[2]);
    const QJsonArray results = messages.at(2).toObject().value(u"content").toArray();
    QCOMPARE(results.at(0).toObject().value(u"content").toString(), u"15 degrees\nfoggy"_s);
    QCOMPARE(results.at(1).toObject().value(u"text").toString(), u"And tomorrow?"_s);
    QCOMPARE(back.value(u"tool_choice").toObject(), json(R"({"type": "any", "disable_parallel_tool_use": true})"));
    QCOMPARE(back.value(u"tools").toArray().at(0).toObject().value(u"input_schema"),
             original.value(u"tools")[0].toObject().value(u"input_schema"));
    QCOMPARE(back.value(u"stop_sequences"), original.value(u"stop_sequences"));
    QCOMPARE(back.value(u"metadata"), original.value(u"metadata"));
    QCOMPARE(back.value(u"max_tokens"), original.value(u"max_tokens"));
    QCOMPARE(back.value(u"stream").toBool(), true);
    QVERIFY(!back.contains(u"stream_options"));
}

void tst_RequestTranslator::sameFormatRenamesModel()
{
    const QJsonObject body = json(R"({"model": "smart", "stream": true, "messages": [{"role": "user", "content": "x"}],
                                      "tollgate": {"prompt": "p"}})");
    const QJsonObject out = translated(WireFormat::OpenAI, WireFormat::OpenAI, body, u"gpt-4o"_s);
    QCOMPARE(out.value(u"model").toString(), u"gpt-4o"_s);
    QCOMPARE(out.value(u"messages"), body.value(u"messages"));
    QCOMPARE(out.value(u"stream_options").toObject(), json(R"({"include_usage": true})"));
    QVERIFY(!out.contains(u"tollgate"));
}

QTEST_GUILESS_MAIN(tst_RequestTranslator)
#include "tst_requesttranslator.moc"
