#include "spendtracker.h"

#include "core/usagerecord.h"
#include "gatewayclient.h"

#include <QDateTime>

namespace {
constexpr int kRefreshTicks = 300;   // re-read the ledger every five minutes
}

SpendTracker::SpendTracker(GatewayClient *client, QObject *parent) : QObject(parent), m_client(client)
{
    m_ticker.setInterval(1000);
    connect(&m_ticker, &QTimer::timeout, this, &SpendTracker::tick);
    m_ticker.start();
    if (!client)
        return;
    connect(client, &GatewayClient::attached, this, &SpendTracker::refresh);
    connect(client, &GatewayClient::callsFinished, this, &SpendTracker::addFinished);
    if (client->isAttached())
        refresh();
}

void SpendTracker::refresh()
{
    if (!m_client || !m_client->isAttached() || m_queryInFlight)
        return;
    m_queryInFlight = true;
    // The answer counts every record delivered before it and none after
    // (GatewayClient::querySpend orders them), so it simply replaces what
    // we added up meanwhile.
    m_client->querySpend(this, [this](const Store::SpendSummary &s) {
        m_queryInFlight = false;
        setSummary(s);
    });
}

void SpendTracker::setSummary(const Store::SpendSummary &summary)
{
    m_summary = summary;
    m_day = m_summary.byDay.isEmpty() ? QDateTime::currentDateTimeUtc().date() : m_summary.byDay.constLast().first;
    m_loaded = true;
    Q_EMIT changed();
}

void SpendTracker::rollDays(const QDate &today)
{
    if (!m_day.isValid() || today <= m_day)
        return;
    // Midnight UTC passed: a new day, maybe a new month; the query will
    // confirm, but the figures must not keep yesterday's meanwhile.
    if (today.month() != m_day.month() || today.year() != m_day.year()) {
        m_summary.month = 0;
        m_summary.monthByKey.clear();
    }
    m_summary.today = 0;
    m_summary.callsToday = 0;
    for (QDate d = m_day.addDays(1); d <= today; d = d.addDays(1))
        m_summary.byDay.append({d, 0.0});
    while (m_summary.byDay.size() > 30)
        m_summary.byDay.removeFirst();
    m_day = today;
    refresh();
}

void SpendTracker::addFinished(const QList<UsageRecord> &records)
{
    if (records.isEmpty())
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    rollDays(now.date());
    m_finishTimes.emplace_back(now.toMSecsSinceEpoch(), int(records.size()));
    double sum = 0;
    for (const UsageRecord &r : records) {
        // Only the ledger's rows count (calls that reached a key or a run).
        if (!r.governed)
            continue;
        sum += r.cost;
        ++m_summary.callsToday;
        if (r.keyId)
            m_summary.monthByKey[*r.keyId] += r.cost;
    }
    m_summary.today += sum;
    m_summary.month += sum;
    if (!m_summary.byDay.isEmpty() && m_summary.byDay.constLast().first == m_day)
        m_summary.byDay.last().second += sum;
    // Once per batch (the client delivers ten a second at most), so the
    // figures repaint in the same frame as the live calls.
    Q_EMIT changed();
}

double SpendTracker::requestsPerSecond() const
{
    const qint64 since = QDateTime::currentMSecsSinceEpoch() - kRateWindowMs;
    qint64 n = 0;
    for (const auto &[at, calls] : m_finishTimes) {
        if (at >= since)
            n += calls;
    }
    return n * 1000.0 / kRateWindowMs;
}

void SpendTracker::tick()
{
    const qint64 since = QDateTime::currentMSecsSinceEpoch() - kRateWindowMs;
    while (!m_finishTimes.empty() && m_finishTimes.front().first < since)
        m_finishTimes.pop_front();
    Q_EMIT rateChanged(requestsPerSecond());
    rollDays(QDateTime::currentDateTimeUtc().date());
    if (++m_ticks % kRefreshTicks == 0)
        refresh();
}
