#pragma once

// The providers page: the configured providers with their health, circuit
// state, latency and last error (polled every two seconds while the page
// is visible, and on Refresh), and the price table, edited in place, with
// the models that were called without a price picked out at the top.

#include <QWidget>

class GatewayClient;
class PricesModel;
class ProvidersModel;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

class ProvidersPage : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kPollMs = 2000;

    explicit ProvidersPage(GatewayClient *client, QWidget *parent = nullptr);
    ~ProvidersPage() override;

    ProvidersModel *providersModel() const { return m_providers; }
    PricesModel *pricesModel() const { return m_prices; }
    QSortFilterProxyModel *pricesProxy() const { return m_pricesProxy; }

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QWidget *buildProvidersPanel();
    QWidget *buildPricesPanel();
    void addModel();
    void updatePriceSummary();

    GatewayClient *m_client;
    ProvidersModel *m_providers;
    PricesModel *m_prices;
    QSortFilterProxyModel *m_pricesProxy;
    QTimer *m_poll;

    QTableView *m_providersView = nullptr;
    QPushButton *m_refreshButton = nullptr;
    QLineEdit *m_filter = nullptr;
    QTableView *m_pricesView = nullptr;
    QLineEdit *m_newModel = nullptr;
    QPushButton *m_addModelButton = nullptr;
    QLabel *m_priceStatus = nullptr;
};
