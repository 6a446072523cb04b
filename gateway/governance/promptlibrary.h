#pragma once

// The stored prompt templates a request can name instead of writing its own
// system prompt. A template's versions are numbered 1, 2, 3… and never
// change once added, so a usage record's (prompt, version) always says which
// text was sent; "active" is only a pointer to one of them, moved by
// setActive() (which is also how a bad version is rolled back). The first
// version of a template becomes active by itself. Changes are announced
// with versionAdded() and activeChanged() so the store persists them and the
// window shows them; load() announces nothing.
//
//   const int v = prompts.addVersion(u"greet"_s, u"Greet {{ user }} from {{city}}."_s);
//   QString error;
//   const QString text = prompts.render(u"greet"_s, std::nullopt, variables, &error);

#include "core/promptrecord.h"

#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>
#include <optional>

class PromptLibrary : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxNameLength = 100;
    static constexpr qsizetype kMaxTemplateBytes = 256 * 1024;   // UTF-8

    explicit PromptLibrary(QObject *parent = nullptr);

    // Replaces the whole library with what the store holds.
    void load(const QList<PromptRecord> &prompts);

    // Adds the next version of name (creating the template); returns its
    // number, or 0 with the reason in error when the name or text is refused.
    int addVersion(const QString &name, const QString &templateText, QString *error = nullptr);
    // Points name at one of its existing versions; false when there is none.
    bool setActive(const QString &name, int version);

    // Valid until the library next changes.
    const PromptRecord *find(const QString &name) const;
    const PromptVersion *findVersion(const QString &name, int version) const;
    QList<PromptRecord> all() const;   // by name

    // The text of name's active version (or of version when given) with
    // every {{variable}} replaced. Values are inserted as they are, never
    // expanded again. On failure returns a null string and says why.
    QString render(const QString &name, std::optional<int> version, const QHash<QString, QString> &variables,
                   QString *error, int *usedVersion = nullptr) const;
    // JSON variables: strings, numbers and booleans are turned into text;
    // anything else is refused.
    QString render(const QString &name, std::optional<int> version, const QJsonObject &variables,
                   QString *error, int *usedVersion = nullptr) const;

    static bool isValidName(const QString &name);
    // Checks a template's size and text before it is stored.
    static bool checkTemplate(const QString &templateText, QString *error);
    // The distinct variable names a template uses, in order of appearance.
    static QStringList placeholders(const QString &templateText);
    // JSON variables as text; false (with error) for objects, arrays, null.
    static bool toTextVariables(const QJsonObject &variables, QHash<QString, QString> *out, QString *error);

Q_SIGNALS:
    void versionAdded(const QString &name, const PromptVersion &version);
    void activeChanged(const QString &name, int version);

private:
    QMap<QString, PromptRecord> m_prompts;
};
