// tollgate-test-links: tollgate_wire

// ResponseTranslator gives a client the response body its SDK expects when
// the provider speaks the other format: the text, the tool calls with their
// arguments intact, the stop reason the client acts on, and usage that
// meters to the same tokens (cache reads included). Provider errors arrive in
// the client's error shape with the provider's message.

#include "wire/responsetranslator.h"
#include "wire/usageparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

char *toString(const TokenUsage &u)
{
    return QTest::toString(QByteArray("in=" + QByteArray::number(u.inputTokens) + " out="
                                      + QByteArray::number(u.outputTokens) + " cacheRead="
                                      + QByteArray::number(u.cacheReadTokens) + " cacheWrite="
                                      + QByteArray::number(u.cacheWriteTokens)));
}

// Declared before the test data: moc 6.4 loses its way in raw string
// literals holding quotes or apostrophes, and must see the class first.
class tst_ResponseTranslator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openAiTextToAnthropic();
    void openAiToolCallsToAnthropic();
    void openAiFinishReasons_data();
    void openAiFinishReasons();
    void anthropicToOpenAi();
    void anthropicStopReasons_data();
    void anthropicStopReasons();
    void usageWithCacheTokens_data();
    void usageWithCacheTokens();
    void roundTrip();
    void errors_data();
    void errors();
    void notJson();
};

namespace {

QJsonObject json(const QByteArray &text)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &pe);
    if (pe.error != QJsonParseError::NoError)
        qFatal("bad JSON: %s in %s", qPrintable(pe.errorString()), text.constData());
    return doc.object();
}

QJsonObject translate(WireFormat from, WireFormat to, const QByteArray &body)
{
    return json(ResponseTranslator::translate(from, to, body));
}

// From OpenAI's chat completions reference.
const QByteArray openAiText = R"({
  "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
  "object": "chat.completion",
  "created": 1741569952,
  "model": "gpt-4o-2024-08-06",
  "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello! How can I assist you today?",
               "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}],
  "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
  "service_tier": "default"
})";

const QByteArray openAiTools = R"({
  "id": "chatcmpl-abc123", "object": "chat.completion", "created": 1699896916, "model": "gpt-4o-mini",
  "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": [
      {"id": "call_abc123", "type": "function",
       "function": {"name": "get_current_weather", "arguments": "{\n\"location\": \"Boston, MA\"\n}"}},
      {"id": "call_def456", "type": "function",
       "function": {"name": "get_current_weather", "arguments": "{\"location\": \"Paris\", \"unit\": \"celsius\"}"}}]},
    "logprobs": null, "finish_reason": "tool_calls"}],
  "usage": {"prompt_tokens": 2082, "completion_tokens": 17, "total_tokens": 2099,
            "prompt_tokens_details": {"cached_tokens": 1920}}
})";

// From Anthropic's Messages reference and tool-use guide.
const QByteArray anthropicTools = R"({
  "id": "msg_01Aq9w938a90dw8q",
  "type": "message",
  "role": "assistant",
  "model": "claude-sonnet-4-5-20250929",
  "content": [
    {"type": "thinking", "thinking": "The user wants the weather.", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3h"},
    {"type": "text", "text": "I'll check the current weather in San Francisco for you."},
    {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather",
     "input": {"location": "San Francisco, CA", "unit": "celsius"}}
  ],
  "stop_reason": "tool_use",
  "stop_sequence": null,
  "usage": {"input_tokens": 472, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "output_tokens": 89, "service_tier": "standard"}
})";

} // namespace

void tst_ResponseTranslator::openAiTextToAnthropic()
{
    const QJsonObject out = translate(WireFormat::OpenAI, WireFormat::Anthropic, openAiText);
    QCOMPARE(out.value(u"type").toString(), u"message"_s);
    QCOMPARE(out.value(u"role").toString(), u"assistant"_s);
    QVERIFY(out.value(u"id").toString().startsWith(u"msg_"));
    QCOMPARE(out.value(u"model").toString(), u"gpt-4o-2024-08-06"_s);   // the provider's own model
    QCOMPARE(out.value(u"content").toArray(),
             QJsonArray{json(R"({"type": "text", "text": "Hello! How can I assist you today?"})")});
    QCOMPARE(out.value(u"stop_reason").toString(), u"end_turn"_s);
    QVERIFY(out.value(u"stop_sequence").isNull());
    const QJsonObject usage = out.value(u"usage").toObject();
    QCOMPARE(usage.value(u"input_tokens").toInteger(), 19);
    QCOMPARE(usage.value(u"output_tokens").toInteger(), 10);
}

void tst_ResponseTranslator::openAiToolCallsToAnthropic()
{
    const QJsonObject out = translate(WireFormat::OpenAI, WireFormat::Anthropic, openAiTools);
    const QJsonArray content = out.value(u"content").toArray();
    QCOMPARE(content.size(), 2);
    QCOMPARE(content.at(0).toObject(), json(R"({"type": "tool_use", "id": "call_abc123",
        "name": "get_current_weather", "input": {"location": "Boston, MA"}})"));
    QCOMPARE(content.at(1).toObject().value(u"input").toObject(),
             json(R"({"location": "Paris", "unit": "celsius"})"));
    QCOMPARE(out.value(u"stop_reason").toString(), u"tool_use"_s);
    QCOMPARE(out.value(u"usage").toObject().value(u"cache_read_input_tokens").toInteger(), 1920);
    QCOMPARE(out.value(u"usage").toObject().value(u"input_tokens").toInteger(), 2082 - 1920);
}

void tst_ResponseTranslator::openAiFinishReasons_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("finish");
    QTest::addColumn<QString>("stopReason");
    const QByteArray text = R"({"role": "assistant", "content": "x"})";
    const QByteArray call = R"({"role": "assistant", "content": null, "tool_calls": [{"id": "call_1",
        "type": "function", "function": {"name": "f", "arguments": "{}"}}]})";
    QTest::newRow("stop") << text << u"stop"_s << u"end_turn"_s;
    QTest::newRow("length") << text << u"length"_s << u"max_tokens"_s;
    QTest::newRow("tool_calls") << call << u"tool_calls"_s << u"tool_use"_s;
    QTest::newRow("content_filter") << text << u"content_filter"_s << u"refusal"_s;
    // Ollama ends a tool-calling turn with "stop"; the client must still run the tool.
    QTest::newRow("stop with tool calls") << call << u"stop"_s << u"tool_use"_s;
    QTest::newRow("refusal") << QByteArray(R"({"role": "assistant", "content": null,
                                           "refusal": "I can't help with that."})")
                             << u"stop"_s << u"refusal"_s;
}

void tst_ResponseTranslator::openAiFinishReasons()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, finish);
    QFETCH(QString, stopReason);
    const QByteArray body = R"({"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": ")" + finish.toUtf8() + R"(", "message": )" + message + "}]}";
    const QJsonObject out = translate(WireFormat::OpenAI, WireFormat::Anthropic, body);
    QCOMPARE(out.value(u"stop_reason").toString(), stopReason);
    QVERIFY(!out.value(u"content").toArray().isEmpty());
}

void tst_ResponseTranslator::anthropicToOpenAi()
{
    const QJsonObject out = translate(WireFormat::Anthropic, WireFormat::OpenAI, anthropicTools);
    QCOMPARE(out.value(u"object").toString(), u"chat.completion"_s);
    QVERIFY(out.value(u"id").toString().startsWith(u"chatcmpl-"));
    QVERIFY(out.value(u"created").toInteger() > 1700000000);
    QCOMPARE(out.value(u"model").toString(), u"claude-sonnet-4-5-20250929"_s);
    const QJsonArray choices = out.value(u"choices").toArray();
    QCOMPARE(choices.size(), 1);
    const QJsonObject choice = choices.at(0).toObject();
    QCOMPARE(choice.value(u"index").toInt(), 0);
    QCOMPARE(choice.value(u"finish_reason").toString(), u"tool_calls"_s);
    const QJsonObject message = choice.value(u"message").toObject();
    QCOMPARE(message.value(u"role").toString(), u"assistant"_s);
    // The thinking block is not part of the answer.
    QCOMPARE(message.value(u"content").toString(), u"I'll check the current weather in San Francisco for you."_s);
    const QJsonObject call = message.value(u"tool_calls").toArray().at(0).toObject();
    QCOMPARE(call.value(u"id").toString(), u"toolu_01A09q90qw90lq917835lq9"_s);
    QCOMPARE(call.value(u"type").toString(), u"function"_s);
    const QJsonObject function = call.value(u"function").toObject();
    QCOMPARE(function.value(u"name").toString(), u"get_weather"_s);
    QCOMPARE(json(function.value(u"arguments").toString().toUtf8()),
             json(R"({"location": "San Francisco, CA", "unit": "celsius"})"));
    const QJsonObject usage = out.value(u"usage").toObject();
    QCOMPARE(usage.value(u"prompt_tokens").toInteger(), 472);
    QCOMPARE(usage.value(u"completion_tokens").toInteger(), 89);
    QCOMPARE(usage.value(u"total_tokens").toInteger(), 561);
}

void tst_ResponseTranslator::anthropicStopReasons_data()
{
    QTest::addColumn<QString>("stopReason");
    QTest::addColumn<QString>("finish");
    QTest::newRow("end_turn") << u"end_turn"_s << u"stop"_s;
    QTest::newRow("stop_sequence") << u"stop_sequence"_s << u"stop"_s;
    QTest::newRow("max_tokens") << u"max_tokens"_s << u"length"_s;
    QTest::newRow("tool_use") << u"tool_use"_s << u"tool_calls"_s;
    QTest::newRow("pause_turn") << u"pause_turn"_s << u"stop"_s;
    QTest::newRow("refusal") << u"refusal"_s << u"content_filter"_s;
    QTest::newRow("model_context_window_exceeded") << u"model_context_window_exceeded"_s << u"length"_s;
}

void tst_ResponseTranslator::anthropicStopReasons()
{
    QFETCH(QString, stopReason);
    QFETCH(QString, finish);
    const QByteArray body = R"({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
        "content": [{"type": "text", "text": "Hi"}], "stop_reason": ")" + stopReason.toUtf8()
            + R"(", "stop_sequence": null, "usage": {"input_tokens": 1, "output_tokens": 1}})";
    const QJsonObject out = translate(WireFormat::Anthropic, WireFormat::OpenAI, body);
    QCOMPARE(out.value(u"choices")[0].toObject().value(u"finish_reason").toString(), finish);
}

void tst_ResponseTranslator::usageWithCacheTokens_data()
{
    QTest::addColumn<WireFormat>("from");
    QTest::addColumn<QByteArray>("usage");
    QTest::newRow("openai, cached") << WireFormat::OpenAI
                                    << QByteArray(R"({"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
                                                  "prompt_tokens_details": {"cached_tokens": 1920}})");
    QTest::newRow("openai, no details") << WireFormat::OpenAI
                                        << QByteArray(R"({"prompt_tokens": 12, "completion_tokens": 3})");
    QTest::newRow("anthropic, cache read") << WireFormat::Anthropic
                                           << QByteArray(R"({"input_tokens": 21, "cache_creation_input_tokens": 0,
                                                         "cache_read_input_tokens": 188086, "output_tokens": 393})");
    QTest::newRow("anthropic, cache write") << WireFormat::Anthropic
                                            << QByteArray(R"({"input_tokens": 3, "cache_creation_input_tokens": 1800,
                                                          "cache_read_input_tokens": 0, "output_tokens": 42})");
}

void tst_ResponseTranslator::usageWithCacheTokens()
{
    QFETCH(WireFormat, from);
    QFETCH(QByteArray, usage);
    const WireFormat to = from == WireFormat::OpenAI ? WireFormat::Anthropic : WireFormat::OpenAI;
    const QByteArray body = from == WireFormat::OpenAI
        ? QByteArray(R"({"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o", "choices": [{"index": 0,
             "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}], "usage": )") + usage + "}"
        : QByteArray(R"({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-opus-4-1",
             "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn", "usage": )") + usage + "}";
    const auto provider = UsageParser::fromResponseBody(from, body);
    const auto client = UsageParser::fromResponseBody(to, ResponseTranslator::translate(from, to, body));
    QVERIFY(provider && client);
    QCOMPARE(client->outputTokens, provider->outputTokens);
    QCOMPARE(client->cacheReadTokens, provider->cacheReadTokens);
    QCOMPARE(client->total(), provider->total());
    if (to == WireFormat::Anthropic || provider->cacheWriteTokens == 0) {
        QCOMPARE(*client, *provider);
    } else {
        // OpenAI has no field for cache writes: they count as prompt tokens.
        QCOMPARE(client->inputTokens, provider->inputTokens + provider->cacheWriteTokens);
    }
}

void tst_ResponseTranslator::roundTrip()
{
    const QByteArray anthropic = ResponseTranslator::translate(WireFormat::OpenAI, WireFormat::Anthropic, openAiTools);
    const QJsonObject back = translate(WireFormat::Anthropic, WireFormat::OpenAI, anthropic);
    const QJsonObject original = json(openAiTools);

    QCOMPARE(back.value(u"model"), original.value(u"model"));
    const QJsonObject a = back.value(u"choices")[0].toObject();
    const QJsonObject b = original.value(u"choices")[0].toObject();
    QCOMPARE(a.value(u"finish_reason"), b.value(u"finish_reason"));
    QVERIFY(a.value(u"message").toObject().value(u"content").isNull());
    const QJsonArray ac = a.value(u"message").toObject().value(u"tool_calls").toArray();
    const QJsonArray bc = b.value(u"message").toObject().value(u"tool_calls").toArray();
    QCOMPARE(ac.size(), bc.size());
    for (qsizetype i = 0; i < bc.size(); ++i) {
        const QJsonObject x = ac.at(i).toObject();
        const QJsonObject y = bc.at(i).toObject();
        QCOMPARE(x.value(u"id"), y.value(u"id"));
        QCOMPARE(x.value(u"function").toObject().value(u"name"), y.value(u"function").toObject().value(u"name"));
        QCOMPARE(json(x.value(u"function").toObject().value(u"arguments").toString().toUtf8()),
                 json(y.value(u"function").toObject().value(u"arguments").toString().toUtf8()));
    }
    const QJsonObject usage = back.value(u"usage").toObject();
    QCOMPARE(usage.value(u"prompt_tokens").toInteger(), 2082);
    QCOMPARE(usage.value(u"completion_tokens").toInteger(), 17);
    QCOMPARE(usage.value(u"total_tokens").toInteger(), 2099);
    QCOMPARE(usage.value(u"prompt_tokens_details").toObject().value(u"cached_tokens").toInteger(), 1920);
}

void tst_ResponseTranslator::errors_data()
{
    QTest::addColumn<WireFormat>("from");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("message");

    QTest::newRow("anthropic overloaded")
            << WireFormat::Anthropic << 529
            << QByteArray(R"({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"},
                          "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"})")
            << u"api_error"_s << u"Overloaded"_s;
    QTest::newRow("anthropic invalid")
            << WireFormat::Anthropic << 400
            << QByteArray(R"({"type": "error", "error": {"type": "invalid_request_error",
                          "message": "max_tokens: 100000 > 64000, which is the maximum allowed"}})")
            << u"invalid_request_error"_s << u"max_tokens: 100000 > 64000, which is the maximum allowed"_s;
    QTest::newRow("anthropic rate limit")
            << WireFormat::Anthropic << 429
            << QByteArray(R"({"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}})")
            << u"rate_limit_error"_s << u"Slow down"_s;
    QTest::newRow("openai bad key")
            << WireFormat::OpenAI << 401
            << QByteArray(R"({"error": {"message": "Incorrect API key provided: sk-abc.", "type": "invalid_request_error",
                          "param": null, "code": "invalid_api_key"}})")
            << u"authentication_error"_s << u"Incorrect API key provided: sk-abc."_s;
    QTest::newRow("openai context length")
            << WireFormat::OpenAI << 400
            << QByteArray(R"({"error": {"message": "This model's maximum context length is 128000 tokens.",
                          "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}})")
            << u"invalid_request_error"_s << u"This model's maximum context length is 128000 tokens."_s;
    QTest::newRow("openai quota")
            << WireFormat::OpenAI << 429
            << QByteArray(R"({"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota",
                          "param": null, "code": "insufficient_quota"}})")
            << u"billing_error"_s << u"You exceeded your current quota."_s;
    QTest::newRow("openai-compatible plain string")
            << WireFormat::OpenAI << 404 << QByteArray(R"({"error": "model 'llama9' not found"})")
            << u"not_found_error"_s << u"model 'llama9' not found"_s;
    QTest::newRow("html from a proxy")
            << WireFormat::OpenAI << 502 << QByteArray("<html><body>Bad Gateway</body></html>")
            << u"api_error"_s << u"<html><body>Bad Gateway</body></html>"_s;
    QTest::newRow("empty") << WireFormat::Anthropic << 500 << QByteArray() << u"api_error"_s
                           << u"the provider answered HTTP 500"_s;
}

void tst_ResponseTranslator::errors()
{
    QFETCH(WireFormat, from);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, type);
    QFETCH(QString, message);
    const WireFormat to = from == WireFormat::OpenAI ? WireFormat::Anthropic : WireFormat::OpenAI;
    const QJsonObject out = json(ResponseTranslator::translateError(from, to, status, body));
    if (to == WireFormat::Anthropic) {
        QCOMPARE(out.value(u"type").toString(), u"error"_s);
        const QJsonObject error = out.value(u"error").toObject();
        QCOMPARE(error.value(u"type").toString(), type);
        QCOMPARE(error.value(u"message").toString(), message);
    } else {
        const QJsonObject error = out.value(u"error").toObject();
        QCOMPARE(error.value(u"type").toString(), type);
        QCOMPARE(error.value(u"message").toString(), message);
        QVERIFY(error.contains(u"code"));
        QVERIFY(error.contains(u"param"));
    }
}

void tst_ResponseTranslator::notJson()
{
    QVERIFY(ResponseTranslator::translate(WireFormat::OpenAI, WireFormat::Anthropic, "Internal error").isEmpty());
    QCOMPARE(ResponseTranslator::translate(WireFormat::OpenAI, WireFormat::OpenAI, openAiText), openAiText);
}

QTEST_GUILESS_MAIN(tst_ResponseTranslator)
#include "tst_responsetranslator.moc"
