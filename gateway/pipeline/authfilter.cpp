#include "authfilter.h"

#include "governance/keystore.h"

using namespace Qt::StringLiterals;

QByteArray AuthFilter::presentedKey(const HttpRequest &request)
{
    const QByteArray auth = request.header("authorization");
    if (auth.size() > 7 && auth.first(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return auth.sliced(7).trimmed();
    return request.header("x-api-key").trimmed();
}

CallFilter::Result AuthFilter::onRequest(CallContext &ctx)
{
    const QByteArray key = presentedKey(ctx.http);
    ctx.callerKey = key;
    if (key.isEmpty()) {
        ctx.error = GatewayError(GatewayError::Code::InvalidApiKey,
                                 u"no API key: send 'Authorization: Bearer tg-…' or 'x-api-key: tg-…'"_s);
        return Result::Respond;
    }
    if (KeyStore::isGatewayKey(key)) {
        const KeyRecord *record = m_keys->authenticate(key);
        if (!record) {
            ctx.error = GatewayError(GatewayError::Code::InvalidApiKey, u"unknown API key"_s);
            return Result::Respond;
        }
        ctx.keyId = record->id;
        ctx.keyName = record->name;
        if (record->revoked) {
            ctx.error = GatewayError(GatewayError::Code::InvalidApiKey,
                                     u"this API key was revoked on "_s
                                         + record->revokedAt.toString(Qt::ISODate));
            return Result::Respond;
        }
        return Result::Continue;
    }
    if (m_passthrough) {
        ctx.passthroughCredential = key;
        return Result::Continue;
    }
    ctx.error = GatewayError(GatewayError::Code::InvalidApiKey,
                             u"not a Tollgate key: use a key minted by the gateway (tg-…)"_s);
    return Result::Respond;
}
