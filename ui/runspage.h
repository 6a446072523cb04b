#pragma once

// The Runs page: active and recent runs with calls, tokens, spend against
// budgets, elapsed time and state; a kill switch on every run (a button in
// its row, or Ctrl+K on the selection) that cuts its calls in flight at
// once; set or change a run's budgets. Wires the view to GatewayClient.
//
//   stack->addWidget(new RunsPage(client, this));

#include <QWidget>

class GatewayClient;
class QAction;
class QSortFilterProxyModel;
class QTableView;
class RunsModel;

class RunsPage : public QWidget
{
    Q_OBJECT
public:
    explicit RunsPage(GatewayClient *client, QWidget *parent = nullptr);

    RunsModel *model() const { return m_model; }

private:
    QString selectedRun() const;
    void updateActions();
    void editBudget();

    GatewayClient *m_client;
    RunsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QAction *m_kill;
    QAction *m_budget;
};
