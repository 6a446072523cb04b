#pragma once

// Paints the window's page list: the current page as one soft, rounded
// tint of the accent across the whole row (icon included), so the
// coloured icons stay visible on it in light and dark palettes alike;
// the style's own selection (text-only in some styles) is not drawn.
//
//   sidebar->setItemDelegate(new SidebarDelegate(sidebar));

#include <QStyledItemDelegate>

class SidebarDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};
