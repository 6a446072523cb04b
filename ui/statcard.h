#pragma once

// One figure on the overview: a caption, a large value and a line of
// detail ("Today", "$1.24", "312 calls"). Reads its colours from the
// palette, so it suits light and dark themes alike.
//
//   auto *today = new StatCard(u"todaySpend"_s, tr("Spend today"), this);
//   today->setValue(UiFormat::money(tracker->today()), tr("%n calls", nullptr, n));

#include <QFrame>

class QLabel;

class StatCard : public QFrame
{
    Q_OBJECT
public:
    StatCard(const QString &objectName, const QString &caption, QWidget *parent = nullptr);

    void setValue(const QString &value, const QString &detail = {});
    QString value() const;

private:
    QString m_caption;
    QLabel *m_value;
    QLabel *m_detail;
};
