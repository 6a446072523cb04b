#include "keyspage.h"

#include "gatewayclient.h"
#include "keydialog.h"
#include "keysmodel.h"
#include "mintkeyflow.h"
#include "uiicons.h"
#include "uiviews.h"

#include <QAction>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;


KeysPage::KeysPage(GatewayClient *client, QWidget *parent)
    : QWidget(parent), m_client(client), m_model(new KeysModel(client, this)),
      m_proxy(new QSortFilterProxyModel(this)), m_mint(new MintKeyFlow(client, this))
{
    setObjectName(u"keysPage"_s);

    m_mintAction = new QAction(UiIcons::get(u"mint"), tr("&Mint key…"), this);
    m_mintAction->setObjectName(u"mintKey"_s);
    m_mintAction->setShortcut(QKeySequence::New);
    m_mintAction->setToolTip(tr("Mint a new key (%1)").arg(m_mintAction->shortcut().toString(QKeySequence::NativeText)));
    m_editAction = new QAction(UiIcons::get(u"edit"), tr("&Edit limits…"), this);
    m_editAction->setObjectName(u"editKey"_s);
    m_editAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_revokeAction = new QAction(UiIcons::get(u"revoke"), tr("&Revoke…"), this);
    m_revokeAction->setObjectName(u"revokeKey"_s);
    m_revokeAction->setShortcut(QKeySequence::Delete);
    for (QAction *a : {m_mintAction, m_editAction, m_revokeAction})
        addAction(a);
    connect(m_mintAction, &QAction::triggered, m_mint, &MintKeyFlow::start);
    connect(m_editAction, &QAction::triggered, this, &KeysPage::editSelected);
    connect(m_revokeAction, &QAction::triggered, this, &KeysPage::revokeSelected);

    auto *filter = new QLineEdit(this);
    filter->setObjectName(u"keyFilter"_s);
    filter->setPlaceholderText(tr("Filter by name"));
    filter->setClearButtonEnabled(true);
    filter->setAccessibleName(tr("Filter keys by name"));
    auto *showRevoked = new QCheckBox(tr("Show re&voked"), this);
    showRevoked->setObjectName(u"showRevoked"_s);
    showRevoked->setChecked(true);

    auto *bar = new QHBoxLayout;
    bar->addWidget(UiViews::actionButton(m_mintAction, this));
    bar->addWidget(UiViews::actionButton(m_editAction, this));
    bar->addWidget(UiViews::actionButton(m_revokeAction, this));
    bar->addStretch(1);
    bar->addWidget(filter);
    bar->addWidget(showRevoked);

    // Two filters in a row: revoked keys (State column), then the name.
    auto *byState = new QSortFilterProxyModel(this);
    byState->setSourceModel(m_model);
    byState->setFilterRole(KeysModel::StateRole);
    byState->setFilterKeyColumn(KeysModel::State);
    m_proxy->setSourceModel(byState);
    m_proxy->setSortRole(KeysModel::SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(KeysModel::Name);
    m_proxy->setDynamicSortFilter(true);
    connect(filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_view = new QTableView(this);
    m_view->setObjectName(u"keysView"_s);
    m_view->setAccessibleName(tr("API keys"));
    m_view->setModel(m_proxy);
    UiViews::prepareTable(m_view);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(KeysModel::Created, Qt::DescendingOrder);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addAction(m_editAction);
    m_view->addAction(m_revokeAction);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 10);
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(false);   // the models column takes the room
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(KeysModel::Models, QHeaderView::Stretch);
    connect(m_view, &QTableView::activated, this, &KeysPage::editSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &KeysPage::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &KeysPage::updateActions);
    connect(showRevoked, &QCheckBox::toggled, byState, [byState](bool show) {
        byState->setFilterFixedString(show ? QString() : u"active"_s);
    });

    auto *hint = UiViews::hint(tr("Keys start with <code>tg-</code>. Clients send one as "
                               "<code>Authorization: Bearer …</code> or <code>x-api-key</code>; "
                               "the providers' own credentials stay in Tollgate's configuration."), this);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    layout->addWidget(hint);

    setTabOrder(m_view, filter);
    setTabOrder(filter, showRevoked);
    updateActions();
}

int KeysPage::selectedRow() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return -1;
    auto *byState = static_cast<QSortFilterProxyModel *>(m_proxy->sourceModel());
    return byState->mapToSource(m_proxy->mapToSource(rows.constFirst())).row();
}

void KeysPage::updateActions()
{
    const int row = selectedRow();
    const bool live = row >= 0 && !m_model->keyAt(row).revoked;
    m_editAction->setEnabled(live);
    m_revokeAction->setEnabled(live);
}

void KeysPage::editSelected()
{
    const int row = selectedRow();
    if (row < 0 || m_model->keyAt(row).revoked)
        return;
    const KeyRecord key = m_model->keyAt(row);
    auto *dialog = new KeyDialog(KeyDialog::Mode::Edit, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSettings(key);
    connect(dialog, &QDialog::accepted, this, [this, dialog, id = key.id] {
        m_client->updateKey(id, dialog->settings());
    });
    dialog->open();
}

void KeysPage::revokeSelected()
{
    const int row = selectedRow();
    if (row < 0 || m_model->keyAt(row).revoked)
        return;
    const KeyRecord key = m_model->keyAt(row);
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Revoke key “%1”?").arg(key.name),
                                tr("Revoke the key “%1” (%2…)?").arg(key.name, key.prefix), QMessageBox::NoButton,
                                this);
    box->setObjectName(u"confirmRevoke"_s);
    box->setInformativeText(tr("Calls with this key are refused from now on, and its streams in flight are cut. "
                               "This cannot be undone."));
    QPushButton *revoke = box->addButton(tr("&Revoke"), QMessageBox::DestructiveRole);
    revoke->setObjectName(u"confirmRevokeButton"_s);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, revoke, id = key.id](QAbstractButton *clicked) {
        if (clicked == revoke)
            m_client->revokeKey(id);
    });
    box->open();
}
