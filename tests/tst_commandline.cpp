// The command line of the contract: --listen in all its forms (port 0 and
// IPv6 included) and its mistakes, --config errors that name the problem,
// --demo adding the simulated provider, and a data dir that cannot be
// written refused up front.

#include "config/commandline.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct Parsed
{
    CommandLine::Result result = CommandLine::Result::Error;
    StartupOptions options;
    QString error;
};

Parsed parse(QStringList args, const QString &dataDir)
{
    Parsed p;
    args.prepend(u"tollgate"_s);
    if (!dataDir.isEmpty())
        args << u"--data-dir"_s << dataDir;
    p.result = CommandLine::parse(args, &p.options, &p.error);
    return p;
}

const ProviderConfig *findProvider(const Config &config, const QString &name)
{
    for (const ProviderConfig &p : config.providers) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

} // namespace

class tst_CommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void aboutNamesVersionAndQt();
    void defaults();
    void listen_data();
    void listen();
    void badListen_data();
    void badListen();
    void configErrors_data();
    void configErrors();
    void configLoaded();
    void demoAddsSim_data();
    void demoAddsSim();
    void dataDirCreated();
    void dataDirNotWritable_data();
    void dataDirNotWritable();
    void unexpectedArgument();
    void headlessDetection_data();
    void headlessDetection();

private:
    QTemporaryDir m_dir;
};

void tst_CommandLine::initTestCase()
{
    // Nothing here may touch the user's real app-data folder.
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void tst_CommandLine::defaults()
{
    const Parsed p = parse({}, m_dir.path());
    QCOMPARE(p.result, CommandLine::Result::Run);
    QCOMPARE(p.options.config.listenHost, u"127.0.0.1"_s);
    QCOMPARE(p.options.config.listenPort, quint16(7070));
    QVERIFY(!p.options.headless);
    QVERIFY(!p.options.config.demo);
    QVERIFY(findProvider(p.options.config, u"openai"_s));
    QVERIFY(findProvider(p.options.config, u"anthropic"_s));
    QVERIFY(!findProvider(p.options.config, u"sim"_s));
    QCOMPARE(p.options.dataDir, QFileInfo(m_dir.path()).absoluteFilePath());

    const Parsed h = parse({u"--headless"_s}, m_dir.path());
    QCOMPARE(h.result, CommandLine::Result::Run);
    QVERIFY(h.options.headless);
}

void tst_CommandLine::listen_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");

    QTest::newRow("ipv4") << u"127.0.0.1:7070"_s << u"127.0.0.1"_s << 7070;
    QTest::newRow("port 0") << u"127.0.0.1:0"_s << u"127.0.0.1"_s << 0;
    QTest::newRow("any") << u"0.0.0.0:8080"_s << u"0.0.0.0"_s << 8080;
    QTest::newRow("localhost") << u"localhost:9000"_s << u"localhost"_s << 9000;
    QTest::newRow("ipv6 loopback port 0") << u"[::1]:0"_s << u"::1"_s << 0;
    QTest::newRow("ipv6 any") << u"[::]:7070"_s << u"::"_s << 7070;
    QTest::newRow("max port") << u"127.0.0.1:65535"_s << u"127.0.0.1"_s << 65535;
}

void tst_CommandLine::listen()
{
    QFETCH(QString, value);
    QFETCH(QString, host);
    QFETCH(int, port);

    for (const QStringList &args : {QStringList{u"--listen"_s, value}, QStringList{u"--listen="_s + value}}) {
        const Parsed p = parse(args, m_dir.path());
        QVERIFY2(p.result == CommandLine::Result::Run, qPrintable(p.error));
        QCOMPARE(p.options.config.listenHost, host);
        QCOMPARE(p.options.config.listenPort, quint16(port));
    }
}

void tst_CommandLine::badListen_data()
{
    QTest::addColumn<QString>("value");

    QTest::newRow("no port") << u"127.0.0.1"_s;
    QTest::newRow("empty port") << u"127.0.0.1:"_s;
    QTest::newRow("no host") << u":7070"_s;
    QTest::newRow("port too big") << u"127.0.0.1:65536"_s;
    QTest::newRow("negative port") << u"127.0.0.1:-1"_s;
    QTest::newRow("port not a number") << u"127.0.0.1:http"_s;
    QTest::newRow("plus sign") << u"127.0.0.1:+80"_s;
    QTest::newRow("ipv6 without brackets") << u"::1:7070"_s;
    QTest::newRow("ipv6 missing bracket") << u"[::1:7070"_s;
    QTest::newRow("ipv6 without port") << u"[::1]"_s;
    QTest::newRow("bad ipv4") << u"999.1.1.1:80"_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("spaces") << u"local host:80"_s;
}

void tst_CommandLine::badListen()
{
    QFETCH(QString, value);

    const Parsed p = parse({u"--listen"_s, value}, m_dir.path());
    QCOMPARE(p.result, CommandLine::Result::Error);
    QVERIFY2(p.error.contains(u"--listen"_s), qPrintable(p.error));
    // The message shows what was given and what is expected.
    QVERIFY2(p.error.contains(u"HOST:PORT"_s), qPrintable(p.error));
}

void tst_CommandLine::configErrors_data()
{
    QTest::addColumn<QByteArray>("content");   // empty: the file does not exist
    QTest::addColumn<QString>("mentions");

    QTest::newRow("missing file") << QByteArray() << u"config"_s;
    QTest::newRow("not json") << QByteArray("{ providers: [") << u"config"_s;
    QTest::newRow("not an object") << QByteArray("[1, 2]") << u"config"_s;
    QTest::newRow("unknown field") << QByteArray(R"({"listne": "127.0.0.1:1"})") << u"listne"_s;
    QTest::newRow("bad listen") << QByteArray(R"({"listen": "nowhere"})") << u"listen"_s;
    QTest::newRow("bad provider kind")
        << QByteArray(R"({"providers": [{"name": "x", "kind": "gemini", "base_url": "http://h/v1", "models": ["*"]}]})")
        << u"kind"_s;
    QTest::newRow("price not a number")
        << QByteArray(R"({"prices": {"m": {"input_per_mtok": "cheap", "output_per_mtok": 1}}})")
        << u"input_per_mtok"_s;
}

void tst_CommandLine::configErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, mentions);

    const QString path = m_dir.filePath(u"config-"_s + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-')
                                        + u".json"_s);
    if (!content.isEmpty()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
    }
    const Parsed p = parse({u"--config"_s, path}, m_dir.path());
    QCOMPARE(p.result, CommandLine::Result::Error);
    QVERIFY2(p.error.contains(QFileInfo(path).fileName()), qPrintable(p.error));
    QVERIFY2(p.error.contains(mentions), qPrintable(p.error));
}

void tst_CommandLine::configLoaded()
{
    const QString path = m_dir.filePath(u"good.json"_s);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(R"({"listen": "127.0.0.1:9999", "providers": [{"name": "local", "kind": "openai",
             "base_url": "http://127.0.0.1:11434/v1", "models": ["llama*"]}]})");
    f.close();

    Parsed p = parse({u"--config"_s, path}, m_dir.path());
    QVERIFY2(p.result == CommandLine::Result::Run, qPrintable(p.error));
    QCOMPARE(p.options.config.listenPort, quint16(9999));
    QCOMPARE(p.options.config.providers.size(), 1);
    QCOMPARE(p.options.config.providers.first().name, u"local"_s);

    // --listen wins over the file.
    p = parse({u"--config"_s, path, u"--listen"_s, u"[::1]:0"_s}, m_dir.path());
    QVERIFY2(p.result == CommandLine::Result::Run, qPrintable(p.error));
    QCOMPARE(p.options.config.listenHost, u"::1"_s);
    QCOMPARE(p.options.config.listenPort, quint16(0));
}

void tst_CommandLine::demoAddsSim_data()
{
    QTest::addColumn<bool>("withConfig");
    QTest::newRow("defaults") << false;
    QTest::newRow("with a config file") << true;
}

void tst_CommandLine::demoAddsSim()
{
    QFETCH(bool, withConfig);

    QStringList args{u"--demo"_s};
    if (withConfig) {
        const QString path = m_dir.filePath(u"demo.json"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"providers": [{"name": "local", "kind": "openai", "base_url": "http://127.0.0.1:1/v1",
                 "models": ["llama*"]}]})");
        f.close();
        args << u"--config"_s << path;
    }
    const Parsed p = parse(args, m_dir.path());
    QVERIFY2(p.result == CommandLine::Result::Run, qPrintable(p.error));
    QVERIFY(p.options.config.demo);
    const ProviderConfig *sim = findProvider(p.options.config, u"sim"_s);
    QVERIFY(sim);
    QCOMPARE(sim->kind, u"sim"_s);
    QVERIFY(sim->models.contains(u"sim-*"_s));
    // Appended: configured providers keep their priority.
    QCOMPARE(p.options.config.providers.last().name, u"sim"_s);
    if (withConfig)
        QCOMPARE(p.options.config.providers.first().name, u"local"_s);
}

void tst_CommandLine::dataDirCreated()
{
    const QString dir = m_dir.filePath(u"nested/data/dir"_s);
    QVERIFY(!QFileInfo::exists(dir));
    const Parsed p = parse({}, dir);
    QVERIFY2(p.result == CommandLine::Result::Run, qPrintable(p.error));
    QVERIFY(QFileInfo(dir).isDir());
    QVERIFY(QFileInfo(p.options.dataDir).isAbsolute());
    // The write probe leaves nothing behind.
    QCOMPARE(QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
}

void tst_CommandLine::dataDirNotWritable_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("under a regular file") << u"file"_s;
    QTest::newRow("read-only directory") << u"readonly"_s;
}

void tst_CommandLine::dataDirNotWritable()
{
    QFETCH(QString, kind);

    QString dir;
    if (kind == u"file") {
        const QString file = m_dir.filePath(u"a-file"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        dir = file + u"/data"_s;
    } else {
        dir = m_dir.filePath(u"readonly"_s);
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(QFile::setPermissions(dir, QFile::ReadOwner | QFile::ExeOwner));
        // Root writes anyway: nothing to test then.
        QFile probe(dir + u"/probe"_s);
        if (probe.open(QIODevice::WriteOnly)) {
            probe.remove();
            QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
            QSKIP("running with permissions that ignore file modes (root)");
        }
    }
    const Parsed p = parse({}, dir);
    if (kind != u"file")
        QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QCOMPARE(p.result, CommandLine::Result::Error);
    QVERIFY2(p.error.contains(dir), qPrintable(p.error));
    QVERIFY2(p.error.contains(u"--data-dir"_s), qPrintable(p.error));
}

void tst_CommandLine::unexpectedArgument()
{
    Parsed p = parse({u"serve"_s}, m_dir.path());
    QCOMPARE(p.result, CommandLine::Result::Error);
    QVERIFY2(p.error.contains(u"serve"_s), qPrintable(p.error));

    p = parse({u"--no-such-option"_s}, m_dir.path());
    QCOMPARE(p.result, CommandLine::Result::Error);
    QVERIFY2(p.error.contains(u"no-such-option"_s), qPrintable(p.error));
}

void tst_CommandLine::headlessDetection_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("headless");
    QTest::newRow("nothing") << QStringList() << false;
    QTest::newRow("--headless") << QStringList{u"--demo"_s, u"--headless"_s} << true;
    QTest::newRow("--help") << QStringList{u"--help"_s} << true;
    QTest::newRow("--version") << QStringList{u"--version"_s} << true;
    QTest::newRow("a value that looks like it") << QStringList{u"--data-dir"_s, u"/tmp/x"_s} << false;
}

void tst_CommandLine::headlessDetection()
{
    QFETCH(QStringList, args);
    QFETCH(bool, headless);

    QList<QByteArray> storage{QByteArray("tollgate")};
    for (const QString &a : args)
        storage.append(a.toLocal8Bit());
    QList<char *> argv;
    for (QByteArray &s : storage)
        argv.append(s.data());
    argv.append(nullptr);
    QCOMPARE(CommandLine::wantsHeadless(int(storage.size()), argv.data()), headless);
}

void tst_CommandLine::aboutNamesVersionAndQt()
{
    // The window's About box shows this text.
    const QString about = CommandLine::aboutText();
    QVERIFY2(about.contains(QStringLiteral(TOLLGATE_VERSION)), qPrintable(about));
    QVERIFY2(about.contains(QString::fromLatin1(qVersion())), qPrintable(about));
}

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
