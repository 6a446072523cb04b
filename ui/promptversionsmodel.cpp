#include "promptversionsmodel.h"

#include "promptsmodel.h"
#include "uiformat.h"

#include <QFont>
#include <algorithm>

using namespace Qt::StringLiterals;

PromptVersionsModel::PromptVersionsModel(PromptsModel *prompts, QObject *parent)
    : QAbstractTableModel(parent), m_prompts(prompts)
{
    connect(prompts, &QAbstractItemModel::modelReset, this, &PromptVersionsModel::sync);
    connect(prompts, &QAbstractItemModel::dataChanged, this, &PromptVersionsModel::sync);
}

void PromptVersionsModel::setTemplateName(const QString &name)
{
    if (name == m_name)
        return;
    beginResetModel();
    m_name = name;
    m_versions.clear();
    m_active = 0;
    if (const PromptRecord *p = m_prompts->find(name)) {
        m_versions = p->versions;
        std::reverse(m_versions.begin(), m_versions.end());
        m_active = p->activeVersion;
    }
    endResetModel();
    Q_EMIT versionsChanged();
}

void PromptVersionsModel::sync()
{
    const PromptRecord *p = m_prompts->find(m_name);
    QList<PromptVersion> fresh = p ? p->versions : QList<PromptVersion>();
    std::reverse(fresh.begin(), fresh.end());
    const int active = p ? p->activeVersion : 0;

    // Versions never change once added, so the old list is the tail of the
    // new one unless the template went away (or the store was reloaded).
    const qsizetype added = fresh.size() - m_versions.size();
    bool isTail = added >= 0;
    for (qsizetype i = 0; isTail && i < m_versions.size(); ++i)
        isTail = fresh.at(added + i).version == m_versions.at(i).version;
    if (!isTail) {
        beginResetModel();
        m_versions = fresh;
        m_active = active;
        endResetModel();
        Q_EMIT versionsChanged();
        return;
    }
    const bool activeMoved = active != m_active;
    if (added > 0) {
        beginInsertRows({}, 0, int(added) - 1);
        m_versions = fresh;
        endInsertRows();
    }
    m_active = active;
    if (activeMoved && !m_versions.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    if (added > 0 || activeMoved)
        Q_EMIT versionsChanged();
}

int PromptVersionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_versions.size());
}

int PromptVersionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int PromptVersionsModel::versionAt(int row) const
{
    return row >= 0 && row < m_versions.size() ? m_versions.at(row).version : 0;
}

int PromptVersionsModel::rowOfVersion(int version) const
{
    for (qsizetype i = 0; i < m_versions.size(); ++i) {
        if (m_versions.at(i).version == version)
            return int(i);
    }
    return -1;
}

QString PromptVersionsModel::textOf(int version) const
{
    const int row = rowOfVersion(version);
    return row < 0 ? QString() : m_versions.at(row).templateText;
}

int PromptVersionsModel::previousVersion() const
{
    int best = 0;
    for (const PromptVersion &v : m_versions) {
        if (v.version < m_active && v.version > best)
            best = v.version;
    }
    return best;
}

static QString firstLine(const QString &text)
{
    const QString line = text.section(u'\n', 0, 0).trimmed();
    return line.size() > 120 ? line.left(119) + u'…' : line;
}

QVariant PromptVersionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PromptVersion &v = m_versions.at(index.row());
    const bool active = v.version == m_active;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Version: return QString(u"v"_s + QString::number(v.version));
        case Created: return UiFormat::when(v.createdAt);
        case Active: return active ? tr("● active") : QString();
        case Preview: return firstLine(v.templateText);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case Version: return v.version;
        case Created: return v.createdAt;
        case Active: return active ? 1 : 0;
        case Preview: return v.templateText;
        }
        break;
    case Qt::FontRole:
        if (active) {
            QFont f;
            f.setBold(true);
            return f;
        }
        break;
    case Qt::ToolTipRole: return v.templateText.left(2000);
    case Qt::AccessibleTextRole:
        return active ? tr("version %1, active").arg(v.version) : tr("version %1").arg(v.version);
    case VersionRole: return v.version;
    case ActiveRole: return active;
    case TextRole: return v.templateText;
    }
    return {};
}

QVariant PromptVersionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Version: return tr("Version");
    case Created: return tr("Created");
    case Active: return tr("Active");
    case Preview: return tr("First line");
    }
    return {};
}
