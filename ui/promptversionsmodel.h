#pragma once

// The versions of one prompt template, newest first: number, when it was
// added, whether it is the active one, and its first line. Follows the
// PromptsModel it is handed, so a new version appears as an inserted row
// and a changed active version moves the marker without a reset.
//
//   versions->setTemplateName(u"greet"_s);
//   const int v = versions->versionAt(row);

#include "core/promptrecord.h"

#include <QAbstractTableModel>
#include <QList>

class PromptsModel;

class PromptVersionsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Version, Created, Active, Preview, ColumnCount };
    enum Role { VersionRole = Qt::UserRole + 1, ActiveRole, TextRole, SortRole };

    explicit PromptVersionsModel(PromptsModel *prompts, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void setTemplateName(const QString &name);
    QString templateName() const { return m_name; }
    int activeVersion() const { return m_active; }
    int versionAt(int row) const;
    int rowOfVersion(int version) const;
    QString textOf(int version) const;
    // The version a roll back returns to: the newest one older than the active.
    int previousVersion() const;

Q_SIGNALS:
    // The active version or the list of versions changed.
    void versionsChanged();

private:
    void sync();

    PromptsModel *m_prompts;
    QString m_name;
    QList<PromptVersion> m_versions;   // newest first
    int m_active = 0;
};
