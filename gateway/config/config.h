#pragma once

// The gateway's configuration: what the JSON config file says, with the
// contract's defaults for what it leaves out. ConfigLoader builds it.

#include "core/price.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

struct ProviderConfig
{
    QString name;
    QString kind;                // "openai", "anthropic" or "sim"
    QString baseUrl;             // openai kind: up to and including /v1
    QString apiKeyEnv;           // environment variable holding the key
    QString apiKey;              // resolved from apiKeyEnv (or "api_key") at load
    QStringList models;          // glob patterns, '*' matches any run of characters
    int connectTimeoutMs = 10000;
    int firstByteTimeoutMs = 120000;  // until the response head arrives
    int idleTimeoutMs = 120000;       // longest gap between body bytes
};

struct AliasTarget
{
    QString provider;
    QString model;
};

struct SimConfig
{
    int tokensPerSecond = 40;    // pace of streamed tokens
    int firstTokenMs = 150;      // latency before the first byte
    int outputTokens = 96;       // default answer length when max_tokens is larger
};

struct CacheConfig
{
    bool enabled = true;
    int ttlS = 3600;
    qint64 maxBytes = 256LL * 1024 * 1024;
};

struct RoutingConfig
{
    int retries = 1;             // extra tries on the same provider before falling back
    int backoffMs = 250;         // first retry delay; doubles, with full jitter
    int breakerFailures = 3;     // consecutive failures that open a provider's circuit
    int breakerCooldownS = 30;   // how long an open circuit waits before a probe
};

struct Config
{
    QString sourceFile;          // empty when built from defaults
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 7070;
    bool passthrough = false;
    bool demo = false;
    qint64 maxBodyBytes = 32LL * 1024 * 1024;
    int maxHeaderBytes = 64 * 1024;
    int idleConnectionTimeoutS = 120;
    QList<ProviderConfig> providers;
    QHash<QString, Price> prices;            // overrides of the built-in table
    std::optional<Price> defaultPrice;       // for models with no price
    QHash<QString, QList<AliasTarget>> aliases;
    SimConfig sim;
    CacheConfig cache;
    RoutingConfig routing;
};
