// tollgate-test-links: tollgate_store
//
// The ledger survives the process dying mid-write. This executable is also
// the victim: started with --crash-writer DIR it writes usage rows without
// pause and, after each flush, prints how many rows that flush covered;
// the test kills it with SIGKILL at some point in that stream. The database
// must then open, pass integrity_check, and hold an unbroken prefix of the
// rows written that includes every row a flush reported, with the run saved
// alongside them consistent with that prefix (batches commit whole and in
// order).

#include "store/store.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int kRowsPerTick = 20;      // then the run is saved: see runMatchesThePrefix
constexpr int kFlushEveryMs = 40;   // longer than a 500-row batch takes to fill

QString dbPathIn(const QString &dir)
{
    return dir + u"/tollgate.db"_s;
}

// The child: rows carry their sequence number (1, 2, 3, …) in input_tokens.
int runCrashWriter(int argc, char **argv, const QString &dir)
{
    QCoreApplication app(argc, argv);
    Store store(dbPathIn(dir));
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "open failed: %s\n", qPrintable(error));
        return 1;
    }

    qint64 appended = 0;
    RunRecord run;
    run.id = u"crash-run"_s;
    run.startedAt = QDateTime::currentDateTimeUtc();

    QTimer writer;
    writer.setInterval(1);
    QObject::connect(&writer, &QTimer::timeout, &app, [&] {
        for (int i = 0; i < kRowsPerTick; ++i) {
            UsageRecord r;
            r.time = QDateTime::currentDateTimeUtc();
            r.requestId = u"req-"_s + QString::number(appended + 1);
            r.runId = run.id;
            r.endpoint = u"/v1/chat/completions"_s;
            r.model = u"sim-small"_s;
            r.inputTokens = ++appended;
            r.status = 200;
            store.appendUsage(r);
        }
        run.calls = appended;
        store.saveRun(run);
    });

    QTimer flusher;
    flusher.setInterval(kFlushEveryMs);
    QObject::connect(&flusher, &QTimer::timeout, &app, [&] {
        const qint64 covered = appended;
        store.flush(&app, [covered] {
            std::printf("flushed %lld\n", static_cast<long long>(covered));
            std::fflush(stdout);
        });
    });

    writer.start();
    flusher.start();
    return app.exec();   // until killed
}

} // namespace

class tst_StoreCrash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedWriterLeavesACommittedPrefix_data();
    void killedWriterLeavesACommittedPrefix();
};

void tst_StoreCrash::killedWriterLeavesACommittedPrefix_data()
{
    QTest::addColumn<int>("flushesBeforeKill");
    QTest::addColumn<int>("extraDelayMs");

    QTest::newRow("right after the first flush") << 1 << 0;
    QTest::newRow("between batch commits") << 3 << 7;
    QTest::newRow("mid-stream") << 5 << 43;
    QTest::newRow("after a long run") << 10 << 300;
}

void tst_StoreCrash::killedWriterLeavesACommittedPrefix()
{
    QFETCH(int, flushesBeforeKill);
    QFETCH(int, extraDelayMs);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    QProcess writer;
    writer.setProcessChannelMode(QProcess::SeparateChannels);
    writer.start(QCoreApplication::applicationFilePath(), {u"--crash-writer"_s, dir.path()});
    QVERIFY2(writer.waitForStarted(), qPrintable(writer.errorString()));

    QByteArray out;
    const auto flushes = [&] {
        out += writer.readAllStandardOutput();
        return out.count("flushed ");
    };
    QTRY_VERIFY_WITH_TIMEOUT(flushes() >= flushesBeforeKill || writer.state() != QProcess::Running,
                             30000);
    QVERIFY2(writer.state() == QProcess::Running, writer.readAllStandardError().constData());
    if (extraDelayMs > 0)
        QTest::qWait(extraDelayMs);
    writer.kill();   // SIGKILL: no destructor, no flush, no clean close
    QVERIFY(writer.waitForFinished(10000));
    QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
    out += writer.readAllStandardOutput();

    qint64 reported = 0;
    const QRegularExpression line(u"^flushed (\\d+)$"_s, QRegularExpression::MultilineOption);
    for (const QRegularExpressionMatch &m : line.globalMatch(QString::fromUtf8(out)))
        reported = std::max(reported, m.captured(1).toLongLong());
    QVERIFY(reported > 0);

    // What a plain SQLite connection finds on disk after the crash.
    qint64 rows = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"after-crash"_s);
        db.setDatabaseName(dbPathIn(dir.path()));
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(u"PRAGMA integrity_check"_s) && q.next());
            QCOMPARE(q.value(0).toString(), u"ok"_s);
            QVERIFY(q.exec(u"SELECT COUNT(*), COUNT(DISTINCT input_tokens), MIN(input_tokens), "
                           "MAX(input_tokens) FROM usage"_s)
                    && q.next());
            rows = q.value(0).toLongLong();
            QCOMPARE(q.value(1).toLongLong(), rows);   // no row twice
            QCOMPARE(q.value(2).toLongLong(), 1);      // from the first row …
            QCOMPARE(q.value(3).toLongLong(), rows);   // … without a gap
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(u"after-crash"_s);
    QVERIFY2(rows >= reported, qPrintable(u"%1 rows on disk, but a flush reported %2"_s.arg(rows).arg(reported)));
    qInfo("%lld rows flushed before the kill, %lld rows on disk", static_cast<long long>(reported),
          static_cast<long long>(rows));

    // The store opens it again, sees the same rows, and the run saved
    // after each tick belongs to the same committed prefix.
    Store store(dbPathIn(dir.path()));
    QString error;
    QVERIFY2(store.open(&error), qPrintable(error));
    const Store::Snapshot snapshot = store.loadSnapshot();
    QCOMPARE(snapshot.runs.size(), 1);
    const qint64 calls = snapshot.runs.first().calls;
    QVERIFY2(calls <= rows && rows - calls < kRowsPerTick,
             qPrintable(u"run says %1 calls, ledger has %2 rows"_s.arg(calls).arg(rows)));

    QList<UsageRecord> newest;
    bool answered = false;
    Store::UsageQuery q;
    q.limit = 1;
    store.queryUsage(q, this, [&](QList<UsageRecord> r) {
        newest = std::move(r);
        answered = true;
    });
    QTRY_VERIFY(answered);
    QCOMPARE(newest.size(), 1);
    QCOMPARE(newest.first().inputTokens, rows);
    QCOMPARE(newest.first().requestId, u"req-"_s + QString::number(rows));
}

int main(int argc, char *argv[])
{
    for (int i = 1; i + 1 < argc; ++i) {
        if (qstrcmp(argv[i], "--crash-writer") == 0)
            return runCrashWriter(argc, argv, QString::fromLocal8Bit(argv[i + 1]));
    }
    QCoreApplication app(argc, argv);
    tst_StoreCrash test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_storecrash.moc"
