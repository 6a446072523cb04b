#pragma once

// The window's only way into the gateway, which lives on its own thread.
// Every query and action is asynchronous: it is run on the gateway's
// thread and its answer comes back as a callback on the GUI thread, so the
// window never waits on the network, the database or a lock. Live changes
// arrive as this object's signals (queued from the gateway's core).
// Models and pages are handed a GatewayClient in their constructor.
//
//   client->mintKey(settings, this, [this](const KeyStore::Minted &m) { showOnce(m.rawKey); });
//   connect(client, &GatewayClient::keyChanged, model, &KeysModel::onKeyChanged);

#include "config/config.h"
#include "coreeventbatcher.h"
#include "gateway.h"
#include "core/keyrecord.h"
#include "core/price.h"
#include "core/promptrecord.h"
#include "core/runrecord.h"
#include "core/usagerecord.h"
#include "governance/keystore.h"
#include "governance/textdiff.h"
#include "pipeline/livecall.h"
#include "store/store.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QUrl>
#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;

class GatewayClient : public QObject
{
    Q_OBJECT
public:
    template<typename T>
    using Done = std::function<void(T)>;

    struct ProviderInfo
    {
        QString name;
        QString kind;
        QString baseUrl;
        QStringList models;
        bool healthy = true;
        QString lastError;
        double latencyMs = -1;
        QString circuit;          // "closed", "open", "half-open"
    };
    struct PriceTable
    {
        QHash<QString, Price> prices;
        QSet<QString> unpricedSeen;   // models called without a price
    };

    // gateway: running on its own thread (GatewayHost); may be null until started.
    explicit GatewayClient(QObject *parent = nullptr);
    ~GatewayClient() override;
    void attach(Gateway *gateway);
    // Stops talking to the gateway (it is shutting down); later calls do nothing.
    void detach();
    bool isAttached() const { return m_gateway; }

    // Facts fixed at start (copied on attach).
    QString listenUrl() const { return m_listenUrl; }
    QByteArray adminToken() const { return m_adminToken; }
    QString dataDir() const { return m_dataDir; }
    const Config &config() const { return m_config; }

    // Keys
    void fetchKeys(QObject *context, Done<QList<KeyRecord>> done);
    void mintKey(const KeyRecord &settings, QObject *context, Done<KeyStore::Minted> done);
    // Changes name and limits (every settings field of `settings`).
    void updateKey(qint64 id, const KeyRecord &settings, QObject *context = nullptr, Done<bool> done = {});
    void revokeKey(qint64 id, QObject *context = nullptr, Done<bool> done = {});

    // Runs and live calls
    void fetchRuns(QObject *context, Done<QList<RunRecord>> done);
    void fetchLiveCalls(QObject *context, Done<QList<LiveCall>> done);
    void killRun(const QString &id);
    void setRunBudget(const QString &id, std::optional<double> usd, std::optional<double> seconds);
    void cutCall(const QString &requestId);      // the kill button on one live stream
    void killAllRuns();                           // the tray's panic button: every live call and run

    // Prices and providers
    void fetchPrices(QObject *context, Done<PriceTable> done);
    void setPrice(const QString &model, const Price &price);
    void fetchProviders(QObject *context, Done<QList<ProviderInfo>> done);

    // Prompt templates
    void fetchPrompts(QObject *context, Done<QList<PromptRecord>> done);
    void addPromptVersion(const QString &name, const QString &text, QObject *context,
                          Done<std::pair<int, QString>> done);   // (version or 0, error)
    void setActivePrompt(const QString &name, int version);
    void renderPrompt(const QString &name, std::optional<int> version, const QHash<QString, QString> &variables,
                      QObject *context, Done<std::pair<QString, QString>> done);   // (text, error)
    void diffPrompt(const QString &name, int from, int to, QObject *context, Done<QList<TextDiff::Line>> done);

    // Ledger (the store answers from its own thread)
    void queryUsage(const Store::UsageQuery &query, QObject *context, Done<QList<UsageRecord>> done);
    void querySpend(QObject *context, Done<Store::SpendSummary> done);

    // Sends one small request through the gateway itself with a fresh key
    // (first-run "try it"): the simulated provider answers, so the live
    // views move. done gets an error text, empty on success.
    void sendSampleRequest(QObject *context, Done<QString> done);
    // The streaming request sendSampleRequest sends (a snippet for the docs too).
    static QByteArray sampleRequestBody();

Q_SIGNALS:
    void attached();
    // Live calls arrive in batches (see CoreEventBatcher): for each batch,
    // keyChanged and runChanged first, then liveCallsChanged with the whole
    // batch, then callsStarted (and callStarted for each), callsUpdated, and
    // callsFinished (and callFinished for each).
    void liveCallsChanged(const QList<LiveCall> &started, const QList<LiveCall> &updated,
                          const QList<UsageRecord> &finished);
    void callsStarted(const QList<LiveCall> &calls);
    void callStarted(const LiveCall &call);
    void callsUpdated(const QList<LiveCall> &calls);
    void callsFinished(const QList<UsageRecord> &records);
    void callFinished(const UsageRecord &record);
    void keyChanged(const KeyRecord &key);
    void runChanged(const RunRecord &run);
    void pricesChanged();
    void promptsChanged();

private:
    // Runs work on the gateway's thread, then done(result) on context's
    // thread (this object's when context is null) unless context is gone.
    template<typename R>
    void onGateway(std::function<R(Gateway &)> work, QObject *context, Done<R> done);
    // The same for work that answers later: it calls its `answer` once, on
    // the gateway thread (a store query, say).
    template<typename R>
    void onGatewayAsync(std::function<void(Gateway &, Done<R> answer)> work, QObject *context, Done<R> done);
    void onGateway(std::function<void(Gateway &)> work);
    void deliver(const CoreEventBatcher::Batch &batch);
    void postSample(const QByteArray &rawKey, QObject *context, Done<QString> done);

    QPointer<Gateway> m_gateway;
    // The batcher lives on the gateway thread and is touched only there, by
    // work that may run after this client is gone: it holds this shared
    // reference, never `this`.
    using BatcherRef = std::shared_ptr<QPointer<CoreEventBatcher>>;
    BatcherRef m_batcher = std::make_shared<QPointer<CoreEventBatcher>>();
    static void flushBatcher(const BatcherRef &batcher);
    QNetworkAccessManager *m_nam = nullptr;  // the sample request's, created on first use
    QByteArray m_sampleKey;                  // raw key of the "sample" key minted this session
    qint64 m_sampleKeyId = 0;
    QString m_listenUrl;
    QByteArray m_adminToken;
    QString m_dataDir;
    Config m_config;
};
