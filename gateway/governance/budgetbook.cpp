#include "budgetbook.h"

void BudgetBook::reserve(Reservation &r)
{
    if (r.active)
        return;
    r.active = true;
    ++m_outstanding;
    if (r.keyId)
        m_key[*r.keyId] += r.usd;
    if (!r.runId.isEmpty())
        m_run[r.runId] += r.usd;
}

void BudgetBook::release(Reservation &r)
{
    if (!r.active)
        return;
    r.active = false;
    --m_outstanding;
    // Drop empty entries so rounding residue cannot accumulate.
    if (r.keyId) {
        auto it = m_key.find(*r.keyId);
        if (it != m_key.end() && (*it -= r.usd) < 1e-12)
            m_key.erase(it);
    }
    if (!r.runId.isEmpty()) {
        auto it = m_run.find(r.runId);
        if (it != m_run.end() && (*it -= r.usd) < 1e-12)
            m_run.erase(it);
    }
}
