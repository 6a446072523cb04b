// tollgate-test-links: tollgate_governance
//
// The book of money held for calls in flight: reservations add up per key
// and per run, releasing gives back exactly what was held, a reservation
// is held and released at most once, and after any number of calls the
// book is empty again, with no rounding residue left to block a cap.

#include "governance/budgetbook.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

Reservation held(std::optional<qint64> key, const QString &run, double usd)
{
    Reservation r;
    r.keyId = key;
    r.runId = run;
    r.usd = usd;
    return r;
}

} // namespace

class tst_BudgetBook : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reserveAndRelease();
    void keyOnlyAndRunOnly();
    void reserveAndReleaseAtMostOnce();
    void noResidueAfterManyCalls_data();
    void noResidueAfterManyCalls();
};

void tst_BudgetBook::reserveAndRelease()
{
    BudgetBook book;
    QCOMPARE(book.keyReserved(1), 0.0);
    QCOMPARE(book.runReserved(u"r"_s), 0.0);
    QCOMPARE(book.outstanding(), 0);

    Reservation a = held(1, u"r"_s, 0.5);
    Reservation b = held(1, u"r"_s, 0.25);
    Reservation c = held(2, u"s"_s, 0.125);
    book.reserve(a);
    QVERIFY(a.active);
    book.reserve(b);
    book.reserve(c);
    QCOMPARE(book.keyReserved(1), 0.75);
    QCOMPARE(book.runReserved(u"r"_s), 0.75);
    QCOMPARE(book.keyReserved(2), 0.125);
    QCOMPARE(book.runReserved(u"s"_s), 0.125);
    QCOMPARE(book.outstanding(), 3);

    book.release(a);
    QVERIFY(!a.active);
    QCOMPARE(book.keyReserved(1), 0.25);
    QCOMPARE(book.runReserved(u"r"_s), 0.25);
    QCOMPARE(book.keyReserved(2), 0.125);
    QCOMPARE(book.outstanding(), 2);

    book.release(b);
    book.release(c);
    QCOMPARE(book.keyReserved(1), 0.0);
    QCOMPARE(book.runReserved(u"r"_s), 0.0);
    QCOMPARE(book.keyReserved(2), 0.0);
    QCOMPARE(book.runReserved(u"s"_s), 0.0);
    QCOMPARE(book.outstanding(), 0);
}

void tst_BudgetBook::keyOnlyAndRunOnly()
{
    BudgetBook book;
    Reservation keyOnly = held(7, QString(), 1.0);
    Reservation runOnly = held(std::nullopt, u"pass-through-run"_s, 2.0);
    book.reserve(keyOnly);
    book.reserve(runOnly);
    QCOMPARE(book.keyReserved(7), 1.0);
    QCOMPARE(book.runReserved(QString()), 0.0);
    QCOMPARE(book.runReserved(u"pass-through-run"_s), 2.0);
    QCOMPARE(book.outstanding(), 2);
    book.release(runOnly);
    QCOMPARE(book.runReserved(u"pass-through-run"_s), 0.0);
    QCOMPARE(book.keyReserved(7), 1.0);
    book.release(keyOnly);
    QCOMPARE(book.keyReserved(7), 0.0);
    QCOMPARE(book.outstanding(), 0);
}

void tst_BudgetBook::reserveAndReleaseAtMostOnce()
{
    BudgetBook book;
    Reservation r = held(1, u"r"_s, 0.3);
    // Released before it was ever held: nothing happens.
    book.release(r);
    QCOMPARE(book.outstanding(), 0);
    QCOMPARE(book.keyReserved(1), 0.0);

    book.reserve(r);
    book.reserve(r);
    QCOMPARE(book.keyReserved(1), 0.3);
    QCOMPARE(book.runReserved(u"r"_s), 0.3);
    QCOMPARE(book.outstanding(), 1);

    Reservation other = held(1, u"r"_s, 0.2);
    book.reserve(other);
    book.release(r);
    book.release(r);   // every path out of a call releases; only the first counts
    QCOMPARE(book.keyReserved(1), 0.2);
    QCOMPARE(book.runReserved(u"r"_s), 0.2);
    QCOMPARE(book.outstanding(), 1);
    book.release(other);
    QCOMPARE(book.outstanding(), 0);
    QCOMPARE(book.keyReserved(1), 0.0);
}

void tst_BudgetBook::noResidueAfterManyCalls_data()
{
    QTest::addColumn<quint32>("seed");
    QTest::addColumn<int>("calls");
    QTest::newRow("seed 1") << 1u << 2000;
    QTest::newRow("seed 42") << 42u << 5000;
    QTest::newRow("seed 2026") << 2026u << 20000;
}

void tst_BudgetBook::noResidueAfterManyCalls()
{
    QFETCH(quint32, seed);
    QFETCH(int, calls);
    QRandomGenerator rng(seed);
    BudgetBook book;
    QList<Reservation> inFlight;
    const QStringList runs{u"a"_s, u"b"_s, QString()};
    for (int i = 0; i < calls; ++i) {
        // Mostly new calls while few are in flight, mostly endings later.
        const bool start = inFlight.isEmpty() || rng.bounded(100) < (inFlight.size() < 50 ? 60 : 40);
        if (start) {
            const qint64 key = rng.bounded(4);   // 0: no key
            // Costs across many magnitudes, none of them exact in binary.
            const double usd = rng.generateDouble() * std::pow(10.0, rng.bounded(-6, 3)) + 1e-7;
            Reservation r = held(key ? std::optional<qint64>(key) : std::nullopt, runs.at(rng.bounded(3)), usd);
            book.reserve(r);
            inFlight.append(r);
        } else {
            Reservation r = inFlight.takeAt(rng.bounded(inFlight.size()));
            book.release(r);
        }
        QCOMPARE(book.outstanding(), inFlight.size());
        if (i % 97 == 0) {
            // What the book holds is what is in flight.
            for (qint64 key = 1; key <= 3; ++key) {
                double expected = 0;
                for (const Reservation &r : std::as_const(inFlight))
                    expected += r.keyId == key ? r.usd : 0.0;
                QVERIFY2(qAbs(book.keyReserved(key) - expected) < 1e-9,
                         qPrintable(u"key %1: %2 vs %3"_s.arg(key).arg(book.keyReserved(key)).arg(expected)));
            }
        }
    }
    while (!inFlight.isEmpty()) {
        Reservation r = inFlight.takeLast();
        book.release(r);
    }
    QCOMPARE(book.outstanding(), 0);
    for (qint64 key = 0; key <= 3; ++key)
        QVERIFY2(book.keyReserved(key) == 0.0, qPrintable(QString::number(book.keyReserved(key), 'g', 17)));
    for (const QString &run : runs)
        QVERIFY2(book.runReserved(run) == 0.0, qPrintable(QString::number(book.runReserved(run), 'g', 17)));
}

QTEST_GUILESS_MAIN(tst_BudgetBook)
#include "tst_budgetbook.moc"
