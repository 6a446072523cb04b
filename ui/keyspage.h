#pragma once

// The Keys page: every key with its limits, spend and state; mint a key
// (the raw key is shown once), edit a key's limits, revoke one after a
// confirmation. Wires the view and its actions to GatewayClient.
//
//   stack->addWidget(new KeysPage(client, this));

#include <QWidget>

class GatewayClient;
class KeysModel;
class MintKeyFlow;
class QAction;
class QSortFilterProxyModel;
class QTableView;

class KeysPage : public QWidget
{
    Q_OBJECT
public:
    explicit KeysPage(GatewayClient *client, QWidget *parent = nullptr);

    KeysModel *model() const { return m_model; }

private:
    int selectedRow() const;   // in the source model, or -1
    void updateActions();
    void editSelected();
    void revokeSelected();

    GatewayClient *m_client;
    KeysModel *m_model;
    QSortFilterProxyModel *m_proxy;
    MintKeyFlow *m_mint;
    QTableView *m_view;
    QAction *m_mintAction;
    QAction *m_editAction;
    QAction *m_revokeAction;
};
