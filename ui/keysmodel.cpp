#include "keysmodel.h"

#include "gatewayclient.h"
#include "governance/keystore.h"
#include "uiformat.h"

#include <QFont>

using namespace Qt::StringLiterals;

KeysModel::KeysModel(GatewayClient *client, QObject *parent) : QAbstractTableModel(parent)
{
    if (!client)
        return;
    auto load = [this, client] { client->fetchKeys(this, [this](const QList<KeyRecord> &keys) { reset(keys); }); };
    connect(client, &GatewayClient::attached, this, load);
    connect(client, &GatewayClient::keyChanged, this, &KeysModel::upsert);
    if (client->isAttached())
        load();
}

int KeysModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

int KeysModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QString capsText(const KeyRecord &k)
{
    if (k.monthlyCap <= 0 && k.hardCap <= 0)
        return KeysModel::tr("unlimited");
    QStringList parts;
    if (k.monthlyCap > 0)
        parts << KeysModel::tr("%1 / month").arg(UiFormat::money(k.monthlyCap));
    if (k.hardCap > 0)
        parts << KeysModel::tr("%1 total").arg(UiFormat::money(k.hardCap));
    return parts.join(u" · "_s);
}

static QString ratesText(const KeyRecord &k)
{
    if (k.ratePerMin <= 0 && k.tokensPerMin <= 0)
        return KeysModel::tr("unlimited");
    QStringList parts;
    if (k.ratePerMin > 0)
        parts << KeysModel::tr("%1 req/min").arg(k.ratePerMin);
    if (k.tokensPerMin > 0)
        parts << KeysModel::tr("%1 tok/min").arg(UiFormat::count(k.tokensPerMin));
    return parts.join(u" · "_s);
}

static QString stateText(const KeyRecord &k, double month)
{
    if (k.revoked)
        return KeysModel::tr("Revoked");
    if (k.hardCap > 0 && k.spendTotal >= k.hardCap)
        return KeysModel::tr("Hard cap reached");
    if (k.monthlyCap > 0 && month >= k.monthlyCap)
        return KeysModel::tr("Monthly cap reached");
    return KeysModel::tr("Active");
}

QVariant KeysModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const KeyRecord &k = m_keys.at(index.row());
    const double month = KeyStore::monthSpend(k, QDateTime::currentDateTimeUtc());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return k.name.isEmpty() ? tr("(unnamed)") : k.name;
        case Prefix: return QString(k.prefix + u'…');
        case Models: return k.allowedModels.isEmpty() ? tr("all models") : k.allowedModels.join(u", "_s);
        case RateLimits: return ratesText(k);
        case SpendCaps: return capsText(k);
        case RunBudget: return UiFormat::moneyLimit(k.runBudgetUsd);
        case SpendMonth: return UiFormat::money(month);
        case SpendTotal: return UiFormat::money(k.spendTotal);
        case Created: return UiFormat::when(k.createdAt);
        case State: return stateText(k, month);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == State && k.revoked)
            return tr("Revoked %1").arg(UiFormat::when(k.revokedAt));
        if (index.column() == Prefix)
            return tr("The first characters of the key; the key itself is never stored");
        return data(index, Qt::DisplayRole);
    case Qt::TextAlignmentRole:
        if (index.column() == SpendMonth || index.column() == SpendTotal || index.column() == RunBudget)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::FontRole:
        if (k.revoked) {
            QFont f;
            f.setItalic(true);
            if (index.column() == Name)
                f.setStrikeOut(true);
            return f;
        }
        break;
    case IdRole: return k.id;
    case StateRole: return k.revoked ? u"revoked"_s : u"active"_s;
    case SortRole:
        switch (index.column()) {
        case RateLimits: return k.ratePerMin;
        case SpendCaps: return k.monthlyCap > 0 ? k.monthlyCap : k.hardCap;
        case RunBudget: return k.runBudgetUsd;
        case SpendMonth: return month;
        case SpendTotal: return k.spendTotal;
        case Created: return k.createdAt;
        default: return data(index, Qt::DisplayRole);
        }
    }
    return {};
}

QVariant KeysModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Name");
    case Prefix: return tr("Prefix");
    case Models: return tr("Allowed models");
    case RateLimits: return tr("Rate limits");
    case SpendCaps: return tr("Spend caps");
    case RunBudget: return tr("Run budget");
    case SpendMonth: return tr("This month");
    case SpendTotal: return tr("Total");
    case Created: return tr("Created");
    case State: return tr("State");
    }
    return {};
}

void KeysModel::reset(const QList<KeyRecord> &keys)
{
    beginResetModel();
    m_keys = keys;
    std::sort(m_keys.begin(), m_keys.end(), [](const KeyRecord &a, const KeyRecord &b) { return a.id < b.id; });
    m_rows.clear();
    for (int i = 0; i < m_keys.size(); ++i)
        m_rows.insert(m_keys.at(i).id, i);
    endResetModel();
    m_loaded = true;
    Q_EMIT loaded();
}

void KeysModel::upsert(const KeyRecord &key)
{
    const int row = rowOfId(key.id);
    if (row >= 0) {
        m_keys[row] = key;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int at = int(m_keys.size());
    beginInsertRows({}, at, at);
    m_keys.append(key);
    m_rows.insert(key.id, at);
    endInsertRows();
}

int KeysModel::activeCount(bool countSample) const
{
    int n = 0;
    for (const KeyRecord &k : m_keys) {
        if (!k.revoked && (countSample || k.name != u"sample"))
            ++n;
    }
    return n;
}
