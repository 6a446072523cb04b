#pragma once

// Two versions of a prompt side by side, one row per line pair: old line
// number and text on the left, new on the right. Within a changed block the
// deleted lines are paired with the inserted ones row by row (TextDiff puts
// deletions first), so a replaced line reads across. Deleted lines are
// tinted red and marked "−", inserted ones green and "+": translucent tints
// over the view's own base colour, so light and dark palettes both read.
//
//   client->diffPrompt(name, 1, 2, this, [model](const QList<TextDiff::Line> &d) { model->setDiff(d); });

#include "governance/textdiff.h"

#include <QAbstractTableModel>
#include <QList>
#include <optional>

class PromptDiffModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { OldLine, OldText, NewLine, NewText, ColumnCount };
    // "equal", "insert" or "delete" for the line on this cell's side; empty
    // where the side has no line.
    enum Role { OpRole = Qt::UserRole + 1 };

    explicit PromptDiffModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void setDiff(const QList<TextDiff::Line> &lines);
    void clear();
    int insertions() const { return m_insertions; }
    int deletions() const { return m_deletions; }

    // The tints, for a legend.
    static QColor insertColor();
    static QColor deleteColor();

private:
    struct Row
    {
        std::optional<TextDiff::Line> left;
        std::optional<TextDiff::Line> right;
    };
    QList<Row> m_rows;
    int m_insertions = 0;
    int m_deletions = 0;
};
