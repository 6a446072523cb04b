#include "gatewayerror.h"

GatewayError::GatewayError(Code code, QString message, QString param)
    : m_code(code), m_message(std::move(message)), m_param(std::move(param))
{
}

GatewayError GatewayError::invalidRequest(const QString &message, const QString &param)
{
    return GatewayError(Code::InvalidRequest, message, param);
}

int GatewayError::httpStatus() const
{
    switch (m_code) {
    case Code::None: return 200;
    case Code::InvalidApiKey: return 401;
    case Code::Unauthorized: return 401;
    case Code::ModelNotAllowed: return 403;
    case Code::ModelNotFound: return 404;
    case Code::RateLimited: return 429;
    case Code::QuotaExceeded: return 402;
    case Code::RunBudgetExceeded: return 402;
    case Code::RunKilled: return 409;
    case Code::InvalidRequest: return 400;
    case Code::RequestTooLarge: return 413;
    case Code::HeadersTooLarge: return 431;
    case Code::NotFound: return 404;
    case Code::MethodNotAllowed: return 405;
    case Code::NoProvider: return 502;
    case Code::ProviderError: return m_upstreamStatus ? m_upstreamStatus : 502;
    case Code::Internal: return 500;
    case Code::Unavailable: return 503;
    }
    return 500;
}

QByteArray GatewayError::codeString() const
{
    switch (m_code) {
    case Code::None: return {};
    case Code::InvalidApiKey: return "invalid_api_key";
    case Code::Unauthorized: return "invalid_api_key";
    case Code::ModelNotAllowed: return "model_not_allowed";
    case Code::ModelNotFound: return "model_not_found";
    case Code::RateLimited: return "rate_limited";
    case Code::QuotaExceeded: return "quota_exceeded";
    case Code::RunBudgetExceeded: return "run_budget_exceeded";
    case Code::RunKilled: return "run_killed";
    case Code::InvalidRequest: return "invalid_request";
    case Code::RequestTooLarge: return "request_too_large";
    case Code::HeadersTooLarge: return "request_too_large";
    case Code::NotFound: return "not_found";
    case Code::MethodNotAllowed: return "method_not_allowed";
    case Code::NoProvider: return "no_provider";
    case Code::ProviderError: return "provider_error";
    case Code::Internal: return "internal_error";
    case Code::Unavailable: return "unavailable";
    }
    return "internal_error";
}

QByteArray GatewayError::openAiType() const
{
    switch (m_code) {
    case Code::InvalidApiKey:
    case Code::Unauthorized: return "authentication_error";
    case Code::ModelNotAllowed: return "permission_error";
    case Code::RateLimited: return "rate_limit_error";
    case Code::QuotaExceeded:
    case Code::RunBudgetExceeded: return "insufficient_quota";
    case Code::ModelNotFound:
    case Code::RunKilled:
    case Code::InvalidRequest:
    case Code::RequestTooLarge:
    case Code::HeadersTooLarge:
    case Code::NotFound:
    case Code::MethodNotAllowed: return "invalid_request_error";
    default: return "api_error";
    }
}

QByteArray GatewayError::anthropicType() const
{
    switch (httpStatus()) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 402: return "billing_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 405: return "invalid_request_error";
    case 409: return "invalid_request_error";
    case 413: return "request_too_large";
    case 431: return "request_too_large";
    case 429: return "rate_limit_error";
    case 529: return "overloaded_error";
    default: return "api_error";
    }
}

bool GatewayError::retryable() const
{
    switch (m_code) {
    case Code::RateLimited:
    case Code::NoProvider:
    case Code::Internal:
    case Code::Unavailable: return true;
    case Code::ProviderError: return m_upstreamStatus == 429 || m_upstreamStatus >= 500;
    default: return false;
    }
}
