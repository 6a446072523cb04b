#pragma once

// The built-in simulated provider ("sim", registered by --demo): serves any
// model "sim-*" in-process, so the whole product works offline and the
// gateway's own tests get exact, deterministic answers and usage. It sits
// behind the same Provider interface as the HTTP providers; see SimCall for
// what it answers, at what pace, and the failure modes its model names pick.
//
// Unlike an HTTP provider it speaks both wire formats natively, so a call
// never needs translating: the pipeline, when a provider's kind is "sim",
// calls createCallFor() with the client's format and hands it the client's
// body as is. createCall() (the Provider interface) answers in format(),
// which is OpenAI, for callers that do not know about the sim.
//
//   if (auto *sim = dynamic_cast<SimProvider *>(provider))
//       call = sim->createCallFor(clientFormat, request, this);
//   else
//       call = provider->createCall(request, this);

#include "config/config.h"
#include "core/wireformat.h"
#include "provider.h"

class SimProvider : public Provider
{
public:
    SimProvider(ProviderConfig config, SimConfig sim);

    // name "sim", kind "sim", models {"sim-*"}: what --demo registers.
    static ProviderConfig defaultConfig();

    WireFormat format() const override { return WireFormat::OpenAI; }

    // Same as createCallFor(format(), request, parent).
    ProviderCall *createCall(const UpstreamRequest &request, QObject *parent) override;

    // A call that reads request.body as `format` (OpenAI Chat Completions or
    // Anthropic Messages; for Kind::CountTokens, count_tokens) and answers in
    // that format. Ownership as for createCall(): the parent's, or, without
    // a parent, the call's own (it deletes itself after finished()).
    // Both formats are native here: the pipeline hands over the client's body as is.
    bool speaksNatively(WireFormat) const override { return true; }
    ProviderCall *createCallIn(WireFormat f, const UpstreamRequest &request, QObject *parent) override
    {
        return createCallFor(f, request, parent);
    }
    ProviderCall *createCallFor(WireFormat format, const UpstreamRequest &request, QObject *parent);

    const SimConfig &simConfig() const { return m_sim; }

private:
    SimConfig m_sim;
};
