#include "modelaccessfilter.h"

#include "governance/keystore.h"
#include "providers/provider.h"

using namespace Qt::StringLiterals;

CallFilter::Result ModelAccessFilter::onRequest(CallContext &ctx)
{
    if (!ctx.keyId)
        return Result::Continue;
    const KeyRecord *key = m_keys->find(*ctx.keyId);
    if (!key || key->allowedModels.isEmpty())
        return Result::Continue;
    for (const QString &pattern : key->allowedModels) {
        if (Provider::globMatch(pattern, ctx.request.model))
            return Result::Continue;
    }
    ctx.error = GatewayError(GatewayError::Code::ModelNotAllowed,
                             u"this key may not use the model '"_s + ctx.request.model + u"' (allowed: "_s
                                 + key->allowedModels.join(u", "_s) + u')',
                             u"model"_s);
    return Result::Respond;
}
