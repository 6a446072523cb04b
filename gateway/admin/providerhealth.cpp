#include "providerhealth.h"

#include "providers/provider.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace ProviderHealth {

QJsonObject json(const Provider &p)
{
    const ProviderHealthState &h = p.health();
    return QJsonObject{
        {u"name"_s, p.name()},
        {u"kind"_s, p.config().kind},
        {u"base_url"_s, p.config().baseUrl.isEmpty() ? QJsonValue() : QJsonValue(p.config().baseUrl)},
        {u"models"_s, QJsonArray::fromStringList(p.config().models)},
        {u"healthy"_s, h.healthy},
        {u"last_error"_s, h.lastError.isEmpty() ? QJsonValue() : QJsonValue(h.lastError)},
        {u"latency_ms"_s, h.latencyMs < 0 ? QJsonValue() : QJsonValue(h.latencyMs)},
        {u"consecutive_failures"_s, h.consecutiveFailures},
    };
}

} // namespace ProviderHealth
