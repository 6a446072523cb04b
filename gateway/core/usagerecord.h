#pragma once

// One row of the cost ledger: what one call through the gateway did and cost.
// Field names follow the contract's USAGE record.

#include <QDateTime>
#include <QString>
#include <optional>

struct UsageRecord
{
    qint64 id = 0;                  // assigned by the store
    QDateTime time;                 // UTC, when the call arrived
    QString requestId;
    std::optional<qint64> keyId;    // empty for pass-through and unauthenticated
    QString runId;                  // empty when the call had no run
    QString stepId;
    QString endpoint;               // request path, e.g. /v1/chat/completions
    QString model;                  // the model name the client asked for
    QString provider;               // the provider that served (or last tried)
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 cacheReadTokens = 0;
    qint64 cacheWriteTokens = 0;
    double cost = 0.0;
    double savedCost = 0.0;
    bool cached = false;
    bool estimated = false;         // tokens estimated: the provider's usage never arrived
    bool unpriced = false;          // no price known for the model
    int status = 0;                 // HTTP status returned to the client
    QString error;                  // gateway error code, empty on success
    double latencyMs = 0.0;
    double overheadMs = 0.0;
    QString prompt;                 // template name, if one was used
    int promptVersion = 0;

    // Not stored: whether the call reached a known key or run (or came in
    // pass-through), which is what earns it a ledger row.
    bool governed = false;
};
