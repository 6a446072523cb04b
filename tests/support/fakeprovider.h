#pragma once

// A scriptable upstream LLM server for the network tests: a bare
// QTcpServer on 127.0.0.1, port 0 (qtbase's MiniHttpServer pattern), so a
// test decides every byte — whole answers, paced SSE streams in chunked
// encoding, streams cut mid-way, malformed bytes, a slow head or no answer
// at all (see FakeReply). It records every request it got (FakeRequest),
// counts the requests open at once, and notices when the client, that is
// the gateway, closes a connection while an answer is still in progress.
//
//   FakeProvider fake;
//   fake.enqueue(FakeReply::json(Canned::openAiCompletion()));
//   config.baseUrl = fake.openAiBaseUrl();
//   ...
//   QTRY_COMPARE(fake.requestCount(), 1);
//   QCOMPARE(fake.request(0).header("authorization"), "Bearer sk-…");

#include "fakereply.h"
#include "fakerequest.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>

class QTcpServer;
class FakeConnection;

class FakeProvider : public QObject
{
    Q_OBJECT
public:
    using ReplyFunction = std::function<FakeReply(const FakeRequest &)>;

    // Listens at once; check isListening().
    explicit FakeProvider(QObject *parent = nullptr);
    ~FakeProvider() override;

    bool isListening() const;
    quint16 port() const;
    QString url() const;              // http://127.0.0.1:PORT
    QString openAiBaseUrl() const;    // …/v1, as an OpenAI-kind provider's base_url
    QString anthropicBaseUrl() const; // the host, as an Anthropic-kind provider's base_url

    // Replies are taken in order, one per request; when none is queued the
    // reply function answers, else the default reply (a 500 saying so).
    void enqueue(const FakeReply &reply);
    void setReplyFunction(ReplyFunction function) { m_function = std::move(function); }
    void setDefaultReply(const FakeReply &reply) { m_default = reply; }
    // Holds every reply back (nothing is written, not even the head) until
    // this many requests are open at once, then lets them all go: for tests
    // that need all their requests in flight together whatever the load.
    void holdRepliesUntilOpen(int count) { m_holdUntil = count; }

    QList<FakeRequest> requests() const { return m_requests; }
    int requestCount() const { return int(m_requests.size()); }
    FakeRequest request(int index) const { return m_requests.value(index); }
    FakeRequest lastRequest() const { return m_requests.isEmpty() ? FakeRequest() : m_requests.last(); }

    // Requests received whose answer is not complete on a connection still open.
    int openRequests() const { return m_open; }
    int maxOpenRequests() const { return m_maxOpen; }
    // Requests whose connection the client closed before their answer was complete.
    int clientClosedCount() const;
    int connectionCount() const { return m_connectionCount; }
    int openConnections() const { return int(m_connections.size()); }

Q_SIGNALS:
    void requestReceived(int index);
    void clientClosed(int index);

private:
    friend class FakeConnection;

    int record(FakeRequest request);
    FakeReply replyFor(int index);
    void markAnswered(int index);
    void markClosed(int index, bool byClient);
    void onNewConnection();
    bool holdReply(FakeConnection *connection);
    void releaseHeld();

    QTcpServer *m_server;
    QList<FakeConnection *> m_connections;
    QList<FakeRequest> m_requests;
    QList<FakeReply> m_queue;
    ReplyFunction m_function;
    FakeReply m_default;
    int m_holdUntil = 0;
    QList<QPointer<FakeConnection>> m_held;
    int m_open = 0;
    int m_maxOpen = 0;
    int m_connectionCount = 0;
};
