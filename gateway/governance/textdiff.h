#pragma once

// A line diff of two texts, for showing what changed between two versions
// of a prompt template side by side. It is Myers' O(ND) algorithm in its
// linear-space form (the one GNU diff and git use), so two texts of a few
// thousand lines cost milliseconds and little memory whatever their
// difference; the result is a shortest edit script. Lines are split on
// "\n" (a trailing "\r" is dropped, and a final newline starts no line).
// Within each changed block deletions come before insertions, so a view
// can pair them up row by row.
//
//   for (const TextDiff::Line &l : TextDiff::compare(v1.templateText, v2.templateText))
//       view.addRow(l.op, l.oldLine, l.newLine, l.text);

#include <QList>
#include <QString>
#include <QStringList>

class TextDiff
{
public:
    enum class Op { Equal, Insert, Delete };

    struct Line
    {
        Op op = Op::Equal;
        int oldLine = 0;   // 1-based in the old text; 0 for an insertion
        int newLine = 0;   // 1-based in the new text; 0 for a deletion
        QString text;

        friend bool operator==(const Line &, const Line &) = default;
    };

    static QList<Line> compare(const QString &oldText, const QString &newText);
    static QList<Line> compareLines(const QStringList &oldLines, const QStringList &newLines);

    static QStringList splitLines(const QString &text);
    static QString opName(Op op);   // "equal", "insert", "delete"
};
