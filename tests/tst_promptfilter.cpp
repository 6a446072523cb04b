// tollgate-test-links: tollgate_pipeline
//
// The prompt-template step of the request path, against bodies as clients
// send them: the rendered template becomes the first system prompt in the
// client's own format (an OpenAI system message; Anthropic's "system" as a
// string or as blocks), the "tollgate" field never reaches the provider,
// the usage record learns the template and version, a body without the
// field is forwarded byte for byte, and every mistake is a 400 naming the
// field.

#include "governance/promptlibrary.h"
#include "pipeline/promptfilter.h"
#include "wire/requestinspector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

enum class Endpoint { Chat, Messages, CountTokens };

CallContext contextFor(Endpoint endpoint, const QByteArray &body)
{
    CallContext ctx;
    ctx.clientFormat = endpoint == Endpoint::Chat ? WireFormat::OpenAI : WireFormat::Anthropic;
    ctx.countTokens = endpoint == Endpoint::CountTokens;
    GatewayError error;
    const auto request = RequestInspector::inspect(endpoint == Endpoint::Chat ? RequestInspector::Endpoint::ChatCompletions
                                                   : endpoint == Endpoint::Messages
                                                       ? RequestInspector::Endpoint::Messages
                                                       : RequestInspector::Endpoint::CountTokens,
                                                   body, &error);
    if (!request)
        qFatal("test body refused: %s", qPrintable(error.message()));
    ctx.request = *request;
    return ctx;
}

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s in %s", qPrintable(pe.errorString()), json.constData());
    return doc.object();
}

} // namespace

class TstPromptFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void placesSystemPrompt_data();
    void placesSystemPrompt();
    void bodyWithoutFieldIsUntouched_data();
    void bodyWithoutFieldIsUntouched();
    void refusals_data();
    void refusals();

private:
    PromptLibrary m_library;
};

void TstPromptFilter::init()
{
    m_library.load({});
    m_library.addVersion(u"greet"_s, u"You are {{ role }}."_s);
    m_library.addVersion(u"greet"_s, u"v2: be {{role}}, {{role}}!"_s);
    m_library.addVersion(u"plain"_s, u"No variables here."_s);
}

void TstPromptFilter::placesSystemPrompt_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected");   // the forwarded body
    QTest::addColumn<QString>("prompt");
    QTest::addColumn<int>("version");

    const auto chat = int(Endpoint::Chat);
    const auto messages = int(Endpoint::Messages);
    const auto count = int(Endpoint::CountTokens);

    QTest::newRow("openai, no system prompt")
        << chat
        << QByteArray(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],
                          "tollgate":{"prompt":"greet","variables":{"role":"terse"}}})")
        << QByteArray(R"({"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},
                                                        {"role":"user","content":"hi"}]})")
        << u"greet"_s << 1;
    QTest::newRow("openai, before the caller's system prompt")
        << chat
        << QByteArray(R"({"model":"gpt-4o","stream":true,"tollgate":{"prompt":"greet","variables":{"role":"terse"}},
                          "messages":[{"role":"system","content":"Be kind."},{"role":"user","content":"hi"}]})")
        << QByteArray(R"({"model":"gpt-4o","stream":true,
                          "messages":[{"role":"system","content":"You are terse."},
                                      {"role":"system","content":"Be kind."},{"role":"user","content":"hi"}]})")
        << u"greet"_s << 1;
    QTest::newRow("openai, pinned version, number variable")
        << chat
        << QByteArray(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],
                          "tollgate":{"prompt":"greet","version":2,"variables":{"role":42}}})")
        << QByteArray(R"({"model":"gpt-4o","messages":[{"role":"system","content":"v2: be 42, 42!"},
                                                        {"role":"user","content":"hi"}]})")
        << u"greet"_s << 2;
    QTest::newRow("openai, no variables needed, null version")
        << chat
        << QByteArray(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],
                          "tollgate":{"prompt":"plain","version":null}})")
        << QByteArray(R"({"model":"gpt-4o","messages":[{"role":"system","content":"No variables here."},
                                                        {"role":"user","content":"hi"}]})")
        << u"plain"_s << 1;
    QTest::newRow("anthropic, no system")
        << messages
        << QByteArray(R"({"model":"claude-x","max_tokens":10,"messages":[{"role":"user","content":"hi"}],
                          "tollgate":{"prompt":"greet","variables":{"role":"terse"}}})")
        << QByteArray(R"({"model":"claude-x","max_tokens":10,"system":"You are terse.",
                          "messages":[{"role":"user","content":"hi"}]})")
        << u"greet"_s << 1;
    QTest::newRow("anthropic, system string")
        << messages
        << QByteArray(R"({"model":"claude-x","max_tokens":10,"system":"Be kind.",
                          "messages":[{"role":"user","content":"hi"}],
                          "tollgate":{"prompt":"greet","variables":{"role":"terse"}}})")
        << QByteArray(R"({"model":"claude-x","max_tokens":10,"system":"You are terse.\n\nBe kind.",
                          "messages":[{"role":"user","content":"hi"}]})")
        << u"greet"_s << 1;
    QTest::newRow("anthropic, empty system string")
        << messages
        << QByteArray(R"({"model":"claude-x","max_tokens":10,"system":"",
                          "messages":[{"role":"user","content":"hi"}],
                          "tollgate":{"prompt":"greet","variables":{"role":"terse"}}})")
        << QByteArray(R"({"model":"claude-x","max_tokens":10,"system":"You are terse.",
                          "messages":[{"role":"user","content":"hi"}]})")
        << u"greet"_s << 1;
    QTest::newRow("anthropic, system blocks")
        << messages
        << QByteArray(R"({"model":"claude-x","max_tokens":10,
                          "system":[{"type":"text","text":"Be kind.","cache_control":{"type":"ephemeral"}}],
                          "messages":[{"role":"user","content":"hi"}],
                          "tollgate":{"prompt":"greet","version":2,"variables":{"role":"brief"}}})")
        << QByteArray(R"({"model":"claude-x","max_tokens":10,
                          "system":[{"type":"text","text":"v2: be brief, brief!"},
                                    {"type":"text","text":"Be kind.","cache_control":{"type":"ephemeral"}}],
                          "messages":[{"role":"user","content":"hi"}]})")
        << u"greet"_s << 2;
    QTest::newRow("anthropic count_tokens")
        << count
        << QByteArray(R"({"model":"claude-x","messages":[{"role":"user","content":"hi"}],
                          "tollgate":{"prompt":"plain"}})")
        << QByteArray(R"({"model":"claude-x","system":"No variables here.",
                          "messages":[{"role":"user","content":"hi"}]})")
        << u"plain"_s << 1;
}

void TstPromptFilter::placesSystemPrompt()
{
    QFETCH(int, endpoint);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);
    QFETCH(QString, prompt);
    QFETCH(int, version);

    CallContext ctx = contextFor(Endpoint(endpoint), body);
    const qint64 before = ctx.request.estimatedInputTokens;
    PromptFilter filter(&m_library);
    QCOMPARE(filter.onRequest(ctx), CallFilter::Result::Continue);
    QVERIFY2(!ctx.error.isError(), qPrintable(ctx.error.message()));

    QCOMPARE(parse(ctx.request.body), parse(expected));
    QVERIFY(!ctx.request.body.contains("tollgate"));
    QVERIFY(!ctx.request.body.contains('\n'));   // compact
    QCOMPARE(ctx.request.json, parse(expected));
    QCOMPARE(ctx.request.estimatedInputTokens, RequestInspector::estimateInputTokens(ctx.request.json));
    QVERIFY(ctx.request.estimatedInputTokens > before);
    QCOMPARE(ctx.prompt, prompt);
    QCOMPARE(ctx.promptVersion, version);

    // The edited body is still one the gateway accepts.
    GatewayError error;
    const auto again = RequestInspector::inspect(ctx.countTokens ? RequestInspector::Endpoint::CountTokens
                                                 : ctx.request.format == WireFormat::OpenAI
                                                     ? RequestInspector::Endpoint::ChatCompletions
                                                     : RequestInspector::Endpoint::Messages,
                                                 ctx.request.body, &error);
    QVERIFY2(again.has_value(), qPrintable(error.message()));
    QCOMPARE(again->stream, ctx.request.stream);
}

void TstPromptFilter::bodyWithoutFieldIsUntouched_data()
{
    QTest::addColumn<int>("endpoint");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("openai") << int(Endpoint::Chat)
                            << QByteArray("{ \"model\" : \"gpt-4o\",\n  \"messages\":[{\"role\":\"user\",\"content\":"
                                          "\"caf\\u00e9 {{role}}\"}], \"temperature\": 1.0 }\n");
    QTest::newRow("anthropic") << int(Endpoint::Messages)
                               << QByteArray("{\"system\":\"x\",  \"model\":\"claude-x\",\"max_tokens\":1e1,"
                                             "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    QTest::newRow("tollgate nested elsewhere")
        << int(Endpoint::Chat)
        << QByteArray(R"({"model":"m","metadata":{"tollgate":{"prompt":"greet"}},"messages":[{"role":"user","content":"hi"}]})");
}

void TstPromptFilter::bodyWithoutFieldIsUntouched()
{
    QFETCH(int, endpoint);
    QFETCH(QByteArray, body);
    CallContext ctx = contextFor(Endpoint(endpoint), body);
    const ProxyRequest original = ctx.request;
    PromptFilter filter(&m_library);
    QCOMPARE(filter.onRequest(ctx), CallFilter::Result::Continue);
    QCOMPARE(ctx.request.body, body);
    QCOMPARE(ctx.request.json, original.json);
    QCOMPARE(ctx.request.estimatedInputTokens, original.estimatedInputTokens);
    QVERIFY(ctx.prompt.isEmpty());
    QCOMPARE(ctx.promptVersion, 0);
    QVERIFY(!ctx.error.isError());
}

void TstPromptFilter::refusals_data()
{
    QTest::addColumn<QByteArray>("field");   // the value of "tollgate"
    QTest::addColumn<QString>("param");
    QTest::addColumn<QString>("message");    // a part of it

    QTest::newRow("not an object") << QByteArray(R"("greet")") << u"tollgate"_s << u"must be an object"_s;
    QTest::newRow("null") << QByteArray("null") << u"tollgate"_s << u"must be an object"_s;
    QTest::newRow("no prompt") << QByteArray("{}") << u"tollgate.prompt"_s << u"'tollgate.prompt' is required"_s;
    QTest::newRow("prompt not a string") << QByteArray(R"({"prompt":5})") << u"tollgate.prompt"_s
                                         << u"non-empty string"_s;
    QTest::newRow("empty prompt") << QByteArray(R"({"prompt":""})") << u"tollgate.prompt"_s << u"non-empty string"_s;
    QTest::newRow("unknown prompt") << QByteArray(R"({"prompt":"nope"})") << u"tollgate.prompt"_s
                                    << u"unknown prompt template 'nope'"_s;
    QTest::newRow("version zero") << QByteArray(R"({"prompt":"greet","version":0})") << u"tollgate.version"_s
                                  << u"positive integer"_s;
    QTest::newRow("version negative") << QByteArray(R"({"prompt":"greet","version":-1})") << u"tollgate.version"_s
                                      << u"positive integer"_s;
    QTest::newRow("version fraction") << QByteArray(R"({"prompt":"greet","version":1.5})") << u"tollgate.version"_s
                                      << u"positive integer"_s;
    QTest::newRow("version string") << QByteArray(R"({"prompt":"greet","version":"2"})") << u"tollgate.version"_s
                                    << u"positive integer"_s;
    QTest::newRow("version huge") << QByteArray(R"({"prompt":"greet","version":1e12})") << u"tollgate.version"_s
                                  << u"positive integer"_s;
    QTest::newRow("unknown version") << QByteArray(R"({"prompt":"greet","version":9,"variables":{"role":"x"}})")
                                     << u"tollgate.version"_s << u"prompt 'greet' has no version 9"_s;
    QTest::newRow("variables not an object") << QByteArray(R"({"prompt":"greet","variables":["x"]})")
                                             << u"tollgate.variables"_s << u"must be an object"_s;
    QTest::newRow("non-scalar variable") << QByteArray(R"({"prompt":"greet","variables":{"role":{"a":1}}})")
                                         << u"tollgate.variables.role"_s << u"'role' must be a string, number"_s;
    QTest::newRow("missing variable") << QByteArray(R"({"prompt":"greet","variables":{"rol":"x"}})")
                                      << u"tollgate.variables"_s << u"missing variable 'role' for prompt 'greet' v1"_s;
    QTest::newRow("missing variable, pinned") << QByteArray(R"({"prompt":"greet","version":2})")
                                              << u"tollgate.variables"_s
                                              << u"missing variable 'role' for prompt 'greet' v2"_s;
    QTest::newRow("unknown field") << QByteArray(R"({"prompt":"greet","vars":{"role":"x"}})") << u"tollgate.vars"_s
                                   << u"unknown field 'tollgate.vars'"_s;
}

void TstPromptFilter::refusals()
{
    QFETCH(QByteArray, field);
    QFETCH(QString, param);
    QFETCH(QString, message);

    for (const Endpoint endpoint : {Endpoint::Chat, Endpoint::Messages}) {
        const QByteArray body = R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tollgate":)"
            + field + '}';
        CallContext ctx = contextFor(endpoint, body);
        PromptFilter filter(&m_library);
        QCOMPARE(filter.onRequest(ctx), CallFilter::Result::Respond);
        QCOMPARE(ctx.error.code(), GatewayError::Code::InvalidRequest);
        QCOMPARE(ctx.error.httpStatus(), 400);
        QCOMPARE(ctx.error.param(), param);
        QVERIFY2(ctx.error.message().contains(message), qPrintable(ctx.error.message()));
        QCOMPARE(ctx.request.body, body);
        QVERIFY(ctx.prompt.isEmpty());
    }
}

QTEST_GUILESS_MAIN(TstPromptFilter)
#include "tst_promptfilter.moc"
