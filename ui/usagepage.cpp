#include "usagepage.h"

#include "gatewayclient.h"
#include "uiformat.h"
#include "uiviews.h"
#include "usagecsv.h"
#include "usagedetaildialog.h"
#include "usagemodel.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFileDialog>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr int kDebounceMs = 300;

template<typename W>
W *named(W *widget, const QString &objectName, const QString &accessibleName)
{
    widget->setObjectName(objectName);
    widget->setAccessibleName(accessibleName);
    return widget;
}

} // namespace

UsagePage::UsagePage(GatewayClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_model(new UsageModel(client, this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_debounce(new QTimer(this))
{
    setObjectName(u"usagePage"_s);
    setAccessibleName(tr("Usage ledger"));

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(UsageModel::SortRole);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &UsagePage::applyQuery);

    QWidget *filters = buildFilters();

    m_view = named(new QTableView, u"usageView"_s, tr("Calls, newest first"));
    m_view->setModel(m_proxy);
    UiViews::prepareTable(m_view);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(UsageModel::Time, Qt::DescendingOrder);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    sizeColumns();
    connect(m_view, &QTableView::activated, this, [this](const QModelIndex &index) { showDetails(index.row()); });

    // Right-click: narrow the log to what a row shows, or copy its request id.
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *showAction = new QAction(tr("Show &details"), m_view);
    auto *copyAction = new QAction(tr("&Copy request id"), m_view);
    auto *runAction = new QAction(tr("Only this &run"), m_view);
    auto *modelAction = new QAction(tr("Only this &model"), m_view);
    m_view->addActions({showAction, copyAction, runAction, modelAction});
    connect(showAction, &QAction::triggered, this, &UsagePage::showCurrentDetails);
    connect(copyAction, &QAction::triggered, this, [this] {
        const QModelIndex i = m_view->currentIndex();
        if (i.isValid())
            QGuiApplication::clipboard()->setText(i.data(UsageModel::RequestIdRole).toString());
    });
    connect(runAction, &QAction::triggered, this, [this] { filterByCurrent(UsageModel::RunStep); });
    connect(modelAction, &QAction::triggered, this, [this] { filterByCurrent(UsageModel::Model); });

    m_summary = named(new QLabel, u"usageSummary"_s, tr("Summary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_detailsButton = named(new QPushButton(tr("&Details…")), u"usageDetailsButton"_s, tr("Show the call's details"));
    m_exportButton = named(new QPushButton(tr("E&xport CSV…")), u"usageExportButton"_s, tr("Export as CSV"));
    m_exportButton->setToolTip(tr("Write the calls shown, in this order, to a CSV file (the admin API's columns)"));
    connect(m_detailsButton, &QPushButton::clicked, this, &UsagePage::showCurrentDetails);
    connect(m_exportButton, &QPushButton::clicked, this, &UsagePage::chooseExportFile);

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_summary, 1);
    bottom->addWidget(m_detailsButton);
    bottom->addWidget(m_exportButton);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(filters);
    layout->addWidget(m_view, 1);
    layout->addLayout(bottom);

    connect(m_model, &UsageModel::loaded, this, &UsagePage::updateSummary);
    connect(m_model, &UsageModel::rowsAdded, this, &UsagePage::updateSummary);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { m_detailsButton->setEnabled(m_view->currentIndex().isValid()); });
    m_detailsButton->setEnabled(false);

    if (client) {
        auto loadKeys = [this] {
            m_client->fetchKeys(this, [this](const QList<KeyRecord> &keys) {
                for (const KeyRecord &k : keys)
                    addKey(k.id, k.name);
            });
        };
        connect(client, &GatewayClient::attached, this, loadKeys);
        connect(client, &GatewayClient::keyChanged, this, [this](const KeyRecord &k) { addKey(k.id, k.name); });
        if (client->isAttached())
            loadKeys();
    }

    setTabOrder(m_keyFilter, m_runFilter);
    setTabOrder(m_runFilter, m_modelFilter);
    setTabOrder(m_modelFilter, m_sinceCheck);
    setTabOrder(m_sinceCheck, m_since);
    setTabOrder(m_since, m_untilCheck);
    setTabOrder(m_untilCheck, m_until);
    setTabOrder(m_until, m_errorsOnly);
    setTabOrder(m_errorsOnly, m_live);
    setTabOrder(m_live, m_refreshButton);
    setTabOrder(m_refreshButton, m_view);
    setTabOrder(m_view, m_detailsButton);
    setTabOrder(m_detailsButton, m_exportButton);
    updateSummary();
}

QWidget *UsagePage::buildFilters()
{
    auto *box = new QWidget;
    box->setObjectName(u"usageFilters"_s);
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(0, 0, 0, 0);

    m_keyFilter = named(new QComboBox, u"usageKeyFilter"_s, tr("Key"));
    m_keyFilter->addItem(tr("All keys"), QVariant());
    m_keyFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_runFilter = named(new QLineEdit, u"usageRunFilter"_s, tr("Run id"));
    m_runFilter->setPlaceholderText(tr("any run"));
    m_runFilter->setClearButtonEnabled(true);
    m_modelFilter = named(new QLineEdit, u"usageModelFilter"_s, tr("Model"));
    m_modelFilter->setPlaceholderText(tr("any model"));
    m_modelFilter->setClearButtonEnabled(true);

    const QDateTime now = QDateTime::currentDateTime();
    m_sinceCheck = named(new QCheckBox(tr("&Since")), u"usageSinceCheck"_s, tr("Only calls since"));
    m_since = named(new QDateTimeEdit(now.addDays(-1)), u"usageSinceEdit"_s, tr("Since"));
    m_untilCheck = named(new QCheckBox(tr("&Until")), u"usageUntilCheck"_s, tr("Only calls before"));
    m_until = named(new QDateTimeEdit(now.addSecs(3600)), u"usageUntilEdit"_s, tr("Until"));
    for (QDateTimeEdit *edit : {m_since, m_until}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(u"yyyy-MM-dd HH:mm"_s);
        edit->setEnabled(false);
    }
    connect(m_sinceCheck, &QCheckBox::toggled, m_since, &QWidget::setEnabled);
    connect(m_untilCheck, &QCheckBox::toggled, m_until, &QWidget::setEnabled);

    m_errorsOnly = named(new QCheckBox(tr("&Errors only")), u"usageErrorsOnly"_s, tr("Errors only"));
    m_live = named(new QCheckBox(tr("&Live")), u"usageLiveCheck"_s, tr("Add new calls as they finish"));
    m_live->setChecked(true);
    m_live->setToolTip(tr("Add calls that match the filters as they finish"));
    m_refreshButton = named(new QPushButton(tr("&Refresh")), u"usageRefreshButton"_s, tr("Reload the ledger"));

    auto label = [](const QString &text, QWidget *buddy) {
        auto *l = new QLabel(text);
        l->setBuddy(buddy);
        return l;
    };
    grid->addWidget(label(tr("&Key:"), m_keyFilter), 0, 0);
    grid->addWidget(m_keyFilter, 0, 1);
    grid->addWidget(label(tr("R&un:"), m_runFilter), 0, 2);
    grid->addWidget(m_runFilter, 0, 3);
    grid->addWidget(label(tr("&Model:"), m_modelFilter), 0, 4);
    grid->addWidget(m_modelFilter, 0, 5);
    grid->addWidget(m_refreshButton, 0, 7);
    grid->addWidget(m_sinceCheck, 1, 0);
    grid->addWidget(m_since, 1, 1);
    grid->addWidget(m_untilCheck, 1, 2);
    grid->addWidget(m_until, 1, 3);
    auto *checks = new QHBoxLayout;
    checks->addWidget(m_errorsOnly);
    checks->addWidget(m_live);
    checks->addStretch();
    grid->addLayout(checks, 1, 4, 1, 2);
    grid->setColumnStretch(3, 1);
    grid->setColumnStretch(5, 1);
    grid->setColumnStretch(6, 1);

    connect(m_keyFilter, &QComboBox::currentIndexChanged, this, &UsagePage::applyQuery);
    connect(m_runFilter, &QLineEdit::textChanged, this, &UsagePage::scheduleQuery);
    connect(m_modelFilter, &QLineEdit::textChanged, this, &UsagePage::scheduleQuery);
    connect(m_runFilter, &QLineEdit::returnPressed, this, &UsagePage::applyQuery);
    connect(m_modelFilter, &QLineEdit::returnPressed, this, &UsagePage::applyQuery);
    connect(m_sinceCheck, &QCheckBox::toggled, this, &UsagePage::applyQuery);
    connect(m_untilCheck, &QCheckBox::toggled, this, &UsagePage::applyQuery);
    connect(m_since, &QDateTimeEdit::dateTimeChanged, this, &UsagePage::scheduleQuery);
    connect(m_until, &QDateTimeEdit::dateTimeChanged, this, &UsagePage::scheduleQuery);
    connect(m_errorsOnly, &QCheckBox::toggled, this, &UsagePage::applyQuery);
    connect(m_live, &QCheckBox::toggled, this, [this](bool on) {
        m_model->setLive(on);
        if (on)
            applyQuery();   // catch up on what was missed while paused
    });
    connect(m_refreshButton, &QPushButton::clicked, this, &UsagePage::applyQuery);
    return box;
}

Store::UsageQuery UsagePage::currentQuery() const
{
    Store::UsageQuery q;
    const QVariant key = m_keyFilter->currentData();
    if (key.isValid())
        q.keyId = key.toLongLong();
    q.runId = m_runFilter->text().trimmed();
    q.model = m_modelFilter->text().trimmed();
    if (m_sinceCheck->isChecked())
        q.since = m_since->dateTime().toUTC();
    if (m_untilCheck->isChecked())
        q.until = m_until->dateTime().toUTC();
    q.errorsOnly = m_errorsOnly->isChecked();
    return q;
}

void UsagePage::scheduleQuery()
{
    m_debounce->start();
}

void UsagePage::applyQuery()
{
    m_debounce->stop();
    m_summary->setText(tr("Loading…"));
    m_model->setQuery(currentQuery());
}

void UsagePage::addKey(qint64 id, const QString &name)
{
    const QString text = (name.isEmpty() ? tr("(unnamed)") : name) + u" (#"_s + QString::number(id) + u')';
    const int at = m_keyFilter->findData(id);
    if (at >= 0) {
        m_keyFilter->setItemText(at, text);
        return;
    }
    m_keyFilter->addItem(text, id);
}

void UsagePage::filterByCurrent(int column)
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const UsageRecord &r = m_model->recordAt(m_proxy->mapToSource(current).row());
    if (column == UsageModel::RunStep)
        m_runFilter->setText(r.runId);
    else if (column == UsageModel::Model)
        m_modelFilter->setText(r.model);
    applyQuery();
}

UsageDetailDialog *UsagePage::showDetails(int viewRow)
{
    const QModelIndex source = m_proxy->mapToSource(m_proxy->index(viewRow, 0));
    if (!source.isValid())
        return nullptr;
    const UsageRecord &r = m_model->recordAt(source.row());
    auto *dialog = new UsageDetailDialog(r, m_model->keyName(r.keyId), this);
    dialog->show();
    return dialog;
}

void UsagePage::showCurrentDetails()
{
    const QModelIndex current = m_view->currentIndex();
    if (current.isValid())
        showDetails(current.row());
}

void UsagePage::chooseExportFile()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty())
        dir = QDir::homePath();
    auto *dialog = new QFileDialog(this, tr("Export calls as CSV"), dir, tr("CSV files (*.csv);;All files (*)"));
    dialog->setObjectName(u"usageExportDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setDefaultSuffix(u"csv"_s);
    dialog->selectFile(u"tollgate-usage-"_s + QDate::currentDate().toString(Qt::ISODate) + u".csv"_s);
    const QString platform = QGuiApplication::platformName();
    if (platform == u"offscreen"_s || platform == u"minimal"_s)
        dialog->setOption(QFileDialog::DontUseNativeDialog);   // nothing native to show there
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) { exportTo(path); });
    dialog->open();
}

bool UsagePage::exportTo(const QString &path)
{
    QList<UsageRecord> rows;
    rows.reserve(m_proxy->rowCount());
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        rows.append(m_model->recordAt(m_proxy->mapToSource(m_proxy->index(row, 0)).row()));
    QString error;
    if (!UsageCsv::write(path, rows, &error)) {
        UiViews::setStatus(m_summary, error, true);
        return false;
    }
    UiViews::setStatus(m_summary, tr("Exported %n call(s) to %1.", nullptr, int(rows.size())).arg(QDir::toNativeSeparators(path)));
    return true;
}

void UsagePage::sizeColumns()
{
    // Widths for typical values rather than for the rows at hand: the log
    // fills up live, and columns that resize on every insert would jump.
    const QFontMetrics fm = m_view->fontMetrics();
    const QFontMetrics hm = m_view->horizontalHeader()->fontMetrics();
    const std::pair<int, const char16_t *> samples[] = {
        {UsageModel::Time, u"2026-12-31 23:59:59"}, {UsageModel::Key, u"research-agent"},
        {UsageModel::RunStep, u"refactor-auth / 12"}, {UsageModel::Model, u"claude-sonnet-4-5"},
        {UsageModel::Provider, u"anthropic"},        {UsageModel::Tokens, u"12.3k / 4.1k"},
        {UsageModel::Cost, u"$0.000141"},            {UsageModel::Saved, u"$0.0012"},
        {UsageModel::Cache, u"hit"},                 {UsageModel::Status, u"200"},
        {UsageModel::Error, u"model_not_found"},     {UsageModel::Latency, u"1234 ms"},
        {UsageModel::Overhead, u"12.3 ms"},
    };
    for (const auto &[column, sample] : samples) {
        const QString header = m_model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
        const int width = std::max(fm.horizontalAdvance(QString::fromUtf16(sample)), hm.horizontalAdvance(header));
        m_view->horizontalHeader()->resizeSection(column, width + 10);
    }
}

void UsagePage::updateSummary()
{
    const int n = m_model->rowCount();
    QString text = tr("%n call(s) shown, %1 in total.", nullptr, n).arg(UiFormat::money(m_model->totalCost()));
    const int limit = m_model->query().limit;
    if (limit > 0 && n >= limit)
        text += u' ' + tr("Showing the newest %1: narrow the filters to see older calls.").arg(limit);
    if (n == 0)
        text = tr("No calls match. Calls through a Tollgate key or run appear here as they finish.");
    UiViews::setStatus(m_summary, text);
    m_exportButton->setEnabled(n > 0);
}
