#include "usagecsv.h"

#include "admin/adminjson.h"

#include <QCoreApplication>
#include <QSaveFile>

namespace UsageCsv {

bool write(const QString &path, const QList<UsageRecord> &records, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(AdminJson::usageCsv(records)) < 0 || !file.commit()) {
        if (error)
            *error = QCoreApplication::translate("UsageCsv", "Could not write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace UsageCsv
