#pragma once

// Writes ledger rows to a CSV file in the admin API's format
// (AdminJson::usageCsv: a header row of the USAGE field names, then one
// row per call), atomically: a failed write leaves no half file behind.
//
//   QString error;
//   if (!UsageCsv::write(path, rows, &error)) showError(error);

#include "core/usagerecord.h"

#include <QList>
#include <QString>

namespace UsageCsv {
bool write(const QString &path, const QList<UsageRecord> &records, QString *error);
}
