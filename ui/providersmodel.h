#pragma once

// The configured providers in priority order, one row each: name, kind,
// base URL, model patterns, health, circuit breaker state, smoothed
// latency and last error. refresh() asks the gateway again; a refresh that
// finds the same providers updates the rows in place, so a view polling
// every two seconds keeps its selection and scroll position.
//
//   auto *providers = new ProvidersModel(client, this);
//   connect(timer, &QTimer::timeout, providers, &ProvidersModel::refresh);

#include "gatewayclient.h"

#include <QAbstractTableModel>
#include <QList>

class ProvidersModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Kind, BaseUrl, Models, Health, Circuit, Latency, LastError, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, HealthyRole };

    explicit ProvidersModel(GatewayClient *client, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void refresh();
    void reset(const QList<GatewayClient::ProviderInfo> &providers);
    const GatewayClient::ProviderInfo &providerAt(int row) const { return m_providers.at(row); }

Q_SIGNALS:
    void refreshed();

private:
    GatewayClient *m_client;
    QList<GatewayClient::ProviderInfo> m_providers;
    bool m_inFlight = false;
};
