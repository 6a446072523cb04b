#include "overviewpage.h"

#include "firstrunguide.h"
#include "gatewayclient.h"
#include "keysmodel.h"
#include "killbuttondelegate.h"
#include "livecallsmodel.h"
#include "mintkeyflow.h"
#include "snippetspanel.h"
#include "spendchart.h"
#include "spendtracker.h"
#include "statcard.h"
#include "uiformat.h"
#include "uiicons.h"

#include <QAction>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QStackedLayout>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

QGroupBox *section(const QString &title, const QString &name, QWidget *parent)
{
    auto *box = new QGroupBox(title, parent);
    box->setObjectName(name);
    box->setFlat(false);
    return box;
}

} // namespace

OverviewPage::OverviewPage(GatewayClient *client, SpendTracker *tracker, QWidget *parent)
    : QWidget(parent), m_client(client), m_tracker(tracker), m_live(new LiveCallsModel(client, this)),
      m_keys(new KeysModel(client, this)), m_mint(new MintKeyFlow(client, this))
{
    setObjectName(u"overviewPage"_s);

    // Figures
    m_today = new StatCard(u"todaySpend"_s, tr("Spend today"), this);
    m_month = new StatCard(u"monthSpend"_s, tr("Spend this month"), this);
    m_rate = new StatCard(u"requestRate"_s, tr("Requests per second"), this);
    m_streams = new StatCard(u"liveStreams"_s, tr("Calls in flight"), this);
    auto *cards = new QHBoxLayout;
    for (StatCard *c : {m_today, m_month, m_rate, m_streams})
        cards->addWidget(c);

    m_guide = new FirstRunGuide(client, this);
    m_guide->hide();

    // Live calls
    auto *liveBox = section(tr("Live calls"), u"liveBox"_s, this);
    m_liveView = new QTableView(liveBox);
    m_liveView->setObjectName(u"liveCalls"_s);
    m_liveView->setAccessibleName(tr("Calls in flight"));
    m_liveView->setModel(m_live);
    m_liveView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_liveView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_liveView->setAlternatingRowColors(true);
    m_liveView->setWordWrap(false);
    m_liveView->setMouseTracking(true);
    m_liveView->verticalHeader()->hide();
    m_liveView->horizontalHeader()->setHighlightSections(false);
    m_liveView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_liveView->horizontalHeader()->setSectionResizeMode(LiveCallsModel::Run, QHeaderView::Stretch);
    m_liveView->verticalHeader()->setDefaultSectionSize(m_liveView->fontMetrics().height() + 12);
    // Widths from what the cells hold (not ResizeToContents: that would
    // measure every row on every update, ten times a second).
    const QFontMetrics fm = m_liveView->fontMetrics();
    const auto fit = [&](const QString &sample) { return fm.horizontalAdvance(sample) + 20; };
    m_liveView->setColumnWidth(LiveCallsModel::Model, fit(u"claude-sonnet-4"_s));
    m_liveView->setColumnWidth(LiveCallsModel::Key, fit(u"research-agent"_s));
    m_liveView->setColumnWidth(LiveCallsModel::Tokens, fit(u"12.3k in · 12.3k out"_s));
    m_liveView->setColumnWidth(LiveCallsModel::Cost, fit(u"$0.000000"_s));
    m_liveView->setColumnWidth(LiveCallsModel::Elapsed, fit(u"9 min 59 s"_s));
    m_liveView->setColumnWidth(LiveCallsModel::Kill, fm.horizontalAdvance(tr("Kill")) + fm.height() + 40);
    m_liveView->horizontalHeader()->setSectionResizeMode(LiveCallsModel::Kill, QHeaderView::Fixed);
    // The provider is in the Model cell's tooltip; the row has no room for it.
    m_liveView->hideColumn(LiveCallsModel::Provider);
    // A row that now shows another call is no longer the one selected.
    connect(m_live, &LiveCallsModel::rowReused, this, [this](int row) {
        if (m_liveView->currentIndex().row() == row || m_liveView->selectionModel()->isRowSelected(row)) {
            m_liveView->selectionModel()->clear();
        }
    });
    auto *killDelegate = new KillButtonDelegate(m_liveView);
    m_liveView->setItemDelegateForColumn(LiveCallsModel::Kill, killDelegate);
    connect(killDelegate, &KillButtonDelegate::clicked, this, [this](const QModelIndex &index) {
        m_client->cutCall(index.data(LiveCallsModel::RequestIdRole).toString());
    });
    m_liveEmpty = new QLabel(tr("No calls in flight. Calls appear here as they stream, with tokens and cost "
                                "ticking."),
                             liveBox);
    m_liveEmpty->setObjectName(u"liveEmpty"_s);
    m_liveEmpty->setAlignment(Qt::AlignCenter);
    m_liveEmpty->setWordWrap(true);
    m_liveEmpty->setForegroundRole(QPalette::PlaceholderText);
    auto *liveStack = new QStackedLayout;
    liveStack->addWidget(m_liveEmpty);
    liveStack->addWidget(m_liveView);
    auto *liveLayout = new QVBoxLayout(liveBox);
    liveLayout->addLayout(liveStack);
    // The running total of the calls in flight moves with every token:
    // refresh it once per batch, in the same frame as the rows.
    connect(m_live, &LiveCallsModel::batchApplied, this, [this] { showLiveCount(m_live->rowCount()); });
    connect(m_live, &LiveCallsModel::countChanged, this, [this, liveStack](int n) {
        liveStack->setCurrentWidget(n ? static_cast<QWidget *>(m_liveView) : m_liveEmpty);
    });
    auto *kill = new QAction(UiIcons::get(u"kill"), tr("&Kill the selected call"), this);
    kill->setObjectName(u"killCall"_s);
    kill->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    connect(kill, &QAction::triggered, this, &OverviewPage::killSelected);
    addAction(kill);

    // Spend over time
    auto *chartBox = section(tr("Spend, last 30 days"), u"chartBox"_s, this);
    m_chart = new SpendChart(chartBox);
    m_chart->setObjectName(u"spendChart"_s);
    (new QVBoxLayout(chartBox))->addWidget(m_chart);

    // Spend per key
    auto *keyBox = section(tr("Spend by key, this month"), u"keySpendBox"_s, this);
    auto *byKey = new QSortFilterProxyModel(this);
    byKey->setSourceModel(m_keys);
    byKey->setSortRole(KeysModel::SortRole);
    byKey->setFilterRole(KeysModel::StateRole);
    byKey->setFilterKeyColumn(KeysModel::State);
    byKey->setFilterFixedString(u"active"_s);
    byKey->setDynamicSortFilter(true);
    byKey->sort(KeysModel::SpendMonth, Qt::DescendingOrder);
    m_keySpend = new QTableView(keyBox);
    m_keySpend->setObjectName(u"keySpend"_s);
    m_keySpend->setAccessibleName(tr("Spend by key this month"));
    m_keySpend->setModel(byKey);
    m_keySpend->verticalHeader()->hide();
    m_keySpend->setSelectionMode(QAbstractItemView::NoSelection);
    m_keySpend->setFocusPolicy(Qt::NoFocus);
    m_keySpend->setAlternatingRowColors(true);
    m_keySpend->setWordWrap(false);
    for (int c = 0; c < KeysModel::ColumnCount; ++c) {
        if (c != KeysModel::Name && c != KeysModel::SpendMonth && c != KeysModel::SpendCaps
            && c != KeysModel::SpendTotal)
            m_keySpend->hideColumn(c);
    }
    m_keySpend->horizontalHeader()->setSectionResizeMode(KeysModel::Name, QHeaderView::Stretch);
    m_keySpend->horizontalHeader()->setSectionResizeMode(KeysModel::SpendCaps, QHeaderView::ResizeToContents);
    m_keySpend->horizontalHeader()->setSectionResizeMode(KeysModel::SpendMonth, QHeaderView::ResizeToContents);
    m_keySpend->horizontalHeader()->setSectionResizeMode(KeysModel::SpendTotal, QHeaderView::ResizeToContents);
    (new QVBoxLayout(keyBox))->addWidget(m_keySpend);

    // Where to point clients
    auto *connectBox = section(tr("Connect a client"), u"connectBox"_s, this);
    m_snippets = new SnippetsPanel(client, connectBox);
    auto *connectLayout = new QVBoxLayout(connectBox);
    connectLayout->addWidget(m_snippets);
    connectLayout->addStretch(1);

    auto *middle = new QHBoxLayout;
    middle->addWidget(liveBox, 5);
    middle->addWidget(chartBox, 2);
    m_bottom = new QWidget(this);
    auto *bottom = new QHBoxLayout(m_bottom);
    bottom->setContentsMargins(0, 0, 0, 0);
    bottom->addWidget(keyBox, 2);
    bottom->addWidget(connectBox, 3);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(cards);
    layout->addWidget(m_guide);
    layout->addLayout(middle, 2);
    layout->addWidget(m_bottom, 1);

    // Wiring
    connect(m_tracker, &SpendTracker::changed, this, &OverviewPage::showSpend);
    connect(m_tracker, &SpendTracker::rateChanged, this, [this](double rps) {
        m_rate->setValue(QString::number(rps, 'f', rps < 10 ? 1 : 0), tr("over the last %1 s")
                                                                           .arg(SpendTracker::kRateWindowMs / 1000));
    });
    connect(m_keys, &KeysModel::loaded, this, &OverviewPage::updateGuide);
    connect(m_keys, &QAbstractItemModel::rowsInserted, this, &OverviewPage::updateGuide);
    connect(m_keys, &QAbstractItemModel::dataChanged, this, &OverviewPage::updateGuide);
    connect(m_guide, &FirstRunGuide::mintRequested, m_mint, &MintKeyFlow::start);
    connect(m_guide, &FirstRunGuide::sampleRequested, this, &OverviewPage::sendSample);
    connect(m_guide, &FirstRunGuide::dismissRequested, this, [this] {
        m_guideDismissed = true;
        updateGuide();
    });
    // Once a key of the user's own is minted, the guide has done its job.
    connect(m_mint, &MintKeyFlow::minted, this, [this] {
        m_guideDismissed = true;
        updateGuide();
    });

    showSpend();
    showLiveCount(0);
    m_rate->setValue(u"0.0"_s, tr("over the last %1 s").arg(SpendTracker::kRateWindowMs / 1000));
}

void OverviewPage::showSpend()
{
    if (!m_tracker->isLoaded()) {
        m_today->setValue(u"—"_s, tr("reading the ledger…"));
        m_month->setValue(u"—"_s);
        return;
    }
    const qint64 calls = m_tracker->callsToday();
    m_today->setValue(UiFormat::money(m_tracker->today()), calls == 1 ? tr("1 call") : tr("%1 calls").arg(calls));
    const qsizetype keys = m_tracker->monthByKey().size();
    m_month->setValue(UiFormat::money(m_tracker->month()),
                      keys == 1 ? tr("1 key with spend") : tr("%1 keys with spend").arg(keys));
    m_chart->setDays(m_tracker->byDay());
}

void OverviewPage::showLiveCount(int calls)
{
    const int streams = m_live->streamCount();
    m_streams->setValue(QString::number(calls),
                        tr("%1 streaming · %2 so far").arg(streams).arg(UiFormat::money(m_live->totalCost())));
}

void OverviewPage::updateGuide()
{
    // Shown while the user has no key of their own (the sample key does not count).
    const bool show = m_keys->isLoaded() && !m_guideDismissed && m_keys->activeCount(false) == 0;
    m_guide->setVisible(show);
    // The guide says where to connect; with no keys there is no spend per key.
    m_bottom->setVisible(!show);
}

void OverviewPage::killSelected()
{
    const QModelIndex current = m_liveView->currentIndex();
    if (current.isValid())
        m_client->cutCall(current.data(LiveCallsModel::RequestIdRole).toString());
}

void OverviewPage::sendSample()
{
    m_guide->setSampleBusy(true);
    m_guide->setSampleStatus(tr("Sending…"), false);
    m_client->sendSampleRequest(this, [this](const QString &error) {
        m_guide->setSampleBusy(false);
        m_guide->setSampleStatus(error.isEmpty() ? tr("Done: see its cost in the figures above.") : error,
                                 !error.isEmpty());
    });
}
