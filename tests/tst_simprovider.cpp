// tollgate-test-links: tollgate_providers
//
// The simulated provider answers exactly like the real ones: the shapes of
// both formats, whole and streamed, exact usage, determinism, max_tokens,
// the failure modes its model names choose, kill() and pacing.

#include "providers/simprovider.h"
#include "providers/simtext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString kSystem = QStringLiteral("You are terse.");
const QString kUser = QStringLiteral("Hello there, how are you today?");
constexpr int kOutputTokens = 24;
constexpr int kTimeoutMs = 5000;

SimConfig fastConfig()
{
    SimConfig c;
    c.tokensPerSecond = 0;   // as fast as possible
    c.firstTokenMs = 1;
    c.outputTokens = kOutputTokens;
    return c;
}

// A request with a system prompt and one user turn; `extra` adds or
// overrides top-level fields.
UpstreamRequest makeRequest(WireFormat format, const QString &model, bool stream,
                            const QJsonObject &extra = {}, const QString &user = kUser)
{
    QJsonObject body{{QStringLiteral("model"), model}};
    QJsonArray messages;
    if (format == WireFormat::OpenAI) {
        messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("system")},
                                    {QStringLiteral("content"), kSystem}});
    } else {
        body.insert(QStringLiteral("system"), kSystem);
        body.insert(QStringLiteral("max_tokens"), 1024);
    }
    messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                {QStringLiteral("content"), user}});
    body.insert(QStringLiteral("messages"), messages);
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());

    UpstreamRequest r;
    r.model = model;
    r.stream = stream;
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return r;
}

struct Run
{
    int status = 0;
    HeaderList headers;
    QByteArray body;
    int chunks = 0;
    int heads = 0;
    int finishes = 0;
    ProviderCall::Outcome outcome = ProviderCall::Outcome::Running;
    QString error;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first == name)
                return h.second;
        }
        return {};
    }
};

// Runs one call to its end. Void so it can use QTRY_*; check
// QTest::currentTestFailed() after it.
void runCall(SimProvider &provider, WireFormat format, const UpstreamRequest &request, Run &run)
{
    QObject owner;
    ProviderCall *call = provider.createCallFor(format, request, &owner);
    QObject::connect(call, &ProviderCall::headReceived, &owner, [&run] { ++run.heads; });
    QObject::connect(call, &ProviderCall::bodyData, &owner, [&run](const QByteArray &b) {
        run.body += b;
        ++run.chunks;
    });
    QObject::connect(call, &ProviderCall::finished, &owner, [&run] { ++run.finishes; });
    call->start();
    QTRY_COMPARE_WITH_TIMEOUT(run.finishes, 1, kTimeoutMs);
    run.status = call->httpStatus();
    run.headers = call->responseHeaders();
    run.outcome = call->outcome();
    run.error = call->errorString();
    QCOMPARE(run.heads, 1);
}

struct Event
{
    QByteArray name;
    QByteArray data;
};

QList<Event> splitEvents(const QByteArray &body)
{
    QList<Event> events;
    qsizetype from = 0;
    while (from < body.size()) {
        const qsizetype end = body.indexOf("\n\n", from);
        if (end < 0)
            break;
        Event e;
        for (const QByteArray &line : body.mid(from, end - from).split('\n')) {
            if (line.startsWith("event: "))
                e.name = line.mid(7);
            else if (line.startsWith("data: "))
                e.data = line.mid(6);
        }
        events.append(e);
        from = end + 2;
    }
    return events;
}

QJsonObject parseObject(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qWarning("not a JSON object: %s", bytes.constData());
    return doc.object();
}

// What a response says, read the way a client would, with every field the
// real providers send checked on the way.
struct Decoded
{
    QString text;
    int inputTokens = -1;
    int outputTokens = -1;
    QString stopReason;
    bool terminal = false;      // [DONE] / message_stop
    bool usageSeen = false;     // OpenAI's final usage chunk
    QJsonObject error;          // an in-stream error event
    QString model;
    QString id;
};

void decodeOpenAiWhole(const QByteArray &body, Decoded &d)
{
    const QJsonObject o = parseObject(body);
    d.id = o.value(u"id").toString();
    QVERIFY(d.id.startsWith(u"chatcmpl-sim-"));
    QCOMPARE(o.value(u"object").toString(), u"chat.completion"_s);
    QVERIFY(o.value(u"created").toInteger() > 1700000000);
    QCOMPARE(o.value(u"system_fingerprint").toString(), u"fp_sim"_s);
    d.model = o.value(u"model").toString();
    const QJsonArray choices = o.value(u"choices").toArray();
    QCOMPARE(choices.size(), 1);
    const QJsonObject choice = choices.at(0).toObject();
    QCOMPARE(choice.value(u"index").toInt(-1), 0);
    QVERIFY(choice.value(u"logprobs").isNull());
    const QJsonObject message = choice.value(u"message").toObject();
    QCOMPARE(message.value(u"role").toString(), u"assistant"_s);
    QVERIFY(message.value(u"content").isString());
    QVERIFY(message.value(u"refusal").isNull());
    d.text = message.value(u"content").toString();
    d.stopReason = choice.value(u"finish_reason").toString();
    const QJsonObject usage = o.value(u"usage").toObject();
    d.inputTokens = usage.value(u"prompt_tokens").toInt(-1);
    d.outputTokens = usage.value(u"completion_tokens").toInt(-1);
    QCOMPARE(usage.value(u"total_tokens").toInt(), d.inputTokens + d.outputTokens);
    QCOMPARE(usage.value(u"prompt_tokens_details").toObject().value(u"cached_tokens").toInt(-1), 0);
    QCOMPARE(usage.value(u"completion_tokens_details").toObject().value(u"reasoning_tokens").toInt(-1), 0);
    d.terminal = true;
}

void decodeOpenAiStream(const QByteArray &body, bool includeUsage, Decoded &d)
{
    const QList<Event> events = splitEvents(body);
    QVERIFY(!events.isEmpty());
    for (qsizetype i = 0; i < events.size(); ++i) {
        const Event &e = events.at(i);
        QVERIFY(e.name.isEmpty());
        QVERIFY2(!d.terminal, "an event after [DONE]");
        if (e.data == "[DONE]") {
            d.terminal = true;
            continue;
        }
        const QJsonObject o = parseObject(e.data);
        if (o.contains(u"error")) {
            QVERIFY2(i == events.size() - 1, "the error event is the last");
            d.error = o.value(u"error").toObject();
            continue;
        }
        QCOMPARE(o.value(u"object").toString(), u"chat.completion.chunk"_s);
        QCOMPARE(o.value(u"system_fingerprint").toString(), u"fp_sim"_s);
        QVERIFY(o.value(u"created").toInteger() > 1700000000);
        if (d.id.isEmpty())
            d.id = o.value(u"id").toString();
        QCOMPARE(o.value(u"id").toString(), d.id);
        d.model = o.value(u"model").toString();
        QCOMPARE(o.contains(u"usage"), includeUsage);
        const QJsonArray choices = o.value(u"choices").toArray();
        if (choices.isEmpty()) {
            QVERIFY(includeUsage);
            QVERIFY2(!d.stopReason.isEmpty(), "usage chunk after the finish_reason chunk");
            const QJsonObject usage = o.value(u"usage").toObject();
            d.inputTokens = usage.value(u"prompt_tokens").toInt(-1);
            d.outputTokens = usage.value(u"completion_tokens").toInt(-1);
            QCOMPARE(usage.value(u"total_tokens").toInt(), d.inputTokens + d.outputTokens);
            d.usageSeen = true;
            continue;
        }
        if (includeUsage)
            QVERIFY(o.value(u"usage").isNull());
        QCOMPARE(choices.size(), 1);
        const QJsonObject choice = choices.at(0).toObject();
        QCOMPARE(choice.value(u"index").toInt(-1), 0);
        QVERIFY(choice.value(u"logprobs").isNull());
        const QJsonObject delta = choice.value(u"delta").toObject();
        if (i == 0) {
            QCOMPARE(delta.value(u"role").toString(), u"assistant"_s);
            QVERIFY(delta.value(u"content").isString());
            QVERIFY(delta.value(u"content").toString().isEmpty());
        } else {
            QVERIFY(!delta.contains(u"role"));
        }
        d.text += delta.value(u"content").toString();
        if (!choice.value(u"finish_reason").isNull()) {
            QVERIFY(delta.isEmpty());
            d.stopReason = choice.value(u"finish_reason").toString();
        }
    }
}

void decodeAnthropicWhole(const QByteArray &body, Decoded &d)
{
    const QJsonObject o = parseObject(body);
    d.id = o.value(u"id").toString();
    QVERIFY(d.id.startsWith(u"msg_sim_"));
    QCOMPARE(o.value(u"type").toString(), u"message"_s);
    QCOMPARE(o.value(u"role").toString(), u"assistant"_s);
    d.model = o.value(u"model").toString();
    const QJsonArray content = o.value(u"content").toArray();
    QCOMPARE(content.size(), 1);
    QCOMPARE(content.at(0).toObject().value(u"type").toString(), u"text"_s);
    d.text = content.at(0).toObject().value(u"text").toString();
    d.stopReason = o.value(u"stop_reason").toString();
    QVERIFY(o.contains(u"stop_sequence") && o.value(u"stop_sequence").isNull());
    const QJsonObject usage = o.value(u"usage").toObject();
    d.inputTokens = usage.value(u"input_tokens").toInt(-1);
    d.outputTokens = usage.value(u"output_tokens").toInt(-1);
    QCOMPARE(usage.value(u"cache_creation_input_tokens").toInt(-1), 0);
    QCOMPARE(usage.value(u"cache_read_input_tokens").toInt(-1), 0);
    d.terminal = true;
}

void decodeAnthropicStream(const QByteArray &body, Decoded &d)
{
    const QList<Event> events = splitEvents(body);
    QVERIFY(events.size() >= 3);
    QByteArrayList order;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const Event &e = events.at(i);
        QVERIFY2(!d.terminal, "an event after message_stop");
        const QJsonObject o = parseObject(e.data);
        QCOMPARE(o.value(u"type").toString().toUtf8(), e.name);
        order.append(e.name);
        if (e.name == "message_start") {
            QCOMPARE(i, 0);
            const QJsonObject m = o.value(u"message").toObject();
            d.id = m.value(u"id").toString();
            QVERIFY(d.id.startsWith(u"msg_sim_"));
            QCOMPARE(m.value(u"type").toString(), u"message"_s);
            QCOMPARE(m.value(u"role").toString(), u"assistant"_s);
            QVERIFY(m.value(u"content").toArray().isEmpty());
            QVERIFY(m.value(u"stop_reason").isNull());
            d.model = m.value(u"model").toString();
            const QJsonObject usage = m.value(u"usage").toObject();
            d.inputTokens = usage.value(u"input_tokens").toInt(-1);
            QCOMPARE(usage.value(u"output_tokens").toInt(), 1);
        } else if (e.name == "content_block_start") {
            QCOMPARE(i, 1);
            QCOMPARE(o.value(u"index").toInt(-1), 0);
            QCOMPARE(o.value(u"content_block").toObject().value(u"type").toString(), u"text"_s);
        } else if (e.name == "ping") {
            QCOMPARE(i, 2);
        } else if (e.name == "content_block_delta") {
            QCOMPARE(o.value(u"index").toInt(-1), 0);
            const QJsonObject delta = o.value(u"delta").toObject();
            QCOMPARE(delta.value(u"type").toString(), u"text_delta"_s);
            d.text += delta.value(u"text").toString();
        } else if (e.name == "content_block_stop") {
            QCOMPARE(o.value(u"index").toInt(-1), 0);
        } else if (e.name == "message_delta") {
            QCOMPARE(order.value(order.size() - 2), QByteArray("content_block_stop"));
            const QJsonObject delta = o.value(u"delta").toObject();
            d.stopReason = delta.value(u"stop_reason").toString();
            QVERIFY(delta.contains(u"stop_sequence") && delta.value(u"stop_sequence").isNull());
            d.outputTokens = o.value(u"usage").toObject().value(u"output_tokens").toInt(-1);
        } else if (e.name == "message_stop") {
            QCOMPARE(order.value(order.size() - 2), QByteArray("message_delta"));
            d.terminal = true;
        } else if (e.name == "error") {
            QVERIFY2(i == events.size() - 1, "the error event is the last");
            d.error = o.value(u"error").toObject();
        } else {
            QFAIL(qPrintable(u"unexpected event "_s + QString::fromUtf8(e.name)));
        }
    }
}

void decode(WireFormat format, bool stream, bool includeUsage, const QByteArray &body, Decoded &d)
{
    if (format == WireFormat::OpenAI && stream)
        decodeOpenAiStream(body, includeUsage, d);
    else if (format == WireFormat::OpenAI)
        decodeOpenAiWhole(body, d);
    else if (stream)
        decodeAnthropicStream(body, d);
    else
        decodeAnthropicWhole(body, d);
}

int wordCount(const QString &text)
{
    return int(text.split(u' ', Qt::SkipEmptyParts).size());
}

// OpenAI's "created" is the clock; everything else must repeat exactly.
QByteArray withoutClock(QByteArray bytes)
{
    return QString::fromUtf8(bytes)
        .replace(QRegularExpression(QStringLiteral("\"created\":\\d+")), QStringLiteral("\"created\":0"))
        .toUtf8();
}

void addFormatRows(bool withStream)
{
    for (WireFormat f : {WireFormat::OpenAI, WireFormat::Anthropic}) {
        for (bool stream : {false, true}) {
            if (stream && !withStream)
                continue;
            const QByteArray name = wireFormatName(f).toUtf8() + (stream ? "/stream" : "/whole");
            QTest::newRow(name.constData()) << f << stream;
        }
    }
}

} // namespace

class tst_SimProvider : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shapes_data();
    void shapes();
    void inputTokens_data();
    void inputTokens();
    void determinism_data();
    void determinism();
    void sameConversationSameAnswerInBothFormats();
    void maxTokens_data();
    void maxTokens();
    void failStatus_data();
    void failStatus();
    void cut_data();
    void cut();
    void errorEvent_data();
    void errorEvent();
    void countTokens_data();
    void countTokens();
    void badRequest_data();
    void badRequest();
    void noEmissionFromStart();
    void killMidStream_data();
    void killMidStream();
    void killBeforeHead();
    void killAfterFinishedDoesNothing();
    void deletesItselfOnlyWithoutParent();
    void pacing();
    void createCallSpeaksOpenAI();
    void textReadsAsSentences();
};

void tst_SimProvider::shapes_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<bool>("includeUsage");
    QTest::newRow("openai/whole") << WireFormat::OpenAI << false << false;
    QTest::newRow("openai/stream") << WireFormat::OpenAI << true << false;
    QTest::newRow("openai/stream+include_usage") << WireFormat::OpenAI << true << true;
    QTest::newRow("anthropic/whole") << WireFormat::Anthropic << false << false;
    QTest::newRow("anthropic/stream") << WireFormat::Anthropic << true << false;
}

void tst_SimProvider::shapes()
{
    QFETCH(WireFormat, format);
    QFETCH(bool, stream);
    QFETCH(bool, includeUsage);

    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    QJsonObject extra;
    if (includeUsage)
        extra.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
    Run run;
    runCall(provider, format, makeRequest(format, QStringLiteral("sim-small"), stream, extra), run);
    if (QTest::currentTestFailed())
        return;

    QCOMPARE(run.status, 200);
    QCOMPARE(run.outcome, ProviderCall::Outcome::Completed);
    QCOMPARE(run.header("content-type"),
             stream ? QByteArray("text/event-stream") : QByteArray("application/json"));
    Decoded d;
    decode(format, stream, includeUsage, run.body, d);
    if (QTest::currentTestFailed())
        return;

    QVERIFY(d.terminal);
    QCOMPARE(d.model, u"sim-small"_s);
    QCOMPARE(wordCount(d.text), kOutputTokens);
    QVERIFY(d.text.endsWith(u'.'));
    QCOMPARE(d.stopReason, format == WireFormat::OpenAI ? u"stop"_s : u"end_turn"_s);
    const bool hasUsage = !(format == WireFormat::OpenAI && stream && !includeUsage);
    QCOMPARE(d.usageSeen || !stream || format == WireFormat::Anthropic, hasUsage);
    if (hasUsage) {
        QCOMPARE(d.outputTokens, kOutputTokens);
        QCOMPARE(d.inputTokens, int(kSystem.size() + kUser.size()) / 4);
    } else {
        QVERIFY(!run.body.contains("usage"));
    }
}

void tst_SimProvider::inputTokens_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<QJsonArray>("messages");
    QTest::addColumn<int>("expected");

    const auto text = [](int chars) { return QString(chars, u'x'); };
    const auto user = [](const QJsonValue &content) {
        return QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                           {QStringLiteral("content"), content}};
    };
    const QJsonArray parts{
        QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text(40)}},
        QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text(41)}},
    };
    for (WireFormat f : {WireFormat::OpenAI, WireFormat::Anthropic}) {
        const QByteArray n = wireFormatName(f).toUtf8();
        QTest::addRow("%s/empty is 1", n.constData()) << f << QJsonArray{user(QString())} << 1;
        QTest::addRow("%s/3 chars is 1", n.constData()) << f << QJsonArray{user(text(3))} << 1;
        QTest::addRow("%s/9 chars is 2", n.constData()) << f << QJsonArray{user(text(9))} << 2;
        QTest::addRow("%s/400 chars is 100", n.constData()) << f << QJsonArray{user(text(400))} << 100;
        QTest::addRow("%s/parts 81 chars is 20", n.constData()) << f << QJsonArray{user(parts)} << 20;
        QTest::addRow("%s/turns 8+8 chars is 4", n.constData())
            << f
            << QJsonArray{user(text(8)),
                          QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                      {QStringLiteral("content"), text(8)}}}
            << 4;
    }
}

void tst_SimProvider::inputTokens()
{
    QFETCH(WireFormat, format);
    QFETCH(QJsonArray, messages);
    QFETCH(int, expected);

    UpstreamRequest r;
    r.model = QStringLiteral("sim-small");
    r.body = QJsonDocument(QJsonObject{{QStringLiteral("model"), r.model},
                                       {QStringLiteral("max_tokens"), 100},
                                       {QStringLiteral("messages"), messages}})
                 .toJson(QJsonDocument::Compact);
    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    Run run;
    runCall(provider, format, r, run);
    if (QTest::currentTestFailed())
        return;
    Decoded d;
    decode(format, false, false, run.body, d);
    QCOMPARE(d.inputTokens, expected);
}

void tst_SimProvider::determinism_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<bool>("stream");
    addFormatRows(true);
}

void tst_SimProvider::determinism()
{
    QFETCH(WireFormat, format);
    QFETCH(bool, stream);

    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    const UpstreamRequest request = makeRequest(format, QStringLiteral("sim-small"), stream);
    Run first, second, other;
    runCall(provider, format, request, first);
    runCall(provider, format, request, second);
    runCall(provider, format,
            makeRequest(format, QStringLiteral("sim-small"), stream, {}, QStringLiteral("Something else?")),
            other);
    if (QTest::currentTestFailed())
        return;

    QCOMPARE(withoutClock(second.body), withoutClock(first.body));
    if (format == WireFormat::Anthropic)
        QCOMPARE(second.body, first.body);

    Decoded a, b;
    decode(format, stream, false, first.body, a);
    decode(format, stream, false, other.body, b);
    QVERIFY(!a.text.isEmpty());
    QVERIFY2(a.text != b.text, "another conversation gets another answer");
    QVERIFY(a.id != b.id);
}

void tst_SimProvider::sameConversationSameAnswerInBothFormats()
{
    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    Run openai, anthropic;
    runCall(provider, WireFormat::OpenAI, makeRequest(WireFormat::OpenAI, QStringLiteral("sim-x"), false), openai);
    runCall(provider, WireFormat::Anthropic,
            makeRequest(WireFormat::Anthropic, QStringLiteral("sim-x"), false), anthropic);
    if (QTest::currentTestFailed())
        return;
    Decoded a, b;
    decode(WireFormat::OpenAI, false, false, openai.body, a);
    decode(WireFormat::Anthropic, false, false, anthropic.body, b);
    QCOMPARE(a.text, b.text);
    QCOMPARE(a.inputTokens, b.inputTokens);
}

void tst_SimProvider::maxTokens_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QJsonObject>("limits");
    QTest::addColumn<int>("expected");
    QTest::addColumn<QString>("stopReason");

    const auto limit = [](const char *field, int value) {
        return QJsonObject{{QString::fromLatin1(field), value}};
    };
    for (bool stream : {false, true}) {
        const QByteArray mode = stream ? "stream/" : "whole/";
        QTest::addRow("%sopenai max_tokens 5", mode.constData())
            << WireFormat::OpenAI << stream << limit("max_tokens", 5) << 5 << u"length"_s;
        QTest::addRow("%sopenai max_completion_tokens 7", mode.constData())
            << WireFormat::OpenAI << stream << limit("max_completion_tokens", 7) << 7 << u"length"_s;
        QTest::addRow("%sopenai max_completion_tokens wins", mode.constData())
            << WireFormat::OpenAI << stream
            << QJsonObject{{QStringLiteral("max_tokens"), 3}, {QStringLiteral("max_completion_tokens"), 9}}
            << 9 << u"length"_s;
        QTest::addRow("%sopenai max_tokens equal to the answer", mode.constData())
            << WireFormat::OpenAI << stream << limit("max_tokens", kOutputTokens) << kOutputTokens
            << u"stop"_s;
        QTest::addRow("%sopenai max_tokens above the answer", mode.constData())
            << WireFormat::OpenAI << stream << limit("max_tokens", 500) << kOutputTokens << u"stop"_s;
        QTest::addRow("%santhropic max_tokens 1", mode.constData())
            << WireFormat::Anthropic << stream << limit("max_tokens", 1) << 1 << u"max_tokens"_s;
        QTest::addRow("%santhropic max_tokens 10", mode.constData())
            << WireFormat::Anthropic << stream << limit("max_tokens", 10) << 10 << u"max_tokens"_s;
        QTest::addRow("%santhropic max_tokens above the answer", mode.constData())
            << WireFormat::Anthropic << stream << limit("max_tokens", 4096) << kOutputTokens
            << u"end_turn"_s;
    }
}

void tst_SimProvider::maxTokens()
{
    QFETCH(WireFormat, format);
    QFETCH(bool, stream);
    QFETCH(QJsonObject, limits);
    QFETCH(int, expected);
    QFETCH(QString, stopReason);

    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    QJsonObject extra = limits;
    if (stream && format == WireFormat::OpenAI)
        extra.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
    Run run, full;
    runCall(provider, format, makeRequest(format, QStringLiteral("sim-small"), stream, extra), run);
    runCall(provider, format, makeRequest(format, QStringLiteral("sim-small"), false), full);
    if (QTest::currentTestFailed())
        return;

    Decoded d, whole;
    decode(format, stream, stream && format == WireFormat::OpenAI, run.body, d);
    decode(format, false, false, full.body, whole);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(d.stopReason, stopReason);
    QCOMPARE(d.outputTokens, expected);
    QCOMPARE(wordCount(d.text), expected);
    // A cut answer is the start of the whole one, up to its last word's
    // punctuation.
    const QStringList cut = d.text.split(u' ');
    const QStringList all = whole.text.split(u' ');
    QCOMPARE(cut.mid(0, cut.size() - 1), all.mid(0, cut.size() - 1));
}

void tst_SimProvider::failStatus_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("errorType");

    struct Row { int status; const char *openai; const char *anthropic; };
    const Row rows[] = {
        {400, "invalid_request_error", "invalid_request_error"},
        {401, "invalid_request_error", "authentication_error"},
        {404, "invalid_request_error", "not_found_error"},
        {429, "requests", "rate_limit_error"},
        {500, "server_error", "api_error"},
        {503, "server_error", "api_error"},
        {529, "server_error", "overloaded_error"},
    };
    for (const Row &row : rows) {
        for (bool stream : {false, true}) {
            for (WireFormat f : {WireFormat::OpenAI, WireFormat::Anthropic}) {
                const QByteArray name = wireFormatName(f).toUtf8() + (stream ? "/stream/" : "/whole/")
                                        + QByteArray::number(row.status);
                QTest::newRow(name.constData())
                    << f << stream << row.status
                    << QString::fromLatin1(f == WireFormat::OpenAI ? row.openai : row.anthropic);
            }
        }
    }
}

void tst_SimProvider::failStatus()
{
    QFETCH(WireFormat, format);
    QFETCH(bool, stream);
    QFETCH(int, status);
    QFETCH(QString, errorType);

    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    Run run;
    runCall(provider, format,
            makeRequest(format, u"sim-fail-"_s + QString::number(status), stream), run);
    if (QTest::currentTestFailed())
        return;

    QCOMPARE(run.status, status);
    QCOMPARE(run.outcome, ProviderCall::Outcome::Completed);
    QCOMPARE(run.header("content-type"), QByteArray("application/json"));
    QCOMPARE(run.header("retry-after"), status == 429 ? QByteArray("1") : QByteArray());
    const QJsonObject body = parseObject(run.body);
    const QJsonObject error = body.value(u"error").toObject();
    QCOMPARE(error.value(u"type").toString(), errorType);
    QVERIFY(!error.value(u"message").toString().isEmpty());
    if (format == WireFormat::OpenAI) {
        QVERIFY(error.contains(u"code"));
        QVERIFY(error.contains(u"param"));
        QCOMPARE(body.size(), 1);
    } else {
        QCOMPARE(body.value(u"type").toString(), u"error"_s);
    }
}

void tst_SimProvider::cut_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<bool>("stream");
    addFormatRows(true);
}

void tst_SimProvider::cut()
{
    QFETCH(WireFormat, format);
    QFETCH(bool, stream);

    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    const QJsonObject extra{{QStringLiteral("stream_options"),
                             QJsonObject{{QStringLiteral("include_usage"), true}}}};
    Run run;
    runCall(provider, format, makeRequest(format, QStringLiteral("sim-cut-small"), stream, extra), run);
    if (QTest::currentTestFailed())
        return;

    QCOMPARE(run.status, 200);
    QCOMPARE(run.outcome, ProviderCall::Outcome::ConnectError);
    QCOMPARE(run.error, u"connection closed mid-stream"_s);
    if (!stream) {
        QVERIFY(!run.body.isEmpty());
        QJsonParseError error;
        QJsonDocument::fromJson(run.body, &error);
        QVERIFY2(error.error != QJsonParseError::NoError, "a truncated body does not parse");
        return;
    }
    QVERIFY(run.body.endsWith("\n\n"));
    Decoded d;
    decode(format, true, format == WireFormat::OpenAI, run.body, d);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!d.terminal);
    QVERIFY(!d.usageSeen);
    QVERIFY(d.error.isEmpty());
    QVERIFY(d.stopReason.isEmpty());
    QCOMPARE(d.outputTokens, -1);
    QCOMPARE(wordCount(d.text), kOutputTokens / 2);
}

void tst_SimProvider::errorEvent_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<bool>("stream");
    addFormatRows(true);
}

void tst_SimProvider::errorEvent()
{
    QFETCH(WireFormat, format);
    QFETCH(bool, stream);

    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    Run run;
    runCall(provider, format, makeRequest(format, QStringLiteral("sim-error-small"), stream), run);
    if (QTest::currentTestFailed())
        return;

    QCOMPARE(run.outcome, ProviderCall::Outcome::Completed);
    if (!stream) {
        QCOMPARE(run.status, 500);
        QVERIFY(parseObject(run.body).value(u"error").isObject());
        return;
    }
    QCOMPARE(run.status, 200);
    Decoded d;
    decode(format, true, false, run.body, d);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!d.terminal);
    QCOMPARE(wordCount(d.text), kOutputTokens / 2);
    QVERIFY(!d.error.value(u"message").toString().isEmpty());
    if (format == WireFormat::Anthropic) {
        QCOMPARE(d.error.value(u"type").toString(), u"overloaded_error"_s);
        QVERIFY(run.body.endsWith("\n\n") && run.body.contains("event: error\ndata: {"));
    } else {
        QCOMPARE(d.error.value(u"type").toString(), u"server_error"_s);
    }
}

void tst_SimProvider::countTokens_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<bool>("stream");
    addFormatRows(false);
}

void tst_SimProvider::countTokens()
{
    QFETCH(WireFormat, format);

    SimConfig slow = fastConfig();
    slow.firstTokenMs = 60000;   // counting does not wait for a first token
    SimProvider provider(SimProvider::defaultConfig(), slow);
    UpstreamRequest r = makeRequest(format, QStringLiteral("sim-small"), false);
    r.kind = UpstreamRequest::Kind::CountTokens;
    Run run;
    runCall(provider, format, r, run);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(run.status, 200);
    const QJsonObject body = parseObject(run.body);
    QCOMPARE(body.keys(), QStringList{u"input_tokens"_s});
    QCOMPARE(body.value(u"input_tokens").toInt(), int(kSystem.size() + kUser.size()) / 4);
}

void tst_SimProvider::badRequest_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<QByteArray>("body");
    for (WireFormat f : {WireFormat::OpenAI, WireFormat::Anthropic}) {
        const QByteArray n = wireFormatName(f).toUtf8();
        QTest::addRow("%s/not json", n.constData()) << f << QByteArray("{\"model\": \"sim-small\", ");
        QTest::addRow("%s/array", n.constData()) << f << QByteArray("[1, 2]");
        QTest::addRow("%s/no messages", n.constData()) << f << QByteArray("{\"model\":\"sim-small\",\"max_tokens\":5}");
    }
}

void tst_SimProvider::badRequest()
{
    QFETCH(WireFormat, format);
    QFETCH(QByteArray, body);

    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    UpstreamRequest r;
    r.model = QStringLiteral("sim-small");
    r.body = body;
    Run run;
    runCall(provider, format, r, run);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(run.status, 400);
    const QJsonObject error = parseObject(run.body).value(u"error").toObject();
    QCOMPARE(error.value(u"type").toString(), u"invalid_request_error"_s);
}

void tst_SimProvider::noEmissionFromStart()
{
    SimConfig immediate = fastConfig();
    immediate.firstTokenMs = 0;
    SimProvider provider(SimProvider::defaultConfig(), immediate);
    QObject owner;
    ProviderCall *call = provider.createCallFor(
        WireFormat::Anthropic, makeRequest(WireFormat::Anthropic, QStringLiteral("sim-small"), true), &owner);
    call->start();
    // Connected only now: nothing may have been missed.
    QSignalSpy heads(call, &ProviderCall::headReceived);
    QSignalSpy data(call, &ProviderCall::bodyData);
    QSignalSpy finished(call, &ProviderCall::finished);
    QCOMPARE(heads.count(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QCOMPARE(heads.count(), 1);
    QVERIFY(data.count() >= 1);
    QCOMPARE(call->outcome(), ProviderCall::Outcome::Completed);
}

void tst_SimProvider::killMidStream_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::newRow("openai") << WireFormat::OpenAI;
    QTest::newRow("anthropic") << WireFormat::Anthropic;
}

void tst_SimProvider::killMidStream()
{
    QFETCH(WireFormat, format);

    SimConfig slow = fastConfig();
    slow.tokensPerSecond = 50;
    slow.outputTokens = 1000;
    SimProvider provider(SimProvider::defaultConfig(), slow);
    QObject owner;
    ProviderCall *call = provider.createCallFor(
        format, makeRequest(format, QStringLiteral("sim-small"), true), &owner);
    QSignalSpy data(call, &ProviderCall::bodyData);
    QSignalSpy finished(call, &ProviderCall::finished);
    call->start();
    QTRY_VERIFY_WITH_TIMEOUT(data.count() >= 2, kTimeoutMs);

    call->kill();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(call->outcome(), ProviderCall::Outcome::Killed);
    const qsizetype chunks = data.count();
    call->kill();
    QTest::qWait(150);   // several ticks of the 50 tok/s pace
    QCOMPARE(data.count(), chunks);
    QCOMPARE(finished.count(), 1);
    QByteArray received;
    for (const QList<QVariant> &args : data)
        received += args.at(0).toByteArray();
    QVERIFY(!received.contains("[DONE]") && !received.contains("message_stop"));
}

void tst_SimProvider::killBeforeHead()
{
    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    QObject owner;
    ProviderCall *call = provider.createCallFor(
        WireFormat::OpenAI, makeRequest(WireFormat::OpenAI, QStringLiteral("sim-small"), false), &owner);
    QSignalSpy heads(call, &ProviderCall::headReceived);
    QSignalSpy data(call, &ProviderCall::bodyData);
    QSignalSpy finished(call, &ProviderCall::finished);
    call->start();
    call->kill();
    QCOMPARE(finished.count(), 1);
    QTest::qWait(50);
    QCOMPARE(heads.count(), 0);
    QCOMPARE(data.count(), 0);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(call->outcome(), ProviderCall::Outcome::Killed);
}

void tst_SimProvider::killAfterFinishedDoesNothing()
{
    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    QObject owner;
    ProviderCall *call = provider.createCallFor(
        WireFormat::OpenAI, makeRequest(WireFormat::OpenAI, QStringLiteral("sim-small"), true), &owner);
    QSignalSpy finished(call, &ProviderCall::finished);
    call->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    call->kill();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(call->outcome(), ProviderCall::Outcome::Completed);
}

void tst_SimProvider::deletesItselfOnlyWithoutParent()
{
    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    const UpstreamRequest r = makeRequest(WireFormat::OpenAI, QStringLiteral("sim-small"), false);

    QPointer<ProviderCall> orphan = provider.createCallFor(WireFormat::OpenAI, r, nullptr);
    orphan->start();
    QTRY_VERIFY_WITH_TIMEOUT(orphan.isNull(), kTimeoutMs);

    QObject owner;
    QPointer<ProviderCall> child = provider.createCallFor(WireFormat::OpenAI, r, &owner);
    QSignalSpy finished(child.data(), &ProviderCall::finished);
    child->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QTest::qWait(20);
    QVERIFY2(!child.isNull(), "a parented call is left to its parent");
    QCOMPARE(child->httpStatus(), 200);
}

void tst_SimProvider::pacing()
{
    SimConfig paced = fastConfig();
    paced.tokensPerSecond = 100;
    paced.outputTokens = 20;
    SimProvider provider(SimProvider::defaultConfig(), paced);
    Run run;
    runCall(provider, WireFormat::OpenAI, makeRequest(WireFormat::OpenAI, QStringLiteral("sim-small"), true), run);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(run.chunks > 1, "a paced stream arrives in several pieces");
    Decoded d;
    decode(WireFormat::OpenAI, true, false, run.body, d);
    QCOMPARE(wordCount(d.text), 20);

    // As fast as possible: everything at once is fine, and still complete.
    SimProvider fast(SimProvider::defaultConfig(), fastConfig());
    Run quick;
    runCall(fast, WireFormat::Anthropic, makeRequest(WireFormat::Anthropic, QStringLiteral("sim-small"), true), quick);
    if (QTest::currentTestFailed())
        return;
    Decoded q;
    decode(WireFormat::Anthropic, true, false, quick.body, q);
    QVERIFY(q.terminal);
}

void tst_SimProvider::createCallSpeaksOpenAI()
{
    SimProvider provider(SimProvider::defaultConfig(), fastConfig());
    QCOMPARE(provider.format(), WireFormat::OpenAI);
    QVERIFY(provider.serves(QStringLiteral("sim-anything")));
    QVERIFY(!provider.serves(QStringLiteral("gpt-4o")));

    QObject owner;
    ProviderCall *call = provider.createCall(
        makeRequest(WireFormat::OpenAI, QStringLiteral("sim-small"), false), &owner);
    QByteArray body;
    connect(call, &ProviderCall::bodyData, this, [&body](const QByteArray &b) { body += b; });
    QSignalSpy finished(call, &ProviderCall::finished);
    call->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QCOMPARE(parseObject(body).value(u"object").toString(), u"chat.completion"_s);
}

void tst_SimProvider::textReadsAsSentences()
{
    const QStringList tokens = SimText::tokens(42, 200, true);
    QCOMPARE(tokens.size(), 200);
    QVERIFY(!tokens.first().startsWith(u' '));
    for (qsizetype i = 1; i < tokens.size(); ++i) {
        QVERIFY(tokens.at(i).startsWith(u' '));
        QCOMPARE(tokens.at(i).count(u' '), 1);
    }
    const QString text = tokens.join(QString());
    QVERIFY(text.at(0).isUpper());
    QVERIFY(text.endsWith(u'.'));
    // Sentences: each one starts with a capital after ". ".
    const QStringList sentences = text.split(QStringLiteral(". "));
    QVERIFY(sentences.size() > 5);
    for (const QString &s : sentences)
        QVERIFY2(s.at(0).isUpper(), qPrintable(s));
    // A longer answer for the same seed starts with the same words.
    QCOMPARE(SimText::tokens(42, 50, false), tokens.mid(0, 50));
    QVERIFY(SimText::tokens(43, 50, false) != tokens.mid(0, 50));
    QVERIFY(SimText::tokens(42, 0, true).isEmpty());
}

QTEST_GUILESS_MAIN(tst_SimProvider)
#include "tst_simprovider.moc"
