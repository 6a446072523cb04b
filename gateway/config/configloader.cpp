#include "configloader.h"

#include "core/logging.h"
#include "jsonfields.h"

#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QUrl>

#include <algorithm>
#include <climits>
#include <cmath>
#include <tuple>
#include <utility>

using namespace Qt::StringLiterals;
using namespace JsonFields;

namespace {
bool readPrice(const QJsonValue &value, const QString &path, Price *out, QString *error)
{
    if (!expect(value, QJsonValue::Object, path, error))
        return false;
    const QJsonObject o = value.toObject();
    if (!checkKeys(o, path, {u"input_per_mtok"_s, u"output_per_mtok"_s, u"cache_read_per_mtok"_s,
                             u"cache_write_per_mtok"_s}, error)
        || !readNonNegative(o.value(u"input_per_mtok"), member(path, u"input_per_mtok"_s),
                            &out->inputPerMTok, error)
        || !readNonNegative(o.value(u"output_per_mtok"), member(path, u"output_per_mtok"_s),
                            &out->outputPerMTok, error))
        return false;
    for (const auto &[key, target] : {std::pair{u"cache_read_per_mtok"_s, &out->cacheReadPerMTok},
                                      std::pair{u"cache_write_per_mtok"_s, &out->cacheWritePerMTok}}) {
        if (!o.contains(key))
            continue;
        double d = 0;
        if (!readNonNegative(o.value(key), member(path, key), &d, error))
            return false;
        *target = d;
    }
    return true;
}

bool readBaseUrl(const QJsonValue &value, const QString &path, QString *out, QString *error)
{
    QString text;
    if (!readString(value, path, &text, error))
        return false;
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    const QString got = u" (got \""_s + text + u"\")"_s;
    if (!url.isValid() || (scheme != u"http"_s && scheme != u"https"_s) || url.host().isEmpty())
        return fail(error, path, u"must be an http:// or https:// URL"_s + got);
    if (url.hasQuery() || url.hasFragment())
        return fail(error, path, u"must not have a query or fragment"_s + got);
    // Endpoint paths are appended with a leading '/', so "…/v1/" would
    // otherwise produce "…/v1//chat/completions".
    while (text.endsWith(u'/'))
        text.chop(1);
    *out = text;
    return true;
}

bool readProvider(const QJsonValue &value, const QString &path, ProviderConfig *p, QString *error)
{
    if (!expect(value, QJsonValue::Object, path, error))
        return false;
    const QJsonObject o = value.toObject();
    const auto at = [&path](const QString &key) { return member(path, key); };
    if (!checkKeys(o, path, {u"name"_s, u"kind"_s, u"base_url"_s, u"api_key_env"_s, u"api_key"_s,
                             u"models"_s, u"connect_timeout_ms"_s, u"first_byte_timeout_ms"_s,
                             u"idle_timeout_ms"_s}, error)
        || !readString(o.value(u"name"), at(u"name"_s), &p->name, error)
        || !readString(o.value(u"kind"), at(u"kind"_s), &p->kind, error))
        return false;
    if (p->kind != u"openai"_s && p->kind != u"anthropic"_s && p->kind != u"sim"_s)
        return fail(error, at(u"kind"_s),
                    u"unknown kind \""_s + p->kind + u"\" (expected openai, anthropic or sim)"_s);

    // The simulated provider answers in-process; a base_url means nothing to
    // it, but one given is still checked so a mistake does not hide.
    if ((p->kind != u"sim"_s || o.contains(u"base_url"))
        && !readBaseUrl(o.value(u"base_url"), at(u"base_url"_s), &p->baseUrl, error))
        return false;

    if (o.contains(u"api_key_env") && o.contains(u"api_key"))
        return fail(error, at(u"api_key"_s), u"give either api_key or api_key_env, not both"_s);
    if (o.contains(u"api_key_env")) {
        if (!readString(o.value(u"api_key_env"), at(u"api_key_env"_s), &p->apiKeyEnv, error))
            return false;
        // An unset variable is not an error: local OpenAI-compatible servers
        // take no key, and the provider then simply sends no credential.
        p->apiKey = qEnvironmentVariable(p->apiKeyEnv.toLocal8Bit().constData());
    }
    if (o.contains(u"api_key")) {
        if (!expect(o.value(u"api_key"), QJsonValue::String, at(u"api_key"_s), error))
            return false;
        p->apiKey = o.value(u"api_key").toString();
    }

    if (!expect(o.value(u"models"), QJsonValue::Array, at(u"models"_s), error))
        return false;
    const QJsonArray models = o.value(u"models").toArray();
    if (models.isEmpty())
        return fail(error, at(u"models"_s),
                    u"must list at least one model pattern (\"*\" matches every model)"_s);
    p->models.clear();
    for (qsizetype i = 0; i < models.size(); ++i) {
        QString pattern;
        if (!readString(models.at(i), element(at(u"models"_s), i), &pattern, error))
            return false;
        p->models.append(pattern);
    }

    for (const auto &[key, target] : {std::pair{u"connect_timeout_ms"_s, &p->connectTimeoutMs},
                                      std::pair{u"first_byte_timeout_ms"_s, &p->firstByteTimeoutMs},
                                      std::pair{u"idle_timeout_ms"_s, &p->idleTimeoutMs}}) {
        if (o.contains(key) && !readInt(o.value(key), at(key), 1, INT_MAX, target, error))
            return false;
    }
    return true;
}

bool readProviders(const QJsonValue &value, QList<ProviderConfig> *out, QString *error)
{
    if (!expect(value, QJsonValue::Array, u"providers"_s, error))
        return false;
    const QJsonArray array = value.toArray();
    out->clear();
    for (qsizetype i = 0; i < array.size(); ++i) {
        ProviderConfig p;
        const QString path = element(u"providers"_s, i);
        if (!readProvider(array.at(i), path, &p, error))
            return false;
        // Aliases, the ledger and the UI all refer to providers by name.
        if (std::any_of(out->cbegin(), out->cend(), [&p](const auto &q) { return q.name == p.name; }))
            return fail(error, member(path, u"name"_s),
                        u"duplicate provider name \""_s + p.name + u'"');
        out->append(p);
    }
    return true;
}

bool readPrices(const QJsonValue &value, QHash<QString, Price> *out, QString *error)
{
    if (!expect(value, QJsonValue::Object, u"prices"_s, error))
        return false;
    const QJsonObject o = value.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString path = keyed(u"prices"_s, it.key());
        if (isComment(it.key()))
            continue;
        Price price;
        if (it.key().trimmed().isEmpty())
            return fail(error, path, u"model name must not be empty"_s);
        if (!readPrice(it.value(), path, &price, error))
            return false;
        out->insert(it.key(), price);
    }
    return true;
}

bool readAliasTarget(const QJsonValue &value, const QString &path, const QStringList &providers,
                     AliasTarget *target, QString *error)
{
    if (!expect(value, QJsonValue::Object, path, error))
        return false;
    const QJsonObject o = value.toObject();
    if (!checkKeys(o, path, {u"provider"_s, u"model"_s}, error)
        || !readString(o.value(u"provider"), member(path, u"provider"_s), &target->provider, error)
        || !readString(o.value(u"model"), member(path, u"model"_s), &target->model, error))
        return false;
    // "sim" is the built-in simulated provider that --demo adds after the
    // file is read; an alias may name it.
    if (!providers.contains(target->provider) && target->provider != u"sim"_s)
        return fail(error, member(path, u"provider"_s),
                    u"unknown provider \""_s + target->provider + u"\" (configured: "_s
                        + (providers.isEmpty() ? u"none"_s : providers.join(u", "_s)) + u')');
    return true;
}

bool readAliases(const QJsonValue &value, const QList<ProviderConfig> &providers,
                 QHash<QString, QList<AliasTarget>> *out, QString *error)
{
    if (!expect(value, QJsonValue::Object, u"aliases"_s, error))
        return false;
    const QJsonObject o = value.toObject();
    QStringList providerNames;
    for (const ProviderConfig &p : providers)
        providerNames.append(p.name);

    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString path = keyed(u"aliases"_s, it.key());
        if (isComment(it.key()))
            continue;
        if (it.key().trimmed().isEmpty())
            return fail(error, path, u"alias name must not be empty"_s);
        if (!expect(it.value(), QJsonValue::Array, path, error))
            return false;
        const QJsonArray array = it.value().toArray();
        if (array.isEmpty())
            return fail(error, path, u"must list at least one {provider, model} target"_s);
        QList<AliasTarget> targets(array.size());
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!readAliasTarget(array.at(i), element(path, i), providerNames, &targets[i], error))
                return false;
        }
        out->insert(it.key(), targets);
    }
    return true;
}

bool readSim(const QJsonValue &value, SimConfig *sim, QString *error)
{
    if (!expect(value, QJsonValue::Object, u"sim"_s, error))
        return false;
    const QJsonObject o = value.toObject();
    if (!checkKeys(o, u"sim"_s, {u"tokens_per_second"_s, u"first_token_ms"_s, u"output_tokens"_s},
                   error))
        return false;
    const std::tuple<QString, int, int, int *> fields[] = {
        {u"tokens_per_second"_s, 1, 1000000, &sim->tokensPerSecond},
        {u"first_token_ms"_s, 0, INT_MAX, &sim->firstTokenMs},
        {u"output_tokens"_s, 1, INT_MAX, &sim->outputTokens},
    };
    for (const auto &[key, min, max, target] : fields) {
        if (o.contains(key) && !readInt(o.value(key), member(u"sim"_s, key), min, max, target, error))
            return false;
    }
    return true;
}

bool readCache(const QJsonValue &value, CacheConfig *cache, QString *error)
{
    if (!expect(value, QJsonValue::Object, u"cache"_s, error))
        return false;
    const QJsonObject o = value.toObject();
    if (!checkKeys(o, u"cache"_s, {u"enabled"_s, u"ttl_s"_s, u"max_mb"_s}, error))
        return false;
    if (o.contains(u"enabled")) {
        if (!expect(o.value(u"enabled"), QJsonValue::Bool, u"cache.enabled"_s, error))
            return false;
        cache->enabled = o.value(u"enabled").toBool();
    }
    if (o.contains(u"ttl_s") && !readInt(o.value(u"ttl_s"), u"cache.ttl_s"_s, 1, INT_MAX, &cache->ttlS, error))
        return false;
    if (o.contains(u"max_mb")) {
        double mb = 0;
        if (!readNumber(o.value(u"max_mb"), u"cache.max_mb"_s, false, 1 << 20, &mb, error))
            return false;
        cache->maxBytes = std::max<qint64>(1, std::llround(mb * (1 << 20)));
    }
    return true;
}

bool readRouting(const QJsonValue &value, RoutingConfig *routing, QString *error)
{
    if (!expect(value, QJsonValue::Object, u"routing"_s, error))
        return false;
    const QJsonObject o = value.toObject();
    if (!checkKeys(o, u"routing"_s,
                   {u"retries"_s, u"backoff_ms"_s, u"breaker_failures"_s, u"breaker_cooldown_s"_s}, error))
        return false;
    const std::tuple<QString, int, int, int *> ints[] = {
        {u"retries"_s, 0, 10, &routing->retries},
        {u"backoff_ms"_s, 0, 60000, &routing->backoffMs},
        {u"breaker_failures"_s, 1, 1000, &routing->breakerFailures},
        {u"breaker_cooldown_s"_s, 1, 86400, &routing->breakerCooldownS},
    };
    for (const auto &[key, min, max, target] : ints) {
        if (o.contains(key) && !readInt(o.value(key), member(u"routing"_s, key), min, max, target, error))
            return false;
    }
    return true;
}

bool readConfig(const QJsonObject &root, Config *config, QString *error)
{
    if (!checkKeys(root, QString(),
                   {u"listen"_s, u"passthrough"_s, u"max_body_mb"_s, u"max_header_kb"_s,
                    u"idle_timeout_s"_s, u"providers"_s, u"prices"_s, u"default_price"_s,
                    u"aliases"_s, u"sim"_s, u"cache"_s, u"routing"_s},
                   error))
        return false;

    if (root.contains(u"listen")) {
        QString text, reason;
        if (!readString(root.value(u"listen"), u"listen"_s, &text, error))
            return false;
        if (!ConfigLoader::parseListen(text, &config->listenHost, &config->listenPort, &reason))
            return fail(error, u"listen"_s, reason);
    }
    if (root.contains(u"passthrough")) {
        if (!expect(root.value(u"passthrough"), QJsonValue::Bool, u"passthrough"_s, error))
            return false;
        config->passthrough = root.value(u"passthrough").toBool();
    }
    // Sizes are given in MB and KB; the caps only keep the byte counts from
    // overflowing (bodies are buffered in memory, real limits are far lower).
    double size = 0;
    if (root.contains(u"max_body_mb")) {
        if (!readNumber(root.value(u"max_body_mb"), u"max_body_mb"_s, false, 1 << 20, &size, error))
            return false;
        config->maxBodyBytes = std::max<qint64>(1, std::llround(size * (1 << 20)));
    }
    if (root.contains(u"max_header_kb")) {
        if (!readNumber(root.value(u"max_header_kb"), u"max_header_kb"_s, false, 1 << 20, &size,
                        error))
            return false;
        config->maxHeaderBytes = std::max(1, int(std::lround(size * 1024)));
    }
    if (root.contains(u"idle_timeout_s")
        && !readInt(root.value(u"idle_timeout_s"), u"idle_timeout_s"_s, 1, INT_MAX / 1000,
                    &config->idleConnectionTimeoutS, error))
        return false;

    // Leaving "providers" out keeps the two vendors of the no-config setup,
    // so a file that only sets prices or aliases stays short.
    if (root.contains(u"providers")
        && !readProviders(root.value(u"providers"), &config->providers, error))
        return false;

    if (root.contains(u"prices") && !readPrices(root.value(u"prices"), &config->prices, error))
        return false;
    if (root.contains(u"default_price")) {
        Price price;
        if (!readPrice(root.value(u"default_price"), u"default_price"_s, &price, error))
            return false;
        config->defaultPrice = price;
    }
    if (root.contains(u"aliases")
        && !readAliases(root.value(u"aliases"), config->providers, &config->aliases, error))
        return false;
    if (root.contains(u"cache") && !readCache(root.value(u"cache"), &config->cache, error))
        return false;
    if (root.contains(u"routing") && !readRouting(root.value(u"routing"), &config->routing, error))
        return false;
    if (root.contains(u"sim") && !readSim(root.value(u"sim"), &config->sim, error))
        return false;
    return true;
}

QString prefix(const QString &sourceName)
{
    return sourceName.isEmpty() ? u"config: "_s : u"config "_s + sourceName + u": "_s;
}

ProviderConfig vendor(const QString &name, const QString &baseUrl, const QString &keyEnv,
                      const QStringList &models)
{
    ProviderConfig p;
    p.name = name;
    p.kind = name;
    p.baseUrl = baseUrl;
    p.apiKeyEnv = keyEnv;
    p.apiKey = qEnvironmentVariable(keyEnv.toLocal8Bit().constData());
    p.models = models;
    return p;
}

} // namespace

std::optional<Config> ConfigLoader::loadFile(const QString &path, QString *error)
{
    QFile file(path);
    QByteArray json;
    if (file.open(QIODevice::ReadOnly))
        json = file.readAll();
    if (file.error() != QFileDevice::NoError) {   // also a directory, or a read error
        if (error)
            *error = prefix(path) + u"cannot read: "_s + file.errorString();
        return std::nullopt;
    }
    return fromJson(json, path, error);
}

std::optional<Config> ConfigLoader::fromJson(const QByteArray &json, const QString &sourceName,
                                             QString *error)
{
    QString ignored;
    QString &message = error ? *error : ignored;

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Editors show lines and columns, not byte offsets.
        const qsizetype offset = std::clamp<qsizetype>(parseError.offset, 0, json.size());
        const QByteArrayView before(json.constData(), offset);
        const qsizetype line = before.count('\n') + 1;
        const qsizetype column = offset - (before.lastIndexOf('\n') + 1) + 1;
        message = prefix(sourceName) + u"invalid JSON at line "_s + QString::number(line)
            + u", column "_s + QString::number(column) + u" (offset "_s + QString::number(offset)
            + u"): "_s + parseError.errorString();
        return std::nullopt;
    }
    if (!document.isObject()) {
        message = prefix(sourceName) + u"the top level must be a JSON object, not "_s
            + (document.isArray() ? u"an array"_s : u"a scalar"_s);
        return std::nullopt;
    }

    Config config = defaults();
    config.sourceFile = sourceName;
    QString reason;
    if (!readConfig(document.object(), &config, &reason)) {
        message = prefix(sourceName) + reason;
        return std::nullopt;
    }
    return config;
}

Config ConfigLoader::defaults()
{
    Config config;
    config.providers = {
        vendor(u"openai"_s, u"https://api.openai.com/v1"_s, u"OPENAI_API_KEY"_s,
               {u"gpt-*"_s, u"o1*"_s, u"o3*"_s, u"o4*"_s, u"chatgpt-*"_s}),
        vendor(u"anthropic"_s, u"https://api.anthropic.com"_s, u"ANTHROPIC_API_KEY"_s,
               {u"claude-*"_s}),
    };
    return config;
}

void ConfigLoader::applyDemo(Config &config)
{
    config.demo = true;
    const auto existing = std::find_if(config.providers.cbegin(), config.providers.cend(),
                                       [](const ProviderConfig &p) { return p.name == u"sim"_s; });
    if (existing != config.providers.cend()) {
        // The user configured "sim" already (its patterns, its place in the
        // priority order); that choice wins over the demo's default.
        if (existing->kind != u"sim"_s)
            qCWarning(lcConfig) << "--demo: a provider named \"sim\" of kind" << existing->kind
                                << "is configured; the simulated provider is not added";
        return;
    }
    ProviderConfig sim;
    sim.name = u"sim"_s;
    sim.kind = u"sim"_s;
    sim.models = {u"sim-*"_s};
    config.providers.append(sim);
}

bool ConfigLoader::parseListen(const QString &text, QString *host, quint16 *port, QString *reason)
{
    const auto reject = [&](const QString &why) {
        if (reason)
            *reason = u"\""_s + text + u"\": "_s + why;
        return false;
    };
    const QString example = u" (expected HOST:PORT, e.g. 127.0.0.1:7070 or [::1]:7070)"_s;

    QString h;
    QString portText;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0)
            return reject(u"missing ']' after the IPv6 address"_s + example);
        if (text.mid(close + 1, 1) != u":"_s)
            return reject(u"missing :PORT"_s + example);
        h = text.mid(1, close - 1);
        portText = text.mid(close + 2);
        if (QHostAddress(h).protocol() != QAbstractSocket::IPv6Protocol)
            return reject(u"\""_s + h + u"\" is not an IPv6 address"_s);
    } else {
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon < 0)
            return reject(u"missing :PORT"_s + example);
        h = text.left(colon);
        portText = text.mid(colon + 1);
        if (h.contains(u':'))
            return reject(u"an IPv6 address goes in brackets, e.g. [::1]:7070"_s);
        if (h.isEmpty())
            return reject(u"missing host"_s + example);
        const bool hostnameChars = std::all_of(h.cbegin(), h.cend(), [](QChar c) {
            return (c.isLetterOrNumber() && c.unicode() < 128) || c == u'.' || c == u'-';
        });
        const bool looksNumeric = std::all_of(h.cbegin(), h.cend(),
                                              [](QChar c) { return c.isDigit() || c == u'.'; });
        if (!hostnameChars || (looksNumeric && QHostAddress(h).isNull()))
            return reject(u"\""_s + h + u"\" is not a host name or IP address"_s);
    }

    // toUInt() alone would accept "+80" and " 80".
    bool ok = false;
    const uint value = portText.toUInt(&ok);
    const bool digitsOnly = std::all_of(portText.cbegin(), portText.cend(),
                                        [](QChar c) { return c.isDigit(); });
    if (portText.isEmpty() || !digitsOnly || !ok || value > 65535)
        return reject(u"port must be a number from 0 to 65535 (0 picks a free port)"_s);
    if (host)
        *host = h;
    if (port)
        *port = quint16(value);
    return true;
}

std::optional<Price> ConfigLoader::parsePrice(const QJsonValue &value, QString *error)
{
    QString ignored;
    Price price;
    if (!readPrice(value, QString(), &price, error ? error : &ignored))
        return std::nullopt;
    return price;
}
