#include "statcard.h"

#include <QLabel>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

StatCard::StatCard(const QString &objectName, const QString &caption, QWidget *parent)
    : QFrame(parent), m_caption(caption)
{
    setObjectName(objectName);
    setFrameShape(QFrame::StyledPanel);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    auto *title = new QLabel(caption, this);
    title->setForegroundRole(QPalette::PlaceholderText);
    m_value = new QLabel(u"—"_s, this);
    m_value->setObjectName(objectName + u"Value"_s);
    QFont big = m_value->font();
    big.setPointSizeF(big.pointSizeF() * 1.7);
    big.setWeight(QFont::DemiBold);
    m_value->setFont(big);
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail = new QLabel(this);
    m_detail->setForegroundRole(QPalette::PlaceholderText);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(2);
    layout->addWidget(title);
    layout->addWidget(m_value);
    layout->addWidget(m_detail);
    setAccessibleName(caption);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void StatCard::setValue(const QString &value, const QString &detail)
{
    // Called several times a second under load: touch the labels (and the
    // layout) only when the text changes.
    if (value == m_value->text() && detail == m_detail->text())
        return;
    m_value->setText(value);
    m_detail->setText(detail);
    setAccessibleDescription(value + (detail.isEmpty() ? QString() : u", "_s + detail));
}

QString StatCard::value() const
{
    return m_value->text();
}
