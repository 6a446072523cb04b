// tollgate-test-links: tollgate_ui tollgate_testsupport
// The main window as a whole: every page is there, Ctrl+1…7 switch pages,
// the last page and the geometry are remembered, the status bar shows the
// listen address, and closing without a tray asks to quit.

#include "gatewayclient.h"
#include "hostedgateway.h"
#include "mainwindow.h"

#include <QApplication>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

class TestUiWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"tollgate-tests"_s);
        QCoreApplication::setApplicationName(u"tst_ui_window"_s);
        QSettings().clear();
    }

    void pagesShortcutsAndMemory()
    {
        HostedGateway gw;
        QString error;
        QVERIFY2(gw.start(&error), qPrintable(error));
        GatewayClient client;
        {
            MainWindow window(&client);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QApplication::setActiveWindow(&window);
            QVERIFY(QTest::qWaitForWindowActive(&window));
            client.attach(gw.gateway());
            auto *listen = window.findChild<QLabel *>(u"listenUrl"_s);
            QTRY_VERIFY(listen->text().contains(client.listenUrl()) && !client.listenUrl().isEmpty());

            const QStringList pages{u"overviewPage"_s, u"keysPage"_s, u"runsPage"_s, u"promptsPage"_s,
                                    u"providersPage"_s, u"usagePage"_s, u"settingsPage"_s};
            for (int i = 0; i < pages.size(); ++i) {
                QTest::keyClick(&window, Qt::Key(Qt::Key_1 + i), Qt::ControlModifier);
                QCOMPARE(window.currentPage(), i);
                QCOMPARE(window.findChild<QStackedWidget *>(u"pages"_s)->currentWidget()->objectName(),
                         pages.at(i));
                QVERIFY(!window.page(i)->accessibleName().isEmpty());
            }
            QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
            window.resize(1000, 640);
            QSignalSpy quit(&window, &MainWindow::quitRequested);
            window.close();
            if (!window.trayIcon())
                QCOMPARE(quit.size(), 1);
            QVERIFY(!window.isVisible());
        }
        // A new window opens where the last one was left.
        MainWindow again(&client);
        QCOMPARE(again.currentPage(), 2);
        QCOMPARE(again.size(), QSize(1000, 640));
        QSignalSpy quit(&again, &MainWindow::quitRequested);
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QApplication::setActiveWindow(&again);
        QVERIFY(QTest::qWaitForWindowActive(&again));
        QTest::keyClick(&again, Qt::Key_Q, Qt::ControlModifier);
        QCOMPARE(quit.size(), 1);
    }
};

QTEST_MAIN(TestUiWindow)
#include "tst_ui_window.moc"
