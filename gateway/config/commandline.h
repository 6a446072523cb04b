#pragma once

// The command line of the contract: --headless, --listen HOST:PORT,
// --data-dir DIR, --config FILE, --demo, --help, --version. Parses into
// StartupOptions (the loaded Config included) and is the one source of the
// option texts that --help and the man page show.

#include "config.h"

#include <QList>
#include <QString>
#include <QStringList>

struct StartupOptions
{
    Config config;
    QString dataDir;
    bool headless = false;
};

namespace CommandLine {

enum class Result { Run, Exit, Error };

// Before QCoreApplication exists: decides which application object to build.
bool wantsHeadless(int argc, char **argv);
bool displayAvailable();

// Parses, loads the config file, creates the data dir. --help and
// --version print and return Exit.
Result parse(const QStringList &arguments, StartupOptions *options, QString *error);

// "HOST:PORT" (IPv6 as [::1]:7070) into host and port; port 0 allowed.
bool parseListen(const QString &text, QString *host, quint16 *port);

QString defaultDataDir();
QString helpText();

// One option as --help lists it, for the man page generator
// (packaging/manpage): long name, short name (may be empty), value name
// (empty for a flag) and description.
struct OptionInfo
{
    QString name;
    QString shortName;
    QString valueName;
    QString description;
};

// Every option --help shows, in the same order, Qt's built-in ones included.
QList<OptionInfo> optionFacts();

// The paragraph --help opens with.
QString description();

// For the window's About box: name and version, the Qt version built
// against and the one running, the homepage. Plain text, one fact a line.
QString aboutText();
}
