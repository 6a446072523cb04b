// The official OpenAI and Anthropic Node SDKs (tests/sdk, from npm) tried as
// a new user would: the real `tollgate` program runs headless with --demo
// and a config file, a key is minted through the admin API, and each SDK,
// told only the gateway's base URL and that key through its usual
// environment variables, makes its calls: OpenAI chat.completions.create
// whole and streamed (for await over the chunks), Anthropic messages.create
// and messages.stream, on the simulated sim-small; and the OpenAI SDK asking
// for the alias "smart", streamed, gets its answer from the alias's second
// provider (an Anthropic-format fake) because the first (OpenAI-format)
// answers 503.
//
// When tests/sdk/node_modules is missing, `npm ci` installs it first; when
// node or the npm registry cannot be reached, the test is skipped, saying so.

#include "canned.h"
#include "fakeprovider.h"
#include "testclient.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

constexpr int kStartMs = 15000;
constexpr int kNodeMs = 60000;
// ctest gives each test 300 s in all; the install must leave room for the calls.
constexpr int kNpmMs = 240000;
constexpr QByteArrayView kAdminToken = "tst-sdk-admin-token-8d2a41";

// The answer the Anthropic-format fake streams, as text.
const QString kCannedText = u"Hello! The gateway forwards every event as it arrives, byte for byte."_s;

QString tollgateBinary()
{
    return QFileInfo(QCoreApplication::applicationDirPath() + u"/../app/tollgate"_s).absoluteFilePath();
}

// tests/sdk in the source tree: TOLLGATE_SDK_DIR, else next to this file
// (__FILE__ is relative to the build root with Ninja, absolute otherwise).
QString sdkDir()
{
    const QString env = qEnvironmentVariable("TOLLGATE_SDK_DIR");
    if (!env.isEmpty())
        return QDir(env).absolutePath();
    const QString file = QString::fromUtf8(__FILE__);
    QFileInfo source(file);
    if (source.isRelative())
        source = QFileInfo(QCoreApplication::applicationDirPath() + u"/../"_s + file);
    return QDir(source.absolutePath() + u"/sdk"_s).absolutePath();
}

// A program run to its end, bounded; the event loop keeps turning meanwhile
// so the fake providers in this process keep answering.
struct Run
{
    bool started = false;
    bool finished = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runProgram(const QString &program, const QStringList &args, const QString &dir,
               const QProcessEnvironment &env, int timeoutMs)
{
    Run run;
    QProcess p;
    p.setWorkingDirectory(dir);
    p.setProcessEnvironment(env);
    QObject::connect(&p, &QProcess::readyReadStandardOutput, &p, [&] { run.out += p.readAllStandardOutput(); });
    QObject::connect(&p, &QProcess::readyReadStandardError, &p, [&] { run.err += p.readAllStandardError(); });
    p.start(program, args);
    run.started = QTest::qWaitFor([&] { return p.state() == QProcess::Running || p.error() == QProcess::FailedToStart; },
                                  10000)
        && p.error() != QProcess::FailedToStart;
    if (!run.started)
        return run;
    run.finished = QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, timeoutMs);
    if (!run.finished) {
        p.kill();
        p.waitForFinished(5000);
        return run;
    }
    run.out += p.readAllStandardOutput();
    run.err += p.readAllStandardError();
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return run;
}

QString tail(const QByteArray &text, int chars = 600)
{
    return QString::fromUtf8(text.right(chars)).trimmed();
}

} // namespace

class tst_Sdk : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void openAiCreate();
    void openAiStream();
    void anthropicCreate();
    void anthropicStream();
    void openAiAliasFallsBackAcrossVendors();

private:
    // Runs an SDK script; its one JSON line, or an empty object (having failed the test).
    QJsonObject sdk(const QString &script, const QStringList &args);
    QString url(QStringView path = {}) const { return u"http://127.0.0.1:"_s + QString::number(m_port) + path; }

    QString m_sdkDir;
    QTemporaryDir m_dataDir;
    QProcess m_tollgate;
    QByteArray m_tollgateOut;
    QByteArray m_tollgateErr;
    quint16 m_port = 0;
    QByteArray m_key;
    FakeProvider m_flaky;    // OpenAI format; always 503
    FakeProvider m_claude;   // Anthropic format; answers
};

void tst_Sdk::initTestCase()
{
    QVERIFY2(QFileInfo(tollgateBinary()).isExecutable(), qPrintable(tollgateBinary()));
    m_sdkDir = sdkDir();
    QVERIFY2(QFileInfo::exists(m_sdkDir + u"/package-lock.json"_s), qPrintable(m_sdkDir));
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();

    const Run node = runProgram(u"node"_s, {u"--version"_s}, m_sdkDir, env, 20000);
    if (!node.started || node.exitCode != 0)
        QSKIP("node is not installed or does not run; the SDK checks need Node.js 18 or later");

    if (!QFileInfo::exists(m_sdkDir + u"/node_modules/openai/package.json"_s)
        || !QFileInfo::exists(m_sdkDir + u"/node_modules/@anthropic-ai/sdk/package.json"_s)) {
        qInfo("installing the SDKs: npm ci in %s", qPrintable(m_sdkDir));
        const Run npm = runProgram(u"npm"_s,
                                   {u"ci"_s, u"--no-audit"_s, u"--no-fund"_s, u"--fetch-retries=1"_s,
                                    u"--fetch-timeout=60000"_s},
                                   m_sdkDir, env, kNpmMs);
        if (!npm.started)
            QSKIP("npm is not installed; cannot install the OpenAI and Anthropic SDKs");
        if (!npm.finished)
            QSKIP(qPrintable(u"npm ci did not finish within %1 s (is the npm registry reachable?)"_s.arg(kNpmMs / 1000)));
        if (npm.exitCode != 0)
            QSKIP(qPrintable(u"npm ci failed, so the SDKs are not installed (is the npm registry reachable?): "_s
                             + tail(npm.err)));
    }

    // The providers: an OpenAI-format one that is down, an Anthropic-format one behind it.
    QVERIFY(m_flaky.isListening() && m_claude.isListening());
    m_flaky.setDefaultReply(FakeReply::error(
        503, Canned::openAiError("The engine is currently overloaded, please try again later", "server_error",
                                 "overloaded")));
    m_claude.setReplyFunction([](const FakeRequest &r) {
        return r.json().value(u"stream"_s).toBool() ? FakeReply::sse(Canned::anthropicStream(), 2)
                                                     : FakeReply::json(Canned::anthropicMessage());
    });

    QVERIFY(m_dataDir.isValid());
    const QString configPath = m_dataDir.filePath(u"tollgate.json"_s);
    const QJsonObject config{
        {u"providers"_s,
         QJsonArray{QJsonObject{{u"name"_s, u"flaky"_s},
                                {u"kind"_s, u"openai"_s},
                                {u"base_url"_s, m_flaky.openAiBaseUrl()},
                                {u"api_key"_s, u"sk-proj-fake-flaky"_s},
                                {u"models"_s, QJsonArray{u"gpt-4o"_s}}},
                    QJsonObject{{u"name"_s, u"claude"_s},
                                {u"kind"_s, u"anthropic"_s},
                                {u"base_url"_s, m_claude.anthropicBaseUrl()},
                                {u"api_key"_s, u"sk-ant-fake-claude"_s},
                                {u"models"_s, QJsonArray{u"claude-*"_s}}}}},
        {u"aliases"_s,
         QJsonObject{{u"smart"_s,
                      QJsonArray{QJsonObject{{u"provider"_s, u"flaky"_s}, {u"model"_s, u"gpt-4o"_s}},
                                 QJsonObject{{u"provider"_s, u"claude"_s}, {u"model"_s, u"claude-sonnet-4-5"_s}}}}}},
        {u"routing"_s, QJsonObject{{u"retries"_s, 0}, {u"backoff_ms"_s, 10}}},
        // A brisk simulator that still streams many events.
        {u"sim"_s, QJsonObject{{u"tokens_per_second"_s, 2000}, {u"first_token_ms"_s, 5}, {u"output_tokens"_s, 48}}},
    };
    QFile file(configPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(config).toJson());
    file.close();

    QProcessEnvironment tgEnv = env;
    tgEnv.insert(u"TOLLGATE_ADMIN_TOKEN"_s, QString::fromLatin1(kAdminToken));
    m_tollgate.setProcessEnvironment(tgEnv);
    connect(&m_tollgate, &QProcess::readyReadStandardOutput, this,
            [this] { m_tollgateOut += m_tollgate.readAllStandardOutput(); });
    connect(&m_tollgate, &QProcess::readyReadStandardError, this,
            [this] { m_tollgateErr += m_tollgate.readAllStandardError(); });
    m_tollgate.start(tollgateBinary(), {u"--headless"_s, u"--demo"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s,
                                        m_dataDir.path(), u"--config"_s, configPath});
    QTRY_VERIFY2_WITH_TIMEOUT(m_tollgateOut.contains('\n') || m_tollgate.state() == QProcess::NotRunning,
                              qPrintable(tail(m_tollgateErr)), kStartMs);
    const auto m = QRegularExpression(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_s).match(QString::fromUtf8(m_tollgateOut));
    QVERIFY2(m.hasMatch(), qPrintable(QString::fromUtf8(m_tollgateOut) + tail(m_tollgateErr)));
    m_port = quint16(m.captured(1).toUInt());

    // A key, minted the way the README shows.
    TestClient client;
    const HttpReply minted =
        client.post(url(u"/admin/keys"), R"({"name":"sdk user"})", {{"authorization", "Bearer " + kAdminToken.toByteArray()}});
    QCOMPARE(minted.status, 201);
    m_key = minted.json().value(u"key"_s).toString().toLatin1();
    QVERIFY(m_key.startsWith("tg-"));
}

void tst_Sdk::cleanupTestCase()
{
    if (m_tollgate.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(m_tollgate.processId()), SIGTERM);
    if (!QTest::qWaitFor([this] { return m_tollgate.state() == QProcess::NotRunning; }, 10000)) {
        m_tollgate.kill();
        m_tollgate.waitForFinished(5000);
    }
}

QJsonObject tst_Sdk::sdk(const QString &script, const QStringList &args)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // All a user changes: the base URL and the key.
    env.insert(u"OPENAI_BASE_URL"_s, url(u"/v1"));
    env.insert(u"OPENAI_API_KEY"_s, QString::fromLatin1(m_key));
    env.insert(u"ANTHROPIC_BASE_URL"_s, url());
    env.insert(u"ANTHROPIC_API_KEY"_s, QString::fromLatin1(m_key));
    for (const QString &name : {u"OPENAI_ORG_ID"_s, u"OPENAI_PROJECT_ID"_s, u"ANTHROPIC_AUTH_TOKEN"_s})
        env.remove(name);
    const Run run = runProgram(u"node"_s, QStringList{script} + args, m_sdkDir, env, kNodeMs);
    const QString what = script + u' ' + args.join(u' ');
    if (!run.started) {
        QTest::qFail(qPrintable(u"could not start node for "_s + what), __FILE__, __LINE__);
        return {};
    }
    if (!run.finished) {
        QTest::qFail(qPrintable(what + u" did not finish within "_s + QString::number(kNodeMs / 1000) + u" s"_s),
                     __FILE__, __LINE__);
        return {};
    }
    const QList<QByteArray> lines = run.out.trimmed().split('\n');
    const QJsonObject result = QJsonDocument::fromJson(lines.last()).object();
    if (run.exitCode != 0 || result.isEmpty() || result.contains(u"error"_s)) {
        QTest::qFail(qPrintable(what + u" failed: "_s + tail(run.out) + u' ' + tail(run.err)), __FILE__, __LINE__);
        return {};
    }
    return result;
}

void tst_Sdk::openAiCreate()
{
    const QJsonObject r = sdk(u"openai.mjs"_s, {u"whole"_s, u"sim-small"_s, u"Name three rivers."_s});
    QVERIFY(!r.isEmpty());
    QCOMPARE(r.value(u"object"_s).toString(), u"chat.completion"_s);
    QCOMPARE(r.value(u"provider"_s).toString(), u"sim"_s);
    QVERIFY(r.value(u"text"_s).toString().size() > 20);
    QVERIFY(!r.value(u"finish"_s).toString().isEmpty());
    QVERIFY(r.value(u"usage"_s).toObject().value(u"completion_tokens"_s).toInt() > 0);
    QVERIFY(r.value(u"usage"_s).toObject().value(u"prompt_tokens"_s).toInt() > 0);
}

void tst_Sdk::openAiStream()
{
    const QJsonObject r = sdk(u"openai.mjs"_s, {u"stream"_s, u"sim-small"_s, u"Name three lakes."_s});
    QVERIFY(!r.isEmpty());
    QCOMPARE(r.value(u"object"_s).toString(), u"chat.completion.chunk"_s);
    QCOMPARE(r.value(u"provider"_s).toString(), u"sim"_s);
    // Many chunks, not one lump, adding up to an answer with its usage.
    QVERIFY2(r.value(u"contentChunks"_s).toInt() > 5, qPrintable(QString::number(r.value(u"contentChunks"_s).toInt())));
    QVERIFY(r.value(u"text"_s).toString().size() > 20);
    QVERIFY(!r.value(u"finish"_s).toString().isEmpty());
    QVERIFY(r.value(u"usage"_s).toObject().value(u"completion_tokens"_s).toInt() > 0);
}

void tst_Sdk::anthropicCreate()
{
    const QJsonObject r = sdk(u"anthropic.mjs"_s, {u"create"_s, u"sim-small"_s, u"Name three mountains."_s});
    QVERIFY(!r.isEmpty());
    QCOMPARE(r.value(u"type"_s).toString(), u"message"_s);
    QCOMPARE(r.value(u"provider"_s).toString(), u"sim"_s);
    QVERIFY(r.value(u"text"_s).toString().size() > 20);
    QVERIFY(!r.value(u"stop"_s).toString().isEmpty());
    QVERIFY(r.value(u"usage"_s).toObject().value(u"output_tokens"_s).toInt() > 0);
    QVERIFY(r.value(u"usage"_s).toObject().value(u"input_tokens"_s).toInt() > 0);
}

void tst_Sdk::anthropicStream()
{
    const QJsonObject r = sdk(u"anthropic.mjs"_s, {u"stream"_s, u"sim-small"_s, u"Name three islands."_s});
    QVERIFY(!r.isEmpty());
    QCOMPARE(r.value(u"type"_s).toString(), u"message"_s);
    QCOMPARE(r.value(u"provider"_s).toString(), u"sim"_s);
    QVERIFY2(r.value(u"textEvents"_s).toInt() > 5, qPrintable(QString::number(r.value(u"textEvents"_s).toInt())));
    // The SDK's own assembly of the events is the text that streamed.
    QCOMPARE(r.value(u"text"_s).toString(), r.value(u"streamedText"_s).toString());
    QVERIFY(r.value(u"text"_s).toString().size() > 20);
    QVERIFY(r.value(u"usage"_s).toObject().value(u"output_tokens"_s).toInt() > 0);
}

void tst_Sdk::openAiAliasFallsBackAcrossVendors()
{
    const QJsonObject r = sdk(u"openai.mjs"_s, {u"stream"_s, u"smart"_s});
    QVERIFY(!r.isEmpty());
    QCOMPARE(r.value(u"provider"_s).toString(), u"claude"_s);
    QCOMPARE(r.value(u"object"_s).toString(), u"chat.completion.chunk"_s);
    QCOMPARE(r.value(u"text"_s).toString(), kCannedText);
    QCOMPARE(r.value(u"finish"_s).toString(), u"stop"_s);
    QVERIFY(r.value(u"contentChunks"_s).toInt() > 5);
    // Usage translated from Anthropic's, cache tokens included.
    const QJsonObject usage = r.value(u"usage"_s).toObject();
    QCOMPARE(usage.value(u"prompt_tokens"_s).toInteger(),
             Canned::kAnthropicInputTokens + Canned::kAnthropicCacheRead + Canned::kAnthropicCacheWrite);
    QCOMPARE(usage.value(u"completion_tokens"_s).toInteger(), Canned::kAnthropicOutputTokens);

    // The OpenAI-format provider was asked first, then the Anthropic one, each in its own format.
    QCOMPARE(m_flaky.requestCount(), 1);
    QCOMPARE(m_flaky.request(0).json().value(u"model"_s).toString(), u"gpt-4o"_s);
    QCOMPARE(m_claude.requestCount(), 1);
    const FakeRequest up = m_claude.request(0);
    QCOMPARE(up.target, QByteArray("/v1/messages"));
    QCOMPARE(up.json().value(u"model"_s).toString(), u"claude-sonnet-4-5"_s);
    QCOMPARE(up.json().value(u"system"_s).toString(), u"You are terse."_s);
    QCOMPARE(up.header("x-api-key"), QByteArray("sk-ant-fake-claude"));

    // The ledger names the alias and the provider that answered.
    TestClient client;
    QJsonObject record;
    auto recorded = [&] {
        const HttpReply usage =
            client.get(url(u"/admin/usage?model=smart"), {{"authorization", "Bearer " + kAdminToken.toByteArray()}});
        record = usage.json().value(u"records"_s).toArray().first().toObject();
        return !record.isEmpty();
    };
    QTRY_VERIFY_WITH_TIMEOUT(recorded(), 10000);
    QCOMPARE(record.value(u"model"_s).toString(), u"smart"_s);
    QCOMPARE(record.value(u"provider"_s).toString(), u"claude"_s);
    QCOMPARE(record.value(u"status"_s).toInt(), 200);
}

QTEST_GUILESS_MAIN(tst_Sdk)
#include "tst_sdk.moc"
