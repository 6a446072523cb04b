// tollgate-test-links: tollgate_store
//
// The store as the rest of the gateway sees it: every field of every record
// comes back as it was saved, usage queries filter and order as the admin
// API promises, batched writes all arrive (and arrive without a flush),
// callbacks run on the caller's thread and never on a dead object, and
// everything survives closing and reopening a private (0600) file.

#include "store/store.h"
#include "store/recordsql.h"

#include <QDir>
#include <QFile>
#include <QPointer>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimeZone>
#include <memory>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(UsageRecord)
Q_DECLARE_METATYPE(KeyRecord)
Q_DECLARE_METATYPE(RunRecord)
Q_DECLARE_METATYPE(Price)
Q_DECLARE_METATYPE(Store::UsageQuery)

namespace {

const QDateTime kT0(QDate(2026, 3, 14), QTime(15, 9, 26, 535), Qt::UTC);

// A second, plain connection to the file, opened and closed on the test's
// own thread: what another process (or the next start) would see on disk.
class RawDb
{
public:
    explicit RawDb(const QString &path)
        : m_name(u"raw-%1"_s.arg(++s_count))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawDb()
    {
        QSqlDatabase::database(m_name).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name); }
    bool exec(const QString &sql) const
    {
        QSqlQuery q(db());
        if (q.exec(sql))
            return true;
        qWarning() << sql << q.lastError().text();
        return false;
    }
    QVariant scalar(const QString &sql) const
    {
        QSqlQuery q(db());
        if (!q.exec(sql)) {
            qWarning() << sql << q.lastError().text();
            return {};
        }
        return q.next() ? q.value(0) : QVariant();
    }

private:
    static inline int s_count = 0;
    QString m_name;
};

UsageRecord fullUsage()
{
    UsageRecord r;
    r.time = kT0;
    r.requestId = u"req-0f3a"_s;
    r.keyId = 42;
    r.runId = u"run-ä-1"_s;
    r.stepId = u"7"_s;
    r.endpoint = u"/v1/chat/completions"_s;
    r.model = u"gpt-4o-mini"_s;
    r.provider = u"openai"_s;
    r.inputTokens = 1234567890123;
    r.outputTokens = 456;
    r.cacheReadTokens = 78;
    r.cacheWriteTokens = 9;
    r.cost = 0.000123456789;
    r.savedCost = 1.5e-7;
    r.cached = true;
    r.estimated = true;
    r.unpriced = true;
    r.status = 402;
    r.error = u"quota_exceeded"_s;
    r.latencyMs = 1234.5;
    r.overheadMs = 0.25;
    r.prompt = u"support-agent"_s;
    r.promptVersion = 3;
    return r;
}

KeyRecord fullKey(qint64 id)
{
    KeyRecord k;
    k.id = id;
    k.name = u"ci bot ✓"_s;
    k.prefix = u"tg-AbCd"_s;
    k.hash = QByteArray(32, char(id));
    k.allowedModels = {u"gpt-*"_s, u"claude-sonnet-4-5"_s};
    k.ratePerMin = 60;
    k.tokensPerMin = 100000;
    k.monthlyCap = 12.5;
    k.hardCap = 100.25;
    k.runBudgetUsd = 0.75;
    k.cacheEnabled = false;
    k.spendMonth = 3.125;
    k.spendMonthKey = u"2026-03"_s;
    k.spendTotal = 9.875;
    k.createdAt = kT0;
    k.revoked = true;
    k.revokedAt = kT0.addSecs(3600);
    return k;
}

RunRecord fullRun(const QString &id)
{
    RunRecord r;
    r.id = id;
    r.keyId = 7;
    r.calls = 12;
    r.inputTokens = 3400;
    r.outputTokens = 560;
    r.spend = 0.0421;
    r.budgetUsd = 1.0;
    r.timeBudgetS = 90.5;
    r.startedAt = kT0;
    r.lastCallAt = kT0.addMSecs(12345);
    r.state = RunRecord::State::BudgetExceeded;
    r.nextStep = 13;
    return r;
}

void compareUsage(const UsageRecord &a, const UsageRecord &e)
{
    QCOMPARE(a.time, e.time);
    QCOMPARE(a.requestId, e.requestId);
    QCOMPARE(a.keyId, e.keyId);
    QCOMPARE(a.runId, e.runId);
    QCOMPARE(a.stepId, e.stepId);
    QCOMPARE(a.endpoint, e.endpoint);
    QCOMPARE(a.model, e.model);
    QCOMPARE(a.provider, e.provider);
    QCOMPARE(a.inputTokens, e.inputTokens);
    QCOMPARE(a.outputTokens, e.outputTokens);
    QCOMPARE(a.cacheReadTokens, e.cacheReadTokens);
    QCOMPARE(a.cacheWriteTokens, e.cacheWriteTokens);
    QCOMPARE(a.cost, e.cost);
    QCOMPARE(a.savedCost, e.savedCost);
    QCOMPARE(a.cached, e.cached);
    QCOMPARE(a.estimated, e.estimated);
    QCOMPARE(a.unpriced, e.unpriced);
    QCOMPARE(a.status, e.status);
    QCOMPARE(a.error, e.error);
    QCOMPARE(a.latencyMs, e.latencyMs);
    QCOMPARE(a.overheadMs, e.overheadMs);
    QCOMPARE(a.prompt, e.prompt);
    QCOMPARE(a.promptVersion, e.promptVersion);
}

void compareKey(const KeyRecord &a, const KeyRecord &e)
{
    QCOMPARE(a.id, e.id);
    QCOMPARE(a.name, e.name);
    QCOMPARE(a.prefix, e.prefix);
    QCOMPARE(a.hash, e.hash);
    QCOMPARE(a.allowedModels, e.allowedModels);
    QCOMPARE(a.ratePerMin, e.ratePerMin);
    QCOMPARE(a.tokensPerMin, e.tokensPerMin);
    QCOMPARE(a.monthlyCap, e.monthlyCap);
    QCOMPARE(a.hardCap, e.hardCap);
    QCOMPARE(a.runBudgetUsd, e.runBudgetUsd);
    QCOMPARE(a.cacheEnabled, e.cacheEnabled);
    QCOMPARE(a.spendMonth, e.spendMonth);
    QCOMPARE(a.spendMonthKey, e.spendMonthKey);
    QCOMPARE(a.spendTotal, e.spendTotal);
    QCOMPARE(a.createdAt, e.createdAt);
    QCOMPARE(a.createdAt.isValid(), e.createdAt.isValid());
    QCOMPARE(a.revoked, e.revoked);
    QCOMPARE(a.revokedAt, e.revokedAt);
    QCOMPARE(a.revokedAt.isValid(), e.revokedAt.isValid());
}

void compareRun(const RunRecord &a, const RunRecord &e)
{
    QCOMPARE(a.id, e.id);
    QCOMPARE(a.keyId, e.keyId);
    QCOMPARE(a.calls, e.calls);
    QCOMPARE(a.inputTokens, e.inputTokens);
    QCOMPARE(a.outputTokens, e.outputTokens);
    QCOMPARE(a.spend, e.spend);
    QCOMPARE(a.budgetUsd, e.budgetUsd);
    QCOMPARE(a.timeBudgetS, e.timeBudgetS);
    QCOMPARE(a.startedAt, e.startedAt);
    QCOMPARE(a.startedAt.isValid(), e.startedAt.isValid());
    QCOMPARE(a.lastCallAt, e.lastCallAt);
    QCOMPARE(a.lastCallAt.isValid(), e.lastCallAt.isValid());
    QCOMPARE(RunRecord::stateName(a.state), RunRecord::stateName(e.state));
    QCOMPARE(a.nextStep, e.nextStep);
}

void compareSnapshots(const Store::Snapshot &a, const Store::Snapshot &e)
{
    QCOMPARE(a.keys.size(), e.keys.size());
    for (qsizetype i = 0; i < a.keys.size(); ++i) {
        compareKey(a.keys.at(i), e.keys.at(i));
        if (QTest::currentTestFailed())
            return;
    }
    QCOMPARE(a.runs.size(), e.runs.size());
    for (qsizetype i = 0; i < a.runs.size(); ++i) {
        compareRun(a.runs.at(i), e.runs.at(i));
        if (QTest::currentTestFailed())
            return;
    }
    QCOMPARE(a.prices, e.prices);
    QCOMPARE(a.prompts.size(), e.prompts.size());
    for (qsizetype i = 0; i < a.prompts.size(); ++i) {
        const PromptRecord &pa = a.prompts.at(i);
        const PromptRecord &pe = e.prompts.at(i);
        QCOMPARE(pa.name, pe.name);
        QCOMPARE(pa.activeVersion, pe.activeVersion);
        QCOMPARE(pa.versions.size(), pe.versions.size());
        for (qsizetype v = 0; v < pa.versions.size(); ++v) {
            QCOMPARE(pa.versions.at(v).version, pe.versions.at(v).version);
            QCOMPARE(pa.versions.at(v).templateText, pe.versions.at(v).templateText);
            QCOMPARE(pa.versions.at(v).createdAt, pe.versions.at(v).createdAt);
        }
    }
}

QStringList requestIds(const QList<UsageRecord> &rows)
{
    QStringList ids;
    for (const UsageRecord &r : rows)
        ids.append(r.requestId);
    return ids;
}

} // namespace

class tst_Store : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void usageRoundTrip_data();
    void usageRoundTrip();
    void keyRoundTrip_data();
    void keyRoundTrip();
    void runRoundTrip_data();
    void runRoundTrip();
    void priceRoundTrip_data();
    void priceRoundTrip();
    void promptRoundTrip();
    void laterWritesWin();
    void queryFilters_data();
    void queryFilters();
    void timeBoundQueriesUseAnIndex_data();
    void timeBoundQueriesUseAnIndex();
    void queryAnswersOnTheContextsThread();
    void answersToADestroyedContextAreDropped();
    void batchedAppendsAllArrive();
    void rowsAreCommittedWithoutAFlush();
    void flushAndWaitReachesTheDisk();
    void aLockHeldElsewhereDelaysButLosesNothing();
    void aRefusedRowDoesNotHoldBackTheBatch();
    void laterWritesWinWhileABatchWaits();
    void restartKeepsEverything();
    void databaseIsWalAndIntact();
    void filesArePrivate();
    void anExistingFileIsMadePrivate();
    void writesBeforeOpenAreKept();
    void openFailsWithAReason();

private:
    std::unique_ptr<Store> openStore();
    QList<UsageRecord> query(Store &store, const Store::UsageQuery &q);
    QString dbPath() const { return m_dir->filePath(u"data/tollgate.db"_s); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_Store::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_Store::cleanup()
{
    m_dir.reset();
}

std::unique_ptr<Store> tst_Store::openStore()
{
    auto store = std::make_unique<Store>(dbPath());
    QString error;
    if (!store->open(&error)) {
        qWarning() << "open failed:" << error;
        return nullptr;
    }
    return store;
}

QList<UsageRecord> tst_Store::query(Store &store, const Store::UsageQuery &q)
{
    QList<UsageRecord> result;
    bool answered = false;
    store.queryUsage(q, this, [&](QList<UsageRecord> rows) {
        result = std::move(rows);
        answered = true;
    });
    if (!QTest::qWaitFor([&] { return answered; }, 10000))
        qWarning() << "the usage query never answered";
    return result;
}

void tst_Store::usageRoundTrip_data()
{
    QTest::addColumn<UsageRecord>("record");

    QTest::newRow("every field set") << fullUsage();

    UsageRecord defaults;
    defaults.time = kT0;
    QTest::newRow("defaults and null strings") << defaults;

    UsageRecord passThrough = fullUsage();
    passThrough.keyId.reset();
    passThrough.runId.clear();
    passThrough.error = QString();
    passThrough.cached = false;
    QTest::newRow("pass-through, no run, success") << passThrough;

    UsageRecord keyZero = fullUsage();
    keyZero.keyId = 0;   // a real id, not "no key"
    keyZero.estimated = false;
    keyZero.unpriced = false;
    QTest::newRow("key id 0") << keyZero;

    UsageRecord big = fullUsage();
    big.inputTokens = std::numeric_limits<qint64>::max();
    big.cost = 1.0 / 3.0;
    big.latencyMs = 0.1 + 0.2;
    big.time = QDateTime(QDate(1999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC);
    QTest::newRow("extremes") << big;
}

void tst_Store::usageRoundTrip()
{
    QFETCH(UsageRecord, record);
    auto store = openStore();
    QVERIFY(store);
    store->appendUsage(record);
    store->appendUsage(record);

    const QList<UsageRecord> rows = query(*store, {});
    QCOMPARE(rows.size(), 2);
    QVERIFY(rows.at(0).id > rows.at(1).id);   // ids assigned, newest first
    QVERIFY(rows.at(1).id > 0);
    for (const UsageRecord &row : rows) {
        compareUsage(row, record);
        if (QTest::currentTestFailed())
            return;
    }
}

void tst_Store::keyRoundTrip_data()
{
    QTest::addColumn<KeyRecord>("key");

    QTest::newRow("every field set") << fullKey(1);

    KeyRecord minimal;
    minimal.id = 2;
    minimal.name = u"minimal"_s;
    QTest::newRow("defaults: no hash, no dates, every model") << minimal;

    KeyRecord live = fullKey(3);
    live.revoked = false;
    live.revokedAt = QDateTime();
    live.cacheEnabled = true;
    live.allowedModels = {u"*"_s};
    QTest::newRow("live key") << live;
}

void tst_Store::keyRoundTrip()
{
    QFETCH(KeyRecord, key);
    auto store = openStore();
    QVERIFY(store);
    store->saveKey(key);
    const Store::Snapshot s = store->loadSnapshot();
    QCOMPARE(s.keys.size(), 1);
    compareKey(s.keys.first(), key);
}

void tst_Store::runRoundTrip_data()
{
    QTest::addColumn<RunRecord>("run");

    for (RunRecord::State state : {RunRecord::State::Active, RunRecord::State::Killed,
                                   RunRecord::State::BudgetExceeded}) {
        RunRecord r = fullRun(u"run-"_s + RunRecord::stateName(state));
        r.state = state;
        QTest::addRow("%s", qPrintable(RunRecord::stateName(state))) << r;
    }
    RunRecord passThrough;
    passThrough.id = u"session 9f/ü"_s;
    QTest::newRow("no key, no budget, no times") << passThrough;
}

void tst_Store::runRoundTrip()
{
    QFETCH(RunRecord, run);
    auto store = openStore();
    QVERIFY(store);
    store->saveRun(run);
    const Store::Snapshot s = store->loadSnapshot();
    QCOMPARE(s.runs.size(), 1);
    compareRun(s.runs.first(), run);
}

void tst_Store::priceRoundTrip_data()
{
    QTest::addColumn<Price>("price");

    QTest::newRow("input and output only") << Price{0.15, 0.6, std::nullopt, std::nullopt};
    QTest::newRow("cache prices") << Price{3.0, 15.0, 0.3, 3.75};
    QTest::newRow("cache read only") << Price{1.1, 4.4, 0.275, std::nullopt};
    QTest::newRow("free") << Price{0.0, 0.0, 0.0, 0.0};
}

void tst_Store::priceRoundTrip()
{
    QFETCH(Price, price);
    auto store = openStore();
    QVERIFY(store);
    store->savePrice(u"some-model"_s, Price{9, 9, 9, 9});
    store->savePrice(u"some-model"_s, price);   // a later price replaces the earlier one
    store->savePrice(u"other"_s, Price{1, 2, std::nullopt, std::nullopt});
    const Store::Snapshot s = store->loadSnapshot();
    QCOMPARE(s.prices.size(), 2);
    QCOMPARE(s.prices.value(u"some-model"_s), price);
    QCOMPARE(s.prices.value(u"other"_s), (Price{1, 2, std::nullopt, std::nullopt}));
}

void tst_Store::promptRoundTrip()
{
    auto store = openStore();
    QVERIFY(store);
    const PromptVersion v1{1, u"You are {{role}}."_s, kT0};
    const PromptVersion v2{2, u"You are {{role}}, answer in {{lang}}.\n«ünïcode»"_s, kT0.addDays(1)};
    const PromptVersion other{1, QString(), QDateTime()};
    // Saved out of order: versions come back ascending.
    store->savePromptVersion(u"support"_s, v2);
    store->savePromptVersion(u"support"_s, v1);
    store->setActivePrompt(u"support"_s, 2);
    store->savePromptVersion(u"a-first"_s, other);

    const Store::Snapshot s = store->loadSnapshot();
    QCOMPARE(s.prompts.size(), 2);
    const PromptRecord &a = s.prompts.at(0);
    QCOMPARE(a.name, u"a-first"_s);
    QCOMPARE(a.activeVersion, 0);
    QCOMPARE(a.versions.size(), 1);
    QCOMPARE(a.versions.first().templateText, QString());
    QVERIFY(!a.versions.first().createdAt.isValid());

    const PromptRecord &p = s.prompts.at(1);
    QCOMPARE(p.name, u"support"_s);
    QCOMPARE(p.activeVersion, 2);
    QCOMPARE(p.versions.size(), 2);
    for (int i = 0; i < 2; ++i) {
        const PromptVersion &want = i == 0 ? v1 : v2;
        QCOMPARE(p.versions.at(i).version, want.version);
        QCOMPARE(p.versions.at(i).templateText, want.templateText);
        QCOMPARE(p.versions.at(i).createdAt, want.createdAt);
    }

    // Activating a prompt that has no versions yet still records it.
    store->setActivePrompt(u"later"_s, 4);
    const Store::Snapshot s2 = store->loadSnapshot();
    QCOMPARE(s2.prompts.size(), 3);
    QCOMPARE(s2.prompts.at(1).name, u"later"_s);
    QCOMPARE(s2.prompts.at(1).activeVersion, 4);
}

void tst_Store::laterWritesWin()
{
    auto store = openStore();
    QVERIFY(store);
    KeyRecord key = fullKey(5);
    RunRecord run = fullRun(u"r"_s);
    for (int i = 1; i <= 50; ++i) {
        key.spendTotal = i;
        key.revoked = i % 2;
        run.calls = i;
        run.state = i == 50 ? RunRecord::State::Killed : RunRecord::State::Active;
        store->saveKey(key);
        UsageRecord u = fullUsage();
        u.requestId = QString::number(i);
        store->appendUsage(u);
        store->saveRun(run);
    }
    const Store::Snapshot s = store->loadSnapshot();
    QCOMPARE(s.keys.size(), 1);
    compareKey(s.keys.first(), key);
    QCOMPARE(s.runs.size(), 1);
    compareRun(s.runs.first(), run);
    QCOMPARE(query(*store, {}).size(), 50);
}

void tst_Store::queryFilters_data()
{
    QTest::addColumn<Store::UsageQuery>("filter");
    QTest::addColumn<QStringList>("expected");   // request ids, newest first

    // The ledger queryFilters() writes: u0 … u9, one minute apart.
    //   key:   1 1 2 2 - 1 2 1 - 1
    //   run:   a a b - a b - a b -
    //   model: x y x y x y x y x y
    //   error: u2, u5, u8
    const auto q = [] { return Store::UsageQuery{}; };

    QTest::newRow("everything") << q()
                                << QStringList{u"u9"_s, u"u8"_s, u"u7"_s, u"u6"_s, u"u5"_s,
                                               u"u4"_s, u"u3"_s, u"u2"_s, u"u1"_s, u"u0"_s};
    Store::UsageQuery f = q();
    f.keyId = 1;
    QTest::newRow("key") << f << QStringList{u"u9"_s, u"u7"_s, u"u5"_s, u"u1"_s, u"u0"_s};
    f = q();
    f.keyId = 3;
    QTest::newRow("unknown key") << f << QStringList{};
    f = q();
    f.runId = u"a"_s;
    QTest::newRow("run") << f << QStringList{u"u7"_s, u"u4"_s, u"u1"_s, u"u0"_s};
    f = q();
    f.model = u"y"_s;
    QTest::newRow("model") << f << QStringList{u"u9"_s, u"u7"_s, u"u5"_s, u"u3"_s, u"u1"_s};
    f = q();
    f.since = kT0.addSecs(7 * 60);
    QTest::newRow("since is inclusive") << f << QStringList{u"u9"_s, u"u8"_s, u"u7"_s};
    f = q();
    f.until = kT0.addSecs(2 * 60);
    QTest::newRow("until is exclusive") << f << QStringList{u"u1"_s, u"u0"_s};
    f = q();
    f.since = kT0.addSecs(3 * 60);
    f.until = kT0.addSecs(5 * 60 + 1);
    QTest::newRow("since and until") << f << QStringList{u"u5"_s, u"u4"_s, u"u3"_s};
    f = q();
    f.since = kT0.addSecs(3 * 60).toTimeZone(QTimeZone(3600 * 5));
    f.until = kT0.addSecs(4 * 60).toLocalTime();
    QTest::newRow("times in other zones") << f << QStringList{u"u3"_s};
    f = q();
    f.errorsOnly = true;
    QTest::newRow("errors only") << f << QStringList{u"u8"_s, u"u5"_s, u"u2"_s};
    f = q();
    f.keyId = 1;
    f.model = u"y"_s;
    f.runId = u"b"_s;
    QTest::newRow("key, model and run") << f << QStringList{u"u5"_s};
    f = q();
    f.keyId = 2;
    f.errorsOnly = true;
    f.since = kT0;
    QTest::newRow("key, errors, since") << f << QStringList{u"u2"_s};
    f = q();
    f.limit = 3;
    QTest::newRow("limit keeps the newest") << f << QStringList{u"u9"_s, u"u8"_s, u"u7"_s};
    f = q();
    f.limit = 1;
    f.model = u"x"_s;
    QTest::newRow("limit after filters") << f << QStringList{u"u8"_s};
    f = q();
    f.limit = 0;
    f.runId = u"b"_s;
    QTest::newRow("limit 0 is no limit") << f << QStringList{u"u8"_s, u"u5"_s, u"u2"_s};
}

void tst_Store::queryFilters()
{
    QFETCH(Store::UsageQuery, filter);
    QFETCH(QStringList, expected);

    auto store = openStore();
    QVERIFY(store);
    const std::optional<qint64> keys[] = {1, 1, 2, 2, std::nullopt, 1, 2, 1, std::nullopt, 1};
    const char16_t *const runs[] = {u"a", u"a", u"b", u"", u"a", u"b", u"", u"a", u"b", u""};
    for (int i = 0; i < 10; ++i) {
        UsageRecord r;
        r.time = kT0.addSecs(i * 60);
        r.requestId = u"u"_s + QString::number(i);
        r.keyId = keys[i];
        r.runId = QString::fromUtf16(runs[i]);
        r.model = i % 2 ? u"y"_s : u"x"_s;
        r.error = i % 3 == 2 ? u"rate_limited"_s : QString();
        r.status = r.error.isEmpty() ? 200 : 429;
        store->appendUsage(r);
    }
    QCOMPARE(requestIds(query(*store, filter)), expected);
}

void tst_Store::timeBoundQueriesUseAnIndex_data()
{
    QTest::addColumn<Store::UsageQuery>("filter");

    Store::UsageQuery f;
    f.since = kT0;
    QTest::newRow("since") << f;
    f = {};
    f.until = kT0;
    QTest::newRow("until") << f;
    f.since = kT0.addDays(-1);
    QTest::newRow("since and until") << f;
    f.model = u"m"_s;
    f.errorsOnly = true;
    QTest::newRow("model, errors and times") << f;
    f = {};
    f.keyId = 3;
    f.since = kT0;
    QTest::newRow("key and since") << f;
    f = {};
    f.runId = u"r"_s;
    f.since = kT0;
    QTest::newRow("run and since") << f;
}

void tst_Store::timeBoundQueriesUseAnIndex()
{
    // On a ledger of millions of rows, "the last hour" must not read them all.
    QFETCH(Store::UsageQuery, filter);
    {
        auto store = openStore();
        QVERIFY(store);
    }
    RawDb raw(dbPath());
    QVariantList values;
    const QString sql = RecordSql::usageQuerySql(filter, &values);
    QSqlQuery plan(raw.db());
    QVERIFY(plan.prepare(u"EXPLAIN QUERY PLAN "_s + sql));
    for (qsizetype i = 0; i < values.size(); ++i)
        plan.bindValue(int(i), values.at(i));
    QVERIFY2(plan.exec(), qPrintable(plan.lastError().text()));
    QStringList steps;
    while (plan.next())
        steps.append(plan.value(3).toString());
    QVERIFY(!steps.isEmpty());
    for (const QString &step : std::as_const(steps))
        QVERIFY2(!step.startsWith(u"SCAN"_s), qPrintable(steps.join(u"; "_s)));
}

void tst_Store::queryAnswersOnTheContextsThread()
{
    auto store = openStore();
    QVERIFY(store);
    store->appendUsage(fullUsage());

    QThread other;
    other.start();
    QObject context;
    context.moveToThread(&other);

    std::atomic<QThread *> ranOn = nullptr;
    std::atomic<int> rows = -1;
    store->queryUsage({}, &context, [&](QList<UsageRecord> r) {
        rows = int(r.size());
        ranOn = QThread::currentThread();
    });
    QTRY_VERIFY(ranOn.load() != nullptr);
    QCOMPARE(ranOn.load(), &other);
    QCOMPARE(rows.load(), 1);

    // And on the test's own thread when the context lives here.
    QThread *flushedOn = nullptr;
    store->flush(this, [&] { flushedOn = QThread::currentThread(); });
    QTRY_VERIFY(flushedOn);
    QCOMPARE(flushedOn, QThread::currentThread());

    QMetaObject::invokeMethod(&context, [&] { context.moveToThread(thread()); },
                              Qt::BlockingQueuedConnection);
    other.quit();
    other.wait();
}

void tst_Store::answersToADestroyedContextAreDropped()
{
    auto store = openStore();
    QVERIFY(store);
    for (int i = 0; i < 2000; ++i)
        store->appendUsage(fullUsage());

    bool queryCalled = false;
    bool flushCalled = false;
    auto *context = new QObject(this);
    store->queryUsage({}, context, [&](QList<UsageRecord>) { queryCalled = true; });
    store->flush(context, [&] { flushCalled = true; });
    delete context;

    // Without a context there is no one to answer, and nothing breaks.
    store->flush(nullptr, [&] { flushCalled = true; });
    store->queryUsage({}, nullptr, [&](QList<UsageRecord>) { queryCalled = true; });

    // The store answers in order: once this arrives, the dropped ones
    // would have arrived before it.
    bool lastCalled = false;
    store->flush(this, [&] { lastCalled = true; });
    QTRY_VERIFY(lastCalled);
    QTest::qWait(20);
    QVERIFY(!queryCalled);
    QVERIFY(!flushCalled);
}

void tst_Store::batchedAppendsAllArrive()
{
    auto store = openStore();
    QVERIFY(store);
    constexpr int kRows = 5003;   // ten full batches and a partial one
    for (int i = 0; i < kRows; ++i) {
        UsageRecord r = fullUsage();
        r.requestId = QString::number(i);
        r.inputTokens = i;
        store->appendUsage(r);
    }
    bool flushed = false;
    store->flush(this, [&] { flushed = true; });
    QTRY_VERIFY(flushed);
    QCOMPARE(store->usageRowsWritten(), qint64(kRows));

    Store::UsageQuery all;
    all.limit = 0;
    const QList<UsageRecord> rows = query(*store, all);
    QCOMPARE(rows.size(), kRows);
    // Newest first, and in the order they were appended.
    for (int i = 0; i < kRows; ++i) {
        QCOMPARE(rows.at(i).inputTokens, qint64(kRows - 1 - i));
        if (i > 0)
            QVERIFY(rows.at(i).id < rows.at(i - 1).id);
    }
    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM usage"_s).toInt(), kRows);
}

void tst_Store::rowsAreCommittedWithoutAFlush()
{
    auto store = openStore();
    QVERIFY(store);
    store->appendUsage(fullUsage());
    store->saveKey(fullKey(9));
    // Nobody flushes: the batch window commits on its own.
    QTRY_COMPARE(store->usageRowsWritten(), qint64(1));
    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM usage"_s).toInt(), 1);
    QCOMPARE(raw.scalar(u"SELECT name FROM keys WHERE id = 9"_s).toString(), fullKey(9).name);
}

void tst_Store::flushAndWaitReachesTheDisk()
{
    auto store = openStore();
    QVERIFY(store);
    for (int i = 0; i < 10; ++i)
        store->appendUsage(fullUsage());
    store->savePrice(u"m"_s, Price{1, 2, std::nullopt, std::nullopt});
    store->flushAndWait();
    QCOMPARE(store->usageRowsWritten(), qint64(10));
    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM usage"_s).toInt(), 10);
    QCOMPARE(raw.scalar(u"SELECT output_per_mtok FROM prices WHERE model = 'm'"_s).toDouble(), 2.0);
}

void tst_Store::aLockHeldElsewhereDelaysButLosesNothing()
{
    // Someone holds the write lock (the sqlite3 shell, a backup tool): the
    // store waits for it instead of dropping the batch.
    auto store = openStore();
    QVERIFY(store);
    RawDb raw(dbPath());
    QVERIFY(raw.exec(u"BEGIN IMMEDIATE"_s));
    QVERIFY(raw.exec(u"INSERT INTO prices (model, input_per_mtok, output_per_mtok) VALUES ('x', 1, 2)"_s));
    for (int i = 0; i < 600; ++i)
        store->appendUsage(fullUsage());
    bool flushed = false;
    store->flush(this, [&] { flushed = true; });
    QTest::qWait(300);
    QVERIFY(!flushed);
    QCOMPARE(store->usageRowsWritten(), qint64(0));
    QVERIFY(raw.exec(u"COMMIT"_s));
    QTRY_VERIFY(flushed);
    QCOMPARE(store->usageRowsWritten(), qint64(600));
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM usage"_s).toInt(), 600);
    QCOMPARE(store->loadSnapshot().prices.size(), 1);
}

void tst_Store::aRefusedRowDoesNotHoldBackTheBatch()
{
    auto store = openStore();
    QVERIFY(store);
    KeyRecord clash = fullKey(2);
    clash.hash = fullKey(1).hash;   // hashes are unique: SQLite refuses this one
    store->appendUsage(fullUsage());
    store->saveKey(fullKey(1));
    store->saveKey(clash);
    store->appendUsage(fullUsage());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"refused to save key"_s));
    store->flushAndWait();
    QCOMPARE(store->usageRowsWritten(), qint64(2));
    const Store::Snapshot s = store->loadSnapshot();
    QCOMPARE(s.keys.size(), 1);
    QCOMPARE(s.keys.first().id, 1);
}

void tst_Store::laterWritesWinWhileABatchWaits()
{
    // A batch that cannot commit yet keeps taking writes: a key or run saved
    // again replaces the waiting version, and nothing else is lost.
    auto store = openStore();
    QVERIFY(store);
    RawDb raw(dbPath());
    QVERIFY(raw.exec(u"BEGIN IMMEDIATE"_s));
    QVERIFY(raw.exec(u"INSERT INTO prices (model, input_per_mtok, output_per_mtok) VALUES ('x', 1, 2)"_s));
    KeyRecord key = fullKey(3);
    RunRecord run = fullRun(u"waiting"_s);
    for (int i = 1; i <= 600; ++i) {   // past kBatchOps: a commit is tried, and waits
        key.spendTotal = i;
        run.calls = i;
        store->saveKey(key);
        store->saveRun(run);
        store->appendUsage(fullUsage());
    }
    QTest::qWait(200);
    key.spendTotal = 1000;
    store->saveKey(key);
    store->saveKey(fullKey(4));
    QCOMPARE(store->usageRowsWritten(), qint64(0));
    QVERIFY(raw.exec(u"COMMIT"_s));
    const Store::Snapshot s = store->loadSnapshot();
    QCOMPARE(store->usageRowsWritten(), qint64(600));
    QCOMPARE(s.keys.size(), 2);
    compareKey(s.keys.first(), key);
    QCOMPARE(s.keys.last().id, 4);
    QCOMPARE(s.runs.size(), 1);
    compareRun(s.runs.first(), run);
}

void tst_Store::restartKeepsEverything()
{
    Store::Snapshot before;
    QList<UsageRecord> usageBefore;
    {
        auto store = openStore();
        QVERIFY(store);
        store->saveKey(fullKey(1));
        KeyRecord second = fullKey(2);
        second.revoked = false;
        second.revokedAt = QDateTime();
        store->saveKey(second);
        store->saveRun(fullRun(u"r1"_s));
        RunRecord r2;
        r2.id = u"r2"_s;
        r2.startedAt = kT0.addSecs(5);
        store->saveRun(r2);
        store->savePrice(u"gpt-x"_s, Price{1.5, 6.0, 0.15, std::nullopt});
        store->savePromptVersion(u"p"_s, PromptVersion{1, u"hello {{who}}"_s, kT0});
        store->setActivePrompt(u"p"_s, 1);
        for (int i = 0; i < 700; ++i) {
            UsageRecord u = fullUsage();
            u.requestId = QString::number(i);
            store->appendUsage(u);
        }
        before = store->loadSnapshot();
        Store::UsageQuery all;
        all.limit = 0;
        usageBefore = query(*store, all);
        // More writes right before the store goes away: the destructor
        // must save them.
        for (int i = 700; i < 750; ++i) {
            UsageRecord u = fullUsage();
            u.requestId = QString::number(i);
            store->appendUsage(u);
        }
        RunRecord r3 = fullRun(u"r3"_s);
        r3.startedAt = kT0.addDays(1);
        store->saveRun(r3);
        before.runs.append(r3);
    }
    QCOMPARE(before.keys.size(), 2);
    QCOMPARE(before.runs.size(), 3);
    QCOMPARE(usageBefore.size(), 700);

    auto store = openStore();
    QVERIFY(store);
    compareSnapshots(store->loadSnapshot(), before);
    if (QTest::currentTestFailed())
        return;
    Store::UsageQuery all;
    all.limit = 0;
    const QList<UsageRecord> usageAfter = query(*store, all);
    QCOMPARE(usageAfter.size(), 750);
    for (qsizetype i = 0; i < usageBefore.size(); ++i) {
        const UsageRecord &after = usageAfter.at(i + 50);
        QCOMPARE(after.id, usageBefore.at(i).id);
        compareUsage(after, usageBefore.at(i));
        if (QTest::currentTestFailed())
            return;
    }
    QCOMPARE(usageAfter.first().requestId, u"749"_s);
}

void tst_Store::databaseIsWalAndIntact()
{
    {
        auto store = openStore();
        QVERIFY(store);
        for (int i = 0; i < 1200; ++i)
            store->appendUsage(fullUsage());
        store->saveKey(fullKey(1));
    }
    auto store = openStore();
    QVERIFY(store);
    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
    QCOMPARE(raw.scalar(u"PRAGMA integrity_check"_s).toString(), u"ok"_s);
    QCOMPARE(raw.scalar(u"PRAGMA foreign_key_check"_s), QVariant());
    QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), Store::kSchemaVersion);
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM usage"_s).toInt(), 1200);
}

void tst_Store::filesArePrivate()
{
    // A permissive umask, as on most desktops: the store must not rely on
    // the user's umask to keep the ledger private.
    const mode_t previous = ::umask(022);
    auto store = openStore();
    ::umask(previous);
    QVERIFY(store);
    store->appendUsage(fullUsage());
    store->flushAndWait();

    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
        | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther
        | QFileDevice::ExeOther | QFileDevice::ExeOwner;
    for (const QString &suffix : {QString(), u"-wal"_s, u"-shm"_s}) {
        const QString file = dbPath() + suffix;
        QVERIFY2(QFile::exists(file), qPrintable(file));
        const QFileDevice::Permissions p = QFile::permissions(file);
        QVERIFY2(!(p & others), qPrintable(file + u" mode "_s + QString::number(int(p), 16)));
        QVERIFY(p.testFlags(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    }
}

void tst_Store::anExistingFileIsMadePrivate()
{
    {
        auto store = openStore();
        QVERIFY(store);
    }
    QVERIFY(QFile::setPermissions(dbPath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                                | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(QFile::permissions(dbPath()) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
}

void tst_Store::writesBeforeOpenAreKept()
{
    Store store(dbPath());
    store.saveKey(fullKey(4));
    store.appendUsage(fullUsage());
    QString error;
    QVERIFY2(store.open(&error), qPrintable(error));
    QCOMPARE(store.loadSnapshot().keys.size(), 1);
    QCOMPARE(query(store, {}).size(), 1);
}

void tst_Store::openFailsWithAReason()
{
    // The data directory's parent is a file: nothing can be created there.
    QFile blocker(m_dir->filePath(u"not-a-dir"_s));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    Store store(m_dir->filePath(u"not-a-dir/data/tollgate.db"_s));
    QString error;
    QVERIFY(!store.open(&error));
    QVERIFY2(error.contains(u"not-a-dir"_s), qPrintable(error));
    // A store that never opened still answers, with nothing, and closes.
    store.appendUsage(fullUsage());
    QCOMPARE(store.loadSnapshot().keys.size(), 0);
    QCOMPARE(query(store, {}).size(), 0);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"closing .* with 1 writes not saved"_s));
}

QTEST_GUILESS_MAIN(tst_Store)
#include "tst_store.moc"
