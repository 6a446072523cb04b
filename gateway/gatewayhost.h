#pragma once

// Runs a Gateway on a worker thread of its own, so the window's thread only
// ever receives events: the gateway is built, started, stopped and
// destroyed on that thread. Connect to gateway() only with queued (the
// default cross-thread) connections; never call its methods from here.
//
//   GatewayHost host(config, dataDir);
//   connect(&host, &GatewayHost::started, this, [](const QString &url) { ... });
//   host.start();

#include "config/config.h"
#include "gateway.h"

#include <QObject>
#include <QPointer>
#include <QThread>

class Gateway;

class GatewayHost : public QObject
{
    Q_OBJECT
public:
    GatewayHost(Config config, QString dataDir, QObject *parent = nullptr);
    ~GatewayHost() override;

    void start();
    void stop();
    Gateway *gateway() const { return m_gateway; }

Q_SIGNALS:
    void started(const QString &url);
    void failed(const QString &error);
    void stopped();

private:
    Config m_config;
    QString m_dataDir;
    QThread m_thread;
    QPointer<Gateway> m_gateway;
    QObject *m_anchor = nullptr;   // lives on the worker thread; runs work there
};
