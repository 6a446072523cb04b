#include "pricesmodel.h"

#include "uiviews.h"

#include <QBrush>
#include <QLocale>
#include <QSet>
#include <algorithm>
#include <utility>
#include <cmath>

using namespace Qt::StringLiterals;

PricesModel::PricesModel(GatewayClient *client, QObject *parent) : QAbstractTableModel(parent), m_client(client)
{
    if (!client)
        return;
    connect(client, &GatewayClient::attached, this, &PricesModel::refresh);
    connect(client, &GatewayClient::pricesChanged, this, &PricesModel::refresh);
    // A model called without a price shows up as soon as its call settles.
    connect(client, &GatewayClient::callsFinished, this, [this](const QList<UsageRecord> &records) {
        for (const UsageRecord &r : records) {
            if (r.unpriced && !r.model.isEmpty()) {
                const int row = rowOfModel(r.model);
                if (row < 0 || !isUnpriced(row)) {
                    refresh();
                    return;
                }
            }
        }
    });
    if (client->isAttached())
        refresh();
}

void PricesModel::refresh()
{
    if (!m_client)
        return;
    // One question out at a time; a change while it is out asks once more.
    if (m_inFlight) {
        m_again = true;
        return;
    }
    m_inFlight = true;
    m_client->fetchPrices(this, [this](const GatewayClient::PriceTable &table) {
        m_inFlight = false;
        reset(table);
        if (std::exchange(m_again, false))
            refresh();
    });
}

bool PricesModel::before(const Row &a, const Row &b)
{
    if (a.price.has_value() != b.price.has_value())
        return !a.price;   // the ones that need a price first
    return a.model < b.model;
}

void PricesModel::reset(const GatewayClient::PriceTable &table)
{
    QHash<QString, std::optional<Price>> fresh;
    for (auto it = table.prices.cbegin(); it != table.prices.cend(); ++it)
        fresh.insert(it.key(), it.value());
    m_added.removeIf([&](const QString &m) { return table.prices.contains(m) || table.unpricedSeen.contains(m); });
    for (const QString &m : table.unpricedSeen) {
        if (!fresh.contains(m))
            fresh.insert(m, std::nullopt);
    }
    for (const QString &m : std::as_const(m_added))
        fresh.insert(m, std::nullopt);

    if (m_rows.isEmpty()) {
        QList<Row> rows;
        rows.reserve(fresh.size());
        for (auto it = fresh.cbegin(); it != fresh.cend(); ++it)
            rows.append(Row{it.key(), it.value()});
        std::sort(rows.begin(), rows.end(), before);
        beginResetModel();
        m_rows = rows;
        endResetModel();
        Q_EMIT loaded();
        return;
    }

    // Update in place, so an edit in progress and the selection survive a
    // reload (one comes after every price change): rows keep their places,
    // gone ones are removed, new ones inserted where they sort.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (!fresh.contains(m_rows.at(row).model)) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
    }
    QSet<QString> present;
    for (int row = 0; row < m_rows.size(); ++row) {
        Row &r = m_rows[row];
        present.insert(r.model);
        const std::optional<Price> &p = fresh.value(r.model);
        if (p != r.price) {
            r.price = p;
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
    }
    QList<Row> added;
    for (auto it = fresh.cbegin(); it != fresh.cend(); ++it) {
        if (!present.contains(it.key()))
            added.append(Row{it.key(), it.value()});
    }
    std::sort(added.begin(), added.end(), before);
    for (const Row &r : std::as_const(added)) {
        const auto at = std::find_if(m_rows.cbegin(), m_rows.cend(), [&](const Row &o) { return before(r, o); });
        const int row = int(at - m_rows.cbegin());
        beginInsertRows({}, row, row);
        m_rows.insert(row, r);
        endInsertRows();
    }
    Q_EMIT loaded();
}

int PricesModel::addModel(const QString &model)
{
    const QString name = model.trimmed();
    if (name.isEmpty())
        return -1;
    if (const int row = rowOfModel(name); row >= 0)
        return row;
    m_added.append(name);
    beginInsertRows({}, 0, 0);
    m_rows.prepend(Row{name, std::nullopt});
    endInsertRows();
    return 0;
}

int PricesModel::rowOfModel(const QString &model) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).model == model)
            return int(i);
    }
    return -1;
}

std::optional<Price> PricesModel::priceOf(const QString &model) const
{
    const int row = rowOfModel(model);
    return row < 0 ? std::nullopt : m_rows.at(row).price;
}

int PricesModel::unpricedCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Row &r) { return !r.price; }));
}

std::optional<double> PricesModel::parsePrice(const QString &text, QString *reason)
{
    const QString t = text.trimmed().remove(u'$');
    bool ok = false;
    double d = QLocale().toDouble(t, &ok);
    if (!ok)
        d = QLocale::c().toDouble(t, &ok);
    if (!ok || !std::isfinite(d) || d < 0) {
        if (reason)
            *reason = tr("“%1” is not a price: enter US dollars per million tokens, 0 or more.").arg(text);
        return std::nullopt;
    }
    return d;
}

int PricesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PricesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QString number(double v)
{
    return QLocale().toString(v, 'g', 12);
}

static std::optional<double> priceField(const Price &p, int column)
{
    switch (column) {
    case PricesModel::Input: return p.inputPerMTok;
    case PricesModel::Output: return p.outputPerMTok;
    case PricesModel::CacheRead: return p.cacheReadPerMTok;
    case PricesModel::CacheWrite: return p.cacheWritePerMTok;
    }
    return std::nullopt;
}

QVariant PricesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    const int column = index.column();
    // GCC 12 at -O2 sees the optional's payload as maybe-uninitialized
    // through the inlined branches; keep the flag and the number apart.
    const std::optional<double> field = r.price ? priceField(*r.price, column) : std::nullopt;
    const bool value = field.has_value();
    const double amount = field.value_or(0.0);
    switch (role) {
    case Qt::DisplayRole:
        if (column == Model)
            return r.model;
        if (!r.price)
            return column <= Output ? tr("not set") : QString();
        if (value)
            return number(amount);
        return tr("%1 (input)").arg(number(r.price->inputPerMTok));
    case Qt::EditRole:
        if (column == Model)
            return r.model;
        return value ? number(amount) : QString();
    case SortRole:
        if (column == Model)
            return r.model;
        return value ? amount : -1.0;
    case UnpricedRole: return !r.price;
    case ModelRole: return r.model;
    case Qt::BackgroundRole:
        if (!r.price)
            return QBrush(UiViews::warningTint());
        break;
    case Qt::DecorationRole:
        if (!r.price && column == Model)
            return QColor(235, 165, 0);
        break;
    case Qt::ToolTipRole:
        if (!r.price)
            return tr("%1 has no price: its calls are billed $0. Double-click a price to set one.").arg(r.model);
        if (!value && column > Output)
            return tr("Not set: billed at the input price. Double-click to set one.");
        if (column != Model)
            return tr("US dollars per million tokens. Double-click to edit.");
        break;
    case Qt::AccessibleTextRole:
        if (!r.price && column == Model)
            return tr("%1, no price set").arg(r.model);
        break;
    case Qt::TextAlignmentRole:
        if (column != Model)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

bool PricesModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || index.column() == Model
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    Row &r = m_rows[index.row()];
    const int column = index.column();
    const QString text = value.toString();
    Price p = r.price.value_or(Price{});
    if (text.trimmed().isEmpty()) {
        if (column == Input || column == Output) {
            Q_EMIT rejected(r.model, tr("The input and output prices are required (0 is a price)."));
            return false;
        }
        (column == CacheRead ? p.cacheReadPerMTok : p.cacheWritePerMTok).reset();
    } else {
        QString reason;
        const std::optional<double> d = parsePrice(text, &reason);
        if (!d) {
            Q_EMIT rejected(r.model, reason);
            return false;
        }
        switch (column) {
        case Input: p.inputPerMTok = *d; break;
        case Output: p.outputPerMTok = *d; break;
        case CacheRead: p.cacheReadPerMTok = *d; break;
        case CacheWrite: p.cacheWritePerMTok = *d; break;
        }
    }
    if (r.price && *r.price == p)
        return true;
    r.price = p;
    m_added.removeAll(r.model);
    // The row keeps its place until the next reload, so the edit does not jump away.
    Q_EMIT dataChanged(this->index(index.row(), 0), this->index(index.row(), ColumnCount - 1));
    if (m_client)
        m_client->setPrice(r.model, p);
    return true;
}

Qt::ItemFlags PricesModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() != Model)
        f |= Qt::ItemIsEditable;
    return f;
}

QVariant PricesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole && section != Model)
        return tr("US dollars per million tokens");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Model: return tr("Model");
    case Input: return tr("Input $/MTok");
    case Output: return tr("Output $/MTok");
    case CacheRead: return tr("Cache read $/MTok");
    case CacheWrite: return tr("Cache write $/MTok");
    }
    return {};
}
