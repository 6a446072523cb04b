#pragma once

// Small readers for JSON configuration fields that report errors as
// "FIELD PATH: reason" (with a did-you-mean for unknown keys), shared by the
// config loader's sections.

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace JsonFields {
bool fail(QString *error, const QString &path, const QString &reason);
QString member(const QString &path, const QString &name);
QString element(const QString &path, qsizetype index);
QString keyed(const QString &path, const QString &key);
QString describe(QJsonValue::Type type);
bool expect(const QJsonValue &value, QJsonValue::Type type, const QString &path, QString *error);
bool isComment(const QString &key);
qsizetype editDistance(const QString &a, const QString &b);
bool checkKeys(const QJsonObject &object, const QString &path, const QStringList &known, QString *error);
bool readString(const QJsonValue &value, const QString &path, QString *out, QString *error);
bool readNumber(const QJsonValue &value, const QString &path, bool allowZero, double max, double *out, QString *error);
bool readNonNegative(const QJsonValue &value, const QString &path, double *out, QString *error);
bool readInt(const QJsonValue &value, const QString &path, int min, int max, int *out, QString *error);
}
