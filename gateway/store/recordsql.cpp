#include "recordsql.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace {

// Column lists in the order of the enums below: reading by index is what
// keeps a 50k-row query cheap, and the enum keeps the indices honest.
const QStringList kUsageColumns = {
    u"id"_s, u"time_ms"_s, u"request_id"_s, u"key_id"_s, u"run_id"_s, u"step_id"_s,
    u"endpoint"_s, u"model"_s, u"provider"_s, u"input_tokens"_s, u"output_tokens"_s,
    u"cache_read_tokens"_s, u"cache_write_tokens"_s, u"cost"_s, u"saved_cost"_s, u"cached"_s,
    u"estimated"_s, u"unpriced"_s, u"status"_s, u"error"_s, u"latency_ms"_s, u"overhead_ms"_s,
    u"prompt"_s, u"prompt_version"_s,
};
enum UsageColumn {
    UId, UTime, URequestId, UKeyId, URunId, UStepId, UEndpoint, UModel, UProvider, UInput, UOutput,
    UCacheRead, UCacheWrite, UCost, USavedCost, UCached, UEstimated, UUnpriced, UStatus, UError,
    ULatency, UOverhead, UPrompt, UPromptVersion, UColumnCount
};

const QStringList kKeyColumns = {
    u"id"_s, u"name"_s, u"prefix"_s, u"hash"_s, u"allowed_models"_s, u"rate_per_min"_s,
    u"tokens_per_min"_s, u"monthly_cap"_s, u"hard_cap"_s, u"run_budget_usd"_s,
    u"cache_enabled"_s, u"spend_month"_s, u"spend_month_key"_s, u"spend_total"_s,
    u"created_at"_s, u"revoked"_s, u"revoked_at"_s,
};
enum KeyColumn {
    KId, KName, KPrefix, KHash, KAllowedModels, KRatePerMin, KTokensPerMin, KMonthlyCap, KHardCap,
    KRunBudget, KCacheEnabled, KSpendMonth, KSpendMonthKey, KSpendTotal, KCreatedAt, KRevoked,
    KRevokedAt, KColumnCount
};

const QStringList kRunColumns = {
    u"id"_s, u"key_id"_s, u"calls"_s, u"input_tokens"_s, u"output_tokens"_s, u"spend"_s,
    u"budget_usd"_s, u"time_budget_s"_s, u"started_at"_s, u"last_call_at"_s, u"state"_s,
    u"next_step"_s,
};
enum RunColumn {
    RId, RKeyId, RCalls, RInput, ROutput, RSpend, RBudget, RTimeBudget, RStartedAt, RLastCallAt,
    RState, RNextStep, RColumnCount
};

const QStringList kCacheColumns = {
    u"key"_s, u"format"_s, u"body"_s, u"provider"_s, u"model"_s, u"input_tokens"_s,
    u"output_tokens"_s, u"cache_read_tokens"_s, u"cache_write_tokens"_s, u"cost"_s,
    u"created_ms"_s, u"expires_ms"_s,
};
enum CacheColumn {
    CKey, CFormat, CBody, CProvider, CModel, CInput, COutput, CCacheRead, CCacheWrite, CCost,
    CCreated, CExpires, CColumnCount
};

QString placeholders(qsizetype n)
{
    QStringList marks(n, u"?"_s);
    return marks.join(u',');
}

// "INSERT INTO t (a,b) VALUES (?,?) ON CONFLICT(pk) DO UPDATE SET b=excluded.b":
// an upsert that keeps the row (unlike INSERT OR REPLACE, which deletes it
// and would silently drop a row that clashed on another unique column).
QString upsert(const QString &table, const QStringList &columns, const QString &conflict)
{
    const QStringList keyColumns = conflict.split(u',');
    QStringList updates;
    for (const QString &c : columns) {
        if (!keyColumns.contains(c))
            updates.append(c % u"=excluded."_s % c);
    }
    return u"INSERT INTO "_s % table % u" ("_s % columns.join(u',') % u") VALUES ("_s
        % placeholders(columns.size()) % u") ON CONFLICT("_s % conflict % u") DO UPDATE SET "_s
        % updates.join(u',');
}

QVariant optionalId(const std::optional<qint64> &id)
{
    return id ? QVariant(*id) : QVariant();
}

std::optional<qint64> optionalIdFrom(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    return v.toLongLong();
}

QVariant optionalDouble(const std::optional<double> &d)
{
    return d ? QVariant(*d) : QVariant();
}

std::optional<double> optionalDoubleFrom(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    return v.toDouble();
}

} // namespace

QVariant RecordSql::timeValue(const QDateTime &t)
{
    return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant();
}

QDateTime RecordSql::timeFrom(const QVariant &v)
{
    if (v.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
}

QVariant RecordSql::textValue(const QString &s)
{
    // A null QString binds as SQL NULL, which NOT NULL columns refuse.
    return s.isNull() ? QVariant(u""_s) : QVariant(s);
}

// --- usage -----------------------------------------------------------------

QString RecordSql::insertUsageSql()
{
    const QStringList columns = kUsageColumns.mid(UTime);   // id is assigned by SQLite
    return u"INSERT INTO usage ("_s % columns.join(u',') % u") VALUES ("_s
        % placeholders(columns.size()) % u")"_s;
}

void RecordSql::bindUsage(QSqlQuery &q, const UsageRecord &r)
{
    static_assert(UColumnCount == 24);
    constexpr int o = UTime;   // the insert has no id column
    q.bindValue(UTime - o, r.time.isValid() ? r.time.toMSecsSinceEpoch() : 0);
    q.bindValue(URequestId - o, textValue(r.requestId));
    q.bindValue(UKeyId - o, optionalId(r.keyId));
    q.bindValue(URunId - o, r.runId.isEmpty() ? QVariant() : QVariant(r.runId));
    q.bindValue(UStepId - o, textValue(r.stepId));
    q.bindValue(UEndpoint - o, textValue(r.endpoint));
    q.bindValue(UModel - o, textValue(r.model));
    q.bindValue(UProvider - o, textValue(r.provider));
    q.bindValue(UInput - o, r.inputTokens);
    q.bindValue(UOutput - o, r.outputTokens);
    q.bindValue(UCacheRead - o, r.cacheReadTokens);
    q.bindValue(UCacheWrite - o, r.cacheWriteTokens);
    q.bindValue(UCost - o, r.cost);
    q.bindValue(USavedCost - o, r.savedCost);
    q.bindValue(UCached - o, int(r.cached));
    q.bindValue(UEstimated - o, int(r.estimated));
    q.bindValue(UUnpriced - o, int(r.unpriced));
    q.bindValue(UStatus - o, r.status);
    q.bindValue(UError - o, textValue(r.error));
    q.bindValue(ULatency - o, r.latencyMs);
    q.bindValue(UOverhead - o, r.overheadMs);
    q.bindValue(UPrompt - o, textValue(r.prompt));
    q.bindValue(UPromptVersion - o, r.promptVersion);
}

QString RecordSql::selectUsageSql()
{
    return u"SELECT "_s % kUsageColumns.join(u',') % u" FROM usage"_s;
}

UsageRecord RecordSql::readUsage(const QSqlQuery &q)
{
    UsageRecord r;
    r.id = q.value(UId).toLongLong();
    r.time = QDateTime::fromMSecsSinceEpoch(q.value(UTime).toLongLong(), Qt::UTC);
    r.requestId = q.value(URequestId).toString();
    r.keyId = optionalIdFrom(q.value(UKeyId));
    r.runId = q.value(URunId).toString();
    r.stepId = q.value(UStepId).toString();
    r.endpoint = q.value(UEndpoint).toString();
    r.model = q.value(UModel).toString();
    r.provider = q.value(UProvider).toString();
    r.inputTokens = q.value(UInput).toLongLong();
    r.outputTokens = q.value(UOutput).toLongLong();
    r.cacheReadTokens = q.value(UCacheRead).toLongLong();
    r.cacheWriteTokens = q.value(UCacheWrite).toLongLong();
    r.cost = q.value(UCost).toDouble();
    r.savedCost = q.value(USavedCost).toDouble();
    r.cached = q.value(UCached).toInt() != 0;
    r.estimated = q.value(UEstimated).toInt() != 0;
    r.unpriced = q.value(UUnpriced).toInt() != 0;
    r.status = q.value(UStatus).toInt();
    r.error = q.value(UError).toString();
    r.latencyMs = q.value(ULatency).toDouble();
    r.overheadMs = q.value(UOverhead).toDouble();
    r.prompt = q.value(UPrompt).toString();
    r.promptVersion = q.value(UPromptVersion).toInt();
    return r;
}

QString RecordSql::usageQuerySql(const Store::UsageQuery &query, QVariantList *values)
{
    QStringList where;
    if (query.keyId) {
        where.append(u"key_id = ?"_s);
        values->append(*query.keyId);
    }
    if (!query.runId.isEmpty()) {
        where.append(u"run_id = ?"_s);
        values->append(query.runId);
    }
    if (!query.model.isEmpty()) {
        where.append(u"model = ?"_s);
        values->append(query.model);
    }
    if (query.since.isValid()) {
        where.append(u"time_ms >= ?"_s);
        values->append(query.since.toMSecsSinceEpoch());
    }
    if (query.until.isValid()) {
        where.append(u"time_ms < ?"_s);
        values->append(query.until.toMSecsSinceEpoch());
    }
    if (query.errorsOnly)
        where.append(u"error != ''"_s);

    QString sql = selectUsageSql();
    // With only a lower time bound, SQLite prefers walking the table
    // backwards by id (it saves the sort) and, not knowing that time grows
    // with id, reads the whole ledger whenever fewer rows than the limit
    // match. The time index bounds the work by the rows in the window. A
    // key or run filter has a narrower index of its own (key_id, time_ms).
    const bool timeBound = query.since.isValid() || query.until.isValid();
    if (timeBound && !query.keyId && query.runId.isEmpty())
        sql += u" INDEXED BY usage_time"_s;
    if (!where.isEmpty())
        sql += u" WHERE "_s % where.join(u" AND "_s);
    // A limit of 0 or less means no limit.
    sql += u" ORDER BY id DESC LIMIT ?"_s;
    values->append(query.limit > 0 ? qint64(query.limit) : qint64(-1));
    return sql;
}

// --- keys ------------------------------------------------------------------

QString RecordSql::upsertKeySql()
{
    return upsert(u"keys"_s, kKeyColumns, u"id"_s);
}

void RecordSql::bindKey(QSqlQuery &q, const KeyRecord &k)
{
    static_assert(KColumnCount == 17);
    q.bindValue(KId, k.id);
    q.bindValue(KName, textValue(k.name));
    q.bindValue(KPrefix, textValue(k.prefix));
    // NULL, not an empty blob, for a key without a hash: UNIQUE lets any
    // number of NULLs through but only one empty blob.
    q.bindValue(KHash, k.hash.isEmpty() ? QVariant() : QVariant(k.hash));
    q.bindValue(KAllowedModels, QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(k.allowedModels))
                                                      .toJson(QJsonDocument::Compact)));
    q.bindValue(KRatePerMin, k.ratePerMin);
    q.bindValue(KTokensPerMin, k.tokensPerMin);
    q.bindValue(KMonthlyCap, k.monthlyCap);
    q.bindValue(KHardCap, k.hardCap);
    q.bindValue(KRunBudget, k.runBudgetUsd);
    q.bindValue(KCacheEnabled, int(k.cacheEnabled));
    q.bindValue(KSpendMonth, k.spendMonth);
    q.bindValue(KSpendMonthKey, textValue(k.spendMonthKey));
    q.bindValue(KSpendTotal, k.spendTotal);
    q.bindValue(KCreatedAt, timeValue(k.createdAt));
    q.bindValue(KRevoked, int(k.revoked));
    q.bindValue(KRevokedAt, timeValue(k.revokedAt));
}

QString RecordSql::selectKeysSql()
{
    return u"SELECT "_s % kKeyColumns.join(u',') % u" FROM keys ORDER BY id"_s;
}

KeyRecord RecordSql::readKey(const QSqlQuery &q)
{
    KeyRecord k;
    k.id = q.value(KId).toLongLong();
    k.name = q.value(KName).toString();
    k.prefix = q.value(KPrefix).toString();
    k.hash = q.value(KHash).toByteArray();
    const QJsonArray models = QJsonDocument::fromJson(q.value(KAllowedModels).toString().toUtf8()).array();
    for (const QJsonValue &m : models)
        k.allowedModels.append(m.toString());
    k.ratePerMin = q.value(KRatePerMin).toLongLong();
    k.tokensPerMin = q.value(KTokensPerMin).toLongLong();
    k.monthlyCap = q.value(KMonthlyCap).toDouble();
    k.hardCap = q.value(KHardCap).toDouble();
    k.runBudgetUsd = q.value(KRunBudget).toDouble();
    k.cacheEnabled = q.value(KCacheEnabled).toInt() != 0;
    k.spendMonth = q.value(KSpendMonth).toDouble();
    k.spendMonthKey = q.value(KSpendMonthKey).toString();
    k.spendTotal = q.value(KSpendTotal).toDouble();
    k.createdAt = timeFrom(q.value(KCreatedAt));
    k.revoked = q.value(KRevoked).toInt() != 0;
    k.revokedAt = timeFrom(q.value(KRevokedAt));
    return k;
}

// --- runs ------------------------------------------------------------------

RunRecord::State RecordSql::stateFromName(const QString &name)
{
    for (RunRecord::State s : {RunRecord::State::Active, RunRecord::State::Killed,
                               RunRecord::State::BudgetExceeded}) {
        if (RunRecord::stateName(s) == name)
            return s;
    }
    return RunRecord::State::Active;
}

QString RecordSql::upsertRunSql()
{
    return upsert(u"runs"_s, kRunColumns, u"id"_s);
}

void RecordSql::bindRun(QSqlQuery &q, const RunRecord &r)
{
    static_assert(RColumnCount == 12);
    q.bindValue(RId, textValue(r.id));
    q.bindValue(RKeyId, optionalId(r.keyId));
    q.bindValue(RCalls, r.calls);
    q.bindValue(RInput, r.inputTokens);
    q.bindValue(ROutput, r.outputTokens);
    q.bindValue(RSpend, r.spend);
    q.bindValue(RBudget, r.budgetUsd);
    q.bindValue(RTimeBudget, r.timeBudgetS);
    q.bindValue(RStartedAt, timeValue(r.startedAt));
    q.bindValue(RLastCallAt, timeValue(r.lastCallAt));
    q.bindValue(RState, RunRecord::stateName(r.state));
    q.bindValue(RNextStep, r.nextStep);
}

QString RecordSql::selectRunsSql()
{
    return u"SELECT "_s % kRunColumns.join(u',') % u" FROM runs ORDER BY started_at, id"_s;
}

RunRecord RecordSql::readRun(const QSqlQuery &q)
{
    RunRecord r;
    r.id = q.value(RId).toString();
    r.keyId = optionalIdFrom(q.value(RKeyId));
    r.calls = q.value(RCalls).toLongLong();
    r.inputTokens = q.value(RInput).toLongLong();
    r.outputTokens = q.value(ROutput).toLongLong();
    r.spend = q.value(RSpend).toDouble();
    r.budgetUsd = q.value(RBudget).toDouble();
    r.timeBudgetS = q.value(RTimeBudget).toDouble();
    r.startedAt = timeFrom(q.value(RStartedAt));
    r.lastCallAt = timeFrom(q.value(RLastCallAt));
    r.state = stateFromName(q.value(RState).toString());
    r.nextStep = q.value(RNextStep).toLongLong();
    return r;
}

// --- prices ----------------------------------------------------------------

QString RecordSql::upsertPriceSql()
{
    return upsert(u"prices"_s,
                  {u"model"_s, u"input_per_mtok"_s, u"output_per_mtok"_s, u"cache_read_per_mtok"_s,
                   u"cache_write_per_mtok"_s},
                  u"model"_s);
}

void RecordSql::bindPrice(QSqlQuery &q, const QString &model, const Price &p)
{
    q.bindValue(0, textValue(model));
    q.bindValue(1, p.inputPerMTok);
    q.bindValue(2, p.outputPerMTok);
    q.bindValue(3, optionalDouble(p.cacheReadPerMTok));
    q.bindValue(4, optionalDouble(p.cacheWritePerMTok));
}

QString RecordSql::selectPricesSql()
{
    return u"SELECT model, input_per_mtok, output_per_mtok, cache_read_per_mtok, "
           "cache_write_per_mtok FROM prices"_s;
}

std::pair<QString, Price> RecordSql::readPrice(const QSqlQuery &q)
{
    Price p;
    p.inputPerMTok = q.value(1).toDouble();
    p.outputPerMTok = q.value(2).toDouble();
    p.cacheReadPerMTok = optionalDoubleFrom(q.value(3));
    p.cacheWritePerMTok = optionalDoubleFrom(q.value(4));
    return {q.value(0).toString(), p};
}

// --- prompts ---------------------------------------------------------------

QString RecordSql::ensurePromptSql()
{
    return u"INSERT INTO prompts (name, active_version) VALUES (?, 0) ON CONFLICT(name) DO NOTHING"_s;
}

QString RecordSql::upsertPromptVersionSql()
{
    return upsert(u"prompt_versions"_s, {u"name"_s, u"version"_s, u"template"_s, u"created_at"_s},
                  u"name,version"_s);
}

void RecordSql::bindPromptVersion(QSqlQuery &q, const QString &name, const PromptVersion &v)
{
    q.bindValue(0, textValue(name));
    q.bindValue(1, v.version);
    q.bindValue(2, textValue(v.templateText));
    q.bindValue(3, timeValue(v.createdAt));
}

QString RecordSql::setActivePromptSql()
{
    return u"INSERT INTO prompts (name, active_version) VALUES (?, ?) "
           "ON CONFLICT(name) DO UPDATE SET active_version=excluded.active_version"_s;
}

QString RecordSql::selectPromptsSql()
{
    return u"SELECT name, active_version FROM prompts ORDER BY name"_s;
}

QString RecordSql::selectPromptVersionsSql()
{
    return u"SELECT name, version, template, created_at FROM prompt_versions ORDER BY name, version"_s;
}

PromptVersion RecordSql::readPromptVersion(const QSqlQuery &q, QString *name)
{
    *name = q.value(0).toString();
    PromptVersion v;
    v.version = q.value(1).toInt();
    v.templateText = q.value(2).toString();
    v.createdAt = timeFrom(q.value(3));
    return v;
}

// --- cache entries ---------------------------------------------------------

QString RecordSql::upsertCacheEntrySql()
{
    // REPLACE, not upsert(): a saved entry gets a new rowid, so rowid order
    // is the order entries were saved in, which selectCacheChunkSql reads
    // newest first along the table itself, without an index or a sort. The
    // key is the table's only unique column, so REPLACE drops nothing else.
    return u"REPLACE INTO cache_entries ("_s % kCacheColumns.join(u',') % u") VALUES ("_s
        % placeholders(kCacheColumns.size()) % u")"_s;
}

void RecordSql::bindCacheEntry(QSqlQuery &q, const CacheEntry &e)
{
    static_assert(CColumnCount == 12);
    // An empty key binds as NULL, which the primary key refuses: an entry
    // nobody could look up is not worth a row.
    q.bindValue(CKey, e.key.isEmpty() ? QVariant() : QVariant(e.key));
    q.bindValue(CFormat, wireFormatName(e.format));
    // A null QByteArray binds as SQL NULL, which the NOT NULL column refuses.
    q.bindValue(CBody, e.body.isNull() ? QByteArray("") : e.body);
    q.bindValue(CProvider, textValue(e.provider));
    q.bindValue(CModel, textValue(e.model));
    q.bindValue(CInput, e.usage.inputTokens);
    q.bindValue(COutput, e.usage.outputTokens);
    q.bindValue(CCacheRead, e.usage.cacheReadTokens);
    q.bindValue(CCacheWrite, e.usage.cacheWriteTokens);
    q.bindValue(CCost, e.cost);
    q.bindValue(CCreated, timeValue(e.createdAt));
    // The cache treats an entry without an expiry as expired; so does the
    // store, and the purge after the next open deletes it.
    q.bindValue(CExpires, e.expiresAt.isValid() ? e.expiresAt.toMSecsSinceEpoch() : qint64(0));
}

QString RecordSql::deleteCacheEntrySql()
{
    return u"DELETE FROM cache_entries WHERE key = ?"_s;
}

QString RecordSql::selectCacheChunkSql()
{
    // NOT INDEXED keeps SQLite off the expiry index: the walk is down the
    // rowids, from `before`, and stops after `limit` rows.
    return u"SELECT "_s % kCacheColumns.join(u',')
        % u",rowid FROM cache_entries NOT INDEXED WHERE rowid < ? AND expires_ms > ? "
          "ORDER BY rowid DESC LIMIT ?"_s;
}

qint64 RecordSql::cacheRowId(const QSqlQuery &q)
{
    return q.value(CColumnCount).toLongLong();
}

std::optional<CacheEntry> RecordSql::readCacheEntry(const QSqlQuery &q)
{
    const QString format = q.value(CFormat).toString();
    std::optional<WireFormat> wire;
    for (WireFormat f : {WireFormat::OpenAI, WireFormat::Anthropic}) {
        if (wireFormatName(f) == format)
            wire = f;
    }
    if (!wire)
        return std::nullopt;
    CacheEntry e;
    e.key = q.value(CKey).toByteArray();
    e.format = *wire;
    e.body = q.value(CBody).toByteArray();
    e.provider = q.value(CProvider).toString();
    e.model = q.value(CModel).toString();
    e.usage.inputTokens = q.value(CInput).toLongLong();
    e.usage.outputTokens = q.value(COutput).toLongLong();
    e.usage.cacheReadTokens = q.value(CCacheRead).toLongLong();
    e.usage.cacheWriteTokens = q.value(CCacheWrite).toLongLong();
    e.cost = q.value(CCost).toDouble();
    e.createdAt = timeFrom(q.value(CCreated));
    e.expiresAt = timeFrom(q.value(CExpires));
    return e;
}

QString RecordSql::purgeCacheEntriesSql()
{
    return u"DELETE FROM cache_entries WHERE rowid IN "
           "(SELECT rowid FROM cache_entries WHERE expires_ms <= ? LIMIT ?)"_s;
}

// --- spend -----------------------------------------------------------------

// Pinned to the time index as usageQuerySql is: SQLite picks it today, but
// with statistics (after an ANALYZE or PRAGMA optimize) grouping by key_id
// can tempt it into walking (key_id, time_ms) whole, every key's history,
// to save sorting a few dozen groups.

QString RecordSql::spendByDaySql()
{
    return u"SELECT time_ms / 86400000 AS day, SUM(cost), COUNT(*) FROM usage INDEXED BY usage_time "
           "WHERE time_ms >= ? AND time_ms < ? GROUP BY day"_s;
}

QString RecordSql::spendByKeySql()
{
    return u"SELECT key_id, SUM(cost) FROM usage INDEXED BY usage_time "
           "WHERE time_ms >= ? AND time_ms < ? GROUP BY key_id"_s;
}
