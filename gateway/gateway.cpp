#include "gateway.h"

#include "core/logging.h"
#include "http/httpresponder.h"
#include "http/httpserver.h"
#include "pipeline/callmonitor.h"
#include "pipeline/proxyservice.h"
#include "pipeline/validatefilter.h"
#include "providers/httpprovider.h"
#include "providers/networkpool.h"
#include "providers/providerregistry.h"
#include "providers/simprovider.h"
#include "router.h"

#include <QElapsedTimer>
#include <QTimer>

using namespace Qt::StringLiterals;

Gateway::Gateway(Config config, QString dataDir, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_dataDir(std::move(dataDir)),
      m_registry(std::make_unique<ProviderRegistry>()), m_router(std::make_unique<Router>()),
      m_validate(std::make_unique<ValidateFilter>()), m_pool(new NetworkPool(this)),
      m_monitor(new CallMonitor(this)), m_proxy(new ProxyService(m_registry.get(), m_monitor, this)),
      m_server(new HttpServer(this))
{
    buildProviders();
    m_proxy->setFilters({m_validate.get()});
    buildRoutes();
    HttpConnection::Options options;
    options.limits.maxBodyBytes = m_config.maxBodyBytes;
    options.limits.maxHeaderBytes = m_config.maxHeaderBytes;
    options.idleTimeoutMs = m_config.idleConnectionTimeoutS * 1000;
    m_server->setOptions(options);
    m_server->setHandler([this](HttpRequest &&request, HttpResponder *responder) {
        m_router->dispatch(std::move(request), responder);
    });
}

Gateway::~Gateway() = default;

void Gateway::buildProviders()
{
    for (const ProviderConfig &pc : std::as_const(m_config.providers)) {
        if (pc.kind == u"sim")
            m_registry->add(std::make_unique<SimProvider>(pc, m_config.sim));
        else
            m_registry->add(std::make_unique<HttpProvider>(pc, m_pool));
    }
    m_registry->setAliases(m_config.aliases);
}

void Gateway::buildRoutes()
{
    Router &r = *m_router;
    r.add("POST", "/v1/chat/completions", [this](HttpRequest &&req, HttpResponder *resp) {
        m_proxy->handle(ProxyService::Endpoint::ChatCompletions, std::move(req), resp);
    });
    r.add("POST", "/v1/messages", [this](HttpRequest &&req, HttpResponder *resp) {
        m_proxy->handle(ProxyService::Endpoint::Messages, std::move(req), resp);
    });
    r.add("POST", "/v1/messages/count_tokens", [this](HttpRequest &&req, HttpResponder *resp) {
        m_proxy->handle(ProxyService::Endpoint::CountTokens, std::move(req), resp);
    });
    r.add("GET", "/v1/models", [this](HttpRequest &&req, HttpResponder *resp) {
        m_proxy->handleModels(req, resp);
    });
    r.add("GET", "/healthz", [this](HttpRequest &&, HttpResponder *resp) {
        resp->respond(m_stopping ? 503 : 200, {{"content-type", "application/json"}},
                      m_stopping ? QByteArrayLiteral("{\"status\":\"stopping\"}")
                                 : QByteArrayLiteral("{\"status\":\"ok\"}"));
    });
}

bool Gateway::start(QString *error)
{
    QHostAddress address;
    const QString host = m_config.listenHost;
    if (host == u"localhost")
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host)) {
        if (error)
            *error = u"cannot listen on '"_s + host + u"': not an IP address"_s;
        return false;
    }
    QString why;
    if (!m_server->listen(address, m_config.listenPort, &why)) {
        if (error)
            *error = u"cannot listen on "_s + host + u':' + QString::number(m_config.listenPort) + u": "_s + why;
        return false;
    }
    qCInfo(lcHttp).noquote() << "listening on" << listenUrl();
    return true;
}

QString Gateway::listenUrl() const
{
    const QHostAddress a = m_server->address();
    const QString host = a.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + a.toString() + u']' : a.toString();
    return u"http://"_s + host + u':' + QString::number(m_server->port());
}

quint16 Gateway::port() const
{
    return m_server->port();
}

void Gateway::shutdown(int graceMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_server->stopAccepting();
    m_server->closeIdleConnections();
    m_shutdownClock.start();
    auto *poll = new QTimer(this);
    poll->setInterval(20);
    connect(poll, &QTimer::timeout, this, [this, poll, graceMs] {
        if (m_monitor->liveCount() > 0 && m_shutdownClock.elapsed() < graceMs)
            return;
        if (m_monitor->liveCount() > 0) {
            qCInfo(lcHttp) << "cutting" << m_monitor->liveCount() << "calls still in flight";
            m_monitor->cutAll(GatewayError(GatewayError::Code::Unavailable, u"the gateway is shutting down"_s));
        }
        poll->stop();
        poll->deleteLater();
        // Give the cut answers an event-loop turn to reach their sockets.
        QTimer::singleShot(50, this, &Gateway::finishShutdown);
    });
    poll->start();
}

void Gateway::finishShutdown()
{
    m_server->closeIdleConnections();
    Q_EMIT stopped();
}
