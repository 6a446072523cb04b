#pragma once

// Counters and histograms of the gateway for GET /metrics, in Prometheus
// text format: requests and errors by code, tokens, cost, live streams,
// latency and the gateway's own overhead. Fed from finished calls' usage
// records; cheap enough to update on every call.

#include "core/usagerecord.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <array>

class CallMonitor;

class Metrics : public QObject
{
    Q_OBJECT
public:
    explicit Metrics(CallMonitor *monitor, QObject *parent = nullptr);

    void record(const UsageRecord &record);
    QByteArray render() const;

    qint64 requestsTotal() const { return m_requests; }

private:
    struct Histogram
    {
        static constexpr std::array<double, 14> kBounds{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, 5000, 30000};
        std::array<qint64, kBounds.size()> counts{};
        double sum = 0;
        qint64 count = 0;
        void observe(double ms);
        void render(QByteArray &out, const char *name, const char *help) const;
    };

    CallMonitor *m_monitor;
    qint64 m_requests = 0;
    QHash<QByteArray, qint64> m_byStatus;     // "endpoint|status"
    QHash<QByteArray, qint64> m_errors;       // code
    QHash<QByteArray, qint64> m_tokens;       // "model|kind"
    QHash<QByteArray, double> m_cost;         // model
    qint64 m_cacheHits = 0;
    double m_savedCost = 0;
    Histogram m_latency;
    Histogram m_overhead;
};
