#pragma once

// The main window: where the gateway listens, how to point clients at it,
// and the calls in flight. Pages are widgets of their own; this class only
// assembles them and wires them to the gateway host's signals.

#include <QMainWindow>

class GatewayHost;
class LiveCallsModel;
class QLabel;
class QPlainTextEdit;
class QTableView;
struct StartupOptions;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(GatewayHost *host, const StartupOptions &options, QWidget *parent = nullptr);

Q_SIGNALS:
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void onStarted(const QString &url);

    GatewayHost *m_host;
    LiveCallsModel *m_liveModel;
    QLabel *m_status;
    QPlainTextEdit *m_snippets;
    QTableView *m_liveView;
};
