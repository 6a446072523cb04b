#include "adminapi.h"

#include "adminjson.h"
#include "admintoken.h"
#include "core/gatewayerror.h"
#include "eventstream.h"
#include "governance/keystore.h"
#include "governance/pricebook.h"
#include "governance/runregistry.h"
#include "http/httpresponder.h"
#include "keysettings.h"
#include "pipeline/authfilter.h"
#include "pipeline/callmonitor.h"
#include "pipeline/errorresponder.h"
#include "providers/providerregistry.h"
#include "providerhealth.h"
#include "store/store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace {

GatewayError notFound(const QString &what)
{
    return GatewayError(GatewayError::Code::NotFound, what);
}

// A 405 names the methods the route takes, in its message and in Allow
// (which RFC 9110 requires on a 405).
void refuseMethod(HttpResponder *responder, const QByteArray &method, const QString &path, const char *allowed)
{
    const GatewayError error(GatewayError::Code::MethodNotAllowed,
                             u"method "_s + QString::fromLatin1(method) + u" is not allowed on "_s + path
                                 + u" (allowed: "_s + QLatin1StringView(allowed) + u')');
    ErrorResponder::respond(responder, WireFormat::OpenAI, error, {}, {{"allow", allowed}});
}

} // namespace

AdminApi::AdminApi(const CoreServices &services, const AdminToken *token, QObject *parent)
    : QObject(parent), m_services(services), m_token(token), m_events(new EventStream(m_services, this))
{
}

void AdminApi::respondJson(HttpResponder *responder, int status, const QJsonObject &body)
{
    responder->respond(status, {{"content-type", "application/json"}},
                       QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void AdminApi::respondError(HttpResponder *responder, const GatewayError &error)
{
    ErrorResponder::respond(responder, WireFormat::OpenAI, error, {});
}

std::optional<QJsonObject> AdminApi::jsonBody(const HttpRequest &request, HttpResponder *responder)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body.isEmpty() ? QByteArray("{}") : request.body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        respondError(responder, GatewayError::invalidRequest(
                                    pe.error != QJsonParseError::NoError
                                        ? u"malformed JSON at offset "_s + QString::number(pe.offset) + u": "_s
                                              + pe.errorString()
                                        : u"the body must be a JSON object"_s));
        return std::nullopt;
    }
    return doc.object();
}

void AdminApi::handle(HttpRequest &&request, HttpResponder *responder)
{
    if (!m_token->matches(AuthFilter::presentedKey(request))) {
        respondError(responder, GatewayError(GatewayError::Code::Unauthorized,
                                             u"admin token missing or wrong: send 'Authorization: Bearer ADMIN_TOKEN'"_s));
        return;
    }
    QString path = QString::fromUtf8(request.path);
    if (path.endsWith(u'/'))
        path.chop(1);
    QStringList parts = path.split(u'/', Qt::SkipEmptyParts); // "admin", ...
    for (QString &p : parts)
        p = QUrl::fromPercentEncoding(p.toUtf8());
    parts.removeFirst();
    const QByteArray &method = request.method;
    const QString family = parts.value(0);

    if (family == u"keys")
        return keys(method, parts, request, responder);
    if (family == u"runs")
        return runs(method, parts, request, responder);
    if (family == u"prices")
        return prices(method, parts, request, responder);
    if (family == u"usage" && parts.size() == 1) {
        if (method != "GET")
            return refuseMethod(responder, method, path, "GET");
        return usage(request, responder);
    }
    if (family == u"providers" && parts.size() == 1) {
        if (method != "GET")
            return refuseMethod(responder, method, path, "GET");
        return providers(responder);
    }
    if (family == u"events" && parts.size() == 1) {
        if (method != "GET")
            return refuseMethod(responder, method, path, "GET");
        m_events->subscribe(responder);
        return;
    }
    for (const Extension &e : std::as_const(m_extensions)) {
        if (e(method, parts, request, responder))
            return;
    }
    respondError(responder, notFound(u"no admin route "_s + QString::fromLatin1(method) + u' ' + path));
}

void AdminApi::keys(const QByteArray &method, const QStringList &parts, const HttpRequest &request, HttpResponder *r)
{
    KeyStore *keys = m_services.keys;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (parts.size() == 1) {
        if (method == "GET") {
            QJsonArray list;
            for (const KeyRecord &k : keys->all())
                list.append(AdminJson::key(k, now));
            return respondJson(r, 200, {{u"keys"_s, list}});
        }
        if (method == "POST") {
            const auto body = jsonBody(request, r);
            if (!body)
                return;
            KeyRecord settings;
            QString error;
            if (!KeySettings::apply(*body, &settings, true, &error))
                return respondError(r, GatewayError::invalidRequest(error));
            const KeyStore::Minted minted = keys->mint(settings);
            return respondJson(r, 201, {{u"key"_s, QString::fromLatin1(minted.rawKey)},
                                        {u"record"_s, AdminJson::key(minted.record, now)}});
        }
        return refuseMethod(r, method, u"/admin/keys"_s, "GET, POST");
    }
    bool ok = false;
    const qint64 id = parts.at(1).toLongLong(&ok);
    const KeyRecord *key = ok ? keys->find(id) : nullptr;
    if (!key)
        return respondError(r, notFound(u"no key with id '"_s + parts.at(1) + u'\''));
    if (parts.size() == 2) {
        if (method == "GET")
            return respondJson(r, 200, AdminJson::key(*key, now));
        if (method == "PATCH") {
            const auto body = jsonBody(request, r);
            if (!body)
                return;
            KeyRecord changed = *key;
            QString error;
            if (!KeySettings::apply(*body, &changed, false, &error))
                return respondError(r, GatewayError::invalidRequest(error));
            keys->updateSettings(id, changed);
            return respondJson(r, 200, AdminJson::key(*keys->find(id), now));
        }
        return refuseMethod(r, method, u"/admin/keys/"_s + parts.at(1), "GET, PATCH");
    }
    if (parts.size() == 3 && parts.at(2) == u"revoke") {
        if (method != "POST")
            return refuseMethod(r, method, u"/admin/keys/"_s + parts.at(1) + u"/revoke"_s, "POST");
        keys->revoke(id);
        return respondJson(r, 200, AdminJson::key(*keys->find(id), now));
    }
    respondError(r, notFound(u"no admin route "_s + QString::fromLatin1(method) + u" /admin/"_s + parts.join(u'/')));
}

void AdminApi::runs(const QByteArray &method, const QStringList &parts, const HttpRequest &request, HttpResponder *r)
{
    RunRegistry *runs = m_services.runs;
    CallMonitor *monitor = m_services.monitor;
    if (parts.size() == 1) {
        if (method != "GET")
            return refuseMethod(r, method, u"/admin/runs"_s, "GET");
        QJsonArray list;
        for (const RunRecord &run : runs->all())
            list.append(AdminJson::run(run, monitor->liveStreamsOfRun(run.id)));
        return respondJson(r, 200, {{u"runs"_s, list}});
    }
    const QString id = parts.at(1);
    const RunRecord *run = runs->find(id);
    if (!run)
        return respondError(r, notFound(u"no run with id '"_s + id + u'\''));
    if (parts.size() == 2) {
        if (method != "GET")
            return refuseMethod(r, method, u"/admin/runs/"_s + id, "GET");
        return respondJson(r, 200, AdminJson::run(*run, monitor->liveStreamsOfRun(id)));
    }
    const QString action = parts.at(2);
    if (parts.size() == 3 && action == u"kill") {
        if (method != "POST")
            return refuseMethod(r, method, u"/admin/runs/"_s + id + u"/kill"_s, "POST");
        runs->kill(id);
        monitor->cutRun(id, GatewayError(GatewayError::Code::RunKilled, u"run '"_s + id + u"' was killed"_s));
        return respondJson(r, 200, AdminJson::run(*runs->find(id), monitor->liveStreamsOfRun(id)));
    }
    if (parts.size() == 3 && action == u"budget") {
        if (method != "PUT")
            return refuseMethod(r, method, u"/admin/runs/"_s + id + u"/budget"_s, "PUT");
        const auto body = jsonBody(request, r);
        if (!body)
            return;
        std::optional<double> usd;
        std::optional<double> seconds;
        for (auto it = body->begin(); it != body->end(); ++it) {
            if (it.key() != u"budget_usd" && it.key() != u"time_budget_s")
                return respondError(r, GatewayError::invalidRequest(u"unknown field '"_s + it.key()
                                                                    + u"' (expected budget_usd, time_budget_s)"_s,
                                                                    it.key()));
            if (it.value().isNull())
                continue;
            if (!it.value().isDouble() || it.value().toDouble() < 0)
                return respondError(r, GatewayError::invalidRequest(u"'"_s + it.key()
                                                                    + u"' must be a non-negative number"_s,
                                                                    it.key()));
            (it.key() == u"budget_usd" ? usd : seconds) = it.value().toDouble();
        }
        runs->setBudget(id, usd, seconds);
        // An expired time budget is cut by the registry's runExpired signal.
        // A spend budget now below what the run has spent, its live calls
        // included, cuts them here: waiting for their next event would let
        // a silent stream (a model thinking) run on past the budget.
        if (const RunRecord *now = runs->find(id); now && now->budgetUsd > 0) {
            double live = 0;
            for (const LiveCall &c : monitor->snapshot())
                live += c.runId == id ? c.cost : 0.0;
            if (now->spend + live > now->budgetUsd + 1e-9)
                monitor->cutRun(id, GatewayError(GatewayError::Code::RunBudgetExceeded,
                                                 u"run '"_s + id + u"' budget was lowered to $"_s
                                                     + QString::number(now->budgetUsd, 'f', 6)
                                                     + u", below what it has spent"_s));
        }
        return respondJson(r, 200, AdminJson::run(*runs->find(id), monitor->liveStreamsOfRun(id)));
    }
    respondError(r, notFound(u"no admin route "_s + QString::fromLatin1(method) + u" /admin/"_s + parts.join(u'/')));
}

void AdminApi::prices(const QByteArray &method, const QStringList &parts, const HttpRequest &request, HttpResponder *r)
{
    PriceBook *prices = m_services.prices;
    if (parts.size() == 1) {
        if (method != "GET")
            return refuseMethod(r, method, u"/admin/prices"_s, "GET");
        QJsonObject all;
        const auto table = prices->all();
        for (auto it = table.begin(); it != table.end(); ++it)
            all.insert(it.key(), AdminJson::price(it.value()));
        QJsonArray unpriced;
        for (const QString &m : prices->unpricedSeen())
            unpriced.append(m);
        return respondJson(r, 200, {{u"prices"_s, all}, {u"unpriced_models"_s, unpriced}});
    }
    if (parts.size() != 2)
        return respondError(r, notFound(u"no admin route "_s + QString::fromLatin1(method) + u" /admin/"_s
                                        + parts.join(u'/')));
    const QString model = parts.at(1);
    if (method == "GET") {
        const auto p = prices->ownPrice(model);
        if (!p)
            return respondError(r, notFound(u"no price for the model '"_s + model + u'\''));
        return respondJson(r, 200, AdminJson::price(*p));
    }
    if (method != "PUT")
        return refuseMethod(r, method, u"/admin/prices/"_s + model, "GET, PUT");
    const auto body = jsonBody(request, r);
    if (!body)
        return;
    Price price;
    QString error;
    if (!KeySettings::parsePrice(*body, &price, &error))
        return respondError(r, GatewayError::invalidRequest(error));
    prices->setPrice(model, price);
    m_services.store->savePrice(model, price);
    respondJson(r, 200, AdminJson::price(price));
}

void AdminApi::usage(const HttpRequest &request, HttpResponder *r)
{
    const QUrlQuery query(QString::fromUtf8(request.query));
    Store::UsageQuery q;
    auto bad = [&](const QString &what) { respondError(r, GatewayError::invalidRequest(what)); };
    if (query.hasQueryItem(u"key_id"_s)) {
        bool ok = false;
        q.keyId = query.queryItemValue(u"key_id"_s).toLongLong(&ok);
        if (!ok)
            return bad(u"key_id must be an integer"_s);
    }
    q.runId = query.queryItemValue(u"run_id"_s, QUrl::FullyDecoded);
    q.model = query.queryItemValue(u"model"_s, QUrl::FullyDecoded);
    for (const auto &[name, target] : {std::pair{u"since"_s, &q.since}, std::pair{u"until"_s, &q.until}}) {
        if (!query.hasQueryItem(name))
            continue;
        const QString v = query.queryItemValue(name, QUrl::FullyDecoded);
        *target = QDateTime::fromString(v, Qt::ISODateWithMs);
        if (!target->isValid())
            *target = QDateTime::fromString(v, Qt::ISODate);
        if (!target->isValid())
            return bad(name + u" must be an ISO 8601 time, e.g. 2026-11-01T00:00:00Z"_s);
    }
    if (query.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        q.limit = query.queryItemValue(u"limit"_s).toInt(&ok);
        if (!ok || q.limit < 1 || q.limit > 100000)
            return bad(u"limit must be an integer from 1 to 100000"_s);
    }
    q.errorsOnly = query.queryItemValue(u"errors"_s) == u"true" || query.queryItemValue(u"errors"_s) == u"1";
    const QString format = query.queryItemValue(u"format"_s);
    if (!format.isEmpty() && format != u"json" && format != u"csv")
        return bad(u"format must be json or csv"_s);
    QPointer<HttpResponder> responder(r);
    const bool csv = format == u"csv";
    m_services.store->queryUsage(q, this, [responder, csv](const QList<UsageRecord> &rows) {
        if (!responder)
            return;
        if (csv) {
            responder->respond(200, {{"content-type", "text/csv; charset=utf-8"},
                                     {"content-disposition", "attachment; filename=\"tollgate-usage.csv\""}},
                               AdminJson::usageCsv(rows));
            return;
        }
        QJsonArray list;
        for (const UsageRecord &u : rows)
            list.append(AdminJson::usage(u));
        respondJson(responder, 200, {{u"records"_s, list}});
    });
}

void AdminApi::providers(HttpResponder *r)
{
    QJsonArray list;
    for (Provider *p : m_services.providers->providers())
        list.append(ProviderHealth::json(*p));
    respondJson(r, 200, {{u"providers"_s, list}});
}
