// tollgate-test-links: tollgate_gateway tollgate_testsupport Qt6::Sql
//
// kill -9 in the middle of load, on the real `tollgate` program: a headless
// --demo gateway serving many short calls from a pool of clients is
// SIGKILLed, then started again on the same data dir. It starts; the
// database passes SQLite's integrity check (before and after the restart);
// every call whose answer the client had completely more than a second before
// the kill is in the ledger (the store commits at least every 100 ms); the
// minted key still works.

#include "httpwire.h"
#include "testclient.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

constexpr int kStartMs = 20000;
constexpr QByteArrayView kAdminToken = "tst-crash-e2e-admin-token-91d2";
// The store commits the ledger at least every 100 ms; room for the commit itself.
// The store commits at least every 100 ms; the margin covers the time a
// loaded (or sanitizer-instrumented) machine needs to get the row to that
// batch and commit it.
constexpr qint64 kCommitWindowMs = 1000;
constexpr int kWorkers = 16;

const QRegularExpression kListening(u"^listening on http://127\\.0\\.0\\.1:(\\d+)\\n"_s);

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
        process.setProcessEnvironment(env);
    }
    ~App()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    // Starts `tollgate --headless --demo`; the port it listens on, or 0.
    quint16 start(const QString &dataDir, const QString &config)
    {
        process.start(binary(), {u"--headless"_s, u"--demo"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s,
                                 dataDir, u"--config"_s, config});
        if (!QTest::qWaitFor([this] { return out.contains('\n') || finished(); }, kStartMs))
            return 0;
        const auto m = kListening.match(QString::fromUtf8(out));
        return m.hasMatch() ? quint16(m.captured(1).toUInt()) : 0;
    }
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

// Closed-loop load: kWorkers clients, each sending its next call as soon as
// the last one is answered, and noting when each answer was complete.
class Load : public QObject
{
public:
    struct Done
    {
        QByteArray requestId;
        qint64 completedMs;
    };

    Load(quint16 port, QByteArray key) : m_port(port), m_key(std::move(key))
    {
        for (int i = 0; i < 4; ++i)
            m_managers.push_back(std::make_unique<QNetworkAccessManager>());
    }

    void start()
    {
        m_clock.start();
        m_running = true;
        for (int w = 0; w < kWorkers; ++w)
            next(w);
    }
    void stop() { m_running = false; }
    qint64 elapsedMs() const { return m_clock.elapsed(); }
    const QList<Done> &done() const { return m_done; }
    int failedBeforeStop() const { return m_failed; }
    int inFlight() const { return m_inFlight; }

private:
    void next(int worker)
    {
        if (!m_running)
            return;
        const int n = m_sent++;
        const bool stream = n % 4 == 3;
        const QByteArray path = n % 2 ? "/v1/messages" : "/v1/chat/completions";
        QNetworkRequest request(QUrl(u"http://127.0.0.1:"_s + QString::number(m_port) + QString::fromLatin1(path)));
        request.setRawHeader("authorization", "Bearer " + m_key);
        request.setRawHeader("content-type", "application/json");
        request.setRawHeader("x-tollgate-run-id", "load-" + QByteArray::number(worker));
        const QByteArray body = R"({"model":"sim-small","max_tokens":8,)" + QByteArray(stream ? R"("stream":true,)" : "")
            + R"("messages":[{"role":"user","content":"call )" + QByteArray::number(n) + R"("}]})";
        QNetworkReply *reply = m_managers[size_t(worker) % m_managers.size()]->post(request, body);
        ++m_inFlight;
        connect(reply, &QNetworkReply::finished, this, [this, reply, worker] {
            --m_inFlight;
            const qint64 at = m_clock.elapsed();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray id = reply->rawHeader("x-tollgate-request-id");
            // Complete: the whole body arrived (a stream to its terminating chunk).
            if (status == 200 && reply->error() == QNetworkReply::NoError && !id.isEmpty())
                m_done.append({id, at});
            else if (m_running)
                ++m_failed;
            reply->deleteLater();
            next(worker);
        });
    }

    quint16 m_port;
    QByteArray m_key;
    std::vector<std::unique_ptr<QNetworkAccessManager>> m_managers;
    QElapsedTimer m_clock;
    QList<Done> m_done;
    bool m_running = false;
    int m_sent = 0;
    int m_failed = 0;
    int m_inFlight = 0;
};

// SQLite's own verdict on the file, and the request ids in its ledger,
// through a read-only connection of the test's own.
QString integrity(const QString &dbPath, QSet<QByteArray> *requestIds)
{
    QString verdict;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"crash-check"_s);
        db.setDatabaseName(dbPath);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        if (!db.open()) {
            verdict = u"cannot open: "_s + db.lastError().text();
        } else {
            QSqlQuery q(db);
            if (!q.exec(u"PRAGMA integrity_check"_s))
                verdict = u"integrity_check failed to run: "_s + q.lastError().text();
            while (q.next())
                verdict += (verdict.isEmpty() ? u""_s : u"; "_s) + q.value(0).toString();
            if (requestIds) {
                QSqlQuery ids(db);
                if (!ids.exec(u"SELECT request_id FROM usage"_s))
                    verdict += u"; cannot read the ledger: "_s + ids.lastError().text();
                while (ids.next())
                    requestIds->insert(ids.value(0).toByteArray());
            }
            q.finish();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(u"crash-check"_s);
    return verdict;
}

} // namespace

class tst_CrashE2E : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killNineDuringLoad();
};

void tst_CrashE2E::initTestCase()
{
    QVERIFY2(QFileInfo(App::binary()).isExecutable(), qPrintable(App::binary()));
    QVERIFY(QSqlDatabase::isDriverAvailable(u"QSQLITE"_s));
}

void tst_CrashE2E::killNineDuringLoad()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString dataDir = dir.filePath(u"data"_s);
    const QString dbPath = dataDir + u"/tollgate.db"_s;
    // Short, fast simulated calls: many of them a second.
    const QString config = dir.filePath(u"fast-sim.json"_s);
    {
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"sim": {"tokens_per_second": 2000, "first_token_ms": 1, "output_tokens": 8}})");
    }

    auto first = std::make_unique<App>();
    const quint16 port = first->start(dataDir, config);
    QVERIFY2(port != 0, qPrintable(QString::fromUtf8(first->out + first->err)));
    const QString base = u"http://127.0.0.1:"_s + QString::number(port);
    TestClient client;
    const HttpHeaders admin{{"authorization", "Bearer " + kAdminToken.toByteArray()}};
    const HttpReply minted = client.post(base + u"/admin/keys"_s, R"({"name":"crash","monthly_cap":100})", admin);
    QCOMPARE(minted.status, 201);
    const QByteArray key = minted.json().value(u"key"_s).toString().toLatin1();

    Load load(port, key);
    load.start();
    // Load long enough for many commits: a few hundred calls, or three seconds.
    if (!QTest::qWaitFor([&load] { return load.done().size() >= 600; }, 3000))
        qInfo("the load reached %lld calls in 3 s", qint64(load.done().size()));
    QVERIFY2(load.done().size() >= 20, qPrintable(QString::number(load.done().size())));
    QVERIFY(load.inFlight() > 0);
    // No new calls from here; those in flight die with the process.
    load.stop();
    const qint64 killedAt = load.elapsedMs();
    first->signal(SIGKILL);
    QTRY_VERIFY_WITH_TIMEOUT(first->finished(), 5000);
    QCOMPARE(first->process.exitStatus(), QProcess::CrashExit);
    QTRY_COMPARE_WITH_TIMEOUT(load.inFlight(), 0, 10000);
    QCOMPARE(load.failedBeforeStop(), 0);

    // The file as the crash left it.
    QString verdict = integrity(dbPath, nullptr);
    QVERIFY2(verdict == u"ok", qPrintable(verdict));

    // Started again on the same data dir.
    App second;
    const quint16 port2 = second.start(dataDir, config);
    QVERIFY2(port2 != 0, qPrintable(QString::fromUtf8(second.out + second.err)));
    const QString base2 = u"http://127.0.0.1:"_s + QString::number(port2);
    QCOMPARE(client.get(base2 + u"/healthz"_s).status, 200);
    QSet<QByteArray> ledger;
    verdict = integrity(dbPath, &ledger);
    QVERIFY2(verdict == u"ok", qPrintable(verdict));

    int settled = 0;
    int recent = 0;
    int recentKept = 0;
    QStringList lost;
    for (const Load::Done &d : load.done()) {
        if (d.completedMs > killedAt - kCommitWindowMs) {
            ++recent;
            recentKept += ledger.contains(d.requestId) ? 1 : 0;
            continue;
        }
        ++settled;
        if (!ledger.contains(d.requestId))
            lost.append(QString::fromLatin1(d.requestId) + u" (answered "_s
                        + QString::number(killedAt - d.completedMs) + u" ms before the kill)"_s);
    }
    qInfo("kill -9 after %lld ms of load: %lld calls answered, %d of them more than %lld ms before the kill "
          "(all must be kept: %lld lost), %d later (%d kept); %lld ledger rows",
          killedAt, qint64(load.done().size()), settled, kCommitWindowMs, qint64(lost.size()), recent, recentKept,
          qint64(ledger.size()));
    QVERIFY2(lost.isEmpty(), qPrintable(lost.mid(0, 10).join(u"\n"_s)));
    QVERIFY(settled > 0);

    // The admin API says the same, and the key minted before the crash works.
    const HttpReply usage = client.get(base2 + u"/admin/usage?limit=100000"_s, admin);
    QCOMPARE(usage.status, 200);
    QSet<QByteArray> viaApi;
    for (const QJsonValue &v : usage.json().value(u"records"_s).toArray())
        viaApi.insert(v.toObject().value(u"request_id"_s).toString().toLatin1());
    QCOMPARE(viaApi, ledger);
    const HttpReply after = client.post(base2 + u"/v1/chat/completions"_s,
                                        R"({"model":"sim-small","max_tokens":8,"messages":[{"role":"user","content":"still here?"}]})",
                                        {{"authorization", "Bearer " + key}});
    QCOMPARE(after.status, 200);

    second.signal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(second.finished(), 5000);
    QCOMPARE(second.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(second.process.exitCode(), 0);
    verdict = integrity(dbPath, nullptr);
    QVERIFY2(verdict == u"ok", qPrintable(verdict));
}

QTEST_GUILESS_MAIN(tst_CrashE2E)
#include "tst_crash_e2e.moc"
