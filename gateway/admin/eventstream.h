#pragma once

// GET /admin/events: server-sent events of what happens live — call_started,
// call_updated (tokens and cost metered, at most ten times a second),
// call_finished (the ledger record), key_changed and run_changed. A comment
// line every 15 s keeps idle connections open through proxies.

#include "core/keyrecord.h"
#include "core/runrecord.h"
#include "core/usagerecord.h"
#include "pipeline/livecall.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

class HttpResponder;
struct CoreServices;

class EventStream : public QObject
{
    Q_OBJECT
public:
    EventStream(const CoreServices &services, QObject *parent = nullptr);

    void subscribe(HttpResponder *responder);
    int subscriberCount() const { return int(m_subscribers.size()); }

    static QJsonObject liveCallJson(const LiveCall &c);

private:
    bool active();
    void broadcast(const QByteArray &event, const QJsonObject &data);

    const CoreServices &m_services;
    QList<QPointer<HttpResponder>> m_subscribers;
    QTimer m_keepAlive;
};
