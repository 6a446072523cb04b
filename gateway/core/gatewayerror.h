#pragma once

// A refusal or failure the gateway answers locally. Carries the contract's
// error code; ErrorResponder turns it into an OpenAI- or Anthropic-shaped
// body with the right status.
//
//   return GatewayError::invalidRequest(u"'model' is required"_s, u"model"_s);

#include <QByteArray>
#include <QString>

class GatewayError
{
public:
    enum class Code {
        None,
        InvalidApiKey,      // 401
        ModelNotAllowed,    // 403
        ModelNotFound,      // 404
        RateLimited,        // 429
        QuotaExceeded,      // 402
        RunBudgetExceeded,  // 402
        RunKilled,          // 409
        InvalidRequest,     // 400
        RequestTooLarge,    // 413
        HeadersTooLarge,    // 431
        NotFound,           // 404
        MethodNotAllowed,   // 405
        NoProvider,         // 502
        ProviderError,      // upstream's own status, body passed through
        Unauthorized,       // 401 on admin routes
        Internal,           // 500
        Unavailable,        // 503 (shutting down)
    };

    GatewayError() = default;
    GatewayError(Code code, QString message, QString param = {});

    static GatewayError invalidRequest(const QString &message, const QString &param = {});

    bool isError() const { return m_code != Code::None; }
    Code code() const { return m_code; }
    const QString &message() const { return m_message; }
    const QString &param() const { return m_param; }

    int httpStatus() const;
    QByteArray codeString() const;       // contract code: "invalid_api_key", …
    QByteArray openAiType() const;       // "invalid_request_error", …
    QByteArray anthropicType() const;    // "authentication_error", …
    bool retryable() const;              // false → x-should-retry: false

    // Seconds the client should wait (Retry-After), for RateLimited.
    int retryAfterSeconds() const { return m_retryAfter; }
    void setRetryAfterSeconds(int s) { m_retryAfter = s; }

    // For ProviderError: the provider's status and body, passed through.
    int upstreamStatus() const { return m_upstreamStatus; }
    void setUpstreamStatus(int s) { m_upstreamStatus = s; }

private:
    Code m_code = Code::None;
    QString m_message;
    QString m_param;
    int m_retryAfter = 0;
    int m_upstreamStatus = 0;
};
