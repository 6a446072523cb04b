#include "providerregistry.h"

#include <QSet>

void ProviderRegistry::add(std::unique_ptr<Provider> provider)
{
    m_providers.push_back(std::move(provider));
}

QList<ProviderRegistry::Route> ProviderRegistry::routesFor(const QString &model) const
{
    QList<Route> routes;
    const auto alias = m_aliases.constFind(model);
    if (alias != m_aliases.constEnd()) {
        for (const AliasTarget &t : *alias) {
            if (Provider *p = find(t.provider))
                routes.append({p, t.model});
        }
        return routes;
    }
    for (const auto &p : m_providers) {
        if (p->serves(model))
            routes.append({p.get(), model});
    }
    return routes;
}

Provider *ProviderRegistry::find(const QString &name) const
{
    for (const auto &p : m_providers) {
        if (p->name() == name)
            return p.get();
    }
    return nullptr;
}

QList<Provider *> ProviderRegistry::providers() const
{
    QList<Provider *> out;
    for (const auto &p : m_providers)
        out.append(p.get());
    return out;
}

QStringList ProviderRegistry::listedModels(const QStringList &pricedModels) const
{
    QStringList out;
    QSet<QString> seen;
    auto add = [&](const QString &m) {
        if (!seen.contains(m)) {
            seen.insert(m);
            out.append(m);
        }
    };
    for (const auto &p : m_providers) {
        for (const QString &pattern : p->config().models) {
            if (!pattern.contains(u'*') && !pattern.contains(u'?'))
                add(pattern);
        }
    }
    for (const QString &m : pricedModels) {
        for (const auto &p : m_providers) {
            if (p->serves(m)) {
                add(m);
                break;
            }
        }
    }
    for (auto it = m_aliases.begin(); it != m_aliases.end(); ++it)
        add(it.key());
    return out;
}
