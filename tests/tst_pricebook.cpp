// tollgate-test-links: tollgate_governance
//
// The price table the gateway bills with: the built-in table is overridden
// by the config file, which is overridden by admin changes, whatever order
// they arrive in; a dated snapshot costs what its model costs; a default
// price covers unknown models only when configured; worst-case output
// bounds are known for every model; and a cost is computed with cache
// prices that fall back to the input price.

#include "config/builtinprices.h"
#include "governance/pricebook.h"

#include <QTest>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Price)
Q_DECLARE_METATYPE(TokenUsage)

namespace {

Price price(double in, double out, std::optional<double> cacheRead = {}, std::optional<double> cacheWrite = {})
{
    Price p;
    p.inputPerMTok = in;
    p.outputPerMTok = out;
    p.cacheReadPerMTok = cacheRead;
    p.cacheWritePerMTok = cacheWrite;
    return p;
}

TokenUsage tokens(qint64 in, qint64 out, qint64 cacheRead = 0, qint64 cacheWrite = 0)
{
    TokenUsage u;
    u.inputTokens = in;
    u.outputTokens = out;
    u.cacheReadTokens = cacheRead;
    u.cacheWriteTokens = cacheWrite;
    return u;
}

// A small table in the shape of the real one.
PriceBook testBook()
{
    return PriceBook({{u"gpt-4o"_s, price(2.5, 10, 1.25)},
                      {u"gpt-4o-mini"_s, price(0.15, 0.6, 0.075)},
                      {u"gpt-4o-2024-05-13"_s, price(5, 15)},
                      {u"o1"_s, price(15, 60, 7.5)},
                      {u"claude-sonnet-4-5"_s, price(3, 15, 0.3, 3.75)},
                      {u"claude-3-5-haiku"_s, price(0.8, 4, 0.08, 1)}},
                     {{u"gpt-4o"_s, 16384}, {u"claude-sonnet-4-5"_s, 64000}, {u"o1"_s, 100000}});
}

} // namespace

class tst_PriceBook : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void overrideOrder();
    void adminChangeSurvivesConfigReload();
    void snapshotFallback_data();
    void snapshotFallback();
    void builtinSnapshots_data();
    void builtinSnapshots();
    void defaultPrice();
    void maxOutputTokens_data();
    void maxOutputTokens();
    void costOf_data();
    void costOf();
    void unpricedSeen();
};

void tst_PriceBook::overrideOrder()
{
    PriceBook book({{u"a"_s, price(1, 1)}, {u"b"_s, price(1, 1)}, {u"c"_s, price(1, 1)}});
    // Admin first, then config: the admin still wins where both set a price.
    book.setAdminPrices({{u"c"_s, price(3, 3)}, {u"admin-only"_s, price(4, 4)}});
    book.setConfigPrices({{u"b"_s, price(2, 2)}, {u"c"_s, price(2, 2)}, {u"config-only"_s, price(5, 5)}});

    QCOMPARE(book.priceFor(u"a"_s), price(1, 1));
    QCOMPARE(book.priceFor(u"b"_s), price(2, 2));
    QCOMPARE(book.priceFor(u"c"_s), price(3, 3));
    QCOMPARE(book.priceFor(u"admin-only"_s), price(4, 4));
    QCOMPARE(book.priceFor(u"config-only"_s), price(5, 5));
    QCOMPARE(book.all().size(), 5);
    QCOMPARE(book.all().value(u"c"_s), price(3, 3));
    QVERIFY(book.pricedModels().contains(u"config-only"_s));

    // A single admin change overrides both layers.
    book.setPrice(u"b"_s, price(6, 6));
    QCOMPARE(book.priceFor(u"b"_s), price(6, 6));
    // Dropping the admin layer shows the config again, then the builtin.
    book.setAdminPrices({});
    QCOMPARE(book.priceFor(u"b"_s), price(2, 2));
    QCOMPARE(book.priceFor(u"c"_s), price(2, 2));
    QVERIFY(!book.priceFor(u"admin-only"_s));
    book.setConfigPrices({});
    QCOMPARE(book.priceFor(u"c"_s), price(1, 1));
    QVERIFY(!book.priceFor(u"config-only"_s));
}

void tst_PriceBook::adminChangeSurvivesConfigReload()
{
    PriceBook book({{u"m"_s, price(1, 1)}});
    book.setPrice(u"m"_s, price(9, 9));
    book.setPrice(u"new"_s, price(7, 7));
    book.setConfigPrices({{u"m"_s, price(2, 2)}, {u"new"_s, price(2, 2)}});
    QCOMPARE(book.priceFor(u"m"_s), price(9, 9));
    QCOMPARE(book.priceFor(u"new"_s), price(7, 7));
}

void tst_PriceBook::snapshotFallback_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("pricedAs");   // empty: no price

    QTest::newRow("OpenAI dated snapshot") << u"gpt-4o-2024-08-06"_s << u"gpt-4o"_s;
    QTest::newRow("Anthropic dated snapshot") << u"claude-sonnet-4-5-20250929"_s << u"claude-sonnet-4-5"_s;
    QTest::newRow("mini snapshot stays mini") << u"gpt-4o-mini-2024-07-18"_s << u"gpt-4o-mini"_s;
    QTest::newRow("own snapshot price wins") << u"gpt-4o-2024-05-13"_s << u"gpt-4o-2024-05-13"_s;
    QTest::newRow("o1 snapshot") << u"o1-2024-12-17"_s << u"o1"_s;
    QTest::newRow("-latest alias") << u"claude-3-5-haiku-latest"_s << u"claude-3-5-haiku"_s;
    QTest::newRow("exact") << u"gpt-4o"_s << u"gpt-4o"_s;
    QTest::newRow("not a date") << u"gpt-4o-extra"_s << QString();
    QTest::newRow("date in the middle") << u"gpt-4o-2024-08-06-ft"_s << QString();
    QTest::newRow("unknown base") << u"gpt-9-2030-01-01"_s << QString();
    QTest::newRow("prefix is not a model") << u"gpt-4"_s << QString();
}

void tst_PriceBook::snapshotFallback()
{
    QFETCH(QString, model);
    QFETCH(QString, pricedAs);
    const PriceBook book = testBook();
    const std::optional<Price> own = book.ownPrice(model);
    if (pricedAs.isEmpty()) {
        QVERIFY(!own);
        QVERIFY(!book.priceFor(model));
        return;
    }
    QVERIFY(own);
    QCOMPARE(*own, *book.ownPrice(pricedAs));
    QCOMPARE(book.priceFor(model), own);
}

void tst_PriceBook::builtinSnapshots_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("base");
    QTest::newRow("gpt-4o") << u"gpt-4o-2024-08-06"_s << u"gpt-4o"_s;
    QTest::newRow("claude-sonnet-4-5") << u"claude-sonnet-4-5-20250929"_s << u"claude-sonnet-4-5"_s;
}

void tst_PriceBook::builtinSnapshots()
{
    QFETCH(QString, model);
    QFETCH(QString, base);
    const PriceBook book(BuiltinPrices::load(), BuiltinPrices::maxOutputTokens());
    QVERIFY2(book.priceFor(base), qPrintable(base));
    QVERIFY2(book.priceFor(model), qPrintable(model));
    QCOMPARE(*book.priceFor(model), *book.priceFor(base));
    QCOMPARE(book.maxOutputTokens(model), book.maxOutputTokens(base));

    // Pricing the base model through the config prices the snapshot too,
    // unless the snapshot has its own entry.
    PriceBook overridden(BuiltinPrices::load(), BuiltinPrices::maxOutputTokens());
    overridden.setConfigPrices({{base, price(123, 456)}});
    if (!BuiltinPrices::load().contains(model))
        QCOMPARE(*overridden.priceFor(model), price(123, 456));
}

void tst_PriceBook::defaultPrice()
{
    PriceBook book = testBook();
    QVERIFY(!book.hasDefault());
    QVERIFY(!book.priceFor(u"llama3:8b"_s));

    book.setDefaultPrice(price(1, 2));
    QVERIFY(book.hasDefault());
    QCOMPARE(book.priceFor(u"llama3:8b"_s), price(1, 2));
    // The default is a fallback, not a model's own price, and never beats one.
    QVERIFY(!book.ownPrice(u"llama3:8b"_s));
    QCOMPARE(book.priceFor(u"gpt-4o"_s), price(2.5, 10, 1.25));
    QCOMPARE(book.priceFor(u"gpt-4o-2024-08-06"_s), price(2.5, 10, 1.25));
    QVERIFY(!book.all().contains(u"llama3:8b"_s));

    book.setDefaultPrice(std::nullopt);
    QVERIFY(!book.hasDefault());
    QVERIFY(!book.priceFor(u"llama3:8b"_s));
}

void tst_PriceBook::maxOutputTokens_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<qint64>("expected");   // 0: any positive bound
    QTest::newRow("exact") << u"gpt-4o"_s << qint64(16384);
    QTest::newRow("snapshot") << u"claude-sonnet-4-5-20250929"_s << qint64(64000);
    QTest::newRow("o1 snapshot") << u"o1-2024-12-17"_s << qint64(100000);
    QTest::newRow("unknown") << u"my-local-model"_s << qint64(0);
}

void tst_PriceBook::maxOutputTokens()
{
    QFETCH(QString, model);
    QFETCH(qint64, expected);
    const PriceBook book = testBook();
    if (expected)
        QCOMPARE(book.maxOutputTokens(model), expected);
    else
        QVERIFY(book.maxOutputTokens(model) >= 4096);   // generous: a reservation must not be too small
}

void tst_PriceBook::costOf_data()
{
    QTest::addColumn<Price>("p");
    QTest::addColumn<TokenUsage>("usage");
    QTest::addColumn<double>("cost");

    QTest::newRow("input only") << price(2.5, 10) << tokens(1'000'000, 0) << 2.5;
    QTest::newRow("output only") << price(2.5, 10) << tokens(0, 500'000) << 5.0;
    QTest::newRow("both") << price(0.15, 0.6) << tokens(1000, 200) << (1000 * 0.15 + 200 * 0.6) / 1e6;
    QTest::newRow("cache read defaults to input") << price(3, 15) << tokens(0, 0, 1'000'000) << 3.0;
    QTest::newRow("cache write defaults to input") << price(3, 15) << tokens(0, 0, 0, 2'000'000) << 6.0;
    QTest::newRow("cache read own price") << price(3, 15, 0.3) << tokens(0, 0, 1'000'000) << 0.3;
    QTest::newRow("cache write own price") << price(3, 15, 0.3, 3.75) << tokens(0, 0, 0, 1'000'000) << 3.75;
    QTest::newRow("cache read own, write defaults")
        << price(3, 15, 0.3) << tokens(0, 0, 1'000'000, 1'000'000) << 3.3;
    QTest::newRow("free cache read") << price(3, 15, 0.0) << tokens(0, 0, 1'000'000) << 0.0;
    QTest::newRow("everything")
        << price(3, 15, 0.3, 3.75) << tokens(1000, 2000, 3000, 4000)
        << (1000 * 3 + 2000 * 15 + 3000 * 0.3 + 4000 * 3.75) / 1e6;
    QTest::newRow("nothing") << price(3, 15) << tokens(0, 0) << 0.0;
}

void tst_PriceBook::costOf()
{
    QFETCH(Price, p);
    QFETCH(TokenUsage, usage);
    QFETCH(double, cost);
    QVERIFY2(qAbs(p.costOf(usage) - cost) < 1e-12,
             qPrintable(QString::number(p.costOf(usage), 'g', 17) + u" vs "_s + QString::number(cost, 'g', 17)));
}

void tst_PriceBook::unpricedSeen()
{
    PriceBook book;
    QVERIFY(book.unpricedSeen().isEmpty());
    book.noteUnpriced(u"x"_s);
    book.noteUnpriced(u"x"_s);
    book.noteUnpriced(u"y"_s);
    QCOMPARE(book.unpricedSeen(), (QSet<QString>{u"x"_s, u"y"_s}));
}

QTEST_GUILESS_MAIN(tst_PriceBook)
#include "tst_pricebook.moc"
