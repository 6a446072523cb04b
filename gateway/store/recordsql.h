#pragma once

// How each record maps to the columns of tollgate.db: the column lists,
// the statements that write a record and the code that reads one back.
// Kept apart from StoreWorker so the threading and batching there read
// without a wall of column names, and so a field added to a record is
// added in exactly one place (its write, its read and its column list sit
// together below).
//
//   QSqlQuery insert(db);
//   insert.prepare(RecordSql::insertUsageSql());
//   RecordSql::bindUsage(insert, record);     // then exec()

#include "core/cacheentry.h"
#include "core/keyrecord.h"
#include "core/price.h"
#include "core/promptrecord.h"
#include "core/runrecord.h"
#include "core/usagerecord.h"
#include "store.h"

#include <QString>
#include <QVariant>
#include <optional>
#include <utility>

class QSqlQuery;

class RecordSql
{
public:
    static QString insertUsageSql();
    static void bindUsage(QSqlQuery &q, const UsageRecord &r);
    static QString selectUsageSql();            // "SELECT … FROM usage", no WHERE
    static UsageRecord readUsage(const QSqlQuery &q);
    // The admin usage query, newest first; values receives what to bind to
    // its placeholders, in order.
    static QString usageQuerySql(const Store::UsageQuery &query, QVariantList *values);

    static QString upsertKeySql();
    static void bindKey(QSqlQuery &q, const KeyRecord &k);
    static QString selectKeysSql();
    static KeyRecord readKey(const QSqlQuery &q);

    static QString upsertRunSql();
    static void bindRun(QSqlQuery &q, const RunRecord &r);
    static QString selectRunsSql();
    static RunRecord readRun(const QSqlQuery &q);

    static QString upsertPriceSql();
    static void bindPrice(QSqlQuery &q, const QString &model, const Price &p);
    static QString selectPricesSql();
    static std::pair<QString, Price> readPrice(const QSqlQuery &q);

    static QString ensurePromptSql();           // the prompt row a version belongs to
    static QString upsertPromptVersionSql();
    static void bindPromptVersion(QSqlQuery &q, const QString &name, const PromptVersion &v);
    static QString setActivePromptSql();
    static QString selectPromptsSql();
    static QString selectPromptVersionsSql();   // every version, by name then version
    static PromptVersion readPromptVersion(const QSqlQuery &q, QString *name);

    static QString upsertCacheEntrySql();
    static void bindCacheEntry(QSqlQuery &q, const CacheEntry &e);
    static QString deleteCacheEntrySql();       // bind: key
    // bind: before (rowid), now (epoch ms), limit. Unexpired entries, the
    // most recently saved first (saving gives a row a new rowid), each row
    // followed by its rowid (cacheRowId).
    static QString selectCacheChunkSql();
    static qint64 cacheRowId(const QSqlQuery &q);
    // nullopt for a row in a format this build does not speak: better a
    // miss than an answer in the wrong dialect.
    static std::optional<CacheEntry> readCacheEntry(const QSqlQuery &q);
    static QString purgeCacheEntriesSql();      // bind: now (epoch ms), at most how many

    // Spend over usage rows with from <= time_ms < until (bind both, epoch
    // ms), read through the time index. By day: days since the epoch (UTC),
    // SUM(cost), COUNT(*). By key: key_id (NULL for calls without a key),
    // SUM(cost).
    static QString spendByDaySql();
    static QString spendByKeySql();

    static RunRecord::State stateFromName(const QString &name);

    // Column values: SQL NULL for "never" and for a missing optional, and
    // never NULL for text (the columns are NOT NULL DEFAULT '').
    static QVariant timeValue(const QDateTime &t);
    static QDateTime timeFrom(const QVariant &v);
    static QVariant textValue(const QString &s);
};
