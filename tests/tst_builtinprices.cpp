// tollgate-test-links: tollgate_config tollgate_resources
//
// The price table compiled into the binary: it is found at run time (the
// resource of a static library is easy to lose), covers the demo's models
// and the vendors' current ones, and holds only sane numbers.

#include "config/builtinprices.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_BuiltinPrices : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resourceIsCompiledIn();
    void knownModels_data();
    void knownModels();
    void everyEntryIsSane();
    void snapshotsCostLikeTheirModel_data();
    void snapshotsCostLikeTheirModel();
    void maxOutputTokensCoversEveryModel();
};

void tst_BuiltinPrices::resourceIsCompiledIn()
{
    QVERIFY2(QFile::exists(BuiltinPrices::resourcePath()), qPrintable(BuiltinPrices::resourcePath()));
    QVERIFY(BuiltinPrices::load().size() >= 20);
}

void tst_BuiltinPrices::knownModels_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<double>("input");
    QTest::addColumn<double>("output");
    QTest::addColumn<double>("cacheRead");    // -1: not in the table
    QTest::addColumn<double>("cacheWrite");   // -1: not in the table
    QTest::addColumn<qint64>("maxOutput");

    // The demo shows real spend only if these two are priced (CONTRACT.md).
    QTest::newRow("sim-small") << u"sim-small"_s << 0.5 << 1.5 << 0.05 << 0.625 << qint64(4096);
    QTest::newRow("sim-large") << u"sim-large"_s << 3.0 << 15.0 << 0.3 << 3.75 << qint64(8192);

    QTest::newRow("gpt-4o") << u"gpt-4o"_s << 2.5 << 10.0 << 1.25 << -1.0 << qint64(16384);
    QTest::newRow("gpt-4o-mini") << u"gpt-4o-mini"_s << 0.15 << 0.6 << 0.075 << -1.0 << qint64(16384);
    QTest::newRow("gpt-4.1") << u"gpt-4.1"_s << 2.0 << 8.0 << 0.5 << -1.0 << qint64(32768);
    QTest::newRow("o3") << u"o3"_s << 2.0 << 8.0 << 0.5 << -1.0 << qint64(100000);
    QTest::newRow("gpt-5") << u"gpt-5"_s << 1.25 << 10.0 << 0.125 << -1.0 << qint64(128000);
    QTest::newRow("gpt-5-nano") << u"gpt-5-nano"_s << 0.05 << 0.4 << 0.005 << -1.0 << qint64(128000);
    QTest::newRow("claude-sonnet-4-5") << u"claude-sonnet-4-5"_s << 3.0 << 15.0 << 0.3 << 3.75
                                       << qint64(64000);
    QTest::newRow("claude-opus-4-1") << u"claude-opus-4-1"_s << 15.0 << 75.0 << 1.5 << 18.75
                                     << qint64(32000);
    QTest::newRow("claude-haiku-4-5") << u"claude-haiku-4-5"_s << 1.0 << 5.0 << 0.1 << 1.25
                                      << qint64(64000);
    QTest::newRow("claude-3-5-haiku") << u"claude-3-5-haiku"_s << 0.8 << 4.0 << 0.08 << 1.0
                                      << qint64(8192);
}

void tst_BuiltinPrices::knownModels()
{
    QFETCH(QString, model);
    QFETCH(double, input);
    QFETCH(double, output);
    QFETCH(double, cacheRead);
    QFETCH(double, cacheWrite);
    QFETCH(qint64, maxOutput);

    const QHash<QString, Price> prices = BuiltinPrices::load();
    QVERIFY2(prices.contains(model), qPrintable(model));
    const Price price = prices.value(model);
    QCOMPARE(price.inputPerMTok, input);
    QCOMPARE(price.outputPerMTok, output);
    QCOMPARE(price.cacheReadPerMTok.value_or(-1.0), cacheRead);
    QCOMPARE(price.cacheWritePerMTok.value_or(-1.0), cacheWrite);
    QCOMPARE(BuiltinPrices::maxOutputTokens().value(model), maxOutput);
}

void tst_BuiltinPrices::everyEntryIsSane()
{
    const QStringList required = {
        u"gpt-4o"_s, u"gpt-4o-mini"_s, u"gpt-4.1"_s, u"gpt-4.1-mini"_s, u"gpt-4.1-nano"_s,
        u"o1"_s, u"o1-mini"_s, u"o3"_s, u"o3-mini"_s, u"o4-mini"_s,
        u"gpt-5"_s, u"gpt-5-mini"_s, u"gpt-5-nano"_s,
        u"claude-opus-4-1"_s, u"claude-opus-4"_s, u"claude-sonnet-4-5"_s, u"claude-sonnet-4"_s,
        u"claude-3-7-sonnet"_s, u"claude-3-5-haiku"_s, u"claude-haiku-4-5"_s,
        u"sim-small"_s, u"sim-large"_s,
    };
    const QHash<QString, Price> prices = BuiltinPrices::load();
    for (const QString &model : required)
        QVERIFY2(prices.contains(model), qPrintable(u"missing "_s + model));

    for (auto it = prices.cbegin(); it != prices.cend(); ++it) {
        const Price &p = it.value();
        const QByteArray name = it.key().toUtf8();
        QVERIFY2(!it.key().isEmpty(), "empty model name");
        QVERIFY2(p.inputPerMTok >= 0 && p.outputPerMTok >= 0, name.constData());
        QVERIFY2(p.cacheReadPerMTok.value_or(0) >= 0, name.constData());
        QVERIFY2(p.cacheWritePerMTok.value_or(0) >= 0, name.constData());
        // Real vendors charge something; a zero here would be a typo that
        // silently makes every call free.
        QVERIFY2(p.inputPerMTok > 0 && p.outputPerMTok > 0, name.constData());
        // Output tokens never cost less than input, and a cache read never
        // more than an uncached token: both would be transposed columns.
        QVERIFY2(p.outputPerMTok >= p.inputPerMTok, name.constData());
        QVERIFY2(p.cacheReadPerMTok.value_or(0) <= p.inputPerMTok, name.constData());
        if (it.key().startsWith(u"claude-"_s)) {
            QVERIFY2(p.cacheReadPerMTok && qFuzzyCompare(*p.cacheReadPerMTok, p.inputPerMTok * 0.1),
                     name.constData());
            QVERIFY2(p.cacheWritePerMTok && qFuzzyCompare(*p.cacheWritePerMTok, p.inputPerMTok * 1.25),
                     name.constData());
        }
    }
}

void tst_BuiltinPrices::snapshotsCostLikeTheirModel_data()
{
    QTest::addColumn<QString>("snapshot");
    QTest::addColumn<QString>("model");

    // The ids clients actually send (Claude Code sends dated ones).
    QTest::newRow("sonnet 4.5") << u"claude-sonnet-4-5-20250929"_s << u"claude-sonnet-4-5"_s;
    QTest::newRow("haiku 3.5 latest") << u"claude-3-5-haiku-latest"_s << u"claude-3-5-haiku"_s;
    QTest::newRow("gpt-4o-mini") << u"gpt-4o-mini-2024-07-18"_s << u"gpt-4o-mini"_s;
}

void tst_BuiltinPrices::snapshotsCostLikeTheirModel()
{
    QFETCH(QString, snapshot);
    QFETCH(QString, model);
    const QHash<QString, Price> prices = BuiltinPrices::load();
    QVERIFY2(prices.contains(snapshot), qPrintable(snapshot));
    QCOMPARE(prices.value(snapshot), prices.value(model));
    QCOMPARE(BuiltinPrices::maxOutputTokens().value(snapshot),
             BuiltinPrices::maxOutputTokens().value(model));
}

void tst_BuiltinPrices::maxOutputTokensCoversEveryModel()
{
    const QHash<QString, Price> prices = BuiltinPrices::load();
    const QHash<QString, qint64> maxOutput = BuiltinPrices::maxOutputTokens();
    QCOMPARE(maxOutput.size(), prices.size());
    for (auto it = maxOutput.cbegin(); it != maxOutput.cend(); ++it) {
        QVERIFY2(prices.contains(it.key()), qPrintable(it.key()));
        QVERIFY2(it.value() >= 1024 && it.value() <= 1000000, qPrintable(it.key()));
    }
}

QTEST_GUILESS_MAIN(tst_BuiltinPrices)
#include "tst_builtinprices.moc"
