#include "promptadmin.h"

#include "adminapi.h"
#include "adminjson.h"
#include "core/gatewayerror.h"
#include "governance/promptlibrary.h"
#include "governance/textdiff.h"
#include "http/httprequest.h"

#include <QJsonArray>
#include <QUrlQuery>
#include <cmath>
#include <limits>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

GatewayError notFound(const QString &what)
{
    return GatewayError(GatewayError::Code::NotFound, what);
}

GatewayError methodNotAllowed(const QByteArray &method, const QString &path, const char *allowed)
{
    return GatewayError(GatewayError::Code::MethodNotAllowed,
                        u"method "_s + QString::fromLatin1(method) + u" is not allowed on "_s + path
                            + u" (allowed: "_s + QLatin1StringView(allowed) + u')');
}

GatewayError noPrompt(const QString &name)
{
    return notFound(u"no prompt template named '"_s + name + u'\'');
}

GatewayError noVersion(const PromptRecord &record, int version)
{
    return notFound(u"prompt '"_s + record.name + u"' has no version "_s + QString::number(version) + u" (latest is "_s
                    + QString::number(record.versions.isEmpty() ? 0 : record.versions.constLast().version) + u')');
}

// Refuses any field of body not in known, naming it.
bool onlyKnownFields(const QJsonObject &body, const QStringList &known, GatewayError *error)
{
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key())) {
            *error = GatewayError::invalidRequest(u"unknown field '"_s + it.key() + u"' (expected "_s
                                                      + known.join(u", "_s) + u')',
                                                  it.key());
            return false;
        }
    }
    return true;
}

// A positive integer field; nullopt when absent or null, 0 when malformed.
std::optional<int> versionField(const QJsonObject &body, const QString &field)
{
    const QJsonValue v = body.value(field);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    const double d = v.toDouble();
    if (!v.isDouble() || d != std::trunc(d) || d < 1 || d > std::numeric_limits<int>::max())
        return 0;
    return int(d);
}

GatewayError badVersion(const QString &field)
{
    return GatewayError::invalidRequest(u"'"_s + field + u"' must be a positive integer"_s, field);
}

} // namespace

QJsonObject PromptAdmin::promptJson(const PromptRecord &record)
{
    QJsonArray versions;
    for (const PromptVersion &v : record.versions) {
        versions.append(QJsonObject{
            {u"version"_s, v.version},
            {u"template"_s, v.templateText},
            {u"created_at"_s, v.createdAt.isValid() ? QJsonValue(AdminJson::time(v.createdAt)) : QJsonValue()},
        });
    }
    return QJsonObject{
        {u"name"_s, record.name},
        {u"active_version"_s, record.activeVersion},
        {u"versions"_s, versions},
    };
}

bool PromptAdmin::handle(const QByteArray &method, const QStringList &parts, const HttpRequest &request,
                         HttpResponder *r) const
{
    if (parts.value(0) != u"prompts")
        return false;
    if (parts.size() == 1) {
        if (method != "GET")
            AdminApi::respondError(r, methodNotAllowed(method, u"/admin/prompts"_s, "GET"));
        else
            list(r);
        return true;
    }
    const QString name = parts.at(1);
    const QString path = u"/admin/prompts/"_s + name;
    if (parts.size() == 2) {
        if (method != "GET") {
            AdminApi::respondError(r, methodNotAllowed(method, path, "GET"));
        } else if (const PromptRecord *record = m_library->find(name)) {
            AdminApi::respondJson(r, 200, promptJson(*record));
        } else {
            AdminApi::respondError(r, noPrompt(name));
        }
        return true;
    }
    const QString action = parts.at(2);
    if (parts.size() == 3) {
        struct Route
        {
            const char *action;
            const char *method;
            void (PromptAdmin::*serve)(const QString &, const HttpRequest &, HttpResponder *) const;
        };
        static const Route routes[] = {
            {"versions", "POST", &PromptAdmin::addVersion},
            {"active", "PUT", &PromptAdmin::setActive},
            {"render", "POST", &PromptAdmin::render},
            {"diff", "GET", &PromptAdmin::diff},
        };
        for (const Route &route : routes) {
            if (action != QLatin1StringView(route.action))
                continue;
            if (method != route.method)
                AdminApi::respondError(r, methodNotAllowed(method, path + u'/' + action, route.method));
            else
                (this->*route.serve)(name, request, r);
            return true;
        }
    }
    AdminApi::respondError(r, notFound(u"no admin route "_s + QString::fromLatin1(method) + u' ' + path
                                       + u'/' + parts.mid(2).join(u'/')));
    return true;
}

void PromptAdmin::list(HttpResponder *r) const
{
    QJsonArray prompts;
    for (const PromptRecord &record : m_library->all())
        prompts.append(promptJson(record));
    AdminApi::respondJson(r, 200, {{u"prompts"_s, prompts}});
}

void PromptAdmin::addVersion(const QString &name, const HttpRequest &request, HttpResponder *r) const
{
    const auto body = AdminApi::jsonBody(request, r);
    if (!body)
        return;
    GatewayError error;
    if (!onlyKnownFields(*body, {u"template"_s}, &error))
        return AdminApi::respondError(r, error);
    const QJsonValue text = body->value(u"template");
    if (!text.isString())
        return AdminApi::respondError(r, GatewayError::invalidRequest(
                                             text.isUndefined() ? u"'template' is required"_s
                                                                : u"'template' must be a string"_s,
                                             u"template"_s));
    QString why;
    const int version = m_library->addVersion(name, text.toString(), &why);
    if (version == 0)
        return AdminApi::respondError(r, GatewayError::invalidRequest(why, PromptLibrary::isValidName(name)
                                                                               ? u"template"_s
                                                                               : u"name"_s));
    AdminApi::respondJson(r, 201, {{u"name"_s, name},
                                   {u"version"_s, version},
                                   {u"active_version"_s, m_library->find(name)->activeVersion}});
}

void PromptAdmin::setActive(const QString &name, const HttpRequest &request, HttpResponder *r) const
{
    const PromptRecord *record = m_library->find(name);
    if (!record)
        return AdminApi::respondError(r, noPrompt(name));
    const auto body = AdminApi::jsonBody(request, r);
    if (!body)
        return;
    GatewayError error;
    if (!onlyKnownFields(*body, {u"version"_s}, &error))
        return AdminApi::respondError(r, error);
    const std::optional<int> version = versionField(*body, u"version"_s);
    if (!version) {
        return AdminApi::respondError(r, GatewayError::invalidRequest(u"'version' is required"_s, u"version"_s));
    }
    if (*version == 0)
        return AdminApi::respondError(r, badVersion(u"version"_s));
    if (!m_library->setActive(name, *version))
        return AdminApi::respondError(r, noVersion(*record, *version));
    AdminApi::respondJson(r, 200, {{u"name"_s, name}, {u"active_version"_s, *version}});
}

void PromptAdmin::render(const QString &name, const HttpRequest &request, HttpResponder *r) const
{
    const PromptRecord *record = m_library->find(name);
    if (!record)
        return AdminApi::respondError(r, noPrompt(name));
    const auto body = AdminApi::jsonBody(request, r);
    if (!body)
        return;
    GatewayError error;
    if (!onlyKnownFields(*body, {u"variables"_s, u"version"_s}, &error))
        return AdminApi::respondError(r, error);
    const std::optional<int> version = versionField(*body, u"version"_s);
    if (version && *version == 0)
        return AdminApi::respondError(r, badVersion(u"version"_s));
    if (version && !m_library->findVersion(name, *version))
        return AdminApi::respondError(r, noVersion(*record, *version));
    const QJsonValue vars = body->value(u"variables");
    if (!vars.isUndefined() && !vars.isNull() && !vars.isObject())
        return AdminApi::respondError(r, GatewayError::invalidRequest(u"'variables' must be an object"_s,
                                                                      u"variables"_s));
    QString why;
    int used = 0;
    const QString text = m_library->render(name, version, vars.toObject(), &why, &used);
    if (text.isNull())
        return AdminApi::respondError(r, GatewayError::invalidRequest(why, u"variables"_s));
    AdminApi::respondJson(r, 200, {{u"name"_s, name}, {u"text"_s, text}, {u"version"_s, used}});
}

void PromptAdmin::diff(const QString &name, const HttpRequest &request, HttpResponder *r) const
{
    const PromptRecord *record = m_library->find(name);
    if (!record)
        return AdminApi::respondError(r, noPrompt(name));
    // Defaults: the latest version against the one before it (or against
    // nothing, for a template's first version).
    const QUrlQuery query(QString::fromUtf8(request.query));
    auto versionParam = [&](const QString &key, int fallback, int *out) {
        if (!query.hasQueryItem(key)) {
            *out = fallback;
            return true;
        }
        bool ok = false;
        *out = query.queryItemValue(key).toInt(&ok);
        return ok && *out >= 1;
    };
    int to = 0;
    int from = 0;
    const int latest = record->versions.isEmpty() ? 0 : record->versions.constLast().version;
    if (!versionParam(u"to"_s, latest, &to))
        return AdminApi::respondError(r, badVersion(u"to"_s));
    if (!versionParam(u"from"_s, to - 1, &from))
        return AdminApi::respondError(r, badVersion(u"from"_s));
    const PromptVersion *newer = m_library->findVersion(name, to);
    if (!newer)
        return AdminApi::respondError(r, noVersion(*record, to));
    const PromptVersion *older = from == 0 ? nullptr : m_library->findVersion(name, from);
    if (from != 0 && !older)
        return AdminApi::respondError(r, noVersion(*record, from));

    QJsonArray lines;
    for (const TextDiff::Line &l : TextDiff::compare(older ? older->templateText : QString(), newer->templateText)) {
        lines.append(QJsonObject{
            {u"op"_s, TextDiff::opName(l.op)},
            {u"old_line"_s, l.oldLine ? QJsonValue(l.oldLine) : QJsonValue()},
            {u"new_line"_s, l.newLine ? QJsonValue(l.newLine) : QJsonValue()},
            {u"text"_s, l.text},
        });
    }
    AdminApi::respondJson(r, 200, {{u"name"_s, name}, {u"from"_s, from}, {u"to"_s, to}, {u"lines"_s, lines}});
}
