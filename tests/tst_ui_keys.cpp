// tollgate-test-links: tollgate_ui tollgate_testsupport
// The Keys page against a gateway on its own thread, driven as a user
// drives it: mint through the dialog (the raw key is shown once, works,
// and is nowhere else in the window), edit limits, revoke after a
// confirmation (the key stops working).

#include "gatewayclient.h"
#include "hostedgateway.h"
#include "keysmodel.h"
#include "keyspage.h"
#include "newkeydialog.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

class TestUiKeys : public QObject
{
    Q_OBJECT

private:
    // Every text any widget of the application shows.
    static QStringList allTexts()
    {
        QStringList out;
        for (QWidget *top : QApplication::allWidgets()) {
            if (auto *l = qobject_cast<QLineEdit *>(top))
                out << l->text();
            else if (auto *l = qobject_cast<QLabel *>(top))
                out << l->text();
            else if (auto *t = qobject_cast<QPlainTextEdit *>(top))
                out << t->toPlainText();
        }
        return out;
    }

    static bool modelMentions(const QAbstractItemModel *model, const QString &needle)
    {
        for (int r = 0; r < model->rowCount(); ++r) {
            for (int c = 0; c < model->columnCount(); ++c) {
                for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)}) {
                    if (model->index(r, c).data(role).toString().contains(needle))
                        return true;
                }
            }
        }
        return false;
    }

    // Status of a (non-streaming) call made with key.
    int statusWith(const QByteArray &key)
    {
        QNetworkReply *reply = m_nam.post(m_gw->chatRequest(key),
                                          R"({"model":"sim-small","messages":[{"role":"user","content":"hi"}]})");
        [&] { QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000); }();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        return status;
    }

    QTableView *view() { return m_page->findChild<QTableView *>(u"keysView"_s); }

    void selectKey(const QString &name)
    {
        QTableView *v = view();
        for (int r = 0; r < v->model()->rowCount(); ++r) {
            if (v->model()->index(r, KeysModel::Name).data().toString() == name) {
                v->setFocus();
                v->selectRow(r);
                return;
            }
        }
        QFAIL("no row for the key");
    }

    std::unique_ptr<HostedGateway> m_gw;
    std::unique_ptr<GatewayClient> m_client;
    std::unique_ptr<KeysPage> m_page;
    QNetworkAccessManager m_nam;

private Q_SLOTS:
    void init()
    {
        m_gw = std::make_unique<HostedGateway>();
        QString error;
        QVERIFY2(m_gw->start(&error), qPrintable(error));
        m_client = std::make_unique<GatewayClient>();
        m_page = std::make_unique<KeysPage>(m_client.get());
        m_page->resize(1100, 500);
        m_page->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
        m_client->attach(m_gw->gateway());
        QTRY_VERIFY(m_page->model()->isLoaded());
        QCOMPARE(m_page->model()->rowCount(), 0);
    }

    void cleanup()
    {
        m_page.reset();
        m_client.reset();
        m_gw.reset();
    }

    void mintShowsTheRawKeyOnceAndAddsARow()
    {
        m_page->findChild<QAction *>(u"mintKey"_s)->trigger();
        QDialog *form = nullptr;
        QTRY_VERIFY((form = m_page->findChild<QDialog *>(u"mintKeyDialog"_s)) && form->isVisible());
        auto *ok = form->findChild<QPushButton *>(u"ok"_s);
        QVERIFY(!ok->isEnabled());   // a key needs a name
        QTest::keyClicks(form->findChild<QLineEdit *>(u"name"_s), u"laptop"_s);
        QTest::keyClicks(form->findChild<QLineEdit *>(u"models"_s), u"sim-*"_s);
        form->findChild<QSpinBox *>(u"rpm"_s)->setValue(120);
        QVERIFY(ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);

        NewKeyDialog *shown = nullptr;
        QTRY_VERIFY((shown = m_page->findChild<NewKeyDialog *>(u"newKeyDialog"_s)) && shown->isVisible());
        const QString raw = shown->shownKey();
        QVERIFY2(raw.startsWith(u"tg-"_s) && raw.size() > 30, qPrintable(raw));
        QVERIFY(shown->findChild<QLabel *>(u"onceWarning"_s)->text().contains(u"You will not see it again"_s));

        // The row is there, with the settings entered and only the prefix.
        QTRY_COMPARE(m_page->model()->rowCount(), 1);
        const KeyRecord key = m_page->model()->keyAt(0);
        QCOMPARE(key.name, u"laptop"_s);
        QCOMPARE(key.ratePerMin, 120);
        QCOMPARE(key.allowedModels, QStringList{u"sim-*"_s});
        QVERIFY(raw.startsWith(key.prefix));
        QVERIFY(!modelMentions(m_page->model(), raw));
        QCOMPARE(view()->model()->index(0, KeysModel::State).data().toString(), u"Active"_s);

        // The key shown is the real one.
        QCOMPARE(statusWith(raw.toLatin1()), 200);

        // Once closed, the window holds the key nowhere.
        QTest::mouseClick(shown->findChild<QPushButton *>(u"done"_s), Qt::LeftButton);
        QTRY_VERIFY(!m_page->findChild<NewKeyDialog *>(u"newKeyDialog"_s));
        for (const QString &text : allTexts())
            QVERIFY2(!text.contains(raw), qPrintable(text));

        // The spend of its call reaches the row.
        QTRY_VERIFY(m_page->model()->keyAt(0).spendTotal > 0);
    }

    void editChangesLimits()
    {
        KeyRecord settings;
        settings.name = u"ci"_s;
        m_client->mintKey(settings, this, [](const KeyStore::Minted &) {});
        QTRY_COMPARE(m_page->model()->rowCount(), 1);
        selectKey(u"ci"_s);
        auto *edit = m_page->findChild<QAction *>(u"editKey"_s);
        QVERIFY(edit->isEnabled());
        edit->trigger();
        QDialog *form = nullptr;
        QTRY_VERIFY((form = m_page->findChild<QDialog *>(u"editKeyDialog"_s)) && form->isVisible());
        QCOMPARE(form->findChild<QLineEdit *>(u"name"_s)->text(), u"ci"_s);
        form->findChild<QSpinBox *>(u"tpm"_s)->setValue(50000);
        form->findChild<QDoubleSpinBox *>(u"monthlyCap"_s)->setValue(25);
        QTest::mouseClick(form->findChild<QPushButton *>(u"ok"_s), Qt::LeftButton);
        QTRY_COMPARE(m_page->model()->keyAt(0).tokensPerMin, 50000);
        QCOMPARE(m_page->model()->keyAt(0).monthlyCap, 25.0);
        QVERIFY(view()->model()->index(0, KeysModel::SpendCaps).data().toString().contains(u"$25.00"_s));
    }

    void revokeAfterConfirmationChangesState()
    {
        KeyRecord settings;
        settings.name = u"agent"_s;
        QByteArray raw;
        m_client->mintKey(settings, this, [&raw](const KeyStore::Minted &m) { raw = m.rawKey; });
        QTRY_VERIFY(!raw.isEmpty());
        QTRY_COMPARE(m_page->model()->rowCount(), 1);
        QCOMPARE(statusWith(raw), 200);
        selectKey(u"agent"_s);
        auto *revoke = m_page->findChild<QAction *>(u"revokeKey"_s);

        // Cancel changes nothing.
        revoke->trigger();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = m_page->findChild<QMessageBox *>(u"confirmRevoke"_s)) && box->isVisible());
        QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
        QTRY_VERIFY(!m_page->findChild<QMessageBox *>(u"confirmRevoke"_s));
        QTest::qWait(100);
        QCOMPARE(view()->model()->index(0, KeysModel::State).data().toString(), u"Active"_s);
        QCOMPARE(statusWith(raw), 200);

        // Confirmed, the key is revoked: the row says so and the key stops working.
        revoke->trigger();
        QTRY_VERIFY((box = m_page->findChild<QMessageBox *>(u"confirmRevoke"_s)) && box->isVisible());
        QVERIFY(box->text().contains(u"agent"_s));
        QTest::mouseClick(box->findChild<QPushButton *>(u"confirmRevokeButton"_s), Qt::LeftButton);
        QTRY_COMPARE(view()->model()->index(0, KeysModel::State).data().toString(), u"Revoked"_s);
        QVERIFY(m_page->model()->keyAt(0).revoked);
        QVERIFY(!revoke->isEnabled());
        QCOMPARE(statusWith(raw), 401);
    }
};

QTEST_MAIN(TestUiKeys)
#include "tst_ui_keys.moc"
