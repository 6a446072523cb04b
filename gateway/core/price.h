#pragma once

// The price of a model in USD per million tokens. Cache prices default to
// the input price when a table does not give them.

#include "tokenusage.h"

#include <optional>

struct Price
{
    double inputPerMTok = 0.0;
    double outputPerMTok = 0.0;
    std::optional<double> cacheReadPerMTok;
    std::optional<double> cacheWritePerMTok;

    double costOf(const TokenUsage &u) const
    {
        return (u.inputTokens * inputPerMTok + u.outputTokens * outputPerMTok
                + u.cacheReadTokens * cacheReadPerMTok.value_or(inputPerMTok)
                + u.cacheWriteTokens * cacheWritePerMTok.value_or(inputPerMTok))
            / 1e6;
    }
    friend bool operator==(const Price &, const Price &) = default;
};
