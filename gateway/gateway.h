#pragma once

// The composition root of the gateway core: builds the store, the
// governance services, the providers, the filter chain, the HTTP server and
// its routes from a Config, and owns them. It lives on one thread (a worker
// thread in window mode, see GatewayHost); everything in it is used from
// that thread only.
//
//   Gateway gw(config, dataDir);
//   if (!gw.start(&error)) ...
//   qInfo() << gw.listenUrl();

#include "config/config.h"
#include "pipeline/coreservices.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

class AdminApi;
class AdminToken;
class CallFilter;
class HttpServer;
class NetworkPool;
class ProxyService;
class Router;

class Gateway : public QObject
{
    Q_OBJECT
public:
    Gateway(Config config, QString dataDir, QObject *parent = nullptr);
    ~Gateway() override;

    // Opens the store, loads keys, runs and prices, binds the socket. The
    // response cache is loaded after that, while calls are served: they
    // miss what is not in yet (see cacheLoaded()).
    bool start(QString *error);
    // Stops accepting, lets in-flight calls finish for up to graceMs, cuts
    // the rest, flushes the ledger and emits stopped().
    void shutdown(int graceMs = 3000);

    QString listenUrl() const;
    quint16 port() const;
    const Config &config() const { return m_config; }
    QString dataDir() const { return m_dataDir; }
    QByteArray adminToken() const;
    const CoreServices &services() const { return m_services; }
    CallMonitor *monitor() const { return m_services.monitor; }
    ProviderRegistry *registry() const { return m_services.providers; }
    bool isCacheLoaded() const { return m_cacheLoaded; }

    // The response cache is loaded from the store a chunk at a time, newest
    // first, so the gateway thread serves calls between chunks.
    static constexpr int kCacheLoadChunkEntries = 1000;
    static constexpr qint64 kCacheLoadChunkBytes = 1 << 20;

Q_SIGNALS:
    void stopped();
    // The response cache holds what the data dir had (or is full).
    void cacheLoaded();

private:
    void buildProviders();
    void buildRoutes();
    void wireServices();
    void loadCacheChunk(qint64 from);
    void finishCacheLoad();
    void finishShutdown();

    Config m_config;
    QString m_dataDir;
    CoreServices m_services;
    std::unique_ptr<ProviderRegistry> m_registry;
    std::unique_ptr<PriceBook> m_prices;
    std::unique_ptr<BudgetBook> m_budgets;
    std::unique_ptr<RateLimiter> m_limiter;
    std::unique_ptr<AdminToken> m_token;
    std::unique_ptr<Router> m_router;
    std::vector<std::unique_ptr<CallFilter>> m_filters;
    NetworkPool *m_pool;
    ProxyService *m_proxy;
    AdminApi *m_admin = nullptr;
    HttpServer *m_server;
    bool m_stopping = false;
    QElapsedTimer m_shutdownClock;
    bool m_cacheLoaded = false;
    qsizetype m_cacheLoadedEntries = 0;
    QElapsedTimer m_cacheLoadClock;
};
