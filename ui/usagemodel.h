#pragma once

// The cost ledger as a log, newest first: one row per call with its time,
// key, run and step, model, provider, tokens, cost, saving, cache, status,
// error, latency and overhead. The rows are what the store answers for the
// current Store::UsageQuery (the filtering happens there); calls that
// settle afterwards and match the query are prepended as they arrive, one
// insert per batch of GatewayClient::callsFinished, so a busy gateway does
// not reset the view many times a second.
//
//   auto *usage = new UsageModel(client, this);
//   Store::UsageQuery q; q.model = u"gpt-4o"_s; q.errorsOnly = true;
//   usage->setQuery(q);

#include "core/usagerecord.h"
#include "store/store.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

class GatewayClient;

class UsageModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Key, RunStep, Model, Provider, Tokens, Cost, Saved, Cache, Status, Error, Latency, Overhead,
                  ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, RequestIdRole, IsErrorRole };

    explicit UsageModel(GatewayClient *client, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // Asks the store for the rows of query (replacing the current rows when it answers).
    void setQuery(const Store::UsageQuery &query);
    const Store::UsageQuery &query() const { return m_query; }
    void refresh();
    bool isLoading() const { return m_loading; }

    // Live rows: on by default; off freezes the log (a refresh still reloads it).
    void setLive(bool live) { m_live = live; }
    bool isLive() const { return m_live; }

    void reset(const QList<UsageRecord> &records);
    // Records in the order their calls finished; those matching the query go on top.
    void addFinished(const QList<UsageRecord> &records);

    const UsageRecord &recordAt(int row) const { return m_records.at(row); }
    const QList<UsageRecord> &records() const { return m_records; }
    QString keyName(const std::optional<qint64> &keyId) const;
    double totalCost() const;

    // Whether the store would list record for query: the same tests as its SQL.
    static bool matches(const Store::UsageQuery &query, const UsageRecord &record);

Q_SIGNALS:
    void loaded();
    void rowsAdded(int count);

private:
    GatewayClient *m_client;
    Store::UsageQuery m_query;
    QList<UsageRecord> m_records;        // newest first
    QSet<QString> m_requestIds;
    QList<UsageRecord> m_recent;         // the latest live records, merged into query answers
    QHash<qint64, QString> m_keyNames;
    quint64 m_querySeq = 0;
    bool m_loading = false;
    bool m_live = true;
};
