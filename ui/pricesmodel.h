#pragma once

// The price table the gateway bills with, in USD per million tokens: one
// row per priced model, plus one per model that was called without a price
// (its calls cost $0 until one is set). Those come first, tinted and
// marked "not set". The four prices are edited in place: setData checks
// the number (0 or more), hands the new price to GatewayClient::setPrice
// and shows it at once; the table reloads on GatewayClient::pricesChanged,
// in place (rows keep their places, so an edit in progress survives).
// An unset cache price is billed at the input price.
//
//   auto *prices = new PricesModel(client, this);
//   prices->setData(prices->index(row, PricesModel::Input), u"0.15"_s);

#include "core/price.h"
#include "gatewayclient.h"

#include <QAbstractTableModel>
#include <QList>
#include <optional>

class PricesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Model, Input, Output, CacheRead, CacheWrite, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, UnpricedRole, ModelRole };

    explicit PricesModel(GatewayClient *client, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void refresh();
    void reset(const GatewayClient::PriceTable &table);
    // A row for a model the table does not list yet (priced once edited);
    // returns its row.
    int addModel(const QString &model);

    int rowOfModel(const QString &model) const;
    std::optional<Price> priceOf(const QString &model) const;
    bool isUnpriced(int row) const { return !m_rows.at(row).price; }
    int unpricedCount() const;

    // "0.15", "1,5" in a comma locale, "" for an unset cache price; nullopt
    // (with the reason) for anything that is not a number of 0 or more.
    static std::optional<double> parsePrice(const QString &text, QString *reason);

Q_SIGNALS:
    void loaded();
    // An edit was refused; the reason is for the user.
    void rejected(const QString &model, const QString &reason);

private:
    struct Row
    {
        QString model;
        std::optional<Price> price;   // none: called unpriced, or added and not yet set
    };
    static bool before(const Row &a, const Row &b);

    GatewayClient *m_client;
    QList<Row> m_rows;
    QStringList m_added;   // models added by hand and not priced yet
    bool m_inFlight = false;
    bool m_again = false;
};
