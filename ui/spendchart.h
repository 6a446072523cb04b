#pragma once

// Spend over time: one bar per day (the last 30 days, today last), drawn
// with QPainter in the palette's colours so it reads in light and dark
// themes. Hovering a bar shows its day and amount. A view only: it is
// handed the figures (SpendTracker::byDay) and keeps nothing else.
//
//   connect(tracker, &SpendTracker::changed, chart, [=] { chart->setDays(tracker->byDay()); });

#include <QDate>
#include <QList>
#include <QPair>
#include <QWidget>

class SpendChart : public QWidget
{
    Q_OBJECT
public:
    explicit SpendChart(QWidget *parent = nullptr);

    void setDays(const QList<QPair<QDate, double>> &days);
    const QList<QPair<QDate, double>> &days() const { return m_days; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    QRectF plotRect() const;
    QRectF barRect(int i, double top) const;
    double niceTop() const;

    QList<QPair<QDate, double>> m_days;
    int m_hover = -1;
};
