#include "trayicon.h"

#include "gatewayclient.h"
#include "spendtracker.h"
#include "uiicons.h"

#include <QAction>
#include <QMenu>
#include <QSystemTrayIcon>

using namespace Qt::StringLiterals;

TrayIcon::TrayIcon(GatewayClient *client, SpendTracker *tracker, QObject *parent)
    : QObject(parent), m_tracker(tracker), m_icon(new QSystemTrayIcon(UiIcons::get(u"tollgate"), this))
{
    // QSystemTrayIcon does not own its menu.
    auto *menu = new QMenu;
    connect(this, &QObject::destroyed, menu, &QObject::deleteLater);
    QAction *show = menu->addAction(UiIcons::get(u"overview"), tr("&Show window"));
    show->setObjectName(u"trayShow"_s);
    QAction *kill = menu->addAction(UiIcons::get(u"kill"), tr("&Kill every live run"));
    kill->setObjectName(u"trayKillAll"_s);
    menu->addSeparator();
    QAction *quit = menu->addAction(tr("&Quit Tollgate"));
    quit->setObjectName(u"trayQuit"_s);
    connect(show, &QAction::triggered, this, &TrayIcon::showWindowRequested);
    connect(kill, &QAction::triggered, client, &GatewayClient::killAllRuns);
    connect(quit, &QAction::triggered, this, &TrayIcon::quitRequested);
    m_icon->setContextMenu(menu);
    connect(m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT showWindowRequested();
    });
    connect(tracker, &SpendTracker::changed, this, &TrayIcon::updateToolTip);
    updateToolTip();
    m_icon->show();
}

bool TrayIcon::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

QString TrayIcon::toolTip() const
{
    return m_icon->toolTip();
}

void TrayIcon::notify(const QString &title, const QString &text)
{
    m_icon->showMessage(title, text, UiIcons::get(u"tollgate"), 4000);
}

void TrayIcon::updateToolTip()
{
    m_icon->setToolTip(m_tracker->isLoaded() ? tr("Tollgate — $%1 today").arg(QString::number(m_tracker->today(), 'f', 2))
                                             : tr("Tollgate"));
}
