#pragma once

// A configured provider: its name, its wire format, the models it serves,
// and a factory for upstream calls. HttpProvider reaches a real server with
// QNetworkAccessManager; SimProvider answers in-process.

#include "config/config.h"
#include "core/wireformat.h"
#include "providercall.h"

#include <QString>
#include <QStringList>

class Provider
{
public:
    explicit Provider(ProviderConfig config) : m_config(std::move(config)) {}
    virtual ~Provider() = default;

    const QString &name() const { return m_config.name; }
    const ProviderConfig &config() const { return m_config; }
    virtual WireFormat format() const = 0;

    // True when one of the model patterns (glob with '*') matches.
    bool serves(const QString &model) const;

    // The caller owns the call through Qt parenting (parent may be null, in
    // which case the call deletes itself after finished()).
    virtual ProviderCall *createCall(const UpstreamRequest &request, QObject *parent) = 0;

    // A provider that speaks both formats natively (the simulator) says so
    // here and is handed the request in the client's own format.
    virtual bool speaksNatively(WireFormat f) const { return f == format(); }
    virtual ProviderCall *createCallIn(WireFormat f, const UpstreamRequest &request, QObject *parent)
    {
        Q_UNUSED(f);
        return createCall(request, parent);
    }

    static bool globMatch(const QString &pattern, const QString &text);

private:
    ProviderConfig m_config;
};
