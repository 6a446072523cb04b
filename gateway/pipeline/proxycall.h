#pragma once

// One proxied call from the client's last request byte to the ledger: runs
// the filter chain, forwards to the routes of the model in order, falling
// back on retryable failures while nothing has reached the client, streams
// the provider's events to the client as they arrive while metering them,
// and can be cut at any moment (kill switch, budget, revoked key, client
// gone, shutdown) — which aborts the upstream request at once.
//
// It deletes itself when done. Callers hold a QPointer.

#include "callcontext.h"
#include "callfilter.h"
#include "core/usagerecord.h"
#include "livecall.h"
#include "providers/providerregistry.h"
#include "wire/sseparser.h"
#include "wire/streammeter.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <memory>

class CallMonitor;
class HttpResponder;
class ProviderCall;

class ProxyCall : public QObject
{
    Q_OBJECT
public:
    ProxyCall(CallContext context, HttpResponder *responder, const QList<CallFilter *> &filters,
              const ProviderRegistry *registry, CallMonitor *monitor, QObject *parent);
    ~ProxyCall() override;

    void start();
    // Ends the call now with this error: an error response if nothing was
    // sent yet, else one error event and a clean end of the stream.
    void cut(const GatewayError &error);

    const CallContext &context() const { return m_ctx; }
    LiveCall snapshot() const;

private:
    enum class Mode { Idle, Buffer, Stream, Discard };

    void runFilters();
    void route();
    void tryNext();
    void onHead();
    void onData(const QByteArray &bytes);
    void onUpstreamFinished();
    void failAttempt(const QString &why, int status);
    void respondError(const GatewayError &error);
    void completeBuffered();
    void finishStream();
    void updateUsageFromMeter();
    void finish();
    void onClientGone();
    void killUpstream();

    HttpResponder::Headers governedHeaders(bool withCost) const;
    UsageRecord makeRecord() const;

    CallContext m_ctx;
    QPointer<HttpResponder> m_responder;
    QList<CallFilter *> m_filters;
    int m_filtersRun = 0;
    const ProviderRegistry *m_registry;
    QPointer<CallMonitor> m_monitor;

    QList<ProviderRegistry::Route> m_routes;
    int m_routeIndex = -1;
    QStringList m_attemptErrors;
    Provider *m_provider = nullptr;
    QPointer<ProviderCall> m_upstream;
    WireFormat m_upstreamFormat = WireFormat::OpenAI;
    HeaderList m_upstreamHeaders;
    Mode m_mode = Mode::Idle;
    QByteArray m_buffer;
    SseParser m_parser;
    std::unique_ptr<StreamMeter> m_meter;
    QElapsedTimer m_upstreamClock;
    bool m_finished = false;
    bool m_started = false;
};
