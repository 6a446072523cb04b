#include "jsonfields.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace JsonFields {

// Every check below returns false after storing "<field path>: <reason>" in
// *error; fromJson() adds the "config <file>: " prefix once, at the top.
bool fail(QString *error, const QString &path, const QString &reason)
{
    *error = path.isEmpty() ? reason : path + u": "_s + reason;
    return false;
}

QString member(const QString &path, const QString &name)
{
    return path.isEmpty() ? name : path + u'.' + name;
}

QString element(const QString &path, qsizetype index)
{
    return path + u'[' + QString::number(index) + u']';
}

// Object keys chosen by the user (model and alias names) may contain dots
// ("gpt-4.1"), so they are quoted to keep the path unambiguous.
QString keyed(const QString &path, const QString &key)
{
    return path + u"[\""_s + key + u"\"]"_s;
}

QString describe(QJsonValue::Type type)
{
    switch (type) {
    case QJsonValue::Null: return u"null"_s;
    case QJsonValue::Bool: return u"a boolean"_s;
    case QJsonValue::Double: return u"a number"_s;
    case QJsonValue::String: return u"a string"_s;
    case QJsonValue::Array: return u"an array"_s;
    case QJsonValue::Object: return u"an object"_s;
    case QJsonValue::Undefined: break;
    }
    return u"nothing"_s;
}

// A required field that is absent reaches here as Undefined, so "missing" is
// reported without a separate check per field.
bool expect(const QJsonValue &value, QJsonValue::Type type, const QString &path, QString *error)
{
    if (value.type() == type)
        return true;
    if (value.isUndefined())
        return fail(error, path, u"missing (required)"_s);
    return fail(error, path, u"must be "_s + describe(type) + u", not "_s + describe(value.type()));
}

bool isComment(const QString &key)
{
    return key.startsWith(u'_') || key.startsWith(u'$');
}

qsizetype editDistance(const QString &a, const QString &b)
{
    QList<qsizetype> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (qsizetype i = 1; i <= a.size(); ++i) {
        qsizetype diagonal = row[0];
        row[0] = i;
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const qsizetype above = row[j];
            const qsizetype substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// A misspelt field would otherwise be ignored and the user left wondering why
// the setting has no effect, so unknown keys are errors. '_' and '$' keys are
// the conventional escape for comments and "$schema".
bool checkKeys(const QJsonObject &object, const QString &path, const QStringList &known,
               QString *error)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        if (known.contains(key) || isComment(key))
            continue;
        const auto closest = std::min_element(known.begin(), known.end(),
                                              [&key](const QString &a, const QString &b) {
                                                  return editDistance(key, a) < editDistance(key, b);
                                              });
        QString hint;
        if (closest != known.end() && editDistance(key, *closest) <= 2)
            hint = u" (did you mean \""_s + *closest + u"\"?)"_s;
        else
            hint = u" (expected one of: "_s + known.join(u", "_s) + u')';
        return fail(error, member(path, key), u"unknown field"_s + hint);
    }
    return true;
}

// Names, patterns and URLs; an empty one is always a mistake.
bool readString(const QJsonValue &value, const QString &path, QString *out, QString *error)
{
    if (!expect(value, QJsonValue::String, path, error))
        return false;
    *out = value.toString();
    if (out->trimmed().isEmpty())
        return fail(error, path, u"must not be empty"_s);
    return true;
}

// Prices may be zero (a local model); sizes must be positive. max only keeps
// later unit conversions from overflowing.
bool readNumber(const QJsonValue &value, const QString &path, bool allowZero, double max,
                double *out, QString *error)
{
    if (!expect(value, QJsonValue::Double, path, error))
        return false;
    const double d = value.toDouble();
    const QString got = u" (got "_s + QString::number(d) + u')';
    if (!std::isfinite(d) || d < 0 || (!allowZero && d == 0))
        return fail(error, path, (allowZero ? u"must not be negative"_s
                                            : u"must be a positive number"_s) + got);
    if (d > max)
        return fail(error, path, u"must be at most "_s + QString::number(max) + got);
    *out = d;
    return true;
}

bool readNonNegative(const QJsonValue &value, const QString &path, double *out, QString *error)
{
    return readNumber(value, path, true, 1e12, out, error);
}

bool readInt(const QJsonValue &value, const QString &path, int min, int max, int *out,
             QString *error)
{
    if (!value.isDouble() && !value.isUndefined())
        return fail(error, path, u"must be an integer, not "_s + describe(value.type()));
    if (!expect(value, QJsonValue::Double, path, error))
        return false;
    const double d = value.toDouble();
    const QString got = u" (got "_s + QString::number(d) + u')';
    if (!std::isfinite(d) || std::floor(d) != d)
        return fail(error, path, u"must be an integer"_s + got);
    if (d < min || d > max) {
        const QString range = max == INT_MAX
            ? (min == 1 ? u"must be positive"_s : u"must be at least "_s + QString::number(min))
            : u"must be between "_s + QString::number(min) + u" and "_s + QString::number(max);
        return fail(error, path, range + got);
    }
    *out = int(d);
    return true;
}

} // namespace JsonFields
