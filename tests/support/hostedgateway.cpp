#include "hostedgateway.h"

#include "config/configloader.h"
#include "gatewayhost.h"

#include <QSignalSpy>
#include <QUrl>

using namespace Qt::StringLiterals;

HostedGateway::HostedGateway(const SimConfig &sim, bool demo)
{
    // No real providers: a test never leaves the machine.
    m_config = ConfigLoader::defaults();
    m_config.providers.clear();
    m_config.listenHost = u"127.0.0.1"_s;
    m_config.listenPort = 0;
    m_config.sim = sim;
    if (demo)
        ConfigLoader::applyDemo(m_config);
}

HostedGateway::~HostedGateway() = default;

SimConfig HostedGateway::fastSim()
{
    SimConfig s;
    s.tokensPerSecond = 0;
    s.firstTokenMs = 1;
    s.outputTokens = 24;
    return s;
}

SimConfig HostedGateway::slowSim()
{
    SimConfig s;
    s.tokensPerSecond = 5;
    s.firstTokenMs = 20;
    s.outputTokens = 200;
    return s;
}

bool HostedGateway::start(QString *error, int timeoutMs)
{
    if (!m_dir.isValid()) {
        if (error)
            *error = u"cannot create a temporary data dir"_s;
        return false;
    }
    m_host = std::make_unique<GatewayHost>(m_config, m_dir.path());
    QSignalSpy started(m_host.get(), &GatewayHost::started);
    QSignalSpy failed(m_host.get(), &GatewayHost::failed);
    m_host->start();
    for (int waited = 0; started.isEmpty() && failed.isEmpty() && waited < timeoutMs; waited += 50)
        started.wait(50);
    if (!failed.isEmpty()) {
        if (error)
            *error = failed.first().first().toString();
        return false;
    }
    if (started.isEmpty()) {
        if (error)
            *error = u"the gateway did not start in time"_s;
        return false;
    }
    m_url = started.first().first().toString();
    return true;
}

Gateway *HostedGateway::gateway() const
{
    return m_host ? m_host->gateway() : nullptr;
}

QString HostedGateway::url(QStringView path) const
{
    return m_url + path;
}

QNetworkRequest HostedGateway::chatRequest(const QByteArray &key, const QByteArray &runId) const
{
    QNetworkRequest request(QUrl(url(u"/v1/chat/completions")));
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setRawHeader("Authorization", "Bearer " + key);
    request.setRawHeader("X-Tollgate-Cache", "bypass");
    if (!runId.isEmpty())
        request.setRawHeader("X-Tollgate-Run-Id", runId);
    return request;
}

QByteArray HostedGateway::streamBody(const QByteArray &model, int maxTokens)
{
    return R"({"model":")" + model + R"(","stream":true,"max_tokens":)" + QByteArray::number(maxTokens)
        + R"(,"messages":[{"role":"user","content":"Tell me a long story."}]})";
}
