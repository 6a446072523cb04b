#include "proxyservice.h"

#include "callmonitor.h"
#include "http/httpresponder.h"
#include "providers/providerregistry.h"
#include "proxycall.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

ProxyService::ProxyService(const ProviderRegistry *registry, const RoutingConfig &routing, CallMonitor *monitor,
                           QObject *parent)
    : QObject(parent), m_registry(registry), m_routing(routing), m_monitor(monitor)
{
}

QByteArray ProxyService::newRequestId()
{
    quint64 words[2];
    QRandomGenerator::global()->fillRange(words);
    QByteArray raw(reinterpret_cast<const char *>(words), sizeof(words) - 4);
    return "req_" + raw.toHex();
}

void ProxyService::handle(Endpoint endpoint, HttpRequest &&request, HttpResponder *responder)
{
    CallContext ctx;
    ctx.requestId = newRequestId();
    ctx.endpoint = QString::fromLatin1(request.path);
    ctx.clientFormat = endpoint == Endpoint::ChatCompletions ? WireFormat::OpenAI : WireFormat::Anthropic;
    ctx.countTokens = endpoint == Endpoint::CountTokens;
    ctx.startedAt = QDateTime::currentDateTimeUtc();
    ctx.clock = responder->since();
    ctx.http = std::move(request);

    auto *call = new ProxyCall(std::move(ctx), responder, m_filters, m_registry, m_routing, m_monitor, this);
    call->start();
}

void ProxyService::handleModels(const HttpRequest &request, HttpResponder *responder)
{
    Q_UNUSED(request);
    const QStringList priced = m_pricedModels ? m_pricedModels() : QStringList();
    const qint64 created = QDateTime::currentSecsSinceEpoch();
    QJsonArray data;
    for (const QString &model : m_registry->listedModels(priced)) {
        QString owner = u"tollgate"_s;
        const auto routes = m_registry->routesFor(model);
        if (!routes.isEmpty() && !m_registry->isAlias(model))
            owner = routes.first().provider->name();
        data.append(QJsonObject{{u"id"_s, model}, {u"object"_s, u"model"_s}, {u"created"_s, created},
                                {u"owned_by"_s, owner}});
    }
    const QJsonObject body{{u"object"_s, u"list"_s}, {u"data"_s, data}};
    responder->respond(200, {{"content-type", "application/json"}},
                       QJsonDocument(body).toJson(QJsonDocument::Compact));
}
