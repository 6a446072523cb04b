#pragma once

// The settings the gateway runs with, read-only: where it listens, whether
// pass-through is on, its data folder (with a button that opens it), the
// configuration file, and the admin token, hidden until revealed, with a
// Copy button. They are fixed when the gateway starts; the page says how
// to change them (command line or config file, then a restart).

#include <QWidget>

class GatewayClient;
class QLabel;
class QLineEdit;
class QPushButton;
class QToolButton;

class SettingsPage : public QWidget
{
    Q_OBJECT
public:
    explicit SettingsPage(GatewayClient *client, QWidget *parent = nullptr);

private:
    void load();
    void setTokenRevealed(bool revealed);

    GatewayClient *m_client;
    QLineEdit *m_listenUrl = nullptr;
    QLineEdit *m_host = nullptr;
    QLineEdit *m_port = nullptr;
    QLineEdit *m_passthrough = nullptr;
    QLineEdit *m_dataDir = nullptr;
    QPushButton *m_openDataDir = nullptr;
    QLineEdit *m_configFile = nullptr;
    QLineEdit *m_token = nullptr;
    QToolButton *m_reveal = nullptr;
    QPushButton *m_copyToken = nullptr;
    QLabel *m_status = nullptr;
};
