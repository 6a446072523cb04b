#pragma once

// The price table the gateway bills with: the built-in table, overridden by
// the config file, overridden again by prices set through the admin API.
// A dated snapshot ("gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929")
// falls back to its base model's price. Models with no price are remembered
// so the window can point them out.
//
//   PriceBook book(BuiltinPrices::load(), BuiltinPrices::maxOutputTokens());
//   if (auto p = book.priceFor(u"gpt-4o-mini"_s)) cost = p->costOf(usage);

#include "core/price.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>
#include <optional>

class PriceBook
{
public:
    PriceBook(QHash<QString, Price> builtin = {}, QHash<QString, qint64> maxOutput = {});

    void setConfigPrices(const QHash<QString, Price> &prices);
    void setAdminPrices(const QHash<QString, Price> &prices);
    void setPrice(const QString &model, const Price &price);   // admin change
    void setDefaultPrice(std::optional<Price> price) { m_default = price; }

    // The model's own price (exact or snapshot fallback), without the default.
    std::optional<Price> ownPrice(const QString &model) const;
    // ownPrice, else the configured default price.
    std::optional<Price> priceFor(const QString &model) const;
    bool hasDefault() const { return m_default.has_value(); }

    // The most output tokens the model can produce, for worst-case reservations.
    qint64 maxOutputTokens(const QString &model) const;

    QHash<QString, Price> all() const { return m_effective; }
    QStringList pricedModels() const { return m_effective.keys(); }

    void noteUnpriced(const QString &model) { m_unpricedSeen.insert(model); }
    QSet<QString> unpricedSeen() const { return m_unpricedSeen; }

private:
    void rebuild();
    static QString baseModel(const QString &model);

    QHash<QString, Price> m_builtin;
    QHash<QString, Price> m_config;
    QHash<QString, Price> m_admin;
    QHash<QString, Price> m_effective;
    QHash<QString, qint64> m_maxOutput;
    std::optional<Price> m_default;
    QSet<QString> m_unpricedSeen;
};
