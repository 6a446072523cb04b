// tollgate-test-links: tollgate_admin
//
// The admin API's records as scripts read them: every field the contract
// names is present in KEY, RUN, USAGE and PRICE with the right JSON type
// and value, times are ISO 8601 UTC, absent values are null; and the usage
// CSV has a header of exactly the JSON field names and quotes commas,
// quotes and line breaks so a CSV reader gets every value back.

#include "admin/adminjson.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace {

const QDateTime kT0(QDate(2026, 3, 14), QTime(15, 9, 26, 535), QTimeZone::utc());

const QStringList kKeyFields{u"id"_s, u"name"_s, u"prefix"_s, u"allowed_models"_s, u"rate_per_min"_s,
                             u"tokens_per_min"_s, u"monthly_cap"_s, u"hard_cap"_s, u"run_budget_usd"_s,
                             u"spend_month"_s, u"spend_total"_s, u"created_at"_s, u"revoked"_s,
                             u"revoked_at"_s};
const QStringList kUsageContract{
    u"id"_s, u"time"_s, u"request_id"_s, u"key_id"_s, u"run_id"_s, u"step_id"_s, u"endpoint"_s, u"model"_s,
    u"provider"_s, u"input_tokens"_s, u"output_tokens"_s, u"cache_read_tokens"_s, u"cache_write_tokens"_s,
    u"cost"_s, u"saved_cost"_s, u"cached"_s, u"estimated"_s, u"status"_s, u"error"_s, u"latency_ms"_s,
    u"overhead_ms"_s, u"prompt"_s, u"prompt_version"_s};
const QStringList kRunFields{u"id"_s, u"key_id"_s, u"calls"_s, u"input_tokens"_s, u"output_tokens"_s,
                             u"spend"_s, u"budget_usd"_s, u"time_budget_s"_s, u"started_at"_s,
                             u"last_call_at"_s, u"live_streams"_s, u"state"_s};

KeyRecord fullKey()
{
    KeyRecord k;
    k.id = 42;
    k.name = u"ci bot"_s;
    k.prefix = u"tg-AbCdEfG"_s;
    k.hash = QByteArray(32, 'h');
    k.allowedModels = {u"gpt-*"_s, u"claude-*"_s};
    k.ratePerMin = 60;
    k.tokensPerMin = 90000;
    k.monthlyCap = 25.5;
    k.hardCap = 300;
    k.runBudgetUsd = 0.75;
    k.spendMonth = 3.25;
    k.spendMonthKey = u"2026-03"_s;
    k.spendTotal = 10.125;
    k.createdAt = kT0;
    k.revoked = true;
    k.revokedAt = kT0.addSecs(3600);
    return k;
}

UsageRecord fullUsage()
{
    UsageRecord u;
    u.id = 7;
    u.time = kT0;
    u.requestId = u"req-1"_s;
    u.keyId = 42;
    u.runId = u"run-1"_s;
    u.stepId = u"3"_s;
    u.endpoint = u"/v1/chat/completions"_s;
    u.model = u"gpt-4o-mini"_s;
    u.provider = u"openai"_s;
    u.inputTokens = 1200;
    u.outputTokens = 340;
    u.cacheReadTokens = 56;
    u.cacheWriteTokens = 78;
    u.cost = 0.0125;
    u.savedCost = 0.5;
    u.cached = true;
    u.estimated = true;
    u.status = 200;
    u.error = u"rate_limited"_s;
    u.latencyMs = 812.5;
    u.overheadMs = 1.25;
    u.prompt = u"support"_s;
    u.promptVersion = 3;
    return u;
}

// RFC 4180: records of fields; quoted fields may hold commas, quotes ("")
// and line breaks.
QList<QStringList> parseCsv(const QByteArray &csv, QString *error)
{
    QList<QStringList> rows;
    QStringList row;
    QByteArray field;
    bool quoted = false;
    bool wasQuoted = false;
    for (qsizetype i = 0; i < csv.size(); ++i) {
        const char c = csv.at(i);
        if (quoted) {
            if (c == '"') {
                if (i + 1 < csv.size() && csv.at(i + 1) == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == '"') {
            if (!field.isEmpty() || wasQuoted) {
                *error = u"quote inside an unquoted field at byte %1"_s.arg(i);
                return {};
            }
            quoted = wasQuoted = true;
        } else if (c == ',') {
            row.append(QString::fromUtf8(field));
            field.clear();
            wasQuoted = false;
        } else if (c == '\r' && i + 1 < csv.size() && csv.at(i + 1) == '\n') {
            row.append(QString::fromUtf8(field));
            rows.append(row);
            row.clear();
            field.clear();
            wasQuoted = false;
            ++i;
        } else if (c == '\n' || c == '\r') {
            *error = u"bare line break outside quotes at byte %1"_s.arg(i);
            return {};
        } else {
            if (wasQuoted) {
                *error = u"text after a closing quote at byte %1"_s.arg(i);
                return {};
            }
            field += c;
        }
    }
    if (quoted)
        *error = u"unterminated quote"_s;
    if (!field.isEmpty() || !row.isEmpty()) {
        row.append(QString::fromUtf8(field));
        rows.append(row);
    }
    return rows;
}

} // namespace

class tst_AdminJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keyHasEveryContractField();
    void keyValues();
    void keyNeverShowsTheHash();
    void keyNotRevokedAndOldMonth();
    void usageHasEveryContractField();
    void usageValues();
    void usageAbsentValuesAreNull();
    void runHasEveryContractField();
    void runValues();
    void runStates_data();
    void runStates();
    void price();
    void times();
    void csvHeaderIsTheJsonFieldNames();
    void csvValues();
    void csvQuoting_data();
    void csvQuoting();
    void csvEmpty();
};

void tst_AdminJson::keyHasEveryContractField()
{
    const QJsonObject o = AdminJson::key(fullKey(), kT0);
    for (const QString &f : kKeyFields)
        QVERIFY2(o.contains(f), qPrintable(f));
    const QJsonObject fresh = AdminJson::key(KeyRecord(), kT0);
    for (const QString &f : kKeyFields)
        QVERIFY2(fresh.contains(f), qPrintable(f));
}

void tst_AdminJson::keyValues()
{
    const QJsonObject o = AdminJson::key(fullKey(), kT0.addDays(2));
    QCOMPARE(o.value(u"id").toInteger(), 42);
    QCOMPARE(o.value(u"name").toString(), u"ci bot"_s);
    QCOMPARE(o.value(u"prefix").toString(), u"tg-AbCdEfG"_s);
    QCOMPARE(o.value(u"allowed_models").toArray(), (QJsonArray{u"gpt-*"_s, u"claude-*"_s}));
    QCOMPARE(o.value(u"rate_per_min").toInteger(), 60);
    QCOMPARE(o.value(u"tokens_per_min").toInteger(), 90000);
    QCOMPARE(o.value(u"monthly_cap").toDouble(), 25.5);
    QCOMPARE(o.value(u"hard_cap").toDouble(), 300.0);
    QCOMPARE(o.value(u"run_budget_usd").toDouble(), 0.75);
    QCOMPARE(o.value(u"spend_month").toDouble(), 3.25);
    QCOMPARE(o.value(u"spend_total").toDouble(), 10.125);
    QCOMPARE(o.value(u"created_at").toString(), u"2026-03-14T15:09:26.535Z"_s);
    QCOMPARE(o.value(u"revoked").type(), QJsonValue::Bool);
    QVERIFY(o.value(u"revoked").toBool());
    QCOMPARE(o.value(u"revoked_at").toString(), u"2026-03-14T16:09:26.535Z"_s);
    for (const QString &f : {u"rate_per_min"_s, u"monthly_cap"_s, u"spend_total"_s, u"id"_s})
        QVERIFY2(o.value(f).isDouble(), qPrintable(f));
}

void tst_AdminJson::keyNeverShowsTheHash()
{
    const KeyRecord k = fullKey();
    const QJsonObject o = AdminJson::key(k, kT0);
    for (auto it = o.begin(); it != o.end(); ++it) {
        QVERIFY2(it.key() != u"hash", "hash field");
        if (it.value().isString()) {
            QVERIFY(!it.value().toString().contains(QString::fromLatin1(k.hash)));
            QVERIFY(!it.value().toString().contains(QString::fromLatin1(k.hash.toHex())));
        }
    }
}

void tst_AdminJson::keyNotRevokedAndOldMonth()
{
    KeyRecord k = fullKey();
    k.revoked = false;
    k.revokedAt = {};
    // Spend counted in March, seen in April: this month's spend is 0.
    const QJsonObject o = AdminJson::key(k, QDateTime(QDate(2026, 4, 1), QTime(0, 0), QTimeZone::utc()));
    QCOMPARE(o.value(u"revoked").toBool(true), false);
    QVERIFY(o.value(u"revoked_at").isNull());
    QCOMPARE(o.value(u"spend_month").toDouble(-1), 0.0);
    QCOMPARE(o.value(u"spend_total").toDouble(), 10.125);
    QVERIFY(AdminJson::key(KeyRecord(), kT0).value(u"allowed_models").isArray());
}

void tst_AdminJson::usageHasEveryContractField()
{
    const QJsonObject o = AdminJson::usage(fullUsage());
    for (const QString &f : kUsageContract)
        QVERIFY2(o.contains(f), qPrintable(f));
    const QJsonObject empty = AdminJson::usage(UsageRecord());
    for (const QString &f : kUsageContract)
        QVERIFY2(empty.contains(f), qPrintable(f));
}

void tst_AdminJson::usageValues()
{
    const QJsonObject o = AdminJson::usage(fullUsage());
    QCOMPARE(o.value(u"id").toInteger(), 7);
    QCOMPARE(o.value(u"time").toString(), u"2026-03-14T15:09:26.535Z"_s);
    QCOMPARE(o.value(u"request_id").toString(), u"req-1"_s);
    QCOMPARE(o.value(u"key_id").toInteger(), 42);
    QCOMPARE(o.value(u"run_id").toString(), u"run-1"_s);
    QCOMPARE(o.value(u"step_id").type(), QJsonValue::String);
    QCOMPARE(o.value(u"step_id").toString(), u"3"_s);
    QCOMPARE(o.value(u"endpoint").toString(), u"/v1/chat/completions"_s);
    QCOMPARE(o.value(u"model").toString(), u"gpt-4o-mini"_s);
    QCOMPARE(o.value(u"provider").toString(), u"openai"_s);
    QCOMPARE(o.value(u"input_tokens").toInteger(), 1200);
    QCOMPARE(o.value(u"output_tokens").toInteger(), 340);
    QCOMPARE(o.value(u"cache_read_tokens").toInteger(), 56);
    QCOMPARE(o.value(u"cache_write_tokens").toInteger(), 78);
    QCOMPARE(o.value(u"cost").toDouble(), 0.0125);
    QCOMPARE(o.value(u"saved_cost").toDouble(), 0.5);
    QCOMPARE(o.value(u"cached").type(), QJsonValue::Bool);
    QVERIFY(o.value(u"cached").toBool());
    QCOMPARE(o.value(u"estimated").type(), QJsonValue::Bool);
    QVERIFY(o.value(u"estimated").toBool());
    QCOMPARE(o.value(u"status").type(), QJsonValue::Double);
    QCOMPARE(o.value(u"status").toInt(), 200);
    QCOMPARE(o.value(u"error").toString(), u"rate_limited"_s);
    QCOMPARE(o.value(u"latency_ms").toDouble(), 812.5);
    QCOMPARE(o.value(u"overhead_ms").toDouble(), 1.25);
    QCOMPARE(o.value(u"prompt").toString(), u"support"_s);
    QCOMPARE(o.value(u"prompt_version").toInt(), 3);
}

void tst_AdminJson::usageAbsentValuesAreNull()
{
    UsageRecord u = fullUsage();
    u.keyId.reset();   // pass-through
    u.runId.clear();
    u.stepId.clear();
    u.error.clear();
    u.prompt.clear();
    u.cached = false;
    u.estimated = false;
    const QJsonObject o = AdminJson::usage(u);
    QCOMPARE(o.value(u"key_id").type(), QJsonValue::Null);
    QCOMPARE(o.value(u"run_id").type(), QJsonValue::Null);
    QCOMPARE(o.value(u"step_id").type(), QJsonValue::Null);
    QCOMPARE(o.value(u"error").type(), QJsonValue::Null);
    QCOMPARE(o.value(u"prompt").type(), QJsonValue::Null);
    QCOMPARE(o.value(u"prompt_version").type(), QJsonValue::Null);
    QCOMPARE(o.value(u"cached").type(), QJsonValue::Bool);
    QVERIFY(!o.value(u"cached").toBool(true));
    QVERIFY(!o.value(u"estimated").toBool(true));
}

void tst_AdminJson::runHasEveryContractField()
{
    RunRecord r;
    r.id = u"r"_s;
    const QJsonObject o = AdminJson::run(r, 0);
    for (const QString &f : kRunFields)
        QVERIFY2(o.contains(f), qPrintable(f));
}

void tst_AdminJson::runValues()
{
    RunRecord r;
    r.id = u"agent-task-9"_s;
    r.keyId = 42;
    r.calls = 12;
    r.inputTokens = 34000;
    r.outputTokens = 5600;
    r.spend = 0.875;
    r.budgetUsd = 2.5;
    r.timeBudgetS = 90;
    r.startedAt = kT0;
    r.lastCallAt = kT0.addSecs(30);
    const QJsonObject o = AdminJson::run(r, 2);
    QCOMPARE(o.value(u"id").toString(), u"agent-task-9"_s);
    QCOMPARE(o.value(u"key_id").toInteger(), 42);
    QCOMPARE(o.value(u"calls").toInteger(), 12);
    QCOMPARE(o.value(u"input_tokens").toInteger(), 34000);
    QCOMPARE(o.value(u"output_tokens").toInteger(), 5600);
    QCOMPARE(o.value(u"spend").toDouble(), 0.875);
    QCOMPARE(o.value(u"budget_usd").toDouble(), 2.5);
    QCOMPARE(o.value(u"time_budget_s").toDouble(), 90.0);
    QCOMPARE(o.value(u"started_at").toString(), u"2026-03-14T15:09:26.535Z"_s);
    QCOMPARE(o.value(u"last_call_at").toString(), u"2026-03-14T15:09:56.535Z"_s);
    QCOMPARE(o.value(u"live_streams").toInt(), 2);
    QCOMPARE(o.value(u"state").toString(), u"active"_s);

    r.keyId.reset();
    QVERIFY(AdminJson::run(r, 0).value(u"key_id").isNull());
}

void tst_AdminJson::runStates_data()
{
    QTest::addColumn<RunRecord::State>("state");
    QTest::addColumn<QString>("name");
    QTest::newRow("active") << RunRecord::State::Active << u"active"_s;
    QTest::newRow("killed") << RunRecord::State::Killed << u"killed"_s;
    QTest::newRow("budget_exceeded") << RunRecord::State::BudgetExceeded << u"budget_exceeded"_s;
}

void tst_AdminJson::runStates()
{
    QFETCH(RunRecord::State, state);
    QFETCH(QString, name);
    RunRecord r;
    r.state = state;
    QCOMPARE(AdminJson::run(r, 0).value(u"state").toString(), name);
}

void tst_AdminJson::price()
{
    Price p;
    p.inputPerMTok = 3;
    p.outputPerMTok = 15;
    QJsonObject o = AdminJson::price(p);
    QCOMPARE(o.value(u"input_per_mtok").toDouble(), 3.0);
    QCOMPARE(o.value(u"output_per_mtok").toDouble(), 15.0);
    QVERIFY(!o.contains(u"cache_read_per_mtok"));
    QVERIFY(!o.contains(u"cache_write_per_mtok"));

    p.cacheReadPerMTok = 0.3;
    p.cacheWritePerMTok = 3.75;
    o = AdminJson::price(p);
    QCOMPARE(o.value(u"cache_read_per_mtok").toDouble(), 0.3);
    QCOMPARE(o.value(u"cache_write_per_mtok").toDouble(), 3.75);
    QCOMPARE(o.size(), 4);

    p.cacheReadPerMTok = 0.0;   // free cache reads are a price, not an absent one
    QCOMPARE(AdminJson::price(p).value(u"cache_read_per_mtok").toDouble(-1), 0.0);
}

void tst_AdminJson::times()
{
    // Any zone in, UTC out.
    const QDateTime local(QDate(2026, 3, 14), QTime(17, 9, 26, 535), QTimeZone(2 * 3600));
    QCOMPARE(AdminJson::time(local), u"2026-03-14T15:09:26.535Z"_s);
    QCOMPARE(AdminJson::time(kT0), u"2026-03-14T15:09:26.535Z"_s);
    QVERIFY(QDateTime::fromString(AdminJson::time(kT0), Qt::ISODateWithMs) == kT0);
}

void tst_AdminJson::csvHeaderIsTheJsonFieldNames()
{
    const QByteArray csv = AdminJson::usageCsv({});
    QVERIFY(csv.endsWith("\r\n"));
    const QByteArray header = csv.left(csv.indexOf("\r\n"));
    const QStringList names = QString::fromUtf8(header).split(u',');
    QCOMPARE(names, AdminJson::kUsageFields);
    // The same names as the JSON record, no more, no fewer.
    const QStringList jsonKeys = AdminJson::usage(fullUsage()).keys();
    QCOMPARE(QSet<QString>(names.begin(), names.end()), QSet<QString>(jsonKeys.begin(), jsonKeys.end()));
    QCOMPARE(names.size(), jsonKeys.size());
    for (const QString &f : kUsageContract)
        QVERIFY2(names.contains(f), qPrintable(f));
}

void tst_AdminJson::csvValues()
{
    UsageRecord pass = fullUsage();
    pass.keyId.reset();
    pass.error.clear();
    pass.cached = false;
    QString error;
    const QList<QStringList> rows = parseCsv(AdminJson::usageCsv({fullUsage(), pass}), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 3);
    const QStringList &header = rows.at(0);
    for (int r = 1; r < rows.size(); ++r)
        QCOMPARE(rows.at(r).size(), header.size());
    const auto cell = [&](int row, const QString &field) { return rows.at(row).at(header.indexOf(field)); };
    QCOMPARE(cell(1, u"id"_s), u"7"_s);
    QCOMPARE(cell(1, u"time"_s), u"2026-03-14T15:09:26.535Z"_s);
    QCOMPARE(cell(1, u"key_id"_s), u"42"_s);
    QCOMPARE(cell(1, u"step_id"_s), u"3"_s);
    QCOMPARE(cell(1, u"input_tokens"_s), u"1200"_s);
    QCOMPARE(cell(1, u"cost"_s).toDouble(), 0.0125);
    QCOMPARE(cell(1, u"latency_ms"_s).toDouble(), 812.5);
    QCOMPARE(cell(1, u"cached"_s), u"true"_s);
    QCOMPARE(cell(1, u"status"_s), u"200"_s);
    QCOMPARE(cell(1, u"error"_s), u"rate_limited"_s);
    QCOMPARE(cell(1, u"prompt_version"_s), u"3"_s);
    QCOMPARE(cell(2, u"key_id"_s), QString());
    QCOMPARE(cell(2, u"error"_s), QString());
    QCOMPARE(cell(2, u"cached"_s), u"false"_s);

    // Money keeps its precision.
    UsageRecord tiny = fullUsage();
    tiny.cost = 0.000123456789;
    const QList<QStringList> tinyRows = parseCsv(AdminJson::usageCsv({tiny}), &error);
    QVERIFY(qAbs(tinyRows.at(1).at(header.indexOf(u"cost"_s)).toDouble() - 0.000123456789) < 1e-15);
}

void tst_AdminJson::csvQuoting_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("encoded");   // as it must appear in the CSV

    QTest::newRow("plain") << u"gpt-4o"_s << QByteArray(",gpt-4o,");
    QTest::newRow("comma") << u"a,b"_s << QByteArray(",\"a,b\",");
    QTest::newRow("quote") << u"say \"hi\""_s << QByteArray(",\"say \"\"hi\"\"\",");
    QTest::newRow("newline") << u"line1\nline2"_s << QByteArray(",\"line1\nline2\",");
    QTest::newRow("crlf") << u"line1\r\nline2"_s << QByteArray(",\"line1\r\nline2\",");
    QTest::newRow("everything") << u"a,\"b\"\nc"_s << QByteArray(",\"a,\"\"b\"\"\nc\",");
    QTest::newRow("unicode") << u"modèle-ä"_s << QByteArray(",modèle-ä,");
}

void tst_AdminJson::csvQuoting()
{
    QFETCH(QString, value);
    QFETCH(QByteArray, encoded);
    UsageRecord u = fullUsage();
    u.model = value;
    u.runId = value;
    u.error = value;
    u.prompt = value;
    const QByteArray csv = AdminJson::usageCsv({u, fullUsage()});
    QVERIFY2(csv.contains(encoded), csv.constData());

    QString error;
    const QList<QStringList> rows = parseCsv(csv, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 3);
    const QStringList &header = rows.at(0);
    QCOMPARE(rows.at(1).size(), header.size());
    QCOMPARE(rows.at(2).size(), header.size());
    for (const QString &f : {u"model"_s, u"run_id"_s, u"error"_s, u"prompt"_s})
        QCOMPARE(rows.at(1).at(header.indexOf(f)), value);
    QCOMPARE(rows.at(2).at(header.indexOf(u"model"_s)), u"gpt-4o-mini"_s);
}

void tst_AdminJson::csvEmpty()
{
    const QByteArray csv = AdminJson::usageCsv({});
    QCOMPARE(csv.count("\r\n"), 1);
    QCOMPARE(csv, AdminJson::kUsageFields.join(u',').toUtf8() + "\r\n");
}

QTEST_GUILESS_MAIN(tst_AdminJson)
#include "tst_adminjson.moc"
