#pragma once

// Turns the JSON configuration file (CONTRACT.md, "Configuration file") into a
// Config, or into one error message that names the file, the field path and
// the reason, so a user can fix a typo without reading the source. Unknown
// fields are errors for the same reason; keys starting with '_' or '$' are
// left for comments and a "$schema" link.
//
//     QString error;
//     const auto config = ConfigLoader::loadFile(path, &error);
//     if (!config) { qCCritical(lcConfig).noquote() << error; return 1; }

#include "config.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <optional>

class ConfigLoader
{
public:
    // Reads and validates a config file. On failure returns nullopt and, when
    // error is not null, stores a message starting "config <path>: ".
    static std::optional<Config> loadFile(const QString &path, QString *error);

    // Same, for JSON already in memory; sourceName stands in for the path in
    // messages and becomes Config::sourceFile.
    static std::optional<Config> fromJson(const QByteArray &json, const QString &sourceName,
                                          QString *error);

    // What the gateway runs with when there is no config file: OpenAI and
    // Anthropic, keys taken from OPENAI_API_KEY and ANTHROPIC_API_KEY.
    static Config defaults();

    // --demo: makes sure the simulated provider "sim" serving "sim-*" is
    // configured (appended, so configured providers keep their priority).
    static void applyDemo(Config &config);

    // "HOST:PORT" as taken by "listen" and --listen; IPv6 hosts in brackets
    // ("[::1]:7070"), the brackets are not part of *host. Port 0 is allowed
    // (pick a free port). On failure returns false and sets *reason.
    static bool parseListen(const QString &text, QString *host, quint16 *port, QString *reason);

    // A PRICE object ({input_per_mtok, output_per_mtok, cache_read_per_mtok?,
    // cache_write_per_mtok?}, non-negative numbers), as found in "prices",
    // "default_price" and the body of PUT /admin/prices/{model}. On failure
    // *error is "<field>: <reason>", relative to the object.
    static std::optional<Price> parsePrice(const QJsonValue &value, QString *error);
};
