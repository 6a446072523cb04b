#include "gatewayhost.h"

#include "gateway.h"

GatewayHost::GatewayHost(Config config, QString dataDir, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_dataDir(std::move(dataDir))
{
    m_thread.setObjectName(QStringLiteral("gateway"));
    m_anchor = new QObject;
    m_anchor->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_anchor, &QObject::deleteLater);
}

GatewayHost::~GatewayHost()
{
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(m_anchor, [this] {
            delete m_gateway.data();
            m_thread.quit();
        });
        m_thread.wait();
    } else {
        delete m_anchor;
    }
}

void GatewayHost::start()
{
    m_thread.start();
    QMetaObject::invokeMethod(m_anchor, [this] {
        auto *gw = new Gateway(m_config, m_dataDir);
        QString error;
        if (!gw->start(&error)) {
            delete gw;
            Q_EMIT failed(error);
            return;
        }
        m_gateway = gw;
        connect(gw, &Gateway::stopped, m_anchor, [this, gw] {
            delete gw;
            Q_EMIT stopped();
        });
        Q_EMIT started(gw->listenUrl());
    });
}

void GatewayHost::stop()
{
    QMetaObject::invokeMethod(m_anchor, [this] {
        if (m_gateway)
            m_gateway->shutdown();
        else
            Q_EMIT stopped();
    });
}
