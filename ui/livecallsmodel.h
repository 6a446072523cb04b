#pragma once

// The calls in flight, one row each, with tokens and cost updated as the
// gateway meters them. Fed by CallMonitor's signals (queued from the
// gateway thread); never reaches into the gateway itself.

#include "pipeline/livecall.h"

#include <QAbstractTableModel>
#include <QList>

class LiveCallsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Model, Provider, Key, Run, Tokens, Cost, Elapsed, ColumnCount };

    explicit LiveCallsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void callStarted(const LiveCall &call);
    void callsUpdated(const QList<LiveCall> &calls);
    void callFinished(const QString &requestId);

    const LiveCall &callAt(int row) const { return m_calls.at(row); }
    double totalCost() const;

private:
    int rowOf(const QString &requestId) const;
    QList<LiveCall> m_calls;
};
