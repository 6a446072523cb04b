#pragma once

// The form for a run's budgets: spend (USD) and time (seconds from the
// run's first call); 0 means none. A form only: RunsPage applies it.
//
//   auto *dialog = new RunBudgetDialog(run, this);
//   connect(dialog, &QDialog::accepted, this, [=] { client->setRunBudget(run.id, dialog->budgetUsd(), dialog->timeBudgetS()); });

#include "core/runrecord.h"

#include <QDialog>

class QDoubleSpinBox;

class RunBudgetDialog : public QDialog
{
    Q_OBJECT
public:
    explicit RunBudgetDialog(const RunRecord &run, QWidget *parent = nullptr);

    double budgetUsd() const;
    double timeBudgetS() const;

private:
    QDoubleSpinBox *m_usd;
    QDoubleSpinBox *m_seconds;
};
