#include "keysettings.h"

#include "config/configloader.h"

#include <QJsonArray>
#include <cmath>

using namespace Qt::StringLiterals;

namespace KeySettings {

namespace {

bool number(const QJsonValue &v, const QString &field, double *out, QString *error)
{
    if (v.isNull()) {
        *out = 0;
        return true;
    }
    if (!v.isDouble() || v.toDouble() < 0 || !std::isfinite(v.toDouble())) {
        *error = u"'"_s + field + u"' must be a non-negative number (0 = unlimited)"_s;
        return false;
    }
    *out = v.toDouble();
    return true;
}

bool integer(const QJsonValue &v, const QString &field, qint64 *out, QString *error)
{
    double d = 0;
    if (!number(v, field, &d, error))
        return false;
    // Range first: casting a double beyond qint64 is undefined behaviour.
    if (d >= 9.0e18 || d != std::floor(d)) {
        *error = u"'"_s + field + u"' must be a whole number below 9e18"_s;
        return false;
    }
    *out = qint64(d);
    return true;
}

} // namespace

bool apply(const QJsonObject &body, KeyRecord *key, bool creating, QString *error)
{
    static const QStringList known{u"name"_s, u"allowed_models"_s, u"rate_per_min"_s, u"tokens_per_min"_s,
                                   u"monthly_cap"_s, u"hard_cap"_s, u"run_budget_usd"_s, u"cache_enabled"_s};
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key())) {
            *error = u"unknown field '"_s + it.key() + u"' (expected one of: "_s + known.join(u", "_s) + u')';
            return false;
        }
    }
    KeyRecord k = *key;
    if (body.contains(u"name")) {
        const QJsonValue v = body.value(u"name");
        if (!v.isString() || v.toString().trimmed().isEmpty()) {
            *error = u"'name' must be a non-empty string"_s;
            return false;
        }
        k.name = v.toString().trimmed();
    } else if (creating) {
        *error = u"'name' is required"_s;
        return false;
    }
    if (body.contains(u"allowed_models")) {
        const QJsonValue v = body.value(u"allowed_models");
        QStringList models;
        if (!v.isNull()) {
            if (!v.isArray()) {
                *error = u"'allowed_models' must be an array of model names or patterns"_s;
                return false;
            }
            for (const QJsonValue &m : v.toArray()) {
                if (!m.isString() || m.toString().isEmpty()) {
                    *error = u"'allowed_models' must contain only non-empty strings"_s;
                    return false;
                }
                models.append(m.toString());
            }
        }
        k.allowedModels = models;
    }
    struct IntField { const char16_t *name; qint64 *target; };
    for (const IntField &f : {IntField{u"rate_per_min", &k.ratePerMin}, IntField{u"tokens_per_min", &k.tokensPerMin}}) {
        const QString name = QString::fromUtf16(f.name);
        if (body.contains(name) && !integer(body.value(name), name, f.target, error))
            return false;
    }
    struct NumField { const char16_t *name; double *target; };
    for (const NumField &f : {NumField{u"monthly_cap", &k.monthlyCap}, NumField{u"hard_cap", &k.hardCap},
                              NumField{u"run_budget_usd", &k.runBudgetUsd}}) {
        const QString name = QString::fromUtf16(f.name);
        if (body.contains(name) && !number(body.value(name), name, f.target, error))
            return false;
    }
    if (body.contains(u"cache_enabled")) {
        if (!body.value(u"cache_enabled").isBool()) {
            *error = u"'cache_enabled' must be a boolean"_s;
            return false;
        }
        k.cacheEnabled = body.value(u"cache_enabled").toBool();
    }
    *key = k;
    return true;
}

bool parsePrice(const QJsonObject &body, Price *price, QString *error)
{
    static const QStringList known{u"input_per_mtok"_s, u"output_per_mtok"_s, u"cache_read_per_mtok"_s,
                                   u"cache_write_per_mtok"_s};
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key())) {
            *error = u"unknown field '"_s + it.key() + u"' (expected one of: "_s + known.join(u", "_s) + u')';
            return false;
        }
    }
    for (const char16_t *required : {u"input_per_mtok", u"output_per_mtok"}) {
        if (!body.contains(QString::fromUtf16(required))) {
            *error = u"'"_s + QString::fromUtf16(required) + u"' is required"_s;
            return false;
        }
    }
    QString why;
    const auto parsed = ConfigLoader::parsePrice(body, &why);
    if (!parsed) {
        *error = why;
        return false;
    }
    *price = *parsed;
    return true;
}

} // namespace KeySettings
