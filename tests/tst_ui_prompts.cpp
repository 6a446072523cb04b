// tollgate-test-links: tollgate_ui
// The prompts page against a running gateway: saving a version from the
// editor adds a row, activating a version moves the active marker (and
// Roll back moves it back), the diff shows the inserted and deleted
// lines, and the preview renders the template with the values typed.

#include "uitest/uigateway.h"

#include "promptdiffmodel.h"
#include "promptspage.h"
#include "promptsmodel.h"
#include "promptvariablesmodel.h"
#include "promptversionsmodel.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

class TstUiPrompts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void saveAddsVersionRow();
    void activateMovesMarker();
    void diffShowsChanges();
    void previewRenders();

private:
    // Saves text as the next version of name through the page's editor.
    void saveThroughEditor(const QString &name, const QString &text);
    int activeRow() const;

    std::unique_ptr<UiGateway> m_gw;
    std::unique_ptr<PromptsPage> m_page;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
};

void TstUiPrompts::init()
{
    m_gw = std::make_unique<UiGateway>();
    QVERIFY(m_gw->start());
    m_page = std::make_unique<PromptsPage>(m_gw->client());
    for (QAbstractItemModel *m : {static_cast<QAbstractItemModel *>(m_page->promptsModel()),
                                  static_cast<QAbstractItemModel *>(m_page->versionsModel()),
                                  static_cast<QAbstractItemModel *>(m_page->diffModel()),
                                  static_cast<QAbstractItemModel *>(m_page->variablesModel())})
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            m, QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_page->resize(1200, 700);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    QTRY_VERIFY(m_page->promptsModel()->isLoaded());
}

void TstUiPrompts::cleanup()
{
    m_testers.clear();
    m_page.reset();
    m_gw.reset();
}

void TstUiPrompts::saveThroughEditor(const QString &name, const QString &text)
{
    auto *nameEdit = m_page->findChild<QLineEdit *>(u"promptNameEdit"_s);
    auto *editor = m_page->findChild<QPlainTextEdit *>(u"promptEditor"_s);
    auto *save = m_page->findChild<QPushButton *>(u"savePromptVersionButton"_s);
    QVERIFY(nameEdit && editor && save);
    nameEdit->setText(name);
    editor->setPlainText(text);
    QVERIFY(save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
}

int TstUiPrompts::activeRow() const
{
    const PromptVersionsModel *v = m_page->versionsModel();
    for (int row = 0; row < v->rowCount(); ++row) {
        if (v->index(row, PromptVersionsModel::Active).data().toString() == u"● active"_s)
            return row;
    }
    return -1;
}

void TstUiPrompts::saveAddsVersionRow()
{
    auto *templates = m_page->findChild<QTableView *>(u"promptTemplatesView"_s);
    auto *versions = m_page->findChild<QTableView *>(u"promptVersionsView"_s);
    QVERIFY(templates && versions);
    QCOMPARE(templates->model()->rowCount(), 0);

    saveThroughEditor(u"greet"_s, u"Hello {{user}}."_s);
    QTRY_COMPARE(templates->model()->rowCount(), 1);
    QTRY_COMPARE(versions->model()->rowCount(), 1);
    QCOMPARE(m_page->versionsModel()->templateName(), u"greet"_s);

    saveThroughEditor(u"greet"_s, u"Hello {{user}}, welcome back."_s);
    QTRY_COMPARE(versions->model()->rowCount(), 2);
    QCOMPARE(m_page->versionsModel()->versionAt(0), 2);
    // The new version is selected; the first stays active until activated.
    QTRY_COMPARE(versions->currentIndex().row(), 0);
    QCOMPARE(activeRow(), 1);

    // A refused save says why and adds nothing.
    saveThroughEditor(u"bad name!"_s, u"x"_s);
    auto *status = m_page->findChild<QLabel *>(u"promptStatus"_s);
    QVERIFY(status);
    QTRY_VERIFY(status->text().startsWith(u"Not saved"_s));
    QCOMPARE(templates->model()->rowCount(), 1);
}

void TstUiPrompts::activateMovesMarker()
{
    saveThroughEditor(u"greet"_s, u"one"_s);
    QTRY_COMPARE(m_page->versionsModel()->rowCount(), 1);
    saveThroughEditor(u"greet"_s, u"two"_s);
    QTRY_COMPARE(m_page->versionsModel()->rowCount(), 2);
    QCOMPARE(activeRow(), 1);   // v1

    auto *versions = m_page->findChild<QTableView *>(u"promptVersionsView"_s);
    auto *activate = m_page->findChild<QPushButton *>(u"activatePromptButton"_s);
    auto *rollBack = m_page->findChild<QPushButton *>(u"rollBackPromptButton"_s);
    QVERIFY(versions && activate && rollBack);
    versions->selectRow(0);   // v2
    QVERIFY(activate->isEnabled());
    QVERIFY(!rollBack->isEnabled());
    QTest::mouseClick(activate, Qt::LeftButton);
    QTRY_COMPARE(activeRow(), 0);
    QCOMPARE(m_page->versionsModel()->activeVersion(), 2);
    QTRY_COMPARE(m_page->promptsModel()->index(0, PromptsModel::Active).data().toString(), u"v2"_s);
    QVERIFY(!activate->isEnabled());   // v2 is selected and active now

    QTRY_VERIFY(rollBack->isEnabled());
    QTest::mouseClick(rollBack, Qt::LeftButton);
    QTRY_COMPARE(activeRow(), 1);
    QCOMPARE(m_page->versionsModel()->activeVersion(), 1);
}

void TstUiPrompts::diffShowsChanges()
{
    saveThroughEditor(u"triage"_s, u"You triage tickets.\nBe brief.\nSign as {{agent}}."_s);
    QTRY_COMPARE(m_page->versionsModel()->rowCount(), 1);
    saveThroughEditor(u"triage"_s, u"You triage tickets.\nBe thorough.\nSign as {{agent}}.\nThank them."_s);
    QTRY_COMPARE(m_page->versionsModel()->rowCount(), 2);

    auto *from = m_page->findChild<QComboBox *>(u"diffFromCombo"_s);
    auto *to = m_page->findChild<QComboBox *>(u"diffToCombo"_s);
    auto *view = m_page->findChild<QTableView *>(u"promptDiffView"_s);
    QVERIFY(from && to && view);
    from->setCurrentIndex(from->findData(1));
    to->setCurrentIndex(to->findData(2));

    const QAbstractItemModel *diff = view->model();
    auto cellsWith = [diff](int column, const QString &op) {
        QStringList texts;
        for (int row = 0; row < diff->rowCount(); ++row) {
            const QModelIndex i = diff->index(row, column);
            if (i.data(PromptDiffModel::OpRole).toString() == op)
                texts << i.data().toString();
        }
        return texts;
    };
    QTRY_COMPARE(cellsWith(PromptDiffModel::OldText, u"delete"_s), QStringList{u"Be brief."_s});
    QCOMPARE(cellsWith(PromptDiffModel::NewText, u"insert"_s), (QStringList{u"Be thorough."_s, u"Thank them."_s}));
    QCOMPARE(cellsWith(PromptDiffModel::OldText, u"equal"_s).size(), 2);
    // Tinted: red for the deleted line, green for the inserted ones.
    for (int row = 0; row < diff->rowCount(); ++row) {
        const QModelIndex i = diff->index(row, PromptDiffModel::NewText);
        if (i.data(PromptDiffModel::OpRole).toString() == u"insert"_s)
            QCOMPARE(i.data(Qt::BackgroundRole).value<QBrush>().color(), PromptDiffModel::insertColor());
    }
    auto *summary = m_page->findChild<QLabel *>(u"diffSummary"_s);
    QVERIFY(summary);
    QCOMPARE(summary->text(), u"+2 lines, −1 lines"_s);

    // The same version on both sides: nothing changed.
    from->setCurrentIndex(from->findData(2));
    QTRY_COMPARE(cellsWith(PromptDiffModel::NewText, u"insert"_s), QStringList());
    QCOMPARE(summary->text(), u"no differences"_s);
}

void TstUiPrompts::previewRenders()
{
    saveThroughEditor(u"greet"_s, u"Hello {{user}} from {{ city }}!"_s);
    QTRY_COMPARE(m_page->versionsModel()->rowCount(), 1);

    auto *vars = m_page->findChild<QTableView *>(u"promptVariablesView"_s);
    auto *rendered = m_page->findChild<QPlainTextEdit *>(u"renderedPromptView"_s);
    QVERIFY(vars && rendered);
    QAbstractItemModel *model = vars->model();
    QTRY_COMPARE(model->rowCount(), 2);
    QCOMPARE(model->index(0, PromptVariablesModel::Name).data().toString(), u"user"_s);
    QCOMPARE(model->index(1, PromptVariablesModel::Name).data().toString(), u"city"_s);
    QTRY_COMPARE(rendered->toPlainText(), u"Hello  from !"_s);

    // Typed through the view's editor, as a user would.
    const QModelIndex user = model->index(0, PromptVariablesModel::Value);
    vars->setCurrentIndex(user);
    vars->edit(user);
    auto *editor = qobject_cast<QLineEdit *>(vars->indexWidget(user));   // the open editor
    QVERIFY(editor);
    QTest::keyClicks(editor, u"Ada"_s);
    QTest::keyClick(editor, Qt::Key_Return);
    QVERIFY(model->setData(model->index(1, PromptVariablesModel::Value), u"Paris"_s));
    QTRY_COMPARE(rendered->toPlainText(), u"Hello Ada from Paris!"_s);

    // The values are the gateway's render, not a local one: a value is never expanded again.
    QVERIFY(model->setData(model->index(1, PromptVariablesModel::Value), u"{{user}}"_s));
    QTRY_COMPARE(rendered->toPlainText(), u"Hello Ada from {{user}}!"_s);
}

QTEST_MAIN(TstUiPrompts)
#include "tst_ui_prompts.moc"
