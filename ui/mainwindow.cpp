#include "mainwindow.h"

#include "config/commandline.h"
#include "gateway.h"
#include "gatewayhost.h"
#include "livecallsmodel.h"
#include "pipeline/callmonitor.h"

#include <QCloseEvent>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

MainWindow::MainWindow(GatewayHost *host, const StartupOptions &options, QWidget *parent)
    : QMainWindow(parent), m_host(host), m_liveModel(new LiveCallsModel(this))
{
    Q_UNUSED(options);
    setWindowTitle(tr("Tollgate"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_status = new QLabel(tr("Starting the gateway…"), central);
    m_status->setObjectName(u"statusLabel"_s);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    m_snippets = new QPlainTextEdit(central);
    m_snippets->setObjectName(u"snippets"_s);
    m_snippets->setReadOnly(true);
    m_snippets->setMaximumHeight(110);
    layout->addWidget(m_snippets);
    auto *liveTitle = new QLabel(tr("Calls in flight"), central);
    layout->addWidget(liveTitle);
    m_liveView = new QTableView(central);
    m_liveView->setObjectName(u"liveCalls"_s);
    m_liveView->setModel(m_liveModel);
    m_liveView->horizontalHeader()->setStretchLastSection(true);
    m_liveView->verticalHeader()->hide();
    layout->addWidget(m_liveView, 1);
    setCentralWidget(central);
    resize(960, 600);

    connect(m_host, &GatewayHost::started, this, &MainWindow::onStarted);
    connect(m_host, &GatewayHost::failed, this, [this](const QString &error) {
        m_status->setText(tr("The gateway could not start: %1").arg(error));
    });
}

void MainWindow::onStarted(const QString &url)
{
    m_status->setText(tr("Gateway listening on %1").arg(url));
    m_snippets->setPlainText(u"OPENAI_BASE_URL="_s + url + u"/v1\nANTHROPIC_BASE_URL="_s + url
                             + u"\ncurl "_s + url
                             + u"/v1/chat/completions -H 'content-type: application/json' -d '{\"model\":\"sim-small\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}'"_s);
    if (Gateway *gw = m_host->gateway()) {
        CallMonitor *monitor = gw->monitor();
        connect(monitor, &CallMonitor::callStarted, m_liveModel, &LiveCallsModel::callStarted);
        connect(monitor, &CallMonitor::callsUpdated, m_liveModel, &LiveCallsModel::callsUpdated);
        connect(monitor, &CallMonitor::callFinished, m_liveModel,
                [this](const UsageRecord &r) { m_liveModel->callFinished(r.requestId); });
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    event->ignore();
    hide();
    Q_EMIT quitRequested();
}
