#pragma once

// Run tagging: the run id (X-Tollgate-Run-Id, else X-Claude-Code-Session-Id),
// the step id (X-Tollgate-Step-Id, else the run's next number), the run's
// budgets on its first call (headers, else the key's run_budget_usd), and
// the refusal of calls in a killed or exhausted run. On the way out it adds
// the call to its run.

#include "callfilter.h"

class KeyStore;
class RunRegistry;

class RunFilter : public CallFilter
{
public:
    RunFilter(RunRegistry *runs, const KeyStore *keys) : m_runs(runs), m_keys(keys) {}
    const char *name() const override { return "run"; }
    Result onRequest(CallContext &ctx) override;
    void onFinish(CallContext &ctx) override;

private:
    RunRegistry *m_runs;
    const KeyStore *m_keys;
};
