// tollgate-test-links: tollgate_config
//
// The config file as a user writes it: the contract's example, every field,
// the no-file defaults, --demo, and the message a user gets for each mistake
// (it must name the file, the field and what is wrong).

#include "config/configloader.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_ConfigLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void parsesTheContractExample();
    void parsesEveryField();
    void loadFileReadsAndNamesTheSource();
    void defaults();
    void omittedProvidersKeepTheDefaults();
    void applyDemo();
    void applyDemoKeepsAConfiguredSim();
    void listen_data();
    void listen();
    void badListen_data();
    void badListen();
    void apiKeyFromEnvironment();
    void missingEnvironmentVariableIsNotAnError();
    void unreadableFile();
    void invalidJsonGivesLineAndColumn();
    void errors_data();
    void errors();
    void parsePrice_data();
    void parsePrice();
};

// The test data sits below the class on purpose: moc (Qt 6.4) mis-lexes "//"
// inside a multi-line raw string and then finds no Q_OBJECT class after it.
namespace {

// CONTRACT.md, "Configuration file", verbatim.
const QByteArray contractExample = R"({
  "listen": "127.0.0.1:7070",
  "passthrough": false,
  "providers": [
    {"name": "openai", "kind": "openai", "base_url": "https://api.openai.com/v1",
     "api_key_env": "OPENAI_API_KEY", "models": ["gpt-*", "o1*", "o3*", "o4*"]},
    {"name": "anthropic", "kind": "anthropic", "base_url": "https://api.anthropic.com",
     "api_key_env": "ANTHROPIC_API_KEY", "models": ["claude-*"]}
  ],
  "prices": {"gpt-4o-mini": {"input_per_mtok": 0.15, "output_per_mtok": 0.60}},
  "aliases": {"smart": [{"provider": "openai", "model": "gpt-4o"},
                        {"provider": "anthropic", "model": "claude-sonnet-4-5"}]}
})";

// Every field the loader knows, away from its default.
const QByteArray everyField = R"({
  "$schema": "https://tollgate.invalid/config.schema.json",
  "_comment": "keys starting with _ or $ are ignored",
  "listen": "[::1]:0",
  "passthrough": true,
  "max_body_mb": 2.5,
  "max_header_kb": 16,
  "idle_timeout_s": 30,
  "providers": [
    {"name": "local", "kind": "openai", "base_url": "http://127.0.0.1:11434/v1//",
     "models": ["llama*", "qwen*"], "connect_timeout_ms": 500,
     "first_byte_timeout_ms": 2000, "idle_timeout_ms": 3000, "_note": "ollama"},
    {"name": "claude", "kind": "anthropic", "base_url": "https://api.anthropic.com/",
     "api_key": "sk-literal", "models": ["claude-*"]},
    {"name": "sim", "kind": "sim", "models": ["sim-*", "fake"]}
  ],
  "prices": {
    "llama3": {"input_per_mtok": 0, "output_per_mtok": 0},
    "gpt-4.1": {"input_per_mtok": 2, "output_per_mtok": 8,
                "cache_read_per_mtok": 0.5, "cache_write_per_mtok": 2.5}
  },
  "default_price": {"input_per_mtok": 1, "output_per_mtok": 3},
  "aliases": {"fast": [{"provider": "sim", "model": "sim-small"}]},
  "sim": {"tokens_per_second": 1000, "first_token_ms": 0, "output_tokens": 12}
})";

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        return QString();
    return path;
}

} // namespace

void tst_ConfigLoader::initTestCase()
{
    qputenv("OPENAI_API_KEY", "sk-openai-test");
    qputenv("ANTHROPIC_API_KEY", "sk-ant-test");
}

void tst_ConfigLoader::parsesTheContractExample()
{
    QString error;
    const auto config = ConfigLoader::fromJson(contractExample, u"/etc/tollgate.json"_s, &error);
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->sourceFile, u"/etc/tollgate.json"_s);
    QCOMPARE(config->listenHost, u"127.0.0.1"_s);
    QCOMPARE(config->listenPort, quint16(7070));
    QCOMPARE(config->passthrough, false);

    QCOMPARE(config->providers.size(), 2);
    const ProviderConfig &openai = config->providers.at(0);
    QCOMPARE(openai.name, u"openai"_s);
    QCOMPARE(openai.kind, u"openai"_s);
    QCOMPARE(openai.baseUrl, u"https://api.openai.com/v1"_s);
    QCOMPARE(openai.apiKeyEnv, u"OPENAI_API_KEY"_s);
    QCOMPARE(openai.apiKey, u"sk-openai-test"_s);
    QCOMPARE(openai.models, QStringList({u"gpt-*"_s, u"o1*"_s, u"o3*"_s, u"o4*"_s}));
    const ProviderConfig &anthropic = config->providers.at(1);
    QCOMPARE(anthropic.name, u"anthropic"_s);
    QCOMPARE(anthropic.kind, u"anthropic"_s);
    QCOMPARE(anthropic.baseUrl, u"https://api.anthropic.com"_s);
    QCOMPARE(anthropic.apiKey, u"sk-ant-test"_s);
    QCOMPARE(anthropic.models, QStringList({u"claude-*"_s}));

    QCOMPARE(config->prices.size(), 1);
    const Price mini = config->prices.value(u"gpt-4o-mini"_s);
    QCOMPARE(mini.inputPerMTok, 0.15);
    QCOMPARE(mini.outputPerMTok, 0.60);
    QVERIFY(!mini.cacheReadPerMTok);
    QVERIFY(!mini.cacheWritePerMTok);
    QVERIFY(!config->defaultPrice);

    QCOMPARE(config->aliases.size(), 1);
    const QList<AliasTarget> smart = config->aliases.value(u"smart"_s);
    QCOMPARE(smart.size(), 2);
    QCOMPARE(smart.at(0).provider, u"openai"_s);
    QCOMPARE(smart.at(0).model, u"gpt-4o"_s);
    QCOMPARE(smart.at(1).provider, u"anthropic"_s);
    QCOMPARE(smart.at(1).model, u"claude-sonnet-4-5"_s);

    // What the file leaves out keeps the defaults.
    const Config plain;
    QCOMPARE(config->maxBodyBytes, plain.maxBodyBytes);
    QCOMPARE(config->maxHeaderBytes, plain.maxHeaderBytes);
    QCOMPARE(config->idleConnectionTimeoutS, plain.idleConnectionTimeoutS);
    QCOMPARE(openai.connectTimeoutMs, ProviderConfig().connectTimeoutMs);
    QCOMPARE(config->demo, false);
}

void tst_ConfigLoader::parsesEveryField()
{
    QString error;
    const auto config = ConfigLoader::fromJson(everyField, u"every.json"_s, &error);
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->listenHost, u"::1"_s);
    QCOMPARE(config->listenPort, quint16(0));
    QCOMPARE(config->passthrough, true);
    QCOMPARE(config->maxBodyBytes, qint64(2.5 * 1024 * 1024));
    QCOMPARE(config->maxHeaderBytes, 16 * 1024);
    QCOMPARE(config->idleConnectionTimeoutS, 30);

    QCOMPARE(config->providers.size(), 3);
    const ProviderConfig &local = config->providers.at(0);
    QCOMPARE(local.baseUrl, u"http://127.0.0.1:11434/v1"_s);   // trailing '/' stripped
    QCOMPARE(local.apiKey, QString());
    QCOMPARE(local.models, QStringList({u"llama*"_s, u"qwen*"_s}));
    QCOMPARE(local.connectTimeoutMs, 500);
    QCOMPARE(local.firstByteTimeoutMs, 2000);
    QCOMPARE(local.idleTimeoutMs, 3000);
    const ProviderConfig &claude = config->providers.at(1);
    QCOMPARE(claude.baseUrl, u"https://api.anthropic.com"_s);
    QCOMPARE(claude.apiKey, u"sk-literal"_s);
    QCOMPARE(claude.apiKeyEnv, QString());
    const ProviderConfig &sim = config->providers.at(2);
    QCOMPARE(sim.kind, u"sim"_s);
    QCOMPARE(sim.baseUrl, QString());
    QCOMPARE(sim.models, QStringList({u"sim-*"_s, u"fake"_s}));

    QCOMPARE(config->prices.size(), 2);
    QCOMPARE(config->prices.value(u"llama3"_s), Price());
    const Price gpt41{2, 8, 0.5, 2.5};
    QCOMPARE(config->prices.value(u"gpt-4.1"_s), gpt41);
    QVERIFY(config->defaultPrice);
    QCOMPARE(*config->defaultPrice, (Price{1, 3, std::nullopt, std::nullopt}));

    QCOMPARE(config->aliases.value(u"fast"_s).size(), 1);
    QCOMPARE(config->aliases.value(u"fast"_s).at(0).provider, u"sim"_s);
    QCOMPARE(config->sim.tokensPerSecond, 1000);
    QCOMPARE(config->sim.firstTokenMs, 0);
    QCOMPARE(config->sim.outputTokens, 12);
}

void tst_ConfigLoader::loadFileReadsAndNamesTheSource()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeFile(dir, u"tollgate.json"_s, contractExample);
    QVERIFY(!path.isEmpty());
    QString error;
    const auto config = ConfigLoader::loadFile(path, &error);
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->sourceFile, path);
    QCOMPARE(config->aliases.value(u"smart"_s).size(), 2);

    // The same mistake read from a file names that file.
    const QString bad = writeFile(dir, u"bad.json"_s, R"({"providers": [{"name": "x"}]})");
    QVERIFY(!ConfigLoader::loadFile(bad, &error));
    QVERIFY2(error.startsWith(u"config "_s + bad + u": providers[0].kind: "_s), qPrintable(error));
}

void tst_ConfigLoader::defaults()
{
    const Config config = ConfigLoader::defaults();
    QCOMPARE(config.sourceFile, QString());
    QCOMPARE(config.listenHost, u"127.0.0.1"_s);
    QCOMPARE(config.listenPort, quint16(7070));
    QCOMPARE(config.passthrough, false);
    QCOMPARE(config.demo, false);
    QVERIFY(config.aliases.isEmpty());
    QVERIFY(config.prices.isEmpty());
    QCOMPARE(config.providers.size(), 2);

    const ProviderConfig &openai = config.providers.at(0);
    QCOMPARE(openai.name, u"openai"_s);
    QCOMPARE(openai.kind, u"openai"_s);
    QCOMPARE(openai.baseUrl, u"https://api.openai.com/v1"_s);
    QCOMPARE(openai.apiKeyEnv, u"OPENAI_API_KEY"_s);
    QCOMPARE(openai.apiKey, u"sk-openai-test"_s);
    QCOMPARE(openai.models,
             QStringList({u"gpt-*"_s, u"o1*"_s, u"o3*"_s, u"o4*"_s, u"chatgpt-*"_s}));

    const ProviderConfig &anthropic = config.providers.at(1);
    QCOMPARE(anthropic.name, u"anthropic"_s);
    QCOMPARE(anthropic.kind, u"anthropic"_s);
    QCOMPARE(anthropic.baseUrl, u"https://api.anthropic.com"_s);
    QCOMPARE(anthropic.apiKeyEnv, u"ANTHROPIC_API_KEY"_s);
    QCOMPARE(anthropic.apiKey, u"sk-ant-test"_s);
    QCOMPARE(anthropic.models, QStringList({u"claude-*"_s}));
}

void tst_ConfigLoader::omittedProvidersKeepTheDefaults()
{
    QString error;
    const auto config = ConfigLoader::fromJson(
        R"({"aliases": {"cheap": [{"provider": "anthropic", "model": "claude-haiku-4-5"}]}})",
        u"short.json"_s, &error);
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->providers.size(), 2);
    QCOMPARE(config->providers.at(0).name, u"openai"_s);
    QCOMPARE(config->providers.at(1).name, u"anthropic"_s);
    QCOMPARE(config->aliases.value(u"cheap"_s).at(0).model, u"claude-haiku-4-5"_s);

    // An explicit empty list means no providers (e.g. only the demo's).
    const auto none = ConfigLoader::fromJson(R"({"providers": []})", u"none.json"_s, &error);
    QVERIFY2(none, qPrintable(error));
    QVERIFY(none->providers.isEmpty());
}

void tst_ConfigLoader::applyDemo()
{
    Config config = ConfigLoader::defaults();
    ConfigLoader::applyDemo(config);
    QVERIFY(config.demo);
    QCOMPARE(config.providers.size(), 3);
    QCOMPARE(config.providers.at(0).name, u"openai"_s);   // priorities untouched
    const ProviderConfig &sim = config.providers.last();
    QCOMPARE(sim.name, u"sim"_s);
    QCOMPARE(sim.kind, u"sim"_s);
    QCOMPARE(sim.models, QStringList({u"sim-*"_s}));

    ConfigLoader::applyDemo(config);   // --demo twice is still one sim
    QCOMPARE(config.providers.size(), 3);
}

void tst_ConfigLoader::applyDemoKeepsAConfiguredSim()
{
    QString error;
    auto config = ConfigLoader::fromJson(
        R"({"providers": [{"name": "sim", "kind": "sim", "models": ["sim-*", "demo-*"]},
                          {"name": "openai", "kind": "openai", "base_url": "https://api.openai.com/v1",
                           "models": ["gpt-*"]}]})",
        u"sim.json"_s, &error);
    QVERIFY2(config, qPrintable(error));
    ConfigLoader::applyDemo(*config);
    QVERIFY(config->demo);
    QCOMPARE(config->providers.size(), 2);
    QCOMPARE(config->providers.at(0).models, QStringList({u"sim-*"_s, u"demo-*"_s}));
}

void tst_ConfigLoader::listen_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");

    QTest::newRow("ipv4") << u"127.0.0.1:7070"_s << u"127.0.0.1"_s << 7070;
    QTest::newRow("port 0 picks a free port") << u"127.0.0.1:0"_s << u"127.0.0.1"_s << 0;
    QTest::newRow("any address") << u"0.0.0.0:8080"_s << u"0.0.0.0"_s << 8080;
    QTest::newRow("highest port") << u"127.0.0.1:65535"_s << u"127.0.0.1"_s << 65535;
    QTest::newRow("host name") << u"localhost:7070"_s << u"localhost"_s << 7070;
    QTest::newRow("ipv6 loopback") << u"[::1]:7070"_s << u"::1"_s << 7070;
    QTest::newRow("ipv6 any, port 0") << u"[::]:0"_s << u"::"_s << 0;
    QTest::newRow("ipv6 full") << u"[fe80::1:2]:443"_s << u"fe80::1:2"_s << 443;
}

void tst_ConfigLoader::listen()
{
    QFETCH(QString, text);
    QFETCH(QString, host);
    QFETCH(int, port);

    QString parsedHost, reason;
    quint16 parsedPort = 1;
    QVERIFY2(ConfigLoader::parseListen(text, &parsedHost, &parsedPort, &reason), qPrintable(reason));
    QCOMPARE(parsedHost, host);
    QCOMPARE(int(parsedPort), port);

    // And the same through the config file.
    QString error;
    const QByteArray json = QJsonDocument(QJsonObject{{u"listen"_s, text}}).toJson();
    const auto config = ConfigLoader::fromJson(json, u"listen.json"_s, &error);
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->listenHost, host);
    QCOMPARE(int(config->listenPort), port);
}

void tst_ConfigLoader::badListen_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reason");

    QTest::newRow("no port") << u"127.0.0.1"_s << u"missing :PORT"_s;
    QTest::newRow("empty port") << u"127.0.0.1:"_s << u"port must be a number from 0 to 65535"_s;
    QTest::newRow("port too large") << u"127.0.0.1:65536"_s << u"port must be a number from 0 to 65535"_s;
    QTest::newRow("negative port") << u"127.0.0.1:-1"_s << u"port must be a number from 0 to 65535"_s;
    QTest::newRow("port not a number") << u"127.0.0.1:http"_s << u"port must be a number from 0 to 65535"_s;
    QTest::newRow("port with sign") << u"127.0.0.1:+80"_s << u"port must be a number from 0 to 65535"_s;
    QTest::newRow("no host") << u":7070"_s << u"missing host"_s;
    QTest::newRow("bare ipv6") << u"::1:7070"_s << u"IPv6 address goes in brackets"_s;
    QTest::newRow("unclosed bracket") << u"[::1:7070"_s << u"missing ']'"_s;
    QTest::newRow("bracket without port") << u"[::1]7070"_s << u"missing :PORT"_s;
    QTest::newRow("brackets around ipv4") << u"[127.0.0.1]:80"_s << u"is not an IPv6 address"_s;
    QTest::newRow("bad ipv4") << u"300.1.1.1:80"_s << u"is not a host name or IP address"_s;
    QTest::newRow("space in host") << u"my host:80"_s << u"is not a host name or IP address"_s;
}

void tst_ConfigLoader::badListen()
{
    QFETCH(QString, text);
    QFETCH(QString, reason);

    QString host = u"unchanged"_s, why;
    quint16 port = 1;
    QVERIFY(!ConfigLoader::parseListen(text, &host, &port, &why));
    QVERIFY2(why.contains(reason), qPrintable(why));
    QCOMPARE(host, u"unchanged"_s);
    QCOMPARE(port, quint16(1));

    QString error;
    const QByteArray json = QJsonDocument(QJsonObject{{u"listen"_s, text}}).toJson();
    QVERIFY(!ConfigLoader::fromJson(json, u"/etc/x.json"_s, &error));
    QVERIFY2(error.startsWith(u"config /etc/x.json: listen: "_s), qPrintable(error));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void tst_ConfigLoader::apiKeyFromEnvironment()
{
    qputenv("TOLLGATE_TEST_GROQ_KEY", "gsk-from-env");
    QString error;
    const auto config = ConfigLoader::fromJson(
        R"({"providers": [{"name": "groq", "kind": "openai",
                           "base_url": "https://api.groq.com/openai/v1",
                           "api_key_env": "TOLLGATE_TEST_GROQ_KEY", "models": ["llama-*"]}]})",
        u"env.json"_s, &error);
    qunsetenv("TOLLGATE_TEST_GROQ_KEY");
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->providers.at(0).apiKeyEnv, u"TOLLGATE_TEST_GROQ_KEY"_s);
    QCOMPARE(config->providers.at(0).apiKey, u"gsk-from-env"_s);
}

void tst_ConfigLoader::missingEnvironmentVariableIsNotAnError()
{
    qunsetenv("TOLLGATE_TEST_UNSET_KEY");
    // Quiet as well as accepted: the provider just sends no credential.
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    QString error;
    const auto config = ConfigLoader::fromJson(
        R"({"providers": [{"name": "ollama", "kind": "openai", "base_url": "http://localhost:11434/v1",
                           "api_key_env": "TOLLGATE_TEST_UNSET_KEY", "models": ["*"]}]})",
        u"env.json"_s, &error);
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->providers.at(0).apiKeyEnv, u"TOLLGATE_TEST_UNSET_KEY"_s);
    QVERIFY(config->providers.at(0).apiKey.isEmpty());
}

void tst_ConfigLoader::unreadableFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString error;

    const QString missing = dir.filePath(u"missing.json"_s);
    QVERIFY(!ConfigLoader::loadFile(missing, &error));
    QVERIFY2(error.startsWith(u"config "_s + missing + u": cannot read: "_s), qPrintable(error));
    QVERIFY2(error.size() > (u"config "_s + missing + u": cannot read: "_s).size(),
             qPrintable(error));   // and gives the reason

    QVERIFY(!ConfigLoader::loadFile(dir.path(), &error));
    QVERIFY2(error.startsWith(u"config "_s + dir.path() + u": cannot read: "_s), qPrintable(error));

    // A caller that does not want the message may pass null.
    QVERIFY(!ConfigLoader::loadFile(missing, nullptr));
}

void tst_ConfigLoader::invalidJsonGivesLineAndColumn()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Missing comma at the end of line 2; the parser stops on line 3.
    const QString path = writeFile(dir, u"broken.json"_s,
                                   "{\n  \"listen\": \"127.0.0.1:7070\"\n  \"passthrough\": true\n}\n");
    QString error;
    QVERIFY(!ConfigLoader::loadFile(path, &error));
    QVERIFY2(error.startsWith(u"config "_s + path + u": invalid JSON at line 3, column "_s),
             qPrintable(error));
    QVERIFY2(error.contains(u"(offset "_s), qPrintable(error));

    QVERIFY(!ConfigLoader::fromJson(QByteArray(), u"empty.json"_s, &error));
    QVERIFY2(error.startsWith(u"config empty.json: invalid JSON at line 1"_s), qPrintable(error));
}

void tst_ConfigLoader::errors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");    // the path the message must start with
    QTest::addColumn<QString>("reason");   // and what it must say about it

    const QByteArray openai =
        R"({"name": "openai", "kind": "openai", "base_url": "https://api.openai.com/v1", "models": ["gpt-*"]})";
    const auto withProviders = [](const QByteArray &list) -> QByteArray {
        return QByteArray(R"({"providers": [)") + list + "]}";
    };

    QTest::newRow("top level not an object") << QByteArray("[1, 2]") << QString()
                                             << u"the top level must be a JSON object, not an array"_s;
    QTest::newRow("unknown top-level key")
        << QByteArray(R"({"pricing": {}})") << u"pricing"_s << u"unknown field"_s;
    QTest::newRow("misspelt top-level key")
        << QByteArray(R"({"lisen": "127.0.0.1:1"})") << u"lisen"_s
        << u"unknown field (did you mean \"listen\"?)"_s;

    QTest::newRow("listen not a string")
        << QByteArray(R"({"listen": 7070})") << u"listen"_s << u"must be a string, not a number"_s;
    QTest::newRow("listen empty")
        << QByteArray(R"({"listen": ""})") << u"listen"_s << u"must not be empty"_s;
    QTest::newRow("listen bad port")
        << QByteArray(R"({"listen": "127.0.0.1:99999"})") << u"listen"_s
        << u"port must be a number from 0 to 65535"_s;
    QTest::newRow("passthrough not a bool")
        << QByteArray(R"({"passthrough": "yes"})") << u"passthrough"_s
        << u"must be a boolean, not a string"_s;
    QTest::newRow("max_body_mb zero")
        << QByteArray(R"({"max_body_mb": 0})") << u"max_body_mb"_s << u"must be a positive number"_s;
    QTest::newRow("max_body_mb negative")
        << QByteArray(R"({"max_body_mb": -4})") << u"max_body_mb"_s << u"must be a positive number"_s;
    QTest::newRow("max_body_mb string")
        << QByteArray(R"({"max_body_mb": "32"})") << u"max_body_mb"_s
        << u"must be a number, not a string"_s;
    QTest::newRow("max_header_kb zero")
        << QByteArray(R"({"max_header_kb": 0})") << u"max_header_kb"_s << u"must be a positive number"_s;
    QTest::newRow("idle_timeout_s fraction")
        << QByteArray(R"({"idle_timeout_s": 1.5})") << u"idle_timeout_s"_s << u"must be an integer"_s;

    QTest::newRow("providers not an array")
        << QByteArray(R"({"providers": {"name": "openai"}})") << u"providers"_s
        << u"must be an array, not an object"_s;
    QTest::newRow("provider not an object")
        << withProviders(R"("openai")") << u"providers[0]"_s << u"must be an object, not a string"_s;
    QTest::newRow("missing name")
        << withProviders(R"({"kind": "openai", "base_url": "https://x.invalid", "models": ["*"]})")
        << u"providers[0].name"_s << u"missing (required)"_s;
    QTest::newRow("empty name")
        << withProviders(R"({"name": " ", "kind": "openai", "base_url": "https://x.invalid", "models": ["*"]})")
        << u"providers[0].name"_s << u"must not be empty"_s;
    QTest::newRow("name not a string")
        << withProviders(R"({"name": 1, "kind": "openai", "base_url": "https://x.invalid", "models": ["*"]})")
        << u"providers[0].name"_s << u"must be a string, not a number"_s;
    QTest::newRow("missing kind")
        << withProviders(openai + R"(, {"name": "b", "base_url": "https://x.invalid", "models": ["*"]})")
        << u"providers[1].kind"_s << u"missing (required)"_s;
    QTest::newRow("unknown kind")
        << withProviders(openai + R"(, {"name": "b", "kind": "foo", "base_url": "https://x.invalid", "models": ["*"]})")
        << u"providers[1].kind"_s << u"unknown kind \"foo\" (expected openai, anthropic or sim)"_s;
    QTest::newRow("missing base_url")
        << withProviders(R"({"name": "a", "kind": "anthropic", "models": ["claude-*"]})")
        << u"providers[0].base_url"_s << u"missing (required)"_s;
    QTest::newRow("base_url not http")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "ftp://x.invalid", "models": ["*"]})")
        << u"providers[0].base_url"_s << u"must be an http:// or https:// URL"_s;
    QTest::newRow("base_url without scheme")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "api.openai.com/v1", "models": ["*"]})")
        << u"providers[0].base_url"_s << u"must be an http:// or https:// URL"_s;
    QTest::newRow("base_url not a string")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": ["https://x.invalid"], "models": ["*"]})")
        << u"providers[0].base_url"_s << u"must be a string, not an array"_s;
    QTest::newRow("missing models")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "https://x.invalid"})")
        << u"providers[0].models"_s << u"missing (required)"_s;
    QTest::newRow("empty models")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "https://x.invalid", "models": []})")
        << u"providers[0].models"_s << u"must list at least one model pattern"_s;
    QTest::newRow("models not an array")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "https://x.invalid", "models": "gpt-*"})")
        << u"providers[0].models"_s << u"must be an array, not a string"_s;
    QTest::newRow("model pattern not a string")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "https://x.invalid", "models": ["gpt-*", 4]})")
        << u"providers[0].models[1]"_s << u"must be a string, not a number"_s;
    QTest::newRow("api_key_env not a string")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "https://x.invalid", "models": ["*"], "api_key_env": true})")
        << u"providers[0].api_key_env"_s << u"must be a string, not a boolean"_s;
    QTest::newRow("api_key and api_key_env")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "https://x.invalid", "models": ["*"], "api_key_env": "K", "api_key": "sk"})")
        << u"providers[0].api_key"_s << u"give either api_key or api_key_env, not both"_s;
    QTest::newRow("timeout zero")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "https://x.invalid", "models": ["*"], "connect_timeout_ms": 0})")
        << u"providers[0].connect_timeout_ms"_s << u"must be positive"_s;
    QTest::newRow("timeout string")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "https://x.invalid", "models": ["*"], "idle_timeout_ms": "5s"})")
        << u"providers[0].idle_timeout_ms"_s << u"must be an integer, not a string"_s;
    QTest::newRow("misspelt provider key")
        << withProviders(R"({"name": "a", "kind": "openai", "base_url": "https://x.invalid", "models": ["*"], "api_key_evn": "K"})")
        << u"providers[0].api_key_evn"_s << u"unknown field (did you mean \"api_key_env\"?)"_s;
    QTest::newRow("duplicate provider name")
        << withProviders(openai + ", " + openai) << u"providers[1].name"_s
        << u"duplicate provider name \"openai\""_s;

    QTest::newRow("prices not an object")
        << QByteArray(R"({"prices": []})") << u"prices"_s << u"must be an object, not an array"_s;
    QTest::newRow("negative price")
        << QByteArray(R"({"prices": {"gpt-4o": {"input_per_mtok": -1, "output_per_mtok": 10}}})")
        << u"prices[\"gpt-4o\"].input_per_mtok"_s << u"must not be negative (got -1)"_s;
    QTest::newRow("negative cache price")
        << QByteArray(R"({"prices": {"gpt-4.1": {"input_per_mtok": 2, "output_per_mtok": 8, "cache_read_per_mtok": -0.5}}})")
        << u"prices[\"gpt-4.1\"].cache_read_per_mtok"_s << u"must not be negative"_s;
    QTest::newRow("price as string")
        << QByteArray(R"({"prices": {"m": {"input_per_mtok": "2.5", "output_per_mtok": 10}}})")
        << u"prices[\"m\"].input_per_mtok"_s << u"must be a number, not a string"_s;
    QTest::newRow("price missing output")
        << QByteArray(R"({"prices": {"m": {"input_per_mtok": 1}}})")
        << u"prices[\"m\"].output_per_mtok"_s << u"missing (required)"_s;
    QTest::newRow("price not an object")
        << QByteArray(R"({"prices": {"m": 2.5}})") << u"prices[\"m\"]"_s
        << u"must be an object, not a number"_s;
    QTest::newRow("misspelt price key")
        << QByteArray(R"({"prices": {"m": {"input_per_mtok": 1, "output_per_mtok": 2, "cache_read_per_mtoks": 1}}})")
        << u"prices[\"m\"].cache_read_per_mtoks"_s << u"unknown field"_s;
    QTest::newRow("negative default price")
        << QByteArray(R"({"default_price": {"input_per_mtok": 1, "output_per_mtok": -3}})")
        << u"default_price.output_per_mtok"_s << u"must not be negative"_s;

    QTest::newRow("alias to unknown provider")
        << QByteArray(R"({"aliases": {"smart": [{"provider": "openai", "model": "gpt-4o"},
                                                {"provider": "nope", "model": "x"}]}})")
        << u"aliases[\"smart\"][1].provider"_s
        << u"unknown provider \"nope\" (configured: openai, anthropic)"_s;
    QTest::newRow("alias not an array")
        << QByteArray(R"({"aliases": {"smart": {"provider": "openai", "model": "gpt-4o"}}})")
        << u"aliases[\"smart\"]"_s << u"must be an array, not an object"_s;
    QTest::newRow("alias empty")
        << QByteArray(R"({"aliases": {"smart": []}})") << u"aliases[\"smart\"]"_s
        << u"must list at least one {provider, model} target"_s;
    QTest::newRow("alias target missing model")
        << QByteArray(R"({"aliases": {"smart": [{"provider": "openai"}]}})")
        << u"aliases[\"smart\"][0].model"_s << u"missing (required)"_s;

    QTest::newRow("sim not an object")
        << QByteArray(R"({"sim": true})") << u"sim"_s << u"must be an object, not a boolean"_s;
    QTest::newRow("sim zero speed")
        << QByteArray(R"({"sim": {"tokens_per_second": 0}})") << u"sim.tokens_per_second"_s
        << u"must be between 1 and 1000000"_s;
    QTest::newRow("sim unknown key")
        << QByteArray(R"({"sim": {"latency_ms": 5}})") << u"sim.latency_ms"_s << u"unknown field"_s;
}

void tst_ConfigLoader::errors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QFETCH(QString, reason);

    QString error;
    const auto config = ConfigLoader::fromJson(json, u"/etc/x.json"_s, &error);
    QVERIFY(!config);
    const QString expectedStart =
        u"config /etc/x.json: "_s + (field.isEmpty() ? QString() : field + u": "_s);
    QVERIFY2(error.startsWith(expectedStart), qPrintable(u"got: "_s + error));
    QVERIFY2(error.contains(reason), qPrintable(u"got: "_s + error));
}

void tst_ConfigLoader::parsePrice_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("errorOrEmpty");

    QTest::newRow("minimal") << QByteArray(R"({"input_per_mtok": 3, "output_per_mtok": 15})") << true
                             << QString();
    QTest::newRow("free") << QByteArray(R"({"input_per_mtok": 0, "output_per_mtok": 0})") << true
                          << QString();
    QTest::newRow("with cache")
        << QByteArray(R"({"input_per_mtok": 3, "output_per_mtok": 15, "cache_read_per_mtok": 0.3, "cache_write_per_mtok": 3.75})")
        << true << QString();
    QTest::newRow("negative output")
        << QByteArray(R"({"input_per_mtok": 3, "output_per_mtok": -15})") << false
        << u"output_per_mtok: must not be negative (got -15)"_s;
    QTest::newRow("missing input")
        << QByteArray(R"({"output_per_mtok": 15})") << false << u"input_per_mtok: missing (required)"_s;
    QTest::newRow("null cache price")
        << QByteArray(R"({"input_per_mtok": 3, "output_per_mtok": 15, "cache_read_per_mtok": null})")
        << false << u"cache_read_per_mtok: must be a number, not null"_s;
}

void tst_ConfigLoader::parsePrice()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    QFETCH(QString, errorOrEmpty);

    QString error;
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    const auto price = ConfigLoader::parsePrice(object, &error);
    QCOMPARE(bool(price), valid);
    if (valid) {
        QCOMPARE(price->inputPerMTok, object.value(u"input_per_mtok").toDouble());
        QCOMPARE(price->outputPerMTok, object.value(u"output_per_mtok").toDouble());
        QCOMPARE(price->cacheReadPerMTok.has_value(), object.contains(u"cache_read_per_mtok"));
        if (price->cacheWritePerMTok)
            QCOMPARE(*price->cacheWritePerMTok, object.value(u"cache_write_per_mtok").toDouble());
    } else {
        QCOMPARE(error, errorOrEmpty);
    }
    QVERIFY(!ConfigLoader::parsePrice(QJsonValue(u"cheap"_s), &error));
    QCOMPARE(error, u"must be an object, not a string"_s);
}

QTEST_GUILESS_MAIN(tst_ConfigLoader)
#include "tst_configloader.moc"
