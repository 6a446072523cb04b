#pragma once

// How the window writes money, tokens, limits and durations, so every page
// says the same thing the same way ("$0.0042", "12.3k", "unlimited").

#include <QDateTime>
#include <QString>

namespace UiFormat {
// Dollars with the precision a small amount needs: $12.34, $0.0042, $0.
QString money(double usd);
// A limit of 0 is "unlimited"; else money(usd) or the count.
QString moneyLimit(double usd);
QString countLimit(qint64 n);
// 950, 12.3k, 4.1M
QString count(qint64 n);
// 42 s, 3 min 05 s, 2 h 10 min
QString duration(double seconds);
// Local date and time, short
QString when(const QDateTime &utc);
// Compact: the time for today ("14:05:09"), else the day and time ("21 Nov 14:05")
QString whenShort(const QDateTime &utc);
}
