#pragma once

// The runs: calls grouped by run id, each with a spend budget, a time
// budget counted from its first call, and a kill switch. A run whose time
// budget runs out is marked budget_exceeded at that moment (a precise
// timer), and runExpired() tells the gateway to cut its live streams.
//
//   RunRecord &run = runs.touch(id, keyId, defaultBudget, now);
//   const QString step = runs.takeStep(run);

#include "core/runrecord.h"
#include "core/tokenusage.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <optional>

class RunRegistry : public QObject
{
    Q_OBJECT
public:
    explicit RunRegistry(QObject *parent = nullptr);

    void load(const QList<RunRecord> &runs);

    RunRecord *find(const QString &id);
    const RunRecord *find(const QString &id) const;
    QList<RunRecord> all() const;

    // The run, created on its first call with the given budgets.
    RunRecord &touch(const QString &id, std::optional<qint64> keyId, double budgetUsd, double timeBudgetS,
                     const QDateTime &now);
    QString takeStep(RunRecord &run);

    // A finished call's usage and settled cost.
    void recordCall(const QString &id, const TokenUsage &usage, double cost, const QDateTime &when);

    bool kill(const QString &id);
    bool setBudget(const QString &id, std::optional<double> budgetUsd, std::optional<double> timeBudgetS);

    // Whether the run's time budget has run out at now.
    static bool timeExpired(const RunRecord &run, const QDateTime &now);

Q_SIGNALS:
    void runChanged(const RunRecord &run);
    // The run's time budget ran out; its live streams must be cut.
    void runExpired(const QString &id);
    // The run's spend reached its budget.
    void runOverBudget(const QString &id);

private:
    void armDeadline(const RunRecord &run);
    void onDeadline(const QString &id);
    void updateBudgetState(RunRecord &run);

    QHash<QString, RunRecord> m_runs;
    QHash<QString, QTimer *> m_deadlines;
};
