#include "proxycall.h"

#include "callmonitor.h"
#include "core/logging.h"
#include "errorresponder.h"
#include "http/httpresponder.h"
#include "providers/providercall.h"
#include "wire/requestinspector.h"
#include "wire/usageparser.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace {

// Provider response headers worth passing on; hop-by-hop headers, cookies
// and the provider's own rate-limit figures (which describe the gateway's
// account, not the caller's) stay behind.
bool forwardable(const QByteArray &name)
{
    return name == "content-type" || name == "x-request-id" || name == "request-id"
        || name == "openai-processing-ms" || name == "retry-after" || name == "x-should-retry";
}

bool retryableStatus(int status)
{
    return status == 408 || status == 429 || status >= 500;
}

QByteArray formatMs(double ms)
{
    return QByteArray::number(ms, 'f', 3);
}

} // namespace

ProxyCall::ProxyCall(CallContext context, HttpResponder *responder, const QList<CallFilter *> &filters,
                     const ProviderRegistry *registry, CallMonitor *monitor, QObject *parent)
    : QObject(parent), m_ctx(std::move(context)), m_responder(responder), m_filters(filters),
      m_registry(registry), m_monitor(monitor)
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
    m_started = true;
    if (m_monitor)
        m_monitor->add(this);
    QPointer<ProxyCall> self(this);
    m_ctx.resume = [self] {
        if (self && !self->m_finished)
            QMetaObject::invokeMethod(self, &ProxyCall::runFilters, Qt::QueuedConnection);
    };
    runFilters();
}

void ProxyCall::runFilters()
{
    while (m_filtersRun < m_filters.size()) {
        CallFilter *f = m_filters.at(m_filtersRun);
        ++m_filtersRun;
        switch (f->onRequest(m_ctx)) {
        case CallFilter::Result::Continue:
            break;
        case CallFilter::Result::Respond:
            respondError(m_ctx.error);
            return;
        case CallFilter::Result::Suspend:
            return; // ctx.resume() brings us back
        }
        if (m_finished)
            return;
    }
    route();
}

void ProxyCall::route()
{
    m_routes = m_registry->routesFor(m_ctx.request.model);
    if (m_routes.isEmpty()) {
        respondError(GatewayError(GatewayError::Code::ModelNotFound,
                                  u"no configured provider serves the model '"_s + m_ctx.request.model + u'\'',
                                  u"model"_s));
        return;
    }
    tryNext();
}

void ProxyCall::tryNext()
{
    while (++m_routeIndex < m_routes.size()) {
        const ProviderRegistry::Route &route = m_routes.at(m_routeIndex);
        Provider *provider = route.provider;
        if (!provider->speaksNatively(m_ctx.clientFormat)) {
            m_attemptErrors.append(provider->name() + u": speaks the "_s + wireFormatName(provider->format())
                                   + u" format; translation from "_s + wireFormatName(m_ctx.clientFormat)
                                   + u" is not available"_s);
            continue;
        }
        m_provider = provider;
        m_ctx.provider = provider->name();
        m_ctx.upstreamModel = route.upstreamModel;
        m_upstreamFormat = m_ctx.clientFormat;

        UpstreamRequest up;
        up.kind = m_ctx.countTokens ? UpstreamRequest::Kind::CountTokens : UpstreamRequest::Kind::Generate;
        up.model = route.upstreamModel;
        up.stream = m_ctx.request.stream;
        up.callerCredential = m_ctx.passthroughCredential;
        const bool renameModel = route.upstreamModel != m_ctx.request.model;
        const bool addUsage = m_ctx.clientFormat == WireFormat::OpenAI && m_ctx.request.stream
            && !m_ctx.request.clientAskedUsage;
        if (!renameModel && !addUsage) {
            up.body = m_ctx.request.body; // forwarded byte for byte
        } else {
            ProxyRequest edited = m_ctx.request;
            if (renameModel) {
                edited.json.insert(u"model"_s, route.upstreamModel);
                edited.body = QJsonDocument(edited.json).toJson(QJsonDocument::Compact);
            }
            up.body = addUsage ? RequestInspector::withIncludeUsage(edited) : edited.body;
        }
        if (m_ctx.clientFormat == WireFormat::Anthropic) {
            for (const QByteArray &h : {QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("anthropic-beta")}) {
                const QByteArray v = m_ctx.http.header(h);
                if (!v.isEmpty())
                    up.headers.append({h, v});
            }
        }

        m_meter = StreamMeter::create(m_upstreamFormat);
        m_meter->setStripUsage(addUsage);
        m_parser.reset();
        m_buffer.clear();
        m_mode = Mode::Idle;

        ProviderCall *call = provider->createCallIn(m_ctx.clientFormat, up, this);
        m_upstream = call;
        connect(call, &ProviderCall::headReceived, this, &ProxyCall::onHead);
        connect(call, &ProviderCall::bodyData, this, &ProxyCall::onData);
        connect(call, &ProviderCall::finished, this, &ProxyCall::onUpstreamFinished);
        m_upstreamClock.start();
        if (m_monitor)
            m_monitor->markChanged(this);
        call->start();
        return;
    }
    // Every route failed (or none could take the request).
    if (m_attemptErrors.size() == 1 && m_routes.size() == 1 && m_routeIndex >= 1
        && !m_routes.first().provider->speaksNatively(m_ctx.clientFormat)) {
        respondError(GatewayError::invalidRequest(m_attemptErrors.first(), u"model"_s));
        return;
    }
    respondError(GatewayError(GatewayError::Code::NoProvider,
                              u"every provider failed: "_s + m_attemptErrors.join(u"; "_s)));
}

void ProxyCall::onHead()
{
    ProviderCall *call = m_upstream;
    if (!call)
        return;
    const int status = call->httpStatus();
    m_upstreamHeaders = call->responseHeaders();
    if (!retryableStatus(status))
        m_provider->recordSuccess(double(m_upstreamClock.nsecsElapsed()) / 1e6);
    if (status >= 400) {
        // Read the error body: passed through with its status when the
        // provider refused, or the reason for falling back when retryable.
        m_mode = Mode::Buffer;
        return;
    }
    if (m_ctx.request.stream && !m_ctx.countTokens) {
        m_mode = Mode::Stream;
        m_ctx.streaming = true;
        m_ctx.upstreamWaitNs = m_upstreamClock.nsecsElapsed();
        m_ctx.status = status;
        // Overhead of a stream: the gateway's time up to the first byte.
        m_ctx.overheadMs = double(m_ctx.clock.nsecsElapsed() - m_ctx.upstreamWaitNs) / 1e6;
        HttpResponder::Headers h = governedHeaders(false);
        bool typed = false;
        for (const auto &p : call->responseHeaders()) {
            if (forwardable(p.first)) {
                typed = typed || p.first == "content-type";
                h.append(p);
            }
        }
        if (!typed)
            h.emplaceBack(QByteArray("content-type"), "text/event-stream; charset=utf-8");
        h.emplaceBack(QByteArray("cache-control"), "no-cache");
        if (m_responder)
            m_responder->writeHead(status, h);
        return;
    }
    m_mode = Mode::Buffer;
}

void ProxyCall::onData(const QByteArray &bytes)
{
    switch (m_mode) {
    case Mode::Idle:
    case Mode::Buffer:
        m_buffer.append(bytes);
        return;
    case Mode::Discard:
        return;
    case Mode::Stream:
        break;
    }
    QByteArray out;
    m_parser.feed(bytes, [&](const SseEvent &e) { out += m_meter->filter(e); });
    if (!out.isEmpty() && m_responder)
        m_responder->writeChunk(out);
    updateUsageFromMeter();
    for (int i = 0; i < m_filtersRun; ++i) {
        const GatewayError e = m_filters.at(i)->onProgress(m_ctx);
        if (e.isError()) {
            cut(e);
            return;
        }
    }
    if (m_monitor)
        m_monitor->markChanged(this);
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

    if (m_mode == Mode::Stream) {
        if (outcome != ProviderCall::Outcome::Completed || !m_meter->completed()) {
            // Flush a last event that came without its blank line.
            if (m_parser.hasPending() && m_responder && outcome == ProviderCall::Outcome::Completed) {
                const QByteArray rest = m_parser.pending();
                m_responder->writeChunk(rest);
            }
            if (outcome != ProviderCall::Outcome::Completed && !m_meter->errorSeen()) {
                const GatewayError e(GatewayError::Code::ProviderError,
                                     m_provider->name() + u": stream broke off: "_s + call->errorString());
                if (m_responder)
                    m_responder->writeChunk(ErrorResponder::streamErrorEvent(m_ctx.clientFormat, e, m_ctx.requestId));
                m_ctx.errorCode = u"provider_stream_error"_s;
            }
        }
        if (m_meter->errorSeen() && m_ctx.errorCode.isEmpty())
            m_ctx.errorCode = u"provider_stream_error"_s;
        finishStream();
        return;
    }

    if (outcome != ProviderCall::Outcome::Completed) {
        failAttempt(call->errorString(), 0);
        return;
    }
    const int status = call->httpStatus();
    if (status >= 400 && retryableStatus(status)) {
        failAttempt(QString::fromUtf8(m_buffer.left(300)).simplified(), status);
        return;
    }
    if (status >= 400) {
        // The provider's own refusal is the client's answer, as it sent it.
        m_ctx.status = status;
        m_ctx.errorCode = u"provider_error"_s;
        m_ctx.upstreamWaitNs = m_upstreamClock.nsecsElapsed();
        m_ctx.overheadMs = double(m_ctx.clock.nsecsElapsed() - m_ctx.upstreamWaitNs) / 1e6;
        HttpResponder::Headers h = governedHeaders(false);
        for (const auto &p : std::as_const(m_upstreamHeaders)) {
            if (forwardable(p.first) && p.first != "x-should-retry")
                h.append(p);
        }
        h.emplaceBack(QByteArray("x-should-retry"), "false");
        if (m_responder)
            m_responder->respond(status, h, m_buffer);
        finish();
        return;
    }
    m_ctx.status = status;
    m_ctx.upstreamWaitNs = m_upstreamClock.nsecsElapsed();
    completeBuffered();
}

void ProxyCall::failAttempt(const QString &why, int status)
{
    const QString what = status ? u"HTTP "_s + QString::number(status) + (why.isEmpty() ? QString() : u" "_s + why)
                                : why;
    m_attemptErrors.append(m_provider->name() + u": "_s + what);
    m_provider->recordFailure(what);
    qCInfo(lcPipeline).noquote() << QString::fromLatin1(m_ctx.requestId) << "provider" << m_provider->name()
                                 << "failed:" << what;
    m_mode = Mode::Idle;
    m_buffer.clear();
    tryNext();
}

void ProxyCall::completeBuffered()
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
    // Filters (pricing, budgets) see the final usage before the head is written.
    for (int i = 0; i < m_filtersRun; ++i)
        m_filters.at(i)->onProgress(m_ctx);
    m_ctx.overheadMs = double(m_ctx.clock.nsecsElapsed() - m_ctx.upstreamWaitNs) / 1e6;
    HttpResponder::Headers h = governedHeaders(!m_ctx.countTokens);
    bool typed = false;
    for (const auto &p : std::as_const(m_upstreamHeaders)) {
        if (forwardable(p.first)) {
            typed = typed || p.first == "content-type";
            h.append(p);
        }
    }
    if (!typed)
        h.emplaceBack(QByteArray("content-type"), "application/json");
    if (m_responder)
        m_responder->respond(m_ctx.status, h, m_buffer);
    finish();
}

void ProxyCall::finishStream()
{
    updateUsageFromMeter();
    for (int i = 0; i < m_filtersRun; ++i)
        m_filters.at(i)->onProgress(m_ctx);
    if (m_responder)
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
    m_ctx.overheadMs = double(m_ctx.clock.nsecsElapsed() - m_ctx.upstreamWaitNs) / 1e6;
    HttpResponder::Headers extra = m_ctx.responseHeaders;
    if (!m_ctx.runId.isEmpty()) {
        extra.emplaceBack(QByteArray("x-tollgate-run-id"), m_ctx.runId.toUtf8());
        extra.emplaceBack(QByteArray("x-tollgate-step-id"), m_ctx.stepId.toUtf8());
    }
    if (!m_ctx.provider.isEmpty())
        extra.emplaceBack(QByteArray("x-tollgate-provider"), m_ctx.provider.toUtf8());
    extra.emplaceBack(QByteArray("x-tollgate-overhead-ms"), formatMs(m_ctx.overheadMs));
    ErrorResponder::respond(m_responder, m_ctx.clientFormat, error, m_ctx.requestId, extra);
    finish();
}

void ProxyCall::cut(const GatewayError &error)
{
    if (m_finished)
        return;
    qCInfo(lcPipeline).noquote() << QString::fromLatin1(m_ctx.requestId) << "cut:" << error.message();
    killUpstream();
    if (m_mode == Mode::Stream && m_responder && m_responder->headWritten()) {
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
    if (m_mode != Mode::Idle)
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
    if (m_ctx.status == 0)
        m_ctx.status = 499; // nginx's "client closed request": nothing was answered
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
        m_monitor->remove(this, makeRecord());
    deleteLater();
}

HttpResponder::Headers ProxyCall::governedHeaders(bool withCost) const
{
    HttpResponder::Headers h;
    h.reserve(10 + m_ctx.responseHeaders.size());
    h.emplaceBack(QByteArray("x-tollgate-request-id"), m_ctx.requestId);
    if (!m_ctx.runId.isEmpty()) {
        h.emplaceBack(QByteArray("x-tollgate-run-id"), m_ctx.runId.toUtf8());
        h.emplaceBack(QByteArray("x-tollgate-step-id"), m_ctx.stepId.toUtf8());
    }
    h.emplaceBack(QByteArray("x-tollgate-provider"), m_ctx.provider.toUtf8());
    h.emplaceBack(QByteArray("x-tollgate-cache"), m_ctx.cacheStatus.toLatin1());
    if (withCost)
        h.emplaceBack(QByteArray("x-tollgate-cost-usd"), QByteArray::number(m_ctx.cost, 'f', 8));
    h.emplaceBack(QByteArray("x-tollgate-overhead-ms"), formatMs(m_ctx.overheadMs));
    h.append(m_ctx.responseHeaders);
    return h;
}

UsageRecord ProxyCall::makeRecord() const
{
    UsageRecord r;
    r.time = m_ctx.startedAt;
    r.requestId = QString::fromLatin1(m_ctx.requestId);
    r.keyId = m_ctx.keyId;
    r.runId = m_ctx.runId;
    r.stepId = m_ctx.stepId;
    r.endpoint = m_ctx.endpoint;
    r.model = m_ctx.request.model;
    r.provider = m_ctx.provider;
    r.inputTokens = m_ctx.usage.inputTokens;
    r.outputTokens = m_ctx.usage.outputTokens;
    r.cacheReadTokens = m_ctx.usage.cacheReadTokens;
    r.cacheWriteTokens = m_ctx.usage.cacheWriteTokens;
    r.cost = m_ctx.cost;
    r.savedCost = m_ctx.savedCost;
    r.cached = m_ctx.cached;
    r.estimated = m_ctx.estimated;
    r.unpriced = m_ctx.unpriced;
    r.status = m_ctx.status;
    r.error = m_ctx.errorCode;
    r.latencyMs = double(m_ctx.clock.nsecsElapsed()) / 1e6;
    r.overheadMs = m_ctx.overheadMs;
    r.prompt = m_ctx.prompt;
    r.promptVersion = m_ctx.promptVersion;
    r.governed = m_ctx.keyId.has_value() || !m_ctx.runId.isEmpty() || !m_ctx.passthroughCredential.isEmpty();
    return r;
}
