#pragma once

// Small helpers the pages share so their tables, buttons and messages look
// alike: row selection, no grid, alternating rows, bold headings bound to
// their widget, a grey hint under a page, a status line that turns red for
// errors (a red readable on light and dark palettes alike).
//
//   UiViews::prepareTable(view);
//   layout->addWidget(UiViews::heading(tr("&Versions"), versionsView));
//   UiViews::setStatus(label, tr("Saved v3"));

#include <QColor>
#include <QString>

class QAction;
class QLabel;
class QPushButton;
class QTableView;
class QToolButton;
class QWidget;

namespace UiViews {
void prepareTable(QTableView *view);
// A bold label whose mnemonic moves the focus to buddy.
QLabel *heading(const QString &text, QWidget *buddy);
// A push button named for tests and screen readers, with a tool tip.
QPushButton *button(const QString &text, const QString &objectName, const QString &tip);
// A tool button for a page action, text beside icon, named "<action>Button".
QToolButton *actionButton(QAction *action, QWidget *parent);
// A wrapped line of grey rich text that explains a page.
QLabel *hint(const QString &text, QWidget *parent = nullptr);
void setStatus(QLabel *label, const QString &text, bool error = false);
// Translucent tints laid over the view's base colour.
QColor warningTint();
QColor errorTint();
QColor okTint();
}
