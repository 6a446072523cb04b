#pragma once

// One proxied call from the client's last request byte to the ledger: runs
// the filter chain, forwards to the model's routes in order (RoutePlan),
// falling back on retryable failures while nothing has reached the client,
// streams the provider's events to the client as they arrive while
// metering them (translating formats where the provider speaks the other
// one), and can be cut at any moment (kill switch, budget, revoked key,
// client gone, shutdown) — which aborts the upstream request at once.
//
// It deletes itself when done. Callers hold a QPointer.

#include "callcontext.h"
#include "callfilter.h"
#include "core/usagerecord.h"
#include "livecall.h"
#include "routeplan.h"
#include "wire/sseparser.h"
#include "wire/streamassembler.h"
#include "wire/streammeter.h"
#include "wire/streamtranslator.h"

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
              const ProviderRegistry *registry, const RoutingConfig &routing, CallMonitor *monitor,
              QObject *parent);
    ~ProxyCall() override;

    void start();
    // Ends the call now with this error: an error response if nothing was
    // sent yet, else one error event and a clean end of the stream.
    void cut(const GatewayError &error);

    const CallContext &context() const { return m_ctx; }
    LiveCall snapshot() const;

private:
    enum class Mode { Idle, Buffer, Stream };

    void runFilters();
    void route();
    void advance();
    void startAttempt(int routeIndex);
    void onHead();
    void onData(const QByteArray &bytes);
    void onUpstreamFinished();
    void failAttempt(const QString &why, bool retryable);
    void openStream();
    void respondError(const GatewayError &error);
    void serveLocal();
    void completeBuffered(const HeaderList &upstreamHeaders);
    void finishStream(bool upstreamComplete, const QString &upstreamError);
    void updateUsageFromMeter();
    void priceProgress();
    void finish();
    void onClientGone();
    void killUpstream();


    CallContext m_ctx;
    QPointer<HttpResponder> m_responder;
    QList<CallFilter *> m_filters;
    int m_filtersRun = 0;
    const ProviderRegistry *m_registry;
    RoutingConfig m_routing;
    QPointer<CallMonitor> m_monitor;

    RoutePlan m_plan;
    Provider *m_provider = nullptr;
    QPointer<ProviderCall> m_upstream;
    WireFormat m_upstreamFormat = WireFormat::OpenAI;
    bool m_translated = false;
    HeaderList m_upstreamHeaders;
    Mode m_mode = Mode::Idle;
    QByteArray m_buffer;
    QByteArray m_pendingOut;       // stream bytes held until the stream is opened to the client
    SseParser m_parser;
    std::unique_ptr<StreamMeter> m_meter;
    std::unique_ptr<StreamTranslator> m_translator;
    std::unique_ptr<StreamAssembler> m_assembler;   // when the answer may be cached
    QElapsedTimer m_upstreamClock;
    qint64 m_priorWaitNs = 0;      // provider time of failed attempts and backoff before this one
    qint64 m_waitingSinceNs = -1;  // backing off since (ctx.clock), or -1
    bool m_finished = false;
};
