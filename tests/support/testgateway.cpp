#include "testgateway.h"

#include "fakeprovider.h"
#include "gateway.h"
#include "governance/keystore.h"
#include "pipeline/callmonitor.h"

using namespace Qt::StringLiterals;

TestGateway::TestGateway()
{
    m_config.listenHost = u"127.0.0.1"_s;
    m_config.listenPort = 0;
}

TestGateway::~TestGateway() = default;

void TestGateway::addOpenAi(const FakeProvider &fake, const QStringList &models, const QString &name)
{
    ProviderConfig p;
    p.name = name;
    p.kind = u"openai"_s;
    p.baseUrl = fake.openAiBaseUrl();
    p.apiKey = QString::fromLatin1(kOpenAiKey);
    p.models = models;
    m_config.providers.append(p);
}

void TestGateway::addAnthropic(const FakeProvider &fake, const QStringList &models, const QString &name)
{
    ProviderConfig p;
    p.name = name;
    p.kind = u"anthropic"_s;
    p.baseUrl = fake.anthropicBaseUrl();
    p.apiKey = QString::fromLatin1(kAnthropicKey);
    p.models = models;
    m_config.providers.append(p);
}

void TestGateway::addSim(const SimConfig &sim)
{
    ProviderConfig p;
    p.name = u"sim"_s;
    p.kind = u"sim"_s;
    p.models = {u"sim-*"_s};
    m_config.providers.append(p);
    m_config.sim = sim;
    m_config.demo = true;
}

ProviderConfig *TestGateway::provider(const QString &name)
{
    for (ProviderConfig &p : m_config.providers) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

SimConfig TestGateway::fastSim()
{
    SimConfig s;
    s.tokensPerSecond = 0;
    s.firstTokenMs = 1;
    s.outputTokens = 24;
    return s;
}

bool TestGateway::start(QString *error)
{
    if (!m_dir.isValid()) {
        if (error)
            *error = u"cannot create a temporary data dir"_s;
        return false;
    }
    m_gateway = std::make_unique<Gateway>(m_config, m_dir.path());
    QObject::connect(m_gateway->monitor(), &CallMonitor::callFinished, m_gateway.get(),
                     [this](const UsageRecord &r) { m_records.append(r); });
    QString why;
    if (!m_gateway->start(&why)) {
        if (error)
            *error = why;
        m_gateway.reset();
        return false;
    }
    return true;
}

quint16 TestGateway::port() const
{
    return m_gateway ? m_gateway->port() : 0;
}

QString TestGateway::url(QStringView path) const
{
    return u"http://127.0.0.1:"_s + QString::number(port()) + path;
}

HttpHeaders TestGateway::authHeaders()
{
    // One gateway-minted key per gateway, minted on first use, as an SDK
    // would send it.
    if (m_callerKey.isEmpty() && m_gateway) {
        KeyRecord settings;
        settings.name = u"tests"_s;
        m_callerKey = m_gateway->services().keys->mint(settings).rawKey;
    }
    if (m_callerKey.isEmpty())
        return {};
    return {{"authorization", "Bearer " + m_callerKey}};
}
