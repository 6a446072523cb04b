#include "provider.h"

bool Provider::serves(const QString &model) const
{
    for (const QString &p : m_config.models) {
        if (globMatch(p, model))
            return true;
    }
    return false;
}

// Iterative glob with backtracking on the last '*': linear for the simple
// patterns configs use, no regex compilation on the hot path.
bool Provider::globMatch(const QString &pattern, const QString &text)
{
    qsizetype p = 0, t = 0, star = -1, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == u'?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == u'*') {
            star = p++;
            mark = t;
        } else if (star >= 0) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == u'*')
        ++p;
    return p == pattern.size();
}
