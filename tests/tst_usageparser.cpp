// tollgate-test-links: tollgate_wire

// UsageParser turns a provider's response body into what the call is billed
// for: cached input must be split out (it is priced differently), and a body
// without usage must say so rather than bill zero tokens.

#include "wire/usageparser.h"

#include <QJsonDocument>
#include <QTest>

Q_DECLARE_METATYPE(WireFormat)
Q_DECLARE_METATYPE(TokenUsage)

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

QByteArray openAiBody(const QByteArray &usageMember)
{
    return R"({"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,)"
           R"("model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant",)"
           R"("content":"Hello! How can I assist you today?","refusal":null,"annotations":[]},)"
           R"("logprobs":null,"finish_reason":"stop"}])"
            + usageMember + R"(,"service_tier":"default","system_fingerprint":"fp_b3f1157249"})";
}

QByteArray anthropicBody(const QByteArray &usageMember)
{
    return R"({"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant",)"
           R"("model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"Hi! My name is Claude."}],)"
           R"("stop_reason":"end_turn","stop_sequence":null)"
            + usageMember + "}";
}

} // namespace

class tst_UsageParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fromResponseBody_data();
    void fromResponseBody();
    void fromUsageObject_data();
    void fromUsageObject();
};

void tst_UsageParser::fromResponseBody_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("found");
    QTest::addColumn<TokenUsage>("expected");

    const auto openAi = WireFormat::OpenAI;
    const auto anthropic = WireFormat::Anthropic;

    QTest::newRow("openai plain")
            << openAi
            << openAiBody(R"(,"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,)"
                          R"("prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},)"
                          R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,)"
                          R"("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})")
            << true << tokens(19, 10, 0, 0);
    QTest::newRow("openai cached and reasoning")
            << openAi
            << openAiBody(R"(,"usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,)"
                          R"("prompt_tokens_details":{"cached_tokens":1920},)"
                          R"("completion_tokens_details":{"reasoning_tokens":256}})")
            << true << tokens(86, 300, 1920, 0);
    QTest::newRow("openai details null")
            << openAi
            << openAiBody(R"(,"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":null})")
            << true << tokens(12, 3, 0, 0);
    QTest::newRow("openai deepseek cache hits")
            << openAi
            << openAiBody(R"(,"usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,)"
                          R"("prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36})")
            << true << tokens(36, 5, 64, 0);
    QTest::newRow("openai no usage") << openAi << openAiBody(QByteArray()) << false << TokenUsage();
    QTest::newRow("openai usage null") << openAi << openAiBody(R"(,"usage":null)") << false << TokenUsage();
    QTest::newRow("openai usage empty") << openAi << openAiBody(R"(,"usage":{})") << false << TokenUsage();
    QTest::newRow("openai error body")
            << openAi
            << QByteArray(R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error",)"
                          R"("param":null,"code":"invalid_api_key"}})")
            << false << TokenUsage();

    QTest::newRow("anthropic plain")
            << anthropic
            << anthropicBody(R"(,"usage":{"input_tokens":2095,"output_tokens":503,)"
                             R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0,"service_tier":"standard"})")
            << true << tokens(2095, 503, 0, 0);
    QTest::newRow("anthropic cache read and write")
            << anthropic
            << anthropicBody(R"(,"usage":{"input_tokens":21,"cache_creation_input_tokens":188086,)"
                             R"("cache_read_input_tokens":4000,"cache_creation":{"ephemeral_5m_input_tokens":188086,)"
                             R"("ephemeral_1h_input_tokens":0},"output_tokens":393,"service_tier":"standard"})")
            << true << tokens(21, 393, 4000, 188086);
    QTest::newRow("anthropic no cache fields")
            << anthropic << anthropicBody(R"(,"usage":{"input_tokens":8,"output_tokens":2})")
            << true << tokens(8, 2, 0, 0);
    QTest::newRow("anthropic no usage") << anthropic << anthropicBody(QByteArray()) << false << TokenUsage();
    QTest::newRow("anthropic error body")
            << anthropic
            << QByteArray(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")
            << false << TokenUsage();

    // The wrong dialect's usage names nothing this format knows.
    QTest::newRow("anthropic body read as openai")
            << openAi << anthropicBody(R"(,"usage":{"input_tokens":8,"output_tokens":2})")
            << false << TokenUsage();

    QTest::newRow("empty body") << openAi << QByteArray() << false << TokenUsage();
    QTest::newRow("not json") << anthropic << QByteArray("<html>502 Bad Gateway</html>") << false << TokenUsage();
    QTest::newRow("truncated json")
            << openAi << QByteArray(openAiBody(R"(,"usage":{"prompt_tokens":19,"completion_tokens":10})")).left(200)
            << false << TokenUsage();
    QTest::newRow("json array") << openAi << QByteArray(R"([{"usage":{"prompt_tokens":1}}])") << false << TokenUsage();
}

void tst_UsageParser::fromResponseBody()
{
    QFETCH(WireFormat, format);
    QFETCH(QByteArray, body);
    QFETCH(bool, found);
    QFETCH(TokenUsage, expected);

    const std::optional<TokenUsage> usage = UsageParser::fromResponseBody(format, body);
    QCOMPARE(usage.has_value(), found);
    if (found)
        QCOMPARE(*usage, expected);
}

void tst_UsageParser::fromUsageObject_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<QByteArray>("usage");
    QTest::addColumn<bool>("found");
    QTest::addColumn<TokenUsage>("expected");

    // The final chunk of an OpenAI stream with include_usage.
    QTest::newRow("openai stream usage")
            << WireFormat::OpenAI
            << QByteArray(R"({"prompt_tokens":1523,"completion_tokens":8,"total_tokens":1531,)"
                          R"("prompt_tokens_details":{"cached_tokens":1280,"audio_tokens":0}})")
            << true << tokens(243, 8, 1280, 0);
    QTest::newRow("openai completion only")
            << WireFormat::OpenAI << QByteArray(R"({"completion_tokens":4})") << true << tokens(0, 4, 0, 0);
    QTest::newRow("openai empty") << WireFormat::OpenAI << QByteArray("{}") << false << TokenUsage();
    // An Anthropic message_start's usage.
    QTest::newRow("anthropic message_start")
            << WireFormat::Anthropic
            << QByteArray(R"({"input_tokens":472,"cache_creation_input_tokens":2048,)"
                          R"("cache_read_input_tokens":10240,"output_tokens":2})")
            << true << tokens(472, 2, 10240, 2048);
    QTest::newRow("anthropic zeros are usage")
            << WireFormat::Anthropic << QByteArray(R"({"input_tokens":0,"output_tokens":0})")
            << true << TokenUsage();
    QTest::newRow("anthropic unrelated fields")
            << WireFormat::Anthropic << QByteArray(R"({"service_tier":"standard"})") << false << TokenUsage();
}

void tst_UsageParser::fromUsageObject()
{
    QFETCH(WireFormat, format);
    QFETCH(QByteArray, usage);
    QFETCH(bool, found);
    QFETCH(TokenUsage, expected);

    const QJsonObject object = QJsonDocument::fromJson(usage).object();
    const std::optional<TokenUsage> parsed = UsageParser::fromUsageObject(format, object);
    QCOMPARE(parsed.has_value(), found);
    if (found)
        QCOMPARE(*parsed, expected);
}

QTEST_GUILESS_MAIN(tst_UsageParser)
#include "tst_usageparser.moc"
