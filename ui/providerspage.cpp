#include "providerspage.h"

#include "gatewayclient.h"
#include "pricesmodel.h"
#include "providersmodel.h"
#include "uiviews.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;


ProvidersPage::ProvidersPage(GatewayClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_providers(new ProvidersModel(client, this))
    , m_prices(new PricesModel(client, this))
    , m_pricesProxy(new QSortFilterProxyModel(this))
    , m_poll(new QTimer(this))
{
    setObjectName(u"providersPage"_s);
    setAccessibleName(tr("Providers and prices"));

    m_pricesProxy->setSourceModel(m_prices);
    m_pricesProxy->setSortRole(PricesModel::SortRole);
    m_pricesProxy->setFilterKeyColumn(PricesModel::Model);
    m_pricesProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_poll->setInterval(kPollMs);
    connect(m_poll, &QTimer::timeout, m_providers, &ProvidersModel::refresh);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(u"providersSplitter"_s);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(buildProvidersPanel());
    splitter->addWidget(buildPricesPanel());
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({220, 560});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_prices, &PricesModel::loaded, this, &ProvidersPage::updatePriceSummary);
    connect(m_prices, &PricesModel::rejected, this, [this](const QString &model, const QString &reason) {
        UiViews::setStatus(m_priceStatus, tr("%1: %2").arg(model, reason), true);
    });
    connect(m_prices, &QAbstractItemModel::dataChanged, this, &ProvidersPage::updatePriceSummary);

    setTabOrder(m_providersView, m_refreshButton);
    setTabOrder(m_refreshButton, m_filter);
    setTabOrder(m_filter, m_pricesView);
    setTabOrder(m_pricesView, m_newModel);
    setTabOrder(m_newModel, m_addModelButton);
    updatePriceSummary();
}

ProvidersPage::~ProvidersPage()
{
    // ~QWidget deletes the children (the models) after this class is gone;
    // their last signals must not reach our slots then.
    m_prices->disconnect(this);
    m_providers->disconnect(this);
}

QWidget *ProvidersPage::buildProvidersPanel()
{
    auto *panel = new QWidget;
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);

    m_providersView = new QTableView;
    m_providersView->setObjectName(u"providersView"_s);
    m_providersView->setAccessibleName(tr("Providers, in priority order"));
    m_providersView->setModel(m_providers);
    UiViews::prepareTable(m_providersView);
    m_providersView->verticalHeader()->setVisible(true);   // the priority
    m_providersView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    QHeaderView *h = m_providersView->horizontalHeader();
    for (int c : {ProvidersModel::Name, ProvidersModel::Kind, ProvidersModel::Health, ProvidersModel::Circuit,
                  ProvidersModel::Latency})
        h->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    h->resizeSection(ProvidersModel::BaseUrl, 240);
    h->resizeSection(ProvidersModel::Models, 200);

    m_refreshButton = new QPushButton(tr("&Refresh"));
    m_refreshButton->setObjectName(u"refreshProvidersButton"_s);
    m_refreshButton->setAccessibleName(tr("Refresh providers"));
    m_refreshButton->setToolTip(tr("Ask the gateway for the providers' health now (it refreshes every 2 s)"));
    connect(m_refreshButton, &QPushButton::clicked, m_providers, &ProvidersModel::refresh);
    connect(m_refreshButton, &QPushButton::clicked, m_prices, &PricesModel::refresh);

    auto *hint = UiViews::hint(tr("Tried in this order for the models they serve; on a retryable failure the next "
                               "one takes over. Providers are set in the configuration file."));

    auto *top = new QHBoxLayout;
    top->addWidget(UiViews::heading(tr("&Providers"), m_providersView));
    top->addStretch();
    top->addWidget(m_refreshButton);
    layout->addLayout(top);
    layout->addWidget(m_providersView, 1);
    layout->addWidget(hint);
    return panel;
}

QWidget *ProvidersPage::buildPricesPanel()
{
    auto *panel = new QWidget;
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);

    m_filter = new QLineEdit;
    m_filter->setObjectName(u"priceFilterEdit"_s);
    m_filter->setAccessibleName(tr("Filter models"));
    m_filter->setPlaceholderText(tr("Filter models…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(360);
    connect(m_filter, &QLineEdit::textChanged, m_pricesProxy, &QSortFilterProxyModel::setFilterFixedString);

    m_pricesView = new QTableView;
    m_pricesView->setObjectName(u"pricesView"_s);
    m_pricesView->setAccessibleName(tr("Prices in US dollars per million tokens"));
    m_pricesView->setModel(m_pricesProxy);
    UiViews::prepareTable(m_pricesView);
    m_pricesView->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_pricesView->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                                  | QAbstractItemView::AnyKeyPressed);
    m_pricesView->setSortingEnabled(true);
    m_pricesView->sortByColumn(-1, Qt::AscendingOrder);   // the model's order: unpriced first
    QHeaderView *h = m_pricesView->horizontalHeader();
    h->setSectionResizeMode(PricesModel::Model, QHeaderView::Stretch);
    h->setStretchLastSection(false);
    for (int c = PricesModel::Input; c < PricesModel::ColumnCount; ++c)
        h->resizeSection(c, 140);

    m_newModel = new QLineEdit;
    m_newModel->setObjectName(u"newPriceModelEdit"_s);
    m_newModel->setAccessibleName(tr("Model to price"));
    m_newModel->setPlaceholderText(tr("another model, e.g. llama3.1:8b"));
    m_newModel->setMinimumWidth(m_newModel->fontMetrics().horizontalAdvance(m_newModel->placeholderText()) + 24);
    m_addModelButton = new QPushButton(tr("&Add model"));
    m_addModelButton->setObjectName(u"addPriceModelButton"_s);
    m_addModelButton->setAccessibleName(tr("Add a model to the price table"));
    m_addModelButton->setEnabled(false);
    connect(m_newModel, &QLineEdit::textChanged, this,
            [this](const QString &text) { m_addModelButton->setEnabled(!text.trimmed().isEmpty()); });
    connect(m_newModel, &QLineEdit::returnPressed, this, &ProvidersPage::addModel);
    connect(m_addModelButton, &QPushButton::clicked, this, &ProvidersPage::addModel);

    m_priceStatus = new QLabel;
    m_priceStatus->setObjectName(u"priceStatus"_s);
    m_priceStatus->setWordWrap(true);

    auto *top = new QHBoxLayout;
    top->addWidget(UiViews::heading(tr("Pr&ices (USD per million tokens)"), m_pricesView));
    top->addStretch();
    top->addWidget(m_filter);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_priceStatus, 1);
    bottom->addWidget(m_newModel);
    bottom->addWidget(m_addModelButton);

    layout->addLayout(top);
    layout->addWidget(m_pricesView, 1);
    layout->addLayout(bottom);
    return panel;
}

void ProvidersPage::addModel()
{
    const QString model = m_newModel->text().trimmed();
    if (model.isEmpty())
        return;
    const int row = m_prices->addModel(model);
    m_newModel->clear();
    m_filter->clear();
    const QModelIndex at = m_pricesProxy->mapFromSource(m_prices->index(row, PricesModel::Input));
    m_pricesView->setCurrentIndex(at);
    m_pricesView->scrollTo(at);
    m_pricesView->setFocus();
    m_pricesView->edit(at);
}

void ProvidersPage::updatePriceSummary()
{
    const int unpriced = m_prices->unpricedCount();
    if (unpriced > 0)
        UiViews::setStatus(m_priceStatus,
                           tr("%n model(s) called without a price (billed $0), shown first: double-click to set a "
                              "price.", nullptr, unpriced));
    else
        UiViews::setStatus(m_priceStatus, tr("%n model(s) priced. Double-click a price to change it.", nullptr,
                                             m_prices->rowCount()));
}

void ProvidersPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_providers->refresh();
    m_poll->start();
}

void ProvidersPage::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poll->stop();
}
