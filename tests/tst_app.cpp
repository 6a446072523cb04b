// The real `tollgate` program, run as a user runs it: --version and --help,
// the headless gateway announcing its address in exactly one stdout line,
// serving /healthz and a demo call, stopping with exit code 0 within five
// seconds on SIGTERM or SIGINT (also with a stream in flight), and failing
// with one clear stderr line when the port is taken or no display exists.

#include "httpwire.h"
#include "rawconnection.h"
#include "testclient.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

constexpr int kStartMs = 15000;
constexpr int kExitBoundMs = 5000;   // the contract's shutdown bound
constexpr QByteArrayView kAdminToken = "tst-app-admin-token-5f1c9e";

// One run of the program, with its output collected as it comes.
class App
{
public:
    App()
    {
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
                         [this] { out += process.readAllStandardOutput(); });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { err += process.readAllStandardError(); });
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"TOLLGATE_ADMIN_TOKEN"_s, QString::fromLatin1(kAdminToken));
        // What a user sees: the default log settings, not the test runner's.
        env.remove(u"QT_LOGGING_RULES"_s);
        process.setProcessEnvironment(env);
    }
    ~App()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    void start(const QStringList &args) { process.start(binary(), args); }
    bool finished() const { return process.state() == QProcess::NotRunning; }
    void signal(int sig) { ::kill(pid_t(process.processId()), sig); }

    static QString binary()
    {
        return QFileInfo(QCoreApplication::applicationDirPath() + u"/../app/tollgate"_s).absoluteFilePath();
    }

    QProcess process;
    QByteArray out;
    QByteArray err;
};

const QRegularExpression kListening(u"^listening on http://127\\.0\\.0\\.1:(\\d+)\\n$"_s);

} // namespace

class tst_App : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void version();
    void help();
    void headlessServesAndStops_data();
    void headlessServesAndStops();
    void stopWithStreamInFlight();
    void portInUse();
    void noDisplayWithoutHeadless();

private:
    // Starts `tollgate --headless --demo` on a free port; returns the port.
    quint16 startHeadless(App &app, const QString &dataDir, const QStringList &extra = {});
    // A caller key minted through the admin API, as headers.
    HttpHeaders callerHeaders(TestClient &client, quint16 port);
};

void tst_App::initTestCase()
{
    QVERIFY2(QFileInfo(App::binary()).isExecutable(), qPrintable(App::binary()));
}

void tst_App::version()
{
    App app;
    app.start({u"--version"_s});
    QTRY_VERIFY_WITH_TIMEOUT(app.finished(), kStartMs);
    QCOMPARE(app.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.process.exitCode(), 0);
    QVERIFY2(app.out.startsWith("tollgate " TOLLGATE_VERSION), app.out.constData());
    QCOMPARE(app.out.count('\n'), 1);
}

void tst_App::help()
{
    App app;
    app.start({u"--help"_s});
    QTRY_VERIFY_WITH_TIMEOUT(app.finished(), kStartMs);
    QCOMPARE(app.process.exitCode(), 0);
    for (const char *option : {"--headless", "--listen", "--data-dir", "--config", "--demo", "--version"})
        QVERIFY2(app.out.contains(option), option);
}

quint16 tst_App::startHeadless(App &app, const QString &dataDir, const QStringList &extra)
{
    app.start(QStringList{u"--headless"_s, u"--demo"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dataDir}
              + extra);
    if (!QTest::qWaitFor([&] { return app.out.contains('\n') || app.finished(); }, kStartMs))
        return 0;
    const auto m = kListening.match(QString::fromUtf8(app.out));
    return m.hasMatch() ? quint16(m.captured(1).toUInt()) : 0;
}

HttpHeaders tst_App::callerHeaders(TestClient &client, quint16 port)
{
    const HttpReply minted = client.post(u"http://127.0.0.1:"_s + QString::number(port) + u"/admin/keys"_s,
                                         R"({"name":"tst_app"})",
                                         {{"authorization", "Bearer " + kAdminToken.toByteArray()}});
    const QByteArray key = minted.json().value(u"key"_s).toString().toLatin1();
    if (minted.status != 201 || key.isEmpty())
        return {};
    return {{"authorization", "Bearer " + key}};
}

void tst_App::headlessServesAndStops_data()
{
    QTest::addColumn<int>("sig");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void tst_App::headlessServesAndStops()
{
    QFETCH(int, sig);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    App app;
    const quint16 port = startHeadless(app, dir.path());
    QVERIFY2(port != 0, qPrintable(QString::fromUtf8(app.out + app.err)));

    TestClient client;
    const QString base = u"http://127.0.0.1:"_s + QString::number(port);
    const HttpReply health = client.get(base + u"/healthz"_s);
    QCOMPARE(health.status, 200);

    const HttpHeaders auth = callerHeaders(client, port);
    QVERIFY(!auth.isEmpty());
    const HttpReply chat = client.post(base + u"/v1/chat/completions"_s,
                                       R"({"model":"sim-small","messages":[{"role":"user","content":"Hello?"}]})",
                                       auth, 20000);
    QCOMPARE(chat.status, 200);
    const QJsonObject answer = chat.json();
    QCOMPARE(answer.value(u"object"_s).toString(), u"chat.completion"_s);
    QVERIFY(!answer.value(u"choices"_s).toArray().first().toObject().value(u"message"_s).toObject()
                 .value(u"content"_s).toString().isEmpty());
    QVERIFY(answer.value(u"usage"_s).toObject().value(u"completion_tokens"_s).toInt() > 0);
    QCOMPARE(chat.header("x-tollgate-provider"), QByteArray("sim"));

    app.signal(sig);
    QTRY_VERIFY_WITH_TIMEOUT(app.finished(), kExitBoundMs);
    QCOMPARE(app.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.process.exitCode(), 0);
    // Exactly one line on stdout, the whole run long.
    QVERIFY2(kListening.match(QString::fromUtf8(app.out)).hasMatch(), app.out.constData());
    QCOMPARE(app.out.count('\n'), 1);
    // The ledger lives in the data dir.
    QVERIFY(QFileInfo::exists(dir.filePath(u"tollgate.db"_s)));
}

void tst_App::stopWithStreamInFlight()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A slow simulator: the 96-token answer takes about ten seconds.
    const QString config = dir.filePath(u"slow-sim.json"_s);
    {
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"sim": {"tokens_per_second": 10, "first_token_ms": 50, "output_tokens": 96}})");
    }
    App app;
    const quint16 port = startHeadless(app, dir.filePath(u"data"_s), {u"--config"_s, config});
    QVERIFY2(port != 0, qPrintable(QString::fromUtf8(app.out + app.err)));

    TestClient client;
    const HttpHeaders auth = callerHeaders(client, port);
    QVERIFY(!auth.isEmpty());
    RawConnection stream(port);
    QVERIFY(stream.waitConnected());
    stream.send(HttpWire::request("POST", "/v1/chat/completions", auth,
                                  R"({"model":"sim-small","stream":true,"max_tokens":500,)"
                                  R"("messages":[{"role":"user","content":"Tell me a long story."}]})"));
    QVERIFY(stream.waitForStream([](const QByteArray &body) { return body.count("data: ") >= 3; }, kStartMs));

    app.signal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(app.finished(), kExitBoundMs);
    QCOMPARE(app.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.process.exitCode(), 0);

    // The stream was finished or cut, either way cleanly: a complete
    // chunked response ending in [DONE] or in one error event.
    QVERIFY(stream.waitForResponses(1, kExitBoundMs));
    const HttpReply reply = stream.responses().first();
    QCOMPARE(reply.status, 200);
    const QByteArray body = reply.body;
    const qsizetype lastEvent = body.lastIndexOf("\n\ndata: ") + 2;
    const QByteArray last = body.mid(lastEvent);
    QVERIFY2(last == "data: [DONE]\n\n" || last.startsWith("data: {\"error\""), last.constData());
}

void tst_App::portInUse()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    App app;
    app.start({u"--headless"_s, u"--listen"_s, u"127.0.0.1:"_s + QString::number(taken.serverPort()), u"--data-dir"_s,
               dir.path()});
    QTRY_VERIFY_WITH_TIMEOUT(app.finished(), kStartMs);
    QCOMPARE(app.process.exitStatus(), QProcess::NormalExit);
    QVERIFY(app.process.exitCode() != 0);
    QCOMPARE(app.out, QByteArray());
    // Log lines ("tollgate.store: …") aside, one line says what went wrong.
    QByteArrayList messages;
    for (const QByteArray &line : app.err.split('\n')) {
        if (!line.isEmpty() && !line.startsWith("tollgate."))
            messages.append(line);
    }
    QCOMPARE(messages.size(), 1);
    QVERIFY2(messages.first().contains(QByteArray::number(taken.serverPort())), app.err.constData());
    QVERIFY2(messages.first().contains("in use"), app.err.constData());
}

void tst_App::noDisplayWithoutHeadless()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    App app;
    QProcessEnvironment env = app.process.processEnvironment();
    for (const QString &name : {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"QT_QPA_PLATFORM"_s})
        env.remove(name);
    app.process.setProcessEnvironment(env);
    app.start({u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dir.path()});
    QTRY_VERIFY_WITH_TIMEOUT(app.finished(), kStartMs);
    QCOMPARE(app.process.exitStatus(), QProcess::NormalExit);
    QVERIFY(app.process.exitCode() != 0);
    QCOMPARE(app.out, QByteArray());
    QVERIFY2(app.err.contains("--headless"), app.err.constData());
}

QTEST_GUILESS_MAIN(tst_App)
#include "tst_app.moc"
