#include "textdiff.h"

#include <QHash>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

// Marks which lines of a are deleted and which of b are inserted, by
// splitting each box on the middle snake of its shortest edit path
// (Myers 1986, section 4b). Lines are compared as interned integers.
class Myers
{
public:
    Myers(const std::vector<int> &a, const std::vector<int> &b)
        : m_a(a), m_b(b), m_deleted(a.size(), false), m_inserted(b.size(), false)
    {
        const std::size_t size = 2 * (a.size() + b.size()) + 3;
        m_forward.assign(size, 0);
        m_backward.assign(size, 0);
        m_offset = int(a.size() + b.size()) + 1;
    }

    void run() { compare(0, int(m_a.size()), 0, int(m_b.size())); }

    const std::vector<bool> &deleted() const { return m_deleted; }
    const std::vector<bool> &inserted() const { return m_inserted; }

private:
    struct Snake
    {
        int x, y, u, v;   // from (x, y) to (u, v), relative to the box
    };

    void compare(int a0, int a1, int b0, int b1)
    {
        while (a0 < a1 && b0 < b1 && m_a[a0] == m_b[b0]) {
            ++a0;
            ++b0;
        }
        while (a0 < a1 && b0 < b1 && m_a[a1 - 1] == m_b[b1 - 1]) {
            --a1;
            --b1;
        }
        if (a0 == a1) {
            for (int j = b0; j < b1; ++j)
                m_inserted[j] = true;
            return;
        }
        if (b0 == b1) {
            for (int i = a0; i < a1; ++i)
                m_deleted[i] = true;
            return;
        }
        const Snake s = middleSnake(a0, a1, b0, b1);
        // Both halves are strictly smaller boxes: with the common prefix and
        // suffix gone, the snake can neither start at the box's origin and
        // end at its far corner nor leave the whole box on one side.
        compare(a0, a0 + s.x, b0, b0 + s.y);
        compare(a0 + s.u, a1, b0 + s.v, b1);
    }

    Snake middleSnake(int a0, int a1, int b0, int b1)
    {
        const int n = a1 - a0;
        const int m = b1 - b0;
        const int delta = n - m;
        const bool odd = (delta & 1) != 0;
        const int maxD = (n + m + 1) / 2;
        int *vf = m_forward.data() + m_offset;
        int *vb = m_backward.data() + m_offset;
        vf[1] = 0;
        vb[1] = 0;
        for (int d = 0; d <= maxD; ++d) {
            for (int k = -d; k <= d; k += 2) {
                int x = (k == -d || (k != d && vf[k - 1] < vf[k + 1])) ? vf[k + 1] : vf[k - 1] + 1;
                int y = x - k;
                const int x0 = x;
                const int y0 = y;
                while (x < n && y < m && m_a[a0 + x] == m_b[b0 + y]) {
                    ++x;
                    ++y;
                }
                vf[k] = x;
                const int c = delta - k;   // the same diagonal, counted from the far corner
                if (odd && c >= -(d - 1) && c <= d - 1 && vf[k] + vb[c] >= n)
                    return {x0, y0, x, y};
            }
            for (int k = -d; k <= d; k += 2) {
                int x = (k == -d || (k != d && vb[k - 1] < vb[k + 1])) ? vb[k + 1] : vb[k - 1] + 1;
                int y = x - k;
                const int x0 = x;
                const int y0 = y;
                while (x < n && y < m && m_a[a1 - 1 - x] == m_b[b1 - 1 - y]) {
                    ++x;
                    ++y;
                }
                vb[k] = x;
                const int c = delta - k;
                if (!odd && c >= -d && c <= d && vb[k] + vf[c] >= n)
                    return {n - x, m - y, n - x0, m - y0};
            }
        }
        Q_UNREACHABLE();   // the paths always meet by d = ceil((n + m) / 2)
        return {0, 0, n, m};
    }

    const std::vector<int> &m_a;
    const std::vector<int> &m_b;
    std::vector<bool> m_deleted;
    std::vector<bool> m_inserted;
    std::vector<int> m_forward;
    std::vector<int> m_backward;
    int m_offset = 0;
};

} // namespace

QStringList TextDiff::splitLines(const QString &text)
{
    QStringList lines = text.split(u'\n');
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();   // "a\n" is one line, "" is none
    for (QString &l : lines) {
        if (l.endsWith(u'\r'))
            l.chop(1);
    }
    return lines;
}

QString TextDiff::opName(Op op)
{
    switch (op) {
    case Op::Insert:
        return u"insert"_s;
    case Op::Delete:
        return u"delete"_s;
    case Op::Equal:
        break;
    }
    return u"equal"_s;
}

QList<TextDiff::Line> TextDiff::compare(const QString &oldText, const QString &newText)
{
    return compareLines(splitLines(oldText), splitLines(newText));
}

QList<TextDiff::Line> TextDiff::compareLines(const QStringList &oldLines, const QStringList &newLines)
{
    QHash<QString, int> ids;
    auto intern = [&ids](const QStringList &lines) {
        std::vector<int> out;
        out.reserve(lines.size());
        for (const QString &l : lines) {
            auto it = ids.constFind(l);
            if (it == ids.cend())
                it = ids.insert(l, int(ids.size()));
            out.push_back(*it);
        }
        return out;
    };
    const std::vector<int> a = intern(oldLines);
    const std::vector<int> b = intern(newLines);
    Myers myers(a, b);
    myers.run();

    QList<Line> out;
    out.reserve(qMax(oldLines.size(), newLines.size()));
    const int n = int(a.size());
    const int m = int(b.size());
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
        if (i < n && myers.deleted()[i]) {
            out.append({Op::Delete, i + 1, 0, oldLines.at(i)});
            ++i;
        } else if (j < m && myers.inserted()[j]) {
            out.append({Op::Insert, 0, j + 1, newLines.at(j)});
            ++j;
        } else {
            out.append({Op::Equal, i + 1, j + 1, newLines.at(j)});
            ++i;
            ++j;
        }
    }
    return out;
}
