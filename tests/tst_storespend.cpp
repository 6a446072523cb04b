// tollgate-test-links: tollgate_store
//
// Spend totals for the dashboard: today, this month and the last 30 days
// are UTC calendar periods, whatever zone `now` is given in; every one of
// the 30 days is listed, spent on or not; a call on the last instant of a
// day or month counts for that day or month and not the next; and the sums
// are exact over a ledger with rows either side of every boundary.

#include "store/recordsql.h"
#include "store/store.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <memory>

using namespace Qt::StringLiterals;

using SpendByKey = QHash<qint64, double>;
using SpendByDay = QHash<QDate, double>;

namespace {

QDateTime utc(int y, int m, int d, int h = 0, int min = 0, int s = 0, int ms = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min, s, ms), Qt::UTC);
}

UsageRecord call(const QDateTime &time, std::optional<qint64> key, double cost)
{
    UsageRecord r;
    r.time = time;
    r.keyId = key;
    r.cost = cost;
    r.status = 200;
    r.model = u"m"_s;
    return r;
}

// Costs are powers of two, so every sum is exact and says which rows it
// took in.
QList<UsageRecord> ledger()
{
    UsageRecord failed = call(utc(2025, 3, 5, 10), 1, 0.0);
    failed.status = 502;
    failed.error = u"upstream_error"_s;
    return {
        call(utc(2025, 3, 5, 9), 1, 0.5),
        call(utc(2025, 3, 5, 23, 59, 59, 999), 2, 0.25),   // last instant of the day
        call(utc(2025, 3, 5), std::nullopt, 1.0),          // first instant, no key
        failed,                                            // a call, at no cost
        call(utc(2025, 3, 4, 23, 59, 59, 999), 1, 2.0),    // yesterday's last instant
        call(utc(2025, 3, 1), 2, 4.0),                     // first instant of March
        call(utc(2025, 2, 28, 23, 59, 59, 999), 1, 8.0),   // last instant of February
        call(utc(2025, 2, 4), 3, 16.0),
        call(utc(2025, 2, 3, 23, 59, 59, 999), 3, 32.0),
        call(utc(2025, 4, 1), 1, 128.0),                   // next month
        call(utc(2024, 3, 5, 12), 1, 256.0),               // same date a year before
    };
}

} // namespace

class tst_StoreSpend : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void sums_data();
    void sums();
    void anEmptyLedgerListsThirtyZeroDays();
    void answersOnTheContextsThread();
    void queriesReadThroughTheTimeIndex_data();
    void queriesReadThroughTheTimeIndex();

private:
    std::unique_ptr<Store> openStore();
    Store::SpendSummary spend(Store &store, const QDateTime &now);
    QString dbPath() const { return m_dir->filePath(u"tollgate.db"_s); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_StoreSpend::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

std::unique_ptr<Store> tst_StoreSpend::openStore()
{
    auto store = std::make_unique<Store>(dbPath());
    QString error;
    if (!store->open(&error)) {
        qWarning() << "open failed:" << error;
        return nullptr;
    }
    return store;
}

Store::SpendSummary tst_StoreSpend::spend(Store &store, const QDateTime &now)
{
    Store::SpendSummary result;
    bool answered = false;
    store.querySpend(now, this, [&](Store::SpendSummary s) {
        result = std::move(s);
        answered = true;
    });
    if (!QTest::qWaitFor([&] { return answered; }, 10000))
        qWarning() << "the spend query never answered";
    return result;
}

void tst_StoreSpend::sums_data()
{
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<double>("today");
    QTest::addColumn<qint64>("callsToday");
    QTest::addColumn<double>("month");
    QTest::addColumn<SpendByKey>("monthByKey");
    QTest::addColumn<SpendByDay>("days");   // the days with spend; every other day is 0

    const SpendByDay march5Days = {{QDate(2025, 2, 4), 16.0}, {QDate(2025, 2, 28), 8.0},
                                   {QDate(2025, 3, 1), 4.0},  {QDate(2025, 3, 4), 2.0},
                                   {QDate(2025, 3, 5), 1.75}};
    const SpendByKey march5Keys = {{1, 2.5}, {2, 4.25}};
    QTest::newRow("mid-day") << utc(2025, 3, 5, 10) << 1.75 << qint64(4) << 7.75 << march5Keys
                             << march5Days;
    // The UTC day, not the day on the caller's clock.
    QTest::newRow("late on the 5th, from a clock where it is the 6th")
        << utc(2025, 3, 5, 23, 30).toOffsetFromUtc(2 * 3600) << 1.75 << qint64(4) << 7.75
        << march5Keys << march5Days;
    QTest::newRow("early on the 5th, from a clock where it is the 4th")
        << utc(2025, 3, 5, 2).toOffsetFromUtc(-5 * 3600) << 1.75 << qint64(4) << 7.75
        << march5Keys << march5Days;

    // Periods are whole calendar periods: rows later in them than `now`
    // (written under a clock that was set back) still count.
    QTest::newRow("first instant of the month")
        << utc(2025, 3, 1) << 4.0 << qint64(1) << 7.75 << march5Keys
        << SpendByDay{{QDate(2025, 2, 3), 32.0}, {QDate(2025, 2, 4), 16.0},
                      {QDate(2025, 2, 28), 8.0}, {QDate(2025, 3, 1), 4.0}};
    QTest::newRow("last instant of the previous month")
        << utc(2025, 2, 28, 23, 59, 59, 999) << 8.0 << qint64(1) << 56.0
        << SpendByKey{{1, 8.0}, {3, 48.0}}
        << SpendByDay{{QDate(2025, 2, 3), 32.0}, {QDate(2025, 2, 4), 16.0},
                      {QDate(2025, 2, 28), 8.0}};
    QTest::newRow("a day without calls")
        << utc(2025, 3, 3, 12) << 0.0 << qint64(0) << 7.75 << march5Keys
        << SpendByDay{{QDate(2025, 2, 3), 32.0}, {QDate(2025, 2, 4), 16.0},
                      {QDate(2025, 2, 28), 8.0}, {QDate(2025, 3, 1), 4.0}};
}

void tst_StoreSpend::sums()
{
    QFETCH(QDateTime, now);
    QFETCH(double, today);
    QFETCH(qint64, callsToday);
    QFETCH(double, month);
    QFETCH(SpendByKey, monthByKey);
    QFETCH(SpendByDay, days);

    auto store = openStore();
    QVERIFY(store);
    for (const UsageRecord &r : ledger())
        store->appendUsage(r);
    // No flush: the query commits what is queued before it reads.
    const Store::SpendSummary s = spend(*store, now);

    QCOMPARE(s.today, today);
    QCOMPARE(s.callsToday, callsToday);
    QCOMPARE(s.month, month);
    QCOMPARE(s.monthByKey, monthByKey);

    const QDate utcToday = now.toUTC().date();
    QCOMPARE(s.byDay.size(), 30);
    QCOMPARE(s.byDay.first().first, utcToday.addDays(-29));
    for (qsizetype i = 0; i < s.byDay.size(); ++i) {
        const QDate day = s.byDay.at(i).first;
        QCOMPARE(day, utcToday.addDays(-29 + i));   // oldest first, none skipped
        QCOMPARE(s.byDay.at(i).second, days.value(day, 0.0));
    }
    QCOMPARE(s.byDay.last().second, today);
}

void tst_StoreSpend::anEmptyLedgerListsThirtyZeroDays()
{
    auto store = openStore();
    QVERIFY(store);
    const Store::SpendSummary s = spend(*store, utc(2024, 3, 1, 8));   // after a leap February
    QCOMPARE(s.today, 0.0);
    QCOMPARE(s.month, 0.0);
    QCOMPARE(s.callsToday, qint64(0));
    QVERIFY(s.monthByKey.isEmpty());
    QCOMPARE(s.byDay.size(), 30);
    QCOMPARE(s.byDay.first().first, QDate(2024, 2, 1));
    QCOMPARE(s.byDay.at(28).first, QDate(2024, 2, 29));
    QCOMPARE(s.byDay.at(29).first, QDate(2024, 3, 1));
    for (const auto &[day, value] : std::as_const(s.byDay))
        QCOMPARE(value, 0.0);
}

void tst_StoreSpend::answersOnTheContextsThread()
{
    auto store = openStore();
    QVERIFY(store);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    store->appendUsage(call(now, 5, 0.125));

    QThread other;
    other.start();
    QObject context;
    context.moveToThread(&other);

    std::atomic<QThread *> ranOn = nullptr;
    std::atomic<qint64> calls = -1;
    store->querySpend(now, &context, [&](Store::SpendSummary s) {
        calls = s.callsToday;
        ranOn = QThread::currentThread();
    });
    QTRY_VERIFY(ranOn.load() != nullptr);
    QCOMPARE(ranOn.load(), &other);
    QCOMPARE(calls.load(), qint64(1));

    // A context that is gone gets no answer, and nothing crashes.
    auto gone = std::make_unique<QObject>();
    bool called = false;
    store->querySpend(now, gone.get(), [&](Store::SpendSummary) { called = true; });
    gone.reset();
    bool flushed = false;
    store->flush(this, [&] { flushed = true; });   // answers after the spend query did
    QTRY_VERIFY(flushed);
    QCoreApplication::processEvents();
    QVERIFY(!called);

    QMetaObject::invokeMethod(&context, [&] { context.moveToThread(thread()); },
                              Qt::BlockingQueuedConnection);
    other.quit();
    other.wait();
}

void tst_StoreSpend::queriesReadThroughTheTimeIndex_data()
{
    QTest::addColumn<QString>("sql");

    QTest::newRow("by day") << RecordSql::spendByDaySql();
    QTest::newRow("by key") << RecordSql::spendByKeySql();
}

void tst_StoreSpend::queriesReadThroughTheTimeIndex()
{
    // On a ledger of years, this month must not read every row since the
    // first: each query reads the rows of its window only.
    QFETCH(QString, sql);
    {
        auto store = openStore();
        QVERIFY(store);
    }
    const QString name = u"plan"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(dbPath());
        QVERIFY(db.open());
        QSqlQuery plan(db);
        QVERIFY(plan.prepare(u"EXPLAIN QUERY PLAN "_s + sql));
        plan.bindValue(0, utc(2025, 3, 1).toMSecsSinceEpoch());
        plan.bindValue(1, utc(2025, 4, 1).toMSecsSinceEpoch());
        QVERIFY2(plan.exec(), qPrintable(plan.lastError().text()));
        QStringList steps;
        while (plan.next())
            steps.append(plan.value(3).toString());
        const QString all = steps.join(u"; "_s);
        QVERIFY2(all.contains(u"USING INDEX usage_time (time_ms>? AND time_ms<?)"_s), qPrintable(all));
        for (const QString &step : std::as_const(steps))
            QVERIFY2(!step.startsWith(u"SCAN"_s), qPrintable(all));
    }
    QSqlDatabase::database(name).close();
    QSqlDatabase::removeDatabase(name);
}

QTEST_GUILESS_MAIN(tst_StoreSpend)
#include "tst_storespend.moc"
