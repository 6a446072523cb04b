#include "networkpool.h"

#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QUrl>

namespace {

constexpr int kConnectionsPerManager = 6; // Qt 6.4's fixed HTTP/1.1 limit per host

// Qt 6.4 opens a plain-HTTP connection that goes through no proxy as an
// unbuffered socket (QHttpNetworkConnectionChannel::ensureConnection), and
// reads an answer's status line, headers and chunk sizes one byte at a
// time: one read() system call per byte, about a hundred per call. For such
// a connection, naming the application's default proxy as the (transparent)
// proxy makes Qt open a buffered socket instead, which connects directly
// when the default proxy for its host is no proxy. Any other case (https,
// a proxy from the application or the environment) is answered as Qt
// would answer it. TLS connections are buffered either way.
class BufferedDirectConnections : public QNetworkProxyFactory
{
public:
    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &query) override
    {
        const QList<QNetworkProxy> proxies = QNetworkProxyFactory::proxyForQuery(query);
        const QUrl url = query.url();
        if (url.scheme() != QLatin1StringView("http") || !direct(proxies))
            return proxies;
        // The socket resolves the default proxy again, for a TCP connection.
        const QNetworkProxyQuery tcp(url.host(), url.port(80), QString(), QNetworkProxyQuery::TcpSocket);
        if (!direct(QNetworkProxyFactory::proxyForQuery(tcp)))
            return proxies;
        return {QNetworkProxy(QNetworkProxy::DefaultProxy)};
    }

private:
    static bool direct(const QList<QNetworkProxy> &proxies)
    {
        return proxies.isEmpty() || proxies.first().type() == QNetworkProxy::NoProxy;
    }
};

} // namespace

NetworkPool::NetworkPool(QObject *parent, int maxManagers) : QObject(parent), m_maxManagers(maxManagers)
{
}

QNetworkAccessManager *NetworkPool::acquire()
{
    Slot *best = nullptr;
    for (Slot &s : m_managers) {
        if (!best || s.active < best->active)
            best = &s;
    }
    if (!best || (best->active >= kConnectionsPerManager && m_managers.size() < m_maxManagers)) {
        auto *nam = new QNetworkAccessManager(this);
        // No cookies are kept between callers: each request also disables
        // the jar, this keeps a stray Set-Cookie from being stored at all.
        nam->setCookieJar(nullptr);
        nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        nam->setAutoDeleteReplies(false);
        nam->setProxyFactory(new BufferedDirectConnections); // the manager owns it
        m_managers.append({nam, 0});
        best = &m_managers.last();
    }
    ++best->active;
    return best->manager;
}

void NetworkPool::release(QNetworkAccessManager *manager)
{
    for (Slot &s : m_managers) {
        if (s.manager == manager) {
            --s.active;
            return;
        }
    }
}

int NetworkPool::inFlight() const
{
    int n = 0;
    for (const Slot &s : m_managers)
        n += s.active;
    return n;
}
