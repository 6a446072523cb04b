// tollgate-test-links: tollgate_pipeline
//
// The governance filters of the request path, each driven alone against a
// hand-built CallContext, as ProxyCall drives them: onRequest on the way
// in, onProgress while a stream flows, onFinish on every way out.
//   auth:         Bearer or x-api-key; unknown, revoked and foreign keys
//                 refused (a revoked key still names itself); pass-through.
//   run:          run and step ids, budgets from headers or the key, the
//                 kill switch and both budgets.
//   model access: the key's glob patterns.
//   rate limit:   the x-ratelimit-* (and anthropic-ratelimit-*) headers,
//                 429 with Retry-After, the token charge corrected at the end.
//   budget:       worst-case reservations that concurrent calls cannot
//                 overrun, released on every path; streams cut at the cap;
//                 unpriced models.

#include "governance/budgetbook.h"
#include "governance/keystore.h"
#include "governance/pricebook.h"
#include "governance/ratelimiter.h"
#include "governance/runregistry.h"
#include "pipeline/authfilter.h"
#include "pipeline/budgetfilter.h"
#include "pipeline/modelaccessfilter.h"
#include "pipeline/ratelimitfilter.h"
#include "pipeline/runfilter.h"

#include <QTest>
#include <QTimeZone>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

using Result = CallFilter::Result;
using Code = GatewayError::Code;
using Headers = QList<QPair<QByteArray, QByteArray>>;

CallContext context(const Headers &headers = {}, const QString &model = u"priced"_s,
                    WireFormat format = WireFormat::OpenAI)
{
    CallContext ctx;
    ctx.requestId = "req-test";
    ctx.clientFormat = format;
    ctx.endpoint = format == WireFormat::OpenAI ? u"/v1/chat/completions"_s : u"/v1/messages"_s;
    ctx.http.method = "POST";
    ctx.http.path = ctx.endpoint.toLatin1();
    ctx.http.headers = headers;
    ctx.request.format = format;
    ctx.request.model = model;
    ctx.startedAt = QDateTime::currentDateTimeUtc();
    return ctx;
}

QByteArray header(const CallContext &ctx, const QByteArray &name)
{
    for (const auto &h : ctx.responseHeaders) {
        if (h.first == name)
            return h.second;
    }
    return {};
}

bool hasHeader(const CallContext &ctx, const QByteArray &name)
{
    for (const auto &h : ctx.responseHeaders) {
        if (h.first == name)
            return true;
    }
    return false;
}

Price price(double in, double out)
{
    Price p;
    p.inputPerMTok = in;
    p.outputPerMTok = out;
    return p;
}

TokenUsage output(qint64 tokens)
{
    TokenUsage u;
    u.outputTokens = tokens;
    return u;
}

} // namespace

class tst_GovernanceFilters : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void auth_data();
    void auth();
    void runIds_data();
    void runIds();
    void runSteps();
    void runBudgetsFromHeadersOnFirstCallOnly();
    void runBudgetDefaultsToTheKeys();
    void runKilled();
    void runTimeBudgetExpired();
    void runSpendBudgetReached();
    void runBadBudgetHeader_data();
    void runBadBudgetHeader();
    void runFinishRecordsTheCall();
    void modelAccess_data();
    void modelAccess();
    void rateLimitHeaders_data();
    void rateLimitHeaders();
    void rateLimitRefusal();
    void rateLimitTokensRefusal();
    void rateLimitTokenAdjustOnFinish();
    void rateLimitFormatDuration_data();
    void rateLimitFormatDuration();
    void budgetReservationReleasedOnEveryPath_data();
    void budgetReservationReleasedOnEveryPath();
    void budgetRefusalHoldsNothing();
    void budgetConcurrentCallsStopAtTheCap_data();
    void budgetConcurrentCallsStopAtTheCap();
    void budgetWorstCase();
    void budgetProgressCutsAtTheCap_data();
    void budgetProgressCutsAtTheCap();
    void budgetUnpriced_data();
    void budgetUnpriced();
    void budgetCountTokensReservesNothing();
    void budgetAliasBilledAtItsUpstreamPrice();

private:
    qint64 mintKey(const std::function<void(KeyRecord &)> &settings = {}, QByteArray *raw = nullptr);

    std::unique_ptr<KeyStore> m_keys;
    std::unique_ptr<RunRegistry> m_runs;
    std::unique_ptr<RateLimiter> m_limiter;
    std::unique_ptr<BudgetBook> m_book;
    std::unique_ptr<PriceBook> m_prices;
};

void tst_GovernanceFilters::init()
{
    m_keys = std::make_unique<KeyStore>();
    m_runs = std::make_unique<RunRegistry>();
    m_limiter = std::make_unique<RateLimiter>();
    m_book = std::make_unique<BudgetBook>();
    // "priced": $1 per million output tokens, so 100 000 tokens cost $0.10.
    m_prices = std::make_unique<PriceBook>(
        QHash<QString, Price>{{u"priced"_s, price(0, 1)}, {u"gpt-4o"_s, price(2.5, 10)}, {u"upstream"_s, price(0, 3)}},
        QHash<QString, qint64>{{u"priced"_s, 50000}});
}

void tst_GovernanceFilters::cleanup()
{
    m_prices.reset();
    m_book.reset();
    m_limiter.reset();
    m_runs.reset();
    m_keys.reset();
}

qint64 tst_GovernanceFilters::mintKey(const std::function<void(KeyRecord &)> &settings, QByteArray *raw)
{
    KeyRecord k;
    k.name = u"test"_s;
    if (settings)
        settings(k);
    const KeyStore::Minted m = m_keys->mint(k);
    if (raw)
        *raw = m.rawKey;
    return m.record.id;
}

// ---- auth -----------------------------------------------------------------

void tst_GovernanceFilters::auth_data()
{
    QTest::addColumn<QByteArray>("name");    // header; empty: none
    QTest::addColumn<QByteArray>("value");   // $KEY and $REVOKED are replaced
    QTest::addColumn<bool>("passthrough");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("identifiedAs");   // "key", "revoked" or empty
    QTest::addColumn<QByteArray>("forwarded");   // pass-through credential

    const QByteArray a = "authorization";
    const QByteArray x = "x-api-key";
    QTest::newRow("Bearer") << a << QByteArray("Bearer $KEY") << false << true << u"key"_s << QByteArray();
    QTest::newRow("bearer, any case, spaces") << a << QByteArray("bEARER   $KEY ") << false << true << u"key"_s
                                              << QByteArray();
    QTest::newRow("x-api-key") << x << QByteArray("$KEY") << false << true << u"key"_s << QByteArray();
    QTest::newRow("gateway key, pass-through on") << a << QByteArray("Bearer $KEY") << true << true << u"key"_s
                                                  << QByteArray();
    QTest::newRow("missing") << QByteArray() << QByteArray() << false << false << QString() << QByteArray();
    QTest::newRow("missing, pass-through on") << QByteArray() << QByteArray() << true << false << QString()
                                              << QByteArray();
    QTest::newRow("empty Bearer") << a << QByteArray("Bearer ") << false << false << QString() << QByteArray();
    QTest::newRow("Basic is not a key") << a << QByteArray("Basic dXNlcjpwYXNz") << false << false << QString()
                                        << QByteArray();
    QTest::newRow("unknown tg- key") << a << QByteArray("Bearer tg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
                                     << false << false << QString() << QByteArray();
    QTest::newRow("unknown tg- key, pass-through on") << x << QByteArray("tg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
                                                      << true << false << QString() << QByteArray();
    QTest::newRow("revoked") << a << QByteArray("Bearer $REVOKED") << false << false << u"revoked"_s
                             << QByteArray();
    QTest::newRow("revoked, x-api-key, pass-through on") << x << QByteArray("$REVOKED") << true << false
                                                         << u"revoked"_s << QByteArray();
    QTest::newRow("foreign key") << a << QByteArray("Bearer sk-proj-abc") << false << false << QString()
                                 << QByteArray();
    QTest::newRow("foreign key, pass-through") << a << QByteArray("Bearer sk-proj-abc") << true << true << QString()
                                               << QByteArray("sk-proj-abc");
    QTest::newRow("foreign x-api-key, pass-through") << x << QByteArray("sk-ant-xyz") << true << true << QString()
                                                     << QByteArray("sk-ant-xyz");
}

void tst_GovernanceFilters::auth()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    QFETCH(bool, passthrough);
    QFETCH(bool, ok);
    QFETCH(QString, identifiedAs);
    QFETCH(QByteArray, forwarded);

    QByteArray raw;
    QByteArray revokedRaw;
    const qint64 id = mintKey([](KeyRecord &k) { k.name = u"good"_s; }, &raw);
    const qint64 revokedId = mintKey([](KeyRecord &k) { k.name = u"gone"_s; }, &revokedRaw);
    QVERIFY(m_keys->revoke(revokedId));
    value.replace("$KEY", raw).replace("$REVOKED", revokedRaw);

    CallContext ctx = context(name.isEmpty() ? Headers{} : Headers{{name, value}});
    AuthFilter filter(m_keys.get(), passthrough);
    const Result r = filter.onRequest(ctx);
    QCOMPARE(r, ok ? Result::Continue : Result::Respond);
    if (ok) {
        QVERIFY(!ctx.error.isError());
    } else {
        QCOMPARE(ctx.error.code(), Code::InvalidApiKey);
        QCOMPARE(ctx.error.httpStatus(), 401);
        QCOMPARE(ctx.error.codeString(), QByteArray("invalid_api_key"));
        QVERIFY(!ctx.error.message().isEmpty());
    }
    if (identifiedAs == u"key") {
        QCOMPARE(ctx.keyId, std::optional<qint64>(id));
        QCOMPARE(ctx.keyName, u"good"_s);
    } else if (identifiedAs == u"revoked") {
        // Refused, but recorded against the key it was.
        QCOMPARE(ctx.keyId, std::optional<qint64>(revokedId));
        QVERIFY2(ctx.error.message().contains(u"revoked"_s), qPrintable(ctx.error.message()));
    } else {
        QVERIFY(!ctx.keyId);
    }
    QCOMPARE(ctx.passthroughCredential, forwarded);
}

// ---- run ------------------------------------------------------------------

void tst_GovernanceFilters::runIds_data()
{
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QString>("runId");   // empty: no run
    QTest::newRow("X-Tollgate-Run-Id") << Headers{{"x-tollgate-run-id", "task-7"}} << u"task-7"_s;
    QTest::newRow("Claude Code session") << Headers{{"x-claude-code-session-id", "3f2a-session"}}
                                         << u"3f2a-session"_s;
    QTest::newRow("run id wins over session")
        << Headers{{"x-claude-code-session-id", "session"}, {"x-tollgate-run-id", "explicit"}} << u"explicit"_s;
    QTest::newRow("blank run id falls back to session")
        << Headers{{"x-tollgate-run-id", "  "}, {"x-claude-code-session-id", "session"}} << u"session"_s;
    QTest::newRow("none") << Headers{} << QString();
    QTest::newRow("UTF-8") << Headers{{"x-tollgate-run-id", "tâche-ü"}} << u"tâche-ü"_s;
}

void tst_GovernanceFilters::runIds()
{
    QFETCH(Headers, headers);
    QFETCH(QString, runId);
    RunFilter filter(m_runs.get(), m_keys.get());
    CallContext ctx = context(headers);
    QCOMPARE(filter.onRequest(ctx), Result::Continue);
    QCOMPARE(ctx.runId, runId);
    if (runId.isEmpty()) {
        QVERIFY(ctx.stepId.isEmpty());
        QVERIFY(m_runs->all().isEmpty());
    } else {
        QCOMPARE(ctx.stepId, u"1"_s);
        QVERIFY(m_runs->find(runId));
        QCOMPARE(m_runs->all().size(), 1);
    }
}

void tst_GovernanceFilters::runSteps()
{
    RunFilter filter(m_runs.get(), m_keys.get());
    const auto step = [&](const Headers &h) {
        CallContext ctx = context(h);
        return filter.onRequest(ctx) == Result::Continue ? ctx.stepId : u"refused"_s;
    };
    const Headers run{{"x-tollgate-run-id", "r"}};
    QCOMPARE(step(run), u"1"_s);
    QCOMPARE(step(run), u"2"_s);
    QCOMPARE(step(run + Headers{{"x-tollgate-step-id", "plan"}}), u"plan"_s);
    QCOMPARE(step(run), u"3"_s);
    // Numbering is per run.
    QCOMPARE(step({{"x-tollgate-run-id", "other"}}), u"1"_s);
    QCOMPARE(step(run), u"4"_s);
    // A step id without a run means nothing.
    CallContext ctx = context({{"x-tollgate-step-id", "9"}});
    QCOMPARE(filter.onRequest(ctx), Result::Continue);
    QVERIFY(ctx.runId.isEmpty());
}

void tst_GovernanceFilters::runBudgetsFromHeadersOnFirstCallOnly()
{
    RunFilter filter(m_runs.get(), m_keys.get());
    CallContext first = context({{"x-tollgate-run-id", "r"},
                                 {"x-tollgate-run-budget-usd", "0.5"},
                                 {"x-tollgate-run-time-budget-s", "30"}});
    QCOMPARE(filter.onRequest(first), Result::Continue);
    QCOMPARE(m_runs->find(u"r"_s)->budgetUsd, 0.5);
    QCOMPARE(m_runs->find(u"r"_s)->timeBudgetS, 30.0);

    CallContext second = context({{"x-tollgate-run-id", "r"},
                                  {"x-tollgate-run-budget-usd", "9"},
                                  {"x-tollgate-run-time-budget-s", "1"}});
    QCOMPARE(filter.onRequest(second), Result::Continue);
    QCOMPARE(m_runs->find(u"r"_s)->budgetUsd, 0.5);
    QCOMPARE(m_runs->find(u"r"_s)->timeBudgetS, 30.0);
}

void tst_GovernanceFilters::runBudgetDefaultsToTheKeys()
{
    const qint64 key = mintKey([](KeyRecord &k) { k.runBudgetUsd = 2.0; });
    RunFilter filter(m_runs.get(), m_keys.get());
    CallContext a = context({{"x-tollgate-run-id", "a"}});
    a.keyId = key;
    QCOMPARE(filter.onRequest(a), Result::Continue);
    QCOMPARE(m_runs->find(u"a"_s)->budgetUsd, 2.0);
    QCOMPARE(m_runs->find(u"a"_s)->keyId, std::optional<qint64>(key));

    // A header overrides the key's default.
    CallContext b = context({{"x-tollgate-run-id", "b"}, {"x-tollgate-run-budget-usd", "0.7"}});
    b.keyId = key;
    QCOMPARE(filter.onRequest(b), Result::Continue);
    QCOMPARE(m_runs->find(u"b"_s)->budgetUsd, 0.7);

    // A pass-through run has no key and no default.
    CallContext c = context({{"x-tollgate-run-id", "c"}});
    QCOMPARE(filter.onRequest(c), Result::Continue);
    QCOMPARE(m_runs->find(u"c"_s)->budgetUsd, 0.0);
    QVERIFY(!m_runs->find(u"c"_s)->keyId);
}

void tst_GovernanceFilters::runKilled()
{
    RunFilter filter(m_runs.get(), m_keys.get());
    CallContext first = context({{"x-tollgate-run-id", "r"}});
    QCOMPARE(filter.onRequest(first), Result::Continue);
    QVERIFY(m_runs->kill(u"r"_s));
    CallContext next = context({{"x-tollgate-run-id", "r"}});
    QCOMPARE(filter.onRequest(next), Result::Respond);
    QCOMPARE(next.error.code(), Code::RunKilled);
    QCOMPARE(next.error.httpStatus(), 409);
    QCOMPARE(next.error.codeString(), QByteArray("run_killed"));
    QCOMPARE(next.runId, u"r"_s);   // the refusal is recorded against the run
}

void tst_GovernanceFilters::runTimeBudgetExpired()
{
    m_runs->touch(u"r"_s, std::nullopt, 0, 5, QDateTime::currentDateTimeUtc().addSecs(-10));
    m_runs->touch(u"fresh"_s, std::nullopt, 0, 60, QDateTime::currentDateTimeUtc());
    RunFilter filter(m_runs.get(), m_keys.get());
    CallContext ctx = context({{"x-tollgate-run-id", "r"}});
    QCOMPARE(filter.onRequest(ctx), Result::Respond);
    QCOMPARE(ctx.error.code(), Code::RunBudgetExceeded);
    QCOMPARE(ctx.error.httpStatus(), 402);
    QCOMPARE(ctx.error.codeString(), QByteArray("run_budget_exceeded"));

    CallContext ok = context({{"x-tollgate-run-id", "fresh"}});
    QCOMPARE(filter.onRequest(ok), Result::Continue);
}

void tst_GovernanceFilters::runSpendBudgetReached()
{
    RunFilter filter(m_runs.get(), m_keys.get());
    CallContext first = context({{"x-tollgate-run-id", "r"}, {"x-tollgate-run-budget-usd", "0.5"}});
    QCOMPARE(filter.onRequest(first), Result::Continue);
    first.usage = output(1000);
    first.cost = 0.375;
    filter.onFinish(first);
    CallContext second = context({{"x-tollgate-run-id", "r"}});
    QCOMPARE(filter.onRequest(second), Result::Continue);
    second.cost = 0.125;   // now exactly at the budget
    filter.onFinish(second);
    CallContext third = context({{"x-tollgate-run-id", "r"}});
    QCOMPARE(filter.onRequest(third), Result::Respond);
    QCOMPARE(third.error.code(), Code::RunBudgetExceeded);
    QCOMPARE(third.error.httpStatus(), 402);

    // Raising the budget lets the run go on.
    QVERIFY(m_runs->setBudget(u"r"_s, 1.0, std::nullopt));
    CallContext fourth = context({{"x-tollgate-run-id", "r"}});
    QCOMPARE(filter.onRequest(fourth), Result::Continue);
}

void tst_GovernanceFilters::runBadBudgetHeader_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    for (const char *h : {"x-tollgate-run-budget-usd", "x-tollgate-run-time-budget-s"}) {
        for (const char *v : {"abc", "-1", "1,5", "inf", "nan", "1e999", "$5", "0x10"})
            QTest::addRow("%s: %s", h, v) << QByteArray(h) << QByteArray(v);
    }
}

void tst_GovernanceFilters::runBadBudgetHeader()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    RunFilter filter(m_runs.get(), m_keys.get());
    CallContext ctx = context({{"x-tollgate-run-id", "r"}, {name, value}});
    QCOMPARE(filter.onRequest(ctx), Result::Respond);
    QCOMPARE(ctx.error.code(), Code::InvalidRequest);
    QCOMPARE(ctx.error.httpStatus(), 400);
    QVERIFY2(ctx.error.message().contains(u"Budget"_s), qPrintable(ctx.error.message()));
    // A refused first call starts no run.
    QVERIFY(!m_runs->find(u"r"_s));
}

void tst_GovernanceFilters::runFinishRecordsTheCall()
{
    RunFilter filter(m_runs.get(), m_keys.get());
    CallContext ctx = context({{"x-tollgate-run-id", "r"}});
    QCOMPARE(filter.onRequest(ctx), Result::Continue);
    ctx.usage.inputTokens = 100;
    ctx.usage.outputTokens = 20;
    ctx.cost = 0.25;
    filter.onFinish(ctx);
    const RunRecord *run = m_runs->find(u"r"_s);
    QCOMPARE(run->calls, 1);
    QCOMPARE(run->inputTokens, 100);
    QCOMPARE(run->outputTokens, 20);
    QCOMPARE(run->spend, 0.25);

    // A call without a run records nothing.
    CallContext none = context();
    QCOMPARE(filter.onRequest(none), Result::Continue);
    none.cost = 5;
    filter.onFinish(none);
    QCOMPARE(m_runs->all().size(), 1);
}

// ---- model access -----------------------------------------------------------

void tst_GovernanceFilters::modelAccess_data()
{
    QTest::addColumn<QStringList>("patterns");
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("no list: everything") << QStringList() << u"anything"_s << true;
    QTest::newRow("prefix glob") << QStringList{u"gpt-4o*"_s} << u"gpt-4o-mini"_s << true;
    QTest::newRow("prefix glob, other vendor") << QStringList{u"gpt-4o*"_s} << u"claude-sonnet-4-5"_s << false;
    QTest::newRow("exact is exact") << QStringList{u"gpt-4o"_s} << u"gpt-4o-mini"_s << false;
    QTest::newRow("exact") << QStringList{u"gpt-4o"_s} << u"gpt-4o"_s << true;
    QTest::newRow("second pattern") << QStringList{u"gpt-*"_s, u"claude-*"_s} << u"claude-3-5-haiku"_s << true;
    QTest::newRow("inner star") << QStringList{u"claude-*-4-5"_s} << u"claude-sonnet-4-5"_s << true;
    QTest::newRow("inner star, no match") << QStringList{u"claude-*-4-5"_s} << u"claude-sonnet-4"_s << false;
    QTest::newRow("question mark") << QStringList{u"o?-mini"_s} << u"o3-mini"_s << true;
    QTest::newRow("case matters") << QStringList{u"gpt-*"_s} << u"GPT-4o"_s << false;
    QTest::newRow("star") << QStringList{u"*"_s} << u"sim-small"_s << true;
}

void tst_GovernanceFilters::modelAccess()
{
    QFETCH(QStringList, patterns);
    QFETCH(QString, model);
    QFETCH(bool, allowed);
    const qint64 key = mintKey([&](KeyRecord &k) { k.allowedModels = patterns; });
    ModelAccessFilter filter(m_keys.get());
    CallContext ctx = context({}, model);
    ctx.keyId = key;
    QCOMPARE(filter.onRequest(ctx), allowed ? Result::Continue : Result::Respond);
    if (!allowed) {
        QCOMPARE(ctx.error.code(), Code::ModelNotAllowed);
        QCOMPARE(ctx.error.httpStatus(), 403);
        QCOMPARE(ctx.error.codeString(), QByteArray("model_not_allowed"));
        QVERIFY(ctx.error.message().contains(model));
    }
    // Pass-through callers have no key, hence no list.
    CallContext anonymous = context({}, model);
    QCOMPARE(filter.onRequest(anonymous), Result::Continue);
}

// ---- rate limit -------------------------------------------------------------

void tst_GovernanceFilters::rateLimitHeaders_data()
{
    QTest::addColumn<WireFormat>("format");
    QTest::addColumn<qint64>("rpm");
    QTest::addColumn<qint64>("tpm");
    QTest::newRow("OpenAI, requests") << WireFormat::OpenAI << qint64(10) << qint64(0);
    QTest::newRow("OpenAI, tokens") << WireFormat::OpenAI << qint64(0) << qint64(10000);
    QTest::newRow("OpenAI, both") << WireFormat::OpenAI << qint64(10) << qint64(10000);
    QTest::newRow("Anthropic, both") << WireFormat::Anthropic << qint64(10) << qint64(10000);
    QTest::newRow("Anthropic, requests") << WireFormat::Anthropic << qint64(10) << qint64(0);
    QTest::newRow("no limits") << WireFormat::Anthropic << qint64(0) << qint64(0);
}

void tst_GovernanceFilters::rateLimitHeaders()
{
    QFETCH(WireFormat, format);
    QFETCH(qint64, rpm);
    QFETCH(qint64, tpm);
    const qint64 key = mintKey([&](KeyRecord &k) {
        k.ratePerMin = rpm;
        k.tokensPerMin = tpm;
    });
    RateLimitFilter filter(m_limiter.get(), m_keys.get());
    CallContext ctx = context({}, u"gpt-4o"_s, format);
    ctx.keyId = key;
    ctx.request.estimatedInputTokens = 100;
    ctx.request.maxOutputTokens = 500;
    const QDateTime before = QDateTime::currentDateTimeUtc();
    QCOMPARE(filter.onRequest(ctx), Result::Continue);

    const bool anthropic = format == WireFormat::Anthropic;
    if (rpm) {
        QCOMPARE(header(ctx, "x-ratelimit-limit-requests"), QByteArray("10"));
        QCOMPARE(header(ctx, "x-ratelimit-remaining-requests"), QByteArray("9"));
        QCOMPARE(header(ctx, "x-ratelimit-reset-requests"), QByteArray("6s"));
    }
    if (tpm) {
        QCOMPARE(header(ctx, "x-ratelimit-limit-tokens"), QByteArray("10000"));
        QCOMPARE(header(ctx, "x-ratelimit-remaining-tokens"), QByteArray("9400"));
        QCOMPARE(header(ctx, "x-ratelimit-reset-tokens"), QByteArray("3.6s"));
        QCOMPARE(ctx.rateTokensCharged, 600);
    }
    for (const char *kind : {"requests", "tokens"}) {
        const bool set = QByteArrayView(kind) == "requests" ? rpm > 0 : tpm > 0;
        const QByteArray k(kind);
        for (const QByteArray &n : QByteArrayList{"x-ratelimit-limit-" + k, "x-ratelimit-remaining-" + k, "x-ratelimit-reset-" + k})
            QCOMPARE(hasHeader(ctx, n), set);
        const QByteArray limit = "anthropic-ratelimit-" + k + "-limit";
        const QByteArray remaining = "anthropic-ratelimit-" + k + "-remaining";
        const QByteArray reset = "anthropic-ratelimit-" + k + "-reset";
        QCOMPARE(hasHeader(ctx, limit), set && anthropic);
        QCOMPARE(hasHeader(ctx, remaining), set && anthropic);
        QCOMPARE(hasHeader(ctx, reset), set && anthropic);
        if (set && anthropic) {
            QCOMPARE(header(ctx, limit), header(ctx, "x-ratelimit-limit-" + k));
            QCOMPARE(header(ctx, remaining), header(ctx, "x-ratelimit-remaining-" + k));
            // An RFC 3339 instant in UTC, when the bucket is full again.
            const QByteArray value = header(ctx, reset);
            QVERIFY2(value.endsWith('Z'), value.constData());
            const QDateTime at = QDateTime::fromString(QString::fromLatin1(value), Qt::ISODate);
            QVERIFY2(at.isValid(), value.constData());
            QVERIFY(at >= before.addSecs(2) && at <= before.addSecs(8));
        }
    }
    if (!rpm && !tpm)
        QVERIFY(ctx.responseHeaders.isEmpty());
}

void tst_GovernanceFilters::rateLimitRefusal()
{
    const qint64 key = mintKey([](KeyRecord &k) { k.ratePerMin = 2; });
    const qint64 other = mintKey([](KeyRecord &k) { k.ratePerMin = 2; });
    RateLimitFilter filter(m_limiter.get(), m_keys.get());
    for (int i = 0; i < 2; ++i) {
        CallContext ctx = context();
        ctx.keyId = key;
        QCOMPARE(filter.onRequest(ctx), Result::Continue);
    }
    CallContext refused = context();
    refused.keyId = key;
    QCOMPARE(filter.onRequest(refused), Result::Respond);
    QCOMPARE(refused.error.code(), Code::RateLimited);
    QCOMPARE(refused.error.httpStatus(), 429);
    QCOMPARE(refused.error.codeString(), QByteArray("rate_limited"));
    // One request comes back every 30 s.
    QVERIFY2(refused.error.retryAfterSeconds() >= 29 && refused.error.retryAfterSeconds() <= 30,
             qPrintable(QString::number(refused.error.retryAfterSeconds())));
    QVERIFY(refused.error.message().contains(u"requests-per-minute"_s));
    // The 429 carries the headers too.
    QCOMPARE(header(refused, "x-ratelimit-limit-requests"), QByteArray("2"));
    QCOMPARE(header(refused, "x-ratelimit-remaining-requests"), QByteArray("0"));
    QVERIFY(hasHeader(refused, "x-ratelimit-reset-requests"));
    QCOMPARE(refused.rateTokensCharged, 0);

    // Another key is not affected.
    CallContext ctx = context();
    ctx.keyId = other;
    QCOMPARE(filter.onRequest(ctx), Result::Continue);
}

void tst_GovernanceFilters::rateLimitTokensRefusal()
{
    const qint64 key = mintKey([](KeyRecord &k) { k.tokensPerMin = 1000; });
    RateLimitFilter filter(m_limiter.get(), m_keys.get());
    CallContext first = context();
    first.keyId = key;
    first.request.estimatedInputTokens = 100;   // max_tokens unset: 1024 more are charged
    QCOMPARE(filter.onRequest(first), Result::Continue);
    QCOMPARE(first.rateTokensCharged, 1000);   // capped at the whole allowance
    QCOMPARE(header(first, "x-ratelimit-remaining-tokens"), QByteArray("0"));

    CallContext second = context();
    second.keyId = key;
    second.request.estimatedInputTokens = 10;
    second.request.maxOutputTokens = 90;
    QCOMPARE(filter.onRequest(second), Result::Respond);
    QCOMPARE(second.error.code(), Code::RateLimited);
    QVERIFY(second.error.message().contains(u"tokens-per-minute"_s));
    // 100 tokens at 1000 per minute: 6 s.
    QVERIFY2(second.error.retryAfterSeconds() >= 5 && second.error.retryAfterSeconds() <= 6,
             qPrintable(QString::number(second.error.retryAfterSeconds())));
}

void tst_GovernanceFilters::rateLimitTokenAdjustOnFinish()
{
    const qint64 key = mintKey([](KeyRecord &k) { k.tokensPerMin = 10000; });
    RateLimitFilter filter(m_limiter.get(), m_keys.get());
    const auto remaining = [&] {
        return m_limiter->peek(key, {0, 10000}, QDateTime::currentMSecsSinceEpoch()).tokens.remaining;
    };
    const auto call = [&] {
        CallContext ctx = context();
        ctx.keyId = key;
        ctx.request.estimatedInputTokens = 100;
        ctx.request.maxOutputTokens = 500;
        return ctx;
    };

    // Charged 600, used 150: 450 come back.
    CallContext a = call();
    QCOMPARE(filter.onRequest(a), Result::Continue);
    QVERIFY(remaining() >= 9400 && remaining() < 9450);
    a.usage.inputTokens = 100;
    a.usage.outputTokens = 50;
    filter.onFinish(a);
    QCOMPARE(a.rateTokensCharged, 0);
    QVERIFY2(remaining() >= 9850 && remaining() < 9900, qPrintable(QString::number(remaining())));
    filter.onFinish(a);   // a second finish corrects nothing
    QVERIFY(remaining() >= 9850 && remaining() < 9900);

    // A cache hit used no upstream tokens: the whole charge comes back.
    CallContext cached = call();
    QCOMPARE(filter.onRequest(cached), Result::Continue);
    cached.cached = true;
    cached.usage = output(5000);
    filter.onFinish(cached);
    QVERIFY2(remaining() >= 9850 && remaining() < 9950, qPrintable(QString::number(remaining())));

    // Charged 600, used 20 000: the key is in debt and must wait.
    CallContext big = call();
    QCOMPARE(filter.onRequest(big), Result::Continue);
    big.usage = output(20000);
    filter.onFinish(big);
    QCOMPARE(remaining(), 0);
    CallContext next = call();
    QCOMPARE(filter.onRequest(next), Result::Respond);
    QCOMPARE(next.error.code(), Code::RateLimited);
    QVERIFY(next.error.retryAfterSeconds() >= 60);   // > 10 000 tokens short at 10 000/min
    filter.onFinish(next);   // a refused call was charged nothing, so nothing is corrected
    QCOMPARE(remaining(), 0);
}

void tst_GovernanceFilters::rateLimitFormatDuration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("0") << qint64(0) << QByteArray("0ms");
    QTest::newRow("negative") << qint64(-5) << QByteArray("0ms");
    QTest::newRow("12ms") << qint64(12) << QByteArray("12ms");
    QTest::newRow("999ms") << qint64(999) << QByteArray("999ms");
    QTest::newRow("1s") << qint64(1000) << QByteArray("1s");
    QTest::newRow("1.5s") << qint64(1500) << QByteArray("1.5s");
    QTest::newRow("12.34s") << qint64(12340) << QByteArray("12.34s");
    QTest::newRow("1m0s") << qint64(60000) << QByteArray("1m0s");
    QTest::newRow("2m3s") << qint64(123000) << QByteArray("2m3s");
    QTest::newRow("1m30.5s") << qint64(90500) << QByteArray("1m30.5s");
}

void tst_GovernanceFilters::rateLimitFormatDuration()
{
    QFETCH(qint64, ms);
    QFETCH(QByteArray, text);
    QCOMPARE(RateLimitFilter::formatDuration(ms), text);
}

// ---- budget -----------------------------------------------------------------

void tst_GovernanceFilters::budgetReservationReleasedOnEveryPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<double>("settled");   // spend added to the key
    QTest::newRow("finished") << u"finished"_s << 0.05;
    QTest::newRow("provider error") << u"error"_s << 0.0;
    QTest::newRow("refused by a later filter") << u"refused later"_s << 0.0;
    QTest::newRow("cache hit") << u"cached"_s << 0.0;
    QTest::newRow("stream cut after 30 000 tokens") << u"cut"_s << 0.03;
}

void tst_GovernanceFilters::budgetReservationReleasedOnEveryPath()
{
    QFETCH(QString, path);
    QFETCH(double, settled);
    const qint64 key = mintKey([](KeyRecord &k) { k.monthlyCap = 10; });
    m_runs->touch(u"r"_s, key, 5.0, 0, QDateTime::currentDateTimeUtc());
    BudgetFilter filter(m_book.get(), m_keys.get(), m_runs.get(), m_prices.get());
    CallContext ctx = context();
    ctx.keyId = key;
    ctx.runId = u"r"_s;
    ctx.request.maxOutputTokens = 100000;
    QCOMPARE(filter.onRequest(ctx), Result::Continue);
    QVERIFY(ctx.reservation.active);
    QCOMPARE(ctx.reservation.usd, 0.1);
    QCOMPARE(m_book->keyReserved(key), 0.1);
    QCOMPARE(m_book->runReserved(u"r"_s), 0.1);
    QCOMPARE(m_book->outstanding(), 1);

    if (path == u"finished") {
        ctx.usage = output(50000);
    } else if (path == u"error") {
        ctx.error = GatewayError(Code::NoProvider, u"every provider failed"_s);
    } else if (path == u"refused later") {
        ctx.error = GatewayError::invalidRequest(u"refused"_s);
    } else if (path == u"cached") {
        ctx.cached = true;
        ctx.usage = output(50000);
    } else if (path == u"cut") {
        ctx.usage = output(30000);
        QVERIFY(!filter.onProgress(ctx).isError());
        ctx.error = GatewayError(Code::RunKilled, u"killed"_s);
    }
    filter.onFinish(ctx);
    QVERIFY(!ctx.reservation.active);
    QCOMPARE(m_book->outstanding(), 0);
    QCOMPARE(m_book->keyReserved(key), 0.0);
    QCOMPARE(m_book->runReserved(u"r"_s), 0.0);
    QVERIFY(qAbs(ctx.cost - settled) < 1e-12);
    QVERIFY(qAbs(m_keys->find(key)->spendTotal - settled) < 1e-12);
    QVERIFY(qAbs(KeyStore::monthSpend(*m_keys->find(key), QDateTime::currentDateTimeUtc()) - settled) < 1e-12);
}

void tst_GovernanceFilters::budgetRefusalHoldsNothing()
{
    const qint64 key = mintKey([](KeyRecord &k) { k.hardCap = 1.0; });
    m_keys->addSpend(key, 0.95, QDateTime::currentDateTimeUtc());
    BudgetFilter filter(m_book.get(), m_keys.get(), m_runs.get(), m_prices.get());
    CallContext ctx = context();
    ctx.keyId = key;
    ctx.request.maxOutputTokens = 100000;
    QCOMPARE(filter.onRequest(ctx), Result::Respond);
    QCOMPARE(ctx.error.code(), Code::QuotaExceeded);
    QCOMPARE(ctx.error.httpStatus(), 402);
    QCOMPARE(ctx.error.codeString(), QByteArray("quota_exceeded"));
    QVERIFY(!ctx.reservation.active);
    QCOMPARE(m_book->outstanding(), 0);
    filter.onFinish(ctx);
    QCOMPARE(m_book->outstanding(), 0);
    QCOMPARE(m_book->keyReserved(key), 0.0);
    QCOMPARE(m_keys->find(key)->spendTotal, 0.95);

    // A smaller call still fits under the cap.
    CallContext small = context();
    small.keyId = key;
    small.request.maxOutputTokens = 40000;
    QCOMPARE(filter.onRequest(small), Result::Continue);
    filter.onFinish(small);
    QCOMPARE(m_book->outstanding(), 0);
}

void tst_GovernanceFilters::budgetConcurrentCallsStopAtTheCap_data()
{
    QTest::addColumn<QString>("cap");   // monthly_cap, hard_cap or run
    QTest::addColumn<double>("usd");
    QTest::addColumn<double>("alreadySpent");
    QTest::addColumn<int>("admitted");   // each call holds $0.10
    for (const char *cap : {"monthly_cap", "hard_cap", "run"}) {
        QTest::addRow("%s 0.3", cap) << QString::fromLatin1(cap) << 0.3 << 0.0 << 3;
        QTest::addRow("%s 1.0", cap) << QString::fromLatin1(cap) << 1.0 << 0.0 << 10;
        QTest::addRow("%s 0.7", cap) << QString::fromLatin1(cap) << 0.7 << 0.0 << 7;
        QTest::addRow("%s 0.1", cap) << QString::fromLatin1(cap) << 0.1 << 0.0 << 1;
        QTest::addRow("%s 0.05", cap) << QString::fromLatin1(cap) << 0.05 << 0.0 << 0;
        QTest::addRow("%s 1.0, 0.6 spent", cap) << QString::fromLatin1(cap) << 1.0 << 0.6 << 4;
        QTest::addRow("%s 0.35", cap) << QString::fromLatin1(cap) << 0.35 << 0.0 << 3;
    }
}

void tst_GovernanceFilters::budgetConcurrentCallsStopAtTheCap()
{
    QFETCH(QString, cap);
    QFETCH(double, usd);
    QFETCH(double, alreadySpent);
    QFETCH(int, admitted);
    const qint64 key = mintKey([&](KeyRecord &k) {
        if (cap == u"monthly_cap")
            k.monthlyCap = usd;
        else if (cap == u"hard_cap")
            k.hardCap = usd;
    });
    m_runs->touch(u"r"_s, key, cap == u"run" ? usd : 0.0, 0, QDateTime::currentDateTimeUtc());
    if (alreadySpent > 0) {
        m_keys->addSpend(key, alreadySpent, QDateTime::currentDateTimeUtc());
        m_runs->recordCall(u"r"_s, {}, alreadySpent, QDateTime::currentDateTimeUtc());
    }
    BudgetFilter filter(m_book.get(), m_keys.get(), m_runs.get(), m_prices.get());
    const auto call = [&] {
        CallContext ctx = context();
        ctx.keyId = key;
        ctx.runId = u"r"_s;
        ctx.request.maxOutputTokens = 100000;   // worst case $0.10
        return ctx;
    };

    // Calls arrive together: none has finished when the next one is admitted.
    std::vector<CallContext> inFlight;
    for (int i = 0; i < admitted; ++i) {
        inFlight.push_back(call());
        QVERIFY2(filter.onRequest(inFlight.back()) == Result::Continue, qPrintable(QString::number(i + 1)));
    }
    QCOMPARE(m_book->outstanding(), admitted);
    CallContext over = call();
    QCOMPARE(filter.onRequest(over), Result::Respond);
    QCOMPARE(over.error.code(), cap == u"run" ? Code::RunBudgetExceeded : Code::QuotaExceeded);
    QCOMPARE(over.error.httpStatus(), 402);
    QVERIFY(!over.reservation.active);
    filter.onFinish(over);
    QCOMPARE(m_book->outstanding(), admitted);
    if (admitted == 0)
        return;

    // One finishes having spent nothing: its place is free again, once.
    filter.onFinish(inFlight.front());
    QCOMPARE(m_book->outstanding(), admitted - 1);
    CallContext again = call();
    QCOMPARE(filter.onRequest(again), Result::Continue);
    CallContext stillOver = call();
    QCOMPARE(filter.onRequest(stillOver), Result::Respond);

    filter.onFinish(again);
    for (CallContext &ctx : inFlight)
        filter.onFinish(ctx);
    QCOMPARE(m_book->outstanding(), 0);
    QCOMPARE(m_book->keyReserved(key), 0.0);
    QCOMPARE(m_book->runReserved(u"r"_s), 0.0);
}

void tst_GovernanceFilters::budgetWorstCase()
{
    m_prices->setPrice(u"in-and-out"_s, price(1, 2));
    const qint64 key = mintKey([](KeyRecord &k) { k.hardCap = 100; });
    BudgetFilter filter(m_book.get(), m_keys.get(), m_runs.get(), m_prices.get());

    // The input estimate with its margin, plus max_tokens.
    CallContext ctx = context({}, u"in-and-out"_s);
    ctx.keyId = key;
    ctx.request.estimatedInputTokens = 800;
    ctx.request.maxOutputTokens = 1000;
    QCOMPARE(filter.onRequest(ctx), Result::Continue);
    const double input = (800 * BudgetFilter::kInputMargin + 16) * 1.0 / 1e6;
    QVERIFY(qAbs(ctx.reservation.usd - (input + 1000 * 2.0 / 1e6)) < 1e-12);
    QVERIFY(ctx.reservation.usd > (800 + 1000 * 2.0) / 1e6);
    filter.onFinish(ctx);

    // Without max_tokens: the model's largest possible output.
    CallContext open = context();
    open.keyId = key;
    QCOMPARE(filter.onRequest(open), Result::Continue);
    QVERIFY(qAbs(open.reservation.usd - 50000 / 1e6) < 1e-12);
    filter.onFinish(open);

    // Uncapped callers reserve nothing.
    CallContext uncapped = context();
    uncapped.keyId = mintKey();
    uncapped.request.maxOutputTokens = 1000;
    QCOMPARE(filter.onRequest(uncapped), Result::Continue);
    QVERIFY(!uncapped.reservation.active);
    QCOMPARE(m_book->outstanding(), 0);
    uncapped.usage = output(1000);
    filter.onFinish(uncapped);
    QCOMPARE(uncapped.cost, 0.001);
    QCOMPARE(m_keys->find(*uncapped.keyId)->spendTotal, 0.001);
}

void tst_GovernanceFilters::budgetProgressCutsAtTheCap_data()
{
    QTest::addColumn<QString>("cap");
    QTest::addColumn<bool>("otherInFlight");   // another call holds $0.10
    QTest::addColumn<qint64>("metered");       // output tokens so far ($1 per million)
    QTest::addColumn<bool>("cut");
    // The cap is $1.00 and $0.50 is already spent.
    for (const char *cap : {"monthly_cap", "hard_cap", "run"}) {
        QTest::addRow("%s, alone, under", cap) << QString::fromLatin1(cap) << false << qint64(490000) << false;
        QTest::addRow("%s, alone, over", cap) << QString::fromLatin1(cap) << false << qint64(510000) << true;
        QTest::addRow("%s, with another, under", cap) << QString::fromLatin1(cap) << true << qint64(390000) << false;
        QTest::addRow("%s, with another, over", cap) << QString::fromLatin1(cap) << true << qint64(410000) << true;
    }
}

void tst_GovernanceFilters::budgetProgressCutsAtTheCap()
{
    QFETCH(QString, cap);
    QFETCH(bool, otherInFlight);
    QFETCH(qint64, metered);
    QFETCH(bool, cut);
    const qint64 key = mintKey([&](KeyRecord &k) {
        if (cap == u"monthly_cap")
            k.monthlyCap = 1.0;
        else if (cap == u"hard_cap")
            k.hardCap = 1.0;
    });
    m_keys->addSpend(key, 0.5, QDateTime::currentDateTimeUtc());
    m_runs->touch(u"r"_s, key, cap == u"run" ? 1.0 : 0.0, 0, QDateTime::currentDateTimeUtc());
    m_runs->recordCall(u"r"_s, {}, 0.5, QDateTime::currentDateTimeUtc());
    BudgetFilter filter(m_book.get(), m_keys.get(), m_runs.get(), m_prices.get());
    const auto call = [&] {
        CallContext ctx = context();
        ctx.keyId = key;
        ctx.runId = u"r"_s;
        ctx.request.maxOutputTokens = 100000;
        ctx.streaming = true;
        return ctx;
    };
    CallContext other = call();
    if (otherInFlight)
        QCOMPARE(filter.onRequest(other), Result::Continue);
    CallContext ctx = call();
    QCOMPARE(filter.onRequest(ctx), Result::Continue);

    // The stream runs past its own reservation; what matters is the cap.
    ctx.usage = output(metered / 2);
    QVERIFY(!filter.onProgress(ctx).isError());
    ctx.usage = output(metered);
    const GatewayError e = filter.onProgress(ctx);
    QVERIFY(qAbs(ctx.cost - metered / 1e6) < 1e-12);
    QCOMPARE(e.isError(), cut);
    if (cut) {
        QCOMPARE(e.code(), cap == u"run" ? Code::RunBudgetExceeded : Code::QuotaExceeded);
        QCOMPARE(e.httpStatus(), 402);
    }
    filter.onFinish(ctx);
    if (otherInFlight)
        filter.onFinish(other);
    QCOMPARE(m_book->outstanding(), 0);
}

void tst_GovernanceFilters::budgetUnpriced_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("cap");   // "", monthly_cap, hard_cap or run
    QTest::addColumn<bool>("withDefault");
    QTest::addColumn<bool>("admitted");
    QTest::addColumn<bool>("unpriced");
    QTest::addColumn<double>("reserved");

    QTest::newRow("unpriced, uncapped") << u"llama3:8b"_s << QString() << false << true << true << 0.0;
    QTest::newRow("unpriced, monthly cap") << u"llama3:8b"_s << u"monthly_cap"_s << false << false << true << 0.0;
    QTest::newRow("unpriced, hard cap") << u"llama3:8b"_s << u"hard_cap"_s << false << false << true << 0.0;
    QTest::newRow("unpriced, run budget") << u"llama3:8b"_s << u"run"_s << false << false << true << 0.0;
    QTest::newRow("unpriced, capped, default price") << u"llama3:8b"_s << u"monthly_cap"_s << true << true << true
                                                     << 0.2;
    QTest::newRow("unpriced, run budget, default price") << u"llama3:8b"_s << u"run"_s << true << true << true
                                                         << 0.2;
    QTest::newRow("priced, capped") << u"priced"_s << u"monthly_cap"_s << false << true << false << 0.1;
    QTest::newRow("priced snapshot, capped") << u"priced-20250929"_s << u"hard_cap"_s << false << true << false
                                             << 0.1;
    QTest::newRow("priced, default price too") << u"priced"_s << u"monthly_cap"_s << true << true << false << 0.1;
}

void tst_GovernanceFilters::budgetUnpriced()
{
    QFETCH(QString, model);
    QFETCH(QString, cap);
    QFETCH(bool, withDefault);
    QFETCH(bool, admitted);
    QFETCH(bool, unpriced);
    QFETCH(double, reserved);
    if (withDefault)
        m_prices->setDefaultPrice(price(0, 2));
    const qint64 key = mintKey([&](KeyRecord &k) {
        if (cap == u"monthly_cap")
            k.monthlyCap = 10;
        else if (cap == u"hard_cap")
            k.hardCap = 10;
    });
    m_runs->touch(u"r"_s, key, cap == u"run" ? 10.0 : 0.0, 0, QDateTime::currentDateTimeUtc());
    BudgetFilter filter(m_book.get(), m_keys.get(), m_runs.get(), m_prices.get());
    CallContext ctx = context({}, model);
    ctx.keyId = key;
    ctx.runId = u"r"_s;
    ctx.request.maxOutputTokens = 100000;
    QCOMPARE(filter.onRequest(ctx), admitted ? Result::Continue : Result::Respond);
    QCOMPARE(ctx.unpriced, unpriced);
    // Noted as "called without a price" only once a provider served the call.
    QVERIFY(!m_prices->unpricedSeen().contains(model));
    {
        CallContext served = ctx;
        served.provider = u"sim"_s;
        served.reservation = {};
        filter.onFinish(served);
    }
    QCOMPARE(m_prices->unpricedSeen().contains(model), unpriced);
    if (!admitted) {
        QCOMPARE(ctx.error.code(), Code::InvalidRequest);
        QCOMPARE(ctx.error.httpStatus(), 400);
        QCOMPARE(ctx.error.param(), u"model"_s);
        QVERIFY2(ctx.error.message().contains(model), qPrintable(ctx.error.message()));
    }
    QCOMPARE(ctx.reservation.active, reserved > 0);
    // Held against whatever caps the call: the key's or the run's.
    QCOMPARE(m_book->keyReserved(key), cap.endsWith(u"_cap") ? reserved : 0.0);
    QCOMPARE(m_book->runReserved(u"r"_s), cap == u"run" ? reserved : 0.0);

    ctx.usage = output(1000);
    filter.onFinish(ctx);
    QCOMPARE(m_book->outstanding(), 0);
    // An admitted unpriced call is billed at the default price, or not at all.
    const double expected = !admitted ? 0.0 : (unpriced ? (withDefault ? 0.002 : 0.0) : 0.001);
    QVERIFY2(qAbs(ctx.cost - expected) < 1e-12, qPrintable(QString::number(ctx.cost)));
}

void tst_GovernanceFilters::budgetCountTokensReservesNothing()
{
    const qint64 key = mintKey([](KeyRecord &k) { k.monthlyCap = 0.01; });
    BudgetFilter filter(m_book.get(), m_keys.get(), m_runs.get(), m_prices.get());
    for (const QString &model : {u"priced"_s, u"llama3:8b"_s}) {
        // Counting tokens costs nothing, whatever the model's price.
        CallContext ctx = context({}, model);
        ctx.keyId = key;
        ctx.countTokens = true;
        ctx.request.maxOutputTokens = 1'000'000;
        QVERIFY2(filter.onRequest(ctx) == Result::Continue, qPrintable(model));
        QVERIFY(!ctx.reservation.active);
        filter.onFinish(ctx);
    }
    QCOMPARE(m_book->outstanding(), 0);
}

void tst_GovernanceFilters::budgetAliasBilledAtItsUpstreamPrice()
{
    m_prices->setPrice(u"smart"_s, price(0, 1));
    const qint64 key = mintKey();
    BudgetFilter filter(m_book.get(), m_keys.get(), m_runs.get(), m_prices.get());
    CallContext ctx = context({}, u"smart"_s);
    ctx.keyId = key;
    QCOMPARE(filter.onRequest(ctx), Result::Continue);
    ctx.upstreamModel = u"upstream"_s;   // $3 per million output tokens
    ctx.usage = output(1000);
    filter.onFinish(ctx);
    QVERIFY(qAbs(ctx.cost - 0.003) < 1e-12);
    QVERIFY(qAbs(m_keys->find(key)->spendTotal - 0.003) < 1e-12);
}

QTEST_GUILESS_MAIN(tst_GovernanceFilters)
#include "tst_governancefilters.moc"
