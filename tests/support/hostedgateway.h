#pragma once

// A whole Gateway run the way the window runs it: on a GatewayHost worker
// thread, with a throwaway data dir, on 127.0.0.1 port 0, with the
// simulated provider at the pace a test asks for (slow, so a test can act
// while a stream is live). For the window's tests: they talk to it only
// through a GatewayClient and HTTP, never by calling into it.
//
//   HostedGateway gw(HostedGateway::slowSim());
//   QVERIFY(gw.start());
//   client.attach(gw.gateway());
//   QNetworkReply *r = nam.post(gw.chatRequest(key, "run-1"), HostedGateway::streamBody());

#include "config/config.h"

#include <QByteArray>
#include <QNetworkRequest>
#include <QString>
#include <QTemporaryDir>
#include <memory>

class Gateway;
class GatewayHost;

class HostedGateway
{
public:
    // demo: whether the simulated provider "sim" (sim-*) is configured.
    explicit HostedGateway(const SimConfig &sim = fastSim(), bool demo = true);
    ~HostedGateway();
    HostedGateway(const HostedGateway &) = delete;
    HostedGateway &operator=(const HostedGateway &) = delete;

    static SimConfig fastSim();
    // About 5 tokens a second for 200 tokens: a stream stays live ~40 s.
    static SimConfig slowSim();

    Config &config() { return m_config; }
    // Starts the host and waits (spinning the event loop) until it listens.
    bool start(QString *error = nullptr, int timeoutMs = 15000);
    GatewayHost *host() const { return m_host.get(); }
    Gateway *gateway() const;
    QString url(QStringView path = {}) const;

    // POST /v1/chat/completions with a caller key and optional run id.
    QNetworkRequest chatRequest(const QByteArray &key, const QByteArray &runId = {}) const;
    static QByteArray streamBody(const QByteArray &model = "sim-small", int maxTokens = 200);

private:
    QTemporaryDir m_dir;
    Config m_config;
    std::unique_ptr<GatewayHost> m_host;
    QString m_url;
};
