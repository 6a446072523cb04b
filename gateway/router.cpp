#include "router.h"

#include "core/gatewayerror.h"
#include "pipeline/errorresponder.h"
#include "pipeline/proxyservice.h"

using namespace Qt::StringLiterals;

void Router::add(const QByteArray &method, const QByteArray &path, Handler handler)
{
    const bool prefix = path.endsWith('/');
    m_routes.append({method, path, prefix, std::move(handler)});
}

void Router::dispatch(HttpRequest &&request, HttpResponder *responder) const
{
    QByteArray path = request.path;
    if (path.size() > 1 && path.endsWith('/'))
        path.chop(1);
    QByteArrayList allowed;
    for (const Route &r : m_routes) {
        const bool match = r.prefix ? path.startsWith(r.path) : path == r.path;
        if (!match)
            continue;
        if (r.method == request.method || (r.method == "GET" && request.method == "HEAD")) {
            r.handler(std::move(request), responder);
            return;
        }
        allowed.append(r.method);
    }
    const WireFormat format = path.startsWith("/v1/messages") ? WireFormat::Anthropic : WireFormat::OpenAI;
    const QByteArray requestId = ProxyService::newRequestId();
    if (!allowed.isEmpty()) {
        const GatewayError e(GatewayError::Code::MethodNotAllowed,
                             u"method "_s + QString::fromLatin1(request.method) + u" is not allowed on "_s
                                 + QString::fromLatin1(path) + u"; use "_s
                                 + QString::fromLatin1(allowed.join(", ")));
        ErrorResponder::respond(responder, format, e, requestId, {{"allow", allowed.join(", ")}});
        return;
    }
    const GatewayError e(GatewayError::Code::NotFound,
                         u"no route for "_s + QString::fromLatin1(request.method) + u' '
                             + QString::fromLatin1(path));
    ErrorResponder::respond(responder, format, e, requestId);
}
