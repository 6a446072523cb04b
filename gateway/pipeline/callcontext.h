#pragma once

// Everything the filters of one proxied call share: who is calling, what
// they asked, where it went and what it cost. ProxyCall owns it; each
// filter reads what earlier filters wrote and adds its own part.

#include "core/gatewayerror.h"
#include "core/tokenusage.h"
#include "core/usagerecord.h"
#include "core/wireformat.h"
#include "governance/budgetbook.h"
#include "http/httprequest.h"
#include "http/httpresponder.h"
#include "wire/proxyrequest.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QString>
#include <functional>
#include <optional>

struct CallContext
{
    QByteArray requestId;
    QString endpoint;                     // request path
    WireFormat clientFormat = WireFormat::OpenAI;
    HttpRequest http;                     // the client's request (body moved into request)
    ProxyRequest request;
    bool countTokens = false;             // /v1/messages/count_tokens

    // Caller identity, filled by authentication.
    QByteArray callerKey;                 // as presented (Bearer or x-api-key)
    std::optional<qint64> keyId;
    QString keyName;
    QByteArray passthroughCredential;     // pass-through mode: forwarded upstream

    // Run tagging.
    QString runId;
    QString stepId;

    // Prompt template used, if any.
    QString prompt;
    int promptVersion = 0;

    // Filled on the way: headers for the client, routing, outcome.
    HttpResponder::Headers responseHeaders;
    QString provider;                     // the provider that served (or was tried last)
    QString upstreamModel;                // the provider's model name (differs for aliases)
    QString cacheStatus = QStringLiteral("bypass");
    TokenUsage usage;
    bool estimated = false;
    double cost = 0.0;
    double savedCost = 0.0;
    bool cached = false;
    bool unpriced = false;
    int status = 0;
    GatewayError error;                   // set when a filter refuses or the call fails
    QString errorCode;                    // for the ledger; may be set without an error response

    QDateTime startedAt;                  // UTC
    QElapsedTimer clock;                  // started when the request was complete
    qint64 upstreamWaitNs = 0;
    double overheadMs = 0.0;
    bool streaming = false;               // a stream is open to the client

    // Governance bookkeeping of this call.
    Reservation reservation;              // worst-case spend held while in flight
    qint64 rateTokensCharged = 0;         // tokens taken from the key's TPM bucket

    // Response cache: the key when this call may store its answer, and an
    // answer a filter found locally (a cache hit), in the client's format.
    QByteArray cacheKey;
    std::optional<QByteArray> localAnswer;
    QByteArray responseBody;              // the complete answer, once known (non-stream, or assembled)

    // A filter that answers later (say, a cache follower) returns Suspend
    // and calls resumeWith(change) when the call may go on: change runs on
    // this context first, unless the call is gone by then.
    std::function<void(std::function<void(CallContext &)>)> resumeWith;

    // The X-Tollgate-* headers of the answer (request id, run and step,
    // provider, cache status, the cost when withCost, the overhead) and the
    // rate-limit headers filters added.
    HttpResponder::Headers gatewayHeaders(bool withCost) const;
    // The ledger row of the call as it stands.
    UsageRecord record() const;
    static QByteArray formatMs(double ms) { return QByteArray::number(ms, 'f', 3); }
};
