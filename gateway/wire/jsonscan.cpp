#include "jsonscan.h"

#include <cstring>

namespace JsonScan {

namespace {

class Scanner
{
public:
    explicit Scanner(QByteArrayView text) : m_p(text.data()), m_end(text.data() + text.size()) {}

    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool take(char c)
    {
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }
    bool atEnd() const { return m_p >= m_end; }
    char peek() const { return *m_p; }
    const char *pos() const { return m_p; }

    // A string starting at its opening quote; sets *escaped when it holds a backslash.
    bool skipString(bool *escaped = nullptr)
    {
        if (!take('"'))
            return false;
        while (m_p < m_end) {
            const void *hit = std::memchr(m_p, '"', size_t(m_end - m_p));
            const char *quote = hit ? static_cast<const char *>(hit) : m_end;
            // A quote preceded by an odd run of backslashes is escaped.
            const char *b = quote;
            while (b > m_p && b[-1] == '\\')
                --b;
            if (escaped && std::memchr(m_p, '\\', size_t(quote - m_p)))
                *escaped = true;
            if (quote == m_end)
                return false;
            m_p = quote + 1;
            if ((quote - b) % 2 == 0)
                return true;
        }
        return false;
    }

    // Any value; objects and arrays by bracket depth, strings by their quotes.
    bool skipValue()
    {
        if (atEnd())
            return false;
        const char c = peek();
        if (c == '"')
            return skipString();
        if (c == '{' || c == '[') {
            int depth = 0;
            while (m_p < m_end) {
                const char d = *m_p;
                if (d == '"') {
                    if (!skipString())
                        return false;
                    continue;
                }
                ++m_p;
                if (d == '{' || d == '[')
                    ++depth;
                else if (d == '}' || d == ']') {
                    if (--depth == 0)
                        return true;
                }
            }
            return false;
        }
        // A number or a literal: up to the next delimiter.
        const char *start = m_p;
        while (m_p < m_end && *m_p != ',' && *m_p != '}' && *m_p != ']' && *m_p != ' ' && *m_p != '\n'
               && *m_p != '\r' && *m_p != '\t')
            ++m_p;
        return m_p > start;
    }

private:
    const char *m_p;
    const char *m_end;
};

} // namespace

Member topLevelMember(QByteArrayView json, QByteArrayView name)
{
    Scanner s(json);
    s.skipSpace();
    if (!s.take('{'))
        return {};
    s.skipSpace();
    if (s.take('}'))
        return {Status::Absent, {}};
    // The whole object is walked even after the member is found: a parser
    // keeps the last of two members of one name, so a second one (or an
    // object that does not end properly) makes the answer Unsure.
    Member found{Status::Absent, {}};
    while (true) {
        s.skipSpace();
        const char *keyStart = s.pos() + 1;
        bool escaped = false;
        if (!s.skipString(&escaped))
            return {};
        if (escaped)
            return {};   // an escaped key could spell the name: let a real parser decide
        const QByteArrayView key(keyStart, s.pos() - 1 - keyStart);
        s.skipSpace();
        if (!s.take(':'))
            return {};
        s.skipSpace();
        const char *valueStart = s.pos();
        if (!s.skipValue())
            return {};
        if (key == name) {
            if (found.status == Status::Found)
                return {};
            found = {Status::Found, QByteArrayView(valueStart, s.pos() - valueStart)};
        }
        s.skipSpace();
        if (s.take('}'))
            break;
        if (!s.take(','))
            return {};
    }
    s.skipSpace();
    return s.atEnd() ? found : Member{};
}

} // namespace JsonScan
