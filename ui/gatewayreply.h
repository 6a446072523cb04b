#pragma once

// Carries one answer from the gateway thread back to a caller's object,
// the way StoreReply does for the store: the caller connects `ready` to its
// callback with its own object as context (queued), then hands the reply
// to the gateway thread, which emits it once the work is done. Qt drops a
// connection, and the events already queued on it, when the receiver dies,
// under the lock the emitting thread takes; so a page closed while its
// query is in flight is never called back. A QPointer checked from the
// gateway thread could not close that race.
//
//   auto *reply = new GatewayReply;
//   connect(reply, &GatewayReply::ready, context, callback, Qt::QueuedConnection);
//   reply->moveToThread(gatewayThread);      // then, there: reply->deliver()

#include <QObject>

class GatewayReply : public QObject
{
    Q_OBJECT
public:
    GatewayReply() = default;

    // On the gateway thread: answer. The owner deletes the reply.
    void deliver() { Q_EMIT ready(); }

Q_SIGNALS:
    void ready();
};
