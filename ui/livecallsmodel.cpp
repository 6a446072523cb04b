#include "livecallsmodel.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

LiveCallsModel::LiveCallsModel(QObject *parent) : QAbstractTableModel(parent) {}

int LiveCallsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_calls.size());
}

int LiveCallsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LiveCallsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const LiveCall &c = m_calls.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Model: return c.model;
        case Provider: return c.provider;
        case Key: return c.keyName.isEmpty() ? (c.keyId ? QString::number(*c.keyId) : u"—"_s) : c.keyName;
        case Run: return c.runId.isEmpty() ? u"—"_s : QString(c.runId + u" / "_s + c.stepId);
        case Tokens: return QString(QString::number(c.usage.inputTokens + c.usage.cacheReadTokens) + u" in · "_s
                                    + QString::number(c.usage.outputTokens) + u" out"_s);
        case Cost: return QString(u"$"_s + QString::number(c.cost, 'f', 6));
        case Elapsed:
            return QString(QString::number(c.startedAt.msecsTo(QDateTime::currentDateTimeUtc()) / 1000.0, 'f', 1) + u" s"_s);
        }
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Tokens || index.column() == Cost || index.column() == Elapsed))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant LiveCallsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Model: return tr("Model");
    case Provider: return tr("Provider");
    case Key: return tr("Key");
    case Run: return tr("Run / step");
    case Tokens: return tr("Tokens");
    case Cost: return tr("Cost");
    case Elapsed: return tr("Elapsed");
    }
    return {};
}

int LiveCallsModel::rowOf(const QString &requestId) const
{
    for (int i = 0; i < m_calls.size(); ++i) {
        if (m_calls.at(i).requestId == requestId)
            return i;
    }
    return -1;
}

void LiveCallsModel::callStarted(const LiveCall &call)
{
    if (rowOf(call.requestId) >= 0)
        return;
    beginInsertRows({}, int(m_calls.size()), int(m_calls.size()));
    m_calls.append(call);
    endInsertRows();
}

void LiveCallsModel::callsUpdated(const QList<LiveCall> &calls)
{
    for (const LiveCall &c : calls) {
        const int row = rowOf(c.requestId);
        if (row < 0) {
            callStarted(c);
            continue;
        }
        m_calls[row] = c;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

void LiveCallsModel::callFinished(const QString &requestId)
{
    const int row = rowOf(requestId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_calls.removeAt(row);
    endRemoveRows();
}

double LiveCallsModel::totalCost() const
{
    double sum = 0;
    for (const LiveCall &c : m_calls)
        sum += c.cost;
    return sum;
}
