#include "newkeydialog.h"

#include "uiicons.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

NewKeyDialog::NewKeyDialog(const QByteArray &rawKey, const QString &name, const QString &listenUrl, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"newKeyDialog"_s);
    setWindowTitle(tr("Key “%1” minted").arg(name));
    setAttribute(Qt::WA_DeleteOnClose);

    auto *warning = new QLabel(this);
    warning->setObjectName(u"onceWarning"_s);
    warning->setWordWrap(true);
    warning->setTextFormat(Qt::RichText);
    warning->setText(tr("<b>Copy this key now. You will not see it again.</b><br>"
                        "Tollgate keeps only a hash of it; if it is lost, revoke it and mint another."));

    m_key = new QLineEdit(QString::fromLatin1(rawKey), this);
    m_key->setObjectName(u"rawKey"_s);
    m_key->setReadOnly(true);
    m_key->setAccessibleName(tr("New API key"));
    m_key->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_key->setMinimumWidth(m_key->fontMetrics().horizontalAdvance(m_key->text()) + 24);

    m_copy = new QPushButton(UiIcons::get(u"copy"), tr("&Copy"), this);
    m_copy->setObjectName(u"copyKey"_s);
    m_copy->setAccessibleName(tr("Copy the key"));
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_key->text());
        m_copy->setText(tr("Copied"));
        QTimer::singleShot(1500, m_copy, [copy = m_copy] { copy->setText(tr("&Copy")); });
    });

    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(m_copy);

    auto *usage = new QPlainTextEdit(this);
    usage->setObjectName(u"keyUsage"_s);
    usage->setReadOnly(true);
    usage->setAccessibleName(tr("How to use the key"));
    usage->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    usage->setPlainText(u"export OPENAI_BASE_URL="_s + listenUrl + u"/v1\nexport OPENAI_API_KEY="_s
                        + QString::fromLatin1(rawKey) + u"\n\nexport ANTHROPIC_BASE_URL="_s + listenUrl
                        + u"\nexport ANTHROPIC_API_KEY="_s + QString::fromLatin1(rawKey));
    usage->setLineWrapMode(QPlainTextEdit::NoWrap);
    usage->setFixedHeight(usage->fontMetrics().lineSpacing() * 5 + 2 * usage->frameWidth() + 12);
    usage->setMinimumWidth(usage->fontMetrics().horizontalAdvance(u"export ANTHROPIC_API_KEY="_s + m_key->text()) + 40);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setText(tr("I have copied it"));
    buttons->button(QDialogButtonBox::Close)->setObjectName(u"done"_s);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(warning);
    layout->addLayout(keyRow);
    layout->addWidget(new QLabel(tr("Point a client at Tollgate with it:"), this));
    layout->addWidget(usage);
    layout->addWidget(buttons);
    m_key->setFocus();
    m_key->selectAll();
}

QString NewKeyDialog::shownKey() const
{
    return m_key->text();
}

void NewKeyDialog::done(int result)
{
    // Nothing keeps the raw key once the dialog is gone.
    m_key->clear();
    if (auto *usage = findChild<QPlainTextEdit *>(u"keyUsage"_s))
        usage->clear();
    QDialog::done(result);
}
