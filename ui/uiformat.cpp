#include "uiformat.h"

#include <QCoreApplication>
#include <QLocale>

#include <cmath>

using namespace Qt::StringLiterals;

namespace UiFormat {

QString money(double usd)
{
    const double a = std::abs(usd);
    if (a == 0)
        return u"$0.00"_s;
    // Cents are enough from a dollar up, and for whole cents (a limit of
    // $0.50); below, show the digits that move.
    const bool wholeCents = std::abs(a * 100 - std::round(a * 100)) < 1e-9;
    const int decimals = (a >= 1 || wholeCents) ? 2 : a >= 0.01 ? 4 : 6;
    return (usd < 0 ? u"-$"_s : u"$"_s) + QString::number(a, 'f', decimals);
}

QString moneyLimit(double usd)
{
    return usd > 0 ? money(usd) : QCoreApplication::translate("UiFormat", "unlimited");
}

QString countLimit(qint64 n)
{
    return n > 0 ? QString::number(n) : QCoreApplication::translate("UiFormat", "unlimited");
}

QString count(qint64 n)
{
    const double a = std::abs(double(n));
    if (a < 1000)
        return QString::number(n);
    if (a < 1e6)
        return QString::number(n / 1e3, 'f', a < 1e4 ? 1 : 0) + u'k';
    return QString::number(n / 1e6, 'f', a < 1e7 ? 1 : 0) + u'M';
}

QString duration(double seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds < 60)
        return QString::number(seconds, 'f', seconds < 10 ? 1 : 0) + u" s"_s;
    const qint64 s = qint64(seconds);
    if (s < 3600)
        return QString::number(s / 60) + u" min "_s + QString::number(s % 60).rightJustified(2, u'0') + u" s"_s;
    if (s < 86400)
        return QString::number(s / 3600) + u" h "_s + QString::number((s % 3600) / 60).rightJustified(2, u'0')
            + u" min"_s;
    return QString::number(s / 86400) + u" d "_s + QString::number((s % 86400) / 3600) + u" h"_s;
}

QString when(const QDateTime &utc)
{
    if (!utc.isValid())
        return u"—"_s;
    return QLocale().toString(utc.toLocalTime(), QLocale::ShortFormat);
}

QString whenShort(const QDateTime &utc)
{
    if (!utc.isValid())
        return u"—"_s;
    const QDateTime local = utc.toLocalTime();
    if (local.date() == QDate::currentDate())
        return QLocale().toString(local.time(), u"HH:mm:ss"_s);
    return QLocale().toString(local, u"d MMM HH:mm"_s);
}

} // namespace UiFormat
