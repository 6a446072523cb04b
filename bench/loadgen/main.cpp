// loadgen: the benchmarks' HTTP/1.1 client. One thread on epoll, plain C++
// (no Qt, so its own overhead is small and steady), every run bounded in time.
//
//   loadgen run --url http://127.0.0.1:P/v1/chat/completions -c 32 -d 5 --warmup 1
//       -H 'authorization: Bearer tg-…' --body '{"model":"gpt-x","messages":[…"{{N}}"…]}' --unique
//   loadgen bigbody --url … --size 209715200 [--chunked]
//   loadgen startup --runs 5 --match 'listening on' -- tollgate --headless …
//   loadgen freeport
//
// `run` keeps c keep-alive connections busy for d seconds and prints one line
// of key=value figures: requests/s, latency to the last byte (p50/p90/p99/max
// in µs), time to the first body byte (ttfb; for a stream, its first event),
// and for streams whose events carry "@ts=T" (the fake provider's send time
// on CLOCK_MONOTONIC) each event's delay on the way (ev_*). Requests that
// complete during the warm-up are not counted. --unique replaces {{N}} in
// the body with a value unique to each request (defeats response caches).
// --once sends one request per connection (with --connect-first, all
// connections are opened before any request is sent: a burst of streams;
// with --ramp S as well, the requests start evenly spread over S seconds).

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

uint64_t nowUs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000u + uint64_t(ts.tv_nsec) / 1000u;
}

[[noreturn]] void die(const std::string &what)
{
    fprintf(stderr, "loadgen: %s\n", what.c_str());
    exit(2);
}

struct Url
{
    sockaddr_in addr{};
    std::string host;
    std::string path;
};

Url parseUrl(const std::string &url)
{
    Url u;
    const std::string prefix = "http://";
    if (url.compare(0, prefix.size(), prefix) != 0)
        die("only http:// URLs: " + url);
    const size_t slash = url.find('/', prefix.size());
    const std::string hostPort = url.substr(prefix.size(), slash == std::string::npos ? std::string::npos : slash - prefix.size());
    u.path = slash == std::string::npos ? "/" : url.substr(slash);
    const size_t colon = hostPort.rfind(':');
    std::string host = colon == std::string::npos ? hostPort : hostPort.substr(0, colon);
    const int port = colon == std::string::npos ? 80 : atoi(hostPort.c_str() + colon + 1);
    u.host = hostPort;
    if (host == "localhost")
        host = "127.0.0.1";
    u.addr.sin_family = AF_INET;
    u.addr.sin_port = htons(uint16_t(port));
    if (inet_pton(AF_INET, host.c_str(), &u.addr.sin_addr) != 1)
        die("host must be an IPv4 address: " + host);
    return u;
}

struct Stats
{
    std::vector<uint32_t> latency, ttfb, events;
    std::map<int, long> statuses;
    std::map<std::string, long> captured;
    long errors = 0;
};

uint32_t percentile(std::vector<uint32_t> &v, double p)
{
    if (v.empty())
        return 0;
    const size_t i = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())));
    std::nth_element(v.begin(), v.begin() + long(i), v.end());
    return v[i];
}

void printDist(const char *name, std::vector<uint32_t> &v)
{
    if (v.empty())
        return;
    double sum = 0;
    for (uint32_t x : v)
        sum += x;
    const uint32_t p50 = percentile(v, 50), p90 = percentile(v, 90), p99 = percentile(v, 99);
    const uint32_t mx = *std::max_element(v.begin(), v.end());
    printf(" %s_n=%zu %s_mean_us=%.0f %s_p50_us=%u %s_p90_us=%u %s_p99_us=%u %s_max_us=%u", name, v.size(), name,
           sum / double(v.size()), name, p50, name, p90, name, p99, name, mx);
}

// ---- run ---------------------------------------------------------------

struct Options
{
    Url url;
    std::string method;
    std::vector<std::string> headers;
    std::string body;
    bool unique = false;
    bool once = false;
    bool connectFirst = false;
    int concurrency = 1;
    double durationS = 5;
    double warmupS = 0;
    double graceS = 10;
    double rampS = 0;      // --once: spread the requests' start over this time
    std::string label = "run";
    std::string capture;   // lowercase header name whose values are counted
    std::string trace;     // file: one line per measured request, "end_us latency_us ttfb_us"
    int expect = 200;
};

enum class Phase { Connecting, Connected, Sending, Head, Body, Done };
enum class ChunkState { Size, Data, DataEnd, Trailer };

struct Conn
{
    int fd = -1;
    Phase phase = Phase::Connecting;
    std::string out;
    size_t outPos = 0;
    std::string buf;              // undecoded input
    uint64_t tSend = 0, tFirstBody = 0;
    int status = 0;
    long long contentLength = -1;
    bool chunked = false;
    bool closeAfter = false;
    long long remaining = 0;
    ChunkState chunk = ChunkState::Size;
    std::string scan;             // decoded body not yet scanned for @ts=
    std::string captured;
    std::vector<uint32_t> eventDelays;
};

class Runner
{
public:
    explicit Runner(Options o) : m_o(std::move(o)) {}
    int exec();

private:
    void openConn(Conn &c);
    void startRequest(Conn &c);
    void onEvent(Conn &c, uint32_t events);
    bool flush(Conn &c);
    bool parse(Conn &c, uint64_t now);
    void onBody(Conn &c, const char *data, size_t n, uint64_t now);
    void complete(Conn &c, uint64_t now);
    void fail(Conn &c);
    void closeConn(Conn &c);
    bool issuing(uint64_t now) const { return !m_o.once && now < m_tEnd; }
    void watch(Conn &c, uint32_t events, int op);

    Options m_o;
    int m_epoll = -1;
    std::vector<Conn> m_conns;
    Stats m_stats;
    uint64_t m_tStart = 0, m_tWarm = 0, m_tEnd = 0;
    uint64_t m_counter = 0;
    uint64_t m_nonce = 0;
    long m_measured = 0;
    long m_total = 0;             // completed, warm-up included
    long m_inFlight = 0;
    long m_maxInFlight = 0;
    FILE *m_trace = nullptr;
    long m_connected = 0;
    bool m_sentAll = false;
};

void Runner::watch(Conn &c, uint32_t events, int op)
{
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = uint64_t(&c - m_conns.data());
    epoll_ctl(m_epoll, op, c.fd, &ev);
}

void Runner::openConn(Conn &c)
{
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0)
        die(std::string("socket: ") + strerror(errno));
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.phase = Phase::Connecting;
    c.buf.clear();
    const int r = connect(c.fd, reinterpret_cast<const sockaddr *>(&m_o.url.addr), sizeof m_o.url.addr);
    if (r < 0 && errno != EINPROGRESS) {
        ++m_stats.errors;
        close(c.fd);
        c.fd = -1;
        c.phase = Phase::Done;
        return;
    }
    watch(c, EPOLLOUT | EPOLLIN, EPOLL_CTL_ADD);
}

void Runner::closeConn(Conn &c)
{
    if (c.fd >= 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
    }
    c.fd = -1;
}

void Runner::startRequest(Conn &c)
{
    std::string body = m_o.body;
    if (m_o.unique) {
        const std::string tag = std::to_string(m_nonce) + "-" + std::to_string(++m_counter);
        for (size_t at = body.find("{{N}}"); at != std::string::npos; at = body.find("{{N}}", at + tag.size()))
            body.replace(at, 5, tag);
    }
    c.out = m_o.method + " " + m_o.url.path + " HTTP/1.1\r\nhost: " + m_o.url.host + "\r\n";
    for (const std::string &h : m_o.headers)
        c.out += h + "\r\n";
    if (!body.empty() || m_o.method == "POST")
        c.out += "content-type: application/json\r\ncontent-length: " + std::to_string(body.size()) + "\r\n";
    c.out += "\r\n";
    c.out += body;
    c.outPos = 0;
    c.phase = Phase::Sending;
    c.status = 0;
    c.contentLength = -1;
    c.chunked = false;
    c.closeAfter = false;
    c.tFirstBody = 0;
    c.scan.clear();
    c.captured.clear();
    c.eventDelays.clear();
    c.tSend = nowUs();
    ++m_inFlight;
    m_maxInFlight = std::max(m_maxInFlight, m_inFlight);
    if (flush(c))
        watch(c, c.outPos < c.out.size() ? uint32_t(EPOLLIN | EPOLLOUT) : uint32_t(EPOLLIN), EPOLL_CTL_MOD);
}

bool Runner::flush(Conn &c)
{
    while (c.outPos < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.data() + c.outPos, c.out.size() - c.outPos, MSG_NOSIGNAL);
        if (n > 0) {
            c.outPos += size_t(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        fail(c);
        return false;
    }
    if (c.phase == Phase::Sending)
        c.phase = Phase::Head;
    return true;
}

void Runner::fail(Conn &c)
{
    ++m_stats.errors;
    if (c.phase == Phase::Sending || c.phase == Phase::Head || c.phase == Phase::Body)
        --m_inFlight;
    closeConn(c);
    const uint64_t now = nowUs();
    if (issuing(now)) {
        openConn(c);
    } else {
        c.phase = Phase::Done;
    }
}

void Runner::onBody(Conn &c, const char *data, size_t n, uint64_t now)
{
    if (n == 0)
        return;
    if (!c.tFirstBody)
        c.tFirstBody = now;
    // Event timestamps: "@ts=<µs>"; keep an unfinished marker for the next read.
    c.scan.append(data, n);
    size_t pos = 0;
    while (true) {
        const size_t at = c.scan.find("@ts=", pos);
        if (at == std::string::npos) {
            pos = c.scan.size() > 3 ? c.scan.size() - 3 : 0;
            break;
        }
        size_t e = at + 4;
        while (e < c.scan.size() && c.scan[e] >= '0' && c.scan[e] <= '9')
            ++e;
        if (e == c.scan.size()) {
            pos = at;
            break;
        }
        const uint64_t ts = strtoull(c.scan.c_str() + at + 4, nullptr, 10);
        if (ts && now >= ts)
            c.eventDelays.push_back(uint32_t(std::min<uint64_t>(now - ts, 0xffffffffu)));
        pos = e;
    }
    c.scan.erase(0, pos);
}

bool Runner::parse(Conn &c, uint64_t now)
{
    // Returns false when the connection is closed (or reopened) by the call.
    while (true) {
        if (c.phase == Phase::Head) {
            const size_t end = c.buf.find("\r\n\r\n");
            if (end == std::string::npos)
                return true;
            const std::string head = c.buf.substr(0, end + 2);
            c.buf.erase(0, end + 4);
            c.status = head.size() > 12 ? atoi(head.c_str() + 9) : 0;
            size_t pos = head.find("\r\n");
            while (pos != std::string::npos && pos + 2 < head.size()) {
                const size_t start = pos + 2;
                const size_t le = head.find("\r\n", start);
                const std::string line = head.substr(start, le - start);
                const size_t colon = line.find(':');
                if (colon != std::string::npos) {
                    std::string name = line.substr(0, colon);
                    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
                    size_t v = colon + 1;
                    while (v < line.size() && line[v] == ' ')
                        ++v;
                    const std::string value = line.substr(v);
                    if (name == "content-length")
                        c.contentLength = atoll(value.c_str());
                    else if (name == "transfer-encoding" && strcasestr(value.c_str(), "chunked"))
                        c.chunked = true;
                    else if (name == "connection" && strcasestr(value.c_str(), "close"))
                        c.closeAfter = true;
                    if (!m_o.capture.empty() && name == m_o.capture)
                        c.captured = value;
                }
                pos = le;
            }
            if (c.status == 100) {
                continue; // interim response: the real one follows
            }
            c.phase = Phase::Body;
            c.chunk = ChunkState::Size;
            if (!c.chunked && c.contentLength < 0 && !c.closeAfter)
                c.contentLength = 0;
            c.remaining = c.contentLength;
            if (!c.chunked && c.contentLength == 0) {
                complete(c, now);
                if (c.fd < 0 || c.phase != Phase::Head)
                    return c.fd >= 0 && c.phase != Phase::Done;
                continue;
            }
        }
        if (c.phase != Phase::Body)
            return true;
        if (!c.chunked) {
            if (c.contentLength < 0) { // ends when the server closes
                onBody(c, c.buf.data(), c.buf.size(), now);
                c.buf.clear();
                return true;
            }
            const size_t take = size_t(std::min<long long>(c.remaining, (long long)c.buf.size()));
            onBody(c, c.buf.data(), take, now);
            c.buf.erase(0, take);
            c.remaining -= (long long)take;
            if (c.remaining > 0)
                return true;
            complete(c, now);
            if (c.fd < 0 || c.phase == Phase::Done)
                return false;
            if (c.phase != Phase::Head)
                return true;
            continue;
        }
        // chunked
        switch (c.chunk) {
        case ChunkState::Size: {
            const size_t lf = c.buf.find('\n');
            if (lf == std::string::npos)
                return true;
            c.remaining = strtoll(c.buf.c_str(), nullptr, 16);
            c.buf.erase(0, lf + 1);
            c.chunk = c.remaining == 0 ? ChunkState::Trailer : ChunkState::Data;
            break;
        }
        case ChunkState::Data: {
            const size_t take = size_t(std::min<long long>(c.remaining, (long long)c.buf.size()));
            if (take == 0)
                return true;
            onBody(c, c.buf.data(), take, now);
            c.buf.erase(0, take);
            c.remaining -= (long long)take;
            if (c.remaining == 0)
                c.chunk = ChunkState::DataEnd;
            break;
        }
        case ChunkState::DataEnd: {
            const size_t lf = c.buf.find('\n');
            if (lf == std::string::npos)
                return true;
            c.buf.erase(0, lf + 1);
            c.chunk = ChunkState::Size;
            break;
        }
        case ChunkState::Trailer: {
            const size_t lf = c.buf.find('\n');
            if (lf == std::string::npos)
                return true;
            const bool blank = lf == 0 || (lf == 1 && c.buf[0] == '\r');
            c.buf.erase(0, lf + 1);
            if (blank) {
                complete(c, now);
                if (c.fd < 0 || c.phase == Phase::Done)
                    return false;
                if (c.phase != Phase::Head)
                    return true;
            }
            break;
        }
        }
    }
}

void Runner::complete(Conn &c, uint64_t now)
{
    --m_inFlight;
    ++m_total;
    const bool measured = m_o.once || (now >= m_tWarm && now <= m_tEnd);
    if (measured) {
        ++m_measured;
        if (m_trace)
            fprintf(m_trace, "%llu %llu %llu\n", static_cast<unsigned long long>(now - m_tStart),
                    static_cast<unsigned long long>(now - c.tSend),
                    static_cast<unsigned long long>(c.tFirstBody ? c.tFirstBody - c.tSend : 0));
        m_stats.latency.push_back(uint32_t(std::min<uint64_t>(now - c.tSend, 0xffffffffu)));
        if (c.tFirstBody)
            m_stats.ttfb.push_back(uint32_t(c.tFirstBody - c.tSend));
        m_stats.events.insert(m_stats.events.end(), c.eventDelays.begin(), c.eventDelays.end());
        ++m_stats.statuses[c.status];
        if (!m_o.capture.empty())
            ++m_stats.captured[c.captured.empty() ? std::string("none") : c.captured];
    }
    if (c.status != m_o.expect)
        ++m_stats.errors;
    if (c.closeAfter) {
        closeConn(c);
        if (issuing(now))
            openConn(c);
        else
            c.phase = Phase::Done;
        return;
    }
    c.phase = Phase::Connected;
    if (issuing(now)) {
        startRequest(c);
    } else {
        c.phase = Phase::Done;
        closeConn(c);
    }
}

void Runner::onEvent(Conn &c, uint32_t events)
{
    const uint64_t now = nowUs();
    if (c.phase == Phase::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
            fail(c);
            return;
        }
        c.phase = Phase::Connected;
        ++m_connected;
        watch(c, EPOLLIN, EPOLL_CTL_MOD);
        if (!m_o.connectFirst || m_sentAll)
            startRequest(c);
        return;
    }
    if (events & EPOLLOUT) {
        if (!flush(c))
            return;
        if (c.outPos >= c.out.size())
            watch(c, EPOLLIN, EPOLL_CTL_MOD);
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        char buf[65536];
        while (true) {
            const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
            if (n > 0) {
                c.buf.append(buf, size_t(n));
                if (!parse(c, now))
                    return;
                if (size_t(n) < sizeof buf)
                    return;
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return;
            // closed by the server
            if (c.phase == Phase::Body && !c.chunked && c.contentLength < 0) {
                c.closeAfter = true;
                complete(c, now);
                return;
            }
            if (c.phase == Phase::Connected) { // idle keep-alive connection closed
                closeConn(c);
                if (issuing(now))
                    openConn(c);
                else
                    c.phase = Phase::Done;
                return;
            }
            fail(c);
            return;
        }
    }
}

int Runner::exec()
{
    signal(SIGPIPE, SIG_IGN);
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (!m_o.trace.empty() && !(m_trace = fopen(m_o.trace.c_str(), "w")))
        die("cannot write " + m_o.trace);
    m_conns.resize(size_t(m_o.concurrency));
    m_nonce = uint64_t(time(nullptr)) * 1000 + uint64_t(getpid() % 1000);
    m_tStart = nowUs();
    m_tWarm = m_tStart + uint64_t(m_o.warmupS * 1e6);
    m_tEnd = m_tWarm + uint64_t(m_o.durationS * 1e6);
    for (Conn &c : m_conns)
        openConn(c);
    uint64_t connectDeadline = m_tStart + 10000000;
    if (m_o.connectFirst) {
        // Open every connection before sending anything: a burst of requests.
        std::vector<epoll_event> evs(1024);
        while (m_connected < long(m_conns.size()) && nowUs() < connectDeadline) {
            const int n = epoll_wait(m_epoll, evs.data(), int(evs.size()), 100);
            for (int i = 0; i < n; ++i)
                onEvent(m_conns[evs[size_t(i)].data.u64], evs[size_t(i)].events);
        }
        m_tStart = nowUs();
        m_tWarm = m_tStart;
        m_tEnd = m_tStart + uint64_t((m_o.durationS + m_o.rampS) * 1e6);
        if (m_o.rampS <= 0) {
            m_sentAll = true;
            for (Conn &c : m_conns) {
                if (c.phase == Phase::Connected)
                    startRequest(c);
            }
        }
    }
    size_t nextToStart = 0; // with a ramp: the i-th request starts at i * ramp / c
    const uint64_t hardEnd = m_tEnd + uint64_t(m_o.graceS * 1e6);
    std::vector<epoll_event> evs(1024);
    while (true) {
        const uint64_t now = nowUs();
        if (now >= hardEnd)
            break;
        if (m_o.once ? m_inFlight == 0 && m_sentAll : now >= m_tEnd && m_inFlight == 0)
            break;
        if (m_o.connectFirst && !m_sentAll) {
            const uint64_t step = uint64_t(m_o.rampS * 1e6) / m_conns.size();
            while (nextToStart < m_conns.size() && now >= m_tStart + step * nextToStart) {
                Conn &c = m_conns[nextToStart++];
                if (c.phase == Phase::Connected)
                    startRequest(c);
            }
            m_sentAll = nextToStart == m_conns.size();
        }
        if (m_o.once && !m_o.connectFirst && !m_sentAll) {
            bool any = false;
            for (const Conn &c : m_conns)
                any = any || c.phase == Phase::Connecting;
            m_sentAll = !any;
        }
        int timeoutMs = int(std::min<uint64_t>(100, (hardEnd - now) / 1000 + 1));
        if (m_o.connectFirst && !m_sentAll)
            timeoutMs = 1;
        const int n = epoll_wait(m_epoll, evs.data(), int(evs.size()), timeoutMs);
        for (int i = 0; i < n; ++i) {
            Conn &c = m_conns[evs[size_t(i)].data.u64];
            if (c.fd >= 0)
                onEvent(c, evs[size_t(i)].events);
        }
        if (!m_o.once && nowUs() >= m_tEnd) {
            // Stop idle connections; the busy ones finish within the grace.
            for (Conn &c : m_conns) {
                if (c.phase == Phase::Connected || c.phase == Phase::Connecting) {
                    closeConn(c);
                    c.phase = Phase::Done;
                }
            }
        }
    }
    const long incomplete = m_inFlight;
    if (m_trace)
        fclose(m_trace);
    for (Conn &c : m_conns)
        closeConn(c);
    const double measuredS = m_o.once ? double(nowUs() - m_tStart) / 1e6 : m_o.durationS;
    printf("label=%s c=%d dur_s=%.2f requests=%ld rps=%.1f total=%ld errors=%ld incomplete=%ld max_inflight=%ld",
           m_o.label.c_str(), m_o.concurrency, measuredS, m_measured, double(m_measured) / measuredS, m_total,
           m_stats.errors, incomplete, m_maxInFlight);
    for (const auto &s : m_stats.statuses)
        printf(" status_%d=%ld", s.first, s.second);
    for (const auto &s : m_stats.captured)
        printf(" cap_%s=%ld", s.first.c_str(), s.second);
    printDist("lat", m_stats.latency);
    printDist("ttfb", m_stats.ttfb);
    printDist("ev", m_stats.events);
    printf("\n");
    fflush(stdout);
    return 0;
}

// ---- bigbody -------------------------------------------------------------

int bigBody(const Url &url, const std::vector<std::string> &headers, long long size, bool chunked, double timeoutS)
{
    signal(SIGPIPE, SIG_IGN);
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, reinterpret_cast<const sockaddr *>(&url.addr), sizeof url.addr) < 0)
        die(std::string("connect: ") + strerror(errno));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    std::string head = "POST " + url.path + " HTTP/1.1\r\nhost: " + url.host + "\r\ncontent-type: application/json\r\n";
    for (const std::string &h : headers)
        head += h + "\r\n";
    head += chunked ? std::string("transfer-encoding: chunked\r\n") : "content-length: " + std::to_string(size) + "\r\n";
    head += "\r\n";
    std::string piece(65536, ' ');
    piece[0] = '{';
    std::string pending = head;
    size_t pendingPos = 0;
    long long bodySent = 0;
    bool finishedSending = false;
    std::string response;
    int status = 0;
    long long sentAtResponse = -1;
    const uint64_t t0 = nowUs();
    uint64_t tResponse = 0;
    bool closed = false;
    while (nowUs() - t0 < uint64_t(timeoutS * 1e6) && !closed) {
        pollfd p{fd, short(POLLIN | (finishedSending ? 0 : POLLOUT)), 0};
        poll(&p, 1, 50);
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            char buf[65536];
            const ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n > 0) {
                response.append(buf, size_t(std::min<ssize_t>(n, 4096)));
                if (!status && response.find("\r\n") != std::string::npos) {
                    status = atoi(response.c_str() + 9);
                    sentAtResponse = bodySent;
                    tResponse = nowUs();
                }
            } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                closed = true;
            }
        }
        if (!finishedSending && (p.revents & POLLOUT)) {
            if (pendingPos == pending.size()) {
                pending.clear();
                pendingPos = 0;
                if (bodySent >= size) {
                    if (chunked)
                        pending = "0\r\n\r\n";
                    finishedSending = pending.empty();
                } else {
                    const long long n = std::min<long long>((long long)piece.size(), size - bodySent);
                    if (chunked) {
                        char hex[24];
                        snprintf(hex, sizeof hex, "%llx\r\n", n);
                        pending = hex;
                        pending.append(piece, 0, size_t(n));
                        pending += "\r\n";
                    } else {
                        pending.assign(piece, 0, size_t(n));
                    }
                    bodySent += n;
                }
            }
            if (!pending.empty()) {
                const ssize_t n = send(fd, pending.data() + pendingPos, pending.size() - pendingPos, MSG_NOSIGNAL);
                if (n > 0)
                    pendingPos += size_t(n);
                else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                    finishedSending = true; // reset by the server
            }
        }
    }
    close(fd);
    printf("status=%d body_bytes_sent=%lld sent_before_answer=%lld answer_ms=%.1f\n", status, bodySent, sentAtResponse,
           tResponse ? double(tResponse - t0) / 1000.0 : -1.0);
    return status ? 0 : 1;
}

// ---- startup -------------------------------------------------------------

int startup(int runs, const std::string &match, char **argv)
{
    std::vector<uint32_t> ms;
    double first = -1;
    for (int r = 0; r < runs; ++r) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
            die("pipe");
        const uint64_t t0 = nowUs();
        const pid_t pid = fork();
        if (pid == 0) {
            dup2(pipefd[1], 1);
            const int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 2);
            execvp(argv[0], argv);
            _exit(127);
        }
        close(pipefd[1]);
        std::string out;
        bool found = false;
        while (!found && nowUs() - t0 < 10000000) {
            pollfd p{pipefd[0], POLLIN, 0};
            if (poll(&p, 1, 100) <= 0)
                continue;
            char buf[4096];
            const ssize_t n = read(pipefd[0], buf, sizeof buf);
            if (n <= 0)
                break;
            out.append(buf, size_t(n));
            found = out.find(match) != std::string::npos;
        }
        const uint64_t t1 = nowUs();
        kill(pid, SIGTERM);
        int status = 0;
        const uint64_t waitStart = nowUs();
        while (waitpid(pid, &status, WNOHANG) == 0) {
            if (nowUs() - waitStart > 6000000) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                break;
            }
            usleep(2000);
        }
        close(pipefd[0]);
        if (!found) {
            fprintf(stderr, "loadgen: '%s' not seen on stdout of %s\n", match.c_str(), argv[0]);
            return 1;
        }
        const double t = double(t1 - t0) / 1000.0;
        if (r == 0)
            first = t;
        else
            ms.push_back(uint32_t(t * 1000));
    }
    std::vector<uint32_t> copy = ms;
    printf("startup_first_ms=%.1f startup_runs=%zu startup_p50_ms=%.1f startup_max_ms=%.1f\n", first, ms.size(),
           double(percentile(copy, 50)) / 1000.0,
           ms.empty() ? 0.0 : double(*std::max_element(ms.begin(), ms.end())) / 1000.0);
    return 0;
}

int freePort()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0)
        die("bind");
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    printf("%d\n", ntohs(a.sin_port));
    close(fd);
    return 0;
}

void usage()
{
    fprintf(stderr,
            "usage: loadgen run --url URL [-c N] [-d SEC] [--warmup SEC] [--grace SEC] [-H 'name: value']...\n"
            "                   [--body STR | --body-file FILE] [--unique] [--once] [--connect-first [--ramp SEC]]\n"
            "                   [--capture HEADER] [--expect STATUS] [--label NAME] [--trace FILE]\n"
            "       loadgen bigbody --url URL --size BYTES [--chunked] [-H …] [--timeout SEC]\n"
            "       loadgen startup [--runs N] --match TEXT -- COMMAND [ARGS…]\n"
            "       loadgen freeport\n");
    exit(2);
}

std::string readFile(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(std::string("cannot read ") + path);
    std::string s;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        s.append(buf, n);
    fclose(f);
    return s;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const std::string cmd = argv[1];
    if (cmd == "freeport")
        return freePort();
    if (cmd == "startup") {
        int runs = 5;
        std::string match = "listening on";
        int i = 2;
        for (; i < argc; ++i) {
            const std::string a = argv[i];
            if (a == "--runs" && i + 1 < argc)
                runs = atoi(argv[++i]);
            else if (a == "--match" && i + 1 < argc)
                match = argv[++i];
            else if (a == "--") {
                ++i;
                break;
            } else
                usage();
        }
        if (i >= argc)
            usage();
        return startup(std::max(1, runs), match, argv + i);
    }
    Options o;
    std::string url;
    long long size = 0;
    bool chunked = false;
    double timeoutS = 30;
    bool bodySet = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage();
            return argv[++i];
        };
        if (a == "--url")
            url = value();
        else if (a == "-c")
            o.concurrency = std::max(1, atoi(value().c_str()));
        else if (a == "-d")
            o.durationS = atof(value().c_str());
        else if (a == "--warmup")
            o.warmupS = atof(value().c_str());
        else if (a == "--grace")
            o.graceS = atof(value().c_str());
        else if (a == "--ramp")
            o.rampS = atof(value().c_str());
        else if (a == "-H")
            o.headers.push_back(value());
        else if (a == "--body") {
            o.body = value();
            bodySet = true;
        } else if (a == "--body-file") {
            o.body = readFile(value().c_str());
            bodySet = true;
        } else if (a == "--unique")
            o.unique = true;
        else if (a == "--once")
            o.once = true;
        else if (a == "--connect-first")
            o.connectFirst = true;
        else if (a == "--capture") {
            o.capture = value();
            std::transform(o.capture.begin(), o.capture.end(), o.capture.begin(), ::tolower);
        } else if (a == "--expect")
            o.expect = atoi(value().c_str());
        else if (a == "--trace")
            o.trace = value();
        else if (a == "--label")
            o.label = value();
        else if (a == "--size")
            size = atoll(value().c_str());
        else if (a == "--chunked")
            chunked = true;
        else if (a == "--timeout")
            timeoutS = atof(value().c_str());
        else
            usage();
    }
    if (url.empty())
        usage();
    o.url = parseUrl(url);
    if (cmd == "bigbody")
        return bigBody(o.url, o.headers, size, chunked, timeoutS);
    if (cmd != "run")
        usage();
    o.method = bodySet ? "POST" : "GET";
    Runner runner(std::move(o));
    return runner.exec();
}
