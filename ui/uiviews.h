#pragma once

// Small helpers the pages share so their tables and messages look alike:
// row selection, no grid, alternating rows, a status line that turns red
// for errors (a red readable on light and dark palettes alike).
//
//   UiViews::prepareTable(view);
//   UiViews::setStatus(label, tr("Saved v3"));

#include <QColor>
#include <QString>

class QLabel;
class QTableView;

namespace UiViews {
void prepareTable(QTableView *view);
void setStatus(QLabel *label, const QString &text, bool error = false);
// Translucent tints laid over the view's base colour.
QColor warningTint();
QColor errorTint();
QColor okTint();
}
