// What the gateway remembers, end to end through real HTTP on 127.0.0.1:
// a gateway stopped and started again on the same data dir serves the very
// same keys (spend included), runs, usage ledger, prices and prompts, and
// goes on from where it was (keys authenticate, revoked stay revoked,
// killed runs stay killed, step numbers continue); and the ledger's CSV
// export has a header row of the JSON field names and rows that say what
// the JSON records say.

#include "gateway.h"
#include "canned.h"
#include "pipeline/callmonitor.h"
#include "testclient.h"
#include "testgateway.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 20000;

Config simConfig()
{
    Config c;
    c.listenHost = u"127.0.0.1"_s;
    c.listenPort = 0;
    ProviderConfig sim;
    sim.name = u"sim"_s;
    sim.kind = u"sim"_s;
    sim.models = {u"sim-*"_s};
    c.providers.append(sim);
    c.sim = TestGateway::fastSim();
    c.demo = true;
    return c;
}

// One gateway on a data dir, spoken to only through HTTP.
class Instance
{
public:
    explicit Instance(const QString &dataDir) : m_gateway(std::make_unique<Gateway>(simConfig(), dataDir)) {}
    ~Instance() { stop(); }

    bool start()
    {
        QString error;
        if (!m_gateway->start(&error)) {
            qWarning() << "start failed:" << error;
            return false;
        }
        m_base = m_gateway->listenUrl();
        return true;
    }
    // Graceful: finishes the calls, flushes the ledger, then destroys.
    void stop()
    {
        if (!m_gateway)
            return;
        bool stopped = false;
        QObject::connect(m_gateway.get(), &Gateway::stopped, m_gateway.get(), [&stopped] { stopped = true; });
        m_gateway->shutdown(1000);
        if (!QTest::qWaitFor([&stopped] { return stopped; }, kTimeoutMs))
            m_gateway->monitor()->cutAll(GatewayError(GatewayError::Code::Unavailable, u"the test is over"_s));
        m_gateway.reset();
    }

    QString url(const QString &path) const { return m_base + path; }
    HttpHeaders admin() const
    {
        return {{"authorization", "Bearer " + m_gateway->adminToken()}, {"content-type", "application/json"}};
    }
    HttpReply get(const QString &path) { return m_client.get(url(path), admin()); }
    HttpReply send(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        return m_client.send(method, url(path), body, admin());
    }
    HttpReply call(const QByteArray &key, const QString &path, const QByteArray &body, const HttpHeaders &extra = {})
    {
        HttpHeaders h{{"authorization", "Bearer " + key}, {"content-type", "application/json"}};
        h.append(extra);
        return m_client.post(url(path), body, h);
    }
    Gateway *gateway() const { return m_gateway.get(); }

private:
    std::unique_ptr<Gateway> m_gateway;
    QString m_base;
    TestClient m_client;
};

// A list of records keyed by a field, so order ties cannot differ.
QHash<QString, QJsonObject> byField(const QJsonArray &list, const QString &field)
{
    QHash<QString, QJsonObject> out;
    for (const QJsonValue &v : list) {
        const QJsonValue id = v.toObject().value(field);
        out.insert(id.isString() ? id.toString() : QString::number(id.toDouble(), 'f', 0), v.toObject());
    }
    return out;
}

// "" when equal, else the first difference.
QString difference(const QHash<QString, QJsonObject> &before, const QHash<QString, QJsonObject> &after)
{
    if (before.size() != after.size())
        return u"%1 records before, %2 after"_s.arg(before.size()).arg(after.size());
    for (auto it = before.begin(); it != before.end(); ++it) {
        if (!after.contains(it.key()))
            return u"record "_s + it.key() + u" is gone"_s;
        const QJsonObject a = it.value();
        const QJsonObject b = after.value(it.key());
        if (a == b)
            continue;
        for (const QString &field : a.keys() + b.keys()) {
            if (a.value(field) != b.value(field)) {
                return u"record "_s + it.key() + u", field "_s + field + u": "_s
                    + QString::fromUtf8(QJsonDocument(QJsonArray{a.value(field)}).toJson(QJsonDocument::Compact))
                    + u" before, "_s
                    + QString::fromUtf8(QJsonDocument(QJsonArray{b.value(field)}).toJson(QJsonDocument::Compact))
                    + u" after"_s;
            }
        }
    }
    return {};
}

// RFC 4180: quoted fields may hold commas, quotes ("") and line breaks.
QList<QStringList> parseCsv(const QByteArray &bytes, QString *error)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> rows;
    QStringList row;
    QString cell;
    bool quoted = false;
    bool wasQuoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"') {
                if (i + 1 < text.size() && text.at(i + 1) == u'"') {
                    cell += u'"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                cell += c;
            }
            continue;
        }
        if (c == u'"') {
            if (!cell.isEmpty()) {
                *error = u"a quote inside an unquoted field at offset %1"_s.arg(i);
                return {};
            }
            quoted = wasQuoted = true;
        } else if (c == u',') {
            row.append(cell);
            cell.clear();
            wasQuoted = false;
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            row.append(cell);
            rows.append(row);
            row.clear();
            cell.clear();
            wasQuoted = false;
            ++i;
        } else if (c == u'\n') {
            *error = u"a bare LF ends a record at offset %1 (RFC 4180 wants CRLF)"_s.arg(i);
            return {};
        } else {
            cell += c;
        }
    }
    if (quoted)
        *error = u"unterminated quoted field"_s;
    if (!cell.isEmpty() || wasQuoted || !row.isEmpty()) {
        row.append(cell);
        rows.append(row);
    }
    return rows;
}

// The contract's USAGE fields, in its order.
const QStringList kContractFields{
    u"id"_s, u"time"_s, u"request_id"_s, u"key_id"_s, u"run_id"_s, u"step_id"_s, u"endpoint"_s, u"model"_s,
    u"provider"_s, u"input_tokens"_s, u"output_tokens"_s, u"cache_read_tokens"_s, u"cache_write_tokens"_s,
    u"cost"_s, u"saved_cost"_s, u"cached"_s, u"estimated"_s, u"status"_s, u"error"_s, u"latency_ms"_s,
    u"overhead_ms"_s, u"prompt"_s, u"prompt_version"_s,
};

} // namespace

class tst_LedgerE2E : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void restartKeepsEverything();
    void csvMatchesJson();
};

void tst_LedgerE2E::restartKeepsEverything()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString chat = u"/v1/chat/completions"_s;
    const QString messages = u"/v1/messages"_s;

    auto first = std::make_unique<Instance>(dir.path());
    QVERIFY(first->start());
    const QByteArray token = first->gateway()->adminToken();

    // Keys of every kind.
    auto mint = [&](const QByteArray &settings) {
        const HttpReply r = first->send("POST", u"/admin/keys"_s, settings);
        return std::pair{r.json().value(u"key"_s).toString().toLatin1(),
                         QString::number(r.json().value(u"record"_s).toObject().value(u"id"_s).toInt())};
    };
    const auto [capped, cappedId] = mint(R"({"name":"capped","monthly_cap":5,"hard_cap":20,"run_budget_usd":2})");
    const auto [limited, limitedId] =
        mint(R"({"name":"limited","rate_per_min":1000,"tokens_per_min":1000000,"allowed_models":["sim-small"]})");
    const auto [doomed, doomedId] = mint(R"({"name":"doomed"})");
    QVERIFY(!capped.isEmpty() && !limited.isEmpty() && !doomed.isEmpty());
    QCOMPARE(first->send("PATCH", u"/admin/keys/"_s + cappedId, R"({"name":"capped and renamed"})").status, 200);
    QCOMPARE(first->send("PUT", u"/admin/prices/sim-custom"_s,
                         R"({"input_per_mtok":1.25,"output_per_mtok":2.5,"cache_read_per_mtok":0.125})").status, 200);
    QCOMPARE(first->send("POST", u"/admin/prompts/greeter/versions"_s, R"({"template":"Greet {{who}}."})").status, 201);
    QCOMPARE(first->send("POST", u"/admin/prompts/greeter/versions"_s, R"({"template":"Greet {{who}} warmly."})").status,
             201);

    // Calls of every kind.
    const HttpHeaders run1{{"x-tollgate-run-id", "run-one"}};
    QCOMPARE(first->call(capped, chat, Canned::chatBody("sim-small", 20, false, "one"), run1).status, 200);
    QCOMPARE(first->call(capped, messages, Canned::chatBody("sim-large", 20, true, "two"), run1).status, 200);
    QCOMPARE(first->call(capped, chat, Canned::chatBody("sim-custom", 20, true, "three"), run1).status, 200);
    QCOMPARE(first->call(limited, chat, Canned::chatBody("sim-small", 20, false, "four"),
                         {{"x-claude-code-session-id", "session-7"}, {"x-tollgate-step-id", "plan"}}).status, 200);
    QCOMPARE(first->call(limited, chat, Canned::chatBody("sim-large", 20, false, "five")).status, 403);
    QCOMPARE(first->call(limited, chat, Canned::chatBody("sim-small", 20, false, "four"),
                         {{"x-claude-code-session-id", "session-7"}}).header("x-tollgate-cache"), QByteArray("hit"));
    QByteArray templated = Canned::chatBody("sim-small", 20, false, "six");
    templated.replace("\"max_tokens\"", R"("tollgate":{"prompt":"greeter","variables":{"who":"Ada"}},"max_tokens")");
    QCOMPARE(first->call(doomed, messages, templated).status, 200);
    QCOMPARE(first->call(doomed, chat, Canned::chatBody("sim-small", 20, false, "seven"),
                         {{"x-tollgate-run-id", "run-killed"}, {"x-tollgate-run-budget-usd", "0.5"},
                          {"x-tollgate-run-time-budget-s", "3600"}}).status, 200);
    QCOMPARE(first->send("POST", u"/admin/runs/run-killed/kill"_s).status, 200);
    QCOMPARE(first->send("PUT", u"/admin/runs/run-one/budget"_s, R"({"budget_usd":1.5,"time_budget_s":7200})").status,
             200);
    QCOMPARE(first->send("POST", u"/admin/keys/"_s + doomedId + u"/revoke"_s).status, 200);
    QCOMPARE(first->call(doomed, chat, Canned::chatBody("sim-small", 20, false, "eight")).status, 401);

    const QStringList paths{u"/admin/keys"_s, u"/admin/runs"_s, u"/admin/usage?limit=100000"_s, u"/admin/prices"_s,
                            u"/admin/prompts"_s};
    const QStringList lists{u"keys"_s, u"runs"_s, u"records"_s, u""_s, u"prompts"_s};
    const QStringList ids{u"id"_s, u"id"_s, u"id"_s, u""_s, u"name"_s};
    QList<QJsonObject> before;
    QTRY_COMPARE_WITH_TIMEOUT(first->get(u"/admin/usage"_s).json().value(u"records"_s).toArray().size(), 9, kTimeoutMs);
    for (const QString &p : paths) {
        const HttpReply r = first->get(p);
        QCOMPARE(r.status, 200);
        before.append(r.json());
    }
    const QByteArray csvBefore = first->get(u"/admin/usage?format=csv"_s).body;
    first->stop();
    first.reset();

    // A new gateway on the same data dir.
    Instance second(dir.path());
    QVERIFY(second.start());
    QCOMPARE(second.gateway()->adminToken(), token);
    for (int i = 0; i < paths.size(); ++i) {
        const HttpReply r = second.get(paths.at(i));
        QCOMPARE(r.status, 200);
        if (lists.at(i).isEmpty()) {
            QVERIFY2(r.json() == before.at(i), r.body.constData());
            continue;
        }
        const QJsonArray was = before.at(i).value(lists.at(i)).toArray();
        const QJsonArray is = r.json().value(lists.at(i)).toArray();
        QVERIFY(!was.isEmpty());
        const QString diff = difference(byField(was, ids.at(i)), byField(is, ids.at(i)));
        QVERIFY2(diff.isEmpty(), qPrintable(paths.at(i) + u": "_s + diff));
    }
    QCOMPARE(second.get(u"/admin/usage?format=csv"_s).body, csvBefore);

    // And it goes on from there.
    const double spent = second.get(u"/admin/keys/"_s + cappedId).json().value(u"spend_total"_s).toDouble();
    QVERIFY(spent > 0);
    const HttpReply again = second.call(capped, chat, Canned::chatBody("sim-small", 20, false, "nine"), run1);
    QCOMPARE(again.status, 200);
    QCOMPARE(again.header("x-tollgate-step-id"), QByteArray("4"));
    QVERIFY(second.get(u"/admin/keys/"_s + cappedId).json().value(u"spend_total"_s).toDouble() > spent);
    QCOMPARE(second.get(u"/admin/runs/run-one"_s).json().value(u"calls"_s).toInt(), 4);
    QCOMPARE(second.call(limited, chat, Canned::chatBody("sim-small", 20, false, "ten")).status, 200);
    QCOMPARE(second.call(doomed, chat, Canned::chatBody("sim-small", 20, false, "eleven")).status, 401);
    const HttpReply killed = second.call(capped, chat, Canned::chatBody("sim-small", 20, false, "twelve"),
                                         {{"x-tollgate-run-id", "run-killed"}});
    QCOMPARE(killed.status, 409);
    // The cached answer survived too.
    QCOMPARE(second.call(limited, chat, Canned::chatBody("sim-small", 20, false, "four")).header("x-tollgate-cache"),
             QByteArray("hit"));
}

void tst_LedgerE2E::csvMatchesJson()
{
    TestGateway gw;
    gw.addSim();
    QVERIFY(gw.start());
    TestClient client;
    const HttpHeaders admin{{"authorization", "Bearer " + gw.gateway()->adminToken()},
                            {"content-type", "application/json"}};
    const QByteArray key = gw.authHeaders().first().second;
    auto call = [&](const QString &path, const QByteArray &payload, const HttpHeaders &extra = {}) {
        HttpHeaders h{{"authorization", key}, {"content-type", "application/json"}};
        h.append(extra);
        return client.post(gw.url(path), payload, h).status;
    };
    const QByteArray quotedTemplate = "{\"template\":\"Say \\\"{{x}}\\\", then stop.\"}";
    QCOMPARE(client.post(gw.url(u"/admin/prompts/note/versions"), quotedTemplate, admin).status, 201);
    // Values that need quoting: a run id with a comma and quotes.
    const HttpHeaders awkward{{"x-tollgate-run-id", R"(run, "quoted")"}, {"x-tollgate-step-id", "step one"}};
    QCOMPARE(call(u"/v1/chat/completions"_s, Canned::chatBody("sim-small", 12, false, "a"), awkward), 200);
    QCOMPARE(call(u"/v1/messages"_s, Canned::chatBody("sim-large", 12, true, "b"), awkward), 200);
    QCOMPARE(call(u"/v1/chat/completions"_s, Canned::chatBody("sim-small", 12, false, "a"), awkward), 200); // a cache hit
    QCOMPARE(call(u"/v1/chat/completions"_s, Canned::chatBody("sim-small", 12, true, "c")), 200);
    QCOMPARE(call(u"/v1/chat/completions"_s, Canned::chatBody("sim-fail-429", 12, false, "d")), 502);
    QCOMPARE(call(u"/v1/messages"_s, R"({"model":"sim-small","max_tokens":5,"tollgate":{"prompt":"note","variables":{"x":"hi, there"}},"messages":[{"role":"user","content":"e"}]})"),
             200);
    QCOMPARE(call(u"/v1/chat/completions"_s, R"({"model":"sim-small","messages":"nope"})"), 400);
    QCOMPARE(call(u"/v1/chat/completions"_s, Canned::chatBody("sim-cut-x", 12, true, "f")), 200);

    for (const QString &query : {u""_s, u"&run_id=run%2C%20%22quoted%22"_s, u"&model=sim-small"_s, u"&limit=3"_s}) {
        QTRY_COMPARE_WITH_TIMEOUT(
            client.get(gw.url(u"/admin/usage"), admin).json().value(u"records"_s).toArray().size(), 8, kTimeoutMs);
        const HttpReply json = client.get(gw.url(QString(u"/admin/usage?format=json"_s + query)), admin);
        const HttpReply csv = client.get(gw.url(QString(u"/admin/usage?format=csv"_s + query)), admin);
        QCOMPARE(json.status, 200);
        QCOMPARE(csv.status, 200);
        QVERIFY2(csv.header("content-type").startsWith("text/csv"), csv.header("content-type").constData());
        QString error;
        const QList<QStringList> rows = parseCsv(csv.body, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QJsonArray records = json.json().value(u"records"_s).toArray();
        QVERIFY(!records.isEmpty());
        QCOMPARE(rows.size(), records.size() + 1);

        // The header row is the JSON field names: every one, each once,
        // the contract's in the contract's order.
        const QStringList header = rows.first();
        QStringList jsonFields = records.first().toObject().keys();
        QStringList sortedHeader = header;
        sortedHeader.sort();
        jsonFields.sort();
        QCOMPARE(sortedHeader, jsonFields);
        qsizetype at = -1;
        for (const QString &f : kContractFields) {
            const qsizetype i = header.indexOf(f);
            QVERIFY2(i > at, qPrintable(f));
            at = i;
        }

        for (int r = 0; r < records.size(); ++r) {
            const QJsonObject record = records.at(r).toObject();
            const QStringList row = rows.at(r + 1);
            QCOMPARE(row.size(), header.size());
            for (int c = 0; c < header.size(); ++c) {
                const QJsonValue v = record.value(header.at(c));
                const QString cell = row.at(c);
                const QString where = u"row %1 (%2), %3: '%4'"_s.arg(r).arg(record.value(u"id"_s).toInt())
                                          .arg(header.at(c), cell);
                switch (v.type()) {
                case QJsonValue::Null: QVERIFY2(cell.isEmpty(), qPrintable(where)); break;
                case QJsonValue::Bool:
                    QVERIFY2(cell == (v.toBool() ? u"true"_s : u"false"_s), qPrintable(where));
                    break;
                case QJsonValue::Double: {
                    bool ok = false;
                    const double d = cell.toDouble(&ok);
                    QVERIFY2(ok, qPrintable(where));
                    QVERIFY2(qAbs(d - v.toDouble()) <= 1e-9 * qMax(1.0, qAbs(v.toDouble())), qPrintable(where));
                    break;
                }
                case QJsonValue::String: QVERIFY2(cell == v.toString(), qPrintable(where)); break;
                default: QFAIL(qPrintable(where + u": unexpected JSON type"_s));
                }
            }
        }
    }
}

QTEST_GUILESS_MAIN(tst_LedgerE2E)
#include "tst_ledger_e2e.moc"
