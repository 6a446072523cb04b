#include "uiviews.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QToolButton>

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

QLabel *heading(const QString &text, QWidget *buddy)
{
    auto *label = new QLabel(text);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    label->setBuddy(buddy);
    return label;
}

QPushButton *button(const QString &text, const QString &objectName, const QString &tip)
{
    auto *b = new QPushButton(text);
    b->setObjectName(objectName);
    b->setAccessibleName(text);
    b->setToolTip(tip);
    return b;
}

QToolButton *actionButton(QAction *action, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setDefaultAction(action);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setObjectName(action->objectName() + QStringLiteral("Button"));
    return b;
}

QLabel *hint(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
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
