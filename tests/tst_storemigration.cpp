// tollgate-test-links: tollgate_store
//
// Upgrading in place: a database left by an older Tollgate opens, keeps
// every row and ends with the same layout as a new one; a step that fails
// leaves the file as it was; a database from a newer Tollgate is refused
// with a message that says so, and left untouched.

#include "storecachechunks.h"
#include "store/schema.h"
#include "store/store.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

const QDateTime kT0(QDate(2025, 11, 2), QTime(8, 30, 0, 125), Qt::UTC);

// Version 1 exactly as the first release wrote it, frozen here on purpose:
// if someone edits step 1 in Schema, databases already on users' disks
// would no longer match it, and this copy is what catches that.
const char16_t *const kFrozenVersion1[] = {
    uR"(CREATE TABLE keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        prefix TEXT NOT NULL DEFAULT '',
        hash BLOB UNIQUE,
        allowed_models TEXT NOT NULL DEFAULT '[]',
        rate_per_min INTEGER NOT NULL DEFAULT 0,
        tokens_per_min INTEGER NOT NULL DEFAULT 0,
        monthly_cap REAL NOT NULL DEFAULT 0,
        hard_cap REAL NOT NULL DEFAULT 0,
        run_budget_usd REAL NOT NULL DEFAULT 0,
        cache_enabled INTEGER NOT NULL DEFAULT 1,
        spend_month REAL NOT NULL DEFAULT 0,
        spend_month_key TEXT NOT NULL DEFAULT '',
        spend_total REAL NOT NULL DEFAULT 0,
        created_at INTEGER,
        revoked INTEGER NOT NULL DEFAULT 0,
        revoked_at INTEGER))",
    uR"(CREATE TABLE usage (
        id INTEGER PRIMARY KEY,
        time_ms INTEGER NOT NULL,
        request_id TEXT NOT NULL DEFAULT '',
        key_id INTEGER,
        endpoint TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        provider TEXT NOT NULL DEFAULT '',
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0,
        cost REAL NOT NULL DEFAULT 0,
        saved_cost REAL NOT NULL DEFAULT 0,
        cached INTEGER NOT NULL DEFAULT 0,
        estimated INTEGER NOT NULL DEFAULT 0,
        status INTEGER NOT NULL DEFAULT 0,
        error TEXT NOT NULL DEFAULT '',
        latency_ms REAL NOT NULL DEFAULT 0,
        overhead_ms REAL NOT NULL DEFAULT 0))",
    u"CREATE INDEX usage_time ON usage(time_ms)",
    u"CREATE INDEX usage_key_time ON usage(key_id, time_ms)",
    u"CREATE INDEX usage_model ON usage(model)",
    u"PRAGMA user_version = 1",
};

// A connection of the test's own thread, closed before the Store opens.
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
    QStringList column(const QString &sql) const
    {
        QStringList out;
        QSqlQuery q(db());
        if (!q.exec(sql))
            qWarning() << sql << q.lastError().text();
        while (q.next())
            out.append(q.value(0).toString());
        return out;
    }
    // "name type notnull default pk" for each column: the layout a table has.
    QStringList layout(const QString &table) const
    {
        QStringList out;
        QSqlQuery q(db());
        q.exec(u"PRAGMA table_info("_s + table + u")"_s);
        while (q.next()) {
            out.append(QStringList{q.value(1).toString(), q.value(2).toString(),
                                   q.value(3).toString(), q.value(4).toString(),
                                   q.value(5).toString()}
                           .join(u' '));
        }
        out.sort();
        return out;
    }

private:
    static inline int s_count = 0;
    QString m_name;
};

// Rows an older version could hold, written with that version's columns.
bool insertVersion1Rows(const RawDb &raw)
{
    return raw.exec(uR"(INSERT INTO keys VALUES (1, 'alpha', 'tg-Alph', x'0102', '["gpt-*"]', 10, 2000,
                        5.5, 50, 0.5, 0, 1.25, '2025-11', 7.75, 1762072200125, 1, 1762075800125))"_s)
        && raw.exec(uR"(INSERT INTO keys (id, name, hash) VALUES (2, 'beta', NULL))"_s)
        && raw.exec(uR"(INSERT INTO usage (id, time_ms, request_id, key_id, endpoint, model, provider, input_tokens,
                        output_tokens, cache_read_tokens, cache_write_tokens, cost, saved_cost, cached,
                        estimated, status, error, latency_ms, overhead_ms)
                        VALUES (1, 1762072200125, 'req-1', 1, '/v1/chat/completions',
                        'gpt-4o', 'openai', 100, 20, 5, 1, 0.0125, 0.5, 1, 1, 200, '', 812.5, 3.25))"_s)
        && raw.exec(uR"(INSERT INTO usage (id, time_ms, request_id, key_id, endpoint, model, provider, input_tokens,
                        output_tokens, cache_read_tokens, cache_write_tokens, cost, saved_cost, cached,
                        estimated, status, error, latency_ms, overhead_ms)
                        VALUES (2, 1762072260125, 'req-2', NULL, '/v1/messages',
                        'claude-x', 'anthropic', 0, 0, 0, 0, 0, 0, 0, 0, 401, 'invalid_api_key', 1, 1))"_s);
}

bool insertVersion2Rows(const RawDb &raw)
{
    return raw.exec(uR"(INSERT INTO runs VALUES ('run-1', 1, 4, 400, 80, 0.05, 2.5, 60, 1762072200125,
                        1762072260125, 'killed', 5))"_s)
        && raw.exec(uR"(INSERT INTO usage (id, time_ms, request_id, key_id, model, run_id, step_id,
                        status) VALUES (3, 1762072320125, 'req-3', 1, 'gpt-4o', 'run-1', '4', 200))"_s);
}

bool insertVersion3Rows(const RawDb &raw)
{
    return raw.exec(uR"(INSERT INTO prices VALUES ('gpt-4o', 2.5, 10, 1.25, NULL))"_s)
        && raw.exec(uR"(INSERT INTO prompts VALUES ('greeter', 2))"_s)
        && raw.exec(uR"(INSERT INTO prompt_versions VALUES ('greeter', 1, 'hi', 1762072200125),
                        ('greeter', 2, 'hello {{who}}', NULL))"_s)
        && raw.exec(uR"(INSERT INTO usage (id, time_ms, request_id, key_id, model, unpriced, prompt,
                        prompt_version) VALUES (4, 1762072380125, 'req-4', 1, 'mystery', 1, 'greeter', 2))"_s);
}

std::unique_ptr<Store> openStore(const QString &path, QString *error)
{
    auto store = std::make_unique<Store>(path);
    if (!store->open(error))
        return nullptr;
    return store;
}

QList<UsageRecord> allUsage(Store &store, QObject *context)
{
    QList<UsageRecord> result;
    bool answered = false;
    Store::UsageQuery q;
    q.limit = 0;
    store.queryUsage(q, context, [&](QList<UsageRecord> rows) {
        result = std::move(rows);
        answered = true;
    });
    if (!QTest::qWaitFor([&] { return answered; }, 10000))
        qWarning() << "the usage query never answered";
    return result;
}

} // namespace

class tst_StoreMigration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void upgradeKeepsRows_data();
    void upgradeKeepsRows();
    void upgradedLayoutEqualsNewLayout();
    void newerDatabaseIsRefused();
    void failedStepChangesNothing_data();
    void failedStepChangesNothing();
    void migrateTwiceIsHarmless();
    void createVersionRefusesMisuse();

private:
    QString dbPath() const { return m_dir->filePath(u"tollgate.db"_s); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_StoreMigration::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_StoreMigration::upgradeKeepsRows_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<bool>("frozenSql");

    QTest::newRow("v1 from the first release's SQL") << 1 << true;
    QTest::newRow("v1 from Schema::createVersion") << 1 << false;
    QTest::newRow("v2 from Schema::createVersion") << 2 << false;
    QTest::newRow("v3 from Schema::createVersion") << 3 << false;
}

void tst_StoreMigration::upgradeKeepsRows()
{
    QFETCH(int, version);
    QFETCH(bool, frozenSql);
    {
        RawDb raw(dbPath());
        if (frozenSql) {
            for (const char16_t *sql : kFrozenVersion1)
                QVERIFY(raw.exec(QString::fromUtf16(sql)));
        } else {
            QSqlDatabase db = raw.db();
            QString error;
            QVERIFY2(Schema::createVersion(db, version, &error), qPrintable(error));
        }
        QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), version);
        QVERIFY(insertVersion1Rows(raw));
        if (version >= 2)
            QVERIFY(insertVersion2Rows(raw));
        if (version >= 3)
            QVERIFY(insertVersion3Rows(raw));
    }

    QString error;
    auto store = openStore(dbPath(), &error);
    QVERIFY2(store, qPrintable(error));

    const Store::Snapshot s = store->loadSnapshot();
    QCOMPARE(s.keys.size(), 2);
    const KeyRecord &alpha = s.keys.at(0);
    QCOMPARE(alpha.id, 1);
    QCOMPARE(alpha.name, u"alpha"_s);
    QCOMPARE(alpha.prefix, u"tg-Alph"_s);
    QCOMPARE(alpha.hash, QByteArray("\x01\x02"));
    QCOMPARE(alpha.allowedModels, QStringList{u"gpt-*"_s});
    QCOMPARE(alpha.ratePerMin, 10);
    QCOMPARE(alpha.tokensPerMin, 2000);
    QCOMPARE(alpha.monthlyCap, 5.5);
    QCOMPARE(alpha.hardCap, 50.0);
    QCOMPARE(alpha.runBudgetUsd, 0.5);
    QCOMPARE(alpha.cacheEnabled, false);
    QCOMPARE(alpha.spendMonth, 1.25);
    QCOMPARE(alpha.spendMonthKey, u"2025-11"_s);
    QCOMPARE(alpha.spendTotal, 7.75);
    QCOMPARE(alpha.createdAt, kT0);
    QCOMPARE(alpha.revoked, true);
    QCOMPARE(alpha.revokedAt, kT0.addSecs(3600));
    const KeyRecord &beta = s.keys.at(1);
    QCOMPARE(beta.name, u"beta"_s);
    QVERIFY(beta.hash.isEmpty());
    QVERIFY(beta.allowedModels.isEmpty());
    QCOMPARE(beta.cacheEnabled, true);
    QVERIFY(!beta.createdAt.isValid());

    QCOMPARE(s.runs.size(), version >= 2 ? 1 : 0);
    if (version >= 2) {
        const RunRecord &run = s.runs.first();
        QCOMPARE(run.id, u"run-1"_s);
        QCOMPARE(run.keyId, 1);
        QCOMPARE(run.calls, 4);
        QCOMPARE(run.spend, 0.05);
        QCOMPARE(run.budgetUsd, 2.5);
        QCOMPARE(run.timeBudgetS, 60.0);
        QCOMPARE(run.startedAt, kT0);
        QCOMPARE(run.lastCallAt, kT0.addSecs(60));
        QCOMPARE(run.state, RunRecord::State::Killed);
        QCOMPARE(run.nextStep, 5);
    }
    if (version >= 3) {
        QCOMPARE(s.prices.size(), 1);
        QCOMPARE(s.prices.value(u"gpt-4o"_s), (Price{2.5, 10, 1.25, std::nullopt}));
        QCOMPARE(s.prompts.size(), 1);
        const PromptRecord &greeter = s.prompts.first();
        QCOMPARE(greeter.name, u"greeter"_s);
        QCOMPARE(greeter.activeVersion, 2);
        QCOMPARE(greeter.versions.size(), 2);
        QCOMPARE(greeter.versions.at(0).templateText, u"hi"_s);
        QCOMPARE(greeter.versions.at(0).createdAt, kT0);
        QCOMPARE(greeter.versions.at(1).templateText, u"hello {{who}}"_s);
        QVERIFY(!greeter.versions.at(1).createdAt.isValid());
    } else {
        QVERIFY(s.prices.isEmpty());
        QVERIFY(s.prompts.isEmpty());
    }
    QVERIFY(StoreCacheChunks::readAll(*store).isEmpty());

    const QList<UsageRecord> usage = allUsage(*store, this);
    QCOMPARE(usage.size(), version >= 3 ? 4 : version >= 2 ? 3 : 2);
    const UsageRecord &first = usage.last();
    QCOMPARE(first.id, 1);
    QCOMPARE(first.time, kT0);
    QCOMPARE(first.requestId, u"req-1"_s);
    QCOMPARE(first.keyId, 1);
    QCOMPARE(first.runId, QString());      // columns a step added hold their defaults
    QCOMPARE(first.stepId, QString());
    QCOMPARE(first.endpoint, u"/v1/chat/completions"_s);
    QCOMPARE(first.model, u"gpt-4o"_s);
    QCOMPARE(first.provider, u"openai"_s);
    QCOMPARE(first.inputTokens, 100);
    QCOMPARE(first.outputTokens, 20);
    QCOMPARE(first.cacheReadTokens, 5);
    QCOMPARE(first.cacheWriteTokens, 1);
    QCOMPARE(first.cost, 0.0125);
    QCOMPARE(first.savedCost, 0.5);
    QCOMPARE(first.cached, true);
    QCOMPARE(first.estimated, true);
    QCOMPARE(first.unpriced, false);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.error, QString());
    QCOMPARE(first.latencyMs, 812.5);
    QCOMPARE(first.overheadMs, 3.25);
    QCOMPARE(first.prompt, QString());
    QCOMPARE(first.promptVersion, 0);
    QCOMPARE(usage.at(usage.size() - 2).keyId, std::nullopt);
    QCOMPARE(usage.at(usage.size() - 2).error, u"invalid_api_key"_s);
    if (version >= 3) {
        const UsageRecord &prompted = usage.first();
        QCOMPARE(prompted.requestId, u"req-4"_s);
        QCOMPARE(prompted.unpriced, true);
        QCOMPARE(prompted.prompt, u"greeter"_s);
        QCOMPARE(prompted.promptVersion, 2);
    }
    if (version >= 2) {
        const UsageRecord &inRun = usage.at(usage.size() - 3);
        QCOMPARE(inRun.runId, u"run-1"_s);
        QCOMPARE(inRun.stepId, u"4"_s);
    }

    // The upgraded database takes everything a new one does.
    UsageRecord fresh = first;
    fresh.requestId = u"req-new"_s;
    fresh.unpriced = true;
    fresh.prompt = u"greeter"_s;
    fresh.promptVersion = 2;
    fresh.runId = u"run-2"_s;
    store->appendUsage(fresh);
    store->savePrice(u"gpt-4o"_s, Price{2.5, 10, 1.25, std::nullopt});
    store->savePromptVersion(u"greeter"_s, PromptVersion{1, u"hi"_s, kT0});
    CacheEntry cached;
    cached.key = QByteArray(32, '\x5a');
    cached.format = WireFormat::Anthropic;
    cached.body = "{\"content\":[]}";
    cached.createdAt = QDateTime::currentDateTimeUtc();
    cached.expiresAt = cached.createdAt.addSecs(3600);
    store->saveCacheEntry(cached);
    const QList<UsageRecord> after = allUsage(*store, this);
    QCOMPARE(after.size(), usage.size() + 1);
    QCOMPARE(after.first().id, usage.first().id + 1);
    QCOMPARE(after.first().prompt, u"greeter"_s);
    QCOMPARE(after.first().promptVersion, 2);
    QCOMPARE(after.first().unpriced, true);
    QCOMPARE(after.first().runId, u"run-2"_s);
    const Store::Snapshot upgraded = store->loadSnapshot();
    QCOMPARE(upgraded.prices.size(), 1);
    const QList<CacheEntry> upgradedCache = StoreCacheChunks::readAll(*store);
    QCOMPARE(upgradedCache.size(), 1);
    QCOMPARE(upgradedCache.first().key, cached.key);
    QCOMPARE(upgradedCache.first().format, WireFormat::Anthropic);
    store.reset();

    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), Store::kSchemaVersion);
    QCOMPARE(raw.scalar(u"PRAGMA integrity_check"_s).toString(), u"ok"_s);
    const QStringList indexes = raw.column(u"SELECT name FROM sqlite_master WHERE type = 'index' "
                                           "AND tbl_name = 'usage' AND sql IS NOT NULL ORDER BY name"_s);
    QCOMPARE(indexes, (QStringList{u"usage_key_time"_s, u"usage_model"_s, u"usage_run"_s,
                                   u"usage_time"_s}));
    QCOMPARE(raw.column(u"SELECT name FROM sqlite_master WHERE type = 'index' "
                        "AND tbl_name = 'cache_entries' AND sql IS NOT NULL"_s),
             QStringList{u"cache_entries_expires"_s});
}

void tst_StoreMigration::upgradedLayoutEqualsNewLayout()
{
    const QString oldPath = m_dir->filePath(u"old.db"_s);
    const QString newPath = m_dir->filePath(u"new.db"_s);
    {
        RawDb raw(oldPath);
        for (const char16_t *sql : kFrozenVersion1)
            QVERIFY(raw.exec(QString::fromUtf16(sql)));
    }
    QString error;
    QVERIFY2(openStore(oldPath, &error), qPrintable(error));
    QVERIFY2(openStore(newPath, &error), qPrintable(error));

    RawDb upgraded(oldPath);
    RawDb created(newPath);
    const QString tablesSql = u"SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"_s;
    const QStringList tables = created.column(tablesSql);
    QCOMPARE(tables, (QStringList{u"cache_entries"_s, u"keys"_s, u"prices"_s, u"prompt_versions"_s,
                                  u"prompts"_s, u"runs"_s, u"usage"_s}));
    QCOMPARE(upgraded.column(tablesSql), tables);
    for (const QString &table : tables)
        QCOMPARE(upgraded.layout(table), created.layout(table));
    const QString indexesSql = u"SELECT tbl_name || '.' || name FROM sqlite_master "
                               "WHERE type = 'index' ORDER BY tbl_name, name"_s;
    QCOMPARE(upgraded.column(indexesSql), created.column(indexesSql));
}

void tst_StoreMigration::newerDatabaseIsRefused()
{
    QCOMPARE(Store::kSchemaVersion + 1, 5);   // bump with each new step: the case below is the next one
    {
        RawDb raw(dbPath());
        QSqlDatabase db = raw.db();
        QString error;
        QVERIFY2(Schema::createVersion(db, Store::kSchemaVersion, &error), qPrintable(error));
        QVERIFY(raw.exec(u"CREATE TABLE future_things (x)"_s));
        QVERIFY(raw.exec(u"INSERT INTO usage (time_ms, request_id) VALUES (1, 'kept')"_s));
        QVERIFY(raw.exec(u"PRAGMA user_version = %1"_s.arg(Store::kSchemaVersion + 1)));
    }
    QString error;
    QVERIFY(!openStore(dbPath(), &error));
    QVERIFY2(error.contains(u"newer"_s), qPrintable(error));
    QVERIFY2(error.contains(QString::number(Store::kSchemaVersion + 1)), qPrintable(error));
    QVERIFY2(error.contains(dbPath()), qPrintable(error));

    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), Store::kSchemaVersion + 1);
    QCOMPARE(raw.scalar(u"PRAGMA journal_mode"_s).toString(), u"delete"_s);   // not switched to WAL
    QCOMPARE(raw.scalar(u"SELECT request_id FROM usage"_s).toString(), u"kept"_s);

    // Schema::migrate says the same to a caller of its own.
    QSqlDatabase db = raw.db();
    QVERIFY(!Schema::migrate(db, &error));
    QVERIFY2(error.contains(u"newer"_s), qPrintable(error));
}

void tst_StoreMigration::failedStepChangesNothing_data()
{
    QTest::addColumn<int>("from");

    QTest::newRow("step 2 fails on a v1 database") << 1;
    QTest::newRow("step 4 fails on a v3 database") << 3;
}

void tst_StoreMigration::failedStepChangesNothing()
{
    QFETCH(int, from);
    {
        RawDb raw(dbPath());
        if (from == 1) {
            for (const char16_t *sql : kFrozenVersion1)
                QVERIFY(raw.exec(QString::fromUtf16(sql)));
            // Something in the way of step 2, which creates a table of this name.
            QVERIFY(raw.exec(u"CREATE TABLE runs (something_else TEXT)"_s));
        } else {
            QSqlDatabase db = raw.db();
            QString error;
            QVERIFY2(Schema::createVersion(db, from, &error), qPrintable(error));
            // Step 4 creates cache_entries and its index; only the index clashes.
            QVERIFY(raw.exec(u"CREATE INDEX cache_entries_expires ON usage(cost)"_s));
        }
        QVERIFY(insertVersion1Rows(raw));
    }
    QString error;
    QVERIFY(!openStore(dbPath(), &error));
    QVERIFY2(error.contains(u"version %1"_s.arg(from + 1)), qPrintable(error));

    RawDb raw(dbPath());
    QCOMPARE(raw.scalar(u"PRAGMA user_version"_s).toInt(), from);
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM usage"_s).toInt(), 2);
    // The whole step rolled back: nothing it made before the failure stayed.
    if (from == 1)
        QVERIFY(!raw.layout(u"usage"_s).join(u'\n').contains(u"run_id"_s));
    else
        QVERIFY(raw.layout(u"cache_entries"_s).isEmpty());
    QCOMPARE(raw.scalar(u"PRAGMA integrity_check"_s).toString(), u"ok"_s);
}

void tst_StoreMigration::migrateTwiceIsHarmless()
{
    RawDb raw(dbPath());
    QSqlDatabase db = raw.db();
    QString error;
    QVERIFY2(Schema::migrate(db, &error), qPrintable(error));
    QCOMPARE(Schema::version(db), Schema::kLatestVersion);
    QVERIFY(raw.exec(u"INSERT INTO prices (model, input_per_mtok, output_per_mtok) VALUES ('m', 1, 2)"_s));
    QVERIFY2(Schema::migrate(db, &error), qPrintable(error));
    QCOMPARE(Schema::version(db), Schema::kLatestVersion);
    QCOMPARE(raw.scalar(u"SELECT COUNT(*) FROM prices"_s).toInt(), 1);
}

void tst_StoreMigration::createVersionRefusesMisuse()
{
    RawDb raw(dbPath());
    QSqlDatabase db = raw.db();
    QString error;
    QVERIFY(!Schema::createVersion(db, 0, &error));
    QVERIFY(!Schema::createVersion(db, Schema::kLatestVersion + 1, &error));
    QVERIFY(Schema::createVersion(db, 1, &error));
    QVERIFY(!Schema::createVersion(db, 2, &error));   // not empty any more
    QVERIFY2(error.contains(u"version 1"_s), qPrintable(error));
    QCOMPARE(Schema::version(db), 1);
}

QTEST_GUILESS_MAIN(tst_StoreMigration)
#include "tst_storemigration.moc"
