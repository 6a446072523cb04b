#include "pricebook.h"

#include <QRegularExpression>

PriceBook::PriceBook(QHash<QString, Price> builtin, QHash<QString, qint64> maxOutput)
    : m_builtin(std::move(builtin)), m_maxOutput(std::move(maxOutput))
{
    rebuild();
}

void PriceBook::setConfigPrices(const QHash<QString, Price> &prices)
{
    m_config = prices;
    rebuild();
}

void PriceBook::setAdminPrices(const QHash<QString, Price> &prices)
{
    m_admin = prices;
    rebuild();
}

void PriceBook::setPrice(const QString &model, const Price &price)
{
    m_admin.insert(model, price);
    m_effective.insert(model, price);
}

void PriceBook::rebuild()
{
    m_effective = m_builtin;
    for (auto it = m_config.begin(); it != m_config.end(); ++it)
        m_effective.insert(it.key(), it.value());
    for (auto it = m_admin.begin(); it != m_admin.end(); ++it)
        m_effective.insert(it.key(), it.value());
}

QString PriceBook::baseModel(const QString &model)
{
    // "-2024-08-06", "-20250929", "-latest"
    static const QRegularExpression dated(QStringLiteral("-(\\d{4}-\\d{2}-\\d{2}|\\d{8}|latest)$"));
    QString base = model;
    base.remove(dated);
    return base;
}

std::optional<Price> PriceBook::ownPrice(const QString &model) const
{
    auto it = m_effective.constFind(model);
    if (it != m_effective.constEnd())
        return *it;
    const QString base = baseModel(model);
    if (base != model) {
        it = m_effective.constFind(base);
        if (it != m_effective.constEnd())
            return *it;
    }
    return std::nullopt;
}

std::optional<Price> PriceBook::priceFor(const QString &model) const
{
    if (auto p = ownPrice(model))
        return p;
    return m_default;
}

qint64 PriceBook::maxOutputTokens(const QString &model) const
{
    auto it = m_maxOutput.constFind(model);
    if (it == m_maxOutput.constEnd())
        it = m_maxOutput.constFind(baseModel(model));
    // Unknown models: a generous bound, so a worst-case reservation is not too small.
    return it != m_maxOutput.constEnd() ? *it : 32768;
}
