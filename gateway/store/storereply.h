#pragma once

// Carries one answer of the store thread back to a caller's object. The
// caller connects `ready` to its callback with its own object as context,
// then hands the reply to the store thread, which emits it once the work
// is done. Going through a signal rather than posting to the context
// directly is what makes a destroyed context safe: Qt drops a connection,
// and the events already queued on it, when its receiver dies, under the
// same lock the emitting thread takes; a QPointer checked from the store
// thread could not close that race.
//
//   auto *reply = new StoreReply;                         // owned by the store thread
//   connect(reply, &StoreReply::ready, context, callback, Qt::QueuedConnection);
//   reply->moveToThread(storeThread);                     // then: reply->deliver() there

#include <QObject>

class StoreReply : public QObject
{
    Q_OBJECT
public:
    StoreReply() = default;

    // On the store thread: answer, then go away.
    void deliver()
    {
        Q_EMIT ready();
        deleteLater();
    }

Q_SIGNALS:
    void ready();
};
