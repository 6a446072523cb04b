#pragma once

// A key's allowed models (glob patterns): any other model is refused with
// 403 model_not_allowed.

#include "callfilter.h"

class KeyStore;

class ModelAccessFilter : public CallFilter
{
public:
    explicit ModelAccessFilter(const KeyStore *keys) : m_keys(keys) {}
    const char *name() const override { return "model-access"; }
    Result onRequest(CallContext &ctx) override;

private:
    const KeyStore *m_keys;
};
