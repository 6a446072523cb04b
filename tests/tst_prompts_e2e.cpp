// Prompt templates through the whole gateway: versions added and activated
// through the admin API; a request's "tollgate" field renders the active
// version, or the one it pins, into the system prompt the provider
// receives (before the caller's own system prompt, in the provider's own
// format even across a translation), and the field itself never goes
// upstream; a missing variable, an unknown template or version is a 400
// naming the field and no provider is called; the ledger names the
// template and version; and a new active version is a new cache key.

#include "canned.h"
#include "fakeprovider.h"
#include "gateway.h"
#include "rawconnection.h"
#include "testclient.h"
#include "testgateway.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 15000;

const QString kV1 = u"You are a guide to {{city}}."_s;
const QString kV2 = u"You are a terse guide to {{ city }}. Answer in {{lang}}."_s;

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject tollgateField(const QString &prompt, const QJsonObject &variables, int version = 0)
{
    QJsonObject t{{u"prompt"_s, prompt}, {u"variables"_s, variables}};
    if (version > 0)
        t.insert(u"version"_s, version);
    return t;
}

// A client request that names a template; ownSystem: the caller's own system prompt too.
QByteArray requestBody(bool anthropic, const QString &model, const QJsonObject &tollgate, const QString &ownSystem = {},
                       bool stream = false)
{
    QJsonObject body{{u"model"_s, model}, {u"tollgate"_s, tollgate}};
    QJsonArray messages;
    if (!anthropic && !ownSystem.isEmpty())
        messages.append(QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, ownSystem}});
    messages.append(QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Where should I eat tonight?"_s}});
    body.insert(u"messages"_s, messages);
    if (anthropic) {
        body.insert(u"max_tokens"_s, 256);
        if (!ownSystem.isEmpty())
            body.insert(u"system"_s, ownSystem);
    }
    if (stream)
        body.insert(u"stream"_s, true);
    return compact(body);
}

// The system prompt as the provider received it, in its own format.
QStringList upstreamSystem(const FakeRequest &up, bool anthropicProvider)
{
    const QJsonObject body = up.json();
    if (anthropicProvider) {
        const QJsonValue system = body.value(u"system"_s);
        if (system.isString())
            return {system.toString()};
        QStringList out;
        for (const QJsonValue &b : system.toArray())
            out.append(b.toObject().value(u"text"_s).toString());
        return out;
    }
    QStringList out;
    for (const QJsonValue &m : body.value(u"messages"_s).toArray()) {
        if (m.toObject().value(u"role"_s).toString() == u"system")
            out.append(m.toObject().value(u"content"_s).toString());
    }
    return out;
}

struct Fixture
{
    FakeProvider openai;
    FakeProvider anthropic;
    TestGateway gw;
    TestClient client;

    Fixture()
    {
        gw.addOpenAi(openai, {u"gpt-*"_s});
        gw.addAnthropic(anthropic, {u"claude-*"_s});
        // Each call here must reach the provider (one test checks the cache on purpose).
        gw.config().cache.enabled = false;
        openai.setReplyFunction([](const FakeRequest &r) {
            return r.json().value(u"stream"_s).toBool() ? FakeReply::sse(Canned::openAiStream(true))
                                                         : FakeReply::json(Canned::openAiCompletion());
        });
        anthropic.setReplyFunction([](const FakeRequest &r) {
            return r.json().value(u"stream"_s).toBool() ? FakeReply::sse(Canned::anthropicStream())
                                                         : FakeReply::json(Canned::anthropicMessage());
        });
    }

    HttpHeaders admin() { return {{"authorization", "Bearer " + gw.gateway()->adminToken()}}; }

    HttpReply adminCall(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return client.send(method, gw.url(path), body.isEmpty() ? QByteArray() : compact(body), admin());
    }

    int addVersion(const QString &name, const QString &text)
    {
        const HttpReply r = adminCall("POST", u"/admin/prompts/"_s + name + u"/versions"_s, {{u"template"_s, text}});
        return r.status == 201 ? r.json().value(u"version"_s).toInt() : -r.status;
    }

    HttpReply call(bool anthropicClient, const QByteArray &body)
    {
        return RawConnection::exchange(
            gw.port(),
            HttpWire::request("POST", anthropicClient ? "/v1/messages" : "/v1/chat/completions", gw.authHeaders(), body),
            kTimeoutMs);
    }
};

} // namespace

class tst_PromptsE2e : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionsThroughAdmin();
    void activeAndPinnedVersions_data();
    void activeAndPinnedVersions();
    void renderedAcrossTranslation_data();
    void renderedAcrossTranslation();
    void refusals_data();
    void refusals();
    void activeVersionChangesTheCacheKey();
};

void tst_PromptsE2e::versionsThroughAdmin()
{
    Fixture f;
    QVERIFY(f.gw.start());
    QCOMPARE(f.addVersion(u"guide"_s, kV1), 1);
    QCOMPARE(f.addVersion(u"guide"_s, kV2), 2);

    const HttpReply list = f.adminCall("GET", u"/admin/prompts"_s);
    QCOMPARE(list.status, 200);
    const QJsonArray prompts = list.json().value(u"prompts"_s).toArray();
    QCOMPARE(prompts.size(), 1);
    const QJsonObject guide = prompts.first().toObject();
    QCOMPARE(guide.value(u"name"_s).toString(), u"guide"_s);
    QCOMPARE(guide.value(u"active_version"_s).toInt(), 1);   // the first version, until moved
    const QJsonArray versions = guide.value(u"versions"_s).toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions[0].toObject().value(u"template"_s).toString(), kV1);
    QCOMPARE(versions[1].toObject().value(u"version"_s).toInt(), 2);
    QCOMPARE(versions[1].toObject().value(u"template"_s).toString(), kV2);
    QVERIFY(!versions[1].toObject().value(u"created_at"_s).toString().isEmpty());

    const HttpReply active = f.adminCall("PUT", u"/admin/prompts/guide/active"_s, {{u"version"_s, 2}});
    QCOMPARE(active.status, 200);
    QCOMPARE(active.json().value(u"active_version"_s).toInt(), 2);
    // No version 3 to activate.
    QCOMPARE(f.adminCall("PUT", u"/admin/prompts/guide/active"_s, {{u"version"_s, 3}}).status, 404);

    const HttpReply rendered = f.adminCall("POST", u"/admin/prompts/guide/render"_s,
                                           {{u"variables"_s, QJsonObject{{u"city"_s, u"Oslo"_s}, {u"lang"_s, u"Norwegian"_s}}}});
    QCOMPARE(rendered.status, 200);
    QCOMPARE(rendered.json().value(u"text"_s).toString(), u"You are a terse guide to Oslo. Answer in Norwegian."_s);
    QCOMPARE(rendered.json().value(u"version"_s).toInt(), 2);
}

void tst_PromptsE2e::activeAndPinnedVersions_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<bool>("stream");
    QTest::newRow("openai") << false << false;
    QTest::newRow("openai stream") << false << true;
    QTest::newRow("anthropic") << true << false;
    QTest::newRow("anthropic stream") << true << true;
}

void tst_PromptsE2e::activeAndPinnedVersions()
{
    QFETCH(bool, anthropic);
    QFETCH(bool, stream);

    Fixture f;
    QVERIFY(f.gw.start());
    QCOMPARE(f.addVersion(u"guide"_s, kV1), 1);
    QCOMPARE(f.addVersion(u"guide"_s, kV2), 2);
    FakeProvider &fake = anthropic ? f.anthropic : f.openai;
    const QString model = anthropic ? u"claude-sonnet-4-5"_s : u"gpt-4o-mini"_s;
    const QJsonObject vars{{u"city"_s, u"Oslo"_s}, {u"lang"_s, u"Norwegian"_s}};
    const QString v1Text = u"You are a guide to Oslo."_s;
    const QString v2Text = u"You are a terse guide to Oslo. Answer in Norwegian."_s;

    struct Step
    {
        int pin;          // 0: the active version
        int active;       // the active version at the time
        QString expected;
    };
    const QList<Step> steps{{0, 1, v1Text}, {2, 1, v2Text}, {0, 2, v2Text}, {1, 2, v1Text}};
    int calls = 0;
    for (const Step &s : steps) {
        if (s.active != 1) {
            QCOMPARE(f.adminCall("PUT", u"/admin/prompts/guide/active"_s, {{u"version"_s, s.active}}).status, 200);
        }
        const HttpReply reply = f.call(anthropic, requestBody(anthropic, model, tollgateField(u"guide"_s, vars, s.pin), {}, stream));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.chunked, stream);
        ++calls;
        QCOMPARE(fake.requestCount(), calls);
        const FakeRequest up = fake.lastRequest();
        // The rendered version is the system prompt; the field is gone.
        QCOMPARE(upstreamSystem(up, anthropic), QStringList{s.expected});
        QVERIFY2(!up.json().contains(u"tollgate"_s), up.body.constData());
        QVERIFY(!up.body.contains("{{"));
        QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), calls, kTimeoutMs);
        QCOMPARE(f.gw.lastRecord().prompt, u"guide"_s);
        QCOMPARE(f.gw.lastRecord().promptVersion, s.pin ? s.pin : s.active);
    }

    // The caller's own system prompt stays, after the template's.
    QCOMPARE(f.adminCall("PUT", u"/admin/prompts/guide/active"_s, {{u"version"_s, 1}}).status, 200);
    QCOMPARE(f.call(anthropic, requestBody(anthropic, model, tollgateField(u"guide"_s, vars), u"Be brief."_s, stream)).status,
             200);
    const QStringList system = upstreamSystem(fake.lastRequest(), anthropic);
    if (anthropic)
        QCOMPARE(system, QStringList{v1Text + u"\n\nBe brief."_s});
    else
        QCOMPARE(system, (QStringList{v1Text, u"Be brief."_s}));

    // A request without the field is forwarded as it came and names no template.
    const QByteArray plain = anthropic ? Canned::anthropicRequest(model.toUtf8(), stream)
                                       : Canned::openAiRequest(model.toUtf8(), stream, stream);
    QCOMPARE(f.call(anthropic, plain).status, 200);
    QCOMPARE(fake.lastRequest().body, plain);
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), calls + 2, kTimeoutMs);
    QCOMPARE(f.gw.lastRecord().prompt, QString());
    QCOMPARE(f.gw.lastRecord().promptVersion, 0);

    // The ledger the admin API serves says the same.
    QTRY_VERIFY_WITH_TIMEOUT(f.adminCall("GET", u"/admin/usage?limit=100"_s).json().value(u"records"_s).toArray().size()
                                 == calls + 2,
                             kTimeoutMs);
    const QJsonArray records = f.adminCall("GET", u"/admin/usage?limit=100"_s).json().value(u"records"_s).toArray();
    QList<int> versions; // oldest first
    for (qsizetype i = records.size() - 1; i >= 0; --i) {
        const QJsonObject r = records[i].toObject();
        if (r.value(u"prompt"_s).toString() == u"guide")
            versions.append(r.value(u"prompt_version"_s).toInt());
    }
    QCOMPARE(versions, (QList<int>{1, 2, 2, 1, 1}));
}

void tst_PromptsE2e::renderedAcrossTranslation_data()
{
    QTest::addColumn<bool>("anthropicClient");
    QTest::newRow("openai client, anthropic provider") << false;
    QTest::newRow("anthropic client, openai provider") << true;
}

void tst_PromptsE2e::renderedAcrossTranslation()
{
    QFETCH(bool, anthropicClient);

    Fixture f;
    QVERIFY(f.gw.start());
    QCOMPARE(f.addVersion(u"guide"_s, kV1), 1);
    const QString model = anthropicClient ? u"gpt-4o-mini"_s : u"claude-sonnet-4-5"_s;
    const HttpReply reply = f.call(anthropicClient,
                                   requestBody(anthropicClient, model,
                                               tollgateField(u"guide"_s, {{u"city"_s, u"Bergen"_s}}), u"Be brief."_s));
    QCOMPARE(reply.status, 200);
    FakeProvider &fake = anthropicClient ? f.openai : f.anthropic;
    QCOMPARE(fake.requestCount(), 1);
    const QStringList system = upstreamSystem(fake.lastRequest(), !anthropicClient);
    QCOMPARE(system.join(u"\n\n"_s), u"You are a guide to Bergen.\n\nBe brief."_s);
    QVERIFY(!fake.lastRequest().json().contains(u"tollgate"_s));
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    QCOMPARE(f.gw.lastRecord().prompt, u"guide"_s);
    QCOMPARE(f.gw.lastRecord().promptVersion, 1);
}

void tst_PromptsE2e::refusals_data()
{
    QTest::addColumn<bool>("anthropic");
    QTest::addColumn<QJsonObject>("tollgate");
    QTest::addColumn<QString>("param");
    QTest::addColumn<QString>("named");   // what the message must name

    for (const bool anthropic : {false, true}) {
        const QByteArray tag = anthropic ? "anthropic: " : "openai: ";
        QTest::newRow(QByteArray(tag + "missing variable").constData())
            << anthropic << tollgateField(u"guide"_s, {{u"city"_s, u"Oslo"_s}}, 2) << u"tollgate.variables"_s
            << u"lang"_s;
        QTest::newRow(QByteArray(tag + "no variables at all").constData())
            << anthropic << QJsonObject{{u"prompt"_s, u"guide"_s}} << u"tollgate.variables"_s << u"city"_s;
        QTest::newRow(QByteArray(tag + "unknown template").constData())
            << anthropic << tollgateField(u"guidebook"_s, {{u"city"_s, u"Oslo"_s}}) << u"tollgate.prompt"_s
            << u"guidebook"_s;
        QTest::newRow(QByteArray(tag + "unknown version").constData())
            << anthropic << tollgateField(u"guide"_s, {{u"city"_s, u"Oslo"_s}}, 7) << u"tollgate.version"_s << u"7"_s;
    }
}

void tst_PromptsE2e::refusals()
{
    QFETCH(bool, anthropic);
    QFETCH(QJsonObject, tollgate);
    QFETCH(QString, param);
    QFETCH(QString, named);

    Fixture f;
    QVERIFY(f.gw.start());
    QCOMPARE(f.addVersion(u"guide"_s, kV1), 1);
    QCOMPARE(f.addVersion(u"guide"_s, kV2), 2);
    const HttpReply reply =
        f.call(anthropic, requestBody(anthropic, anthropic ? u"claude-sonnet-4-5"_s : u"gpt-4o-mini"_s, tollgate));
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.header("x-should-retry"), QByteArray("false"));
    const QJsonObject error = reply.json().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"code"_s).toString(), u"invalid_request"_s);
    QCOMPARE(error.value(u"type"_s).toString(), u"invalid_request_error"_s);
    if (anthropic)
        QCOMPARE(reply.json().value(u"type"_s).toString(), u"error"_s);
    else
        QCOMPARE(error.value(u"param"_s).toString(), param);
    const QString message = error.value(u"message"_s).toString();
    QVERIFY2(message.contains(named), qPrintable(message));
    QCOMPARE(f.openai.requestCount() + f.anthropic.requestCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 1, kTimeoutMs);
    QCOMPARE(f.gw.lastRecord().status, 400);
    QCOMPARE(f.gw.lastRecord().error, u"invalid_request"_s);
}

void tst_PromptsE2e::activeVersionChangesTheCacheKey()
{
    Fixture f;
    f.gw.config().cache.enabled = true;
    QVERIFY(f.gw.start());
    QCOMPARE(f.addVersion(u"guide"_s, kV1), 1);
    QCOMPARE(f.addVersion(u"guide"_s, kV2), 2);
    const QByteArray body = requestBody(false, u"gpt-4o-mini"_s,
                                        tollgateField(u"guide"_s, {{u"city"_s, u"Oslo"_s}, {u"lang"_s, u"Norwegian"_s}}));
    QCOMPARE(f.call(false, body).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.call(false, body).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.openai.requestCount(), 1);
    // The same request now renders another text: another answer.
    QCOMPARE(f.adminCall("PUT", u"/admin/prompts/guide/active"_s, {{u"version"_s, 2}}).status, 200);
    QCOMPARE(f.call(false, body).header("x-tollgate-cache"), QByteArray("miss"));
    QCOMPARE(f.openai.requestCount(), 2);
    QCOMPARE(upstreamSystem(f.openai.lastRequest(), false),
             QStringList{u"You are a terse guide to Oslo. Answer in Norwegian."_s});
    // Back to version 1: its answer is still stored.
    QCOMPARE(f.adminCall("PUT", u"/admin/prompts/guide/active"_s, {{u"version"_s, 1}}).status, 200);
    QCOMPARE(f.call(false, body).header("x-tollgate-cache"), QByteArray("hit"));
    QCOMPARE(f.openai.requestCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(f.gw.recordCount(), 4, kTimeoutMs);
    QCOMPARE(f.gw.lastRecord().promptVersion, 1);
    QCOMPARE(f.gw.lastRecord().prompt, u"guide"_s);
}

QTEST_GUILESS_MAIN(tst_PromptsE2e)
#include "tst_prompts_e2e.moc"
