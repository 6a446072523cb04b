#pragma once

// The admin API under /admin: keys, usage, runs, prices, providers and the
// live event stream, guarded by the admin token. JSON in and out, errors in
// OpenAI's shape; a refused request changes nothing.
//
//   AdminApi admin(services, &token);
//   router.add("*", "/admin/", [&](HttpRequest &&r, HttpResponder *w) { admin.handle(std::move(r), w); });

#include "http/httprequest.h"
#include "pipeline/coreservices.h"

#include <QJsonObject>
#include <QObject>
#include <optional>

class AdminToken;
class EventStream;
class HttpResponder;
class GatewayError;

class AdminApi : public QObject
{
    Q_OBJECT
public:
    AdminApi(const CoreServices &services, const AdminToken *token, QObject *parent = nullptr);

    void handle(HttpRequest &&request, HttpResponder *responder);

    // Extra route families (prompts) register here: return true when handled.
    using Extension = std::function<bool(const QByteArray &method, const QStringList &parts,
                                         const HttpRequest &request, HttpResponder *responder)>;
    void addExtension(Extension extension) { m_extensions.append(std::move(extension)); }

    static void respondJson(HttpResponder *responder, int status, const QJsonObject &body);
    static void respondError(HttpResponder *responder, const GatewayError &error);
    // Parses a JSON object body; answers 400 and returns nullopt when it is not one.
    static std::optional<QJsonObject> jsonBody(const HttpRequest &request, HttpResponder *responder);

private:
    void keys(const QByteArray &method, const QStringList &parts, const HttpRequest &request, HttpResponder *r);
    void runs(const QByteArray &method, const QStringList &parts, const HttpRequest &request, HttpResponder *r);
    void prices(const QByteArray &method, const QStringList &parts, const HttpRequest &request, HttpResponder *r);
    void usage(const HttpRequest &request, HttpResponder *r);
    void providers(HttpResponder *r);

    CoreServices m_services;
    const AdminToken *m_token;
    EventStream *m_events;
    QList<Extension> m_extensions;
};
