// tollgate-test-links: tollgate_ui
// The settings page against a running gateway: it shows where the gateway
// listens (the real port when 0 was asked) and its data folder, keeps the
// admin token hidden until Reveal is pressed, and copies it on Copy.

#include "uitest/uigateway.h"

#include "settingspage.h"

#include <QApplication>
#include <QClipboard>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;

class TstUiSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsFactsAndHidesToken();
};

void TstUiSettings::showsFactsAndHidesToken()
{
    UiGateway gw;
    QVERIFY(gw.start());
    SettingsPage page(gw.client());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    auto *url = page.findChild<QLineEdit *>(u"settingsListenUrl"_s);
    auto *port = page.findChild<QLineEdit *>(u"settingsListenPort"_s);
    auto *host = page.findChild<QLineEdit *>(u"settingsListenHost"_s);
    auto *dataDir = page.findChild<QLineEdit *>(u"settingsDataDir"_s);
    auto *config = page.findChild<QLineEdit *>(u"settingsConfigFile"_s);
    auto *token = page.findChild<QLineEdit *>(u"settingsAdminToken"_s);
    auto *reveal = page.findChild<QToolButton *>(u"revealTokenButton"_s);
    auto *copy = page.findChild<QPushButton *>(u"copyTokenButton"_s);
    QVERIFY(url && port && host && dataDir && config && token && reveal && copy);

    QCOMPARE(url->text(), gw.client()->listenUrl());
    QCOMPARE(host->text(), u"127.0.0.1"_s);
    QVERIFY(port->text().toInt() > 0);   // the port picked, not the 0 asked for
    QVERIFY(url->text().endsWith(u':' + port->text()));
    QCOMPARE(dataDir->text(), QDir::toNativeSeparators(gw.dataDir()));
    QVERIFY(config->text().isEmpty());   // no config file: built-in defaults
    QVERIFY(url->isReadOnly() && token->isReadOnly());

    QCOMPARE(token->echoMode(), QLineEdit::Password);
    QCOMPARE(token->text().toUtf8(), gw.client()->adminToken());
    QVERIFY(!token->displayText().contains(token->text()));
    QTest::mouseClick(reveal, Qt::LeftButton);
    QCOMPARE(token->echoMode(), QLineEdit::Normal);
    QCOMPARE(token->displayText(), token->text());
    QTest::mouseClick(reveal, Qt::LeftButton);
    QCOMPARE(token->echoMode(), QLineEdit::Password);

    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text().toUtf8(), gw.client()->adminToken());
}

QTEST_MAIN(TstUiSettings)
#include "tst_ui_settings.moc"
