#include "simprovider.h"

#include "simcall.h"

SimProvider::SimProvider(ProviderConfig config, SimConfig sim)
    : Provider(std::move(config))
    , m_sim(sim)
{
}

ProviderConfig SimProvider::defaultConfig()
{
    ProviderConfig c;
    c.name = QStringLiteral("sim");
    c.kind = QStringLiteral("sim");
    c.models = {QStringLiteral("sim-*")};
    return c;
}

ProviderCall *SimProvider::createCall(const UpstreamRequest &request, QObject *parent)
{
    return createCallFor(format(), request, parent);
}

ProviderCall *SimProvider::createCallFor(WireFormat format, const UpstreamRequest &request,
                                         QObject *parent)
{
    // Without a parent the call owns itself and deletes itself once finished.
    return new SimCall(format, request, m_sim, parent);
}
