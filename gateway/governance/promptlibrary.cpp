#include "promptlibrary.h"

#include <QDateTime>
#include <QJsonValue>
#include <QLocale>
#include <QSet>
#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {

bool isNameStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isNameChar(QChar c)
{
    return isNameStart(c) || (c >= u'0' && c <= u'9') || c == u'.' || c == u'-';
}

bool isBlank(QChar c)
{
    return c == u' ' || c == u'\t';
}

// Calls found(begin, end, name) for every {{ name }} in text, left to right.
// Braces that do not hold a valid name stay text; "{{{x}}}" is "{" + {{x}} + "}".
template<typename Found>
void forEachPlaceholder(QStringView text, Found found)
{
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i + 1 < n) {
        if (text[i] != u'{' || text[i + 1] != u'{') {
            ++i;
            continue;
        }
        qsizetype p = i + 2;
        while (p < n && isBlank(text[p]))
            ++p;
        const qsizetype nameBegin = p;
        if (p < n && isNameStart(text[p])) {
            ++p;
            while (p < n && isNameChar(text[p]))
                ++p;
        }
        const qsizetype nameEnd = p;
        while (p < n && isBlank(text[p]))
            ++p;
        if (nameEnd > nameBegin && p + 1 < n && text[p] == u'}' && text[p + 1] == u'}') {
            found(i, p + 2, text.sliced(nameBegin, nameEnd - nameBegin));
            i = p + 2;
        } else {
            ++i;
        }
    }
}

QString jsonKind(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Null:
        return u"null"_s;
    default:
        return u"undefined"_s;
    }
}

QString numberText(double d)
{
    // Integers print as integers ("3", not "3.0" or "3e+00"); the rest as
    // the shortest text that reads back as the same number.
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9007199254740992.0)
        return QString::number(qint64(d));
    return QString::number(d, 'g', QLocale::FloatingPointShortest);
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

PromptLibrary::PromptLibrary(QObject *parent) : QObject(parent) {}

void PromptLibrary::load(const QList<PromptRecord> &prompts)
{
    m_prompts.clear();
    for (PromptRecord p : prompts) {
        std::sort(p.versions.begin(), p.versions.end(),
                  [](const PromptVersion &a, const PromptVersion &b) { return a.version < b.version; });
        // The first version is activated with its insertion; a record
        // without an active version can only come from an interrupted write.
        if (p.activeVersion == 0 && !p.versions.isEmpty())
            p.activeVersion = p.versions.constFirst().version;
        m_prompts.insert(p.name, std::move(p));
    }
}

bool PromptLibrary::isValidName(const QString &name)
{
    if (name.isEmpty() || name.size() > kMaxNameLength)
        return false;
    return std::all_of(name.cbegin(), name.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_'
            || c == u'.' || c == u'-';
    });
}

bool PromptLibrary::checkTemplate(const QString &templateText, QString *error)
{
    if (templateText.trimmed().isEmpty()) {
        setError(error, u"the template must not be empty"_s);
        return false;
    }
    // A UTF-16 unit is at least one UTF-8 byte, so only texts near the
    // limit need encoding to be measured.
    if (templateText.size() > kMaxTemplateBytes
        || (templateText.size() * 3 > kMaxTemplateBytes && templateText.toUtf8().size() > kMaxTemplateBytes)) {
        setError(error, u"the template is larger than "_s + QString::number(kMaxTemplateBytes / 1024) + u" KiB"_s);
        return false;
    }
    return true;
}

int PromptLibrary::addVersion(const QString &name, const QString &templateText, QString *error)
{
    if (!isValidName(name)) {
        setError(error, u"invalid prompt name '"_s + name + u"': use 1 to "_s + QString::number(kMaxNameLength)
                            + u" characters of A-Z, a-z, 0-9, '_', '.' and '-'"_s);
        return 0;
    }
    if (!checkTemplate(templateText, error))
        return 0;

    PromptRecord &record = m_prompts[name];
    record.name = name;
    PromptVersion v;
    v.version = record.versions.isEmpty() ? 1 : record.versions.constLast().version + 1;
    v.templateText = templateText;
    v.createdAt = QDateTime::currentDateTimeUtc();
    record.versions.append(v);
    const bool first = record.activeVersion == 0;
    if (first)
        record.activeVersion = v.version;

    Q_EMIT versionAdded(name, v);
    if (first)
        Q_EMIT activeChanged(name, v.version);
    return v.version;
}

bool PromptLibrary::setActive(const QString &name, int version)
{
    if (!findVersion(name, version))
        return false;
    PromptRecord &record = m_prompts[name];
    if (record.activeVersion != version) {
        record.activeVersion = version;
        Q_EMIT activeChanged(name, version);
    }
    return true;
}

const PromptRecord *PromptLibrary::find(const QString &name) const
{
    const auto it = m_prompts.constFind(name);
    return it == m_prompts.cend() ? nullptr : &it.value();
}

const PromptVersion *PromptLibrary::findVersion(const QString &name, int version) const
{
    const PromptRecord *record = find(name);
    if (!record)
        return nullptr;
    const auto it = std::lower_bound(record->versions.cbegin(), record->versions.cend(), version,
                                     [](const PromptVersion &v, int n) { return v.version < n; });
    return it != record->versions.cend() && it->version == version ? &*it : nullptr;
}

QList<PromptRecord> PromptLibrary::all() const
{
    return m_prompts.values();
}

QString PromptLibrary::render(const QString &name, std::optional<int> version,
                              const QHash<QString, QString> &variables, QString *error, int *usedVersion) const
{
    const PromptRecord *record = find(name);
    if (!record) {
        setError(error, u"unknown prompt template '"_s + name + u'\'');
        return {};
    }
    const int wanted = version.value_or(record->activeVersion);
    const PromptVersion *v = findVersion(name, wanted);
    if (!v) {
        const int latest = record->versions.isEmpty() ? 0 : record->versions.constLast().version;
        setError(error, version ? QString(u"prompt '"_s + name + u"' has no version "_s + QString::number(wanted)
                                          + u" (latest is "_s + QString::number(latest) + u')')
                                : QString(u"prompt '"_s + name + u"' has no active version"_s));
        return {};
    }

    const QStringView text(v->templateText);
    QString out;
    out.reserve(text.size());
    QStringList missing;
    qsizetype copied = 0;
    forEachPlaceholder(text, [&](qsizetype begin, qsizetype end, QStringView var) {
        out.append(text.sliced(copied, begin - copied));
        copied = end;
        const auto it = variables.constFind(var.toString());
        if (it != variables.cend()) {
            out.append(*it);
        } else {
            const QString missingName = var.toString();
            if (!missing.contains(missingName))
                missing.append(missingName);
        }
    });
    if (!missing.isEmpty()) {
        setError(error, (missing.size() == 1 ? u"missing variable '"_s : u"missing variables '"_s)
                            + missing.join(u"', '"_s) + u"' for prompt '"_s + name + u"' v"_s
                            + QString::number(v->version));
        return {};
    }
    out.append(text.sliced(copied));
    if (out.isNull())
        out = u""_s;   // an empty result is still a success
    if (usedVersion)
        *usedVersion = v->version;
    return out;
}

QString PromptLibrary::render(const QString &name, std::optional<int> version, const QJsonObject &variables,
                              QString *error, int *usedVersion) const
{
    QHash<QString, QString> text;
    if (!toTextVariables(variables, &text, error))
        return {};
    return render(name, version, text, error, usedVersion);
}

bool PromptLibrary::toTextVariables(const QJsonObject &variables, QHash<QString, QString> *out, QString *error)
{
    out->reserve(variables.size());
    for (auto it = variables.begin(); it != variables.end(); ++it) {
        const QJsonValue value = it.value();
        switch (value.type()) {
        case QJsonValue::String:
            out->insert(it.key(), value.toString());
            break;
        case QJsonValue::Double:
            out->insert(it.key(), numberText(value.toDouble()));
            break;
        case QJsonValue::Bool:
            out->insert(it.key(), value.toBool() ? u"true"_s : u"false"_s);
            break;
        default:
            setError(error, u"variable '"_s + it.key() + u"' must be a string, number or boolean, not "_s
                                + jsonKind(value));
            return false;
        }
    }
    return true;
}

QStringList PromptLibrary::placeholders(const QString &templateText)
{
    QStringList names;
    QSet<QStringView> seen;
    forEachPlaceholder(templateText, [&](qsizetype, qsizetype, QStringView name) {
        if (!seen.contains(name)) {
            seen.insert(name);
            names.append(name.toString());
        }
    });
    return names;
}
