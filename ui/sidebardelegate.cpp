#include "sidebardelegate.h"

#include <QPainter>
#include <QPainterPath>

void SidebarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    const bool selected = opt.state & QStyle::State_Selected;
    const bool hovered = opt.state & QStyle::State_MouseOver;
    if (selected || hovered) {
        QColor tint = opt.palette.color(QPalette::Highlight);
        tint.setAlphaF(selected ? 0.24 : 0.10);
        QPainterPath path;
        path.addRoundedRect(QRectF(opt.rect).adjusted(4, 1, -4, -1), 5, 5);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->fillPath(path, tint);
        painter->restore();
    }
    // Icon and text as usual, without the style's selection and focus frame.
    opt.state &= ~(QStyle::State_Selected | QStyle::State_HasFocus | QStyle::State_MouseOver);
    if (selected)
        opt.font.setWeight(QFont::DemiBold);
    QStyledItemDelegate::paint(painter, opt, index);
}
