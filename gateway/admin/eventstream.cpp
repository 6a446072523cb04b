#include "eventstream.h"

#include "adminjson.h"
#include "governance/keystore.h"
#include "governance/runregistry.h"
#include "http/httpresponder.h"
#include "pipeline/callmonitor.h"
#include "pipeline/coreservices.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

EventStream::EventStream(const CoreServices &services, QObject *parent) : QObject(parent), m_services(services)
{
    connect(services.monitor, &CallMonitor::callStarted, this, [this](const LiveCall &c) {
        if (active())
            broadcast("call_started", liveCallJson(c));
    });
    connect(services.monitor, &CallMonitor::callsUpdated, this, [this](const QList<LiveCall> &calls) {
        if (!active())
            return;
        for (const LiveCall &c : calls)
            broadcast("call_updated", liveCallJson(c));
    });
    connect(services.monitor, &CallMonitor::callFinished, this, [this](const UsageRecord &r) {
        if (active())
            broadcast("call_finished", AdminJson::usage(r));
    });
    connect(services.keys, &KeyStore::keyChanged, this, [this](const KeyRecord &k) {
        if (active())
            broadcast("key_changed", AdminJson::key(k, QDateTime::currentDateTimeUtc()));
    });
    connect(services.runs, &RunRegistry::runChanged, this, [this](const RunRecord &r) {
        if (active())
            broadcast("run_changed", AdminJson::run(r, m_services.monitor->liveStreamsOfRun(r.id)));
    });
    m_keepAlive.setParent(this);
    m_keepAlive.setInterval(15000);
    connect(&m_keepAlive, &QTimer::timeout, this, [this] {
        for (const auto &s : std::as_const(m_subscribers)) {
            if (s)
                s->writeChunk(QByteArrayLiteral(": keep-alive\n\n"));
        }
    });
}

QJsonObject EventStream::liveCallJson(const LiveCall &c)
{
    return QJsonObject{
        {u"request_id"_s, c.requestId},
        {u"endpoint"_s, c.endpoint},
        {u"model"_s, c.model},
        {u"provider"_s, c.provider},
        {u"key_id"_s, c.keyId ? QJsonValue(*c.keyId) : QJsonValue()},
        {u"run_id"_s, c.runId.isEmpty() ? QJsonValue() : QJsonValue(c.runId)},
        {u"step_id"_s, c.stepId.isEmpty() ? QJsonValue() : QJsonValue(c.stepId)},
        {u"stream"_s, c.stream},
        {u"input_tokens"_s, c.usage.inputTokens},
        {u"output_tokens"_s, c.usage.outputTokens},
        {u"cost"_s, c.cost},
        {u"started_at"_s, AdminJson::time(c.startedAt)},
    };
}

void EventStream::subscribe(HttpResponder *responder)
{
    responder->writeHead(200, {{"content-type", "text/event-stream; charset=utf-8"}, {"cache-control", "no-cache"}});
    responder->writeChunk(QByteArrayLiteral(": tollgate events\n\n"));
    m_subscribers.append(responder);
    if (!m_keepAlive.isActive())
        m_keepAlive.start();
}

bool EventStream::active()
{
    if (m_subscribers.isEmpty())
        return false;
    m_subscribers.removeIf([](const QPointer<HttpResponder> &p) { return !p || p->isClientGone(); });
    if (m_subscribers.isEmpty())
        m_keepAlive.stop();
    return !m_subscribers.isEmpty();
}

void EventStream::broadcast(const QByteArray &event, const QJsonObject &data)
{
    const QByteArray bytes = "event: " + event + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
    for (const auto &s : std::as_const(m_subscribers))
        s->writeChunk(bytes);
}
