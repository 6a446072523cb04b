#include "runsmodel.h"

#include "core/keyrecord.h"
#include "core/usagerecord.h"
#include "gatewayclient.h"
#include "uiformat.h"

#include <QFont>

using namespace Qt::StringLiterals;

RunsModel::RunsModel(GatewayClient *client, QObject *parent) : QAbstractTableModel(parent)
{
    // Elapsed time of the runs with calls in flight moves without an event.
    m_ticker.setInterval(1000);
    connect(&m_ticker, &QTimer::timeout, this, &RunsModel::tick);
    m_ticker.start();
    if (!client)
        return;
    auto load = [this, client] {
        client->fetchKeys(this, [this](const QList<KeyRecord> &keys) {
            for (const KeyRecord &k : keys)
                setKeyName(k.id, k.name);
        });
        client->fetchRuns(this, [this](const QList<RunRecord> &runs) { reset(runs); });
    };
    connect(client, &GatewayClient::attached, this, load);
    connect(client, &GatewayClient::runChanged, this, &RunsModel::upsert);
    connect(client, &GatewayClient::keyChanged, this, [this](const KeyRecord &k) { setKeyName(k.id, k.name); });
    connect(client, &GatewayClient::callsStarted, this, &RunsModel::trackCalls);
    connect(client, &GatewayClient::callsUpdated, this, &RunsModel::trackCalls);
    connect(client, &GatewayClient::callsFinished, this, [this](const QList<UsageRecord> &records) {
        QList<QString> ids;
        ids.reserve(records.size());
        for (const UsageRecord &r : records)
            ids.append(r.requestId);
        untrackCalls(ids);
    });
    if (client->isAttached())
        load();
}

int RunsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags RunsModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    // A run that is already stopped has no kill switch to press.
    if (index.isValid() && index.column() == Kill && m_runs.at(index.row()).state != RunRecord::State::Active)
        f &= ~Qt::ItemIsEnabled;
    return f;
}

static double elapsedSeconds(const RunRecord &r, bool live)
{
    if (!r.startedAt.isValid())
        return 0;
    const QDateTime end = live || !r.lastCallAt.isValid() ? QDateTime::currentDateTimeUtc() : r.lastCallAt;
    return r.startedAt.msecsTo(end) / 1000.0;
}

static QString stateText(RunRecord::State s)
{
    switch (s) {
    case RunRecord::State::Active: return RunsModel::tr("Active");
    case RunRecord::State::Killed: return RunsModel::tr("Killed");
    case RunRecord::State::BudgetExceeded: return RunsModel::tr("Budget exceeded");
    }
    return {};
}

QVariant RunsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunRecord &r = m_runs.at(index.row());
    const int live = liveCalls(r.id);
    // Settled figures plus what the calls in flight have used so far.
    const TokenUsage inFlight = live ? liveUsage(r.id) : TokenUsage();
    const double spend = r.spend + (live ? liveCost(r.id) : 0.0);
    const qint64 input = r.inputTokens + inFlight.inputTokens + inFlight.cacheReadTokens + inFlight.cacheWriteTokens;
    const qint64 output = r.outputTokens + inFlight.outputTokens;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Run: return r.id;
        case Key:
            if (!r.keyId)
                return tr("pass-through");
            return m_keyNames.value(*r.keyId, u'#' + QString::number(*r.keyId));
        case State: return stateText(r.state);
        case Live: return live ? QString::number(live) : QString();
        case Calls: return QString::number(r.calls);
        case Tokens: return QString(UiFormat::count(input) + u" / "_s + UiFormat::count(output));
        case Spend: return UiFormat::money(spend);
        case Budget:
            if (r.budgetUsd <= 0)
                return tr("none");
            return tr("%1 (%2%)").arg(UiFormat::money(r.budgetUsd)).arg(qRound(100.0 * spend / r.budgetUsd));
        case TimeBudget: return r.timeBudgetS > 0 ? UiFormat::duration(r.timeBudgetS) : tr("none");
        case Elapsed: return UiFormat::duration(elapsedSeconds(r, live > 0));
        case LastCall: return UiFormat::whenShort(r.lastCallAt);
        case Kill: return tr("Kill");
        }
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Kill:
            return r.state == RunRecord::State::Active
                ? tr("Kill this run: cut its calls in flight now and refuse its later calls")
                : tr("This run is stopped");
        case Budget: return tr("Spend budget of the run; the percentage is what it has spent");
        case Live: return tr("Calls of this run in flight");
        case Tokens: return tr("%1 input tokens, %2 output tokens").arg(input).arg(output);
        case Spend:
            return live ? tr("%1 settled, %2 in flight").arg(UiFormat::money(r.spend), UiFormat::money(spend - r.spend))
                        : UiFormat::money(r.spend);
        case LastCall: return UiFormat::when(r.lastCallAt);
        default: return data(index, Qt::DisplayRole);
        }
    case Qt::AccessibleTextRole:
        if (index.column() == Kill)
            return tr("Kill run %1").arg(r.id);
        return data(index, Qt::DisplayRole);
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case Live: case Calls: case Tokens: case Spend: case Budget: case TimeBudget: case Elapsed:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        case Kill: return int(Qt::AlignCenter);
        default: break;
        }
        break;
    case Qt::FontRole:
        if (index.column() == State && r.state != RunRecord::State::Active) {
            QFont f;
            f.setBold(true);
            return f;
        }
        break;
    case IdRole: return r.id;
    case StateRole: return RunRecord::stateName(r.state);
    case LiveRole: return live;
    case SortRole:
        switch (index.column()) {
        case Live: return live;
        case Calls: return r.calls;
        case Tokens: return input + output;
        case Spend: return spend;
        case Budget: return r.budgetUsd;
        case TimeBudget: return r.timeBudgetS;
        case Elapsed: return elapsedSeconds(r, live > 0);
        case LastCall: return r.lastCallAt;
        default: return data(index, Qt::DisplayRole);
        }
    }
    return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Run: return tr("Run");
    case Key: return tr("Key");
    case State: return tr("State");
    case Live: return tr("Live");
    case Calls: return tr("Calls");
    case Tokens: return tr("Tokens in / out");
    case Spend: return tr("Spend");
    case Budget: return tr("Budget");
    case TimeBudget: return tr("Time budget");
    case Elapsed: return tr("Elapsed");
    case LastCall: return tr("Last call");
    case Kill: return QString();
    }
    return {};
}

void RunsModel::reset(const QList<RunRecord> &runs)
{
    beginResetModel();
    m_runs = runs;
    m_rows.clear();
    for (int i = 0; i < m_runs.size(); ++i)
        m_rows.insert(m_runs.at(i).id, i);
    endResetModel();
}

void RunsModel::upsert(const RunRecord &run)
{
    const int row = rowOfId(run.id);
    if (row >= 0) {
        m_runs[row] = run;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int at = int(m_runs.size());
    beginInsertRows({}, at, at);
    m_runs.append(run);
    m_rows.insert(run.id, at);
    endInsertRows();
}

void RunsModel::setKeyName(qint64 id, const QString &name)
{
    if (m_keyNames.value(id) == name)
        return;
    m_keyNames.insert(id, name);
    if (!m_runs.isEmpty())
        Q_EMIT dataChanged(index(0, Key), index(int(m_runs.size()) - 1, Key), {Qt::DisplayRole});
}

double RunsModel::liveCost(const QString &runId) const
{
    double sum = 0;
    for (const QString &id : m_live.value(runId))
        sum += m_calls.value(id).cost;
    return sum;
}

TokenUsage RunsModel::liveUsage(const QString &runId) const
{
    TokenUsage sum;
    for (const QString &id : m_live.value(runId)) {
        const TokenUsage u = m_calls.value(id).usage;
        sum.inputTokens += u.inputTokens;
        sum.outputTokens += u.outputTokens;
        sum.cacheReadTokens += u.cacheReadTokens;
        sum.cacheWriteTokens += u.cacheWriteTokens;
    }
    return sum;
}

void RunsModel::liveChanged(const QString &runId)
{
    // Live, tokens, spend and budget move together while calls stream.
    const int row = rowOfId(runId);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, Live), index(row, Budget));
}

void RunsModel::trackCalls(const QList<LiveCall> &calls)
{
    QSet<QString> touched;
    for (const LiveCall &c : calls) {
        const QString before = m_runOfCall.value(c.requestId);
        if (!c.runId.isEmpty())
            m_calls.insert(c.requestId, c);
        if (before == c.runId) {
            if (!c.runId.isEmpty())
                touched.insert(c.runId);   // its tokens and cost moved
            continue;
        }
        if (!before.isEmpty()) {
            m_live[before].remove(c.requestId);
            liveChanged(before);
        }
        if (c.runId.isEmpty()) {
            m_runOfCall.remove(c.requestId);
            m_calls.remove(c.requestId);
            continue;
        }
        m_runOfCall.insert(c.requestId, c.runId);
        m_live[c.runId].insert(c.requestId);
        liveChanged(c.runId);
    }
    for (const QString &run : std::as_const(touched))
        liveChanged(run);
}

void RunsModel::untrackCalls(const QList<QString> &requestIds)
{
    for (const QString &id : requestIds) {
        m_calls.remove(id);
        const QString run = m_runOfCall.take(id);
        if (run.isEmpty())
            continue;
        auto it = m_live.find(run);
        if (it != m_live.end()) {
            it->remove(id);
            if (it->isEmpty())
                m_live.erase(it);
        }
        liveChanged(run);
    }
}

void RunsModel::tick()
{
    for (auto it = m_live.cbegin(); it != m_live.cend(); ++it) {
        const int row = rowOfId(it.key());
        if (row >= 0)
            Q_EMIT dataChanged(index(row, Elapsed), index(row, Elapsed), {Qt::DisplayRole});
    }
}
