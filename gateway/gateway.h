#pragma once

// The composition root of the gateway core: builds the providers, the
// filter chain, the HTTP server and its routes from a Config, and owns them.
// It lives on one thread (a worker thread in window mode, see GatewayHost);
// everything in it is used from that thread only.
//
//   Gateway gw(config, dataDir);
//   if (!gw.start(&error)) ...
//   qInfo() << gw.listenUrl();

#include "config/config.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <memory>

class CallMonitor;
class HttpServer;
class NetworkPool;
class ProviderRegistry;
class ProxyService;
class Router;
class ValidateFilter;

class Gateway : public QObject
{
    Q_OBJECT
public:
    Gateway(Config config, QString dataDir, QObject *parent = nullptr);
    ~Gateway() override;

    bool start(QString *error);
    // Stops accepting, lets in-flight calls finish for up to graceMs, cuts
    // the rest, and emits stopped() when everything is flushed.
    void shutdown(int graceMs = 3000);

    QString listenUrl() const;
    quint16 port() const;
    const Config &config() const { return m_config; }
    CallMonitor *monitor() const { return m_monitor; }
    ProviderRegistry *registry() const { return m_registry.get(); }

Q_SIGNALS:
    void stopped();

private:
    void buildProviders();
    void buildRoutes();
    void finishShutdown();

    Config m_config;
    QString m_dataDir;
    std::unique_ptr<ProviderRegistry> m_registry;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<ValidateFilter> m_validate;
    NetworkPool *m_pool;
    CallMonitor *m_monitor;
    ProxyService *m_proxy;
    HttpServer *m_server;
    bool m_stopping = false;
    QElapsedTimer m_shutdownClock;
};
