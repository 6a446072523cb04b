// tollgate-test-links: tollgate_ui
// The item models of the prompts, providers, usage and settings pages, each
// run under QAbstractItemModelTester through resets, inserts and edits,
// with in-memory data (a GatewayClient that is not attached does nothing).

#include "gatewayclient.h"
#include "pricesmodel.h"
#include "promptdiffmodel.h"
#include "promptsmodel.h"
#include "promptvariablesmodel.h"
#include "promptversionsmodel.h"
#include "providersmodel.h"
#include "usagemodel.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

PromptRecord prompt(const QString &name, int versions, int active)
{
    PromptRecord p;
    p.name = name;
    p.activeVersion = active;
    for (int v = 1; v <= versions; ++v)
        p.versions.append(PromptVersion{v, u"%1 v%2 for {{user}}"_s.arg(name).arg(v),
                                        QDateTime(QDate(2026, 1, v), QTime(9, 0), Qt::UTC)});
    return p;
}

UsageRecord usage(const QString &requestId, const QString &model, const QString &run, const QString &error = {})
{
    UsageRecord r;
    r.time = QDateTime::currentDateTimeUtc();
    r.requestId = requestId;
    r.keyId = 7;
    r.runId = run;
    r.stepId = u"1"_s;
    r.model = model;
    r.provider = u"sim"_s;
    r.inputTokens = 120;
    r.outputTokens = 24;
    r.cost = 0.0012;
    r.status = error.isEmpty() ? 200 : 404;
    r.error = error;
    r.governed = true;
    return r;
}

} // namespace

class TstUiPageModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void promptsAndVersions();
    void diffPairsChangedLines();
    void variablesKeepValues();
    void providers();
    void prices();
    void pricesRejectBadNumbers_data();
    void pricesRejectBadNumbers();
    void usageLiveRows();
    void usageMatches();
};

void TstUiPageModels::promptsAndVersions()
{
    GatewayClient client;
    PromptsModel prompts(&client);
    QAbstractItemModelTester t1(&prompts, QAbstractItemModelTester::FailureReportingMode::QtTest);
    PromptVersionsModel versions(&prompts);
    QAbstractItemModelTester t2(&versions, QAbstractItemModelTester::FailureReportingMode::QtTest);

    prompts.reset({prompt(u"greet"_s, 2, 1), prompt(u"triage"_s, 1, 1)});
    QCOMPARE(prompts.rowCount(), 2);
    QCOMPARE(prompts.index(0, PromptsModel::Active).data().toString(), u"v1"_s);

    versions.setTemplateName(u"greet"_s);
    QCOMPARE(versions.rowCount(), 2);
    QCOMPARE(versions.versionAt(0), 2);   // newest first
    QVERIFY(versions.index(1, 0).data(PromptVersionsModel::ActiveRole).toBool());
    QVERIFY(versions.index(0, PromptVersionsModel::Active).data().toString().isEmpty());
    QCOMPARE(versions.previousVersion(), 0);

    // A third version and a new active one: one row inserted on top, the marker moves.
    QSignalSpy inserted(&versions, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&versions, &QAbstractItemModel::modelReset);
    prompts.reset({prompt(u"greet"_s, 3, 3), prompt(u"triage"_s, 1, 1)});
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(versions.rowCount(), 3);
    QCOMPARE(versions.versionAt(0), 3);
    QVERIFY(versions.index(0, 0).data(PromptVersionsModel::ActiveRole).toBool());
    QVERIFY(!versions.index(2, 0).data(PromptVersionsModel::ActiveRole).toBool());
    QCOMPARE(versions.previousVersion(), 2);

    // A new template changes the list of names: a reset, and the selection follows by name.
    prompts.reset({prompt(u"alpha"_s, 1, 1), prompt(u"greet"_s, 3, 2), prompt(u"triage"_s, 1, 1)});
    QCOMPARE(prompts.rowOfName(u"greet"_s), 1);
    QCOMPARE(versions.rowCount(), 3);
    QCOMPARE(versions.activeVersion(), 2);

    prompts.reset({});
    QCOMPARE(versions.rowCount(), 0);
}

void TstUiPageModels::diffPairsChangedLines()
{
    PromptDiffModel diff;
    QAbstractItemModelTester tester(&diff, QAbstractItemModelTester::FailureReportingMode::QtTest);
    diff.setDiff(TextDiff::compare(u"one\ntwo\nthree\n"_s, u"one\n2\nthree\nfour\n"_s));
    QCOMPARE(diff.deletions(), 1);
    QCOMPARE(diff.insertions(), 2);
    QCOMPARE(diff.rowCount(), 4);
    // "two" replaced by "2" reads across one row.
    QCOMPARE(diff.index(1, PromptDiffModel::OldText).data().toString(), u"two"_s);
    QCOMPARE(diff.index(1, PromptDiffModel::OldText).data(PromptDiffModel::OpRole).toString(), u"delete"_s);
    QCOMPARE(diff.index(1, PromptDiffModel::NewText).data().toString(), u"2"_s);
    QCOMPARE(diff.index(1, PromptDiffModel::NewText).data(PromptDiffModel::OpRole).toString(), u"insert"_s);
    QCOMPARE(diff.index(1, PromptDiffModel::OldText).data(Qt::BackgroundRole).value<QBrush>().color(),
             PromptDiffModel::deleteColor());
    QCOMPARE(diff.index(1, PromptDiffModel::NewText).data(Qt::BackgroundRole).value<QBrush>().color(),
             PromptDiffModel::insertColor());
    // An added line has nothing on the old side.
    QCOMPARE(diff.index(3, PromptDiffModel::NewText).data().toString(), u"four"_s);
    QVERIFY(!diff.index(3, PromptDiffModel::OldText).data().isValid());
    QCOMPARE(diff.index(0, PromptDiffModel::OldText).data(PromptDiffModel::OpRole).toString(), u"equal"_s);
    QVERIFY(!diff.index(0, PromptDiffModel::OldText).data(Qt::BackgroundRole).isValid());
    diff.clear();
    QCOMPARE(diff.rowCount(), 0);
}

void TstUiPageModels::variablesKeepValues()
{
    PromptVariablesModel vars;
    QAbstractItemModelTester tester(&vars, QAbstractItemModelTester::FailureReportingMode::QtTest);
    vars.setTemplateText(u"Hi {{user}} from {{ city }}, {{user}}"_s);
    QCOMPARE(vars.names(), (QStringList{u"user"_s, u"city"_s}));
    QVERIFY(vars.flags(vars.index(0, PromptVariablesModel::Value)) & Qt::ItemIsEditable);
    QVERIFY(!(vars.flags(vars.index(0, PromptVariablesModel::Name)) & Qt::ItemIsEditable));
    QVERIFY(vars.setData(vars.index(0, PromptVariablesModel::Value), u"Ada"_s));
    QVERIFY(!vars.setData(vars.index(0, PromptVariablesModel::Name), u"x"_s));
    vars.setTemplateText(u"Bye {{city}}"_s);
    QCOMPARE(vars.rowCount(), 1);
    vars.setTemplateText(u"Back {{user}}"_s);
    QCOMPARE(vars.variables().value(u"user"_s), u"Ada"_s);
}

void TstUiPageModels::providers()
{
    GatewayClient client;
    ProvidersModel model(&client);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    GatewayClient::ProviderInfo openai{u"openai"_s, u"openai"_s, u"https://api.openai.com/v1"_s, {u"gpt-*"_s},
                                       false, u"connection refused"_s, -1, u"open"_s};
    GatewayClient::ProviderInfo sim{u"sim"_s, u"sim"_s, {}, {u"sim-*"_s}, true, {}, 12.4, u"closed"_s};
    model.reset({openai, sim});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, ProvidersModel::Health).data().toString(), u"failing"_s);
    QVERIFY(model.index(0, ProvidersModel::Health).data(Qt::BackgroundRole).isValid());
    QCOMPARE(model.index(0, ProvidersModel::LastError).data().toString(), u"connection refused"_s);
    QCOMPARE(model.index(1, ProvidersModel::Latency).data().toString(), u"12 ms"_s);
    // The same providers again: updated in place, no reset.
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    sim.latencyMs = 30;
    model.reset({openai, sim});
    QCOMPARE(resets.size(), 0);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.index(1, ProvidersModel::Latency).data().toString(), u"30 ms"_s);
    model.reset({sim});
    QCOMPARE(resets.size(), 1);
}

void TstUiPageModels::prices()
{
    GatewayClient client;
    PricesModel model(&client);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setFilterKeyColumn(PricesModel::Model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    GatewayClient::PriceTable table;
    table.prices.insert(u"gpt-4o-mini"_s, Price{0.15, 0.6, 0.075, std::nullopt});
    table.prices.insert(u"claude-haiku"_s, Price{1, 5, std::nullopt, std::nullopt});
    table.unpricedSeen = {u"llama3:8b"_s, u"gpt-4o-mini"_s};   // priced since: not unpriced
    model.reset(table);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, PricesModel::Model).data().toString(), u"llama3:8b"_s);   // needs a price: first
    QVERIFY(model.isUnpriced(0));
    QCOMPARE(model.unpricedCount(), 1);
    QVERIFY(model.index(0, PricesModel::Input).data(Qt::BackgroundRole).isValid());
    QVERIFY(model.index(0, PricesModel::Model).data(Qt::DecorationRole).isValid());
    QCOMPARE(model.index(0, PricesModel::Input).data().toString(), u"not set"_s);
    const int mini = model.rowOfModel(u"gpt-4o-mini"_s);
    QVERIFY(!model.index(mini, PricesModel::Input).data(Qt::BackgroundRole).isValid());
    QCOMPARE(model.index(mini, PricesModel::CacheRead).data(Qt::EditRole).toString(), QLocale().toString(0.075));
    QCOMPARE(model.index(mini, PricesModel::CacheWrite).data(Qt::EditRole).toString(), QString());

    // Editing the unpriced row prices it.
    QVERIFY(model.setData(model.index(0, PricesModel::Input), QLocale().toString(0.2)));
    QVERIFY(!model.isUnpriced(0));
    QCOMPARE(model.priceOf(u"llama3:8b"_s)->inputPerMTok, 0.2);
    QCOMPARE(model.priceOf(u"llama3:8b"_s)->outputPerMTok, 0.0);
    // An emptied cache price falls back to the input price.
    QVERIFY(model.setData(model.index(mini, PricesModel::CacheRead), QString()));
    QVERIFY(!model.priceOf(u"gpt-4o-mini"_s)->cacheReadPerMTok);

    const int added = model.addModel(u"qwen2.5"_s);
    QCOMPARE(added, 0);
    QVERIFY(model.isUnpriced(added));
    QCOMPARE(model.addModel(u"qwen2.5"_s), added);
    model.reset(table);   // a reload keeps the added row until it is priced
    QVERIFY(model.rowOfModel(u"qwen2.5"_s) >= 0);

    proxy.setFilterFixedString(u"gpt"_s);
    QCOMPARE(proxy.rowCount(), 1);
}

void TstUiPageModels::pricesRejectBadNumbers_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");
    QTest::newRow("negative") << int(PricesModel::Input) << u"-1"_s;
    QTest::newRow("word") << int(PricesModel::Output) << u"cheap"_s;
    QTest::newRow("infinite") << int(PricesModel::Output) << u"inf"_s;
    QTest::newRow("empty input") << int(PricesModel::Input) << QString();
}

void TstUiPageModels::pricesRejectBadNumbers()
{
    QFETCH(int, column);
    QFETCH(QString, text);
    GatewayClient client;
    PricesModel model(&client);
    GatewayClient::PriceTable table;
    table.prices.insert(u"m"_s, Price{1, 2, std::nullopt, std::nullopt});
    model.reset(table);
    QSignalSpy rejected(&model, &PricesModel::rejected);
    QVERIFY(!model.setData(model.index(0, column), text));
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(*model.priceOf(u"m"_s), (Price{1, 2, std::nullopt, std::nullopt}));
}

void TstUiPageModels::usageLiveRows()
{
    GatewayClient client;
    UsageModel model(&client);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(UsageModel::SortRole);
    proxy.sort(UsageModel::Cost);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.reset({usage(u"r2"_s, u"sim-small"_s, u"run-a"_s), usage(u"r1"_s, u"sim-small"_s, u"run-a"_s)});
    QCOMPARE(model.rowCount(), 2);

    Store::UsageQuery q;
    q.runId = u"run-a"_s;
    q.limit = 3;
    model.setQuery(q);   // no gateway: the rows stay until an answer comes
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    UsageRecord ungoverned = usage(u"r5"_s, u"sim-small"_s, u"run-a"_s);
    ungoverned.governed = false;
    // One batch: one insert of the matching rows, newest on top; the duplicate is ignored.
    model.addFinished({usage(u"r3"_s, u"sim-small"_s, u"run-a"_s), usage(u"x"_s, u"sim-small"_s, u"run-b"_s),
                       usage(u"r4"_s, u"sim-large"_s, u"run-a"_s, u"rate_limited"_s), ungoverned,
                       usage(u"r2"_s, u"sim-small"_s, u"run-a"_s)});
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(), 3);   // the limit drops the oldest
    QCOMPARE(model.index(0, 0).data(UsageModel::RequestIdRole).toString(), u"r4"_s);
    QCOMPARE(model.index(1, 0).data(UsageModel::RequestIdRole).toString(), u"r3"_s);
    QVERIFY(model.index(0, 0).data(UsageModel::IsErrorRole).toBool());
    QCOMPARE(model.index(0, UsageModel::Error).data().toString(), u"rate_limited"_s);
    QVERIFY(model.index(0, UsageModel::Status).data(Qt::BackgroundRole).isValid());
    QCOMPARE(model.index(0, UsageModel::RunStep).data().toString(), u"run-a / 1"_s);
    QCOMPARE(model.index(0, UsageModel::Key).data().toString(), u"#7"_s);

    model.setLive(false);
    model.addFinished({usage(u"r6"_s, u"sim-small"_s, u"run-a"_s)});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.size(), 1);
}

void TstUiPageModels::usageMatches()
{
    const UsageRecord r = usage(u"r"_s, u"sim-small"_s, u"run-a"_s);
    Store::UsageQuery q;
    QVERIFY(UsageModel::matches(q, r));
    q.keyId = 7;
    QVERIFY(UsageModel::matches(q, r));
    q.keyId = 8;
    QVERIFY(!UsageModel::matches(q, r));
    q = {};
    q.model = u"sim-large"_s;
    QVERIFY(!UsageModel::matches(q, r));
    q = {};
    q.errorsOnly = true;
    QVERIFY(!UsageModel::matches(q, r));
    q = {};
    q.since = r.time;   // inclusive
    QVERIFY(UsageModel::matches(q, r));
    q.until = r.time;   // exclusive
    QVERIFY(!UsageModel::matches(q, r));
}

QTEST_MAIN(TstUiPageModels)
#include "tst_ui_pagemodels.moc"
