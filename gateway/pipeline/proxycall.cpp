#include "proxycall.h"

#include "callmonitor.h"
#include "core/logging.h"
#include "errorresponder.h"
#include "http/httpresponder.h"
#include "providers/providercall.h"
#include "upstreambuilder.h"
#include "wire/responsetranslator.h"
#include "wire/streamsynthesizer.h"
#include "wire/usageparser.h"

#include <QDateTime>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

// Provider response headers worth passing on; hop-by-hop headers, cookies
// and the provider's own rate-limit figures (which describe the gateway's
// account, not the caller's) stay behind.
bool forwardable(const QByteArray &name)
{
    return name == "content-type" || name == "x-request-id" || name == "request-id"
        || name == "openai-processing-ms" || name == "retry-after";
}

bool retryableStatus(int status)
{
    return status == 408 || status == 429 || status >= 500;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

ProxyCall::ProxyCall(CallContext context, HttpResponder *responder, const QList<CallFilter *> &filters,
                     const ProviderRegistry *registry, const RoutingConfig &routing, CallMonitor *monitor,
                     QObject *parent)
    : QObject(parent), m_ctx(std::move(context)), m_responder(responder), m_filters(filters),
      m_registry(registry), m_routing(routing), m_monitor(monitor)
{
    if (m_responder)
        connect(m_responder, &HttpResponder::clientGone, this, &ProxyCall::onClientGone);
}

ProxyCall::~ProxyCall()
{
    killUpstream();
}

LiveCall ProxyCall::snapshot() const
{
    LiveCall c;
    c.requestId = QString::fromLatin1(m_ctx.requestId);
    c.endpoint = m_ctx.endpoint;
    c.model = m_ctx.request.model;
    c.provider = m_ctx.provider;
    c.keyId = m_ctx.keyId;
    c.keyName = m_ctx.keyName;
    c.runId = m_ctx.runId;
    c.stepId = m_ctx.stepId;
    c.stream = m_ctx.request.stream;
    c.usage = m_ctx.usage;
    c.cost = m_ctx.cost;
    c.startedAt = m_ctx.startedAt;
    return c;
}

void ProxyCall::start()
{
    if (m_monitor)
        m_monitor->add(this);
    QPointer<ProxyCall> self(this);
    m_ctx.resumeWith = [self](std::function<void(CallContext &)> change) {
        if (!self || self->m_finished)
            return;
        if (change)
            change(self->m_ctx);
        QMetaObject::invokeMethod(self, &ProxyCall::runFilters, Qt::QueuedConnection);
    };
    runFilters();
}

void ProxyCall::runFilters()
{
    if (m_finished)
        return;
    if (m_ctx.localAnswer) {
        serveLocal();
        return;
    }
    while (m_filtersRun < m_filters.size()) {
        CallFilter *f = m_filters.at(m_filtersRun);
        ++m_filtersRun;
        switch (f->onRequest(m_ctx)) {
        case CallFilter::Result::Continue:
            break;
        case CallFilter::Result::Respond:
            if (m_ctx.localAnswer)
                serveLocal();
            else
                respondError(m_ctx.error);
            return;
        case CallFilter::Result::Suspend:
            return; // ctx.resumeWith() brings us back
        }
        if (m_finished)
            return;
    }
    route();
}

void ProxyCall::route()
{
    const auto routes = m_registry->routesFor(m_ctx.request.model);
    if (routes.isEmpty()) {
        respondError(GatewayError(GatewayError::Code::ModelNotFound,
                                  u"no configured provider serves the model '"_s + m_ctx.request.model + u'\'',
                                  u"model"_s));
        return;
    }
    m_plan = RoutePlan(routes, m_routing);
    advance();
}

void ProxyCall::advance()
{
    const RoutePlan::Step step = m_plan.next(nowMs());
    switch (step.kind) {
    case RoutePlan::Step::Attempt:
        startAttempt(step.routeIndex);
        return;
    case RoutePlan::Step::Wait: {
        const int index = step.routeIndex;
        m_waitingSinceNs = m_ctx.clock.nsecsElapsed();
        QTimer::singleShot(step.delayMs, this, [this, index] {
            if (!m_finished)
                startAttempt(index);
        });
        return;
    }
    case RoutePlan::Step::Exhausted:
        break;
    }
    if (!m_plan.anyAttempted() && m_plan.refusal().isError()) {
        respondError(m_plan.refusal());
        return;
    }
    respondError(GatewayError(GatewayError::Code::NoProvider,
                              u"every provider failed: "_s + m_plan.failures().join(u"; "_s)));
}

void ProxyCall::startAttempt(int routeIndex)
{
    if (m_waitingSinceNs >= 0) {
        // Backing off after a provider failure is waiting on the provider.
        m_priorWaitNs += m_ctx.clock.nsecsElapsed() - m_waitingSinceNs;
        m_waitingSinceNs = -1;
    }
    const ProviderRegistry::Route &route = m_plan.route(routeIndex);
    Provider *provider = route.provider;
    GatewayError error;
    const auto built = UpstreamBuilder::build(m_ctx, *provider, route.upstreamModel, &error);
    if (!built) {
        provider->recordAbandoned();
        m_plan.refused(error);
        advance();
        return;
    }
    m_provider = provider;
    m_ctx.provider = provider->name();
    m_ctx.upstreamModel = route.upstreamModel;
    m_upstreamFormat = built->format;
    m_translated = built->translated;
    m_meter = StreamMeter::create(m_upstreamFormat);
    m_meter->setStripUsage(built->strippedUsage);
    m_translator = m_translated && m_ctx.request.stream
        ? StreamTranslator::create(m_upstreamFormat, m_ctx.clientFormat, m_ctx.request.model)
        : nullptr;
    if (m_translator && m_ctx.clientFormat == WireFormat::OpenAI)
        m_translator->setIncludeUsage(m_ctx.request.clientAskedUsage);
    m_assembler = !m_ctx.cacheKey.isEmpty() && m_ctx.request.stream ? StreamAssembler::create(m_upstreamFormat)
                                                                    : nullptr;
    m_parser.reset();
    m_buffer.clear();
    m_pendingOut.clear();
    m_upstreamHeaders.clear();
    m_mode = Mode::Idle;

    ProviderCall *call = provider->createCallIn(m_ctx.clientFormat, built->request, this);
    m_upstream = call;
    connect(call, &ProviderCall::headReceived, this, &ProxyCall::onHead);
    connect(call, &ProviderCall::bodyData, this, &ProxyCall::onData);
    connect(call, &ProviderCall::finished, this, &ProxyCall::onUpstreamFinished);
    m_upstreamClock.start();
    if (m_monitor)
        m_monitor->markChanged(this);
    call->start();
}

void ProxyCall::onHead()
{
    ProviderCall *call = m_upstream;
    if (!call)
        return;
    const int status = call->httpStatus();
    m_upstreamHeaders = call->responseHeaders();
    if (status >= 400) {
        // Read the error body: passed through when the provider refused, or
        // the reason for falling back when retryable.
        m_mode = Mode::Buffer;
        return;
    }
    m_provider->recordSuccess(double(m_upstreamClock.nsecsElapsed()) / 1e6);
    m_ctx.status = status;
    // A stream opens to the client with its first event, so a provider that
    // fails before sending one can still be replaced.
    m_mode = m_ctx.request.stream && !m_ctx.countTokens ? Mode::Stream : Mode::Buffer;
}

void ProxyCall::openStream()
{
    m_ctx.streaming = true;
    m_ctx.upstreamWaitNs = m_priorWaitNs + m_upstreamClock.nsecsElapsed();
    // Overhead of a stream: the gateway's own time up to the first byte.
    m_ctx.overheadMs = double(m_ctx.clock.nsecsElapsed() - m_ctx.upstreamWaitNs) / 1e6;
    HttpResponder::Headers h = m_ctx.gatewayHeaders(false);
    bool typed = false;
    for (const auto &p : std::as_const(m_upstreamHeaders)) {
        if (forwardable(p.first) && !(m_translated && p.first == "content-type")) {
            typed = typed || p.first == "content-type";
            h.append(p);
        }
    }
    if (!typed)
        h.emplaceBack(QByteArray("content-type"), QByteArrayLiteral("text/event-stream; charset=utf-8"));
    h.emplaceBack(QByteArray("cache-control"), QByteArrayLiteral("no-cache"));
    if (m_responder)
        m_responder->writeHead(m_ctx.status ? m_ctx.status : 200, h);
}

void ProxyCall::onData(const QByteArray &bytes)
{
    if (m_mode != Mode::Stream) {
        m_buffer.append(bytes);
        return;
    }
    QByteArray out;
    m_parser.feed(bytes, [&](const SseEvent &e) {
        if (m_assembler)
            m_assembler->add(e);
        QByteArray forwarded = m_meter->filter(e);
        out += m_translator ? m_translator->translate(e) : forwarded;
    });
    const bool opened = m_ctx.streaming;
    if (!opened && m_meter->errorSeen()) {
        // The provider failed before anything reached the client (Anthropic's
        // overloaded_error arrives this way): another provider may serve it.
        failAttempt(m_provider->name() + u": error event before the first byte: "_s
                        + QString::fromUtf8(m_meter->errorPayload().left(300)),
                    true);
        return;
    }
    if (out.isEmpty())
        return;
    if (!opened)
        openStream();
    if (m_responder)
        m_responder->writeChunk(out);
    updateUsageFromMeter();
    priceProgress();
    if (!m_finished && m_monitor)
        m_monitor->markChanged(this);
}

void ProxyCall::priceProgress()
{
    for (int i = 0; i < m_filtersRun && !m_finished; ++i) {
        const GatewayError e = m_filters.at(i)->onProgress(m_ctx);
        if (e.isError() && m_ctx.streaming) {
            cut(e);
            return;
        }
    }
}

void ProxyCall::updateUsageFromMeter()
{
    if (!m_meter)
        return;
    if (m_meter->usageSeen()) {
        m_ctx.usage = m_meter->usage();
        m_ctx.estimated = false;
        return;
    }
    // Until the provider's own figures arrive, show (and bill, if the stream
    // is cut) the best estimate: its input count if it gave one already.
    TokenUsage u = m_meter->usage();
    if (u.inputTokens == 0 && u.cacheReadTokens == 0 && u.cacheWriteTokens == 0)
        u.inputTokens = m_ctx.request.estimatedInputTokens;
    u.outputTokens = qMax(u.outputTokens, m_meter->estimatedOutputTokens());
    m_ctx.usage = u;
    m_ctx.estimated = true;
}

void ProxyCall::onUpstreamFinished()
{
    ProviderCall *call = m_upstream;
    if (!call || m_finished)
        return;
    m_upstream = nullptr;
    call->deleteLater();
    const ProviderCall::Outcome outcome = call->outcome();
    if (outcome == ProviderCall::Outcome::Killed)
        return; // whoever killed it finishes the call
    const bool completed = outcome == ProviderCall::Outcome::Completed;

    if (m_mode == Mode::Stream) {
        if (!m_ctx.streaming) {
            failAttempt(m_provider->name() + u": "_s
                            + (completed ? u"stream ended before its first event"_s : call->errorString()),
                        true);
            return;
        }
        finishStream(completed, call->errorString());
        return;
    }
    if (!completed) {
        failAttempt(m_provider->name() + u": "_s + call->errorString(), true);
        return;
    }
    const int status = call->httpStatus();
    if (status >= 400 && retryableStatus(status)) {
        failAttempt(m_provider->name() + u": HTTP "_s + QString::number(status) + u' '
                        + QString::fromUtf8(m_buffer.left(300)).simplified(),
                    true);
        return;
    }
    m_ctx.status = status;
    m_ctx.upstreamWaitNs = m_priorWaitNs + m_upstreamClock.nsecsElapsed();
    if (status >= 400) {
        // The provider's own refusal is the client's answer, in its format.
        m_ctx.errorCode = u"provider_error"_s;
        m_ctx.overheadMs = double(m_ctx.clock.nsecsElapsed() - m_ctx.upstreamWaitNs) / 1e6;
        HttpResponder::Headers h = m_ctx.gatewayHeaders(false);
        for (const auto &p : std::as_const(m_upstreamHeaders)) {
            if (forwardable(p.first) && !(m_translated && p.first == "content-type"))
                h.append(p);
        }
        if (m_translated)
            h.emplaceBack(QByteArray("content-type"), QByteArrayLiteral("application/json"));
        h.emplaceBack(QByteArray("x-should-retry"), QByteArrayLiteral("false"));
        const QByteArray body = m_translated
            ? ResponseTranslator::translateError(m_upstreamFormat, m_ctx.clientFormat, status, m_buffer)
            : m_buffer;
        if (m_responder)
            m_responder->respond(status, h, body);
        finish();
        return;
    }
    completeBuffered(m_upstreamHeaders);
}

void ProxyCall::failAttempt(const QString &why, bool retryable)
{
    qCInfo(lcPipeline).noquote() << QString::fromLatin1(m_ctx.requestId) << "attempt failed:" << why;
    if (ProviderCall *call = m_upstream) {
        m_upstream = nullptr;
        call->disconnect(this);
        call->kill();
        call->deleteLater();
    }
    m_provider->recordFailure(why, nowMs());
    m_priorWaitNs += m_upstreamClock.nsecsElapsed();
    m_plan.failed(why, retryable);
    m_mode = Mode::Idle;
    m_buffer.clear();
    m_ctx.status = 0;
    advance();
}

void ProxyCall::completeBuffered(const HeaderList &upstreamHeaders)
{
    if (m_ctx.countTokens) {
        m_ctx.usage = {};
    } else if (const auto u = UsageParser::fromResponseBody(m_upstreamFormat, m_buffer)) {
        m_ctx.usage = *u;
        m_ctx.estimated = false;
    } else {
        m_ctx.usage.inputTokens = m_ctx.request.estimatedInputTokens;
        m_ctx.usage.outputTokens = 0;
        m_ctx.estimated = true;
    }
    const QByteArray body = m_translated ? ResponseTranslator::translate(m_upstreamFormat, m_ctx.clientFormat, m_buffer)
                                         : m_buffer;
    if (m_translated && body.isEmpty()) {
        respondError(GatewayError(GatewayError::Code::NoProvider,
                                  m_provider->name() + u": answered with a body that is not JSON; it cannot be translated"_s));
        return;
    }
    if (m_ctx.status < 300 && !m_ctx.countTokens)
        m_ctx.responseBody = body;
    // Filters (pricing, budgets) see the final usage before the head is written.
    for (int i = 0; i < m_filtersRun; ++i)
        m_filters.at(i)->onProgress(m_ctx);
    m_ctx.overheadMs = double(m_ctx.clock.nsecsElapsed() - m_ctx.upstreamWaitNs) / 1e6;
    HttpResponder::Headers h = m_ctx.gatewayHeaders(!m_ctx.countTokens);
    bool typed = false;
    for (const auto &p : upstreamHeaders) {
        if (forwardable(p.first) && !(m_translated && p.first == "content-type")) {
            typed = typed || p.first == "content-type";
            h.append(p);
        }
    }
    if (!typed)
        h.emplaceBack(QByteArray("content-type"), QByteArrayLiteral("application/json"));
    if (m_responder)
        m_responder->respond(m_ctx.status, h, body);
    finish();
}

void ProxyCall::finishStream(bool upstreamComplete, const QString &upstreamError)
{
    QByteArray tail;
    if (m_translator) {
        tail = m_translator->finish(upstreamComplete && m_meter->completed());
    } else if (upstreamComplete && m_parser.hasPending()) {
        tail = m_parser.pending(); // a last event that came without its blank line
    }
    if (!upstreamComplete && !m_meter->errorSeen()) {
        const GatewayError e(GatewayError::Code::ProviderError,
                             m_provider->name() + u": stream broke off: "_s + upstreamError);
        tail += ErrorResponder::streamErrorEvent(m_ctx.clientFormat, e, m_ctx.requestId);
        m_ctx.errorCode = u"provider_stream_error"_s;
    }
    if (m_meter->errorSeen() && m_ctx.errorCode.isEmpty())
        m_ctx.errorCode = u"provider_stream_error"_s;
    if (m_assembler && m_assembler->complete() && m_ctx.errorCode.isEmpty()) {
        const QByteArray body = m_assembler->body();
        m_ctx.responseBody = m_translated ? ResponseTranslator::translate(m_upstreamFormat, m_ctx.clientFormat, body)
                                          : body;
    }
    if (m_responder && !tail.isEmpty())
        m_responder->writeChunk(tail);
    updateUsageFromMeter();
    for (int i = 0; i < m_filtersRun; ++i)
        m_filters.at(i)->onProgress(m_ctx);
    if (m_responder)
        m_responder->end();
    finish();
}

void ProxyCall::serveLocal()
{
    // A cached answer: no provider wait, so all of it is the gateway's time.
    const QByteArray body = *m_ctx.localAnswer;
    m_ctx.status = 200;
    m_ctx.upstreamWaitNs = 0;
    for (int i = 0; i < m_filtersRun; ++i)
        m_filters.at(i)->onProgress(m_ctx);
    m_ctx.overheadMs = double(m_ctx.clock.nsecsElapsed()) / 1e6;
    if (!m_responder) {
        finish();
        return;
    }
    if (!m_ctx.request.stream) {
        HttpResponder::Headers h = m_ctx.gatewayHeaders(true);
        h.emplaceBack(QByteArray("content-type"), QByteArrayLiteral("application/json"));
        m_responder->respond(200, h, body);
        finish();
        return;
    }
    HttpResponder::Headers h = m_ctx.gatewayHeaders(false);
    h.emplaceBack(QByteArray("content-type"), QByteArrayLiteral("text/event-stream; charset=utf-8"));
    h.emplaceBack(QByteArray("cache-control"), QByteArrayLiteral("no-cache"));
    m_responder->writeHead(200, h);
    StreamSynthesizer::Options options;
    options.includeUsage = m_ctx.request.clientAskedUsage;
    for (const QByteArray &event : StreamSynthesizer::events(m_ctx.clientFormat, body, options))
        m_responder->writeChunk(event);
    m_responder->end();
    finish();
}

void ProxyCall::respondError(const GatewayError &error)
{
    if (m_finished)
        return;
    m_ctx.error = error;
    m_ctx.status = error.httpStatus();
    m_ctx.errorCode = QString::fromLatin1(error.codeString());
    m_ctx.upstreamWaitNs = qMax(m_ctx.upstreamWaitNs, m_priorWaitNs);
    m_ctx.overheadMs = double(m_ctx.clock.nsecsElapsed() - m_ctx.upstreamWaitNs) / 1e6;
    HttpResponder::Headers extra = m_ctx.responseHeaders;
    if (!m_ctx.runId.isEmpty()) {
        extra.emplaceBack(QByteArray("x-tollgate-run-id"), m_ctx.runId.toUtf8());
        extra.emplaceBack(QByteArray("x-tollgate-step-id"), m_ctx.stepId.toUtf8());
    }
    if (!m_ctx.provider.isEmpty())
        extra.emplaceBack(QByteArray("x-tollgate-provider"), m_ctx.provider.toUtf8());
    extra.emplaceBack(QByteArray("x-tollgate-overhead-ms"), CallContext::formatMs(m_ctx.overheadMs));
    ErrorResponder::respond(m_responder, m_ctx.clientFormat, error, m_ctx.requestId, extra);
    finish();
}

void ProxyCall::cut(const GatewayError &error)
{
    if (m_finished)
        return;
    qCInfo(lcPipeline).noquote() << QString::fromLatin1(m_ctx.requestId) << "cut:" << error.message();
    killUpstream();
    if (m_ctx.streaming && m_responder && m_responder->headWritten()) {
        updateUsageFromMeter();
        for (int i = 0; i < m_filtersRun; ++i)
            m_filters.at(i)->onProgress(m_ctx);
        m_ctx.error = error;
        m_ctx.errorCode = QString::fromLatin1(error.codeString());
        m_responder->writeChunk(ErrorResponder::streamErrorEvent(m_ctx.clientFormat, error, m_ctx.requestId));
        m_responder->end();
        finish();
        return;
    }
    if (m_mode == Mode::Stream)
        updateUsageFromMeter();
    respondError(error);
}

void ProxyCall::onClientGone()
{
    if (m_finished)
        return;
    killUpstream();
    if (m_mode == Mode::Stream)
        updateUsageFromMeter();
    if (m_ctx.status == 0 || !m_ctx.streaming)
        m_ctx.status = 499; // nginx's "client closed request": no complete answer was sent
    m_ctx.errorCode = u"client_disconnected"_s;
    for (int i = 0; i < m_filtersRun; ++i)
        m_filters.at(i)->onProgress(m_ctx);
    finish();
}

void ProxyCall::killUpstream()
{
    if (ProviderCall *call = m_upstream) {
        m_upstream = nullptr;
        call->disconnect(this);
        call->kill();
        call->deleteLater();
        if (m_provider)
            m_provider->recordAbandoned();
    }
}

void ProxyCall::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    killUpstream();
    for (int i = m_filtersRun - 1; i >= 0; --i)
        m_filters.at(i)->onFinish(m_ctx);
    if (m_monitor)
        m_monitor->remove(this, m_ctx.record());
    deleteLater();
}
