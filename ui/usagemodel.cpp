#include "usagemodel.h"

#include "gatewayclient.h"
#include "uiformat.h"
#include "uiviews.h"

#include <QBrush>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
// Live records kept to merge into a query's answer: the store commits its
// rows in batches, so a query may miss the calls that settled just before it.
constexpr qsizetype kRecentKept = 500;
}

UsageModel::UsageModel(GatewayClient *client, QObject *parent) : QAbstractTableModel(parent), m_client(client)
{
    if (!client)
        return;
    auto load = [this] {
        refresh();
        m_client->fetchKeys(this, [this](const QList<KeyRecord> &keys) {
            for (const KeyRecord &k : keys)
                m_keyNames.insert(k.id, k.name);
            if (!m_records.isEmpty())
                Q_EMIT dataChanged(index(0, Key), index(rowCount() - 1, Key));
        });
    };
    connect(client, &GatewayClient::attached, this, load);
    connect(client, &GatewayClient::callsFinished, this, &UsageModel::addFinished);
    connect(client, &GatewayClient::keyChanged, this, [this](const KeyRecord &k) {
        if (m_keyNames.value(k.id) == k.name && m_keyNames.contains(k.id))
            return;
        m_keyNames.insert(k.id, k.name);
        if (!m_records.isEmpty())
            Q_EMIT dataChanged(index(0, Key), index(rowCount() - 1, Key));
    });
    if (client->isAttached())
        load();
}

bool UsageModel::matches(const Store::UsageQuery &q, const UsageRecord &r)
{
    if (!r.governed)
        return false;   // the ledger keeps only calls that reached a key or a run
    if (q.keyId && r.keyId != q.keyId)
        return false;
    if (!q.runId.isEmpty() && r.runId != q.runId)
        return false;
    if (!q.model.isEmpty() && r.model != q.model)
        return false;
    if (q.since.isValid() && r.time < q.since)
        return false;
    if (q.until.isValid() && r.time >= q.until)
        return false;
    if (q.errorsOnly && r.error.isEmpty())
        return false;
    return true;
}

void UsageModel::setQuery(const Store::UsageQuery &query)
{
    m_query = query;
    refresh();
}

void UsageModel::refresh()
{
    if (!m_client)
        return;
    const quint64 seq = ++m_querySeq;
    m_loading = true;
    m_client->queryUsage(m_query, this, [this, seq](const QList<UsageRecord> &rows) {
        if (seq != m_querySeq)
            return;   // the filter changed while this was out
        m_loading = false;
        QList<UsageRecord> merged = rows;
        QSet<QString> ids;
        for (const UsageRecord &r : rows)
            ids.insert(r.requestId);
        bool added = false;
        for (const UsageRecord &r : std::as_const(m_recent)) {
            if (!ids.contains(r.requestId) && matches(m_query, r)) {
                merged.append(r);
                ids.insert(r.requestId);
                added = true;
            }
        }
        if (added) {
            std::stable_sort(merged.begin(), merged.end(),
                             [](const UsageRecord &a, const UsageRecord &b) { return a.time > b.time; });
            if (m_query.limit > 0 && merged.size() > m_query.limit)
                merged.resize(m_query.limit);
        }
        reset(merged);
    });
}

void UsageModel::reset(const QList<UsageRecord> &records)
{
    beginResetModel();
    m_records = records;
    m_requestIds.clear();
    for (const UsageRecord &r : std::as_const(m_records))
        m_requestIds.insert(r.requestId);
    endResetModel();
    Q_EMIT loaded();
}

void UsageModel::addFinished(const QList<UsageRecord> &records)
{
    QList<UsageRecord> fresh;
    for (const UsageRecord &r : records) {
        if (!r.governed)
            continue;
        m_recent.append(r);
        if (m_live && matches(m_query, r) && !m_requestIds.contains(r.requestId))
            fresh.prepend(r);   // newest first
    }
    if (m_recent.size() > kRecentKept)
        m_recent.remove(0, m_recent.size() - kRecentKept);
    if (fresh.isEmpty())
        return;
    beginInsertRows({}, 0, int(fresh.size()) - 1);
    for (const UsageRecord &r : std::as_const(fresh))
        m_requestIds.insert(r.requestId);
    m_records = fresh + m_records;
    endInsertRows();
    if (m_query.limit > 0 && m_records.size() > m_query.limit) {
        beginRemoveRows({}, m_query.limit, int(m_records.size()) - 1);
        for (qsizetype i = m_query.limit; i < m_records.size(); ++i)
            m_requestIds.remove(m_records.at(i).requestId);
        m_records.resize(m_query.limit);
        endRemoveRows();
    }
    Q_EMIT rowsAdded(int(fresh.size()));
}

QString UsageModel::keyName(const std::optional<qint64> &keyId) const
{
    if (!keyId)
        return {};
    const QString name = m_keyNames.value(*keyId);
    return name.isEmpty() ? u"#"_s + QString::number(*keyId) : name;
}

double UsageModel::totalCost() const
{
    double sum = 0;
    for (const UsageRecord &r : m_records)
        sum += r.cost;
    return sum;
}

int UsageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int UsageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QString millis(double ms)
{
    return QString::number(ms, 'f', ms < 10 ? 1 : 0) + u" ms"_s;
}

QVariant UsageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UsageRecord &r = m_records.at(index.row());
    const bool failed = !r.error.isEmpty() || r.status >= 400;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return r.time.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
        case Key: return r.keyId ? keyName(r.keyId) : tr("—");
        case RunStep:
            return r.runId.isEmpty() ? tr("—") : r.stepId.isEmpty() ? r.runId : QString(r.runId + u" / "_s + r.stepId);
        case Model: return r.model;
        case Provider: return r.provider;
        case Tokens:
            return QString((r.estimated ? u"~"_s : QString()) + UiFormat::count(r.inputTokens + r.cacheReadTokens
                                                                                 + r.cacheWriteTokens)
                           + u" / "_s + UiFormat::count(r.outputTokens));
        case Cost: return r.unpriced ? tr("unpriced") : UiFormat::money(r.cost);
        case Saved: return r.savedCost > 0 ? UiFormat::money(r.savedCost) : QString();
        case Cache: return r.cached ? tr("hit") : QString();
        case Status: return r.status ? QString::number(r.status) : tr("—");
        case Error: return r.error;
        case Latency: return millis(r.latencyMs);
        case Overhead: return millis(r.overheadMs);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case Time: return r.time.toMSecsSinceEpoch();
        case Key: return r.keyId.value_or(-1);
        case Tokens: return r.inputTokens + r.outputTokens + r.cacheReadTokens + r.cacheWriteTokens;
        case Cost: return r.cost;
        case Saved: return r.savedCost;
        case Cache: return r.cached ? 1 : 0;
        case Status: return r.status;
        case Latency: return r.latencyMs;
        case Overhead: return r.overheadMs;
        default: return data(index, Qt::DisplayRole);
        }
    case RequestIdRole: return r.requestId;
    case IsErrorRole: return failed;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Time: return r.time.toUTC().toString(Qt::ISODateWithMs);
        case Key: return r.keyId ? tr("key id %1").arg(*r.keyId) : tr("no key (pass-through or refused)");
        case Model:
            return r.prompt.isEmpty() ? r.endpoint
                                      : tr("%1, prompt %2 v%3").arg(r.endpoint, r.prompt).arg(r.promptVersion);
        case Tokens:
            return tr("input %1 (uncached %2, cache read %3, cache write %4), output %5%6")
                .arg(r.inputTokens + r.cacheReadTokens + r.cacheWriteTokens)
                .arg(r.inputTokens)
                .arg(r.cacheReadTokens)
                .arg(r.cacheWriteTokens)
                .arg(r.outputTokens)
                .arg(r.estimated ? tr("; estimated: the provider sent no usage") : QString());
        case Cost:
            return r.unpriced ? tr("No price for %1: billed $0. Set one on the Providers page.").arg(r.model)
                              : QString::number(r.cost, 'f', 8);
        case Overhead: return tr("Time the gateway itself spent on the call");
        case Error: return r.error;
        }
        break;
    case Qt::BackgroundRole:
        if (failed && (index.column() == Status || index.column() == Error))
            return QBrush(UiViews::errorTint());
        if (r.unpriced && index.column() == Cost)
            return QBrush(UiViews::warningTint());
        if (r.cached && index.column() == Cache)
            return QBrush(UiViews::okTint());
        break;
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case Tokens:
        case Cost:
        case Saved:
        case Status:
        case Latency:
        case Overhead: return int(Qt::AlignRight | Qt::AlignVCenter);
        }
        break;
    }
    return {};
}

QVariant UsageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time: return tr("Time");
    case Key: return tr("Key");
    case RunStep: return tr("Run / step");
    case Model: return tr("Model");
    case Provider: return tr("Provider");
    case Tokens: return tr("Tokens in/out");
    case Cost: return tr("Cost");
    case Saved: return tr("Saved");
    case Cache: return tr("Cache");
    case Status: return tr("Status");
    case Error: return tr("Error");
    case Latency: return tr("Latency");
    case Overhead: return tr("Overhead");
    }
    return {};
}
