#pragma once

// Who is calling. A Tollgate key ("tg-…", as Bearer or x-api-key) must be
// known and not revoked; any other key is refused unless pass-through mode
// is on, in which case it is forwarded as the caller's own credential.

#include "callfilter.h"

class KeyStore;

class AuthFilter : public CallFilter
{
public:
    AuthFilter(const KeyStore *keys, bool passthrough) : m_keys(keys), m_passthrough(passthrough) {}
    const char *name() const override { return "auth"; }
    Result onRequest(CallContext &ctx) override;

    static QByteArray presentedKey(const HttpRequest &request);

private:
    const KeyStore *m_keys;
    bool m_passthrough;
};
