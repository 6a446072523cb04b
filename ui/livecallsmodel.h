#pragma once

// The calls in flight, one row each, with tokens and cost updated as the
// gateway meters them (ten times a second, only the cells that changed),
// and a Kill column for the view's kill button. Fed by GatewayClient's
// batched signals; never reaches into the gateway itself. A call that
// starts and ends within one batch never gets a row, and a call that
// starts takes the row of one that just ended: rows stay where they are,
// so a busy gateway does not make the table jump (or relayout) ten times
// a second.
//
//   auto *model = new LiveCallsModel(client, this);
//   view->setModel(model);

#include "pipeline/livecall.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QTimer>

class GatewayClient;
struct UsageRecord;

class LiveCallsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Model, Provider, Key, Run, Tokens, Cost, Elapsed, Kill, ColumnCount };
    enum Role { RequestIdRole = Qt::UserRole + 1, CostRole, OutputTokensRole, RunIdRole };

    // client may be null (tests feed the model through the slots below).
    explicit LiveCallsModel(GatewayClient *client, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void reset(const QList<LiveCall> &calls);
    // One batch: calls that started, changed and ended (by request id).
    void apply(const QList<LiveCall> &started, const QList<LiveCall> &updated, const QList<QString> &finished);
    void callsStarted(const QList<LiveCall> &calls) { apply(calls, {}, {}); }
    void callsUpdated(const QList<LiveCall> &calls) { apply({}, calls, {}); }
    void callsFinished(const QList<QString> &requestIds) { apply({}, {}, requestIds); }

    const LiveCall &callAt(int row) const { return m_calls.at(row); }
    int rowOf(const QString &requestId) const { return m_rows.value(requestId, -1); }
    double totalCost() const;
    int streamCount() const;

Q_SIGNALS:
    // The number of calls in flight changed.
    void countChanged(int calls);
    // Row now shows another call than before (the one there ended): a view
    // drops its selection of it, so a kill never hits the wrong call.
    void rowReused(int row);
    // A batch was applied (ten a second at most): for figures derived from
    // the rows, so they repaint in the same frame.
    void batchApplied();

private:
    void updateCall(const LiveCall &c);
    void reindexFrom(int row);
    void tickElapsed();

    QList<LiveCall> m_calls;
    QHash<QString, int> m_rows;   // request id → row
    QTimer m_elapsedTimer;
};
