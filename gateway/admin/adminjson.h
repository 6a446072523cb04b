#pragma once

// The admin API's records as JSON (and the ledger as CSV), with the
// contract's field names: KEY, USAGE, RUN, PRICE. Times are ISO 8601 UTC.

#include "core/keyrecord.h"
#include "core/price.h"
#include "core/runrecord.h"
#include "core/usagerecord.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace AdminJson {

QJsonObject key(const KeyRecord &k, const QDateTime &now);
QJsonObject usage(const UsageRecord &u);
QJsonObject run(const RunRecord &r, int liveStreams);
QJsonObject price(const Price &p);
QString time(const QDateTime &t);

extern const QStringList kUsageFields;
QByteArray usageCsv(const QList<UsageRecord> &records);
}
