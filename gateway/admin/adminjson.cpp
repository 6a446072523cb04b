#include "adminjson.h"

#include "governance/keystore.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace AdminJson {

namespace {

QJsonValue optionalTime(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(time(t)) : QJsonValue();
}

QByteArray csvField(const QString &v)
{
    QByteArray b = v.toUtf8();
    if (b.contains(',') || b.contains('"') || b.contains('\n') || b.contains('\r')) {
        b.replace('"', "\"\"");
        b = '"' + b + '"';
    }
    return b;
}

} // namespace

QString time(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject key(const KeyRecord &k, const QDateTime &now)
{
    return QJsonObject{
        {u"id"_s, k.id},
        {u"name"_s, k.name},
        {u"prefix"_s, k.prefix},
        {u"allowed_models"_s, QJsonArray::fromStringList(k.allowedModels)},
        {u"rate_per_min"_s, k.ratePerMin},
        {u"tokens_per_min"_s, k.tokensPerMin},
        {u"monthly_cap"_s, k.monthlyCap},
        {u"hard_cap"_s, k.hardCap},
        {u"run_budget_usd"_s, k.runBudgetUsd},
        {u"cache_enabled"_s, k.cacheEnabled},
        {u"spend_month"_s, KeyStore::monthSpend(k, now)},
        {u"spend_total"_s, k.spendTotal},
        {u"created_at"_s, optionalTime(k.createdAt)},
        {u"revoked"_s, k.revoked},
        {u"revoked_at"_s, optionalTime(k.revokedAt)},
    };
}

QJsonObject usage(const UsageRecord &u)
{
    return QJsonObject{
        {u"id"_s, u.id},
        {u"time"_s, time(u.time)},
        {u"request_id"_s, u.requestId},
        {u"key_id"_s, u.keyId ? QJsonValue(*u.keyId) : QJsonValue()},
        {u"run_id"_s, u.runId.isEmpty() ? QJsonValue() : QJsonValue(u.runId)},
        {u"step_id"_s, u.stepId.isEmpty() ? QJsonValue() : QJsonValue(u.stepId)},
        {u"endpoint"_s, u.endpoint},
        {u"model"_s, u.model},
        {u"provider"_s, u.provider},
        {u"input_tokens"_s, u.inputTokens},
        {u"output_tokens"_s, u.outputTokens},
        {u"cache_read_tokens"_s, u.cacheReadTokens},
        {u"cache_write_tokens"_s, u.cacheWriteTokens},
        {u"cost"_s, u.cost},
        {u"saved_cost"_s, u.savedCost},
        {u"cached"_s, u.cached},
        {u"estimated"_s, u.estimated},
        {u"unpriced"_s, u.unpriced},
        {u"status"_s, u.status},
        {u"error"_s, u.error.isEmpty() ? QJsonValue() : QJsonValue(u.error)},
        {u"latency_ms"_s, u.latencyMs},
        {u"overhead_ms"_s, u.overheadMs},
        {u"prompt"_s, u.prompt.isEmpty() ? QJsonValue() : QJsonValue(u.prompt)},
        {u"prompt_version"_s, u.prompt.isEmpty() ? QJsonValue() : QJsonValue(u.promptVersion)},
    };
}

QJsonObject run(const RunRecord &r, int liveStreams)
{
    return QJsonObject{
        {u"id"_s, r.id},
        {u"key_id"_s, r.keyId ? QJsonValue(*r.keyId) : QJsonValue()},
        {u"calls"_s, r.calls},
        {u"input_tokens"_s, r.inputTokens},
        {u"output_tokens"_s, r.outputTokens},
        {u"spend"_s, r.spend},
        {u"budget_usd"_s, r.budgetUsd},
        {u"time_budget_s"_s, r.timeBudgetS},
        {u"started_at"_s, optionalTime(r.startedAt)},
        {u"last_call_at"_s, optionalTime(r.lastCallAt)},
        {u"live_streams"_s, liveStreams},
        {u"state"_s, RunRecord::stateName(r.state)},
    };
}

QJsonObject price(const Price &p)
{
    QJsonObject o{{u"input_per_mtok"_s, p.inputPerMTok}, {u"output_per_mtok"_s, p.outputPerMTok}};
    if (p.cacheReadPerMTok)
        o.insert(u"cache_read_per_mtok"_s, *p.cacheReadPerMTok);
    if (p.cacheWritePerMTok)
        o.insert(u"cache_write_per_mtok"_s, *p.cacheWritePerMTok);
    return o;
}

const QStringList kUsageFields{
    u"id"_s, u"time"_s, u"request_id"_s, u"key_id"_s, u"run_id"_s, u"step_id"_s, u"endpoint"_s, u"model"_s,
    u"provider"_s, u"input_tokens"_s, u"output_tokens"_s, u"cache_read_tokens"_s, u"cache_write_tokens"_s,
    u"cost"_s, u"saved_cost"_s, u"cached"_s, u"estimated"_s, u"unpriced"_s, u"status"_s, u"error"_s,
    u"latency_ms"_s, u"overhead_ms"_s, u"prompt"_s, u"prompt_version"_s,
};

QByteArray usageCsv(const QList<UsageRecord> &records)
{
    QByteArray out = kUsageFields.join(u',').toUtf8() + "\r\n";
    for (const UsageRecord &r : records) {
        const QJsonObject o = usage(r);
        QByteArrayList cells;
        for (const QString &f : kUsageFields) {
            const QJsonValue v = o.value(f);
            switch (v.type()) {
            case QJsonValue::Null:
            case QJsonValue::Undefined: cells.append(QByteArray()); break;
            case QJsonValue::Bool: cells.append(v.toBool() ? "true" : "false"); break;
            case QJsonValue::Double: {
                const double d = v.toDouble();
                cells.append(d == double(qint64(d)) && std::abs(d) < 1e15 ? QByteArray::number(qint64(d))
                                                                           : QByteArray::number(d, 'g', 12));
                break;
            }
            default: cells.append(csvField(v.toString())); break;
            }
        }
        out += cells.join(',') + "\r\n";
    }
    return out;
}

} // namespace AdminJson
