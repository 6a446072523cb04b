#pragma once

// Turns SIGINT and SIGTERM into a Qt signal on the thread that created the
// watcher (the self-pipe trick: the handler only writes a byte).

#include <QObject>

class QSocketNotifier;

class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested();

private:
    QSocketNotifier *m_notifier = nullptr;
};
