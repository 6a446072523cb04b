#include "runspage.h"

#include "gatewayclient.h"
#include "killbuttondelegate.h"
#include "runbudgetdialog.h"
#include "runsmodel.h"
#include "uiicons.h"
#include "uiviews.h"

#include <QAction>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;


RunsPage::RunsPage(GatewayClient *client, QWidget *parent)
    : QWidget(parent), m_client(client), m_model(new RunsModel(client, this)),
      m_proxy(new QSortFilterProxyModel(this))
{
    setObjectName(u"runsPage"_s);

    m_kill = new QAction(UiIcons::get(u"kill"), tr("&Kill run"), this);
    m_kill->setObjectName(u"killRun"_s);
    m_kill->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_kill->setToolTip(tr("Cut the selected run's calls in flight now and refuse its later calls (Ctrl+K)"));
    m_budget = new QAction(UiIcons::get(u"budget"), tr("Set &budgets…"), this);
    m_budget->setObjectName(u"setBudget"_s);
    m_budget->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    for (QAction *a : {m_kill, m_budget})
        addAction(a);
    connect(m_kill, &QAction::triggered, this, [this] {
        const QString id = selectedRun();
        if (!id.isEmpty())
            m_client->killRun(id);
    });
    connect(m_budget, &QAction::triggered, this, &RunsPage::editBudget);

    auto *filter = new QLineEdit(this);
    filter->setObjectName(u"runFilter"_s);
    filter->setPlaceholderText(tr("Filter by run id"));
    filter->setClearButtonEnabled(true);
    filter->setAccessibleName(tr("Filter runs by id"));
    auto *activeOnly = new QCheckBox(tr("&Active only"), this);
    activeOnly->setObjectName(u"activeOnly"_s);

    auto *bar = new QHBoxLayout;
    bar->addWidget(UiViews::actionButton(m_kill, this));
    bar->addWidget(UiViews::actionButton(m_budget, this));
    bar->addStretch(1);
    bar->addWidget(filter);
    bar->addWidget(activeOnly);

    // Two filters in a row: the state, then the id.
    auto *byState = new QSortFilterProxyModel(this);
    byState->setSourceModel(m_model);
    byState->setFilterRole(RunsModel::StateRole);
    byState->setFilterKeyColumn(RunsModel::State);
    connect(activeOnly, &QCheckBox::toggled, byState, [byState](bool only) {
        byState->setFilterFixedString(only ? u"active"_s : QString());
    });
    m_proxy->setSourceModel(byState);
    m_proxy->setSortRole(RunsModel::SortRole);
    m_proxy->setFilterKeyColumn(RunsModel::Run);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setDynamicSortFilter(true);
    connect(filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_view = new QTableView(this);
    m_view->setObjectName(u"runsView"_s);
    m_view->setAccessibleName(tr("Runs"));
    m_view->setModel(m_proxy);
    UiViews::prepareTable(m_view);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RunsModel::LastCall, Qt::DescendingOrder);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setMouseTracking(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addAction(m_kill);
    m_view->addAction(m_budget);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 12);   // room for Kill
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(false);   // the run column takes the room; Kill keeps its width
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(RunsModel::Run, QHeaderView::Stretch);
    // Widths from what the cells hold (not ResizeToContents: that would
    // measure every row whenever a live run changes).
    const QFontMetrics fm = m_view->fontMetrics();
    const auto fit = [&](const QString &sample) { return fm.horizontalAdvance(sample) + 20; };
    const QList<std::pair<int, QString>> widths{
        {RunsModel::Key, u"research-agent"_s}, {RunsModel::State, tr("Budget exceeded")},
        {RunsModel::Live, tr("Live")},           {RunsModel::Calls, u"99999"_s},
        {RunsModel::Tokens, u"12.3k / 12.3k"_s}, {RunsModel::Spend, u"$0.000000"_s},
        {RunsModel::Budget, u"$20.00 (100%)"_s}, {RunsModel::TimeBudget, tr("Time budget")},
        {RunsModel::Elapsed, u"00 min 00 s"_s},  {RunsModel::LastCall, u"30 Nov 20:11"_s}};
    for (const auto &[column, sample] : widths)
        m_view->setColumnWidth(column, fit(sample));
    m_view->setColumnWidth(RunsModel::Kill, fm.horizontalAdvance(tr("Kill")) + fm.height() + 40);
    header->setSectionResizeMode(RunsModel::Kill, QHeaderView::Fixed);
    auto *killDelegate = new KillButtonDelegate(m_view);
    m_view->setItemDelegateForColumn(RunsModel::Kill, killDelegate);
    connect(killDelegate, &KillButtonDelegate::clicked, this, [this](const QModelIndex &index) {
        m_client->killRun(index.data(RunsModel::IdRole).toString());
    });
    connect(m_view, &QTableView::activated, this, &RunsPage::editBudget);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPage::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &RunsPage::updateActions);

    auto *hint = UiViews::hint(tr("A run groups the calls that carry the same <code>X-Tollgate-Run-Id</code> header "
                               "(or Claude Code's session id). Killing a run cuts its streams at once and refuses "
                               "its later calls with <code>409 run_killed</code>."), this);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    layout->addWidget(hint);

    setTabOrder(m_view, filter);
    setTabOrder(filter, activeOnly);
    updateActions();
}

QString RunsPage::selectedRun() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.constFirst().data(RunsModel::IdRole).toString();
}

void RunsPage::updateActions()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    const bool any = !rows.isEmpty();
    m_kill->setEnabled(any && rows.constFirst().data(RunsModel::StateRole).toString() == u"active");
    m_budget->setEnabled(any);
}

void RunsPage::editBudget()
{
    const int row = m_model->rowOfId(selectedRun());
    if (row < 0)
        return;
    const RunRecord run = m_model->runAt(row);
    auto *dialog = new RunBudgetDialog(run, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, id = run.id] {
        m_client->setRunBudget(id, dialog->budgetUsd(), dialog->timeBudgetS());
    });
    dialog->open();
}
