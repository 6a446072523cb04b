#pragma once

// Parses and validates the client's body for its endpoint (RequestInspector)
// and fills ctx.request; a malformed body is answered with a 400 naming the
// field. Runs after authentication, so refusals of known callers are recorded.

#include "callfilter.h"

class ValidateFilter : public CallFilter
{
public:
    const char *name() const override { return "validate"; }
    Result onRequest(CallContext &ctx) override;
};
