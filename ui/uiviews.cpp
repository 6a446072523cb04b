#include "uiviews.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>

namespace UiViews {

void prepareTable(QTableView *view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setTabKeyNavigation(false);   // Tab leaves the table, arrows move within it
    view->verticalHeader()->setVisible(false);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
}

void setStatus(QLabel *label, const QString &text, bool error)
{
    label->setText(text);
    label->setStyleSheet(error ? QStringLiteral("color: #d9534f;") : QString());
    label->setAccessibleDescription(text);
}

QColor warningTint()
{
    return QColor(235, 165, 0, 80);
}

QColor errorTint()
{
    return QColor(218, 54, 51, 80);
}

QColor okTint()
{
    return QColor(46, 160, 67, 70);
}

} // namespace UiViews
