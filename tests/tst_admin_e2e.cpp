// The admin API refusing bad input, through real HTTP on 127.0.0.1:
// unknown keys and runs, malformed JSON, negative or mistyped limits,
// unknown fields, missing or wrong tokens and wrong methods each get a
// clear 4xx in OpenAI's error shape that names the problem, and nothing
// stored changes (every admin list is the same before and after, and a
// half-valid change applies none of its valid half).

#include "gateway.h"
#include "testclient.h"
#include "testgateway.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

enum class Token { Right, Missing, Wrong, CallerKey };

// Every list the admin API serves: what "nothing changed" compares.
QList<QByteArray> snapshot(TestClient &client, const TestGateway &gw, const HttpHeaders &admin)
{
    QList<QByteArray> out;
    for (const char16_t *path : {u"/admin/keys", u"/admin/runs", u"/admin/usage?limit=100000", u"/admin/prices",
                                 u"/admin/prompts", u"/admin/keys/1", u"/admin/runs/known-run"}) {
        const HttpReply r = client.get(gw.url(QStringView(path)), admin);
        out.append(QByteArray::number(r.status) + ' ' + r.body);
    }
    return out;
}

} // namespace

class tst_AdminE2E : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refused_data();
    void refused();
    void okAfterRefusals();
};

void tst_AdminE2E::refused_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");     // "{id}": the known key's id
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("token");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("mentions");    // a word the message must contain

    const Token ok = Token::Right;
    const auto row = [](const char *tag, const char *method, const char *path, const char *body, Token token,
                        int status, const char *mentions) {
        QTest::newRow(tag) << QByteArray(method) << QByteArray(path) << QByteArray(body) << int(token) << status
                           << QString::fromUtf8(mentions);
    };
    // Unknown things.
    row("GET unknown key", "GET", "/admin/keys/999", "", ok, 404, "999");
    row("GET non-numeric key id", "GET", "/admin/keys/abc", "", ok, 404, "abc");
    row("PATCH unknown key", "PATCH", "/admin/keys/999", R"({"name":"x"})", ok, 404, "999");
    row("revoke unknown key", "POST", "/admin/keys/999/revoke", "", ok, 404, "999");
    row("GET unknown run", "GET", "/admin/runs/no-such-run", "", ok, 404, "no-such-run");
    row("kill unknown run", "POST", "/admin/runs/no-such-run/kill", "", ok, 404, "no-such-run");
    row("budget of unknown run", "PUT", "/admin/runs/no-such-run/budget", R"({"budget_usd":1})", ok, 404, "no-such-run");
    row("unknown admin route", "GET", "/admin/nothing", "", ok, 404, "/admin/nothing");
    row("unknown key action", "POST", "/admin/keys/{id}/unrevoke", "", ok, 404, "unrevoke");
    row("unknown run action", "POST", "/admin/runs/known-run/resume", "", ok, 404, "known-run");
    // Malformed bodies.
    row("mint: malformed JSON", "POST", "/admin/keys", R"({"name":)", ok, 400, "JSON");
    row("mint: array body", "POST", "/admin/keys", R"(["name"])", ok, 400, "object");
    row("patch: trailing comma", "PATCH", "/admin/keys/{id}", R"({"name":"x",})", ok, 400, "JSON");
    row("budget: malformed JSON", "PUT", "/admin/runs/known-run/budget", "{budget_usd: 1}", ok, 400, "JSON");
    row("price: malformed JSON", "PUT", "/admin/prices/sim-small", "input_per_mtok=1", ok, 400, "JSON");
    // Bad values.
    row("mint: negative monthly_cap", "POST", "/admin/keys", R"({"name":"x","monthly_cap":-1})", ok, 400, "monthly_cap");
    row("mint: negative hard_cap", "POST", "/admin/keys", R"({"name":"x","hard_cap":-0.01})", ok, 400, "hard_cap");
    row("mint: negative run budget", "POST", "/admin/keys", R"({"name":"x","run_budget_usd":-5})", ok, 400, "run_budget_usd");
    row("mint: fractional rate", "POST", "/admin/keys", R"({"name":"x","rate_per_min":1.5})", ok, 400, "rate_per_min");
    row("mint: cap as a string", "POST", "/admin/keys", R"({"name":"x","monthly_cap":"10"})", ok, 400, "monthly_cap");
    row("mint: missing name", "POST", "/admin/keys", R"({"monthly_cap":1})", ok, 400, "name");
    row("mint: blank name", "POST", "/admin/keys", R"({"name":"   "})", ok, 400, "name");
    row("mint: models not a list", "POST", "/admin/keys", R"({"name":"x","allowed_models":"sim-*"})", ok, 400, "allowed_models");
    row("patch: negative rate", "PATCH", "/admin/keys/{id}", R"({"rate_per_min":-5})", ok, 400, "rate_per_min");
    row("patch: negative tokens", "PATCH", "/admin/keys/{id}", R"({"tokens_per_min":-1})", ok, 400, "tokens_per_min");
    row("patch: huge rate", "PATCH", "/admin/keys/{id}", R"({"rate_per_min":1e300})", ok, 400, "rate_per_min");
    row("patch: valid name, bad cap", "PATCH", "/admin/keys/{id}", R"({"name":"renamed","monthly_cap":-1})", ok, 400, "monthly_cap");
    row("budget: negative", "PUT", "/admin/runs/known-run/budget", R"({"budget_usd":-1})", ok, 400, "budget_usd");
    row("budget: negative time", "PUT", "/admin/runs/known-run/budget", R"({"time_budget_s":-3})", ok, 400, "time_budget_s");
    row("budget: string", "PUT", "/admin/runs/known-run/budget", R"({"budget_usd":"1"})", ok, 400, "budget_usd");
    row("budget: valid time, bad spend", "PUT", "/admin/runs/known-run/budget", R"({"time_budget_s":60,"budget_usd":-1})", ok, 400, "budget_usd");
    row("price: negative", "PUT", "/admin/prices/sim-small", R"({"input_per_mtok":-1,"output_per_mtok":1})", ok, 400, "input_per_mtok");
    row("price: missing output", "PUT", "/admin/prices/sim-small", R"({"input_per_mtok":1})", ok, 400, "output_per_mtok");
    row("usage: limit 0", "GET", "/admin/usage?limit=0", "", ok, 400, "limit");
    row("usage: key_id not a number", "GET", "/admin/usage?key_id=abc", "", ok, 400, "key_id");
    row("usage: since not a time", "GET", "/admin/usage?since=yesterday", "", ok, 400, "since");
    row("usage: unknown format", "GET", "/admin/usage?format=xml", "", ok, 400, "format");
    // Unknown fields.
    row("mint: unknown field", "POST", "/admin/keys", R"({"name":"x","monthly_budget":5})", ok, 400, "monthly_budget");
    row("patch: unknown field", "PATCH", "/admin/keys/{id}", R"({"colour":"red"})", ok, 400, "colour");
    row("patch: spend is not settable", "PATCH", "/admin/keys/{id}", R"({"spend_total":0})", ok, 400, "spend_total");
    row("budget: unknown field", "PUT", "/admin/runs/known-run/budget", R"({"budget":1})", ok, 400, "budget");
    row("price: unknown field", "PUT", "/admin/prices/sim-small", R"({"input_per_mtok":1,"output_per_mtok":2,"currency":"EUR"})", ok, 400, "currency");
    // Tokens.
    row("no token: list keys", "GET", "/admin/keys", "", Token::Missing, 401, "token");
    row("no token: mint", "POST", "/admin/keys", R"({"name":"x"})", Token::Missing, 401, "token");
    row("wrong token: mint", "POST", "/admin/keys", R"({"name":"x"})", Token::Wrong, 401, "token");
    row("wrong token: revoke", "POST", "/admin/keys/{id}/revoke", "", Token::Wrong, 401, "token");
    row("wrong token: kill", "POST", "/admin/runs/known-run/kill", "", Token::Wrong, 401, "token");
    row("wrong token: usage", "GET", "/admin/usage", "", Token::Wrong, 401, "token");
    row("caller key as token: patch", "PATCH", "/admin/keys/{id}", R"({"monthly_cap":0})", Token::CallerKey, 401, "token");
    row("no token: unknown route", "GET", "/admin/nothing", "", Token::Missing, 401, "token");
    // Wrong methods.
    row("DELETE /admin/keys", "DELETE", "/admin/keys", "", ok, 405, "DELETE");
    row("PUT /admin/keys/{id}", "PUT", "/admin/keys/{id}", R"({"name":"x"})", ok, 405, "PUT");
    row("DELETE /admin/keys/{id}", "DELETE", "/admin/keys/{id}", "", ok, 405, "DELETE");
    row("GET /admin/keys/{id}/revoke", "GET", "/admin/keys/{id}/revoke", "", ok, 405, "GET");
    row("POST /admin/runs", "POST", "/admin/runs", "{}", ok, 405, "POST");
    row("DELETE /admin/runs/known-run", "DELETE", "/admin/runs/known-run", "", ok, 405, "DELETE");
    row("GET /admin/runs/known-run/kill", "GET", "/admin/runs/known-run/kill", "", ok, 405, "GET");
    row("POST /admin/runs/known-run/budget", "POST", "/admin/runs/known-run/budget", R"({"budget_usd":1})", ok, 405, "POST");
    row("POST /admin/usage", "POST", "/admin/usage", "{}", ok, 405, "POST");
    row("DELETE /admin/prices/sim-small", "DELETE", "/admin/prices/sim-small", "", ok, 405, "DELETE");
    row("PUT /admin/prices", "PUT", "/admin/prices", "{}", ok, 405, "PUT");
    row("POST /admin/providers", "POST", "/admin/providers", "{}", ok, 405, "POST");
}

void tst_AdminE2E::refused()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(int, token);
    QFETCH(int, status);
    QFETCH(QString, mentions);

    TestGateway gw;
    gw.addSim();
    QVERIFY(gw.start());
    TestClient client;
    const HttpHeaders admin{{"authorization", "Bearer " + gw.gateway()->adminToken()},
                            {"content-type", "application/json"}};
    // Something stored to change: a key with limits, a run with spend, a ledger.
    const HttpReply minted = client.post(gw.url(u"/admin/keys"),
                                         R"({"name":"known","monthly_cap":5,"rate_per_min":60})", admin);
    QCOMPARE(minted.status, 201);
    const QByteArray key = minted.json().value(u"key"_s).toString().toLatin1();
    const QByteArray id = QByteArray::number(minted.json().value(u"record"_s).toObject().value(u"id"_s).toInt());
    QCOMPARE(id, QByteArray("1"));
    const HttpReply call = client.post(gw.url(u"/v1/chat/completions"),
                                       R"({"model":"sim-small","max_tokens":8,"messages":[{"role":"user","content":"hi"}]})",
                                       {{"authorization", "Bearer " + key}, {"x-tollgate-run-id", "known-run"},
                                        {"x-tollgate-run-budget-usd", "2"}});
    QCOMPARE(call.status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(client.get(gw.url(u"/admin/usage"), admin).body.contains("known-run"), 10000);
    const QList<QByteArray> before = snapshot(client, gw, admin);

    HttpHeaders headers{{"content-type", "application/json"}};
    switch (Token(token)) {
    case Token::Right: headers.append(admin.first()); break;
    case Token::Missing: break;
    case Token::Wrong: headers.emplaceBack("authorization", "Bearer " + gw.gateway()->adminToken() + "x"); break;
    case Token::CallerKey: headers.emplaceBack("authorization", "Bearer " + key); break;
    }
    path.replace("{id}", id);
    const HttpReply r = client.send(method, gw.url(QString::fromLatin1(path)), body, headers);

    // A clear 4xx in OpenAI's shape...
    QVERIFY2(r.status == status, qPrintable(QString::number(r.status) + u' ' + QString::fromUtf8(r.body)));
    QVERIFY2(r.header("content-type").startsWith("application/json"), r.header("content-type").constData());
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &pe);
    QVERIFY2(pe.error == QJsonParseError::NoError && doc.isObject(), r.body.constData());
    QCOMPARE(doc.object().keys(), QStringList{u"error"_s});
    const QJsonObject error = doc.object().value(u"error"_s).toObject();
    const QString message = error.value(u"message"_s).toString();
    QVERIFY2(message.size() > 10, qPrintable(message));
    QVERIFY2(message.contains(mentions), qPrintable(message));
    QVERIFY(error.contains(u"param"_s));
    QVERIFY(error.value(u"param"_s).isNull() || error.value(u"param"_s).isString());
    const QHash<int, std::pair<QString, QString>> expected{
        {400, {u"invalid_request_error"_s, u"invalid_request"_s}},
        {401, {u"authentication_error"_s, u"invalid_api_key"_s}},
        {404, {u"invalid_request_error"_s, u"not_found"_s}},
        {405, {u"invalid_request_error"_s, u"method_not_allowed"_s}},
    };
    QCOMPARE(error.value(u"type"_s).toString(), expected.value(status).first);
    QCOMPARE(error.value(u"code"_s).toString(), expected.value(status).second);
    // A 405 says what is allowed (RFC 9110: Allow is required on a 405).
    if (status == 405) {
        const QByteArray allow = r.header("allow");
        QVERIFY2(!allow.isEmpty(), "no Allow header");
        QVERIFY2(!allow.contains(method), allow.constData());
        // What Allow names does work (tried where that changes nothing: GET).
        if (allow.contains("GET"))
            QCOMPARE(client.get(gw.url(QString::fromLatin1(path)), admin).status, 200);
    }

    // ...and nothing stored changed.
    const QList<QByteArray> after = snapshot(client, gw, admin);
    for (int i = 0; i < before.size(); ++i)
        QCOMPARE(after.at(i), before.at(i));
    // The key still works as it did.
    QCOMPARE(client.post(gw.url(u"/v1/chat/completions"),
                         R"({"model":"sim-small","max_tokens":8,"messages":[{"role":"user","content":"again"}]})",
                         {{"authorization", "Bearer " + key}}).status, 200);
}

void tst_AdminE2E::okAfterRefusals()
{
    // The same routes with good input do work: the refusals above are about
    // the input, not the route.
    TestGateway gw;
    gw.addSim();
    QVERIFY(gw.start());
    TestClient client;
    const HttpHeaders admin{{"authorization", "Bearer " + gw.gateway()->adminToken()},
                            {"content-type", "application/json"}};
    HttpReply r = client.post(gw.url(u"/admin/keys"), R"({"name":"x","monthly_cap":0,"allowed_models":null})", admin);
    QCOMPARE(r.status, 201);
    QVERIFY(r.json().value(u"key"_s).toString().startsWith(u"tg-"_s));
    r = client.send("PATCH", gw.url(u"/admin/keys/1"), R"({"name":"renamed","rate_per_min":10,"monthly_cap":1.5})",
                    admin);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"name"_s).toString(), u"renamed"_s);
    QCOMPARE(r.json().value(u"monthly_cap"_s).toDouble(), 1.5);
    QCOMPARE(client.send("PATCH", gw.url(u"/admin/keys/1"), {}, admin).status, 200); // an empty change
    r = client.send("PUT", gw.url(u"/admin/prices/sim-small"), R"({"input_per_mtok":1,"output_per_mtok":2})", admin);
    QCOMPARE(r.status, 200);
    QCOMPARE(client.get(gw.url(u"/admin/prices/sim-small"), admin).json().value(u"output_per_mtok"_s).toDouble(), 2.0);
    QCOMPARE(client.get(gw.url(u"/admin/usage?limit=1&format=csv&key_id=1&since=2020-01-01T00:00:00Z"), admin).status,
             200);
    QCOMPARE(client.post(gw.url(u"/admin/keys/1/revoke"), {}, admin).status, 200);
    QCOMPARE(client.post(gw.url(u"/admin/keys/1/revoke"), {}, admin).status, 200); // idempotent
}

QTEST_GUILESS_MAIN(tst_AdminE2E)
#include "tst_admin_e2e.moc"
