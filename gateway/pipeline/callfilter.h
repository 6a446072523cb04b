#pragma once

// One step of the request path, in Envoy's filter-chain shape. Filters run
// in order on the way in; each either lets the call continue, answers it
// locally (an error in ctx.error), or suspends it until ctx.resumeWith() is
// called. On the way out every filter that ran sees onFinish() in reverse
// order, whatever happened, so reservations are always settled or released.
// While a stream flows, onProgress() may cut it by returning an error.

#include "callcontext.h"

class CallFilter
{
public:
    enum class Result { Continue, Respond, Suspend };

    virtual ~CallFilter() = default;
    virtual const char *name() const = 0;

    virtual Result onRequest(CallContext &ctx) = 0;
    virtual GatewayError onProgress(CallContext &ctx)
    {
        Q_UNUSED(ctx);
        return {};
    }
    virtual void onFinish(CallContext &ctx) { Q_UNUSED(ctx); }
};
