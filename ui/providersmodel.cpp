#include "providersmodel.h"

#include "uiviews.h"

#include <QBrush>

using namespace Qt::StringLiterals;

ProvidersModel::ProvidersModel(GatewayClient *client, QObject *parent) : QAbstractTableModel(parent), m_client(client)
{
    if (!client)
        return;
    connect(client, &GatewayClient::attached, this, &ProvidersModel::refresh);
    if (client->isAttached())
        refresh();
}

void ProvidersModel::refresh()
{
    // One question at a time: a slow answer is not stacked up by the poll.
    if (!m_client || m_inFlight)
        return;
    m_inFlight = true;
    m_client->fetchProviders(this, [this](const QList<GatewayClient::ProviderInfo> &providers) {
        m_inFlight = false;
        reset(providers);
    });
}

void ProvidersModel::reset(const QList<GatewayClient::ProviderInfo> &providers)
{
    bool sameNames = providers.size() == m_providers.size();
    for (qsizetype i = 0; sameNames && i < providers.size(); ++i)
        sameNames = providers.at(i).name == m_providers.at(i).name;
    if (sameNames) {
        m_providers = providers;
        if (!m_providers.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    } else {
        beginResetModel();
        m_providers = providers;
        endResetModel();
    }
    Q_EMIT refreshed();
}

int ProvidersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_providers.size());
}

int ProvidersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QString circuitText(const QString &circuit)
{
    if (circuit == u"open"_s)
        return ProvidersModel::tr("open (skipped)");
    if (circuit == u"half-open"_s)
        return ProvidersModel::tr("half-open (probing)");
    return circuit.isEmpty() ? ProvidersModel::tr("closed") : circuit;
}

QVariant ProvidersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const GatewayClient::ProviderInfo &p = m_providers.at(index.row());
    const bool circuitOpen = p.circuit == u"open"_s;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return p.name;
        case Kind: return p.kind;
        case BaseUrl: return p.kind == u"sim"_s && p.baseUrl.isEmpty() ? tr("(in-process simulator)") : p.baseUrl;
        case Models: return p.models.join(u", "_s);
        case Health: return p.healthy ? tr("healthy") : tr("failing");
        case Circuit: return circuitText(p.circuit);
        case Latency: return p.latencyMs < 0 ? tr("—") : tr("%1 ms").arg(qRound64(p.latencyMs));
        case LastError: return p.lastError;
        }
        break;
    case SortRole:
        switch (index.column()) {
        case Health: return p.healthy ? 1 : 0;
        case Latency: return p.latencyMs;
        default: return data(index, Qt::DisplayRole);
        }
    case HealthyRole: return p.healthy;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Latency:
            return p.latencyMs < 0 ? tr("Not called yet") : tr("Smoothed time to the response head");
        case Circuit:
            return tr("Closed: in use. Open: skipped after repeated failures until the cooldown ends. "
                      "Half-open: one probe call decides.");
        case LastError:
        case Models:
        case BaseUrl: return data(index, Qt::DisplayRole);
        }
        break;
    case Qt::BackgroundRole:
        if ((index.column() == Health && !p.healthy) || (index.column() == Circuit && circuitOpen))
            return QBrush(UiViews::errorTint());
        if (index.column() == Circuit && p.circuit == u"half-open"_s)
            return QBrush(UiViews::warningTint());
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Latency)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant ProvidersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical && role == Qt::DisplayRole)
        return section + 1;   // the priority
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return tr("Provider");
    case Kind: return tr("Kind");
    case BaseUrl: return tr("Base URL");
    case Models: return tr("Models");
    case Health: return tr("Health");
    case Circuit: return tr("Circuit");
    case Latency: return tr("Latency");
    case LastError: return tr("Last error");
    }
    return {};
}
