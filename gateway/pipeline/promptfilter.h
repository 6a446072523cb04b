#pragma once

// Resolves a stored prompt template named in the body's "tollgate" field
// ({"prompt": NAME, "version": N?, "variables": {…}}): renders it and sends
// it as the system prompt, ahead of the caller's own system prompt if there
// is one, then forwards the body without the "tollgate" field. A body
// without the field is left alone, byte for byte. An unknown template or
// version, a missing variable or a malformed field is answered with 400
// invalid_request naming the field. Runs after ValidateFilter (it edits the
// parsed body) and before the filters that count input tokens.
//
//   chain.append(new PromptFilter(&library));

#include "callfilter.h"

class PromptLibrary;

class PromptFilter : public CallFilter
{
public:
    explicit PromptFilter(const PromptLibrary *library) : m_library(library) {}
    const char *name() const override { return "prompt"; }
    Result onRequest(CallContext &ctx) override;

    // The body with text placed as the first system prompt, in its format.
    static QJsonObject withSystemPrompt(QJsonObject json, WireFormat format, const QString &text);

private:
    const PromptLibrary *m_library;
};
