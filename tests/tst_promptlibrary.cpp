// tollgate-test-links: tollgate_governance
//
// The prompt library as the admin API and the proxy use it: versions are
// numbered 1, 2, 3… and never change, the first one becomes active by
// itself, activation moves (and rolls back) without touching the texts,
// every change is announced once for the store, and rendering fills
// {{placeholders}} from the active or a pinned version or says exactly
// which variable, template or version is missing.

#include "governance/promptlibrary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

using Variables = QHash<QString, QString>;
Q_DECLARE_METATYPE(Variables)

class TstPromptLibrary : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionsAreNumberedAndImmutable();
    void firstVersionBecomesActive();
    void activationAndRollback();
    void refusedChangesChangeNothing_data();
    void refusedChangesChangeNothing();
    void names_data();
    void names();
    void render_data();
    void render();
    void renderPinnedVersion();
    void renderErrors_data();
    void renderErrors();
    void jsonVariables_data();
    void jsonVariables();
    void placeholders();
    void loadKeepsWhatTheStoreHeld();
};

void TstPromptLibrary::versionsAreNumberedAndImmutable()
{
    PromptLibrary lib;
    QSignalSpy added(&lib, &PromptLibrary::versionAdded);
    QCOMPARE(lib.addVersion(u"greet"_s, u"Hello v1"_s), 1);
    QCOMPARE(lib.addVersion(u"greet"_s, u"Hello v2"_s), 2);
    QCOMPARE(lib.addVersion(u"greet"_s, u"Hello v2"_s), 3);   // same text, still a new version
    QCOMPARE(lib.addVersion(u"other"_s, u"Other"_s), 1);      // numbering is per template

    const PromptRecord *greet = lib.find(u"greet"_s);
    QVERIFY(greet);
    QCOMPARE(greet->versions.size(), 3);
    QCOMPARE(greet->versions.at(0).templateText, u"Hello v1"_s);
    QCOMPARE(greet->versions.at(1).templateText, u"Hello v2"_s);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(greet->versions.at(i).version, i + 1);
        QVERIFY(greet->versions.at(i).createdAt.isValid());
        QCOMPARE(greet->versions.at(i).createdAt.timeSpec(), Qt::UTC);
    }

    QCOMPARE(added.size(), 4);
    QCOMPARE(added.at(1).at(0).toString(), u"greet"_s);
    const auto announced = added.at(1).at(1).value<PromptVersion>();
    QCOMPARE(announced.version, 2);
    QCOMPARE(announced.templateText, u"Hello v2"_s);

    const QList<PromptRecord> all = lib.all();
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.at(0).name, u"greet"_s);
    QCOMPARE(all.at(1).name, u"other"_s);
}

void TstPromptLibrary::firstVersionBecomesActive()
{
    PromptLibrary lib;
    QSignalSpy active(&lib, &PromptLibrary::activeChanged);
    lib.addVersion(u"greet"_s, u"one"_s);
    QCOMPARE(lib.find(u"greet"_s)->activeVersion, 1);
    QCOMPARE(active.size(), 1);
    QCOMPARE(active.at(0).at(0).toString(), u"greet"_s);
    QCOMPARE(active.at(0).at(1).toInt(), 1);

    // Later versions wait to be activated.
    lib.addVersion(u"greet"_s, u"two"_s);
    QCOMPARE(lib.find(u"greet"_s)->activeVersion, 1);
    QCOMPARE(active.size(), 1);
    QString error;
    QCOMPARE(lib.render(u"greet"_s, std::nullopt, Variables{}, &error), u"one"_s);
}

void TstPromptLibrary::activationAndRollback()
{
    PromptLibrary lib;
    lib.addVersion(u"p"_s, u"one"_s);
    lib.addVersion(u"p"_s, u"two"_s);
    lib.addVersion(u"p"_s, u"three"_s);
    QSignalSpy active(&lib, &PromptLibrary::activeChanged);
    QString error;
    int used = 0;

    QVERIFY(lib.setActive(u"p"_s, 3));
    QCOMPARE(lib.render(u"p"_s, std::nullopt, Variables{}, &error, &used), u"three"_s);
    QCOMPARE(used, 3);

    // Roll back: the old text is there as it was.
    QVERIFY(lib.setActive(u"p"_s, 1));
    QCOMPARE(lib.render(u"p"_s, std::nullopt, Variables{}, &error, &used), u"one"_s);
    QCOMPARE(used, 1);
    QCOMPARE(lib.find(u"p"_s)->versions.size(), 3);
    QCOMPARE(lib.find(u"p"_s)->versions.at(2).templateText, u"three"_s);

    // Activating the active version again announces nothing.
    QVERIFY(lib.setActive(u"p"_s, 1));
    QCOMPARE(active.size(), 2);
    QCOMPARE(active.at(0).at(1).toInt(), 3);
    QCOMPARE(active.at(1).at(1).toInt(), 1);
}

void TstPromptLibrary::refusedChangesChangeNothing_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("errorPart");

    QTest::newRow("bad name") << u"no spaces"_s << u"text"_s << u"invalid prompt name"_s;
    QTest::newRow("empty name") << QString() << u"text"_s << u"invalid prompt name"_s;
    QTest::newRow("empty template") << u"p"_s << QString() << u"must not be empty"_s;
    QTest::newRow("blank template") << u"p"_s << u"  \n\t"_s << u"must not be empty"_s;
    QTest::newRow("too large") << u"p"_s << QString(PromptLibrary::kMaxTemplateBytes + 1, u'x') << u"larger than"_s;
    // Under the limit in characters, over it in UTF-8 bytes.
    QTest::newRow("too large in UTF-8") << u"p"_s << QString(PromptLibrary::kMaxTemplateBytes / 2 + 1, QChar(0x00e9))
                                        << u"larger than"_s;
}

void TstPromptLibrary::refusedChangesChangeNothing()
{
    QFETCH(QString, name);
    QFETCH(QString, text);
    QFETCH(QString, errorPart);

    PromptLibrary lib;
    QVERIFY(lib.addVersion(u"p"_s, u"kept"_s) == 1);
    QSignalSpy added(&lib, &PromptLibrary::versionAdded);
    QSignalSpy active(&lib, &PromptLibrary::activeChanged);
    QString error;
    QCOMPARE(lib.addVersion(name, text, &error), 0);
    QVERIFY2(error.contains(errorPart), qPrintable(error));
    QCOMPARE(added.size(), 0);
    QCOMPARE(active.size(), 0);
    QCOMPARE(lib.all().size(), 1);
    QCOMPARE(lib.find(u"p"_s)->versions.size(), 1);

    QVERIFY(!lib.setActive(u"p"_s, 2));
    QVERIFY(!lib.setActive(u"p"_s, 0));
    QVERIFY(!lib.setActive(u"nope"_s, 1));
    QCOMPARE(lib.find(u"p"_s)->activeVersion, 1);
    QVERIFY(!lib.find(u"nope"_s));
    QCOMPARE(active.size(), 0);
}

void TstPromptLibrary::names_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << u"greet"_s << true;
    QTest::newRow("all kinds") << u"Support.v2_final-EN"_s << true;
    QTest::newRow("one char") << u"x"_s << true;
    QTest::newRow("100 chars") << QString(100, u'a') << true;
    QTest::newRow("101 chars") << QString(101, u'a') << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("slash") << u"a/b"_s << false;
    QTest::newRow("space") << u"a b"_s << false;
    QTest::newRow("non-ascii") << u"caf\u00e9"_s << false;
    QTest::newRow("braces") << u"{{x}}"_s << false;
}

void TstPromptLibrary::names()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(PromptLibrary::isValidName(name), valid);
    PromptLibrary lib;
    QCOMPARE(lib.addVersion(name, u"t"_s) == 1, valid);
}

void TstPromptLibrary::render_data()
{
    QTest::addColumn<QString>("templateText");
    QTest::addColumn<Variables>("variables");
    QTest::addColumn<QString>("expected");

    const Variables city{{u"city"_s, u"Lyon"_s}, {u"user"_s, u"Ada"_s}};
    QTest::newRow("no placeholders") << u"You are helpful."_s << Variables{} << u"You are helpful."_s;
    QTest::newRow("one") << u"Weather in {{city}}."_s << city << u"Weather in Lyon."_s;
    QTest::newRow("spaces in braces") << u"Hi {{ user }} in {{  city}}!"_s << city << u"Hi Ada in Lyon!"_s;
    QTest::newRow("tabs in braces") << u"{{\tuser\t}}"_s << city << u"Ada"_s;
    QTest::newRow("repeated") << u"{{user}}, {{user}} and {{ user }}"_s << city << u"Ada, Ada and Ada"_s;
    QTest::newRow("adjacent") << u"{{user}}{{city}}"_s << city << u"AdaLyon"_s;
    QTest::newRow("dotted and dashed names")
        << u"{{a.b}} {{c-d}} {{_e9}}"_s << Variables{{u"a.b"_s, u"1"_s}, {u"c-d"_s, u"2"_s}, {u"_e9"_s, u"3"_s}}
        << u"1 2 3"_s;
    QTest::newRow("extra variables ignored") << u"{{user}}"_s << city << u"Ada"_s;
    QTest::newRow("not a name stays text") << u"{{ 1x }} {{}} {{a b}} { {x} }"_s << Variables{}
                                           << u"{{ 1x }} {{}} {{a b}} { {x} }"_s;
    QTest::newRow("triple braces") << u"{{{user}}}"_s << city << u"{Ada}"_s;
    QTest::newRow("unclosed") << u"{{user"_s << city << u"{{user"_s;
    QTest::newRow("values are not expanded again")
        << u"{{a}}"_s << Variables{{u"a"_s, u"{{b}}"_s}, {u"b"_s, u"no"_s}} << u"{{b}}"_s;
    QTest::newRow("empty value") << u"[{{a}}]"_s << Variables{{u"a"_s, QString()}} << u"[]"_s;
    QTest::newRow("only a placeholder, empty") << u"{{a}}"_s << Variables{{u"a"_s, u""_s}} << u""_s;
    QTest::newRow("unicode") << u"\u00bfQu\u00e9 tal, {{user}}? \U0001F600"_s << city
                             << u"\u00bfQu\u00e9 tal, Ada? \U0001F600"_s;
    QTest::newRow("multi-line") << u"line 1\n{{user}}\nline 3\n"_s << city << u"line 1\nAda\nline 3\n"_s;
}

void TstPromptLibrary::render()
{
    QFETCH(QString, templateText);
    QFETCH(Variables, variables);
    QFETCH(QString, expected);

    PromptLibrary lib;
    QCOMPARE(lib.addVersion(u"t"_s, templateText), 1);
    QString error;
    int used = 0;
    const QString text = lib.render(u"t"_s, std::nullopt, variables, &error, &used);
    QVERIFY2(!text.isNull(), qPrintable(error));
    QCOMPARE(text, expected);
    QCOMPARE(used, 1);
}

void TstPromptLibrary::renderPinnedVersion()
{
    PromptLibrary lib;
    lib.addVersion(u"greet"_s, u"v1 {{user}}"_s);
    lib.addVersion(u"greet"_s, u"v2 {{ user }} from {{city}}"_s);
    const Variables vars{{u"user"_s, u"Ada"_s}, {u"city"_s, u"Lyon"_s}};
    QString error;
    int used = 0;
    QCOMPARE(lib.render(u"greet"_s, 2, vars, &error, &used), u"v2 Ada from Lyon"_s);
    QCOMPARE(used, 2);
    QCOMPARE(lib.render(u"greet"_s, std::nullopt, vars, &error, &used), u"v1 Ada"_s);   // active is still 1
    QCOMPARE(used, 1);
    QCOMPARE(lib.render(u"greet"_s, 1, vars, &error, &used), u"v1 Ada"_s);
}

void TstPromptLibrary::renderErrors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("version");   // 0: the active one
    QTest::addColumn<Variables>("variables");
    QTest::addColumn<QString>("error");

    QTest::newRow("missing variable") << u"greet"_s << 2 << Variables{{u"user"_s, u"Ada"_s}}
                                      << u"missing variable 'city' for prompt 'greet' v2"_s;
    QTest::newRow("several missing") << u"greet"_s << 2 << Variables{}
                                     << u"missing variables 'user', 'city' for prompt 'greet' v2"_s;
    QTest::newRow("missing in active") << u"greet"_s << 0 << Variables{}
                                       << u"missing variable 'user' for prompt 'greet' v1"_s;
    QTest::newRow("unknown template") << u"nope"_s << 0 << Variables{} << u"unknown prompt template 'nope'"_s;
    QTest::newRow("unknown version") << u"greet"_s << 7 << Variables{}
                                     << u"prompt 'greet' has no version 7 (latest is 2)"_s;
}

void TstPromptLibrary::renderErrors()
{
    QFETCH(QString, name);
    QFETCH(int, version);
    QFETCH(Variables, variables);
    QFETCH(QString, error);

    PromptLibrary lib;
    lib.addVersion(u"greet"_s, u"Hi {{user}}"_s);
    lib.addVersion(u"greet"_s, u"Hi {{user}} from {{ city }}, {{user}}"_s);
    QString why;
    int used = -1;
    const QString text = lib.render(name, version ? std::optional<int>(version) : std::nullopt, variables, &why, &used);
    QVERIFY(text.isNull());
    QCOMPARE(why, error);
    QCOMPARE(used, -1);
}

void TstPromptLibrary::jsonVariables_data()
{
    QTest::addColumn<QByteArray>("variables");
    QTest::addColumn<QString>("expected");   // null: refused
    QTest::addColumn<QString>("error");

    QTest::newRow("string") << QByteArray(R"({"v":"text"})") << u"[text]"_s << QString();
    QTest::newRow("integer") << QByteArray(R"({"v":42})") << u"[42]"_s << QString();
    QTest::newRow("integral double") << QByteArray(R"({"v":3.0})") << u"[3]"_s << QString();
    QTest::newRow("negative") << QByteArray(R"({"v":-7})") << u"[-7]"_s << QString();
    QTest::newRow("fraction") << QByteArray(R"({"v":0.1})") << u"[0.1]"_s << QString();
    QTest::newRow("true") << QByteArray(R"({"v":true})") << u"[true]"_s << QString();
    QTest::newRow("false") << QByteArray(R"({"v":false})") << u"[false]"_s << QString();
    QTest::newRow("object") << QByteArray(R"({"v":{"a":1}})") << QString()
                            << u"variable 'v' must be a string, number or boolean, not an object"_s;
    QTest::newRow("array") << QByteArray(R"({"v":[1]})") << QString()
                           << u"variable 'v' must be a string, number or boolean, not an array"_s;
    QTest::newRow("null") << QByteArray(R"({"v":null})") << QString()
                          << u"variable 'v' must be a string, number or boolean, not null"_s;
}

void TstPromptLibrary::jsonVariables()
{
    QFETCH(QByteArray, variables);
    QFETCH(QString, expected);
    QFETCH(QString, error);

    PromptLibrary lib;
    lib.addVersion(u"t"_s, u"[{{v}}]"_s);
    QString why;
    const QString text = lib.render(u"t"_s, std::nullopt, QJsonDocument::fromJson(variables).object(), &why);
    QCOMPARE(text, expected);
    QCOMPARE(text.isNull(), expected.isNull());
    QCOMPARE(why, error);
}

void TstPromptLibrary::placeholders()
{
    QCOMPARE(PromptLibrary::placeholders(u"{{ b }} {{a}} {{b}} {{ 9 }} {{c.d}}"_s),
             QStringList({u"b"_s, u"a"_s, u"c.d"_s}));
    QCOMPARE(PromptLibrary::placeholders(u"none"_s), QStringList());
}

void TstPromptLibrary::loadKeepsWhatTheStoreHeld()
{
    const QDateTime t0(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC);
    PromptRecord greet;
    greet.name = u"greet"_s;
    greet.activeVersion = 2;
    greet.versions = {{2, u"two {{x}}"_s, t0.addSecs(60)}, {1, u"one"_s, t0}};   // order as it came
    PromptRecord orphan;   // its activation was never written
    orphan.name = u"orphan"_s;
    orphan.versions = {{1, u"first"_s, t0}, {2, u"second"_s, t0}};

    PromptLibrary lib;
    lib.addVersion(u"gone"_s, u"replaced by the load"_s);
    QSignalSpy added(&lib, &PromptLibrary::versionAdded);
    QSignalSpy active(&lib, &PromptLibrary::activeChanged);
    lib.load({greet, orphan});
    QCOMPARE(added.size(), 0);
    QCOMPARE(active.size(), 0);
    QVERIFY(!lib.find(u"gone"_s));

    const PromptRecord *g = lib.find(u"greet"_s);
    QVERIFY(g);
    QCOMPARE(g->activeVersion, 2);
    QCOMPARE(g->versions.at(0).version, 1);
    QCOMPARE(g->versions.at(1).createdAt, t0.addSecs(60));
    QString error;
    QCOMPARE(lib.render(u"greet"_s, std::nullopt, Variables{{u"x"_s, u"X"_s}}, &error), u"two X"_s);
    QCOMPARE(lib.find(u"orphan"_s)->activeVersion, 1);

    // Numbering goes on from the stored versions.
    QCOMPARE(lib.addVersion(u"greet"_s, u"three"_s), 3);
    QCOMPARE(lib.find(u"greet"_s)->activeVersion, 2);
}

QTEST_GUILESS_MAIN(TstPromptLibrary)
#include "tst_promptlibrary.moc"
