// tollgate-test-links: tollgate_governance
//
// The line diff the window shows between two prompt versions: the classic
// cases give the rows a reader expects (line numbers on each side, deletions
// before insertions in a changed block), and on thousands of random and
// large inputs the result always rebuilds both texts and is a shortest edit
// script (as many equal lines as the longest common subsequence).

#include "governance/textdiff.h"

#include <QRandomGenerator>
#include <QTest>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

QString row(const TextDiff::Line &l)
{
    const char16_t op = l.op == TextDiff::Op::Equal ? u'=' : l.op == TextDiff::Op::Insert ? u'+' : u'-';
    return QString(QChar(op)) + u' ' + QString::number(l.oldLine) + u' ' + QString::number(l.newLine) + u' '
        + l.text;
}

QStringList rows(const QList<TextDiff::Line> &lines)
{
    QStringList out;
    for (const TextDiff::Line &l : lines)
        out.append(row(l));
    return out;
}

int lcsLength(const QStringList &a, const QStringList &b)
{
    std::vector<int> prev(b.size() + 1, 0);
    std::vector<int> cur(b.size() + 1, 0);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        for (qsizetype j = 1; j <= b.size(); ++j)
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : qMax(prev[j], cur[j - 1]);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// Everything a side-by-side view relies on; returns the number of equal rows.
int checkScript(const QStringList &a, const QStringList &b, const QList<TextDiff::Line> &diff)
{
    QStringList rebuiltOld;
    QStringList rebuiltNew;
    int equal = 0;
    bool inserting = false;   // inside a changed block, after its first insertion
    for (const TextDiff::Line &l : diff) {
        switch (l.op) {
        case TextDiff::Op::Equal:
            ++equal;
            inserting = false;
            rebuiltOld.append(l.text);
            rebuiltNew.append(l.text);
            if (l.oldLine != rebuiltOld.size() || l.newLine != rebuiltNew.size())
                return -1;
            break;
        case TextDiff::Op::Delete:
            if (inserting)
                return -2;
            rebuiltOld.append(l.text);
            if (l.oldLine != rebuiltOld.size() || l.newLine != 0)
                return -1;
            break;
        case TextDiff::Op::Insert:
            inserting = true;
            rebuiltNew.append(l.text);
            if (l.newLine != rebuiltNew.size() || l.oldLine != 0)
                return -1;
            break;
        }
    }
    if (rebuiltOld != a || rebuiltNew != b)
        return -3;
    return equal;
}

} // namespace

class TstTextDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cases_data();
    void cases();
    void splitLines_data();
    void splitLines();
    void randomInputsGiveShortestScripts();
    void largeInputs();
    void opNames();
};

void TstTextDiff::cases_data()
{
    QTest::addColumn<QString>("oldText");
    QTest::addColumn<QString>("newText");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("both empty") << QString() << QString() << QStringList();
    QTest::newRow("equal") << u"a\nb\nc\n"_s << u"a\nb\nc\n"_s
                           << QStringList{u"= 1 1 a"_s, u"= 2 2 b"_s, u"= 3 3 c"_s};
    QTest::newRow("old empty") << QString() << u"a\nb"_s << QStringList{u"+ 0 1 a"_s, u"+ 0 2 b"_s};
    QTest::newRow("new empty") << u"a\nb"_s << QString() << QStringList{u"- 1 0 a"_s, u"- 2 0 b"_s};
    QTest::newRow("insert in the middle") << u"a\nc"_s << u"a\nb\nc"_s
                                          << QStringList{u"= 1 1 a"_s, u"+ 0 2 b"_s, u"= 2 3 c"_s};
    QTest::newRow("insert at the start") << u"b\nc"_s << u"a\nb\nc"_s
                                         << QStringList{u"+ 0 1 a"_s, u"= 1 2 b"_s, u"= 2 3 c"_s};
    QTest::newRow("append") << u"a"_s << u"a\nb\nc"_s << QStringList{u"= 1 1 a"_s, u"+ 0 2 b"_s, u"+ 0 3 c"_s};
    QTest::newRow("delete in the middle") << u"a\nb\nc"_s << u"a\nc"_s
                                          << QStringList{u"= 1 1 a"_s, u"- 2 0 b"_s, u"= 3 2 c"_s};
    QTest::newRow("delete at the end") << u"a\nb\nc"_s << u"a"_s
                                       << QStringList{u"= 1 1 a"_s, u"- 2 0 b"_s, u"- 3 0 c"_s};
    QTest::newRow("replace one line") << u"a\nb\nc"_s << u"a\nx\nc"_s
                                      << QStringList{u"= 1 1 a"_s, u"- 2 0 b"_s, u"+ 0 2 x"_s, u"= 3 3 c"_s};
    QTest::newRow("replace a block by a longer one")
        << u"keep\nold 1\nold 2\nkeep too"_s << u"keep\nnew 1\nnew 2\nnew 3\nkeep too"_s
        << QStringList{u"= 1 1 keep"_s,  u"- 2 0 old 1"_s, u"- 3 0 old 2"_s,     u"+ 0 2 new 1"_s,
                       u"+ 0 3 new 2"_s, u"+ 0 4 new 3"_s, u"= 4 5 keep too"_s};
    QTest::newRow("everything replaced") << u"a\nb"_s << u"x\ny"_s
                                         << QStringList{u"- 1 0 a"_s, u"- 2 0 b"_s, u"+ 0 1 x"_s, u"+ 0 2 y"_s};
    QTest::newRow("line moved to the end") << u"a\nb\nc"_s << u"b\nc\na"_s
                                           << QStringList{u"- 1 0 a"_s, u"= 2 1 b"_s, u"= 3 2 c"_s, u"+ 0 3 a"_s};
    QTest::newRow("repeated lines") << u"x\nx\nx"_s << u"x\nx"_s
                                    << QStringList{u"= 1 1 x"_s, u"= 2 2 x"_s, u"- 3 0 x"_s};
    QTest::newRow("blank lines count") << u"a\n\nb"_s << u"a\nb"_s
                                       << QStringList{u"= 1 1 a"_s, u"- 2 0 "_s, u"= 3 2 b"_s};
    QTest::newRow("CRLF and LF are the same") << u"a\r\nb\r\n"_s << u"a\nb"_s
                                              << QStringList{u"= 1 1 a"_s, u"= 2 2 b"_s};
    QTest::newRow("whitespace matters") << u"a "_s << u"a"_s << QStringList{u"- 1 0 a "_s, u"+ 0 1 a"_s};
}

void TstTextDiff::cases()
{
    QFETCH(QString, oldText);
    QFETCH(QString, newText);
    QFETCH(QStringList, expected);
    const QList<TextDiff::Line> diff = TextDiff::compare(oldText, newText);
    QCOMPARE(rows(diff), expected);
    QVERIFY(checkScript(TextDiff::splitLines(oldText), TextDiff::splitLines(newText), diff) >= 0);
}

void TstTextDiff::splitLines_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("lines");
    QTest::newRow("empty") << QString() << QStringList();
    QTest::newRow("one newline") << u"\n"_s << QStringList{QString()};
    QTest::newRow("no final newline") << u"a\nb"_s << QStringList{u"a"_s, u"b"_s};
    QTest::newRow("final newline") << u"a\nb\n"_s << QStringList{u"a"_s, u"b"_s};
    QTest::newRow("two final newlines") << u"a\n\n"_s << QStringList{u"a"_s, QString()};
    QTest::newRow("CRLF") << u"a\r\nb\r\n"_s << QStringList{u"a"_s, u"b"_s};
    QTest::newRow("lone CR kept inside") << u"a\rb"_s << QStringList{u"a\rb"_s};
}

void TstTextDiff::splitLines()
{
    QFETCH(QString, text);
    QFETCH(QStringList, lines);
    QCOMPARE(TextDiff::splitLines(text), lines);
}

void TstTextDiff::randomInputsGiveShortestScripts()
{
    QRandomGenerator rng(20260314);
    const QStringList alphabet{u"a"_s, u"b"_s, u"c"_s, u"d"_s};
    auto randomLines = [&](int maxLength, int letters) {
        QStringList out;
        const int n = int(rng.bounded(maxLength + 1));
        for (int i = 0; i < n; ++i)
            out.append(alphabet.at(int(rng.bounded(letters))));
        return out;
    };
    for (int round = 0; round < 3000; ++round) {
        const int letters = 1 + round % 4;
        const QStringList a = randomLines(round % 3 == 0 ? 6 : 40, letters);
        QStringList b = randomLines(round % 3 == 0 ? 6 : 40, letters);
        if (round % 5 == 0) {   // near-equal texts, the common case for prompt versions
            b = a;
            for (int edits = int(rng.bounded(4)); edits > 0 && !b.isEmpty(); --edits)
                b.removeAt(int(rng.bounded(b.size())));
            b.insert(int(rng.bounded(b.size() + 1)), u"new"_s);
        }
        const QList<TextDiff::Line> diff = TextDiff::compareLines(a, b);
        const int equal = checkScript(a, b, diff);
        QVERIFY2(equal >= 0, qPrintable(u"round %1: broken script (%2) for %3 -> %4"_s.arg(round).arg(equal).arg(
                                 a.join(u','), b.join(u','))));
        QVERIFY2(equal == lcsLength(a, b), qPrintable(u"round %1: not shortest for %2 -> %3"_s.arg(round).arg(
                                               a.join(u','), b.join(u','))));
    }
}

void TstTextDiff::largeInputs()
{
    // A 4000-line template edited in many places, and two unrelated ones:
    // the worst case for the edit distance.
    QStringList a;
    for (int i = 0; i < 4000; ++i)
        a.append(u"line "_s + QString::number(i));
    QStringList b = a;
    int removed = 0;
    for (int i = int(b.size()) - 1; i >= 0; i -= 37) {
        b[i] = u"changed "_s + QString::number(i);
        ++removed;
    }
    for (int i = 0; i < int(b.size()); i += 101)
        b.insert(i, u"added"_s);
    QCOMPARE(checkScript(a, b, TextDiff::compareLines(a, b)), int(a.size()) - removed);

    QStringList c;
    for (int i = 0; i < 3000; ++i)
        c.append(u"other "_s + QString::number(i));
    const QList<TextDiff::Line> disjoint = TextDiff::compareLines(a, c);
    QCOMPARE(checkScript(a, c, disjoint), 0);
    QCOMPARE(disjoint.size(), a.size() + c.size());
}

void TstTextDiff::opNames()
{
    QCOMPARE(TextDiff::opName(TextDiff::Op::Equal), u"equal"_s);
    QCOMPARE(TextDiff::opName(TextDiff::Op::Insert), u"insert"_s);
    QCOMPARE(TextDiff::opName(TextDiff::Op::Delete), u"delete"_s);
}

QTEST_GUILESS_MAIN(TstTextDiff)
#include "tst_textdiff.moc"
