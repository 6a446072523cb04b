// tollgate-test-links: tollgate_wire

// JsonScan finds an answer's top-level "usage" without parsing the rest, so
// it must never be fooled by the same name inside the text, a nested
// object or an escaped string, and must say Unsure rather than guess.

#include "wire/jsonscan.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

class TestJsonScan : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cases_data();
    void cases();
    void agreesWithQJsonOnGeneratedObjects();
};

Q_DECLARE_METATYPE(JsonScan::Status)

void TestJsonScan::cases_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<JsonScan::Status>("status");
    QTest::addColumn<QByteArray>("value");
    using S = JsonScan::Status;

    QTest::newRow("last member") << QByteArray(R"({"a":1,"usage":{"x":2}})") << S::Found << QByteArray(R"({"x":2})");
    QTest::newRow("first member, spaces")
        << QByteArray(" {\n \"usage\" : [1, {\"b\":\"}\"}] ,\"z\":null}\n") << S::Found
        << QByteArray(R"([1, {"b":"}"}])");
    QTest::newRow("number value") << QByteArray(R"({"usage":12.5e3,"b":true})") << S::Found << QByteArray("12.5e3");
    QTest::newRow("name inside text")
        << QByteArray(R"({"content":"say \"usage\":{} now","n":1})") << S::Absent << QByteArray();
    QTest::newRow("name in a nested object")
        << QByteArray(R"({"choices":[{"usage":{"bad":1}}],"usage":{"good":1}})") << S::Found
        << QByteArray(R"({"good":1})");
    QTest::newRow("escaped backslash before quote")
        << QByteArray(R"({"t":"a\\","usage":1})") << S::Found << QByteArray("1");
    QTest::newRow("braces in strings")
        << QByteArray(R"({"t":{"s":"}}}]]"},"usage":"u"})") << S::Found << QByteArray(R"("u")");
    QTest::newRow("empty object") << QByteArray("{}") << S::Absent << QByteArray();
    QTest::newRow("absent") << QByteArray(R"({"a":[1,2,{"c":"d"}],"b":"usage"})") << S::Absent << QByteArray();
    QTest::newRow("escaped key") << QByteArray(R"({"\u0075sage":{"x":1}})") << S::Unsure << QByteArray();
    QTest::newRow("not an object") << QByteArray(R"([{"usage":1}])") << S::Unsure << QByteArray();
    QTest::newRow("cut short") << QByteArray(R"({"a":"open)") << S::Unsure << QByteArray();
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << S::Unsure << QByteArray();
    QTest::newRow("empty") << QByteArray() << S::Unsure << QByteArray();
    QTest::newRow("name twice (a parser keeps the last)")
        << QByteArray(R"({"usage":{"a":1},"b":2,"usage":{"a":2}})") << S::Unsure << QByteArray();
    QTest::newRow("name twice, the second escaped")
        << QByteArray(R"({"usage":{"a":1},"\u0075sage":{"a":2}})") << S::Unsure << QByteArray();
    QTest::newRow("text after the object") << QByteArray(R"({"usage":1} x)") << S::Unsure << QByteArray();
    QTest::newRow("object not closed after the member")
        << QByteArray(R"({"usage":1,"b":[1,2)") << S::Unsure << QByteArray();
    QTest::newRow("trailing newline") << QByteArray("{\"usage\":1}\n") << S::Found << QByteArray("1");
}

void TestJsonScan::cases()
{
    QFETCH(QByteArray, json);
    QFETCH(JsonScan::Status, status);
    QFETCH(QByteArray, value);
    const JsonScan::Member m = JsonScan::topLevelMember(json, "usage");
    QCOMPARE(int(m.status), int(status));
    QCOMPARE(m.value.toByteArray(), value);
}

namespace {

QJsonValue randomValue(QRandomGenerator &rng, int depth)
{
    static const char *const texts[] = {"usage", "\"usage\":{", "}]", "back\\slash", "q\"uote", "ü ñ 字", ""};
    switch (rng.bounded(depth > 2 ? 4 : 6)) {
    case 0: return double(rng.bounded(100000)) / 7;
    case 1: return QString::fromUtf8(texts[rng.bounded(int(std::size(texts)))]);
    case 2: return rng.bounded(2) == 0;
    case 3: return QJsonValue::Null;
    case 4: {
        QJsonArray a;
        for (int i = rng.bounded(4); i > 0; --i)
            a.append(randomValue(rng, depth + 1));
        return a;
    }
    default: {
        QJsonObject o;
        for (int i = rng.bounded(4); i > 0; --i)
            o.insert(rng.bounded(3) == 0 ? QStringLiteral("usage") : QString::number(rng.bounded(50)),
                     randomValue(rng, depth + 1));
        return o;
    }
    }
}

} // namespace

void TestJsonScan::agreesWithQJsonOnGeneratedObjects()
{
    QRandomGenerator rng(7);
    int found = 0;
    for (int i = 0; i < 2000; ++i) {
        QJsonObject o;
        for (int k = rng.bounded(6); k > 0; --k)
            o.insert(QString::number(rng.bounded(20)), randomValue(rng, 1));
        if (rng.bounded(2) == 0)
            o.insert(QStringLiteral("usage"), randomValue(rng, 1));
        const QByteArray json = QJsonDocument(o).toJson(rng.bounded(2) ? QJsonDocument::Compact
                                                                       : QJsonDocument::Indented);
        const JsonScan::Member m = JsonScan::topLevelMember(json, "usage");
        if (o.contains(QStringLiteral("usage"))) {
            QCOMPARE(int(m.status), int(JsonScan::Status::Found));
            // The raw text parses back to the same value.
            const QByteArray wrapped = "[" + m.value.toByteArray() + "]";
            QCOMPARE(QJsonDocument::fromJson(wrapped).array().at(0), o.value(QStringLiteral("usage")));
            ++found;
        } else {
            QCOMPARE(int(m.status), int(JsonScan::Status::Absent));
        }
    }
    QVERIFY(found > 500);
}

QTEST_APPLESS_MAIN(TestJsonScan)
#include "tst_jsonscan.moc"
