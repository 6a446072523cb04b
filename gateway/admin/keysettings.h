#pragma once

// Reads the settings of a key from an admin request body (POST creates,
// PATCH changes) with strict checks: known fields only, right types,
// limits non-negative. A refused body changes nothing.

#include "core/keyrecord.h"
#include "core/price.h"

#include <QJsonObject>
#include <QString>

namespace KeySettings {
bool apply(const QJsonObject &body, KeyRecord *key, bool creating, QString *error);
bool parsePrice(const QJsonObject &body, Price *price, QString *error);
}
