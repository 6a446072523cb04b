#include "killbuttondelegate.h"

#include "uiicons.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QPixmapCache>
#include <QStyle>

using namespace Qt::StringLiterals;

KillButtonDelegate::KillButtonDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

QRect KillButtonDelegate::buttonRect(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QString text = index.data(Qt::DisplayRole).toString();
    const QFontMetrics fm(option.font);
    const int iconSize = fm.height();
    const int w = fm.horizontalAdvance(text) + iconSize + 22;
    const int h = std::min(option.rect.height() - 4, fm.height() + 8);
    QRect r(0, 0, std::min(w, option.rect.width() - 4), h);
    r.moveCenter(option.rect.center());
    return r;
}

void KillButtonDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    // The cell's own background (selection, alternating rows) first.
    QStyleOptionViewItem cell = option;
    initStyleOption(&cell, index);
    cell.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, widget);

    const bool enabled = index.flags() & Qt::ItemIsEnabled;
    const QRect rect = buttonRect(option, index);
    QStyleOptionButton button;
    button.rect = QRect(QPoint(0, 0), rect.size());
    button.text = index.data(Qt::DisplayRole).toString();
    button.fontMetrics = option.fontMetrics;
    button.palette = option.palette;
    button.state = enabled ? QStyle::State_Enabled : QStyle::State_None;
    button.state |= (enabled && m_pressed == index) ? QStyle::State_Sunken : QStyle::State_Raised;
    if (enabled && (option.state & QStyle::State_MouseOver))
        button.state |= QStyle::State_MouseOver;
    if (enabled) {
        button.icon = UiIcons::get(u"kill");
        button.iconSize = QSize(option.fontMetrics.height() - 2, option.fontMetrics.height() - 2);
    }

    // Every row shows the same few buttons, ten times a second under load:
    // draw each look once and blit it.
    const qreal dpr = painter->device()->devicePixelRatioF();
    const QString key = u"tollgate-kill/"_s + button.text + u'/' + QString::number(rect.width()) + u'x'
        + QString::number(rect.height()) + u'/' + QString::number(int(button.state)) + u'/'
        + QString::number(dpr) + u'/' + QString::number(option.palette.cacheKey()) + u'/' + style->name();
    QPixmap pixmap;
    if (!QPixmapCache::find(key, &pixmap)) {
        pixmap = QPixmap(rect.size() * dpr);
        pixmap.setDevicePixelRatio(dpr);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setFont(option.font);
        style->drawControl(QStyle::CE_PushButton, &button, &p, widget);
        p.end();
        QPixmapCache::insert(key, pixmap);
    }
    painter->drawPixmap(rect.topLeft(), pixmap);
}

QSize KillButtonDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QFontMetrics fm(option.font);
    const QString text = index.data(Qt::DisplayRole).toString();
    return {fm.horizontalAdvance(text) + fm.height() + 34, fm.height() + 12};
}

bool KillButtonDelegate::editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                                     const QModelIndex &index)
{
    if (!(index.flags() & Qt::ItemIsEnabled))
        return false;
    switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick: {
        auto *me = static_cast<QMouseEvent *>(event);
        if (me->button() == Qt::LeftButton && buttonRect(option, index).contains(me->position().toPoint())) {
            m_pressed = index;
            return true;
        }
        break;
    }
    case QEvent::MouseButtonRelease: {
        auto *me = static_cast<QMouseEvent *>(event);
        const bool hit = m_pressed == index && buttonRect(option, index).contains(me->position().toPoint());
        m_pressed = QPersistentModelIndex();
        if (hit) {
            Q_EMIT clicked(index);
            return true;
        }
        break;
    }
    default:
        break;
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}
