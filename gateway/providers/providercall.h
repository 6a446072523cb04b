#pragma once

// One upstream call, in KDE's KJob shape: start() it, read the response
// through headReceived()/bodyData(), and it emits finished() exactly once,
// then deletes itself (deleteLater) unless the owner keeps it. kill() aborts
// the call and closes the upstream connection; after kill() no further
// signal but finished() is emitted.
//
//   auto *call = provider->createCall(request, this);
//   connect(call, &ProviderCall::bodyData, this, &Exchange::onUpstreamData);
//   call->start();

#include "upstreamrequest.h"

#include <QByteArray>
#include <QObject>

class ProviderCall : public QObject
{
    Q_OBJECT
public:
    enum class Outcome {
        Running,
        Completed,      // the whole response arrived (whatever its status)
        ConnectError,   // could not connect, or the connection broke
        Timeout,        // connect, first-byte or idle timeout
        Killed,         // kill() was called
    };

    explicit ProviderCall(QObject *parent = nullptr) : QObject(parent) {}

    virtual void start() = 0;
    virtual void kill() = 0;

    Outcome outcome() const { return m_outcome; }
    QString errorString() const { return m_errorString; }
    int httpStatus() const { return m_status; }
    const HeaderList &responseHeaders() const { return m_headers; }

Q_SIGNALS:
    void headReceived();                    // status and headers are known
    void bodyData(const QByteArray &bytes); // body bytes, in order, as they arrive
    void finished();                        // exactly once

protected:
    void setHead(int status, HeaderList headers)
    {
        m_status = status;
        m_headers = std::move(headers);
    }
    void setOutcome(Outcome o, QString error = {})
    {
        m_outcome = o;
        m_errorString = std::move(error);
    }

private:
    Outcome m_outcome = Outcome::Running;
    QString m_errorString;
    int m_status = 0;
    HeaderList m_headers;
};
