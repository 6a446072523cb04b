#include "livecallsmodel.h"

#include "core/usagerecord.h"
#include "gatewayclient.h"
#include "uiformat.h"

#include <QDateTime>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

LiveCallsModel::LiveCallsModel(GatewayClient *client, QObject *parent) : QAbstractTableModel(parent)
{
    // Elapsed time is the one cell that changes without an event.
    m_elapsedTimer.setInterval(1000);
    connect(&m_elapsedTimer, &QTimer::timeout, this, &LiveCallsModel::tickElapsed);
    if (!client)
        return;
    connect(client, &GatewayClient::liveCallsChanged, this,
            [this](const QList<LiveCall> &started, const QList<LiveCall> &updated,
                   const QList<UsageRecord> &finished) {
                QList<QString> ids;
                ids.reserve(finished.size());
                for (const UsageRecord &r : finished)
                    ids.append(r.requestId);
                apply(started, updated, ids);
            });
    connect(client, &GatewayClient::attached, this, [this, client] {
        client->fetchLiveCalls(this, [this](const QList<LiveCall> &calls) { reset(calls); });
    });
    if (client->isAttached())
        client->fetchLiveCalls(this, [this](const QList<LiveCall> &calls) { reset(calls); });
}

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
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LiveCall &c = m_calls.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Model: return c.model.isEmpty() ? u"…"_s : c.model;
        case Provider: return c.provider.isEmpty() ? u"—"_s : c.provider;
        case Key: return c.keyName.isEmpty() ? (c.keyId ? u'#' + QString::number(*c.keyId) : u"—"_s) : c.keyName;
        case Run:
            return c.runId.isEmpty() ? u"—"_s
                                     : QString(c.runId + (c.stepId.isEmpty() ? QString() : u" · "_s + c.stepId));
        case Tokens:
            return QString(UiFormat::count(c.usage.inputTokens + c.usage.cacheReadTokens + c.usage.cacheWriteTokens)
                           + u" in · "_s + UiFormat::count(c.usage.outputTokens) + u" out"_s);
        case Cost: return UiFormat::money(c.cost);
        case Elapsed:
            return UiFormat::duration(c.startedAt.msecsTo(QDateTime::currentDateTimeUtc()) / 1000.0);
        case Kill: return tr("Kill");
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == Kill)
            return tr("Cut this call now: the client gets an error event and the upstream request is closed");
        if (index.column() == Model)
            return tr("%1 via %2 on %3%4")
                .arg(c.model, c.provider.isEmpty() ? tr("(routing)") : c.provider, c.endpoint,
                     c.stream ? tr(", streaming") : QString());
        return data(index, Qt::DisplayRole);
    case Qt::AccessibleTextRole:
        if (index.column() == Kill)
            return tr("Kill the call to %1").arg(c.model);
        return data(index, Qt::DisplayRole);
    case Qt::TextAlignmentRole:
        if (index.column() == Tokens || index.column() == Cost || index.column() == Elapsed)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        if (index.column() == Kill)
            return int(Qt::AlignCenter);
        break;
    case RequestIdRole: return c.requestId;
    case CostRole: return c.cost;
    case OutputTokensRole: return c.usage.outputTokens;
    case RunIdRole: return c.runId;
    }
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
    case Run: return tr("Run · step");
    case Tokens: return tr("Tokens");
    case Cost: return tr("Cost");
    case Elapsed: return tr("Elapsed");
    case Kill: return QString();
    }
    return {};
}

void LiveCallsModel::reindexFrom(int row)
{
    for (int i = row; i < m_calls.size(); ++i)
        m_rows.insert(m_calls.at(i).requestId, i);
}

void LiveCallsModel::reset(const QList<LiveCall> &calls)
{
    beginResetModel();
    m_calls.clear();
    m_rows.clear();
    for (const LiveCall &c : calls) {
        if (!m_rows.contains(c.requestId)) {
            m_rows.insert(c.requestId, int(m_calls.size()));
            m_calls.append(c);
        }
    }
    endResetModel();
    m_calls.isEmpty() ? m_elapsedTimer.stop() : m_elapsedTimer.start();
    Q_EMIT countChanged(int(m_calls.size()));
}

void LiveCallsModel::updateCall(const LiveCall &c)
{
    const int row = rowOf(c.requestId);
    if (row < 0)
        return;   // finished already, or started before we looked
    LiveCall &old = m_calls[row];
    // Only the cells that changed: streams change tokens and cost.
    int first = ColumnCount;
    int last = -1;
    auto touch = [&](int column, bool changed) {
        if (changed) {
            first = std::min(first, column);
            last = std::max(last, column);
        }
    };
    touch(Model, old.model != c.model);
    touch(Provider, old.provider != c.provider);
    touch(Key, old.keyName != c.keyName || old.keyId != c.keyId);
    touch(Run, old.runId != c.runId || old.stepId != c.stepId);
    touch(Tokens, !(old.usage == c.usage));
    touch(Cost, old.cost != c.cost);
    old = c;
    if (last >= 0)
        Q_EMIT dataChanged(index(row, first), index(row, last));
}

void LiveCallsModel::apply(const QList<LiveCall> &started, const QList<LiveCall> &updated,
                           const QList<QString> &finished)
{
    const qsizetype before = m_calls.size();
    for (const LiveCall &c : updated)
        updateCall(c);

    // Rows of the calls that ended, top to bottom; new calls take them first.
    QList<int> freed;
    for (const QString &id : finished) {
        const int row = rowOf(id);
        if (row >= 0) {
            freed.append(row);
            m_rows.remove(id);
        }
    }
    std::sort(freed.begin(), freed.end());
    QList<LiveCall> fresh;
    for (const LiveCall &c : started) {
        if (!m_rows.contains(c.requestId))
            fresh.append(c);
    }
    int reused = 0;
    for (; reused < std::min(freed.size(), fresh.size()); ++reused) {
        const int row = freed.at(reused);
        m_calls[row] = fresh.at(reused);
        m_rows.insert(fresh.at(reused).requestId, row);
        Q_EMIT rowReused(row);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }

    // Rows left over: removed from the bottom up, a contiguous range at a time.
    if (reused < freed.size()) {
        const QList<int> gone = freed.mid(reused);
        for (qsizetype i = gone.size() - 1; i >= 0;) {
            qsizetype j = i;
            while (j > 0 && gone.at(j - 1) == gone.at(j) - 1)
                --j;
            beginRemoveRows({}, gone.at(j), gone.at(i));
            m_calls.remove(gone.at(j), gone.at(i) - gone.at(j) + 1);
            endRemoveRows();
            i = j - 1;
        }
        reindexFrom(gone.constFirst());
    }
    // Calls left over: appended.
    if (reused < fresh.size()) {
        const int first = int(m_calls.size());
        beginInsertRows({}, first, first + int(fresh.size() - reused) - 1);
        for (qsizetype i = reused; i < fresh.size(); ++i) {
            m_rows.insert(fresh.at(i).requestId, int(m_calls.size()));
            m_calls.append(fresh.at(i));
        }
        endInsertRows();
    }
    if (m_calls.size() != before || reused) {
        m_calls.isEmpty() ? m_elapsedTimer.stop() : m_elapsedTimer.start();
        Q_EMIT countChanged(int(m_calls.size()));
    }
    Q_EMIT batchApplied();
}

void LiveCallsModel::tickElapsed()
{
    if (!m_calls.isEmpty())
        Q_EMIT dataChanged(index(0, Elapsed), index(int(m_calls.size()) - 1, Elapsed), {Qt::DisplayRole});
}

double LiveCallsModel::totalCost() const
{
    double sum = 0;
    for (const LiveCall &c : m_calls)
        sum += c.cost;
    return sum;
}

int LiveCallsModel::streamCount() const
{
    return int(std::count_if(m_calls.cbegin(), m_calls.cend(), [](const LiveCall &c) { return c.stream; }));
}
