#pragma once

// A whole gateway for the window's tests, run the way the window runs it:
// a Gateway on a GatewayHost thread (default providers plus the demo's
// simulator at full speed, a throwaway data dir, 127.0.0.1 port 0) and a
// GatewayClient attached to it. Calls go through the real socket with
// QNetworkAccessManager. Header-only: each UI test includes it.
//
//   UiGateway gw;
//   QVERIFY(gw.start());
//   const QByteArray key = gw.mintKey(u"ui"_s);
//   QCOMPARE(gw.chat(key, u"sim-small"_s).status, 200);

#include "config/configloader.h"
#include "gateway.h"
#include "gatewayclient.h"
#include "gatewayhost.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

class UiGateway
{
public:
    struct Reply
    {
        int status = 0;
        QByteArray body;
        QByteArray requestId;
    };

    UiGateway()
    {
        Config c = ConfigLoader::defaults();
        ConfigLoader::applyDemo(c);
        c.listenHost = QStringLiteral("127.0.0.1");
        c.listenPort = 0;
        c.sim.tokensPerSecond = 0;
        c.sim.firstTokenMs = 1;
        c.sim.outputTokens = 24;
        m_host = std::make_unique<GatewayHost>(c, m_dir.path());
        m_client = std::make_unique<GatewayClient>();
    }

    ~UiGateway()
    {
        m_client->detach();
        m_client.reset();
        m_host.reset();   // deletes the gateway on its thread, then joins it
    }

    bool start()
    {
        bool started = false;
        bool attached = false;
        QObject::connect(m_host.get(), &GatewayHost::started, &m_context, [&] { started = true; });
        QObject::connect(m_client.get(), &GatewayClient::attached, &m_context, [&] { attached = true; });
        m_host->start();
        if (!QTest::qWaitFor([&] { return started; }, 15000))
            return false;
        m_client->attach(m_host->gateway());
        const bool ok = QTest::qWaitFor([&] { return attached; }, 15000);
        QObject::disconnect(m_host.get(), nullptr, &m_context, nullptr);
        QObject::disconnect(m_client.get(), nullptr, &m_context, nullptr);
        return ok;
    }

    GatewayClient *client() const { return m_client.get(); }
    QString dataDir() const { return m_dir.path(); }

    QByteArray mintKey(const QString &name, const QStringList &allowedModels = {})
    {
        KeyRecord settings;
        settings.name = name;
        settings.allowedModels = allowedModels;
        QByteArray raw;
        m_client->mintKey(settings, &m_context, [&](const KeyStore::Minted &m) { raw = m.rawKey; });
        if (!QTest::qWaitFor([&] { return !raw.isEmpty(); }, 10000))
            qWarning("UiGateway: no key was minted");
        return raw;
    }

    // One non-streaming chat completion through the proxy.
    Reply chat(const QByteArray &key, const QString &model, const QByteArray &runId = {},
               const QByteArray &extraBody = {})
    {
        QNetworkRequest request(QUrl(m_client->listenUrl() + QStringLiteral("/v1/chat/completions")));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setRawHeader("Authorization", "Bearer " + key);
        request.setRawHeader("X-Tollgate-Cache", "bypass");
        if (!runId.isEmpty())
            request.setRawHeader("X-Tollgate-Run-Id", runId);
        const QByteArray body = "{\"model\":\"" + model.toUtf8()
            + "\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\"hello ui\"}]" + extraBody + "}";
        QNetworkReply *reply = m_nam.post(request, body);
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 15000))
            reply->abort();
        Reply out;
        out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        out.body = reply->readAll();
        out.requestId = reply->rawHeader("X-Tollgate-Request-Id");
        reply->deleteLater();
        return out;
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<GatewayHost> m_host;
    std::unique_ptr<GatewayClient> m_client;
    QNetworkAccessManager m_nam;
    QObject m_context;
};
