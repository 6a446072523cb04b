#include "promptsmodel.h"

#include "gatewayclient.h"
#include "uiformat.h"

#include <QFont>

using namespace Qt::StringLiterals;

PromptsModel::PromptsModel(GatewayClient *client, QObject *parent) : QAbstractTableModel(parent), m_client(client)
{
    if (!client)
        return;
    connect(client, &GatewayClient::attached, this, &PromptsModel::refresh);
    connect(client, &GatewayClient::promptsChanged, this, &PromptsModel::refresh);
    if (client->isAttached())
        refresh();
}

void PromptsModel::refresh()
{
    if (m_client)
        m_client->fetchPrompts(this, [this](const QList<PromptRecord> &prompts) { reset(prompts); });
}

void PromptsModel::reset(const QList<PromptRecord> &prompts)
{
    bool sameNames = prompts.size() == m_prompts.size();
    for (qsizetype i = 0; sameNames && i < prompts.size(); ++i)
        sameNames = prompts.at(i).name == m_prompts.at(i).name;
    if (sameNames) {
        m_prompts = prompts;
        if (!m_prompts.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    } else {
        beginResetModel();
        m_prompts = prompts;
        endResetModel();
    }
    m_loaded = true;
    Q_EMIT loaded();
}

int PromptsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_prompts.size());
}

int PromptsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int PromptsModel::rowOfName(const QString &name) const
{
    for (qsizetype i = 0; i < m_prompts.size(); ++i) {
        if (m_prompts.at(i).name == name)
            return int(i);
    }
    return -1;
}

QString PromptsModel::nameAt(int row) const
{
    return row >= 0 && row < m_prompts.size() ? m_prompts.at(row).name : QString();
}

const PromptRecord *PromptsModel::find(const QString &name) const
{
    const int row = rowOfName(name);
    return row < 0 ? nullptr : &m_prompts.at(row);
}

static QDateTime newestVersionTime(const PromptRecord &p)
{
    return p.versions.isEmpty() ? QDateTime() : p.versions.constLast().createdAt;
}

QVariant PromptsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PromptRecord &p = m_prompts.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name: return p.name;
        case Active: return p.activeVersion > 0 ? QString(u"v"_s + QString::number(p.activeVersion)) : tr("none");
        case Versions: return QString::number(p.versions.size());
        case Updated: return UiFormat::when(newestVersionTime(p));
        }
        break;
    case SortRole:
        switch (index.column()) {
        case Name: return p.name;
        case Active: return p.activeVersion;
        case Versions: return int(p.versions.size());
        case Updated: return newestVersionTime(p);
        }
        break;
    case NameRole: return p.name;
    case Qt::ToolTipRole:
        return tr("%1: %n version(s), v%2 active", nullptr, int(p.versions.size())).arg(p.name).arg(p.activeVersion);
    case Qt::TextAlignmentRole:
        if (index.column() == Versions)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant PromptsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return tr("Template");
    case Active: return tr("Active");
    case Versions: return tr("Versions");
    case Updated: return tr("Updated");
    }
    return {};
}
