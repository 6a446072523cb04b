// tollgate: the desktop window with the embedded gateway, or the gateway
// alone with --headless. Parses the command line, builds the core, shows
// the window or runs headless; everything else lives in gateway/ and ui/.

#include "config/commandline.h"
#include "core/signalwatcher.h"
#include "gatewayclient.h"
#include "gatewayhost.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace {

int runHeadless(QCoreApplication &app, const StartupOptions &options)
{
    GatewayHost host(options.config, options.dataDir);
    int exitCode = 0;
    QObject::connect(&host, &GatewayHost::started, &app, [](const QString &url) {
        std::fprintf(stdout, "listening on %s\n", qPrintable(url));
        std::fflush(stdout);
    });
    QObject::connect(&host, &GatewayHost::failed, &app, [&](const QString &error) {
        std::fprintf(stderr, "tollgate: %s\n", qPrintable(error));
        exitCode = 1;
        app.exit(1);
    });
    QObject::connect(&host, &GatewayHost::stopped, &app, [&app] { app.exit(0); });
    SignalWatcher signals;
    QObject::connect(&signals, &SignalWatcher::terminationRequested, &app, [&host, &app] {
        host.stop();
        // The contract's bound: whatever happens, gone within five seconds.
        QTimer::singleShot(4500, &app, [&app] { app.exit(0); });
    });
    host.start();
    const int rc = app.exec();
    return exitCode ? exitCode : rc;
}

int runWindow(QApplication &app, const StartupOptions &options)
{
    GatewayHost host(options.config, options.dataDir);
    GatewayClient client;
    MainWindow window(&client);
    int exitCode = 0;
    QObject::connect(&host, &GatewayHost::started, &app, [&host, &client](const QString &url) {
        std::fprintf(stdout, "listening on %s\n", qPrintable(url));
        std::fflush(stdout);
        client.attach(host.gateway());
    });
    QObject::connect(&host, &GatewayHost::failed, &app, [&](const QString &error) {
        std::fprintf(stderr, "tollgate: %s\n", qPrintable(error));
        exitCode = 1;
        app.exit(1);
    });
    QObject::connect(&host, &GatewayHost::stopped, &app, [&app] { app.exit(0); });
    SignalWatcher signals;
    auto quit = [&host, &app, &client] {
        client.detach();
        host.stop();
        QTimer::singleShot(4500, &app, [&app] { app.exit(0); });
    };
    QObject::connect(&signals, &SignalWatcher::terminationRequested, &app, quit);
    app.setQuitOnLastWindowClosed(false);
    QObject::connect(&window, &MainWindow::quitRequested, &app, quit);
    host.start();
    window.show();
    const int rc = app.exec();
    return exitCode ? exitCode : rc;
}

} // namespace

int main(int argc, char *argv[])
{
    // No organization name: the data dir is ~/.local/share/tollgate, the
    // same folder the systemd user unit of the package uses.
    QCoreApplication::setApplicationName(QStringLiteral("tollgate"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TOLLGATE_VERSION));

    const bool headless = CommandLine::wantsHeadless(argc, argv);
    if (!headless && !CommandLine::displayAvailable()) {
        std::fprintf(stderr, "tollgate: no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
                             "run 'tollgate --headless' for the gateway alone\n");
        return 2;
    }
    std::unique_ptr<QCoreApplication> app;
    if (headless)
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
    if (!headless) // lets Wayland match the window to its desktop entry
        QGuiApplication::setDesktopFileName(QStringLiteral("io.github.tollgate.Tollgate"));

    StartupOptions options;
    QString error;
    const CommandLine::Result r = CommandLine::parse(app->arguments(), &options, &error);
    if (r == CommandLine::Result::Exit)
        return 0;
    if (r == CommandLine::Result::Error) {
        std::fprintf(stderr, "tollgate: %s\n", qPrintable(error));
        return 2;
    }
    if (headless)
        return runHeadless(*app, options);
    return runWindow(static_cast<QApplication &>(*app), options);
}
