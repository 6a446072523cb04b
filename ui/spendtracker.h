#pragma once

// The spend figures the window shows everywhere (overview, tray, status
// bar): today and this month (UTC calendar, as the ledger counts), per
// key this month, the last 30 days day by day, and requests per second
// over a sliding window. Starts from Store::querySpend (asked through the
// client when it attaches, then every few minutes and at midnight UTC)
// and adds each finished call as it arrives, so the figures move live
// without querying the database per call.
//
//   auto *spend = new SpendTracker(client, this);
//   connect(spend, &SpendTracker::changed, this, [spend, label] { label->setText(money(spend->today())); });

#include "store/store.h"

#include <QDate>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QTimer>

#include <deque>

class GatewayClient;
struct UsageRecord;

class SpendTracker : public QObject
{
    Q_OBJECT
public:
    static constexpr int kRateWindowMs = 5000;

    explicit SpendTracker(GatewayClient *client, QObject *parent = nullptr);

    bool isLoaded() const { return m_loaded; }
    double today() const { return m_summary.today; }
    double month() const { return m_summary.month; }
    qint64 callsToday() const { return m_summary.callsToday; }
    double monthOfKey(qint64 keyId) const { return m_summary.monthByKey.value(keyId); }
    const QHash<qint64, double> &monthByKey() const { return m_summary.monthByKey; }
    const QList<QPair<QDate, double>> &byDay() const { return m_summary.byDay; }
    // Calls finished per second over the last kRateWindowMs.
    double requestsPerSecond() const;

    // Feeding, for the client's signals and for tests.
    void setSummary(const Store::SpendSummary &summary);
    void addFinished(const QList<UsageRecord> &records);

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    // Spend figures changed (at most once per batch of finished calls).
    void changed();
    // The request rate moved (once a second).
    void rateChanged(double perSecond);

private:
    void tick();
    void rollDays(const QDate &today);

    GatewayClient *m_client;
    Store::SpendSummary m_summary;
    bool m_loaded = false;
    bool m_queryInFlight = false;
    QDate m_day;                                     // the UTC day the summary's "today" is
    std::deque<QPair<qint64, int>> m_finishTimes;    // (ms since epoch, calls) per batch
    QTimer m_ticker;
    int m_ticks = 0;
};
