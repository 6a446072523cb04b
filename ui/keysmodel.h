#pragma once

// The gateway's API keys, one row each: name, prefix, allowed models,
// limits, spend this month and in total, state. Never holds a raw key (the
// core does not keep one either). Loads the keys when the client attaches
// and follows GatewayClient::keyChanged, so a mint, an edit, a revoke or
// settled spend shows without a refresh.
//
//   auto *keys = new KeysModel(client, this);
//   connect(keys, &KeysModel::loaded, this, [keys] { if (!keys->rowCount()) showGuide(); });

#include "core/keyrecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

class GatewayClient;

class KeysModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Prefix, Models, RateLimits, SpendCaps, RunBudget, SpendMonth, SpendTotal, Created, State,
                  ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1,
        SortRole,       // numbers as numbers, for QSortFilterProxyModel
        StateRole,      // "active" or "revoked"
    };

    explicit KeysModel(GatewayClient *client, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void reset(const QList<KeyRecord> &keys);
    void upsert(const KeyRecord &key);

    bool isLoaded() const { return m_loaded; }
    int rowOfId(qint64 id) const { return m_rows.value(id, -1); }
    const KeyRecord &keyAt(int row) const { return m_keys.at(row); }
    // Keys not revoked, and not only the first-run "sample" key.
    int activeCount(bool countSample = true) const;

Q_SIGNALS:
    void loaded();

private:
    QList<KeyRecord> m_keys;
    QHash<qint64, int> m_rows;
    bool m_loaded = false;
};
