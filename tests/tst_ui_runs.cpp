// tollgate-test-links: tollgate_ui tollgate_testsupport
// The Runs page against a gateway on its own thread: a run streaming from
// the (slow) simulated provider shows up live, and its Kill button cuts
// the stream at once; the run is then killed for good; budgets can be set.

#include "gatewayclient.h"
#include "hostedgateway.h"
#include "runsmodel.h"
#include "runspage.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

class TestUiRuns : public QObject
{
    Q_OBJECT

private:
    QTableView *view() { return m_page->findChild<QTableView *>(u"runsView"_s); }

    QModelIndex cell(const QString &runId, int column)
    {
        QAbstractItemModel *m = view()->model();
        for (int r = 0; r < m->rowCount(); ++r) {
            if (m->index(r, RunsModel::Run).data().toString() == runId)
                return m->index(r, column);
        }
        return {};
    }

    QByteArray mintKey()
    {
        KeyRecord settings;
        settings.name = u"agent"_s;
        QByteArray raw;
        m_client->mintKey(settings, this, [&raw](const KeyStore::Minted &m) { raw = m.rawKey; });
        [&] { QTRY_VERIFY(!raw.isEmpty()); }();
        return raw;
    }

    std::unique_ptr<HostedGateway> m_gw;
    std::unique_ptr<GatewayClient> m_client;
    std::unique_ptr<RunsPage> m_page;
    QNetworkAccessManager m_nam;

private Q_SLOTS:
    void init()
    {
        m_gw = std::make_unique<HostedGateway>(HostedGateway::slowSim());
        QString error;
        QVERIFY2(m_gw->start(&error), qPrintable(error));
        m_client = std::make_unique<GatewayClient>();
        m_page = std::make_unique<RunsPage>(m_client.get());
        m_page->resize(1200, 500);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        QApplication::setActiveWindow(m_page.get());
        QVERIFY(QTest::qWaitForWindowActive(m_page.get()));
        m_client->attach(m_gw->gateway());
        QTRY_VERIFY(!m_client->listenUrl().isEmpty());
    }

    void cleanup()
    {
        m_page.reset();
        m_client.reset();
        m_gw.reset();
    }

    void killButtonCutsALiveStream()
    {
        const QByteArray key = mintKey();
        QNetworkReply *reply = m_nam.post(m_gw->chatRequest(key, "agent-7"), HostedGateway::streamBody());
        QByteArray received;
        connect(reply, &QNetworkReply::readyRead, this, [&] { received += reply->readAll(); });

        // The run appears, live, and tokens arrive.
        QTRY_VERIFY(cell(u"agent-7"_s, RunsModel::Live).isValid());
        QTRY_COMPARE(cell(u"agent-7"_s, RunsModel::Live).data(RunsModel::LiveRole).toInt(), 1);
        QTRY_VERIFY(received.contains("data: "));
        QCOMPARE(cell(u"agent-7"_s, RunsModel::State).data().toString(), u"Active"_s);
        QVERIFY(!reply->isFinished());

        // Press the run's Kill button.
        const QModelIndex kill = cell(u"agent-7"_s, RunsModel::Kill);
        QVERIFY(kill.flags() & Qt::ItemIsEnabled);
        view()->scrollTo(kill);
        const QPoint at = view()->visualRect(kill).center();
        QTest::mouseClick(view()->viewport(), Qt::LeftButton, {}, at);

        // Cut at once (the stream had ~40 s to go): one error event, then the end.
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        received += reply->readAll();
        QVERIFY2(received.contains("run_killed"), received.right(400).constData());
        QVERIFY(!received.contains("[DONE]") || received.indexOf("run_killed") < received.indexOf("[DONE]"));
        QTRY_COMPARE(cell(u"agent-7"_s, RunsModel::State).data().toString(), u"Killed"_s);
        QTRY_COMPARE(cell(u"agent-7"_s, RunsModel::Live).data(RunsModel::LiveRole).toInt(), 0);
        QVERIFY(!(cell(u"agent-7"_s, RunsModel::Kill).flags() & Qt::ItemIsEnabled));
        // The partial call was billed.
        QTRY_VERIFY(cell(u"agent-7"_s, RunsModel::Spend).data(RunsModel::SortRole).toDouble() > 0);
        reply->deleteLater();

        // Later calls of the run are refused.
        QNetworkReply *again = m_nam.post(m_gw->chatRequest(key, "agent-7"), HostedGateway::streamBody());
        QTRY_VERIFY(again->isFinished());
        QCOMPARE(again->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 409);
        again->deleteLater();
    }

    void killActionCutsTheSelectedRun()
    {
        const QByteArray key = mintKey();
        QNetworkReply *reply = m_nam.post(m_gw->chatRequest(key, "agent-8"), HostedGateway::streamBody());
        QTRY_COMPARE(cell(u"agent-8"_s, RunsModel::Live).data(RunsModel::LiveRole).toInt(), 1);
        view()->setFocus();
        view()->selectRow(cell(u"agent-8"_s, RunsModel::Run).row());
        QTest::keyClick(view(), Qt::Key_K, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        QVERIFY(reply->readAll().contains("run_killed"));
        QTRY_COMPARE(cell(u"agent-8"_s, RunsModel::State).data().toString(), u"Killed"_s);
        reply->deleteLater();
    }

    void setBudgetStopsTheRun()
    {
        const QByteArray key = mintKey();
        QNetworkReply *reply = m_nam.post(m_gw->chatRequest(key, "agent-9"), HostedGateway::streamBody());
        QTRY_COMPARE(cell(u"agent-9"_s, RunsModel::Live).data(RunsModel::LiveRole).toInt(), 1);
        QCOMPARE(cell(u"agent-9"_s, RunsModel::Budget).data().toString(), u"none"_s);
        view()->setFocus();
        view()->selectRow(cell(u"agent-9"_s, RunsModel::Run).row());
        m_page->findChild<QAction *>(u"setBudget"_s)->trigger();
        QDialog *form = nullptr;
        QTRY_VERIFY((form = m_page->findChild<QDialog *>(u"runBudgetDialog"_s)) && form->isVisible());
        // A time budget the run has already used up: it stops at once.
        form->findChild<QDoubleSpinBox *>(u"budgetUsd"_s)->setValue(5);
        form->findChild<QDoubleSpinBox *>(u"timeBudget"_s)->setValue(1);
        QTest::qWait(1100);
        QTest::mouseClick(form->findChild<QPushButton *>(u"ok"_s), Qt::LeftButton);
        QTRY_VERIFY(cell(u"agent-9"_s, RunsModel::Budget).data().toString().startsWith(u"$5.00"_s));
        QTRY_COMPARE(cell(u"agent-9"_s, RunsModel::State).data().toString(), u"Budget exceeded"_s);
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        QVERIFY(reply->readAll().contains("run_budget_exceeded"));
        reply->deleteLater();
    }
};

QTEST_MAIN(TestUiRuns)
#include "tst_ui_runs.moc"
