#include "mainwindow.h"

#include "gatewayclient.h"
#include "keyspage.h"
#include "livecallsmodel.h"
#include "overviewpage.h"
#include "promptspage.h"
#include "providerspage.h"
#include "runspage.h"
#include "settingspage.h"
#include "sidebardelegate.h"
#include "spendtracker.h"
#include "trayicon.h"
#include "uiformat.h"
#include "uiicons.h"
#include "usagepage.h"
#include "config/commandline.h"

#include <QAction>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace {
const auto kGeometryKey = u"window/geometry"_s;
const auto kPageKey = u"window/page"_s;
}

MainWindow::MainWindow(GatewayClient *client, QWidget *parent)
    : QMainWindow(parent), m_client(client), m_tracker(new SpendTracker(client, this))
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("Tollgate"));
    setWindowIcon(UiIcons::get(u"tollgate"));

    m_sidebar = new QListWidget(this);
    m_sidebar->setObjectName(u"sidebar"_s);
    m_sidebar->setAccessibleName(tr("Pages"));
    m_sidebar->setIconSize(QSize(22, 22));
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setSpacing(2);
    m_sidebar->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_sidebar->setBackgroundRole(QPalette::Window);
    m_sidebar->viewport()->setBackgroundRole(QPalette::Window);
    m_sidebar->setItemDelegate(new SidebarDelegate(m_sidebar));
    m_sidebar->setMouseTracking(true);
    QFont sideFont = m_sidebar->font();
    sideFont.setPointSizeF(sideFont.pointSizeF() * 1.08);
    m_sidebar->setFont(sideFont);
    m_stack = new QStackedWidget(this);
    m_stack->setObjectName(u"pages"_s);

    auto *overview = new OverviewPage(client, m_tracker, m_stack);
    addPage(overview, u"overview"_s, tr("Overview"), u"overview"_s);
    addPage(new KeysPage(client, m_stack), u"keys"_s, tr("Keys"), u"keys"_s);
    addPage(new RunsPage(client, m_stack), u"runs"_s, tr("Runs"), u"runs"_s);
    addPage(new PromptsPage(client, m_stack), u"prompts"_s, tr("Prompts"), u"prompts"_s);
    addPage(new ProvidersPage(client, m_stack), u"providers"_s, tr("Providers"), u"providers"_s);
    addPage(new UsagePage(client, m_stack), u"usage"_s, tr("Usage"), u"usage"_s);
    addPage(new SettingsPage(client, m_stack), u"settings"_s, tr("Settings"), u"settings"_s);
    const int sideWidth = m_sidebar->sizeHintForColumn(0) + 2 * m_sidebar->frameWidth() + 24;
    m_sidebar->setFixedWidth(std::max(sideWidth, 150));
    connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_sidebar);
    auto *line = new QFrame(central);
    line->setFrameShape(QFrame::VLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    // Keyboard: Ctrl+1…7 pick a page, Ctrl+Q quits.
    for (int i = 0; i < PageCount; ++i) {
        auto *go = new QAction(this);
        go->setObjectName(u"showPage"_s + QString::number(i + 1));
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        connect(go, &QAction::triggered, this, [this, i] { showPage(i); });
        addAction(go);
        m_sidebar->item(i)->setToolTip(m_sidebar->item(i)->text() + u"  ("_s
                                       + go->shortcut().toString(QKeySequence::NativeText) + u')');
    }
    auto *quit = new QAction(tr("&Quit"), this);
    quit->setObjectName(u"quit"_s);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    connect(quit, &QAction::triggered, this, &MainWindow::quitRequested);
    addAction(quit);
    auto *about = new QAction(tr("&About Tollgate"), this);
    about->setObjectName(u"about"_s);
    about->setShortcut(QKeySequence::HelpContents);
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About Tollgate"), CommandLine::aboutText());
    });
    addAction(about);

    // Status bar
    m_listen = new QLabel(tr("Starting the gateway…"), this);
    m_listen->setObjectName(u"listenUrl"_s);
    m_listen->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_live = new QLabel(this);
    m_live->setObjectName(u"liveCount"_s);
    m_spend = new QLabel(this);
    m_spend->setObjectName(u"statusSpend"_s);
    statusBar()->addWidget(m_listen, 1);
    statusBar()->addPermanentWidget(m_live);
    statusBar()->addPermanentWidget(m_spend);
    auto *aboutButton = new QToolButton(this);
    aboutButton->setObjectName(u"aboutButton"_s);
    aboutButton->setDefaultAction(about);
    aboutButton->setAutoRaise(true);
    aboutButton->setToolTip(tr("Version and Qt version (F1)"));
    statusBar()->addPermanentWidget(aboutButton);
    auto showLive = [this](int n) {
        m_live->setText(n == 1 ? tr("1 call in flight") : tr("%1 calls in flight").arg(n));
    };
    showLive(0);
    connect(overview->liveCalls(), &LiveCallsModel::countChanged, this, showLive);
    connect(m_tracker, &SpendTracker::changed, this, [this] {
        m_spend->setText(tr("%1 today").arg(UiFormat::money(m_tracker->today())));
    });
    connect(client, &GatewayClient::attached, this, &MainWindow::showFacts);
    showFacts();

    if (TrayIcon::isAvailable()) {
        m_tray = new TrayIcon(client, m_tracker, this);
        connect(m_tray, &TrayIcon::showWindowRequested, this, &MainWindow::raiseWindow);
        connect(m_tray, &TrayIcon::quitRequested, this, &MainWindow::quitRequested);
    }

    resize(1200, 780);
    restoreState();
    setTabOrder(m_sidebar, m_stack);
}

MainWindow::~MainWindow()
{
    saveState();
}

void MainWindow::addPage(QWidget *page, const QString &name, const QString &title, const QString &icon)
{
    if (page->objectName().isEmpty())
        page->setObjectName(name + u"Page"_s);
    page->setAccessibleName(title);
    m_stack->addWidget(page);
    auto *item = new QListWidgetItem(UiIcons::get(icon), title, m_sidebar);
    item->setData(Qt::AccessibleTextRole, title);
    item->setSizeHint(QSize(0, m_sidebar->fontMetrics().height() + 18));
}

void MainWindow::showPage(int page)
{
    if (page >= 0 && page < PageCount)
        m_sidebar->setCurrentRow(page);
}

int MainWindow::currentPage() const
{
    return m_stack->currentIndex();
}

QWidget *MainWindow::page(int page) const
{
    return m_stack->widget(page);
}

void MainWindow::showFacts()
{
    if (m_client->listenUrl().isEmpty())
        return;
    m_listen->setText(tr("Listening on %1").arg(m_client->listenUrl())
                      + (m_client->config().demo ? tr("  ·  demo mode (simulated provider)") : QString()));
}

void MainWindow::raiseWindow()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

void MainWindow::saveState() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kPageKey, currentPage());
}

void MainWindow::restoreState()
{
    QSettings settings;
    const QByteArray geometry = settings.value(kGeometryKey).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    showPage(std::clamp(settings.value(kPageKey, 0).toInt(), 0, PageCount - 1));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveState();
    event->ignore();
    hide();
    // With a tray the gateway keeps serving; without one, closing quits.
    if (!m_tray) {
        Q_EMIT quitRequested();
        return;
    }
    if (!m_toldAboutTray) {
        m_toldAboutTray = true;
        m_tray->notify(tr("Tollgate is still running"),
                       tr("The gateway keeps serving. Open the window or quit from the tray icon."));
    }
}
