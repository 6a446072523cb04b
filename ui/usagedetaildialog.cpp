#include "usagedetaildialog.h"

#include "admin/adminjson.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

static QString jsonText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: return {};
    case QJsonValue::Bool: return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return d == double(qint64(d)) && std::abs(d) < 1e15 ? QString::number(qint64(d)) : QString::number(d, 'g', 12);
    }
    default: return v.toString();
    }
}

UsageDetailDialog::UsageDetailDialog(const UsageRecord &record, const QString &keyName, QWidget *parent)
    : QDialog(parent), m_record(record)
{
    setObjectName(u"usageDetailDialog"_s);
    setWindowTitle(tr("Call %1").arg(record.requestId));
    setAccessibleName(tr("Call details"));
    setAttribute(Qt::WA_DeleteOnClose);

    auto *fields = new QWidget;
    auto *form = new QFormLayout(fields);
    form->setLabelAlignment(Qt::AlignRight);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (const QString &field : AdminJson::kUsageFields) {
        QString text = fieldText(field);
        if (field == u"key_id"_s && !keyName.isEmpty() && !text.isEmpty())
            text += u"  ("_s + keyName + u')';
        auto *value = new QLabel(text.isEmpty() ? tr("—") : text);
        value->setObjectName(u"field_"_s + field);
        value->setAccessibleName(field);
        value->setFont(fixed);
        value->setWordWrap(true);
        value->setTextFormat(Qt::PlainText);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        value->setFocusPolicy(Qt::StrongFocus);   // keyboard users can select and copy too
        auto *name = new QLabel(field);
        name->setBuddy(value);
        form->addRow(name, value);
    }
    auto *scroll = new QScrollArea;
    scroll->setWidget(fields);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->setObjectName(u"usageDetailButtons"_s);
    QPushButton *copy = buttons->addButton(tr("&Copy as JSON"), QDialogButtonBox::ActionRole);
    copy->setObjectName(u"copyUsageJsonButton"_s);
    copy->setAccessibleName(tr("Copy the record as JSON"));
    connect(copy, &QPushButton::clicked, this, [this] {
        const QByteArray json = QJsonDocument(AdminJson::usage(m_record)).toJson(QJsonDocument::Indented);
        QGuiApplication::clipboard()->setText(QString::fromUtf8(json));
    });
    buttons->button(QDialogButtonBox::Close)->setObjectName(u"closeUsageDetailButton"_s);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(buttons);
    resize(560, 640);
}

QString UsageDetailDialog::fieldText(const QString &field) const
{
    return jsonText(AdminJson::usage(m_record).value(field));
}
