// tollgate-test-links: tollgate_ui tollgate_testsupport
// The Overview page against a gateway on its own thread: the first-run
// guide while there are no keys, the live cost of a stream rising as
// tokens arrive, the kill button on a live stream, the sample request, and
// the spend figures following finished calls.

#include "firstrunguide.h"
#include "gatewayclient.h"
#include "hostedgateway.h"
#include "livecallsmodel.h"
#include "overviewpage.h"
#include "spendtracker.h"
#include "statcard.h"

#include <QApplication>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

class TestUiOverview : public QObject
{
    Q_OBJECT

private:
    void open(const SimConfig &sim, bool demo = true)
    {
        m_gw = std::make_unique<HostedGateway>(sim, demo);
        QString error;
        QVERIFY2(m_gw->start(&error), qPrintable(error));
        m_client = std::make_unique<GatewayClient>();
        m_tracker = std::make_unique<SpendTracker>(m_client.get());
        m_page = std::make_unique<OverviewPage>(m_client.get(), m_tracker.get());
        m_page->resize(1200, 760);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        m_client->attach(m_gw->gateway());
        QTRY_VERIFY(!m_client->listenUrl().isEmpty());
    }

    QByteArray mintKey(const QString &name = u"agent"_s)
    {
        KeyRecord settings;
        settings.name = name;
        QByteArray raw;
        m_client->mintKey(settings, this, [&raw](const KeyStore::Minted &m) { raw = m.rawKey; });
        [&] { QTRY_VERIFY(!raw.isEmpty()); }();
        return raw;
    }

    QTableView *liveView() { return m_page->findChild<QTableView *>(u"liveCalls"_s); }
    QWidget *guide() { return m_page->findChild<QWidget *>(u"firstRunGuide"_s); }

    std::unique_ptr<HostedGateway> m_gw;
    std::unique_ptr<GatewayClient> m_client;
    std::unique_ptr<SpendTracker> m_tracker;
    std::unique_ptr<OverviewPage> m_page;
    QNetworkAccessManager m_nam;

private Q_SLOTS:
    void cleanup()
    {
        m_page.reset();
        m_tracker.reset();
        m_client.reset();
        m_gw.reset();
    }

    void firstRunGuideShownWithoutKeys()
    {
        open(HostedGateway::fastSim());
        QTRY_VERIFY(guide()->isVisible());
        // Where to point a client, with the real address.
        const QString url = m_client->listenUrl();
        auto *openai = guide()->findChild<QLineEdit *>(u"openaiSnippet"_s);
        QCOMPARE(openai->text(), u"export OPENAI_BASE_URL="_s + url + u"/v1"_s);
        QVERIFY(guide()->findChild<QLineEdit *>(u"anthropicSnippet"_s)->text().endsWith(url));
        QVERIFY(guide()->findChild<QLineEdit *>(u"curlSnippet"_s)->text().startsWith(u"curl "_s + url));
        QVERIFY(guide()->findChild<QPushButton *>(u"mintFirstKey"_s)->isVisible());

        // "Mint your first key" opens the mint dialog.
        QTest::mouseClick(guide()->findChild<QPushButton *>(u"mintFirstKey"_s), Qt::LeftButton);
        QDialog *form = nullptr;
        QTRY_VERIFY((form = m_page->findChild<QDialog *>(u"mintKeyDialog"_s)) && form->isVisible());
        form->reject();

        // With a key of the user's own, the guide steps aside.
        mintKey(u"laptop"_s);
        QTRY_VERIFY(!guide()->isVisible());
    }

    void guideNotShownWhenKeysExist()
    {
        open(HostedGateway::fastSim());
        mintKey();
        // A fresh page over a gateway that has keys opens without the guide.
        m_page = std::make_unique<OverviewPage>(m_client.get(), m_tracker.get());
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        QTRY_VERIFY(m_page->findChild<QWidget *>(u"keySpend"_s)->isVisible());
        QTest::qWait(200);
        QVERIFY(!guide()->isVisible());
    }

    void liveCostRisesDuringAStream()
    {
        open(HostedGateway::slowSim());
        const QByteArray key = mintKey();
        QNetworkReply *reply = m_nam.post(m_gw->chatRequest(key, "story"), HostedGateway::streamBody());
        LiveCallsModel *live = m_page->liveCalls();
        QTRY_COMPARE(live->rowCount(), 1);
        QVERIFY(liveView()->isVisible());
        const QModelIndex cost = live->index(0, LiveCallsModel::Cost);
        QTRY_COMPARE(live->index(0, LiveCallsModel::Model).data().toString(), u"sim-small"_s);
        QCOMPARE(live->index(0, LiveCallsModel::Key).data().toString(), u"agent"_s);
        QVERIFY(live->index(0, LiveCallsModel::Run).data().toString().startsWith(u"story"_s));
        QTRY_VERIFY(cost.data(LiveCallsModel::CostRole).toDouble() > 0);
        const double first = cost.data(LiveCallsModel::CostRole).toDouble();
        const QString firstText = cost.data().toString();
        const qint64 firstTokens = live->index(0, 0).data(LiveCallsModel::OutputTokensRole).toLongLong();
        // As tokens arrive the cost ticks up, while the call is still live.
        QTRY_VERIFY(live->index(0, LiveCallsModel::Cost).data(LiveCallsModel::CostRole).toDouble() > first);
        QVERIFY(live->index(0, 0).data(LiveCallsModel::OutputTokensRole).toLongLong() > firstTokens);
        QVERIFY(live->index(0, LiveCallsModel::Cost).data().toString() != firstText);
        QVERIFY(!reply->isFinished());
        QCOMPARE(m_page->findChild<StatCard *>(u"liveStreams"_s)->value(), u"1"_s);

        // Cut it with the row's kill button: the call leaves the live list,
        // and its partial cost reaches today's spend.
        const QModelIndex kill = liveView()->model()->index(0, LiveCallsModel::Kill);
        QTest::mouseClick(liveView()->viewport(), Qt::LeftButton, {}, liveView()->visualRect(kill).center());
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        QVERIFY(reply->readAll().contains("run_killed"));
        QTRY_COMPARE(live->rowCount(), 0);
        QTRY_VERIFY(m_tracker->today() > 0);
        auto *today = m_page->findChild<StatCard *>(u"todaySpend"_s);
        QTRY_VERIFY(today->value().startsWith(u'$') && today->value() != u"$0.00"_s);
        reply->deleteLater();
    }

    void spendFiguresFollowFinishedCalls()
    {
        open(HostedGateway::fastSim());
        const QByteArray key = mintKey();
        QTRY_VERIFY(m_tracker->isLoaded());
        QCOMPARE(m_tracker->today(), 0.0);
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 5; ++i)
            replies << m_nam.post(m_gw->chatRequest(key), HostedGateway::streamBody("sim-large", 50));
        for (QNetworkReply *r : replies)
            QTRY_VERIFY(r->isFinished());
        QTRY_COMPARE(m_tracker->callsToday(), 5);
        const double live = m_tracker->today();
        QVERIFY(live > 0);
        QCOMPARE(m_tracker->month(), live);
        QVERIFY(m_tracker->requestsPerSecond() > 0);
        // The ledger agrees with what was added up live.
        m_tracker->refresh();
        QTRY_VERIFY(qAbs(m_tracker->today() - live) < 1e-9);
        QCOMPARE(m_tracker->callsToday(), 5);
        QVERIFY(!m_tracker->byDay().isEmpty());
        QCOMPARE(m_tracker->byDay().constLast().second, m_tracker->today());
        qDeleteAll(replies);
    }

    void sampleRequestMovesTheLiveView()
    {
        open(HostedGateway::slowSim());
        QTRY_VERIFY(guide()->isVisible());
        QTest::mouseClick(guide()->findChild<QPushButton *>(u"sendSample"_s), Qt::LeftButton);
        LiveCallsModel *live = m_page->liveCalls();
        QTRY_COMPARE(live->rowCount(), 1);
        QTRY_COMPARE(live->index(0, LiveCallsModel::Key).data().toString(), u"sample"_s);
        QTRY_VERIFY(live->index(0, LiveCallsModel::Cost).data(LiveCallsModel::CostRole).toDouble() > 0);
        // The sample key does not count as the user's first key.
        QVERIFY(guide()->isVisible());
        m_client->cutCall(live->index(0, 0).data(LiveCallsModel::RequestIdRole).toString());
        QTRY_COMPARE(live->rowCount(), 0);
        QTRY_VERIFY(!guide()->findChild<QLabel *>(u"sampleStatus"_s)->text().isEmpty());
        QVERIFY(guide()->findChild<QPushButton *>(u"sendSample"_s)->isEnabled());
    }

    void sampleRequestWithoutDemoSaysWhy()
    {
        open(HostedGateway::fastSim(), false);
        QTRY_VERIFY(guide()->isVisible());
        QTest::mouseClick(guide()->findChild<QPushButton *>(u"sendSample"_s), Qt::LeftButton);
        auto *status = guide()->findChild<QLabel *>(u"sampleStatus"_s);
        QTRY_VERIFY(status->text().contains(u"--demo"_s));
        QCOMPARE(m_page->liveCalls()->rowCount(), 0);
    }
};

QTEST_MAIN(TestUiOverview)
#include "tst_ui_overview.moc"
