#include "mintkeyflow.h"

#include "gatewayclient.h"
#include "keydialog.h"
#include "newkeydialog.h"

#include <QWidget>

MintKeyFlow::MintKeyFlow(GatewayClient *client, QWidget *window)
    : QObject(window), m_client(client), m_window(window)
{
}

void MintKeyFlow::start()
{
    auto *dialog = new KeyDialog(KeyDialog::Mode::Mint, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_client->mintKey(dialog->settings(), this, [this](const KeyStore::Minted &m) {
            auto *shown = new NewKeyDialog(m.rawKey, m.record.name, m_client->listenUrl(), m_window);
            shown->open();
            Q_EMIT minted(m.record.id);
        });
    });
    dialog->open();
}
