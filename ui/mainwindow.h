#pragma once

// The main window: a sidebar of pages (Overview, Keys, Runs, Prompts,
// Providers, Usage, Settings) over a stack of page widgets, a status bar
// with the listen address, the calls in flight and today's spend, and the
// tray icon. It only assembles the pages and remembers its geometry and
// last page; each page wires its own views to the GatewayClient.
//
//   MainWindow window(&client);
//   connect(&window, &MainWindow::quitRequested, &app, quit);
//   window.show();

#include <QMainWindow>

class GatewayClient;
class QLabel;
class QListWidget;
class QStackedWidget;
class SpendTracker;
class TrayIcon;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum Page { Overview, Keys, Runs, Prompts, Providers, Usage, Settings, PageCount };

    explicit MainWindow(GatewayClient *client, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPage(int page);
    int currentPage() const;
    QWidget *page(int page) const;
    SpendTracker *spendTracker() const { return m_tracker; }
    TrayIcon *trayIcon() const { return m_tray; }

    // Brings the window back from the tray, or to the front.
    void raiseWindow();

Q_SIGNALS:
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void addPage(QWidget *page, const QString &name, const QString &title, const QString &icon);
    void showFacts();
    void saveState() const;
    void restoreState();

    GatewayClient *m_client;
    SpendTracker *m_tracker;
    TrayIcon *m_tray = nullptr;
    QListWidget *m_sidebar;
    QStackedWidget *m_stack;
    QLabel *m_listen;
    QLabel *m_live;
    QLabel *m_spend;
    bool m_toldAboutTray = false;
};
