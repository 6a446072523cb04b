#include "commandline.h"

#include "configloader.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryFile>

#include <cstdio>
#include <cstring>

using namespace Qt::StringLiterals;

namespace CommandLine {

namespace {

struct OptionFact
{
    const char *name;
    const char *valueName;
    const char *description;
};

// The single list --help and the man page are made from.
constexpr OptionFact kOptions[] = {
    {"headless", nullptr, "Run the gateway alone, without a window; logs go to stderr."},
    {"listen", "HOST:PORT", "Address to listen on (default 127.0.0.1:7070; port 0 picks a free port)."},
    {"data-dir", "DIR", "Where tollgate.db and the admin token live (default: the platform's app-data folder)."},
    {"config", "FILE", "JSON configuration file (providers, prices, aliases, limits)."},
    {"demo", nullptr, "Also register the built-in simulated provider 'sim' (models sim-*), so everything works offline."},
};

QCommandLineOption makeOption(const OptionFact &o)
{
    if (o.valueName)
        return QCommandLineOption(QString::fromLatin1(o.name), QString::fromLatin1(o.description),
                                  QString::fromLatin1(o.valueName));
    return QCommandLineOption(QString::fromLatin1(o.name), QString::fromLatin1(o.description));
}

OptionInfo toInfo(const QCommandLineOption &option)
{
    OptionInfo info;
    for (const QString &n : option.names()) {
        if (n.size() == 1)
            info.shortName = n;
        else
            info.name = n;
    }
    info.valueName = option.valueName();
    info.description = option.description();
    return info;
}

// Returns the built-in help and version options so optionFacts() can
// describe them with Qt's own texts.
QList<QCommandLineOption> addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(description());
    QList<QCommandLineOption> builtIn;
    builtIn << parser.addHelpOption() << parser.addVersionOption();
    for (const OptionFact &o : kOptions)
        parser.addOption(makeOption(o));
    return builtIn;
}

bool ensureWritableDir(const QString &dir, QString *error)
{
    if (!QDir().mkpath(dir)) {
        *error = u"cannot create the data directory "_s + dir + u"; choose another with --data-dir"_s;
        return false;
    }
    QTemporaryFile probe(dir + u"/.write-test-XXXXXX"_s);
    if (!probe.open()) {
        *error = u"the data directory "_s + dir + u" is not writable; fix its permissions or choose another with --data-dir"_s;
        return false;
    }
    return true;
}

} // namespace

bool wantsHeadless(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--headless") == 0 || std::strcmp(argv[i], "-headless") == 0
            || std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0
            || std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0)
            return true;
    }
    return false;
}

bool displayAvailable()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

bool parseListen(const QString &text, QString *host, quint16 *port)
{
    QString reason;
    return ConfigLoader::parseListen(text, host, port, &reason);
}

QString defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QList<OptionInfo> optionFacts()
{
    QCommandLineParser parser;
    const QList<QCommandLineOption> builtIn = addOptions(parser);
    QList<OptionInfo> facts;
    facts << toInfo(builtIn.at(0));
    // addHelpOption() also adds --help-all but does not hand it back; this
    // is Qt's text for it.
    facts << OptionInfo{u"help-all"_s, {}, {}, u"Displays help including Qt specific options."_s};
    facts << toInfo(builtIn.at(1));
    for (const OptionFact &o : kOptions)
        facts << toInfo(makeOption(o));
    return facts;
}

QString description()
{
    return u"Tollgate: a desktop AI gateway. Point OpenAI and Anthropic clients at it by changing their base URL."_s;
}

QString aboutText()
{
    QString text = u"Tollgate "_s + QStringLiteral(TOLLGATE_VERSION) + u'\n' + description() + u'\n'
        + u"Built with Qt "_s + QStringLiteral(QT_VERSION_STR) + u", running on Qt "_s + QString::fromLatin1(qVersion());
#ifdef TOLLGATE_HOMEPAGE
    text += u'\n' + QStringLiteral(TOLLGATE_HOMEPAGE);
#endif
    return text;
}

QString helpText()
{
    QCommandLineParser parser;
    addOptions(parser);
    return parser.helpText();
}

Result parse(const QStringList &arguments, StartupOptions *options, QString *error)
{
    QCommandLineParser parser;
    addOptions(parser);
    if (!parser.parse(arguments)) {
        *error = parser.errorText() + u" (see --help)"_s;
        return Result::Error;
    }
    if (parser.isSet(u"help"_s)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return Result::Exit;
    }
    if (parser.isSet(u"version"_s)) {
        std::fprintf(stdout, "tollgate %s (Qt %s)\n", TOLLGATE_VERSION, qVersion());
        return Result::Exit;
    }
    if (!parser.positionalArguments().isEmpty()) {
        *error = u"unexpected argument '"_s + parser.positionalArguments().first() + u"' (see --help)"_s;
        return Result::Error;
    }
    options->headless = parser.isSet(u"headless"_s);

    if (parser.isSet(u"config"_s)) {
        const auto loaded = ConfigLoader::loadFile(parser.value(u"config"_s), error);
        if (!loaded)
            return Result::Error;
        options->config = *loaded;
    } else {
        options->config = ConfigLoader::defaults();
    }
    if (parser.isSet(u"listen"_s)) {
        if (!parseListen(parser.value(u"listen"_s), &options->config.listenHost, &options->config.listenPort)) {
            *error = u"--listen: expected HOST:PORT (for example 127.0.0.1:7070), got '"_s
                + parser.value(u"listen"_s) + u'\'';
            return Result::Error;
        }
    }
    if (parser.isSet(u"demo"_s)) {
        options->config.demo = true;
        ConfigLoader::applyDemo(options->config);
    }
    options->dataDir = parser.isSet(u"data-dir"_s) ? QFileInfo(parser.value(u"data-dir"_s)).absoluteFilePath()
                                                   : defaultDataDir();
    if (!ensureWritableDir(options->dataDir, error))
        return Result::Error;
    return Result::Run;
}

} // namespace CommandLine
