#pragma once

// The price table compiled into the binary (resources/prices.json, at
// ":/tollgate/prices.json"): list prices of common OpenAI and Anthropic models
// plus the demo's sim-small and sim-large, so spend is metered out of the box.
// The config file's "prices" and PUT /admin/prices override it. The file is
// parsed once; both functions return the cached result.
//
//     QHash<QString, Price> prices = BuiltinPrices::load();
//     prices.insert(config.prices);   // the user's entries win

#include "core/price.h"

#include <QHash>
#include <QString>

class BuiltinPrices
{
public:
    // Model name -> price. Dated snapshot ids ("claude-sonnet-4-5-20250929")
    // carry the price of their model. Empty, with a warning on
    // tollgate.config, if the resource is missing (tollgate_resources not
    // linked) or malformed.
    static QHash<QString, Price> load();

    // Model name -> the largest completion the model can produce, for budget
    // reservation when a request sets no max_tokens. Same keys as load().
    static QHash<QString, qint64> maxOutputTokens();

    static QString resourcePath();
};
