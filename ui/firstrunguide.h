#pragma once

// The overview's welcome panel, shown while the gateway has no keys: where
// to point a client, a button to mint a first key and one to send a sample
// request through the simulated provider so the live views move at once.
// A view: it says what was pressed; the overview page does the rest.
//
//   auto *guide = new FirstRunGuide(client, this);
//   connect(guide, &FirstRunGuide::sampleRequested, this, [=] { client->sendSampleRequest(...); });

#include <QFrame>

class GatewayClient;
class QLabel;
class QPushButton;

class FirstRunGuide : public QFrame
{
    Q_OBJECT
public:
    explicit FirstRunGuide(GatewayClient *client, QWidget *parent = nullptr);

    // Under the sample button: what happened to the last sample request.
    void setSampleStatus(const QString &text, bool isError);
    void setSampleBusy(bool busy);

Q_SIGNALS:
    void mintRequested();
    void sampleRequested();
    void dismissRequested();

private:
    QPushButton *m_mint;
    QPushButton *m_sample;
    QLabel *m_status;
};
