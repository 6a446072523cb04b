#pragma once

// Minting a key from the window, wherever it starts (the Keys page's
// button, the first-run guide): opens the KeyDialog, asks the gateway to
// mint, and shows the raw key once in a NewKeyDialog. Glue between views
// and GatewayClient::mintKey; it decides nothing itself.
//
//   auto *flow = new MintKeyFlow(client, this);
//   connect(mintButton, &QPushButton::clicked, flow, &MintKeyFlow::start);

#include <QObject>
#include <QPointer>

class GatewayClient;
class QWidget;

class MintKeyFlow : public QObject
{
    Q_OBJECT
public:
    // window: the widget the dialogs are modal to (and owned by).
    MintKeyFlow(GatewayClient *client, QWidget *window);

    void start();

Q_SIGNALS:
    // After the new key was shown (its id), or the minting failed (0).
    void minted(qint64 id);

private:
    GatewayClient *m_client;
    QWidget *m_window;
};
