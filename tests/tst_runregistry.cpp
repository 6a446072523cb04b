// tollgate-test-links: tollgate_governance
//
// The runs: a run is created by its first call and keeps the budgets it
// was created with; steps are numbered 1, 2, 3 per run; finished calls add
// up; the kill switch and the spend budget change its state; an admin
// budget change can re-activate or exhaust it; the time budget fires at its
// deadline (runExpired), and reloaded runs keep their deadlines.

#include "governance/runregistry.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace {

using State = RunRecord::State;

const QDateTime kT0(QDate(2026, 3, 14), QTime(15, 9, 26), QTimeZone::utc());

TokenUsage usage(qint64 in, qint64 out, qint64 cacheRead = 0, qint64 cacheWrite = 0)
{
    TokenUsage u;
    u.inputTokens = in;
    u.outputTokens = out;
    u.cacheReadTokens = cacheRead;
    u.cacheWriteTokens = cacheWrite;
    return u;
}

} // namespace

class tst_RunRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void touchCreatesOnce();
    void stepsArePerRun();
    void recordCallAggregates();
    void spendBudgetExceeded();
    void kill();
    void setBudgetReactivatesOrExhausts();
    void timeBudgetFiresAtItsDeadline();
    void timeBudgetExpiredMeansExpired_data();
    void timeBudgetExpiredMeansExpired();
    void extendedTimeBudgetDoesNotFire();
    void killedRunDoesNotExpire();
    void overdueDeadlineExtendedBeforeItFires();
    void setTimeBudgetIntoThePastExpiresAtOnce();
    void load();
    void allNewestFirst();
};

void tst_RunRegistry::touchCreatesOnce()
{
    RunRegistry runs;
    QSignalSpy changed(&runs, &RunRegistry::runChanged);
    RunRecord &r = runs.touch(u"task-1"_s, 3, 1.5, 60, kT0);
    QCOMPARE(r.id, u"task-1"_s);
    QCOMPARE(r.keyId, std::optional<qint64>(3));
    QCOMPARE(r.budgetUsd, 1.5);
    QCOMPARE(r.timeBudgetS, 60.0);
    QCOMPARE(r.startedAt, kT0);
    QCOMPARE(r.lastCallAt, kT0);
    QCOMPARE(r.state, State::Active);
    QCOMPARE(r.calls, 0);
    QCOMPARE(changed.count(), 1);

    // Later calls find the run as it is: their budgets and key do not apply.
    RunRecord &again = runs.touch(u"task-1"_s, 9, 99.0, 1, kT0.addSecs(5));
    QCOMPARE(&again, runs.find(u"task-1"_s));
    QCOMPARE(again.keyId, std::optional<qint64>(3));
    QCOMPARE(again.budgetUsd, 1.5);
    QCOMPARE(again.timeBudgetS, 60.0);
    QCOMPARE(again.startedAt, kT0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(runs.all().size(), 1);

    // Pass-through runs have no key.
    QVERIFY(!runs.touch(u"anon"_s, std::nullopt, 0, 0, kT0).keyId);
    QCOMPARE(runs.all().size(), 2);
    QVERIFY(!runs.find(u"nope"_s));
}

void tst_RunRegistry::stepsArePerRun()
{
    RunRegistry runs;
    RunRecord &a = runs.touch(u"a"_s, 1, 0, 0, kT0);
    QCOMPARE(runs.takeStep(a), u"1"_s);
    QCOMPARE(runs.takeStep(a), u"2"_s);
    RunRecord &b = runs.touch(u"b"_s, 1, 0, 0, kT0);
    QCOMPARE(runs.takeStep(b), u"1"_s);
    QCOMPARE(runs.takeStep(*runs.find(u"a"_s)), u"3"_s);
    QCOMPARE(runs.takeStep(runs.touch(u"b"_s, 1, 0, 0, kT0)), u"2"_s);
}

void tst_RunRegistry::recordCallAggregates()
{
    RunRegistry runs;
    runs.touch(u"r"_s, 1, 0, 0, kT0);
    QSignalSpy changed(&runs, &RunRegistry::runChanged);
    runs.recordCall(u"r"_s, usage(10, 5, 3, 2), 0.01, kT0.addSecs(1));
    runs.recordCall(u"r"_s, usage(100, 50), 0.25, kT0.addSecs(2));
    runs.recordCall(u"r"_s, {}, 0.0, kT0.addSecs(3));   // a refused call
    const RunRecord *r = runs.find(u"r"_s);
    QCOMPARE(r->calls, 3);
    QCOMPARE(r->inputTokens, 10 + 3 + 2 + 100);   // cache reads and writes are input too
    QCOMPARE(r->outputTokens, 55);
    QCOMPARE(r->spend, 0.26);
    QCOMPARE(r->lastCallAt, kT0.addSecs(3));
    QCOMPARE(r->startedAt, kT0);
    QCOMPARE(r->state, State::Active);
    QCOMPARE(changed.count(), 3);
    QCOMPARE(changed.last().at(0).value<RunRecord>().calls, 3);

    // An unknown run is not created by a finished call.
    runs.recordCall(u"ghost"_s, usage(1, 1), 1.0, kT0);
    QVERIFY(!runs.find(u"ghost"_s));
    QCOMPARE(changed.count(), 3);
}

void tst_RunRegistry::spendBudgetExceeded()
{
    RunRegistry runs;
    runs.touch(u"r"_s, 1, 0.05, 0, kT0);
    QSignalSpy over(&runs, &RunRegistry::runOverBudget);
    runs.recordCall(u"r"_s, usage(1, 1), 0.03, kT0);
    QCOMPARE(runs.find(u"r"_s)->state, State::Active);
    QCOMPARE(over.count(), 0);
    runs.recordCall(u"r"_s, usage(1, 1), 0.02, kT0);   // exactly the budget
    QCOMPARE(runs.find(u"r"_s)->state, State::BudgetExceeded);
    QCOMPARE(over.count(), 1);
    QCOMPARE(over.at(0).at(0).toString(), u"r"_s);
    runs.recordCall(u"r"_s, usage(1, 1), 0.01, kT0);
    QCOMPARE(runs.find(u"r"_s)->state, State::BudgetExceeded);
    QCOMPARE(over.count(), 1);   // once, when it happened

    // No budget: spend never exhausts the run.
    runs.touch(u"free"_s, 1, 0, 0, kT0);
    runs.recordCall(u"free"_s, usage(1, 1), 1000.0, kT0);
    QCOMPARE(runs.find(u"free"_s)->state, State::Active);
}

void tst_RunRegistry::kill()
{
    RunRegistry runs;
    runs.touch(u"r"_s, 1, 1.0, 0, kT0);
    QSignalSpy changed(&runs, &RunRegistry::runChanged);
    QVERIFY(runs.kill(u"r"_s));
    QCOMPARE(runs.find(u"r"_s)->state, State::Killed);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<RunRecord>().state, State::Killed);
    QVERIFY(!runs.kill(u"unknown"_s));

    // Nothing brings a killed run back.
    runs.recordCall(u"r"_s, usage(1, 1), 0.01, kT0);
    QCOMPARE(runs.find(u"r"_s)->state, State::Killed);
    QVERIFY(runs.setBudget(u"r"_s, 100.0, 1000.0));
    QCOMPARE(runs.find(u"r"_s)->state, State::Killed);
    QCOMPARE(runs.find(u"r"_s)->budgetUsd, 100.0);
    runs.recordCall(u"r"_s, usage(1, 1), 200.0, kT0);
    QCOMPARE(runs.find(u"r"_s)->state, State::Killed);
}

void tst_RunRegistry::setBudgetReactivatesOrExhausts()
{
    RunRegistry runs;
    runs.touch(u"r"_s, 1, 0.10, 0, QDateTime::currentDateTimeUtc());
    runs.recordCall(u"r"_s, usage(1, 1), 0.12, QDateTime::currentDateTimeUtc());
    QCOMPARE(runs.find(u"r"_s)->state, State::BudgetExceeded);
    QSignalSpy changed(&runs, &RunRegistry::runChanged);
    QSignalSpy over(&runs, &RunRegistry::runOverBudget);
    QSignalSpy expired(&runs, &RunRegistry::runExpired);

    QVERIFY(runs.setBudget(u"r"_s, 0.50, std::nullopt));
    QCOMPARE(runs.find(u"r"_s)->state, State::Active);
    QCOMPARE(runs.find(u"r"_s)->budgetUsd, 0.50);
    QCOMPARE(changed.count(), 1);

    QVERIFY(runs.setBudget(u"r"_s, 0.12, std::nullopt));   // spend = budget
    QCOMPARE(runs.find(u"r"_s)->state, State::BudgetExceeded);
    QCOMPARE(over.count(), 1);

    QVERIFY(runs.setBudget(u"r"_s, 0.0, std::nullopt));   // 0 = no budget
    QCOMPARE(runs.find(u"r"_s)->state, State::Active);

    // Changing only the time budget leaves the spend budget alone.
    QVERIFY(runs.setBudget(u"r"_s, 0.3, std::nullopt));
    QVERIFY(runs.setBudget(u"r"_s, std::nullopt, 3600.0));
    QCOMPARE(runs.find(u"r"_s)->budgetUsd, 0.3);
    QCOMPARE(runs.find(u"r"_s)->timeBudgetS, 3600.0);
    QCOMPARE(runs.find(u"r"_s)->state, State::Active);
    QCOMPARE(expired.count(), 0);

    QVERIFY(!runs.setBudget(u"unknown"_s, 1.0, 1.0));
    QVERIFY(!runs.find(u"unknown"_s));
}

void tst_RunRegistry::timeBudgetFiresAtItsDeadline()
{
    RunRegistry runs;
    QSignalSpy expired(&runs, &RunRegistry::runExpired);
    QSignalSpy changed(&runs, &RunRegistry::runChanged);
    runs.touch(u"timed"_s, 1, 0, 0.1, QDateTime::currentDateTimeUtc());
    QCOMPARE(runs.find(u"timed"_s)->state, State::Active);
    QCOMPARE(expired.count(), 0);
    // 100 ms budget: the deadline fires well inside 300 ms, without another call.
    QTRY_VERIFY_WITH_TIMEOUT(expired.count() == 1, 300);
    QCOMPARE(expired.at(0).at(0).toString(), u"timed"_s);
    QCOMPARE(runs.find(u"timed"_s)->state, State::BudgetExceeded);
    QCOMPARE(changed.last().at(0).value<RunRecord>().state, State::BudgetExceeded);
    QVERIFY(RunRegistry::timeExpired(*runs.find(u"timed"_s), QDateTime::currentDateTimeUtc()));
    // It fires once.
    QTest::qWait(50);
    QCOMPARE(expired.count(), 1);
}

void tst_RunRegistry::timeBudgetExpiredMeansExpired_data()
{
    QTest::addColumn<double>("budgetS");
    QTest::addColumn<qint64>("elapsedMs");
    QTest::addColumn<bool>("expired");
    QTest::newRow("no budget, a day later") << 0.0 << qint64(86'400'000) << false;
    QTest::newRow("just before") << 10.0 << qint64(9'999) << false;
    QTest::newRow("at the deadline") << 10.0 << qint64(10'000) << true;
    QTest::newRow("after") << 10.0 << qint64(10'001) << true;
    QTest::newRow("fractional budget") << 0.25 << qint64(249) << false;
    QTest::newRow("fractional budget, over") << 0.25 << qint64(250) << true;
}

void tst_RunRegistry::timeBudgetExpiredMeansExpired()
{
    QFETCH(double, budgetS);
    QFETCH(qint64, elapsedMs);
    QFETCH(bool, expired);
    RunRecord r;
    r.startedAt = kT0;
    r.timeBudgetS = budgetS;
    QCOMPARE(RunRegistry::timeExpired(r, kT0.addMSecs(elapsedMs)), expired);
}

void tst_RunRegistry::extendedTimeBudgetDoesNotFire()
{
    RunRegistry runs;
    QSignalSpy expired(&runs, &RunRegistry::runExpired);
    runs.touch(u"r"_s, 1, 0, 0.1, QDateTime::currentDateTimeUtc());
    QVERIFY(runs.setBudget(u"r"_s, std::nullopt, 3600.0));
    QTest::qWait(250);
    QCOMPARE(expired.count(), 0);
    QCOMPARE(runs.find(u"r"_s)->state, State::Active);

    // Shortened again: it fires on the new deadline.
    QVERIFY(runs.setBudget(u"r"_s, std::nullopt, 0.4));
    QTRY_VERIFY_WITH_TIMEOUT(expired.count() == 1, 1000);
    QCOMPARE(runs.find(u"r"_s)->state, State::BudgetExceeded);

    // Extended after it expired: active again, and armed for the new deadline.
    QVERIFY(runs.setBudget(u"r"_s, std::nullopt, 3600.0));
    QCOMPARE(runs.find(u"r"_s)->state, State::Active);
    QTest::qWait(50);
    QCOMPARE(expired.count(), 1);
}

void tst_RunRegistry::killedRunDoesNotExpire()
{
    RunRegistry runs;
    QSignalSpy expired(&runs, &RunRegistry::runExpired);
    runs.touch(u"r"_s, 1, 0, 0.1, QDateTime::currentDateTimeUtc());
    QVERIFY(runs.kill(u"r"_s));
    QTest::qWait(250);
    QCOMPARE(expired.count(), 0);
    QCOMPARE(runs.find(u"r"_s)->state, State::Killed);
}

void tst_RunRegistry::overdueDeadlineExtendedBeforeItFires()
{
    // The deadline is due, but the event loop is busy (say, with the very
    // admin request that extends the budget): the old timer must not fire.
    RunRegistry runs;
    QSignalSpy expired(&runs, &RunRegistry::runExpired);
    runs.touch(u"r"_s, 1, 0, 0.05, QDateTime::currentDateTimeUtc());
    runs.touch(u"s"_s, 1, 0, 0.05, QDateTime::currentDateTimeUtc());
    QThread::msleep(100);
    QVERIFY(runs.setBudget(u"r"_s, std::nullopt, 3600.0));
    QVERIFY(runs.kill(u"s"_s));
    QTest::qWait(100);
    QCOMPARE(expired.count(), 0);
    QCOMPARE(runs.find(u"r"_s)->state, State::Active);
    QCOMPARE(runs.find(u"s"_s)->state, State::Killed);
}

void tst_RunRegistry::setTimeBudgetIntoThePastExpiresAtOnce()
{
    RunRegistry runs;
    runs.touch(u"r"_s, 1, 0, 0, QDateTime::currentDateTimeUtc().addSecs(-30));
    QSignalSpy expired(&runs, &RunRegistry::runExpired);
    QVERIFY(runs.setBudget(u"r"_s, std::nullopt, 10.0));
    QCOMPARE(expired.count(), 1);
    QCOMPARE(runs.find(u"r"_s)->state, State::BudgetExceeded);
}

void tst_RunRegistry::load()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    RunRecord live;
    live.id = u"live"_s;
    live.keyId = 4;
    live.calls = 7;
    live.spend = 0.5;
    live.budgetUsd = 2.0;
    live.timeBudgetS = 0.1;
    live.startedAt = now;
    live.lastCallAt = now;
    RunRecord old;
    old.id = u"old"_s;
    old.timeBudgetS = 5;
    old.startedAt = now.addSecs(-60);
    old.lastCallAt = now.addSecs(-55);
    RunRecord killed = live;
    killed.id = u"killed"_s;
    killed.state = State::Killed;

    RunRegistry runs;
    QSignalSpy expired(&runs, &RunRegistry::runExpired);
    runs.load({live, old, killed});
    QCOMPARE(runs.all().size(), 3);
    const RunRecord *r = runs.find(u"live"_s);
    QVERIFY(r);
    QCOMPARE(r->keyId, std::optional<qint64>(4));
    QCOMPARE(r->calls, 7);
    QCOMPARE(r->spend, 0.5);
    QCOMPARE(r->budgetUsd, 2.0);
    // A reloaded run's deadline still fires; a killed one's does not.
    QTRY_VERIFY_WITH_TIMEOUT(expired.count() == 1, 300);
    QCOMPARE(expired.at(0).at(0).toString(), u"live"_s);
    QCOMPARE(runs.find(u"live"_s)->state, State::BudgetExceeded);
    QCOMPARE(runs.find(u"killed"_s)->state, State::Killed);
    // A run whose time ran out while the gateway was down is over.
    QVERIFY(RunRegistry::timeExpired(*runs.find(u"old"_s), now));
    // Touching a loaded run does not start it again.
    QCOMPARE(runs.touch(u"old"_s, 1, 9, 9, now).startedAt, now.addSecs(-60));
}

void tst_RunRegistry::allNewestFirst()
{
    RunRegistry runs;
    runs.touch(u"a"_s, 1, 0, 0, kT0);
    runs.touch(u"b"_s, 1, 0, 0, kT0.addSecs(1));
    runs.touch(u"c"_s, 1, 0, 0, kT0.addSecs(2));
    runs.recordCall(u"a"_s, usage(1, 1), 0, kT0.addSecs(10));
    const QList<RunRecord> all = runs.all();
    QCOMPARE(all.size(), 3);
    QCOMPARE(all.at(0).id, u"a"_s);
    QCOMPARE(all.at(1).id, u"c"_s);
    QCOMPARE(all.at(2).id, u"b"_s);
}

QTEST_GUILESS_MAIN(tst_RunRegistry)
#include "tst_runregistry.moc"
