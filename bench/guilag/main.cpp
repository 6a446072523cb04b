// guilag: how late the GUI thread's event loop runs while the gateway is
// under load. Opens the real MainWindow (Overview page: live calls ticking,
// spend, chart) over a Gateway on its GatewayHost thread with the demo's
// simulated provider, drives streaming chat calls through the proxy at a
// fixed concurrency, and meanwhile a 5 ms precise timer on the GUI thread
// records how late each tick fires. Prints p50 / p99 / max lateness and the
// requests done.
//
// The load comes from bench/loadgen in a child process (as clients are
// other programs; its epoll loop costs little CPU), or with --client qt
// from a QNetworkAccessManager pool on a thread of this process.
//
//   QT_QPA_PLATFORM=offscreen ./guilag --concurrency 64 --seconds 10
//   ./guilag --pace 0          # the simulator as fast as it goes (most events)
//   ./guilag --grab /tmp/pages --dark   # also saves each page as rendered under load

#include "config/configloader.h"
#include "gatewayclient.h"
#include "gatewayhost.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QStyleFactory>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

const QByteArray kStreamBody = R"({"model":"sim-small","stream":true,"max_tokens":64,)"
                               R"("messages":[{"role":"user","content":"Stream something."}]})";

// Keeps `concurrency` streaming calls in flight until told to stop. Lives
// on its own thread; QNetworkAccessManager opens at most six connections
// per host, so the calls are spread over enough managers.
class LoadDriver : public QObject
{
    Q_OBJECT
public:
    std::atomic<qint64> done{0};
    std::atomic<qint64> failed{0};
    std::atomic<qint64> bytes{0};

    void start(const QString &url, const QByteArray &key, int concurrency)
    {
        m_url = url + u"/v1/chat/completions"_s;
        m_key = key;
        for (int i = 0; i < (concurrency + 5) / 6; ++i)
            m_nams.push_back(new QNetworkAccessManager(this));
        for (int i = 0; i < concurrency; ++i)
            send(i);
    }

    void stop() { m_stopping = true; }

private:
    void send(int worker)
    {
        if (m_stopping)
            return;
        QNetworkRequest request{QUrl(m_url)};
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        request.setRawHeader("Authorization", "Bearer " + m_key);
        request.setRawHeader("X-Tollgate-Cache", "bypass");
        request.setRawHeader("X-Tollgate-Run-Id", "bench-" + QByteArray::number(worker % 16));
        QNetworkReply *reply = m_nams.at(worker / 6)->post(request, kStreamBody);
        connect(reply, &QNetworkReply::readyRead, this, [this, reply] { bytes += reply->readAll().size(); });
        connect(reply, &QNetworkReply::finished, this, [this, reply, worker] {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            (reply->error() == QNetworkReply::NoError && status == 200 ? done : failed)++;
            reply->deleteLater();
            send(worker);
        });
    }

    QString m_url;
    QByteArray m_key;
    std::vector<QNetworkAccessManager *> m_nams;
    bool m_stopping = false;
};

// A dark palette, to look at the pages the way a dark desktop shows them.
QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2B, 0x2D, 0x31), base(0x1E, 0x1F, 0x22), text(0xE6, 0xE6, 0xE6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2C));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9A, 0x9D, 0xA3));
    p.setColor(QPalette::Highlight, QColor(0x3B, 0x82, 0xD6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6C, 0xA8, 0xF0));
    p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4E));
    p.setColor(QPalette::Midlight, QColor(0x3A, 0x3D, 0x42));
    p.setColor(QPalette::Mid, QColor(0x33, 0x35, 0x3A));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1B));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    return p;
}

// The application, timing each event it delivers on the GUI thread, so a
// slow run can say what took the time (--slow MS lists the slow ones).
class TimedApplication : public QApplication
{
public:
    using QApplication::QApplication;
    bool tracing = false;
    double slowMs = 4;
    struct Slow
    {
        int count = 0;
        double wallMs = 0;
        double cpuMs = 0;   // of this thread: the rest was waiting for a core
    };
    QHash<QString, Slow> slow;   // "event type / receiver class"

    static double threadCpuMs()
    {
        timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
    }

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!tracing || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        QElapsedTimer t;
        t.start();
        const double cpu0 = threadCpuMs();
        const int type = event->type();
        const QString cls = QString::fromLatin1(receiver->metaObject()->className());
        const bool result = QApplication::notify(receiver, event);
        const double ms = t.nsecsElapsed() / 1e6;
        if (ms >= slowMs) {
            Slow &entry = slow[QString::number(type) + u" / "_s + cls];
            entry.count++;
            entry.wallMs += ms;
            entry.cpuMs += threadCpuMs() - cpu0;
        }
        return result;
    }
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * (v.size() - 1) + 0.5));
    return v[i];
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        qputenv("QT_LOGGING_RULES", "tollgate.*.info=false");
    TimedApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"tollgate-bench"_s);
    QCoreApplication::setApplicationName(u"guilag"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"GUI event-loop delay of the Tollgate window under proxy load"_s);
    parser.addHelpOption();
    parser.addOption({u"concurrency"_s, u"Calls in flight."_s, u"N"_s, u"64"_s});
    parser.addOption({u"seconds"_s, u"Length of the measured load."_s, u"S"_s, u"10"_s});
    parser.addOption({u"pace"_s, u"Simulated tokens per second per stream (0 = as fast as possible)."_s, u"T"_s,
                      u"400"_s});
    parser.addOption({u"tokens"_s, u"Tokens per simulated answer."_s, u"N"_s, u"64"_s});
    parser.addOption({u"page"_s, u"Page shown during the load (0 = Overview … 6)."_s, u"P"_s, u"0"_s});
    parser.addOption({u"grab"_s, u"At the end of the load, save every page as rendered into DIR."_s, u"DIR"_s});
    parser.addOption({u"no-window"_s, u"Baseline: the same load with no window (the probe alone on the GUI thread)."_s});
    parser.addOption({u"slow"_s, u"List the GUI-thread events that took at least MS (event type / receiver)."_s,
                      u"MS"_s});
    parser.addOption({u"dark"_s, u"Use a dark palette (Fusion style)."_s});
    parser.addOption({u"client"_s, u"Load from 'loadgen' (a child process) or 'qt' (a thread here)."_s, u"C"_s,
                      u"loadgen"_s});
    parser.addOption({u"loadgen"_s, u"Path of the loadgen program."_s, u"PATH"_s,
                      QCoreApplication::applicationDirPath() + u"/../loadgen/loadgen"_s});
    parser.process(app);
    if (parser.isSet(u"dark"_s)) {
        QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
        QApplication::setPalette(darkPalette());
    }
    const int concurrency = parser.value(u"concurrency"_s).toInt();
    const int seconds = parser.value(u"seconds"_s).toInt();
    const bool useLoadgen = parser.value(u"client"_s) == u"loadgen";
    if (useLoadgen && !QFileInfo(parser.value(u"loadgen"_s)).isExecutable()) {
        std::fprintf(stderr, "guilag: no loadgen at %s (build it, or use --client qt)\n",
                     qPrintable(parser.value(u"loadgen"_s)));
        return 2;
    }

    Config config = ConfigLoader::defaults();
    config.providers.clear();
    ConfigLoader::applyDemo(config);
    config.listenHost = u"127.0.0.1"_s;
    config.listenPort = 0;
    config.sim.tokensPerSecond = parser.value(u"pace"_s).toInt();
    config.sim.firstTokenMs = 5;
    config.sim.outputTokens = parser.value(u"tokens"_s).toInt();
    QTemporaryDir dataDir;

    GatewayHost host(config, dataDir.path());
    GatewayClient client;
    MainWindow window(&client);
    window.showPage(parser.value(u"page"_s).toInt());
    window.resize(1280, 800);
    if (!parser.isSet(u"no-window"_s))
        window.show();

    QThread loadThread;
    loadThread.setObjectName(u"load"_s);
    auto *driver = new LoadDriver;
    driver->moveToThread(&loadThread);
    QObject::connect(&loadThread, &QThread::finished, driver, &QObject::deleteLater);
    loadThread.start();

    // The probe: a 5 ms precise timer; lateness = interval beyond 5 ms.
    constexpr int kTickMs = 5;
    std::vector<double> lateMs;
    lateMs.reserve(size_t(seconds) * 1000 / kTickMs + 1000);
    bool measuring = false;
    QElapsedTimer clock;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(kTickMs);
    qint64 last = 0;
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (measuring && last)
            lateMs.push_back(std::max<double>(0.0, (now - last) / 1e6 - kTickMs));
        last = now;
    });

    QProcess loadgen;
    loadgen.setProcessChannelMode(QProcess::SeparateChannels);
    qint64 doneAtStart = 0;
    QElapsedTimer loadClock;
    auto finish = [&] {
        measuring = false;
        probe.stop();
        const double elapsed = loadClock.elapsed() / 1000.0;
        const qint64 requests = driver->done - doneAtStart;
        std::printf("guilag: concurrency %d, %.1f s measured, sim pace %s tok/s, %d tokens per answer, client %s\n",
                    concurrency, elapsed, qPrintable(parser.value(u"pace"_s)), config.sim.outputTokens,
                    useLoadgen ? "loadgen (child process)" : "qt (thread)");
        if (!useLoadgen) {
            std::printf("  requests done: %lld (%.0f/s), failed: %lld\n", static_cast<long long>(requests),
                        requests / elapsed, static_cast<long long>(driver->failed.load()));
        }
        std::printf("  GUI event-loop delay over %zu ticks of %d ms: p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
                    lateMs.size(), kTickMs, percentile(lateMs, 0.50), percentile(lateMs, 0.99),
                    lateMs.empty() ? 0.0 : *std::max_element(lateMs.begin(), lateMs.end()));
        app.tracing = false;
        for (auto it = app.slow.cbegin(); it != app.slow.cend(); ++it) {
            std::printf("  slow event %s: %d × (%.1f ms in all, %.1f ms of it on the CPU)\n", qPrintable(it.key()),
                        it.value().count, it.value().wallMs, it.value().cpuMs);
        }
        std::fflush(stdout);
        if (parser.isSet(u"grab"_s)) {
            // Not measured: grabbing paints every page synchronously.
            QDir().mkpath(parser.value(u"grab"_s));
            for (int i = 0; i < MainWindow::PageCount; ++i) {
                window.showPage(i);
                window.grab().save(parser.value(u"grab"_s) + u"/page"_s + QString::number(i + 1) + u".png"_s);
            }
        }
        QMetaObject::invokeMethod(driver, [driver] { driver->stop(); });
        auto stop = [&] {
            client.detach();
            host.stop();
            QTimer::singleShot(4000, &app, [&app] { app.exit(0); });
        };
        if (useLoadgen && loadgen.state() != QProcess::NotRunning) {
            QObject::connect(&loadgen, &QProcess::finished, &app, stop);
        } else {
            stop();
        }
    };
    QObject::connect(&loadgen, &QProcess::finished, &app, [&] {
        // loadgen's own figures: requests, rate, latency to the last byte (µs).
        const QByteArray out = loadgen.readAllStandardOutput().trimmed();
        std::printf("  load: %s\n", out.isEmpty() ? loadgen.readAllStandardError().constData() : out.constData());
        std::fflush(stdout);
    });

    QObject::connect(&host, &GatewayHost::failed, &app, [&app](const QString &e) {
        std::fprintf(stderr, "guilag: the gateway did not start: %s\n", qPrintable(e));
        app.exit(1);
    });
    QObject::connect(&host, &GatewayHost::stopped, &app, [&app] { app.exit(0); });
    QObject::connect(&host, &GatewayHost::started, &app, [&](const QString &url) {
        client.attach(host.gateway());
        KeyRecord settings;
        settings.name = u"bench"_s;
        client.mintKey(settings, &app, [&, url](const KeyStore::Minted &m) {
            if (useLoadgen) {
                // Runs a little longer than the measurement, which starts after one second.
                loadgen.start(parser.value(u"loadgen"_s),
                              {u"run"_s, u"--url"_s, url + u"/v1/chat/completions"_s, u"-c"_s,
                               QString::number(concurrency), u"-d"_s, QString::number(seconds + 1.5),
                               u"--warmup"_s, u"1"_s, u"-H"_s,
                               u"authorization: Bearer "_s + QString::fromLatin1(m.rawKey), u"-H"_s,
                               u"x-tollgate-run-id: bench"_s, u"-H"_s, u"x-tollgate-cache: bypass"_s, u"--body"_s,
                               QString::fromLatin1(kStreamBody), u"--label"_s, u"guilag"_s});
            } else {
                QMetaObject::invokeMethod(driver, [driver, url, key = m.rawKey, concurrency] {
                    driver->start(url, key, concurrency);
                });
            }
            // One second to reach the steady state, then measure.
            QTimer::singleShot(1000, Qt::PreciseTimer, &app, [&] {
                clock.start();
                loadClock.start();
                doneAtStart = driver->done;
                measuring = true;
                app.tracing = parser.isSet(u"slow"_s);
                app.slowMs = parser.value(u"slow"_s).toDouble();
                probe.start();
                QTimer::singleShot(seconds * 1000, Qt::PreciseTimer, &app, finish);
            });
        });
    });
    host.start();
    const int rc = app.exec();
    loadThread.quit();
    loadThread.wait();
    return rc;
}

#include "main.moc"
