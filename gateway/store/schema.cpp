#include "schema.h"

#include "core/logging.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace {

// Times are epoch milliseconds (UTC) in INTEGER columns: compact, ordered
// and indexable; NULL stands for "never" (an invalid QDateTime). Text
// columns are NOT NULL DEFAULT '' so filters never have to think of NULL,
// except usage.run_id, which is NULL for calls outside a run.
//
// The ledger carries no foreign key to keys or runs on purpose: a usage row
// must never be refused because its key or run has not been saved yet.

const char16_t *const kVersion1[] = {
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
};

const char16_t *const kVersion2[] = {
    uR"(CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        key_id INTEGER,
        calls INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        spend REAL NOT NULL DEFAULT 0,
        budget_usd REAL NOT NULL DEFAULT 0,
        time_budget_s REAL NOT NULL DEFAULT 0,
        started_at INTEGER,
        last_call_at INTEGER,
        state TEXT NOT NULL DEFAULT 'active',
        next_step INTEGER NOT NULL DEFAULT 1))",
    u"ALTER TABLE usage ADD COLUMN run_id TEXT",
    u"ALTER TABLE usage ADD COLUMN step_id TEXT NOT NULL DEFAULT ''",
    u"CREATE INDEX usage_run ON usage(run_id)",
};

const char16_t *const kVersion3[] = {
    uR"(CREATE TABLE prices (
        model TEXT PRIMARY KEY,
        input_per_mtok REAL NOT NULL DEFAULT 0,
        output_per_mtok REAL NOT NULL DEFAULT 0,
        cache_read_per_mtok REAL,
        cache_write_per_mtok REAL))",
    uR"(CREATE TABLE prompts (
        name TEXT PRIMARY KEY,
        active_version INTEGER NOT NULL DEFAULT 0))",
    uR"(CREATE TABLE prompt_versions (
        name TEXT NOT NULL REFERENCES prompts(name) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        template TEXT NOT NULL DEFAULT '',
        created_at INTEGER,
        PRIMARY KEY (name, version)))",
    u"ALTER TABLE usage ADD COLUMN unpriced INTEGER NOT NULL DEFAULT 0",
    u"ALTER TABLE usage ADD COLUMN prompt TEXT NOT NULL DEFAULT ''",
    u"ALTER TABLE usage ADD COLUMN prompt_version INTEGER NOT NULL DEFAULT 0",
};

// The response cache, kept across restarts. key is the SHA-256 of the
// canonical request; expires_ms is never NULL (an entry without an expiry
// is already expired), and its index makes the purge after an open a range
// read. (Loading reads down the rowids instead: see selectCacheChunkSql.)
const char16_t *const kVersion4[] = {
    uR"(CREATE TABLE cache_entries (
        key BLOB NOT NULL PRIMARY KEY,
        format TEXT NOT NULL DEFAULT 'openai',
        body BLOB NOT NULL DEFAULT x'',
        provider TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0,
        cost REAL NOT NULL DEFAULT 0,
        created_ms INTEGER,
        expires_ms INTEGER NOT NULL))",
    u"CREATE INDEX cache_entries_expires ON cache_entries(expires_ms)",
};

template<std::size_t N>
QStringList statements(const char16_t *const (&sql)[N])
{
    QStringList out;
    out.reserve(qsizetype(N));
    for (const char16_t *s : sql)
        out.append(QString::fromUtf16(s));
    return out;
}

QStringList stepStatements(int version)
{
    switch (version) {
    case 1: return statements(kVersion1);
    case 2: return statements(kVersion2);
    case 3: return statements(kVersion3);
    case 4: return statements(kVersion4);
    }
    return {};
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

int Schema::version(QSqlDatabase &db, QString *error)
{
    QSqlQuery q(db);
    if (!q.exec(u"PRAGMA user_version"_s) || !q.next()) {
        setError(error, u"cannot read the schema version: "_s + q.lastError().text());
        return -1;
    }
    return q.value(0).toInt();
}

bool Schema::migrate(QSqlDatabase &db, QString *error)
{
    const int current = version(db, error);
    if (current < 0)
        return false;
    if (current > kLatestVersion) {
        setError(error, u"the database has schema version %1, newer than version %2 that this "
                         "Tollgate understands; it was written by a newer Tollgate. Run that "
                         "version, or use another data directory."_s
                            .arg(current)
                            .arg(kLatestVersion));
        return false;
    }
    for (int v = current + 1; v <= kLatestVersion; ++v) {
        if (!applyStep(db, v, error))
            return false;
        if (current > 0)
            qCInfo(lcStore) << "migrated" << db.databaseName() << "to schema version" << v;
    }
    return true;
}

bool Schema::createVersion(QSqlDatabase &db, int version, QString *error)
{
    if (version < 1 || version > kLatestVersion) {
        setError(error, u"no schema version %1"_s.arg(version));
        return false;
    }
    const int current = Schema::version(db, error);
    if (current != 0) {
        setError(error, u"createVersion needs an empty database, this one is at version %1"_s.arg(current));
        return false;
    }
    for (int v = 1; v <= version; ++v) {
        if (!applyStep(db, v, error))
            return false;
    }
    return true;
}

bool Schema::applyStep(QSqlDatabase &db, int version, QString *error)
{
    // SQLite's DDL is transactional, user_version included: a step is
    // either wholly applied and recorded or not at all.
    if (!db.transaction()) {
        setError(error, u"cannot begin migration to schema version %1: %2"_s.arg(version).arg(
                            db.lastError().text()));
        return false;
    }
    QStringList sql = stepStatements(version);
    sql.append(u"PRAGMA user_version = %1"_s.arg(version));
    for (const QString &statement : std::as_const(sql)) {
        QSqlQuery q(db);
        if (!q.exec(statement)) {
            setError(error, u"migration to schema version %1 failed: %2 (in: %3)"_s.arg(version).arg(
                                q.lastError().text(), statement.simplified()));
            q.finish();
            db.rollback();
            return false;
        }
    }
    if (!db.commit()) {
        setError(error, u"cannot commit migration to schema version %1: %2"_s.arg(version).arg(
                            db.lastError().text()));
        db.rollback();
        return false;
    }
    return true;
}
