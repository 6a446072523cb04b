#include "spendchart.h"

#include "uiformat.h"

#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <cmath>

using namespace Qt::StringLiterals;

namespace {

// An axis label: as few decimals as the gridline values need ($0.25, $0.025).
QString axisMoney(double value, double top)
{
    int decimals = 2;
    for (; decimals < 6; ++decimals) {
        const double scale = std::pow(10.0, decimals);
        const double half = top / 2 * scale;
        if (std::abs(half - std::round(half)) < 1e-6 && std::abs(top * scale - std::round(top * scale)) < 1e-6)
            break;
    }
    return u"$"_s + QString::number(value, 'f', decimals);
}

} // namespace

SpendChart::SpendChart(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    // It repaints with the live figures; being opaque spares its parent.
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAccessibleName(tr("Spend over the last 30 days"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

QSize SpendChart::sizeHint() const
{
    return {420, 200};
}

QSize SpendChart::minimumSizeHint() const
{
    return {240, 120};
}

void SpendChart::setDays(const QList<QPair<QDate, double>> &days)
{
    if (days == m_days)
        return;
    m_days = days;
    double total = 0;
    for (const auto &d : m_days)
        total += d.second;
    setAccessibleDescription(tr("%1 spent over the last %2 days").arg(UiFormat::money(total)).arg(m_days.size()));
    update();
}

QRectF SpendChart::plotRect() const
{
    const QFontMetrics fm = fontMetrics();
    const double top = niceTop();
    const double left = std::max(fm.horizontalAdvance(axisMoney(top, top)), fm.horizontalAdvance(axisMoney(top / 2, top)))
        + 12;
    return QRectF(left, fm.height() / 2.0 + 2, width() - left - 8, height() - fm.height() * 2.0 - 8);
}

double SpendChart::niceTop() const
{
    double max = 0;
    for (const auto &d : m_days)
        max = std::max(max, d.second);
    if (max <= 0)
        return 1.0;
    // 1, 2 or 5 times a power of ten, above the tallest bar.
    const double magnitude = std::pow(10.0, std::floor(std::log10(max)));
    for (double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= max)
            return step * magnitude;
    }
    return 10 * magnitude;
}

QRectF SpendChart::barRect(int i, double top) const
{
    const QRectF plot = plotRect();
    const double slot = plot.width() / std::max<qsizetype>(1, m_days.size());
    const double gap = std::max(1.0, slot * 0.22);
    const double h = top > 0 ? plot.height() * (m_days.at(i).second / top) : 0;
    // A day with some spend stays visible however small it is.
    const double shown = m_days.at(i).second > 0 ? std::max(h, 2.0) : 0;
    return QRectF(plot.left() + i * slot + gap / 2, plot.bottom() - shown, slot - gap, shown);
}

void SpendChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.window());
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF plot = plotRect();
    const QFontMetrics fm = fontMetrics();
    const double top = niceTop();

    QColor grid = pal.color(QPalette::WindowText);
    grid.setAlphaF(0.12);
    QColor axisText = pal.color(QPalette::WindowText);
    axisText.setAlphaF(0.65);

    // Horizontal grid and money labels: 0, half, top.
    for (int i = 0; i <= 2; ++i) {
        const double y = plot.bottom() - plot.height() * i / 2.0;
        p.setPen(QPen(grid, 1));
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        p.setPen(axisText);
        const QString label = axisMoney(top * i / 2.0, top);
        p.drawText(QRectF(0, y - fm.height() / 2.0, plot.left() - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                   label);
    }

    if (m_days.isEmpty()) {
        p.setPen(axisText);
        p.drawText(plot, Qt::AlignCenter, tr("Waiting for the ledger…"));
        return;
    }

    bool any = false;
    const QColor bar = pal.color(QPalette::Highlight);
    QColor soft = bar;
    soft.setAlphaF(0.55);
    for (int i = 0; i < m_days.size(); ++i) {
        const QRectF r = barRect(i, top);
        if (r.height() <= 0)
            continue;
        any = true;
        const bool today = i == m_days.size() - 1;
        QPainterPath path;
        path.addRoundedRect(r, 2, 2);
        p.fillPath(path, (today || i == m_hover) ? bar : soft);
    }
    if (!any) {
        p.setPen(axisText);
        p.drawText(plot.adjusted(0, 0, 0, -plot.height() / 3), Qt::AlignCenter, tr("No spend in the last 30 days yet"));
    }

    // Day labels: the first day, every seventh after it, and today.
    p.setPen(axisText);
    const double slot = plot.width() / m_days.size();
    const QLocale locale;
    const QString fmt = u"d MMM"_s;
    double lastRight = -1e9;
    for (int i = int(m_days.size()) - 1; i >= 0; i -= 7) {
        const QString text = i == m_days.size() - 1 ? tr("today") : locale.toString(m_days.at(i).first, fmt);
        const double w = fm.horizontalAdvance(text);
        double x = plot.left() + slot * (i + 0.5) - w / 2;
        x = std::clamp(x, plot.left(), plot.right() - w);
        if (x + w > lastRight - 6 && lastRight > -1e9 && i != m_days.size() - 1)
            continue;
        p.drawText(QRectF(x, plot.bottom() + 4, w + 1, fm.height()), Qt::AlignLeft | Qt::AlignTop, text);
        lastRight = x;
    }
}

void SpendChart::mouseMoveEvent(QMouseEvent *event)
{
    const QRectF plot = plotRect();
    int hover = -1;
    if (!m_days.isEmpty() && plot.contains(event->position())) {
        hover = int((event->position().x() - plot.left()) / (plot.width() / m_days.size()));
        hover = std::clamp(hover, 0, int(m_days.size()) - 1);
    }
    if (hover != m_hover) {
        m_hover = hover;
        update();
    }
    if (hover >= 0) {
        const auto &d = m_days.at(hover);
        QToolTip::showText(event->globalPosition().toPoint(),
                           QLocale().toString(d.first, QLocale::LongFormat) + u"\n"_s + UiFormat::money(d.second),
                           this);
    } else {
        QToolTip::hideText();
    }
}

void SpendChart::leaveEvent(QEvent *)
{
    m_hover = -1;
    update();
}
