// tollgate-test-links: tollgate_wire

// SseParser must hand the same events, with the same raw bytes, whatever way
// the network cut the stream: the gateway forwards those raw bytes to the
// client, so a split in the wrong place would corrupt what the client sees.

#include "wire/sseparser.h"

#include <QList>
#include <QTest>

namespace {

struct Result
{
    QByteArrayList events;
    QByteArrayList data;
    QByteArrayList raws;
    QByteArray pending;
};

// Feeds 'input' cut at the given offsets (ascending, inside the input).
Result parseInPieces(const QByteArray &input, const QList<qsizetype> &cuts)
{
    SseParser parser;
    Result result;
    const auto sink = [&](const SseEvent &e) {
        result.events << e.event;
        result.data << e.data;
        result.raws << e.raw;
    };
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        parser.feed(QByteArrayView(input).sliced(from, cut - from), sink);
        from = cut;
    }
    parser.feed(QByteArrayView(input).sliced(from), sink);
    result.pending = parser.pending();
    if (parser.hasPending() == result.pending.isEmpty())
        qWarning("hasPending() disagrees with pending()");
    return result;
}

const char openAiStream[] =
        "data: {\"id\":\"chatcmpl-9xKQ2bT7\",\"object\":\"chat.completion.chunk\",\"created\":1723542000,"
        "\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_2a322c9ffc\",\"choices\":[{\"index\":0,"
        "\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,"
        "\"finish_reason\":null}],\"usage\":null}\n"
        "\n"
        "data: {\"id\":\"chatcmpl-9xKQ2bT7\",\"object\":\"chat.completion.chunk\",\"created\":1723542000,"
        "\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_2a322c9ffc\",\"choices\":[{\"index\":0,"
        "\"delta\":{\"content\":\"Hi: there\\n\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n"
        "\n"
        "data: [DONE]\n"
        "\n";

const char anthropicStream[] =
        "event: message_start\n"
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\","
        "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-20250514\",\"content\":[],\"stop_reason\":null,"
        "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n"
        "\n"
        "event: ping\n"
        "data: {\"type\": \"ping\"}\n"
        "\n"
        "event: content_block_delta\n"
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n"
        "\n"
        "event: message_stop\n"
        "data: {\"type\":\"message_stop\"}\n"
        "\n";

QByteArrayList splitAfterBlankLines(const QByteArray &stream)
{
    QByteArrayList raws;
    qsizetype from = 0;
    for (qsizetype at = stream.indexOf("\n\n"); at >= 0; at = stream.indexOf("\n\n", from)) {
        raws << stream.mid(from, at + 2 - from);
        from = at + 2;
    }
    return raws;
}

QByteArray dataOf(const QByteArray &raw)
{
    const qsizetype at = raw.indexOf("data: ");
    return raw.mid(at + 6, raw.indexOf('\n', at) - at - 6);
}

} // namespace

class tst_SseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wholeInput_data();
    void wholeInput();
    void everyTwoPieceSplit_data() { wholeInput_data(); }
    void everyTwoPieceSplit();
    void byteByByte_data() { wholeInput_data(); }
    void byteByByte();

    void lfCompletingCrlfAfterCrOnlyEvent();
    void bufferHoldsOnlyTheUnfinishedEvent();
    void longStreamInOddPieces();
    void resetForgetsPartialEvent();
    void emptyFeedDoesNothing();
};

void tst_SseParser::wholeInput_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArrayList>("events");
    QTest::addColumn<QByteArrayList>("data");
    QTest::addColumn<QByteArrayList>("raws");
    QTest::addColumn<QByteArray>("pending");

    {
        const QByteArray input(openAiStream);
        const QByteArrayList raws = splitAfterBlankLines(input);
        QByteArrayList data;
        for (const QByteArray &raw : raws)
            data << dataOf(raw);
        QTest::newRow("openai") << input << QByteArrayList{{}, {}, {}} << data << raws << QByteArray();
    }
    {
        const QByteArray input(anthropicStream);
        const QByteArrayList raws = splitAfterBlankLines(input);
        QByteArrayList data;
        for (const QByteArray &raw : raws)
            data << dataOf(raw);
        QTest::newRow("anthropic")
                << input
                << QByteArrayList{"message_start", "ping", "content_block_delta", "message_stop"}
                << data << raws << QByteArray();
    }

    QTest::newRow("crlf")
            << QByteArray("event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n")
            << QByteArrayList{"a", {}} << QByteArrayList{"1", "2"}
            << QByteArrayList{"event: a\r\ndata: 1\r\n\r\n", "data: 2\r\n\r\n"} << QByteArray();
    QTest::newRow("cr only")
            << QByteArray("event: a\rdata: 1\r\rdata: 2\r\r")
            << QByteArrayList{"a", {}} << QByteArrayList{"1", "2"}
            << QByteArrayList{"event: a\rdata: 1\r\r", "data: 2\r\r"} << QByteArray();
    QTest::newRow("mixed line ends")
            << QByteArray("data: 1\n\ndata: 2\r\n\r\ndata: 3\r\rdata: 4\r\n\n")
            << QByteArrayList{{}, {}, {}, {}} << QByteArrayList{"1", "2", "3", "4"}
            << QByteArrayList{"data: 1\n\n", "data: 2\r\n\r\n", "data: 3\r\r", "data: 4\r\n\n"}
            << QByteArray();
    QTest::newRow("multi-line data")
            << QByteArray("data: first\ndata:second\ndata\ndata:  two\n\n")
            << QByteArrayList{{}} << QByteArrayList{"first\nsecond\n\n two"}
            << QByteArrayList{"data: first\ndata:second\ndata\ndata:  two\n\n"} << QByteArray();
    QTest::newRow("comment-only event")
            << QByteArray(": keep-alive\n\n: note\ndata: x\n\n")
            << QByteArrayList{{}, {}} << QByteArrayList{{}, "x"}
            << QByteArrayList{": keep-alive\n\n", ": note\ndata: x\n\n"} << QByteArray();
    QTest::newRow("other fields ignored")
            << QByteArray("id: 7\nretry: 100\nevent: e\nfoo: bar\ndata: d\n\n")
            << QByteArrayList{"e"} << QByteArrayList{"d"}
            << QByteArrayList{"id: 7\nretry: 100\nevent: e\nfoo: bar\ndata: d\n\n"} << QByteArray();
    QTest::newRow("last event field wins, empty data line")
            << QByteArray("event: a\nevent: b\ndata:\n\n")
            << QByteArrayList{"b"} << QByteArrayList{{}}
            << QByteArrayList{"event: a\nevent: b\ndata:\n\n"} << QByteArray();
    QTest::newRow("colons in value")
            << QByteArray("data: {\"a\":\"b:c\"}\n\n")
            << QByteArrayList{{}} << QByteArrayList{"{\"a\":\"b:c\"}"}
            << QByteArrayList{"data: {\"a\":\"b:c\"}\n\n"} << QByteArray();
    QTest::newRow("blank lines between events")
            << QByteArray("\ndata: x\n\n\n")
            << QByteArrayList{{}, {}, {}} << QByteArrayList{{}, "x", {}}
            << QByteArrayList{"\n", "data: x\n\n", "\n"} << QByteArray();
    QTest::newRow("byte-order mark")
            << QByteArray("\xEF\xBB\xBF" "data: x\n\n")
            << QByteArrayList{{}} << QByteArrayList{"x"}
            << QByteArrayList{"\xEF\xBB\xBF" "data: x\n\n"} << QByteArray();
    QTest::newRow("trailing partial event")
            << QByteArray("data: 1\n\nevent: e\ndata: 2\n")
            << QByteArrayList{{}} << QByteArrayList{"1"}
            << QByteArrayList{"data: 1\n\n"} << QByteArray("event: e\ndata: 2\n");
    QTest::newRow("trailing partial line")
            << QByteArray("data: 1\n\ndata: {\"choi")
            << QByteArrayList{{}} << QByteArrayList{"1"}
            << QByteArrayList{"data: 1\n\n"} << QByteArray("data: {\"choi");
    // A CRLF stream that stops after the '\r' of its blank line: the '\n'
    // may still come, so the event is not complete yet.
    QTest::newRow("crlf stream cut inside blank line")
            << QByteArray("data: 1\r\n\r\ndata: 2\r\n\r")
            << QByteArrayList{{}} << QByteArrayList{"1"}
            << QByteArrayList{"data: 1\r\n\r\n"} << QByteArray("data: 2\r\n\r");
    QTest::newRow("no blank line at all")
            << QByteArray("data: x")
            << QByteArrayList() << QByteArrayList() << QByteArrayList() << QByteArray("data: x");
}

void tst_SseParser::wholeInput()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, events);
    QFETCH(QByteArrayList, data);
    QFETCH(QByteArrayList, raws);
    QFETCH(QByteArray, pending);

    const Result r = parseInPieces(input, {});
    QCOMPARE(r.events, events);
    QCOMPARE(r.data, data);
    QCOMPARE(r.raws, raws);
    QCOMPARE(r.pending, pending);
    QCOMPARE(QByteArray(r.raws.join() + r.pending), input);
}

void tst_SseParser::everyTwoPieceSplit()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, events);
    QFETCH(QByteArrayList, data);
    QFETCH(QByteArrayList, raws);
    QFETCH(QByteArray, pending);

    for (qsizetype cut = 0; cut <= input.size(); ++cut) {
        const Result r = parseInPieces(input, {cut});
        const QByteArray where = "cut at " + QByteArray::number(cut);
        QVERIFY2(r.events == events, where.constData());
        QVERIFY2(r.data == data, where.constData());
        QVERIFY2(r.raws == raws, where.constData());
        QVERIFY2(r.pending == pending, where.constData());
    }
}

void tst_SseParser::byteByByte()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, events);
    QFETCH(QByteArrayList, data);
    QFETCH(QByteArrayList, raws);
    QFETCH(QByteArray, pending);

    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < input.size(); ++i)
        cuts << i;
    const Result r = parseInPieces(input, cuts);
    QCOMPARE(r.events, events);
    QCOMPARE(r.data, data);
    QCOMPARE(r.raws, raws);
    QCOMPARE(r.pending, pending);
}

// In a stream of bare '\r' line ends the parser ends an event on its '\r'
// without waiting; if a '\n' does follow, it completes that line end and must
// not be taken for an extra blank line (an empty event).
void tst_SseParser::lfCompletingCrlfAfterCrOnlyEvent()
{
    SseParser parser;
    QList<SseEvent> got;
    const auto sink = [&](const SseEvent &e) { got << e; };

    parser.feed("data: 1\r\r", sink);
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.at(0).raw, QByteArray("data: 1\r\r"));
    QVERIFY(!parser.hasPending());

    parser.feed("\ndata: 2\r\r", sink);
    QCOMPARE(got.size(), 2);
    QCOMPARE(got.at(1).data, QByteArray("2"));
    QCOMPARE(got.at(1).raw, QByteArray("\ndata: 2\r\r"));
}

void tst_SseParser::bufferHoldsOnlyTheUnfinishedEvent()
{
    SseParser parser;
    int count = 0;
    QByteArray input;
    for (int i = 0; i < 1000; ++i)
        input += "data: {\"n\":" + QByteArray::number(i) + "}\n\n";
    input += "data: {\"n\":";
    parser.feed(input, [&](const SseEvent &) { ++count; });
    QCOMPARE(count, 1000);
    QCOMPARE(parser.pending(), QByteArray("data: {\"n\":"));
}

void tst_SseParser::longStreamInOddPieces()
{
    QByteArray input;
    for (int i = 0; i < 20000; ++i) {
        input += "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\""
                + QByteArray::number(i) + "\"}}\r\n\r\n";
    }
    SseParser parser;
    qsizetype count = 0;
    bool allRight = true;
    const auto sink = [&](const SseEvent &e) {
        const QByteArray expected = "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\""
                + QByteArray::number(count) + "\"}}";
        allRight = allRight && e.data == expected && e.event == "content_block_delta";
        ++count;
    };
    for (qsizetype i = 0; i < input.size(); i += 13)
        parser.feed(QByteArrayView(input).sliced(i, qMin<qsizetype>(13, input.size() - i)), sink);
    QCOMPARE(count, 20000);
    QVERIFY(allRight);
    QVERIFY(!parser.hasPending());
}

void tst_SseParser::resetForgetsPartialEvent()
{
    SseParser parser;
    QList<SseEvent> got;
    const auto sink = [&](const SseEvent &e) { got << e; };

    parser.feed("event: stale\ndata: old\ndat", sink);
    QVERIFY(parser.hasPending());
    parser.reset();
    QVERIFY(!parser.hasPending());
    QCOMPARE(parser.pending(), QByteArray());

    parser.feed("data: new\n\n", sink);
    QCOMPARE(got.size(), 1);
    QCOMPARE(got.at(0).event, QByteArray());
    QCOMPARE(got.at(0).data, QByteArray("new"));
    QCOMPARE(got.at(0).raw, QByteArray("data: new\n\n"));
}

void tst_SseParser::emptyFeedDoesNothing()
{
    SseParser parser;
    int count = 0;
    parser.feed(QByteArrayView(), [&](const SseEvent &) { ++count; });
    QCOMPARE(count, 0);
    QVERIFY(!parser.hasPending());
}

QTEST_GUILESS_MAIN(tst_SseParser)
#include "tst_sseparser.moc"
