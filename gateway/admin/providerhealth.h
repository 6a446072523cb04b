#pragma once

// A provider as GET /admin/providers shows it: configuration, health,
// last error and smoothed latency.

#include <QJsonObject>

class Provider;

namespace ProviderHealth {
QJsonObject json(const Provider &provider);
}
