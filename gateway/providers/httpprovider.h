#pragma once

// A provider reached over HTTP: an OpenAI-compatible server (kind "openai")
// or Anthropic's Messages API (kind "anthropic"). It builds the upstream
// request with the provider's own credential from the configuration — never
// the caller's key, except in pass-through mode — and hands it to an
// HttpCall that runs it on a pooled QNetworkAccessManager.

#include "provider.h"

#include <QNetworkRequest>

#include <array>
#include <optional>

class NetworkPool;

class HttpProvider : public Provider
{
public:
    HttpProvider(ProviderConfig config, NetworkPool *pool);

    WireFormat format() const override { return m_format; }
    ProviderCall *createCall(const UpstreamRequest &request, QObject *parent) override;

    // The full URL of the request's endpoint on this provider.
    QUrl urlFor(const UpstreamRequest &request) const;

private:
    // What every request of one kind and mode shares (URL, attributes, the
    // provider's credential), built on first use; each call copies it and
    // sets only its own headers, instead of parsing the URL again.
    const QNetworkRequest &requestTemplate(const UpstreamRequest &request);

    WireFormat m_format;
    NetworkPool *m_pool;
    std::array<std::optional<QNetworkRequest>, 4> m_templates;
};
