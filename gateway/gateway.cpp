#include "gateway.h"

#include "admin/adminapi.h"
#include "admin/admintoken.h"
#include "admin/metrics.h"
#include "admin/promptadmin.h"
#include "governance/promptlibrary.h"
#include "pipeline/promptfilter.h"
#include "config/builtinprices.h"
#include "core/logging.h"
#include "governance/budgetbook.h"
#include "governance/keystore.h"
#include "governance/pricebook.h"
#include "governance/ratelimiter.h"
#include "governance/runregistry.h"
#include "http/httpresponder.h"
#include "http/httpserver.h"
#include "pipeline/authfilter.h"
#include "cache/responsecache.h"
#include "pipeline/budgetfilter.h"
#include "pipeline/cachefilter.h"
#include "pipeline/callmonitor.h"
#include "pipeline/modelaccessfilter.h"
#include "pipeline/proxyservice.h"
#include "pipeline/ratelimitfilter.h"
#include "pipeline/runfilter.h"
#include "pipeline/validatefilter.h"
#include "providers/httpprovider.h"
#include "providers/networkpool.h"
#include "providers/providerregistry.h"
#include "providers/simprovider.h"
#include "router.h"
#include "store/store.h"

#include <QTimer>

using namespace Qt::StringLiterals;

Gateway::Gateway(Config config, QString dataDir, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_dataDir(std::move(dataDir)),
      m_registry(std::make_unique<ProviderRegistry>()),
      m_prices(std::make_unique<PriceBook>(BuiltinPrices::load(), BuiltinPrices::maxOutputTokens())),
      m_budgets(std::make_unique<BudgetBook>()), m_limiter(std::make_unique<RateLimiter>()),
      m_token(std::make_unique<AdminToken>()), m_router(std::make_unique<Router>()),
      m_pool(new NetworkPool(this)), m_server(new HttpServer(this))
{
    m_prices->setConfigPrices(m_config.prices);
    m_prices->setDefaultPrice(m_config.defaultPrice);

    m_services.keys = new KeyStore(this);
    m_services.runs = new RunRegistry(this);
    m_services.prices = m_prices.get();
    m_services.budgets = m_budgets.get();
    m_services.limiter = m_limiter.get();
    m_services.store = new Store(m_dataDir + u"/tollgate.db"_s, this);
    m_services.monitor = new CallMonitor(this);
    m_services.providers = m_registry.get();
    m_services.metrics = new Metrics(m_services.monitor, this);
    m_services.prompts = new PromptLibrary(this);
    m_services.cache = new ResponseCache(m_config.cache.maxBytes, m_config.cache.ttlS, this);

    buildProviders();

    // The request path, in order (see CallFilter).
    m_filters.push_back(std::make_unique<AuthFilter>(m_services.keys, m_config.passthrough));
    m_filters.push_back(std::make_unique<RunFilter>(m_services.runs, m_services.keys));
    m_filters.push_back(std::make_unique<ValidateFilter>());
    m_filters.push_back(std::make_unique<PromptFilter>(m_services.prompts));
    m_filters.push_back(std::make_unique<ModelAccessFilter>(m_services.keys));
    m_filters.push_back(std::make_unique<RateLimitFilter>(m_limiter.get(), m_services.keys));
    m_filters.push_back(std::make_unique<BudgetFilter>(m_budgets.get(), m_services.keys, m_services.runs, m_prices.get()));
    m_filters.push_back(std::make_unique<CacheFilter>(m_services.cache, m_services.keys, m_config.cache.enabled));
    QList<CallFilter *> chain;
    for (const auto &f : m_filters)
        chain.append(f.get());

    m_proxy = new ProxyService(m_registry.get(), m_config.routing, m_services.monitor, this);
    m_proxy->setFilters(chain);
    m_proxy->setPricedModels([this] { return m_prices->pricedModels(); });
    m_admin = new AdminApi(m_services, m_token.get(), this);
    m_admin->addExtension(PromptAdmin(m_services.prompts));

    wireServices();
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

Gateway::~Gateway()
{
    // Children (the server, the calls) outlive the members (the filters) in
    // QObject's teardown: end every call and close every connection first,
    // so no call runs a filter that is gone.
    m_services.monitor->cutAll(GatewayError(GatewayError::Code::Unavailable, u"the gateway is shutting down"_s));
    delete m_server;
    m_server = nullptr;
}

void Gateway::buildProviders()
{
    for (const ProviderConfig &pc : std::as_const(m_config.providers)) {
        if (pc.kind == u"sim")
            m_registry->add(std::make_unique<SimProvider>(pc, m_config.sim));
        else
            m_registry->add(std::make_unique<HttpProvider>(pc, m_pool));
        m_registry->providers().last()->setBreaker(m_config.routing.breakerFailures,
                                                   m_config.routing.breakerCooldownS * 1000);
    }
    m_registry->setAliases(m_config.aliases);
}

void Gateway::wireServices()
{
    Store *store = m_services.store;
    CallMonitor *monitor = m_services.monitor;
    connect(m_services.keys, &KeyStore::keyChanged, store, &Store::saveKey);
    connect(m_services.runs, &RunRegistry::runChanged, store, &Store::saveRun);
    connect(m_services.prompts, &PromptLibrary::versionAdded, store, &Store::savePromptVersion);
    connect(m_services.cache, &ResponseCache::stored, store, &Store::saveCacheEntry);
    connect(m_services.cache, &ResponseCache::evicted, store, &Store::deleteCacheEntry);
    connect(m_services.prompts, &PromptLibrary::activeChanged, store, &Store::setActivePrompt);
    connect(monitor, &CallMonitor::callFinished, store, [store](const UsageRecord &r) {
        if (r.governed)
            store->appendUsage(r);
    });
    // Revocation, and a run's exhausted time budget, cut live streams at once.
    connect(m_services.keys, &KeyStore::keyRevoked, monitor, [monitor](qint64 id) {
        monitor->cutKey(id, GatewayError(GatewayError::Code::InvalidApiKey, u"this API key was revoked"_s));
    });
    connect(m_services.runs, &RunRegistry::runExpired, monitor, [monitor, this](const QString &id) {
        const RunRecord *run = m_services.runs->find(id);
        monitor->cutRun(id, GatewayError(GatewayError::Code::RunBudgetExceeded,
                                         u"run '"_s + id + u"' used its time budget of "_s
                                             + QString::number(run ? run->timeBudgetS : 0) + u" s"_s));
    });
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
    r.add("GET", "/metrics", [this](HttpRequest &&, HttpResponder *resp) {
        resp->respond(200, {{"content-type", "text/plain; version=0.0.4; charset=utf-8"}},
                      m_services.metrics->render());
    });
    for (const char *method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
        r.add(method, "/admin/", [this](HttpRequest &&req, HttpResponder *resp) {
            m_admin->handle(std::move(req), resp);
        });
    }
}

bool Gateway::start(QString *error)
{
    if (!m_token->load(m_dataDir, error))
        return false;
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
            *error = u"cannot listen on "_s + host + u':' + QString::number(m_config.listenPort) + u": "_s + why
                + u" (is another Tollgate running? pick another port with --listen)"_s;
        return false;
    }
    // The socket is bound first, so a port already in use is the one error
    // reported; connections wait in the backlog until the store is loaded.
    if (!m_services.store->open(error))
        return false;
    const Store::Snapshot snapshot = m_services.store->loadSnapshot();
    m_services.keys->load(snapshot.keys);
    m_services.runs->load(snapshot.runs);
    m_prices->setAdminPrices(snapshot.prices);
    m_services.prompts->load(snapshot.prompts);
    // The response cache can hold hundreds of thousands of answers: they
    // come in after this, chunk by chunk, while calls are served.
    m_cacheLoadClock.start();
    if (m_config.cache.enabled)
        loadCacheChunk(0);
    else
        QTimer::singleShot(0, this, &Gateway::finishCacheLoad);

    qCInfo(lcHttp).noquote() << "listening on" << listenUrl();
    if (m_token->fromEnvironment())
        qCInfo(lcAdmin).noquote() << "admin token: from TOLLGATE_ADMIN_TOKEN";
    else
        qCInfo(lcAdmin).noquote() << u"admin token ("_s + m_token->filePath() + u"):"_s << m_token->value();
    return true;
}

void Gateway::loadCacheChunk(qint64 from)
{
    // Only up to the cache's size: the store reads no more than still fits.
    const qint64 room = m_config.cache.maxBytes - m_services.cache->bytes();
    if (m_stopping || room <= 0) {
        finishCacheLoad();
        return;
    }
    m_services.store->readCacheChunk(
        from, kCacheLoadChunkEntries, std::min(room, kCacheLoadChunkBytes), this,
        [this](const Store::CacheChunk &chunk) {
            // Calls served since the start have stored their answers: those
            // are newer, and restore() leaves them be.
            const int before = m_services.cache->count();
            const bool fits = m_services.cache->restore(chunk.entries, QDateTime::currentDateTimeUtc());
            m_cacheLoadedEntries += m_services.cache->count() - before;
            if (fits && chunk.next > 0)
                loadCacheChunk(chunk.next);
            else
                finishCacheLoad();
        });
}

void Gateway::finishCacheLoad()
{
    if (m_cacheLoaded)
        return;
    m_cacheLoaded = true;
    // Always said, so whoever watches the log knows when hits can start.
    qCInfo(lcStore).noquote() << u"response cache loaded: %1 entries from the data dir in %2 ms"_s
                                     .arg(m_cacheLoadedEntries)
                                     .arg(m_cacheLoadClock.elapsed());
    Q_EMIT cacheLoaded();
}

QByteArray Gateway::adminToken() const
{
    return m_token->value();
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
        CallMonitor *monitor = m_services.monitor;
        if (monitor->liveCount() > 0 && m_shutdownClock.elapsed() < graceMs)
            return;
        if (monitor->liveCount() > 0) {
            qCInfo(lcHttp) << "cutting" << monitor->liveCount() << "calls still in flight";
            monitor->cutAll(GatewayError(GatewayError::Code::Unavailable, u"the gateway is shutting down"_s));
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
    m_services.store->flush(this, [this] { Q_EMIT stopped(); });
}
