#pragma once

// A run: the calls of one agent task, grouped by X-Tollgate-Run-Id, with
// its budgets and state. Field names follow the contract's RUN record.

#include <QDateTime>
#include <QString>
#include <optional>

struct RunRecord
{
    enum class State { Active, Killed, BudgetExceeded };

    QString id;
    std::optional<qint64> keyId;
    qint64 calls = 0;
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    double spend = 0.0;
    double budgetUsd = 0.0;       // 0 = none
    double timeBudgetS = 0.0;     // 0 = none; counts from startedAt
    QDateTime startedAt;
    QDateTime lastCallAt;
    State state = State::Active;
    qint64 nextStep = 1;          // the step number given to the next call without a step id

    static QString stateName(State s)
    {
        switch (s) {
        case State::Active: return QStringLiteral("active");
        case State::Killed: return QStringLiteral("killed");
        case State::BudgetExceeded: return QStringLiteral("budget_exceeded");
        }
        return QStringLiteral("active");
    }
};
