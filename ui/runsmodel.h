#pragma once

// The runs (an agent's task: calls grouped by X-Tollgate-Run-Id), one row
// each, with calls, tokens, spend against its budgets, elapsed time, state,
// the calls it has in flight, and a Kill column for the view's kill
// button. Loads the runs when the client attaches and follows
// GatewayClient::runChanged and the live-call batches.
//
//   auto *runs = new RunsModel(client, this);
//   view->setItemDelegateForColumn(RunsModel::Kill, killDelegate);

#include "core/runrecord.h"
#include "pipeline/livecall.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QTimer>

class GatewayClient;
struct KeyRecord;
struct UsageRecord;

class RunsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Run, Key, State, Live, Calls, Tokens, Spend, Budget, TimeBudget, Elapsed, LastCall, Kill,
                  ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1,
        SortRole,
        StateRole,      // "active", "killed", "budget_exceeded"
        LiveRole,       // calls in flight
    };

    explicit RunsModel(GatewayClient *client, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    void reset(const QList<RunRecord> &runs);
    void upsert(const RunRecord &run);
    void setKeyName(qint64 id, const QString &name);
    // Live calls, for the Live column: where each call in flight belongs.
    void trackCalls(const QList<LiveCall> &calls);
    void untrackCalls(const QList<QString> &requestIds);

    int rowOfId(const QString &id) const { return m_rows.value(id, -1); }
    const RunRecord &runAt(int row) const { return m_runs.at(row); }
    int liveCalls(const QString &runId) const { return int(m_live.value(runId).size()); }
    // What the run's calls in flight have used so far (not settled yet).
    double liveCost(const QString &runId) const;
    TokenUsage liveUsage(const QString &runId) const;

private:
    void liveChanged(const QString &runId);
    void tick();

    QList<RunRecord> m_runs;
    QHash<QString, int> m_rows;
    QHash<qint64, QString> m_keyNames;
    QHash<QString, QString> m_runOfCall;        // request id → run id
    QHash<QString, LiveCall> m_calls;           // request id → latest snapshot, for runs' calls
    QHash<QString, QSet<QString>> m_live;       // run id → request ids in flight
    QTimer m_ticker;
};
