#include "runbudgetdialog.h"

#include "uiformat.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

RunBudgetDialog::RunBudgetDialog(const RunRecord &run, QWidget *parent) : QDialog(parent)
{
    setObjectName(u"runBudgetDialog"_s);
    setWindowTitle(tr("Budgets of run %1").arg(run.id));

    m_usd = new QDoubleSpinBox(this);
    m_usd->setObjectName(u"budgetUsd"_s);
    m_usd->setRange(0, 1e6);
    m_usd->setDecimals(4);
    m_usd->setSingleStep(0.1);
    m_usd->setPrefix(u"$"_s);
    m_usd->setSpecialValueText(tr("none"));
    m_usd->setValue(run.budgetUsd);
    m_usd->setAccessibleName(tr("Spend budget in dollars"));

    m_seconds = new QDoubleSpinBox(this);
    m_seconds->setObjectName(u"timeBudget"_s);
    m_seconds->setRange(0, 30 * 86400);
    m_seconds->setDecimals(0);
    m_seconds->setSingleStep(30);
    m_seconds->setSuffix(tr(" s"));
    m_seconds->setSpecialValueText(tr("none"));
    m_seconds->setValue(run.timeBudgetS);
    m_seconds->setAccessibleName(tr("Time budget in seconds"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Spend budget:"), m_usd);
    form->addRow(tr("&Time budget:"), m_seconds);

    const QString spent = UiFormat::money(run.spend);
    const QString running =
        UiFormat::duration(run.startedAt.isValid() ? run.startedAt.secsTo(QDateTime::currentDateTimeUtc()) : 0);
    auto *facts = new QLabel(run.calls == 1
                                 ? tr("Spent so far: %1 over 1 call; running for %2.").arg(spent, running)
                                 : tr("Spent so far: %1 over %2 calls; running for %3.")
                                       .arg(spent, QString::number(run.calls), running),
                             this);
    facts->setWordWrap(true);
    auto *hint = new QLabel(tr("Applies at once, to the run's streams in flight too. "
                               "A budget below what the run has spent stops it."),
                            this);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Apply"));
    buttons->button(QDialogButtonBox::Ok)->setObjectName(u"ok"_s);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(facts);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(buttons);
}

double RunBudgetDialog::budgetUsd() const
{
    return m_usd->value();
}

double RunBudgetDialog::timeBudgetS() const
{
    return m_seconds->value();
}
