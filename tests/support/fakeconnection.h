#pragma once

// One client connection to a FakeProvider: parses the requests on it
// (Content-Length or chunked bodies, keep-alive), asks the provider for each
// one's FakeReply and plays it out — head delay, chunked events at their
// pace, the chosen end — and tells the provider when an answer is complete
// or when the connection went away before it was.

#include "fakereply.h"
#include "fakerequest.h"

#include <QObject>
#include <QTimer>

class FakeProvider;
class QTcpSocket;

class FakeConnection : public QObject
{
    Q_OBJECT
public:
    FakeConnection(QTcpSocket *socket, int id, FakeProvider *provider);

    // Plays the reply that FakeProvider::holdRepliesUntilOpen() held back.
    void release();

private:
    enum class Step { Head, Event };

    void onReadyRead();
    void onDisconnected();
    bool takeRequest(FakeRequest *request);
    void startReply();
    void onTimer();
    void writeHead();
    void sendEvents();
    void endStream();
    void replyDone(bool close);
    void closeByUs();
    void schedule(Step step, int ms);

    FakeProvider *m_provider;
    QTcpSocket *m_socket;
    int m_id;
    QByteArray m_buffer;
    int m_current = -1;      // index of the request being answered
    FakeReply m_reply;
    qsizetype m_sent = 0;    // events of m_reply written
    QTimer m_timer;
    Step m_step = Step::Head;
    bool m_closingByUs = false;
    bool m_gone = false;
};
