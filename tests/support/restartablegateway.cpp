#include "restartablegateway.h"

#include "pipeline/callmonitor.h"

#include <QDebug>

bool RestartableGateway::start(const Config &config, const QString &dir)
{
    gateway = std::make_unique<Gateway>(config, dir);
    QObject::connect(gateway->monitor(), &CallMonitor::callFinished, gateway.get(),
                     [this](const UsageRecord &r) { records.append(r); });
    QString why;
    if (!gateway->start(&why)) {
        qWarning() << why;
        return false;
    }
    return true;
}
