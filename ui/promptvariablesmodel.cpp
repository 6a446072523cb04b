#include "promptvariablesmodel.h"

#include "governance/promptlibrary.h"

#include <QFontDatabase>

PromptVariablesModel::PromptVariablesModel(QObject *parent) : QAbstractTableModel(parent) {}

void PromptVariablesModel::setTemplateText(const QString &text)
{
    const QStringList names = PromptLibrary::placeholders(text);
    if (names == m_names)
        return;
    beginResetModel();
    m_names = names;
    endResetModel();
}

void PromptVariablesModel::setValue(const QString &name, const QString &value)
{
    const int row = int(m_names.indexOf(name));
    if (row >= 0)
        setData(index(row, Value), value);
    else
        m_values.insert(name, value);
}

QHash<QString, QString> PromptVariablesModel::variables() const
{
    QHash<QString, QString> out;
    for (const QString &n : m_names)
        out.insert(n, m_values.value(n));
    return out;
}

int PromptVariablesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_names.size());
}

int PromptVariablesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PromptVariablesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &name = m_names.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole: return index.column() == Name ? name : m_values.value(name);
    case Qt::FontRole:
        if (index.column() == Name)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        break;
    case Qt::ToolTipRole:
        if (index.column() == Value)
            return tr("The text put in place of {{%1}}; double-click to edit").arg(name);
        break;
    }
    return {};
}

bool PromptVariablesModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || index.column() != Value
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const QString &name = m_names.at(index.row());
    const QString text = value.toString();
    if (m_values.value(name) == text && m_values.contains(name))
        return true;
    m_values.insert(name, text);
    Q_EMIT dataChanged(index, index);
    Q_EMIT valuesChanged();
    return true;
}

Qt::ItemFlags PromptVariablesModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Value)
        f |= Qt::ItemIsEditable;
    return f;
}

QVariant PromptVariablesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    return section == Name ? tr("Variable") : tr("Value");
}
