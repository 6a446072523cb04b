#pragma once

// Maps a request's method and path to the part of the gateway that answers
// it: the proxy endpoints, the admin API, health and metrics. Unknown paths
// get 404 not_found and known paths with the wrong method 405
// method_not_allowed, in the error format of the family the path belongs to.

#include "http/httprequest.h"

#include <QByteArray>
#include <functional>

class HttpResponder;

class Router
{
public:
    using Handler = std::function<void(HttpRequest &&, HttpResponder *)>;

    // path: exact, or a prefix when it ends with '/'.
    void add(const QByteArray &method, const QByteArray &path, Handler handler);
    void dispatch(HttpRequest &&request, HttpResponder *responder) const;

private:
    struct Route
    {
        QByteArray method;
        QByteArray path;
        bool prefix;
        Handler handler;
    };
    QList<Route> m_routes;
};
