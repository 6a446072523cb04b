#pragma once

// The admin routes of the prompt templates, an AdminApi extension:
//   GET  /admin/prompts                        every template and its versions
//   GET  /admin/prompts/{name}                 one template
//   POST /admin/prompts/{name}/versions        {template} → 201 {name, version}
//   PUT  /admin/prompts/{name}/active          {version} → {name, active_version}
//   POST /admin/prompts/{name}/render          {variables, version?} → {text, version}
//   GET  /admin/prompts/{name}/diff?from=&to=  line diff of two versions, for the window
// Bodies are checked in full before anything changes; refusals are 400,
// 404 or 405 in the admin API's error shape.
//
//   admin->addExtension(PromptAdmin(library));

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

class HttpResponder;
class PromptLibrary;
struct HttpRequest;
struct PromptRecord;

class PromptAdmin
{
public:
    explicit PromptAdmin(PromptLibrary *library) : m_library(library) {}

    // parts is the path after "/admin", percent-decoded; false when the
    // route is not a prompt route (the next extension may take it).
    bool handle(const QByteArray &method, const QStringList &parts, const HttpRequest &request,
                HttpResponder *responder) const;
    bool operator()(const QByteArray &method, const QStringList &parts, const HttpRequest &request,
                    HttpResponder *responder) const
    {
        return handle(method, parts, request, responder);
    }

    static QJsonObject promptJson(const PromptRecord &record);

private:
    void list(HttpResponder *r) const;
    void addVersion(const QString &name, const HttpRequest &request, HttpResponder *r) const;
    void setActive(const QString &name, const HttpRequest &request, HttpResponder *r) const;
    void render(const QString &name, const HttpRequest &request, HttpResponder *r) const;
    void diff(const QString &name, const HttpRequest &request, HttpResponder *r) const;

    PromptLibrary *m_library;
};
