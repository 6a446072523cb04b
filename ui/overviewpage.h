#pragma once

// The first page: spend today, this month and per key, requests per
// second, the calls in flight with their tokens and cost ticking and a
// kill button each, spend over the last 30 days, and where to point a
// client. While the gateway has no keys it opens with the first-run guide.
// Wires views to GatewayClient and SpendTracker; computes nothing itself.
//
//   auto *overview = new OverviewPage(client, tracker, this);

#include <QWidget>

class FirstRunGuide;
class GatewayClient;
class KeysModel;
class LiveCallsModel;
class MintKeyFlow;
class QLabel;
class QTableView;
class SnippetsPanel;
class SpendChart;
class SpendTracker;
class StatCard;

class OverviewPage : public QWidget
{
    Q_OBJECT
public:
    OverviewPage(GatewayClient *client, SpendTracker *tracker, QWidget *parent = nullptr);

    LiveCallsModel *liveCalls() const { return m_live; }

private:
    void showSpend();
    void showLiveCount(int calls);
    void updateGuide();
    void killSelected();
    void sendSample();

    GatewayClient *m_client;
    SpendTracker *m_tracker;
    LiveCallsModel *m_live;
    KeysModel *m_keys;
    MintKeyFlow *m_mint;
    StatCard *m_today;
    StatCard *m_month;
    StatCard *m_rate;
    StatCard *m_streams;
    FirstRunGuide *m_guide;
    QTableView *m_liveView;
    QLabel *m_liveEmpty;
    SpendChart *m_chart;
    QTableView *m_keySpend;
    SnippetsPanel *m_snippets;
    QWidget *m_bottom;   // spend per key and where to connect; the guide replaces them
    bool m_guideDismissed = false;
};
