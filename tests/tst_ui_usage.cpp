// tollgate-test-links: tollgate_ui
// The usage page against a running gateway fed real calls: the model, run,
// key and errors-only filters narrow the rows; calls that settle later
// appear live when they match; Export writes the CSV header and one line
// per row shown; the detail view shows the call's request id.

#include "uitest/uigateway.h"

#include "admin/adminjson.h"
#include "usagedetaildialog.h"
#include "usagemodel.h"
#include "usagepage.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TstUiUsage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();
    void filtersNarrowRows();
    void liveRowsFollowFilter();
    void exportWritesCsv();
    void detailShowsRequestId();

private:
    QTableView *view() const { return m_page->findChild<QTableView *>(u"usageView"_s); }
    QStringList column(int c) const;

    std::unique_ptr<UiGateway> m_gw;
    QByteArray m_key;
    QByteArray m_otherKey;
    QList<QByteArray> m_requestIds;
    std::unique_ptr<UsagePage> m_page;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TstUiUsage::initTestCase()
{
    m_gw = std::make_unique<UiGateway>();
    QVERIFY(m_gw->start());
    m_key = m_gw->mintKey(u"agent"_s);
    m_otherKey = m_gw->mintKey(u"other"_s);
    QVERIFY(!m_key.isEmpty() && !m_otherKey.isEmpty());
    // Four calls of the first key, one of them refused, and one of the second.
    for (const auto &[model, run, status] : {std::tuple{u"sim-small"_s, "run-a", 200},
                                              std::tuple{u"sim-small"_s, "run-a", 200},
                                              std::tuple{u"sim-large"_s, "run-b", 200},
                                              std::tuple{u"no-such-model"_s, "run-b", 404}}) {
        const UiGateway::Reply r = m_gw->chat(m_key, model, run);
        QCOMPARE(r.status, status);
        m_requestIds << r.requestId;
    }
    QCOMPARE(m_gw->chat(m_otherKey, u"sim-small"_s).status, 200);
}

void TstUiUsage::init()
{
    m_page = std::make_unique<UsagePage>(m_gw->client());
    m_tester = std::make_unique<QAbstractItemModelTester>(m_page->usageModel(),
                                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_page->resize(1280, 700);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    QTRY_VERIFY(view()->model()->rowCount() >= 5);   // and the live test's two
}

void TstUiUsage::cleanup()
{
    m_tester.reset();
    m_page.reset();
}

void TstUiUsage::cleanupTestCase()
{
    m_gw.reset();
}

QStringList TstUiUsage::column(int c) const
{
    QStringList out;
    const QAbstractItemModel *m = view()->model();
    for (int row = 0; row < m->rowCount(); ++row)
        out << m->index(row, c).data().toString();
    out.sort();
    return out;
}

void TstUiUsage::filtersNarrowRows()
{
    auto *model = m_page->findChild<QLineEdit *>(u"usageModelFilter"_s);
    auto *run = m_page->findChild<QLineEdit *>(u"usageRunFilter"_s);
    auto *key = m_page->findChild<QComboBox *>(u"usageKeyFilter"_s);
    auto *errors = m_page->findChild<QCheckBox *>(u"usageErrorsOnly"_s);
    QVERIFY(model && run && key && errors);

    QTest::keyClicks(model, u"sim-large"_s);
    QTRY_COMPARE(view()->model()->rowCount(), 1);
    QCOMPARE(column(UsageModel::Model), QStringList{u"sim-large"_s});
    model->clear();
    QTRY_COMPARE(view()->model()->rowCount(), 5);

    QTest::keyClicks(run, u"run-a"_s);
    QTRY_COMPARE(view()->model()->rowCount(), 2);
    QCOMPARE(column(UsageModel::RunStep), (QStringList{u"run-a / 1"_s, u"run-a / 2"_s}));
    run->clear();
    QTRY_COMPARE(view()->model()->rowCount(), 5);

    QTest::mouseClick(errors, Qt::LeftButton);
    QTRY_COMPARE(view()->model()->rowCount(), 1);
    QCOMPARE(column(UsageModel::Error), QStringList{u"model_not_found"_s});
    QCOMPARE(column(UsageModel::Status), QStringList{u"404"_s});
    QTest::mouseClick(errors, Qt::LeftButton);
    QTRY_COMPARE(view()->model()->rowCount(), 5);

    QTRY_VERIFY(key->findText(u"other"_s, Qt::MatchStartsWith) > 0);
    key->setCurrentIndex(key->findText(u"other"_s, Qt::MatchStartsWith));
    QTRY_COMPARE(view()->model()->rowCount(), 1);
    QCOMPARE(column(UsageModel::Key), QStringList{u"other"_s});
    key->setCurrentIndex(0);
    QTRY_COMPARE(view()->model()->rowCount(), 5);

    // A time range that ends before the calls shows none of them.
    auto *until = m_page->findChild<QCheckBox *>(u"usageUntilCheck"_s);
    auto *untilEdit = m_page->findChild<QDateTimeEdit *>(u"usageUntilEdit"_s);
    QVERIFY(until && untilEdit);
    untilEdit->setDateTime(QDateTime::currentDateTime().addDays(-2));
    QTest::mouseClick(until, Qt::LeftButton);
    QTRY_COMPARE(view()->model()->rowCount(), 0);
    QTest::mouseClick(until, Qt::LeftButton);
    QTRY_COMPARE(view()->model()->rowCount(), 5);
}

void TstUiUsage::liveRowsFollowFilter()
{
    auto *run = m_page->findChild<QLineEdit *>(u"usageRunFilter"_s);
    QVERIFY(run);
    QTest::keyClicks(run, u"run-live"_s);
    QTRY_COMPARE(view()->model()->rowCount(), 0);
    QTRY_VERIFY(!m_page->usageModel()->isLoading());

    QCOMPARE(m_gw->chat(m_key, u"sim-small"_s, "run-live").status, 200);
    QCOMPARE(m_gw->chat(m_key, u"sim-small"_s, "run-elsewhere").status, 200);
    QTRY_COMPARE(view()->model()->rowCount(), 1);
    QCOMPARE(column(UsageModel::RunStep), QStringList{u"run-live / 1"_s});
    QTest::qWait(200);
    QCOMPARE(view()->model()->rowCount(), 1);   // the other run's call stays out
}

void TstUiUsage::exportWritesCsv()
{
    auto *run = m_page->findChild<QLineEdit *>(u"usageRunFilter"_s);
    auto *exportButton = m_page->findChild<QPushButton *>(u"usageExportButton"_s);
    QVERIFY(run && exportButton);
    QTest::keyClicks(run, u"run-b"_s);
    QTRY_COMPARE(view()->model()->rowCount(), 2);

    QTemporaryDir dir;
    const QString path = dir.filePath(u"ledger.csv"_s);
    QTRY_VERIFY(exportButton->isEnabled());
    QTest::mouseClick(exportButton, Qt::LeftButton);
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_page->findChild<QFileDialog *>(u"usageExportDialog"_s)));
    QVERIFY(dialog->testOption(QFileDialog::DontUseNativeDialog));
    dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept();   // public in QDialog

    QTRY_VERIFY(QFile::exists(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.value(0).trimmed(), AdminJson::kUsageFields.join(u',').toUtf8());
    QCOMPARE(lines.size(), 4);   // header, two rows, and the final line break
    QVERIFY(lines.value(3).isEmpty());
    const int requestIdColumn = int(AdminJson::kUsageFields.indexOf(u"request_id"_s));
    QSet<QByteArray> ids;
    for (int i = 1; i <= 2; ++i) {
        QVERIFY(lines.at(i).contains(",run-b,"));
        ids.insert(lines.at(i).split(',').value(requestIdColumn));
    }
    QCOMPARE(ids, (QSet<QByteArray>{m_requestIds.at(2), m_requestIds.at(3)}));
    auto *summary = m_page->findChild<QLabel *>(u"usageSummary"_s);
    QVERIFY(summary && summary->text().startsWith(u"Exported 2 call"_s));
}

void TstUiUsage::detailShowsRequestId()
{
    auto *model = m_page->findChild<QLineEdit *>(u"usageModelFilter"_s);
    auto *details = m_page->findChild<QPushButton *>(u"usageDetailsButton"_s);
    QVERIFY(model && details);
    QTest::keyClicks(model, u"sim-large"_s);
    QTRY_COMPARE(view()->model()->rowCount(), 1);
    QVERIFY(!details->isEnabled());
    view()->selectRow(0);
    QVERIFY(details->isEnabled());
    QTest::mouseClick(details, Qt::LeftButton);

    UsageDetailDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_page->findChild<UsageDetailDialog *>(u"usageDetailDialog"_s)));
    QVERIFY(dialog->isVisible());
    auto *requestId = dialog->findChild<QLabel *>(u"field_request_id"_s);
    QVERIFY(requestId);
    QCOMPARE(requestId->text().toUtf8(), m_requestIds.at(2));   // what the response header said
    QVERIFY(requestId->textInteractionFlags() & Qt::TextSelectableByMouse);
    // Every USAGE field is there.
    for (const QString &field : AdminJson::kUsageFields)
        QVERIFY2(dialog->findChild<QLabel *>(u"field_"_s + field), qPrintable(field));
    QCOMPARE(dialog->findChild<QLabel *>(u"field_model"_s)->text(), u"sim-large"_s);
    QCOMPARE(dialog->findChild<QLabel *>(u"field_run_id"_s)->text(), u"run-b"_s);
    QVERIFY(dialog->findChild<QLabel *>(u"field_key_id"_s)->text().contains(u"agent"_s));
    dialog->close();
}

QTEST_MAIN(TstUiUsage)
#include "tst_ui_usage.moc"
