#include "httpprovider.h"

#include "httpcall.h"

#include <QUrl>

HttpProvider::HttpProvider(ProviderConfig config, NetworkPool *pool)
    : Provider(std::move(config)),
      m_format(Provider::config().kind == QLatin1StringView("anthropic") ? WireFormat::Anthropic : WireFormat::OpenAI),
      m_pool(pool)
{
}

QUrl HttpProvider::urlFor(const UpstreamRequest &request) const
{
    QString base = config().baseUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    if (m_format == WireFormat::Anthropic) {
        // Anthropic's base URL is the host; the version is in the path.
        if (!base.endsWith(QLatin1StringView("/v1")))
            base += QLatin1StringView("/v1");
        return QUrl(base + (request.kind == UpstreamRequest::Kind::CountTokens
                                ? QLatin1StringView("/messages/count_tokens")
                                : QLatin1StringView("/messages")));
    }
    // OpenAI-compatible base URLs include the version (…/v1).
    return QUrl(base + QLatin1StringView("/chat/completions"));
}

const QNetworkRequest &HttpProvider::requestTemplate(const UpstreamRequest &request)
{
    std::optional<QNetworkRequest> &slot =
        m_templates[(request.kind == UpstreamRequest::Kind::CountTokens ? 2 : 0) + (request.stream ? 1 : 0)];
    if (slot)
        return *slot;
    QNetworkRequest req(urlFor(request));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    req.setRawHeader("accept", request.stream ? "text/event-stream" : "application/json");
    req.setRawHeader("user-agent", "Tollgate/" TOLLGATE_VERSION);
    req.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    req.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    req.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    req.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    const QByteArray credential = config().apiKey.toUtf8();
    if (m_format == WireFormat::Anthropic) {
        if (!credential.isEmpty())
            req.setRawHeader("x-api-key", credential);
        req.setRawHeader("anthropic-version", "2023-06-01");   // unless the caller names one
    } else if (!credential.isEmpty()) {
        req.setRawHeader("authorization", "Bearer " + credential);
    }
    slot = std::move(req);
    return *slot;
}

ProviderCall *HttpProvider::createCall(const UpstreamRequest &request, QObject *parent)
{
    QNetworkRequest req = requestTemplate(request);
    // Setting a header that is already there replaces it.
    for (const auto &h : request.headers)
        req.setRawHeader(h.first, h.second);
    if (!request.callerCredential.isEmpty()) {
        // Pass-through mode: the caller's own key, in this provider's header.
        if (m_format == WireFormat::Anthropic)
            req.setRawHeader("x-api-key", request.callerCredential);
        else
            req.setRawHeader("authorization", "Bearer " + request.callerCredential);
    }

    const ProviderConfig &c = config();
    return new HttpCall(m_pool, req, request.body,
                        HttpCall::Timeouts{c.connectTimeoutMs, c.firstByteTimeoutMs, c.idleTimeoutMs}, parent);
}
