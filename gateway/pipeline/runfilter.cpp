#include "runfilter.h"

#include "governance/keystore.h"
#include "governance/runregistry.h"

using namespace Qt::StringLiterals;

namespace {

bool parseBudget(const QByteArray &value, double *out)
{
    if (value.isEmpty())
        return true;
    bool ok = false;
    const double v = value.trimmed().toDouble(&ok);
    if (!ok || v < 0 || !std::isfinite(v))
        return false;
    *out = v;
    return true;
}

} // namespace

CallFilter::Result RunFilter::onRequest(CallContext &ctx)
{
    QByteArray runId = ctx.http.header("x-tollgate-run-id").trimmed();
    if (runId.isEmpty())
        runId = ctx.http.header("x-claude-code-session-id").trimmed();
    if (runId.isEmpty())
        return Result::Continue;
    if (runId.size() > 200) {
        ctx.error = GatewayError::invalidRequest(u"X-Tollgate-Run-Id is longer than 200 characters"_s);
        return Result::Respond;
    }
    const QString id = QString::fromUtf8(runId);
    RunRecord *run = m_runs->find(id);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!run) {
        double budget = 0;
        double timeBudget = 0;
        if (ctx.keyId) {
            if (const KeyRecord *k = m_keys->find(*ctx.keyId))
                budget = k->runBudgetUsd;
        }
        if (!parseBudget(ctx.http.header("x-tollgate-run-budget-usd"), &budget)) {
            ctx.error = GatewayError::invalidRequest(u"X-Tollgate-Run-Budget-Usd must be a non-negative number"_s);
            return Result::Respond;
        }
        if (!parseBudget(ctx.http.header("x-tollgate-run-time-budget-s"), &timeBudget)) {
            ctx.error = GatewayError::invalidRequest(u"X-Tollgate-Run-Time-Budget-S must be a non-negative number"_s);
            return Result::Respond;
        }
        run = &m_runs->touch(id, ctx.keyId, budget, timeBudget, now);
    }
    ctx.runId = id;
    const QByteArray step = ctx.http.header("x-tollgate-step-id").trimmed();
    ctx.stepId = step.isEmpty() ? m_runs->takeStep(*run) : QString::fromUtf8(step.left(200));

    if (run->state == RunRecord::State::Killed) {
        ctx.error = GatewayError(GatewayError::Code::RunKilled, u"run '"_s + id + u"' was killed"_s);
        return Result::Respond;
    }
    if (RunRegistry::timeExpired(*run, now)) {
        ctx.error = GatewayError(GatewayError::Code::RunBudgetExceeded,
                                 u"run '"_s + id + u"' used its time budget of "_s
                                     + QString::number(run->timeBudgetS) + u" s"_s);
        return Result::Respond;
    }
    if (run->budgetUsd > 0 && run->spend >= run->budgetUsd) {
        ctx.error = GatewayError(GatewayError::Code::RunBudgetExceeded,
                                 u"run '"_s + id + u"' spent $"_s + QString::number(run->spend, 'f', 6)
                                     + u" of its $"_s + QString::number(run->budgetUsd, 'f', 6) + u" budget"_s);
        return Result::Respond;
    }
    return Result::Continue;
}

void RunFilter::onFinish(CallContext &ctx)
{
    if (!ctx.runId.isEmpty())
        m_runs->recordCall(ctx.runId, ctx.usage, ctx.cost, QDateTime::currentDateTimeUtc());
}
