#pragma once

// The system tray entry (where the desktop has a tray): the app icon with
// "Tollgate — $X.XX today" as its tooltip, and a menu to show the window,
// kill every live run, or quit. Clicking the icon shows the window.
//
//   if (TrayIcon::isAvailable()) m_tray = new TrayIcon(client, tracker, this);
//   connect(m_tray, &TrayIcon::showWindowRequested, this, &MainWindow::raiseWindow);

#include <QObject>

class GatewayClient;
class QAction;
class QSystemTrayIcon;
class SpendTracker;

class TrayIcon : public QObject
{
    Q_OBJECT
public:
    TrayIcon(GatewayClient *client, SpendTracker *tracker, QObject *parent = nullptr);

    static bool isAvailable();
    QString toolTip() const;
    // A passing message from the tray (the window went to the tray, say).
    void notify(const QString &title, const QString &text);

Q_SIGNALS:
    void showWindowRequested();
    void quitRequested();

private:
    void updateToolTip();

    SpendTracker *m_tracker;
    QSystemTrayIcon *m_icon;
};
