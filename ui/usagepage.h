#pragma once

// The ledger page: every call the gateway recorded, as a log that can be
// narrowed by key, run, model, time range and errors (the store does the
// filtering) and sorted by any column; new calls that match appear on top
// as they settle. A row opens a dialog with every field of the record;
// Export writes the rows shown, in the order shown, as CSV.

#include "store/store.h"

#include <QWidget>

class GatewayClient;
class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class UsageDetailDialog;
class UsageModel;

class UsagePage : public QWidget
{
    Q_OBJECT
public:
    explicit UsagePage(GatewayClient *client, QWidget *parent = nullptr);

    UsageModel *usageModel() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    // The query the filter widgets describe.
    Store::UsageQuery currentQuery() const;
    // Shows one row (of the view, as sorted) in a detail dialog.
    UsageDetailDialog *showDetails(int viewRow);
    // Writes the rows shown to path; false with the reason on the status line.
    bool exportTo(const QString &path);

private:
    QWidget *buildFilters();
    void scheduleQuery();
    void applyQuery();
    void chooseExportFile();
    void showCurrentDetails();
    void filterByCurrent(int column);
    void updateSummary();
    void sizeColumns();
    void addKey(qint64 id, const QString &name);

    GatewayClient *m_client;
    UsageModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTimer *m_debounce;

    QComboBox *m_keyFilter = nullptr;
    QLineEdit *m_runFilter = nullptr;
    QLineEdit *m_modelFilter = nullptr;
    QCheckBox *m_sinceCheck = nullptr;
    QDateTimeEdit *m_since = nullptr;
    QCheckBox *m_untilCheck = nullptr;
    QDateTimeEdit *m_until = nullptr;
    QCheckBox *m_errorsOnly = nullptr;
    QCheckBox *m_live = nullptr;
    QPushButton *m_refreshButton = nullptr;
    QPushButton *m_detailsButton = nullptr;
    QPushButton *m_exportButton = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_summary = nullptr;
};
