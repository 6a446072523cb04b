// fakeprovider: a small, fast HTTP/1.1 server that answers like OpenAI's
// Chat Completions and Anthropic's Messages APIs, for the benchmarks.
//
// Why not Qt: it must never be the bottleneck of what it measures, so it is
// one thread on epoll with the least parsing that works (>50k requests/s on
// one core). It speaks keep-alive, Content-Length request bodies, and answers
//   POST …/chat/completions          OpenAI JSON with usage, or SSE when "stream":true
//   POST …/messages                  Anthropic JSON with usage, or SSE
//   POST …/messages/count_tokens     {"input_tokens":12}
//   GET  …/models                    a one-model list
// A stream's shape is set from the request, so it survives a gateway that
// forwards only the body: the text "fake_events=N" (default 8) and
// "fake_delay_us=D" (default 0) anywhere in the body, or the headers
// x-fake-events / x-fake-delay-us. The first event goes out at once, the
// others D µs apart. Every content event carries "@ts=T", T the sender's
// CLOCK_MONOTONIC in µs, so a client on the same machine can measure each
// event's delay on the way.
//
//   fakeprovider [--port N]      prints "listening on http://127.0.0.1:PORT"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <queue>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

uint64_t nowUs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000u + uint64_t(ts.tv_nsec) / 1000u;
}

enum class Format { OpenAI, Anthropic };

struct Stream
{
    Format format = Format::OpenAI;
    int total = 0;        // content events
    int sent = 0;
    uint64_t delayUs = 0;
    bool includeUsage = false;
    std::string model;
};

struct Conn
{
    int fd = -1;
    uint64_t gen = 0;     // tells a stale timer from the current stream
    std::string in;
    std::string out;
    size_t outPos = 0;
    bool closeAfter = false;
    bool streaming = false;
    Stream stream;
};

struct Timer
{
    uint64_t due;
    int fd;
    uint64_t gen;
    bool operator>(const Timer &o) const { return due > o.due; }
};

int g_epoll = -1;
int g_timerFd = -1;
std::unordered_map<int, Conn> g_conns;
std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> g_timers;
uint64_t g_nextGen = 1;

void armTimerFd()
{
    itimerspec its{};
    if (!g_timers.empty()) {
        const uint64_t due = std::max<uint64_t>(g_timers.top().due, 1);
        its.it_value.tv_sec = time_t(due / 1000000u);
        its.it_value.tv_nsec = long(due % 1000000u) * 1000;
    }
    timerfd_settime(g_timerFd, TFD_TIMER_ABSTIME, &its, nullptr);
}

void closeConn(int fd)
{
    epoll_ctl(g_epoll, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    g_conns.erase(fd);
}

// Writes what is pending; false when the connection was closed.
bool flushOut(Conn &c)
{
    while (c.outPos < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.data() + c.outPos, c.out.size() - c.outPos, MSG_NOSIGNAL);
        if (n > 0) {
            c.outPos += size_t(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            epoll_event ev{};
            ev.events = EPOLLIN | EPOLLOUT;
            ev.data.fd = c.fd;
            epoll_ctl(g_epoll, EPOLL_CTL_MOD, c.fd, &ev);
            return true;
        }
        closeConn(c.fd);
        return false;
    }
    c.out.clear();
    c.outPos = 0;
    if (c.closeAfter && !c.streaming) {
        ::shutdown(c.fd, SHUT_WR);
        closeConn(c.fd);
        return false;
    }
    return true;
}

// Case-insensitive header lookup in a request head.
std::string headerValue(const std::string &head, const char *name)
{
    const size_t nlen = strlen(name);
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
        const size_t start = pos + 2;
        const size_t end = head.find("\r\n", start);
        if (end == std::string::npos || end == start)
            break;
        if (end - start > nlen && head[start + nlen] == ':' && strncasecmp(head.data() + start, name, nlen) == 0) {
            size_t v = start + nlen + 1;
            while (v < end && (head[v] == ' ' || head[v] == '\t'))
                ++v;
            return head.substr(v, end - v);
        }
        pos = end;
    }
    return {};
}

long long markerValue(const std::string &body, const std::string &head, const char *marker, const char *header,
                      long long fallback)
{
    const size_t at = body.find(marker);
    if (at != std::string::npos)
        return atoll(body.c_str() + at + strlen(marker));
    const std::string h = headerValue(head, header);
    return h.empty() ? fallback : atoll(h.c_str());
}

std::string jsonString(const std::string &body, const char *field)
{
    // Good enough for the benchmark's bodies: "field":"value" or "field": "value".
    const std::string key = std::string("\"") + field + "\"";
    size_t at = body.find(key);
    if (at == std::string::npos)
        return {};
    at = body.find('"', at + key.size());
    if (at == std::string::npos)
        return {};
    const size_t end = body.find('"', at + 1);
    return end == std::string::npos ? std::string() : body.substr(at + 1, end - at - 1);
}

bool jsonTrue(const std::string &body, const char *field)
{
    const std::string key = std::string("\"") + field + "\"";
    const size_t at = body.find(key);
    if (at == std::string::npos)
        return false;
    size_t v = at + key.size();
    while (v < body.size() && (body[v] == ':' || body[v] == ' '))
        ++v;
    return body.compare(v, 4, "true") == 0;
}

void appendResponse(Conn &c, int status, const char *type, const std::string &body)
{
    char head[256];
    const int n = snprintf(head, sizeof head,
                           "HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %zu\r\nx-request-id: fake\r\n%s\r\n",
                           status, status == 200 ? "OK" : "Error", type, body.size(),
                           c.closeAfter ? "connection: close\r\n" : "");
    c.out.append(head, size_t(n));
    c.out += body;
}

void appendChunk(std::string &out, const std::string &data)
{
    char size[24];
    const int n = snprintf(size, sizeof size, "%zx\r\n", data.size());
    out.append(size, size_t(n));
    out += data;
    out += "\r\n";
}

std::string contentEvent(const Stream &s)
{
    char text[64];
    snprintf(text, sizeof text, "tok%d @ts=%llu ", s.sent, static_cast<unsigned long long>(nowUs()));
    if (s.format == Format::OpenAI)
        return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
            + s.model + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text
            + "\"},\"finish_reason\":null}]}\n\n";
    return std::string("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                       "\"delta\":{\"type\":\"text_delta\",\"text\":\"")
        + text + "\"}}\n\n";
}

std::string openingEvents(const Stream &s)
{
    if (s.format == Format::OpenAI)
        return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
            + s.model + "\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                        "\"finish_reason\":null}]}\n\n";
    return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_fake\",\"type\":\"message\","
           "\"role\":\"assistant\",\"model\":\""
        + s.model
        + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,"
          "\"output_tokens\":1}}}\n\n"
          "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
          "{\"type\":\"text\",\"text\":\"\"}}\n\n";
}

std::string closingEvents(const Stream &s)
{
    const std::string outTokens = std::to_string(2 * s.total);
    if (s.format == Format::OpenAI) {
        std::string e = "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                        "\"model\":\""
            + s.model + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
        if (s.includeUsage)
            e += "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                 "\"model\":\""
                + s.model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":" + outTokens
                + ",\"total_tokens\":" + std::to_string(12 + 2 * s.total) + "}}\n\n";
        e += "data: [DONE]\n\n";
        return e;
    }
    return "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
           "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
           "\"stop_sequence\":null},\"usage\":{\"output_tokens\":"
        + outTokens + "}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
}

// Appends the next content event (and the opening or closing ones around
// it); schedules the one after. False when the stream is over.
bool emitNext(Conn &c)
{
    Stream &s = c.stream;
    do {
        std::string events;
        if (s.sent == 0)
            events = openingEvents(s);
        events += contentEvent(s);
        ++s.sent;
        const bool last = s.sent >= s.total;
        if (last)
            events += closingEvents(s);
        appendChunk(c.out, events);
        if (last) {
            c.out += "0\r\n\r\n";
            c.streaming = false;
            return false;
        }
    } while (s.delayUs == 0);
    g_timers.push({nowUs() + s.delayUs, c.fd, c.gen});
    if (g_timers.top().gen == c.gen && g_timers.top().fd == c.fd)
        armTimerFd();
    return true;
}

const std::string kOpenAIBody1 = "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"";
const std::string kOpenAIBody2 =
    "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello from the fake provider.\"},"
    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}";
const std::string kAnthropicBody1 = "{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"";
const std::string kAnthropicBody2 =
    "\",\"content\":[{\"type\":\"text\",\"text\":\"Hello from the fake provider.\"}],\"stop_reason\":\"end_turn\","
    "\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":7}}";

void handleRequest(Conn &c, const std::string &head, const std::string &body)
{
    const size_t sp1 = head.find(' ');
    const size_t sp2 = head.find(' ', sp1 + 1);
    const std::string method = head.substr(0, sp1);
    std::string path = head.substr(sp1 + 1, sp2 - sp1 - 1);
    const size_t q = path.find('?');
    if (q != std::string::npos)
        path.resize(q);
    auto endsWith = [&path](const char *s) {
        const size_t n = strlen(s);
        return path.size() >= n && path.compare(path.size() - n, n, s) == 0;
    };
    if (method == "GET" && endsWith("/models")) {
        appendResponse(c, 200, "application/json",
                       "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-fake\",\"object\":\"model\",\"owned_by\":\"fake\"}]}");
        return;
    }
    if (method != "POST") {
        appendResponse(c, 404, "application/json", "{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\"}}");
        return;
    }
    if (endsWith("/messages/count_tokens")) {
        appendResponse(c, 200, "application/json", "{\"input_tokens\":12}");
        return;
    }
    Format format;
    if (endsWith("/chat/completions"))
        format = Format::OpenAI;
    else if (endsWith("/messages"))
        format = Format::Anthropic;
    else {
        appendResponse(c, 404, "application/json", "{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\"}}");
        return;
    }
    std::string model = jsonString(body, "model");
    if (model.empty())
        model = "unknown";
    if (!jsonTrue(body, "stream")) {
        if (format == Format::OpenAI)
            appendResponse(c, 200, "application/json", kOpenAIBody1 + model + kOpenAIBody2);
        else
            appendResponse(c, 200, "application/json", kAnthropicBody1 + model + kAnthropicBody2);
        return;
    }
    c.streaming = true;
    c.gen = g_nextGen++;
    c.stream = Stream{};
    c.stream.format = format;
    c.stream.model = model;
    c.stream.total = int(std::max(1LL, markerValue(body, head, "fake_events=", "x-fake-events", 8)));
    c.stream.delayUs = uint64_t(std::max(0LL, markerValue(body, head, "fake_delay_us=", "x-fake-delay-us", 0)));
    c.stream.includeUsage = jsonTrue(body, "include_usage");
    c.out += "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-cache\r\n"
             "x-request-id: fake\r\ntransfer-encoding: chunked\r\n";
    if (c.closeAfter)
        c.out += "connection: close\r\n";
    c.out += "\r\n";
    emitNext(c);
}

// Parses and answers every complete request in the buffer (one at a time
// while a stream is open). False when the connection was closed.
bool processInput(Conn &c)
{
    while (!c.streaming) {
        const size_t headEnd = c.in.find("\r\n\r\n");
        if (headEnd == std::string::npos) {
            if (c.in.size() > 1 << 20) {
                closeConn(c.fd);
                return false;
            }
            return true;
        }
        const std::string head = c.in.substr(0, headEnd + 2);
        const std::string cl = headerValue(head, "content-length");
        const size_t length = cl.empty() ? 0 : size_t(strtoull(cl.c_str(), nullptr, 10));
        if (c.in.size() < headEnd + 4 + length)
            return true;
        const std::string body = c.in.substr(headEnd + 4, length);
        c.in.erase(0, headEnd + 4 + length);
        const std::string connection = headerValue(head, "connection");
        c.closeAfter = strcasestr(connection.c_str(), "close") != nullptr || head.find(" HTTP/1.0\r\n") != std::string::npos;
        handleRequest(c, head, body);
        if (!flushOut(c))
            return false;
        if (c.closeAfter)
            break;
    }
    return true;
}

void onReadable(int fd)
{
    auto it = g_conns.find(fd);
    if (it == g_conns.end())
        return;
    Conn &c = it->second;
    char buf[65536];
    while (true) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            c.in.append(buf, size_t(n));
            if (size_t(n) < sizeof buf)
                break;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        closeConn(fd); // peer closed or error: a stream in flight ends with it
        return;
    }
    processInput(c);
}

void onWritable(int fd)
{
    auto it = g_conns.find(fd);
    if (it == g_conns.end())
        return;
    Conn &c = it->second;
    if (!flushOut(c))
        return;
    if (c.outPos == 0 && c.out.empty()) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        epoll_ctl(g_epoll, EPOLL_CTL_MOD, fd, &ev);
        if (!c.streaming)
            processInput(c);
    }
}

void onTimers()
{
    uint64_t expirations;
    if (::read(g_timerFd, &expirations, sizeof expirations) < 0) {
        // spurious wake-up: nothing to read
    }
    const uint64_t now = nowUs();
    while (!g_timers.empty() && g_timers.top().due <= now) {
        const Timer t = g_timers.top();
        g_timers.pop();
        auto it = g_conns.find(t.fd);
        if (it == g_conns.end() || it->second.gen != t.gen || !it->second.streaming)
            continue;
        Conn &c = it->second;
        const bool more = emitNext(c);
        if (!flushOut(c))
            continue;
        if (!more && c.out.empty())
            processInput(c); // a request that arrived while streaming
    }
    armTimerFd();
}

} // namespace

int main(int argc, char **argv)
{
    int port = 0;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: fakeprovider [--port N]\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    const int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(uint16_t(port));
    if (bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0 || listen(lfd, 4096) < 0) {
        perror("fakeprovider: bind/listen");
        return 1;
    }
    socklen_t len = sizeof addr;
    getsockname(lfd, reinterpret_cast<sockaddr *>(&addr), &len);
    printf("listening on http://127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    g_timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.fd = g_timerFd;
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, g_timerFd, &ev);

    std::vector<epoll_event> events(1024);
    while (true) {
        const int n = epoll_wait(g_epoll, events.data(), int(events.size()), -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("fakeprovider: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; ++i) {
            const int fd = events[size_t(i)].data.fd;
            const uint32_t what = events[size_t(i)].events;
            if (fd == lfd) {
                while (true) {
                    const int cfd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (cfd < 0)
                        break;
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    Conn &c = g_conns[cfd];
                    c = Conn{};
                    c.fd = cfd;
                    epoll_event cev{};
                    cev.events = EPOLLIN;
                    cev.data.fd = cfd;
                    epoll_ctl(g_epoll, EPOLL_CTL_ADD, cfd, &cev);
                }
            } else if (fd == g_timerFd) {
                onTimers();
            } else {
                if (what & EPOLLOUT)
                    onWritable(fd);
                if (what & (EPOLLIN | EPOLLHUP | EPOLLERR))
                    onReadable(fd);
            }
        }
    }
}
