#include "promptdiffmodel.h"

#include <QBrush>
#include <QColor>
#include <QFontDatabase>

using namespace Qt::StringLiterals;

PromptDiffModel::PromptDiffModel(QObject *parent) : QAbstractTableModel(parent) {}

QColor PromptDiffModel::insertColor()
{
    return QColor(46, 160, 67, 90);
}

QColor PromptDiffModel::deleteColor()
{
    return QColor(218, 54, 51, 90);
}

void PromptDiffModel::clear()
{
    setDiff({});
}

void PromptDiffModel::setDiff(const QList<TextDiff::Line> &lines)
{
    beginResetModel();
    m_rows.clear();
    m_insertions = 0;
    m_deletions = 0;
    QList<TextDiff::Line> deleted;
    QList<TextDiff::Line> inserted;
    auto flushBlock = [&] {
        const qsizetype n = std::max(deleted.size(), inserted.size());
        for (qsizetype i = 0; i < n; ++i) {
            Row row;
            if (i < deleted.size())
                row.left = deleted.at(i);
            if (i < inserted.size())
                row.right = inserted.at(i);
            m_rows.append(row);
        }
        deleted.clear();
        inserted.clear();
    };
    for (const TextDiff::Line &l : lines) {
        switch (l.op) {
        case TextDiff::Op::Equal:
            flushBlock();
            m_rows.append(Row{l, l});
            break;
        case TextDiff::Op::Delete:
            if (!inserted.isEmpty())   // a new block: TextDiff puts deletions first
                flushBlock();
            deleted.append(l);
            ++m_deletions;
            break;
        case TextDiff::Op::Insert:
            inserted.append(l);
            ++m_insertions;
            break;
        }
    }
    flushBlock();
    endResetModel();
}

int PromptDiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PromptDiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PromptDiffModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const bool leftSide = index.column() == OldLine || index.column() == OldText;
    const std::optional<TextDiff::Line> &line = leftSide ? row.left : row.right;
    if (!line) {
        if (role == OpRole)
            return QString();
        return {};
    }
    const bool changed = line->op != TextDiff::Op::Equal;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case OldLine:
            return QString((changed ? u"− "_s : QString()) + QString::number(line->oldLine));
        case NewLine:
            return QString((changed ? u"+ "_s : QString()) + QString::number(line->newLine));
        case OldText:
        case NewText: return line->text;
        }
        break;
    case Qt::BackgroundRole:
        if (line->op == TextDiff::Op::Insert)
            return QBrush(insertColor());
        if (line->op == TextDiff::Op::Delete)
            return QBrush(deleteColor());
        break;
    case Qt::FontRole: return QFontDatabase::systemFont(QFontDatabase::FixedFont);
    case Qt::ToolTipRole:
        if (index.column() == OldText || index.column() == NewText)
            return line->text;
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == OldLine || index.column() == NewLine)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::AccessibleTextRole:
        if (line->op == TextDiff::Op::Insert)
            return tr("inserted: %1").arg(line->text);
        if (line->op == TextDiff::Op::Delete)
            return tr("deleted: %1").arg(line->text);
        break;
    case OpRole: return TextDiff::opName(line->op);
    }
    return {};
}

QVariant PromptDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case OldLine:
    case NewLine: return tr("#");
    case OldText: return tr("Older version");
    case NewText: return tr("Newer version");
    }
    return {};
}
