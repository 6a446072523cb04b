#include "gatewayclient.h"

#include "gateway.h"
#include "gatewayreply.h"
#include "governance/pricebook.h"
#include "governance/promptlibrary.h"
#include "governance/runregistry.h"
#include "pipeline/callmonitor.h"
#include "providers/providerregistry.h"
#include "uilogging.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QThread>

using namespace Qt::StringLiterals;

namespace {

// A result travels from the gateway thread to the caller's: written there,
// read here after the queued `ready` (the event queue orders the two).
template<typename R>
struct Slot
{
    std::optional<R> value;
};

// Deletes a reply on its own thread, whichever thread lets go of it last.
void releaseReply(GatewayReply *reply)
{
    if (reply)
        reply->deleteLater();
}

QString circuitName(ProviderHealthState::Circuit c)
{
    switch (c) {
    case ProviderHealthState::Circuit::Closed: return u"closed"_s;
    case ProviderHealthState::Circuit::Open: return u"open"_s;
    case ProviderHealthState::Circuit::HalfOpen: return u"half-open"_s;
    }
    return u"closed"_s;
}

// Fixed once the gateway listens; copied to the GUI thread on attach.
struct Facts
{
    QString listenUrl;
    QByteArray adminToken;
    QString dataDir;
    Config config;
};

} // namespace

GatewayClient::GatewayClient(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<LiveCall>();
    qRegisterMetaType<QList<LiveCall>>();
    qRegisterMetaType<UsageRecord>();
    qRegisterMetaType<QList<UsageRecord>>();
    qRegisterMetaType<KeyRecord>();
    qRegisterMetaType<RunRecord>();
    qRegisterMetaType<CoreEventBatcher::Batch>();
}

GatewayClient::~GatewayClient() = default;

void GatewayClient::flushBatcher(const BatcherRef &batcher)
{
    if (*batcher)
        (*batcher)->flushNow();
}

template<typename R>
void GatewayClient::onGatewayAsync(std::function<void(Gateway &, Done<R>)> work, QObject *context, Done<R> done)
{
    if (!m_gateway)
        return;
    auto slot = std::make_shared<Slot<R>>();
    std::shared_ptr<GatewayReply> reply;
    if (done) {
        auto *r = new GatewayReply;
        connect(r, &GatewayReply::ready, context ? context : this,
                [slot, done = std::move(done)] {
                    if (slot->value)
                        done(std::move(*slot->value));
                },
                Qt::QueuedConnection);
        r->moveToThread(m_gateway->thread());
        reply.reset(r, releaseReply);
    }
    QMetaObject::invokeMethod(m_gateway.data(), [gw = m_gateway.data(), work = std::move(work), slot, reply] {
        work(*gw, [slot, reply](R result) {
            slot->value = std::move(result);
            if (reply)
                reply->deliver();
        });
    });
}

template<typename R>
void GatewayClient::onGateway(std::function<R(Gateway &)> work, QObject *context, Done<R> done)
{
    onGatewayAsync<R>([work = std::move(work)](Gateway &gw, Done<R> answer) { answer(work(gw)); }, context,
                      std::move(done));
}

void GatewayClient::onGateway(std::function<void(Gateway &)> work)
{
    if (!m_gateway)
        return;
    QMetaObject::invokeMethod(m_gateway.data(), [gw = m_gateway.data(), work = std::move(work)] { work(*gw); });
}

void GatewayClient::attach(Gateway *gateway)
{
    if (!gateway || m_gateway)
        return;
    m_gateway = gateway;
    onGateway<Facts>(
        [this](Gateway &gw) {
            // On the gateway thread: batch the core's signals for us there,
            // and forward the rare ones as they come (queued to our thread).
            const CoreServices &s = gw.services();
            *m_batcher = new CoreEventBatcher(s, &gw);
            connect(m_batcher->data(), &CoreEventBatcher::ready, this, &GatewayClient::deliver,
                    Qt::QueuedConnection);
            connect(s.prompts, &PromptLibrary::versionAdded, this, [this] { Q_EMIT promptsChanged(); },
                    Qt::QueuedConnection);
            connect(s.prompts, &PromptLibrary::activeChanged, this, [this] { Q_EMIT promptsChanged(); },
                    Qt::QueuedConnection);
            return Facts{gw.listenUrl(), gw.adminToken(), gw.dataDir(), gw.config()};
        },
        this,
        [this](Facts facts) {
            m_listenUrl = facts.listenUrl;
            m_adminToken = facts.adminToken;
            m_dataDir = facts.dataDir;
            m_config = std::move(facts.config);
            qCInfo(lcUi).noquote() << "attached to the gateway at" << m_listenUrl;
            Q_EMIT attached();
        });
}

void GatewayClient::detach()
{
    m_gateway = nullptr;
}

void GatewayClient::deliver(const CoreEventBatcher::Batch &batch)
{
    for (const KeyRecord &k : batch.keys)
        Q_EMIT keyChanged(k);
    for (const RunRecord &r : batch.runs)
        Q_EMIT runChanged(r);
    if (!batch.started.isEmpty() || !batch.updated.isEmpty() || !batch.finished.isEmpty())
        Q_EMIT liveCallsChanged(batch.started, batch.updated, batch.finished);
    if (!batch.started.isEmpty()) {
        Q_EMIT callsStarted(batch.started);
        for (const LiveCall &c : batch.started)
            Q_EMIT callStarted(c);
    }
    if (!batch.updated.isEmpty())
        Q_EMIT callsUpdated(batch.updated);
    if (!batch.finished.isEmpty()) {
        Q_EMIT callsFinished(batch.finished);
        for (const UsageRecord &r : batch.finished)
            Q_EMIT callFinished(r);
    }
}

// ---- Keys

void GatewayClient::fetchKeys(QObject *context, Done<QList<KeyRecord>> done)
{
    onGateway<QList<KeyRecord>>([](Gateway &gw) { return gw.services().keys->all(); }, context, std::move(done));
}

void GatewayClient::mintKey(const KeyRecord &settings, QObject *context, Done<KeyStore::Minted> done)
{
    onGateway<KeyStore::Minted>([settings](Gateway &gw) { return gw.services().keys->mint(settings); }, context,
                                std::move(done));
}

void GatewayClient::updateKey(qint64 id, const KeyRecord &settings, QObject *context, Done<bool> done)
{
    onGateway<bool>(
        [id, settings](Gateway &gw) {
            // The same fields PATCH /admin/keys/{id} changes.
            return gw.services().keys->updateSettings(id, settings);
        },
        context, std::move(done));
}

void GatewayClient::revokeKey(qint64 id, QObject *context, Done<bool> done)
{
    // KeyStore::keyRevoked cuts the key's live streams (Gateway wires it).
    onGateway<bool>([id](Gateway &gw) { return gw.services().keys->revoke(id); }, context, std::move(done));
}

// ---- Runs and live calls

void GatewayClient::fetchRuns(QObject *context, Done<QList<RunRecord>> done)
{
    onGateway<QList<RunRecord>>([](Gateway &gw) { return gw.services().runs->all(); }, context, std::move(done));
}

void GatewayClient::fetchLiveCalls(QObject *context, Done<QList<LiveCall>> done)
{
    onGateway<QList<LiveCall>>(
        [batcher = m_batcher](Gateway &gw) {
            // Whatever the batcher holds is older than the snapshot: send it first.
            flushBatcher(batcher);
            return gw.monitor()->snapshot();
        },
        context, std::move(done));
}

void GatewayClient::killRun(const QString &id)
{
    onGateway([id](Gateway &gw) {
        // What POST /admin/runs/{id}/kill does.
        gw.services().runs->kill(id);
        gw.monitor()->cutRun(id, GatewayError(GatewayError::Code::RunKilled,
                                              u"run '"_s + id + u"' was killed from the Tollgate window"_s));
    });
}

void GatewayClient::setRunBudget(const QString &id, std::optional<double> usd, std::optional<double> seconds)
{
    // Live streams see the new budget on their next event; an expired time
    // budget is cut by the registry's runExpired signal.
    onGateway([id, usd, seconds](Gateway &gw) { gw.services().runs->setBudget(id, usd, seconds); });
}

void GatewayClient::cutCall(const QString &requestId)
{
    onGateway([requestId](Gateway &gw) {
        gw.monitor()->cutRequest(requestId, GatewayError(GatewayError::Code::RunKilled,
                                                         u"this call was cut from the Tollgate window"_s));
    });
}

void GatewayClient::killAllRuns()
{
    onGateway([](Gateway &gw) {
        // The panic button: every run with a call in flight, or called in
        // the last few minutes (an agent between two calls), is killed so
        // its next call is refused; then every call in flight is cut.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        RunRegistry *runs = gw.services().runs;
        CallMonitor *monitor = gw.monitor();
        QSet<QString> live;
        for (const LiveCall &c : monitor->snapshot()) {
            if (!c.runId.isEmpty())
                live.insert(c.runId);
        }
        int killed = 0;
        for (const RunRecord &r : runs->all()) {
            const bool recent = r.lastCallAt.isValid() && r.lastCallAt.secsTo(now) < 15 * 60;
            if (r.state == RunRecord::State::Active && (live.contains(r.id) || recent)) {
                runs->kill(r.id);
                ++killed;
            }
        }
        const int cut = monitor->cutAll(GatewayError(GatewayError::Code::RunKilled,
                                                     u"every live run was killed from the Tollgate window"_s));
        qCInfo(lcUi) << "kill switch: killed" << killed << "runs, cut" << cut << "calls";
    });
}

// ---- Prices and providers

void GatewayClient::fetchPrices(QObject *context, Done<PriceTable> done)
{
    onGateway<PriceTable>(
        [](Gateway &gw) {
            PriceBook *book = gw.services().prices;
            return PriceTable{book->all(), book->unpricedSeen()};
        },
        context, std::move(done));
}

void GatewayClient::setPrice(const QString &model, const Price &price)
{
    onGateway<bool>(
        [model, price](Gateway &gw) {
            gw.services().prices->setPrice(model, price);
            gw.services().store->savePrice(model, price);
            return true;
        },
        this, [this](bool) { Q_EMIT pricesChanged(); });
}

void GatewayClient::fetchProviders(QObject *context, Done<QList<ProviderInfo>> done)
{
    onGateway<QList<ProviderInfo>>(
        [](Gateway &gw) {
            QList<ProviderInfo> out;
            for (const Provider *p : gw.registry()->providers()) {
                const ProviderHealthState &h = p->health();
                out.append(ProviderInfo{p->name(), p->config().kind, p->config().baseUrl, p->config().models,
                                        h.healthy, h.lastError, h.latencyMs, circuitName(h.circuit)});
            }
            return out;
        },
        context, std::move(done));
}

// ---- Prompt templates

void GatewayClient::fetchPrompts(QObject *context, Done<QList<PromptRecord>> done)
{
    onGateway<QList<PromptRecord>>([](Gateway &gw) { return gw.services().prompts->all(); }, context,
                                   std::move(done));
}

void GatewayClient::addPromptVersion(const QString &name, const QString &text, QObject *context,
                                     Done<std::pair<int, QString>> done)
{
    onGateway<std::pair<int, QString>>(
        [name, text](Gateway &gw) {
            QString error;
            const int version = gw.services().prompts->addVersion(name, text, &error);
            return std::pair{version, error};
        },
        context, std::move(done));
}

void GatewayClient::setActivePrompt(const QString &name, int version)
{
    onGateway([name, version](Gateway &gw) { gw.services().prompts->setActive(name, version); });
}

void GatewayClient::renderPrompt(const QString &name, std::optional<int> version,
                                 const QHash<QString, QString> &variables, QObject *context,
                                 Done<std::pair<QString, QString>> done)
{
    onGateway<std::pair<QString, QString>>(
        [name, version, variables](Gateway &gw) {
            QString error;
            const QString text = gw.services().prompts->render(name, version, variables, &error);
            return std::pair{text, error};
        },
        context, std::move(done));
}

void GatewayClient::diffPrompt(const QString &name, int from, int to, QObject *context,
                               Done<QList<TextDiff::Line>> done)
{
    onGateway<QList<TextDiff::Line>>(
        [name, from, to](Gateway &gw) {
            const PromptLibrary *prompts = gw.services().prompts;
            const PromptVersion *older = from > 0 ? prompts->findVersion(name, from) : nullptr;
            const PromptVersion *newer = prompts->findVersion(name, to);
            return TextDiff::compare(older ? older->templateText : QString(),
                                     newer ? newer->templateText : QString());
        },
        context, std::move(done));
}

// ---- Ledger

void GatewayClient::queryUsage(const Store::UsageQuery &query, QObject *context, Done<QList<UsageRecord>> done)
{
    onGatewayAsync<QList<UsageRecord>>(
        [query](Gateway &gw, Done<QList<UsageRecord>> answer) {
            // The store answers on this (the gateway) thread, to gw.
            gw.services().store->queryUsage(query, &gw, std::move(answer));
        },
        context, std::move(done));
}

void GatewayClient::querySpend(QObject *context, Done<Store::SpendSummary> done)
{
    onGatewayAsync<Store::SpendSummary>(
        [batcher = m_batcher](Gateway &gw, Done<Store::SpendSummary> answer) {
            // The summary counts every call whose record reached us before
            // it, and none after: hand over the batched records first, and
            // commit the store's pending rows before it sums them (both
            // queued to the store thread ahead of any later record).
            flushBatcher(batcher);
            Store *store = gw.services().store;
            store->flush(nullptr, {});
            store->querySpend(QDateTime::currentDateTimeUtc(), &gw, std::move(answer));
        },
        context, std::move(done));
}

// ---- First run

QByteArray GatewayClient::sampleRequestBody()
{
    return QByteArrayLiteral(
        R"({"model":"sim-small","stream":true,"max_tokens":120,)"
        R"("messages":[{"role":"user","content":"Say hello to Tollgate and count to twenty."}]})");
}

void GatewayClient::sendSampleRequest(QObject *context, Done<QString> done)
{
    if (!m_gateway) {
        if (done)
            done(tr("The gateway is not running yet."));
        return;
    }
    struct Prepared
    {
        QString error;
        QByteArray rawKey;
        qint64 keyId = 0;
    };
    const QByteArray knownKey = m_sampleKey;
    const qint64 knownId = m_sampleKeyId;
    QPointer<QObject> target(context ? context : this);
    onGateway<Prepared>(
        [knownKey, knownId](Gateway &gw) {
            Prepared p;
            if (gw.registry()->routesFor(u"sim-small"_s).isEmpty()) {
                p.error = tr("No provider serves sim-small: the simulated provider only runs in demo mode. "
                             "Start Tollgate with --demo to send a sample request.");
                return p;
            }
            KeyStore *keys = gw.services().keys;
            const KeyRecord *known = knownId ? keys->find(knownId) : nullptr;
            if (known && !known->revoked && keys->authenticate(knownKey) == known) {
                p.rawKey = knownKey;
                p.keyId = knownId;
                return p;
            }
            KeyRecord settings;
            settings.name = u"sample"_s;
            settings.allowedModels = {u"sim-*"_s};
            const KeyStore::Minted minted = keys->mint(settings);
            p.rawKey = minted.rawKey;
            p.keyId = minted.record.id;
            return p;
        },
        this,
        [this, target, done](Prepared p) {
            if (!target)
                return;
            if (!p.error.isEmpty()) {
                if (done)
                    done(p.error);
                return;
            }
            m_sampleKey = p.rawKey;
            m_sampleKeyId = p.keyId;
            postSample(p.rawKey, target, done);
        });
}

void GatewayClient::postSample(const QByteArray &rawKey, QObject *context, Done<QString> done)
{
    if (!m_nam)
        m_nam = new QNetworkAccessManager(this);
    QNetworkRequest request(QUrl(m_listenUrl + u"/v1/chat/completions"_s));
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setRawHeader("Authorization", "Bearer " + rawKey);
    request.setRawHeader("X-Tollgate-Run-Id",
                         "sample-" + QByteArray::number(QRandomGenerator::global()->bounded(100000, 999999)));
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setRawHeader("X-Tollgate-Cache", "bypass");   // a fresh stream every time, so the views move
    QNetworkReply *reply = m_nam->post(request, sampleRequestBody());
    QPointer<QObject> target(context);
    connect(reply, &QNetworkReply::finished, this, [reply, target, done] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QString error;
        if (reply->error() != QNetworkReply::NoError || status != 200) {
            const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
            const QString message = body.value(u"error"_s).toObject().value(u"message"_s).toString();
            error = tr("The sample request failed (%1): %2")
                        .arg(status ? QString::number(status) : reply->errorString(),
                             message.isEmpty() ? reply->errorString() : message);
        }
        if (target && done)
            done(error);
    });
}
