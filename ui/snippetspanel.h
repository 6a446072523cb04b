#pragma once

// Where to point a client: the listen address and ready-to-paste lines
// (OPENAI_BASE_URL=…, ANTHROPIC_BASE_URL=…, a curl line), each with a Copy
// button. Filled from the client's facts once it attaches.
//
//   layout->addWidget(new SnippetsPanel(client, this));

#include <QWidget>

class GatewayClient;
class QGridLayout;
class QLineEdit;

class SnippetsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SnippetsPanel(GatewayClient *client, QWidget *parent = nullptr);

    // The lines as shown, for tests and for the guide.
    QStringList snippets() const;
    static QStringList snippetsFor(const QString &listenUrl, bool demo);

private:
    void fill();

    GatewayClient *m_client;
    QList<QLineEdit *> m_lines;
};
