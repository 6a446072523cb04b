// tollgate-test-links: tollgate_ui
// The providers page against a running gateway: a model called without a
// price is listed first and highlighted; editing its price in the table
// reaches the gateway (the next call is billed with it) and the row stops
// being highlighted; a bad number is refused with a message; the providers
// table shows the simulator and its latency once it has been called.

#include "uitest/uigateway.h"

#include "pricesmodel.h"
#include "providersmodel.h"
#include "providerspage.h"
#include "uiviews.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

class TstUiProviders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void unpricedHighlighted();
    void priceEditCallsThrough();
    void badPriceRefused();
    void filterNarrowsPrices();
    void providersTable();

private:
    QModelIndex priceCell(const QString &model, int column) const;
    // Types text into a price cell through the view's editor.
    void editCell(const QModelIndex &proxyIndex, const QString &text);

    std::unique_ptr<UiGateway> m_gw;
    QByteArray m_key;
    std::unique_ptr<ProvidersPage> m_page;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
    QTableView *m_prices = nullptr;
};

void TstUiProviders::init()
{
    m_gw = std::make_unique<UiGateway>();
    QVERIFY(m_gw->start());
    m_key = m_gw->mintKey(u"ui"_s);
    m_page = std::make_unique<ProvidersPage>(m_gw->client());
    for (QAbstractItemModel *m : {static_cast<QAbstractItemModel *>(m_page->providersModel()),
                                  static_cast<QAbstractItemModel *>(m_page->pricesModel()),
                                  static_cast<QAbstractItemModel *>(m_page->pricesProxy())})
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            m, QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_page->resize(1200, 760);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    m_prices = m_page->findChild<QTableView *>(u"pricesView"_s);
    QVERIFY(m_prices);
    QTRY_VERIFY(m_prices->model()->rowCount() > 0);
}

void TstUiProviders::cleanup()
{
    m_testers.clear();
    m_page.reset();
    m_gw.reset();
}

QModelIndex TstUiProviders::priceCell(const QString &model, int column) const
{
    const QAbstractItemModel *m = m_prices->model();
    for (int row = 0; row < m->rowCount(); ++row) {
        if (m->index(row, PricesModel::Model).data().toString() == model)
            return m->index(row, column);
    }
    return {};
}

void TstUiProviders::editCell(const QModelIndex &index, const QString &text)
{
    m_prices->setFocus();
    m_prices->setCurrentIndex(index);
    m_prices->edit(index);
    auto *editor = qobject_cast<QLineEdit *>(m_prices->indexWidget(index));   // the open editor
    QVERIFY(editor);
    editor->selectAll();
    QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_VERIFY(!m_prices->indexWidget(index));   // the delegate commits on a queued call
}

void TstUiProviders::unpricedHighlighted()
{
    QVERIFY(!priceCell(u"sim-mystery"_s, PricesModel::Model).isValid());
    const UiGateway::Reply r = m_gw->chat(m_key, u"sim-mystery"_s);
    QCOMPARE(r.status, 200);

    QTRY_VERIFY(priceCell(u"sim-mystery"_s, PricesModel::Model).isValid());
    const QModelIndex name = priceCell(u"sim-mystery"_s, PricesModel::Model);
    QCOMPARE(name.row(), 0);   // the ones needing a price come first
    QVERIFY(name.data(PricesModel::UnpricedRole).toBool());
    QCOMPARE(name.data(Qt::BackgroundRole).value<QBrush>().color(), UiViews::warningTint());
    QVERIFY(name.data(Qt::DecorationRole).isValid());
    QCOMPARE(priceCell(u"sim-mystery"_s, PricesModel::Input).data().toString(), u"not set"_s);
    // A priced model is not highlighted.
    const QModelIndex small = priceCell(u"sim-small"_s, PricesModel::Model);
    QVERIFY(small.isValid());
    QVERIFY(!small.data(PricesModel::UnpricedRole).toBool());
    QVERIFY(!small.data(Qt::BackgroundRole).isValid());
    auto *status = m_page->findChild<QLabel *>(u"priceStatus"_s);
    QVERIFY(status);
    QVERIFY(status->text().contains(u"without a price"_s));
}

void TstUiProviders::priceEditCallsThrough()
{
    QCOMPARE(m_gw->chat(m_key, u"sim-mystery"_s).status, 200);
    QTRY_VERIFY(priceCell(u"sim-mystery"_s, PricesModel::Input).isValid());

    editCell(priceCell(u"sim-mystery"_s, PricesModel::Input), QLocale().toString(2.5));
    QTRY_VERIFY(!priceCell(u"sim-mystery"_s, PricesModel::Model).data(PricesModel::UnpricedRole).toBool());
    editCell(priceCell(u"sim-mystery"_s, PricesModel::Output), QLocale().toString(10.0));

    // The gateway has it: its own table says so, and the next call is billed with it.
    std::optional<Price> stored;
    auto ask = [&] {
        m_gw->client()->fetchPrices(m_page.get(), [&](const GatewayClient::PriceTable &t) {
            if (t.prices.contains(u"sim-mystery"_s))
                stored = t.prices.value(u"sim-mystery"_s);
        });
    };
    ask();
    QTRY_VERIFY(stored && stored->outputPerMTok == 10.0);
    QCOMPARE(stored->inputPerMTok, 2.5);

    double cost = -1;
    QObject context;
    connect(m_gw->client(), &GatewayClient::callFinished, &context, [&](const UsageRecord &rec) {
        if (rec.model == u"sim-mystery"_s)
            cost = rec.cost;
    });
    QCOMPARE(m_gw->chat(m_key, u"sim-mystery"_s).status, 200);
    QTRY_VERIFY(cost > 0);

    // After the reload the row is an ordinary priced row showing the numbers.
    QTRY_COMPARE(priceCell(u"sim-mystery"_s, PricesModel::Output).data().toString(), QLocale().toString(10.0));
    QCOMPARE(priceCell(u"sim-mystery"_s, PricesModel::Input).data().toString(), QLocale().toString(2.5));
    QVERIFY(!priceCell(u"sim-mystery"_s, PricesModel::Model).data(Qt::BackgroundRole).isValid());
}

void TstUiProviders::badPriceRefused()
{
    const QModelIndex cell = priceCell(u"sim-small"_s, PricesModel::Input);
    QVERIFY(cell.isValid());
    const QString before = cell.data().toString();
    editCell(cell, u"-3"_s);
    auto *status = m_page->findChild<QLabel *>(u"priceStatus"_s);
    QVERIFY(status);
    QTRY_VERIFY(status->text().contains(u"not a price"_s));
    QCOMPARE(priceCell(u"sim-small"_s, PricesModel::Input).data().toString(), before);
    std::optional<Price> stored;
    m_gw->client()->fetchPrices(m_page.get(), [&](const GatewayClient::PriceTable &t) {
        stored = t.prices.value(u"sim-small"_s);
    });
    QTRY_VERIFY(stored.has_value());
    QCOMPARE(stored->inputPerMTok, 0.5);
}

void TstUiProviders::filterNarrowsPrices()
{
    auto *filter = m_page->findChild<QLineEdit *>(u"priceFilterEdit"_s);
    QVERIFY(filter);
    const int all = m_prices->model()->rowCount();
    QVERIFY(all > 2);
    QTest::keyClicks(filter, u"SIM-"_s);
    QCOMPARE(m_prices->model()->rowCount(), 2);   // sim-small, sim-large
    filter->clear();
    QCOMPARE(m_prices->model()->rowCount(), all);

    // A model nobody called yet can be priced too.
    auto *newModel = m_page->findChild<QLineEdit *>(u"newPriceModelEdit"_s);
    auto *add = m_page->findChild<QPushButton *>(u"addPriceModelButton"_s);
    QVERIFY(newModel && add);
    QVERIFY(!add->isEnabled());
    QTest::keyClicks(newModel, u"llama3.1:8b"_s);
    QTest::mouseClick(add, Qt::LeftButton);
    QVERIFY(priceCell(u"llama3.1:8b"_s, PricesModel::Model).data(PricesModel::UnpricedRole).toBool());
}

void TstUiProviders::providersTable()
{
    auto *view = m_page->findChild<QTableView *>(u"providersView"_s);
    QVERIFY(view);
    const QAbstractItemModel *m = view->model();
    auto simRow = [m] {
        for (int row = 0; row < m->rowCount(); ++row) {
            if (m->index(row, ProvidersModel::Name).data().toString() == u"sim"_s)
                return row;
        }
        return -1;
    };
    QTRY_VERIFY(simRow() >= 0);
    QCOMPARE(m->index(simRow(), ProvidersModel::Kind).data().toString(), u"sim"_s);
    QCOMPARE(m->index(simRow(), ProvidersModel::Models).data().toString(), u"sim-*"_s);
    QCOMPARE(m->index(simRow(), ProvidersModel::Health).data().toString(), u"healthy"_s);
    QCOMPARE(m->index(simRow(), ProvidersModel::Latency).data().toString(), u"—"_s);
    // Called once: the poll (every 2 s while shown) brings its latency.
    QCOMPARE(m_gw->chat(m_key, u"sim-small"_s).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(m->index(simRow(), ProvidersModel::Latency).data().toString().endsWith(u" ms"_s),
                             ProvidersPage::kPollMs * 3);
}

QTEST_MAIN(TstUiProviders)
#include "tst_ui_providers.moc"
