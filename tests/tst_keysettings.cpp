// tollgate-test-links: tollgate_admin
//
// The key settings of POST /admin/keys and PATCH /admin/keys/{id}: every
// field is read into the key; a negative, non-finite, fractional (where a
// count is meant) or wrongly typed value, or an unknown field, is refused
// with a message naming the field, and a refused body changes nothing;
// a name is required to create a key, and a PATCH changes only what it names.
// Prices for PUT /admin/prices/{model} follow the same rules.

#include "admin/keysettings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

QJsonObject json(const char *text)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad test JSON: %s", text);
    return doc.object();
}

KeyRecord existing()
{
    KeyRecord k;
    k.id = 5;
    k.name = u"existing"_s;
    k.prefix = u"tg-AbCdEfG"_s;
    k.allowedModels = {u"gpt-*"_s};
    k.ratePerMin = 60;
    k.tokensPerMin = 100000;
    k.monthlyCap = 50;
    k.hardCap = 500;
    k.runBudgetUsd = 2;
    k.cacheEnabled = true;
    k.spendTotal = 12.5;
    return k;
}

bool same(const KeyRecord &a, const KeyRecord &b)
{
    return a.id == b.id && a.name == b.name && a.prefix == b.prefix && a.allowedModels == b.allowedModels
        && a.ratePerMin == b.ratePerMin && a.tokensPerMin == b.tokensPerMin && a.monthlyCap == b.monthlyCap
        && a.hardCap == b.hardCap && a.runBudgetUsd == b.runBudgetUsd && a.cacheEnabled == b.cacheEnabled
        && a.spendTotal == b.spendTotal;
}

} // namespace

class tst_KeySettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createWithEveryField();
    void createWithNameOnly();
    void zeroAndNullMeanUnlimited();
    void refused_data();
    void refused();
    void nonFiniteRefused_data();
    void nonFiniteRefused();
    void patchIsPartial_data();
    void patchIsPartial();
    void price_data();
    void price();
};

void tst_KeySettings::createWithEveryField()
{
    KeyRecord k;
    QString error;
    QVERIFY2(KeySettings::apply(json(R"({"name": "  ci bot  ", "allowed_models": ["gpt-4o*", "claude-*"],
                                         "rate_per_min": 30, "tokens_per_min": 40000, "monthly_cap": 25.5,
                                         "hard_cap": 300, "run_budget_usd": 0.75, "cache_enabled": false})"),
                                &k, true, &error),
             qPrintable(error));
    QCOMPARE(k.name, u"ci bot"_s);
    QCOMPARE(k.allowedModels, (QStringList{u"gpt-4o*"_s, u"claude-*"_s}));
    QCOMPARE(k.ratePerMin, 30);
    QCOMPARE(k.tokensPerMin, 40000);
    QCOMPARE(k.monthlyCap, 25.5);
    QCOMPARE(k.hardCap, 300.0);
    QCOMPARE(k.runBudgetUsd, 0.75);
    QCOMPARE(k.cacheEnabled, false);
}

void tst_KeySettings::createWithNameOnly()
{
    KeyRecord k;
    QString error;
    QVERIFY2(KeySettings::apply(json(R"({"name": "n"})"), &k, true, &error), qPrintable(error));
    QCOMPARE(k.name, u"n"_s);
    QVERIFY(k.allowedModels.isEmpty());
    QCOMPARE(k.ratePerMin, 0);
    QCOMPARE(k.tokensPerMin, 0);
    QCOMPARE(k.monthlyCap, 0.0);
    QCOMPARE(k.hardCap, 0.0);
    QCOMPARE(k.runBudgetUsd, 0.0);
    QVERIFY(k.cacheEnabled);
}

void tst_KeySettings::zeroAndNullMeanUnlimited()
{
    KeyRecord k = existing();
    QString error;
    QVERIFY2(KeySettings::apply(json(R"({"rate_per_min": 0, "tokens_per_min": null, "monthly_cap": 0,
                                         "hard_cap": null, "run_budget_usd": 0, "allowed_models": null})"),
                                &k, false, &error),
             qPrintable(error));
    QCOMPARE(k.ratePerMin, 0);
    QCOMPARE(k.tokensPerMin, 0);
    QCOMPARE(k.monthlyCap, 0.0);
    QCOMPARE(k.hardCap, 0.0);
    QCOMPARE(k.runBudgetUsd, 0.0);
    QVERIFY(k.allowedModels.isEmpty());
    QCOMPARE(k.name, u"existing"_s);

    k = existing();
    QVERIFY(KeySettings::apply(json(R"({"allowed_models": []})"), &k, false, &error));
    QVERIFY(k.allowedModels.isEmpty());
}

void tst_KeySettings::refused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("creating");
    QTest::addColumn<QString>("field");   // must appear in the message

    const char *limits[] = {"rate_per_min", "tokens_per_min", "monthly_cap", "hard_cap", "run_budget_usd"};
    for (const char *f : limits) {
        const QByteArray name(f);
        const auto row = [&](const char *what, const QByteArray &value) {
            QTest::addRow("%s %s", f, what)
                << QByteArray(R"({"name": "k", ")" + name + R"(": )" + value + "}") << true
                << QString::fromLatin1(name);
            QTest::addRow("%s %s (PATCH)", f, what)
                << QByteArray(R"({")" + name + R"(": )" + value + "}") << false << QString::fromLatin1(name);
        };
        row("negative", "-1");
        row("small negative", "-0.0001");
        row("string", R"("10")");
        row("bool", "true");
        row("array", "[5]");
        row("object", R"({"value": 5})");
    }
    for (const char *f : {"rate_per_min", "tokens_per_min"}) {
        QTest::addRow("%s fractional", f) << QByteArray(R"({"name": "k", ")" + QByteArray(f) + R"(": 2.5})")
                                           << true << QString::fromLatin1(f);
        QTest::addRow("%s too large", f) << QByteArray(R"({"name": "k", ")" + QByteArray(f) + R"(": 1e30})")
                                          << true << QString::fromLatin1(f);
    }

    QTest::newRow("name missing on create") << QByteArray(R"({"rate_per_min": 5})") << true << u"name"_s;
    QTest::newRow("empty body on create") << QByteArray("{}") << true << u"name"_s;
    QTest::newRow("name empty") << QByteArray(R"({"name": ""})") << true << u"name"_s;
    QTest::newRow("name blank") << QByteArray(R"({"name": "   "})") << false << u"name"_s;
    QTest::newRow("name number") << QByteArray(R"({"name": 5})") << true << u"name"_s;
    QTest::newRow("name null") << QByteArray(R"({"name": null})") << false << u"name"_s;
    QTest::newRow("allowed_models string")
        << QByteArray(R"({"name": "k", "allowed_models": "gpt-4o"})") << true << u"allowed_models"_s;
    QTest::newRow("allowed_models number item")
        << QByteArray(R"({"name": "k", "allowed_models": ["gpt-4o", 5]})") << true << u"allowed_models"_s;
    QTest::newRow("allowed_models empty item")
        << QByteArray(R"({"allowed_models": [""]})") << false << u"allowed_models"_s;
    QTest::newRow("cache_enabled string")
        << QByteArray(R"({"name": "k", "cache_enabled": "false"})") << true << u"cache_enabled"_s;
    QTest::newRow("cache_enabled number") << QByteArray(R"({"cache_enabled": 0})") << false << u"cache_enabled"_s;
    QTest::newRow("unknown field") << QByteArray(R"({"name": "k", "monthly_budget": 5})") << true
                                   << u"monthly_budget"_s;
    QTest::newRow("unknown field on PATCH") << QByteArray(R"({"rpm": 5})") << false << u"rpm"_s;
    QTest::newRow("read-only field") << QByteArray(R"({"spend_total": 0})") << false << u"spend_total"_s;
    QTest::newRow("id is not a setting") << QByteArray(R"({"id": 9})") << false << u"id"_s;
    QTest::newRow("good fields do not excuse a bad one")
        << QByteArray(R"({"name": "new", "rate_per_min": 10, "hard_cap": -5, "monthly_cap": 3})") << false
        << u"hard_cap"_s;
}

void tst_KeySettings::refused()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, creating);
    QFETCH(QString, field);

    const KeyRecord before = creating ? KeyRecord() : existing();
    KeyRecord k = before;
    QString error;
    QVERIFY(!KeySettings::apply(json(body.constData()), &k, creating, &error));
    QVERIFY2(error.contains(u"'"_s + field + u"'"_s), qPrintable(error));
    // A refused body changes nothing.
    QVERIFY(same(k, before));
}

void tst_KeySettings::nonFiniteRefused_data()
{
    // Not expressible in JSON text, but a QJsonObject built in code can hold them.
    QTest::addColumn<QString>("field");
    QTest::addColumn<double>("value");
    for (const char *f : {"rate_per_min", "tokens_per_min", "monthly_cap", "hard_cap", "run_budget_usd"}) {
        QTest::addRow("%s NaN", f) << QString::fromLatin1(f) << std::numeric_limits<double>::quiet_NaN();
        QTest::addRow("%s +inf", f) << QString::fromLatin1(f) << std::numeric_limits<double>::infinity();
        QTest::addRow("%s -inf", f) << QString::fromLatin1(f) << -std::numeric_limits<double>::infinity();
    }
}

void tst_KeySettings::nonFiniteRefused()
{
    QFETCH(QString, field);
    QFETCH(double, value);
    const QJsonValue v(value);
    if (v.isNull())
        QSKIP("this Qt stores a non-finite double as null, which means unlimited");
    KeyRecord k = existing();
    QString error;
    QVERIFY(!KeySettings::apply(QJsonObject{{field, v}}, &k, false, &error));
    QVERIFY2(error.contains(field), qPrintable(error));
    QVERIFY(same(k, existing()));
}

void tst_KeySettings::patchIsPartial_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("changed");   // the one field expected to differ

    QTest::newRow("nothing") << QByteArray("{}") << QString();
    QTest::newRow("name") << QByteArray(R"({"name": "renamed"})") << u"name"_s;
    QTest::newRow("allowed_models") << QByteArray(R"({"allowed_models": ["o3*"]})") << u"allowed_models"_s;
    QTest::newRow("rate_per_min") << QByteArray(R"({"rate_per_min": 7})") << u"rate_per_min"_s;
    QTest::newRow("tokens_per_min") << QByteArray(R"({"tokens_per_min": 8})") << u"tokens_per_min"_s;
    QTest::newRow("monthly_cap") << QByteArray(R"({"monthly_cap": 9.5})") << u"monthly_cap"_s;
    QTest::newRow("hard_cap") << QByteArray(R"({"hard_cap": 10.5})") << u"hard_cap"_s;
    QTest::newRow("run_budget_usd") << QByteArray(R"({"run_budget_usd": 0.25})") << u"run_budget_usd"_s;
    QTest::newRow("cache_enabled") << QByteArray(R"({"cache_enabled": false})") << u"cache_enabled"_s;
}

void tst_KeySettings::patchIsPartial()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, changed);

    const KeyRecord before = existing();
    KeyRecord k = before;
    QString error;
    QVERIFY2(KeySettings::apply(json(body.constData()), &k, false, &error), qPrintable(error));

    QCOMPARE(k.id, before.id);
    QCOMPARE(k.prefix, before.prefix);
    QCOMPARE(k.spendTotal, before.spendTotal);
    QCOMPARE(k.name, changed == u"name" ? u"renamed"_s : before.name);
    QCOMPARE(k.allowedModels, changed == u"allowed_models" ? QStringList{u"o3*"_s} : before.allowedModels);
    QCOMPARE(k.ratePerMin, changed == u"rate_per_min" ? 7 : before.ratePerMin);
    QCOMPARE(k.tokensPerMin, changed == u"tokens_per_min" ? 8 : before.tokensPerMin);
    QCOMPARE(k.monthlyCap, changed == u"monthly_cap" ? 9.5 : before.monthlyCap);
    QCOMPARE(k.hardCap, changed == u"hard_cap" ? 10.5 : before.hardCap);
    QCOMPARE(k.runBudgetUsd, changed == u"run_budget_usd" ? 0.25 : before.runBudgetUsd);
    QCOMPARE(k.cacheEnabled, changed == u"cache_enabled" ? false : before.cacheEnabled);
}

void tst_KeySettings::price_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("field");   // named in the error, when refused

    QTest::newRow("input and output")
        << QByteArray(R"({"input_per_mtok": 0.15, "output_per_mtok": 0.6})") << true << QString();
    QTest::newRow("with cache prices")
        << QByteArray(R"({"input_per_mtok": 3, "output_per_mtok": 15, "cache_read_per_mtok": 0.3,
                          "cache_write_per_mtok": 3.75})")
        << true << QString();
    QTest::newRow("free") << QByteArray(R"({"input_per_mtok": 0, "output_per_mtok": 0})") << true << QString();
    QTest::newRow("output missing") << QByteArray(R"({"input_per_mtok": 1})") << false << u"output_per_mtok"_s;
    QTest::newRow("input missing") << QByteArray(R"({"output_per_mtok": 1})") << false << u"input_per_mtok"_s;
    QTest::newRow("negative") << QByteArray(R"({"input_per_mtok": -1, "output_per_mtok": 1})") << false
                              << u"input_per_mtok"_s;
    QTest::newRow("string") << QByteArray(R"({"input_per_mtok": 1, "output_per_mtok": "2"})") << false
                            << u"output_per_mtok"_s;
    QTest::newRow("negative cache read")
        << QByteArray(R"({"input_per_mtok": 1, "output_per_mtok": 1, "cache_read_per_mtok": -0.1})") << false
        << u"cache_read_per_mtok"_s;
    QTest::newRow("unknown") << QByteArray(R"({"input_per_mtok": 1, "output_per_mtok": 1, "per_call": 1})")
                             << false << u"per_call"_s;
}

void tst_KeySettings::price()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(QString, field);
    const QJsonObject o = json(body.constData());
    Price p;
    p.inputPerMTok = 99;
    QString error;
    QCOMPARE(KeySettings::parsePrice(o, &p, &error), ok);
    if (!ok) {
        QVERIFY2(error.contains(field), qPrintable(error));
        QCOMPARE(p.inputPerMTok, 99.0);
        return;
    }
    QCOMPARE(p.inputPerMTok, o.value(u"input_per_mtok").toDouble());
    QCOMPARE(p.outputPerMTok, o.value(u"output_per_mtok").toDouble());
    QCOMPARE(p.cacheReadPerMTok.has_value(), o.contains(u"cache_read_per_mtok"));
    QCOMPARE(p.cacheWritePerMTok.has_value(), o.contains(u"cache_write_per_mtok"));
    if (p.cacheReadPerMTok)
        QCOMPARE(*p.cacheReadPerMTok, o.value(u"cache_read_per_mtok").toDouble());
    if (p.cacheWritePerMTok)
        QCOMPARE(*p.cacheWritePerMTok, o.value(u"cache_write_per_mtok").toDouble());
}

QTEST_GUILESS_MAIN(tst_KeySettings)
#include "tst_keysettings.moc"
