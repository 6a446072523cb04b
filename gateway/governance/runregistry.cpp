#include "runregistry.h"

RunRegistry::RunRegistry(QObject *parent) : QObject(parent) {}

void RunRegistry::load(const QList<RunRecord> &runs)
{
    for (const RunRecord &r : runs) {
        m_runs.insert(r.id, r);
        armDeadline(r);
    }
}

RunRecord *RunRegistry::find(const QString &id)
{
    auto it = m_runs.find(id);
    return it == m_runs.end() ? nullptr : &*it;
}

const RunRecord *RunRegistry::find(const QString &id) const
{
    auto it = m_runs.constFind(id);
    return it == m_runs.constEnd() ? nullptr : &*it;
}

QList<RunRecord> RunRegistry::all() const
{
    QList<RunRecord> out = m_runs.values();
    std::sort(out.begin(), out.end(), [](const RunRecord &a, const RunRecord &b) {
        return a.lastCallAt > b.lastCallAt;
    });
    return out;
}

RunRecord &RunRegistry::touch(const QString &id, std::optional<qint64> keyId, double budgetUsd, double timeBudgetS,
                              const QDateTime &now)
{
    auto it = m_runs.find(id);
    if (it == m_runs.end()) {
        RunRecord r;
        r.id = id;
        r.keyId = keyId;
        r.budgetUsd = budgetUsd;
        r.timeBudgetS = timeBudgetS;
        r.startedAt = now;
        r.lastCallAt = now;
        it = m_runs.insert(id, r);
        armDeadline(*it);
        Q_EMIT runChanged(*it);
    }
    return *it;
}

QString RunRegistry::takeStep(RunRecord &run)
{
    return QString::number(run.nextStep++);
}

void RunRegistry::recordCall(const QString &id, const TokenUsage &usage, double cost, const QDateTime &when)
{
    RunRecord *run = find(id);
    if (!run)
        return;
    ++run->calls;
    run->inputTokens += usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
    run->outputTokens += usage.outputTokens;
    run->spend += cost;
    run->lastCallAt = when;
    updateBudgetState(*run);
    Q_EMIT runChanged(*run);
}

void RunRegistry::updateBudgetState(RunRecord &run)
{
    if (run.state == RunRecord::State::Killed)
        return;
    const bool over = (run.budgetUsd > 0 && run.spend >= run.budgetUsd)
        || timeExpired(run, QDateTime::currentDateTimeUtc());
    const RunRecord::State before = run.state;
    run.state = over ? RunRecord::State::BudgetExceeded : RunRecord::State::Active;
    if (over && before != RunRecord::State::BudgetExceeded && run.budgetUsd > 0 && run.spend >= run.budgetUsd)
        Q_EMIT runOverBudget(run.id);
}

bool RunRegistry::kill(const QString &id)
{
    RunRecord *run = find(id);
    if (!run)
        return false;
    run->state = RunRecord::State::Killed;
    if (QTimer *t = m_deadlines.take(id)) {
        t->stop();
        t->deleteLater();
    }
    Q_EMIT runChanged(*run);
    return true;
}

bool RunRegistry::setBudget(const QString &id, std::optional<double> budgetUsd, std::optional<double> timeBudgetS)
{
    RunRecord *run = find(id);
    if (!run)
        return false;
    if (budgetUsd)
        run->budgetUsd = *budgetUsd;
    if (timeBudgetS)
        run->timeBudgetS = *timeBudgetS;
    updateBudgetState(*run);
    armDeadline(*run);
    Q_EMIT runChanged(*run);
    if (run->state == RunRecord::State::BudgetExceeded && timeExpired(*run, QDateTime::currentDateTimeUtc()))
        Q_EMIT runExpired(run->id);
    return true;
}

bool RunRegistry::timeExpired(const RunRecord &run, const QDateTime &now)
{
    return run.timeBudgetS > 0 && run.startedAt.isValid()
        && run.startedAt.msecsTo(now) >= qint64(run.timeBudgetS * 1000.0);
}

void RunRegistry::armDeadline(const RunRecord &run)
{
    // Stopped, not only deleted later: an overdue timer would otherwise still
    // fire before the deletion and expire the run on its old deadline.
    if (QTimer *old = m_deadlines.take(run.id)) {
        old->stop();
        old->deleteLater();
    }
    if (run.timeBudgetS <= 0 || run.state == RunRecord::State::Killed || !run.startedAt.isValid())
        return;
    const qint64 left = QDateTime::currentDateTimeUtc().msecsTo(run.startedAt.addMSecs(qint64(run.timeBudgetS * 1000.0)));
    if (left <= 0)
        return; // already over: refused on its next call
    auto *t = new QTimer(this);
    t->setSingleShot(true);
    t->setTimerType(Qt::PreciseTimer);
    const QString id = run.id;
    connect(t, &QTimer::timeout, this, [this, id] { onDeadline(id); });
    // QTimer takes an int: deadlines beyond ~24 days re-arm on reload.
    t->start(int(qMin<qint64>(left, std::numeric_limits<int>::max())));
    m_deadlines.insert(run.id, t);
}

void RunRegistry::onDeadline(const QString &id)
{
    if (QTimer *t = m_deadlines.take(id))
        t->deleteLater();
    RunRecord *run = find(id);
    if (!run || run->state == RunRecord::State::Killed)
        return;
    run->state = RunRecord::State::BudgetExceeded;
    Q_EMIT runChanged(*run);
    Q_EMIT runExpired(id);
}
