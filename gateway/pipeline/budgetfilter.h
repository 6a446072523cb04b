#pragma once

// Spend caps and run budgets that concurrent calls cannot overrun. Before a
// call goes out, its worst-case cost (input estimate with a margin, plus
// max_tokens or the model's output limit) is reserved against the key's
// monthly and hard caps and the run's budget, counting every other call in
// flight. While it streams, its metered cost is priced on every event and
// the stream is cut if it would cross a cap. At the end the reservation is
// released and the real cost settled on the key. A model without a price
// is refused under a key with caps (or a run with a budget) unless a
// default price is configured, and is flagged unpriced in the ledger.

#include "callfilter.h"

class BudgetBook;
class KeyStore;
class PriceBook;
class RunRegistry;

class BudgetFilter : public CallFilter
{
public:
    BudgetFilter(BudgetBook *book, KeyStore *keys, const RunRegistry *runs, PriceBook *prices)
        : m_book(book), m_keys(keys), m_runs(runs), m_prices(prices)
    {
    }
    const char *name() const override { return "budget"; }
    Result onRequest(CallContext &ctx) override;
    GatewayError onProgress(CallContext &ctx) override;
    void onFinish(CallContext &ctx) override;

    // The margin on the input estimate of a reservation.
    static constexpr double kInputMargin = 1.25;

private:
    void price(CallContext &ctx);

    BudgetBook *m_book;
    KeyStore *m_keys;
    const RunRegistry *m_runs;
    PriceBook *m_prices;
};
