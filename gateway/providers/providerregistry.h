#pragma once

// The configured providers in priority order, and the routes a model name
// resolves to: for an alias, its ordered provider + upstream-model pairs;
// otherwise every provider whose model patterns match, in config order.
//
//   for (const Route &r : registry.routesFor(u"smart"_s)) { ... r.provider->createCall(...) }

#include "config/config.h"
#include "provider.h"

#include <QList>
#include <QString>
#include <memory>
#include <vector>

class NetworkPool;

class ProviderRegistry
{
public:
    struct Route
    {
        Provider *provider;
        QString upstreamModel;
    };

    ProviderRegistry() = default;
    ProviderRegistry(const ProviderRegistry &) = delete;
    ProviderRegistry &operator=(const ProviderRegistry &) = delete;

    void add(std::unique_ptr<Provider> provider);
    void setAliases(QHash<QString, QList<AliasTarget>> aliases) { m_aliases = std::move(aliases); }

    QList<Route> routesFor(const QString &model) const;
    Provider *find(const QString &name) const;
    QList<Provider *> providers() const;
    bool isAlias(const QString &model) const { return m_aliases.contains(model); }
    const QHash<QString, QList<AliasTarget>> &aliases() const { return m_aliases; }

    // Model names for GET /v1/models: exact names in the providers' model
    // lists, the priced models some provider's patterns match, and aliases.
    QStringList listedModels(const QStringList &pricedModels) const;

private:
    std::vector<std::unique_ptr<Provider>> m_providers;
    QHash<QString, QList<AliasTarget>> m_aliases;
};
