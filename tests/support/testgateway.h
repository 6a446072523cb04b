#pragma once

// A whole Gateway for a network test: a Config whose providers point at
// FakeProviders (or the simulator, at full speed), a throwaway data dir,
// the gateway built and started on 127.0.0.1, port 0, in the test's thread,
// and every usage record it emits kept for the test to read.
//
// Every request a test sends carries authHeaders(): a caller key the
// gateway minted (KeyStore::mint), so tests do not depend on how keys are
// checked.
//
//   FakeProvider openai;
//   TestGateway gw;
//   gw.addOpenAi(openai);
//   QVERIFY(gw.start());
//   client.post(gw.url(u"/v1/chat/completions"), body, gw.authHeaders());
//   QTRY_COMPARE(gw.records().size(), 1);

#include "config/config.h"
#include "core/usagerecord.h"
#include "httpwire.h"

#include <QList>
#include <QString>
#include <QTemporaryDir>
#include <memory>

class FakeProvider;
class Gateway;

class TestGateway
{
public:
    // The credentials the configured providers hold (never the caller's).
    static constexpr QByteArrayView kOpenAiKey = "sk-proj-fake-openai-2bXq9TmZ";
    static constexpr QByteArrayView kAnthropicKey = "sk-ant-api03-fake-anthropic-7YhQ";

    TestGateway();
    ~TestGateway();
    TestGateway(const TestGateway &) = delete;
    TestGateway &operator=(const TestGateway &) = delete;

    // Before start(): the configuration to run with.
    Config &config() { return m_config; }
    void addOpenAi(const FakeProvider &fake, const QStringList &models = {QStringLiteral("gpt-*")},
                   const QString &name = QStringLiteral("openai"));
    void addAnthropic(const FakeProvider &fake, const QStringList &models = {QStringLiteral("claude-*")},
                      const QString &name = QStringLiteral("anthropic"));
    void addSim(const SimConfig &sim = fastSim());
    // The provider configured under name, to adjust (timeouts, say); null if none.
    ProviderConfig *provider(const QString &name);
    static SimConfig fastSim();

    bool start(QString *error = nullptr);
    Gateway *gateway() const { return m_gateway.get(); }
    quint16 port() const;
    QString url(QStringView path = {}) const;   // http://127.0.0.1:PORT + path
    QString dataDir() const { return m_dir.path(); }

    // Headers that authenticate a caller; add them to every proxied request.
    HttpHeaders authHeaders();
    QByteArray callerKey() const { return m_callerKey; }

    // The usage records of finished calls, in order.
    const QList<UsageRecord> &records() const { return m_records; }
    int recordCount() const { return int(m_records.size()); }
    UsageRecord lastRecord() const { return m_records.isEmpty() ? UsageRecord() : m_records.last(); }
    void clearRecords() { m_records.clear(); }

private:
    QTemporaryDir m_dir;
    Config m_config;
    std::unique_ptr<Gateway> m_gateway;
    QList<UsageRecord> m_records;
    QByteArray m_callerKey;
};
