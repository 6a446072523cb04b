#include "metrics.h"

#include "pipeline/callmonitor.h"

namespace {

QByteArray escape(const QString &v)
{
    QByteArray b = v.toUtf8();
    b.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return b;
}

} // namespace

Metrics::Metrics(CallMonitor *monitor, QObject *parent) : QObject(parent), m_monitor(monitor)
{
    connect(monitor, &CallMonitor::callFinished, this, &Metrics::record);
}

void Metrics::Histogram::observe(double ms)
{
    for (size_t i = 0; i < kBounds.size(); ++i) {
        if (ms <= kBounds[i])
            ++counts[i];
    }
    sum += ms;
    ++count;
}

void Metrics::Histogram::render(QByteArray &out, const char *name, const char *help) const
{
    out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " histogram\n";
    for (size_t i = 0; i < kBounds.size(); ++i)
        out += QByteArray(name) + "_bucket{le=\"" + QByteArray::number(kBounds[i] / 1000.0, 'g', 6) + "\"} "
            + QByteArray::number(counts[i]) + '\n';
    out += QByteArray(name) + "_bucket{le=\"+Inf\"} " + QByteArray::number(count) + '\n';
    out += QByteArray(name) + "_sum " + QByteArray::number(sum / 1000.0, 'f', 6) + '\n';
    out += QByteArray(name) + "_count " + QByteArray::number(count) + '\n';
}

void Metrics::record(const UsageRecord &r)
{
    ++m_requests;
    ++m_byStatus[escape(r.endpoint) + '|' + QByteArray::number(r.status)];
    if (!r.error.isEmpty())
        ++m_errors[escape(r.error)];
    const QByteArray model = escape(r.model);
    if (r.inputTokens)
        m_tokens[model + "|input"] += r.inputTokens;
    if (r.outputTokens)
        m_tokens[model + "|output"] += r.outputTokens;
    if (r.cacheReadTokens)
        m_tokens[model + "|cache_read"] += r.cacheReadTokens;
    if (r.cacheWriteTokens)
        m_tokens[model + "|cache_write"] += r.cacheWriteTokens;
    if (r.cost > 0)
        m_cost[model] += r.cost;
    if (r.cached) {
        ++m_cacheHits;
        m_savedCost += r.savedCost;
    }
    m_latency.observe(r.latencyMs);
    m_overhead.observe(r.overheadMs);
}

QByteArray Metrics::render() const
{
    QByteArray out;
    out.reserve(8192);
    out += "# HELP tollgate_requests_total Proxied calls by endpoint and HTTP status.\n"
           "# TYPE tollgate_requests_total counter\n";
    for (auto it = m_byStatus.begin(); it != m_byStatus.end(); ++it) {
        const qsizetype bar = it.key().indexOf('|');
        out += "tollgate_requests_total{endpoint=\"" + it.key().left(bar) + "\",status=\"" + it.key().mid(bar + 1)
            + "\"} " + QByteArray::number(it.value()) + '\n';
    }
    out += "# HELP tollgate_errors_total Calls that ended with a gateway error code.\n"
           "# TYPE tollgate_errors_total counter\n";
    for (auto it = m_errors.begin(); it != m_errors.end(); ++it)
        out += "tollgate_errors_total{code=\"" + it.key() + "\"} " + QByteArray::number(it.value()) + '\n';
    out += "# HELP tollgate_tokens_total Tokens metered, by model and kind.\n"
           "# TYPE tollgate_tokens_total counter\n";
    for (auto it = m_tokens.begin(); it != m_tokens.end(); ++it) {
        const qsizetype bar = it.key().indexOf('|');
        out += "tollgate_tokens_total{model=\"" + it.key().left(bar) + "\",kind=\"" + it.key().mid(bar + 1) + "\"} "
            + QByteArray::number(it.value()) + '\n';
    }
    out += "# HELP tollgate_cost_usd_total Spend in USD, by model.\n# TYPE tollgate_cost_usd_total counter\n";
    for (auto it = m_cost.begin(); it != m_cost.end(); ++it)
        out += "tollgate_cost_usd_total{model=\"" + it.key() + "\"} " + QByteArray::number(it.value(), 'f', 8) + '\n';
    out += "# HELP tollgate_cache_hits_total Calls answered from the response cache.\n"
           "# TYPE tollgate_cache_hits_total counter\ntollgate_cache_hits_total "
        + QByteArray::number(m_cacheHits) + '\n';
    out += "# HELP tollgate_cache_saved_usd_total Spend the cache saved.\n"
           "# TYPE tollgate_cache_saved_usd_total counter\ntollgate_cache_saved_usd_total "
        + QByteArray::number(m_savedCost, 'f', 8) + '\n';
    out += "# HELP tollgate_live_calls Calls in flight.\n# TYPE tollgate_live_calls gauge\ntollgate_live_calls "
        + QByteArray::number(m_monitor->liveCount()) + '\n';
    out += "# HELP tollgate_live_streams Streams open to clients.\n# TYPE tollgate_live_streams gauge\n"
           "tollgate_live_streams "
        + QByteArray::number(m_monitor->liveStreams()) + '\n';
    m_latency.render(out, "tollgate_request_duration_seconds", "Time from request to the last byte of the answer.");
    m_overhead.render(out, "tollgate_overhead_seconds",
                      "Time the gateway itself spent on a call (total minus waiting on the provider).");
    return out;
}
