// tollgate-test-links: tollgate_ui tollgate_testsupport
// Every model of the window under QAbstractItemModelTester: fed by hand
// through their slots (inserts, updates, removals in every order), and fed
// by a live gateway on its own thread under concurrent traffic.

#include "gatewayclient.h"
#include "hostedgateway.h"
#include "keysmodel.h"
#include "livecallsmodel.h"
#include "runsmodel.h"
#include "spendtracker.h"

#include <QAbstractItemModelTester>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

LiveCall call(const QString &id, const QString &run = {}, double cost = 0)
{
    LiveCall c;
    c.requestId = id;
    c.model = u"sim-small"_s;
    c.runId = run;
    c.cost = cost;
    c.startedAt = QDateTime::currentDateTimeUtc();
    return c;
}

KeyRecord key(qint64 id, const QString &name)
{
    KeyRecord k;
    k.id = id;
    k.name = name;
    k.prefix = u"tg-abcd"_s;
    k.createdAt = QDateTime::currentDateTimeUtc();
    return k;
}

RunRecord run(const QString &id)
{
    RunRecord r;
    r.id = id;
    r.keyId = 1;
    r.startedAt = QDateTime::currentDateTimeUtc();
    r.lastCallAt = r.startedAt;
    return r;
}

} // namespace

class TestUiModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void liveCallsModel()
    {
        LiveCallsModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.callsStarted({call(u"a"_s), call(u"b"_s), call(u"c"_s), call(u"d"_s)});
        QCOMPARE(model.rowCount(), 4);
        model.callsStarted({call(u"b"_s)});   // seen already
        QCOMPARE(model.rowCount(), 4);
        LiveCall b = call(u"b"_s, u"run-1"_s, 0.5);
        b.usage.outputTokens = 10;
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.callsUpdated({b, call(u"zzz"_s)});
        QCOMPARE(changed.size(), 1);
        // Only the cells that changed: run, tokens and cost.
        QCOMPARE(changed.first().at(0).toModelIndex().column(), int(LiveCallsModel::Run));
        QCOMPARE(changed.first().at(1).toModelIndex().column(), int(LiveCallsModel::Cost));
        QCOMPARE(model.index(1, LiveCallsModel::Cost).data(LiveCallsModel::CostRole).toDouble(), 0.5);
        model.callsFinished({u"a"_s, u"c"_s, u"nope"_s});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(u"d"_s), 1);
        QCOMPARE(model.index(1, 0).data(LiveCallsModel::RequestIdRole).toString(), u"d"_s);
        model.callsStarted({call(u"e"_s), call(u"f"_s)});
        model.callsFinished({u"d"_s, u"e"_s});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(u"f"_s), 1);
        model.reset({call(u"x"_s), call(u"x"_s), call(u"y"_s)});
        QCOMPARE(model.rowCount(), 2);
        model.callsFinished({u"x"_s, u"y"_s});
        QCOMPARE(model.rowCount(), 0);
    }

    void keysModel()
    {
        KeysModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(KeysModel::SortRole);
        proxy.sort(KeysModel::SpendTotal, Qt::DescendingOrder);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reset({key(2, u"b"_s), key(1, u"a"_s)});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.keyAt(0).id, 1);
        KeyRecord a = key(1, u"a"_s);
        a.spendTotal = 3;
        a.revoked = true;
        model.upsert(a);
        model.upsert(key(3, u"c"_s));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, KeysModel::State).data().toString(), u"Revoked"_s);
        QCOMPARE(proxy.index(0, KeysModel::Name).data().toString(), u"a"_s);
        QCOMPARE(model.activeCount(), 2);
        model.reset({});
        QCOMPARE(model.rowCount(), 0);
    }

    void runsModel()
    {
        RunsModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reset({run(u"r1"_s), run(u"r2"_s)});
        model.setKeyName(1, u"laptop"_s);
        QCOMPARE(model.index(0, RunsModel::Key).data().toString(), u"laptop"_s);
        model.trackCalls({call(u"c1"_s, u"r1"_s), call(u"c2"_s, u"r1"_s), call(u"c3"_s)});
        QCOMPARE(model.liveCalls(u"r1"_s), 2);
        model.trackCalls({call(u"c3"_s, u"r2"_s)});   // the run became known later
        QCOMPARE(model.liveCalls(u"r2"_s), 1);
        RunRecord killed = run(u"r1"_s);
        killed.state = RunRecord::State::Killed;
        model.upsert(killed);
        model.upsert(run(u"r3"_s));
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(!(model.index(0, RunsModel::Kill).flags() & Qt::ItemIsEnabled));
        QVERIFY(model.index(1, RunsModel::Kill).flags() & Qt::ItemIsEnabled);
        model.untrackCalls({u"c1"_s, u"c2"_s, u"c3"_s, u"unknown"_s});
        QCOMPARE(model.liveCalls(u"r1"_s), 0);
        QCOMPARE(model.index(0, RunsModel::Live).data(RunsModel::LiveRole).toInt(), 0);
    }

    void modelsUnderLiveTraffic()
    {
        HostedGateway gw;
        QString error;
        QVERIFY2(gw.start(&error), qPrintable(error));
        GatewayClient client;
        LiveCallsModel live(&client);
        KeysModel keys(&client);
        RunsModel runs(&client);
        QAbstractItemModelTester t1(&live, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&keys, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t3(&runs, QAbstractItemModelTester::FailureReportingMode::QtTest);
        client.attach(gw.gateway());
        QTRY_VERIFY(keys.isLoaded());

        QByteArray raw;
        KeyRecord settings;
        settings.name = u"load"_s;
        client.mintKey(settings, this, [&raw](const KeyStore::Minted &m) { raw = m.rawKey; });
        QTRY_VERIFY(!raw.isEmpty());
        QNetworkAccessManager nam;
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 40; ++i) {
            const QByteArray runId = "run-" + QByteArray::number(i % 4);
            replies << nam.post(gw.chatRequest(raw, runId), HostedGateway::streamBody("sim-small", 30));
        }
        for (QNetworkReply *r : replies)
            QTRY_VERIFY(r->isFinished());
        QTRY_COMPARE(runs.rowCount(), 4);
        QTRY_COMPARE(live.rowCount(), 0);
        auto calls = [&runs] {
            qint64 n = 0;
            for (int r = 0; r < runs.rowCount(); ++r)
                n += runs.runAt(r).calls;
            return n;
        };
        QTRY_COMPARE(calls(), 40);
        QTRY_VERIFY(keys.keyAt(keys.rowOfId(1)).spendTotal > 0);
        qDeleteAll(replies);
    }
};

QTEST_MAIN(TestUiModels)
#include "tst_ui_models.moc"
