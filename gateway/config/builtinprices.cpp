#include "builtinprices.h"

#include "config/configloader.h"
#include "core/logging.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <utility>

using namespace Qt::StringLiterals;

// No Q_INIT_RESOURCE here: qt_add_resources on the static tollgate_resources
// builds the registration into an object library whose object file CMake
// links straight into every executable that links tollgate_resources, where
// its static initializer registers the data before main(). Referencing
// qInitResources_tollgate_data from this file would instead make every
// executable that links tollgate_config fail to link unless it also links
// the resources, even if it never asks for a price.

namespace {

using Table = std::pair<QHash<QString, Price>, QHash<QString, qint64>>;

Table parseTable()
{
    Table table;
    const QString path = BuiltinPrices::resourcePath();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        qCWarning(lcConfig).noquote() << "built-in price table" << path
                                      << "is missing (is tollgate_resources linked?):"
                                      << file.errorString();
        return table;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    const QJsonObject models = document.object().value(u"models").toObject();
    if (parseError.error != QJsonParseError::NoError || models.isEmpty()) {
        qCWarning(lcConfig).noquote() << "built-in price table" << path << "is malformed:"
                                      << parseError.errorString();
        return table;
    }

    for (auto it = models.begin(); it != models.end(); ++it) {
        if (it.key().startsWith(u'_'))
            continue;
        QJsonObject entry = it.value().toObject();
        const qint64 maxOutput = entry.take(u"max_output_tokens").toInteger(0);
        const QJsonArray snapshots = entry.take(u"snapshots").toArray();
        QString error;
        const std::optional<Price> price = ConfigLoader::parsePrice(entry, &error);
        if (!price) {
            // One bad row should not cost the user every other price.
            qCWarning(lcConfig).noquote() << "built-in price table: skipping" << it.key() << error;
            continue;
        }
        QStringList names{it.key()};
        for (const QJsonValue &snapshot : snapshots)
            names.append(snapshot.toString());
        for (const QString &name : std::as_const(names)) {
            if (name.isEmpty())
                continue;
            table.first.insert(name, *price);
            if (maxOutput > 0)
                table.second.insert(name, maxOutput);
        }
    }
    return table;
}

const Table &table()
{
    static const Table parsed = parseTable();
    return parsed;
}

} // namespace

QHash<QString, Price> BuiltinPrices::load()
{
    return table().first;
}

QHash<QString, qint64> BuiltinPrices::maxOutputTokens()
{
    return table().second;
}

QString BuiltinPrices::resourcePath()
{
    return u":/tollgate/prices.json"_s;
}
