#pragma once

// Draws a small "Kill" push button in a table cell and reports a click on
// it, so every live call and every run has its own kill switch without a
// widget per row (rows come and go ten times a second under load). The
// cell's text is the button's label; a cell without Qt::ItemIsEnabled is
// drawn disabled and ignores clicks. Keyboard users press the page's Kill
// action (Ctrl+K) on the selected row instead.
//
//   auto *kill = new KillButtonDelegate(view);
//   view->setItemDelegateForColumn(LiveCallsModel::Kill, kill);
//   connect(kill, &KillButtonDelegate::clicked, this, [](const QModelIndex &i) { ... });

#include <QStyledItemDelegate>

class KillButtonDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit KillButtonDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;

Q_SIGNALS:
    void clicked(const QModelIndex &index);

private:
    QRect buttonRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;

    QPersistentModelIndex m_pressed;
};
