#include "callcontext.h"

HttpResponder::Headers CallContext::gatewayHeaders(bool withCost) const
{
    HttpResponder::Headers h;
    h.reserve(10 + responseHeaders.size());
    h.emplaceBack(QByteArray("x-tollgate-request-id"), requestId);
    if (!runId.isEmpty()) {
        h.emplaceBack(QByteArray("x-tollgate-run-id"), runId.toUtf8());
        h.emplaceBack(QByteArray("x-tollgate-step-id"), stepId.toUtf8());
    }
    h.emplaceBack(QByteArray("x-tollgate-provider"), provider.toUtf8());
    h.emplaceBack(QByteArray("x-tollgate-cache"), cacheStatus.toLatin1());
    if (withCost)
        h.emplaceBack(QByteArray("x-tollgate-cost-usd"), QByteArray::number(cost, 'f', 8));
    h.emplaceBack(QByteArray("x-tollgate-overhead-ms"), formatMs(overheadMs));
    h.append(responseHeaders);
    return h;
}

UsageRecord CallContext::record() const
{
    UsageRecord r;
    r.time = startedAt;
    r.requestId = QString::fromLatin1(requestId);
    r.keyId = keyId;
    r.runId = runId;
    r.stepId = stepId;
    r.endpoint = endpoint;
    r.model = request.model;
    r.provider = provider;
    r.inputTokens = usage.inputTokens;
    r.outputTokens = usage.outputTokens;
    r.cacheReadTokens = usage.cacheReadTokens;
    r.cacheWriteTokens = usage.cacheWriteTokens;
    r.cost = cost;
    r.savedCost = savedCost;
    r.cached = cached;
    r.estimated = estimated;
    r.unpriced = unpriced;
    r.status = status;
    r.error = errorCode;
    r.latencyMs = double(clock.nsecsElapsed()) / 1e6;
    r.overheadMs = overheadMs;
    r.prompt = prompt;
    r.promptVersion = promptVersion;
    r.governed = keyId.has_value() || !runId.isEmpty() || !passthroughCredential.isEmpty();
    return r;
}
