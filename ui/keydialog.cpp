#include "keydialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

QDoubleSpinBox *moneyBox(const QString &name, QWidget *parent)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0, 1e6);
    box->setDecimals(2);
    box->setSingleStep(1);
    box->setPrefix(u"$"_s);
    box->setSpecialValueText(KeyDialog::tr("unlimited"));
    box->setAccelerated(true);
    return box;
}

QSpinBox *countBox(const QString &name, const QString &suffix, QWidget *parent)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0, 100'000'000);
    box->setSingleStep(10);
    box->setSuffix(suffix);
    box->setSpecialValueText(KeyDialog::tr("unlimited"));
    box->setAccelerated(true);
    return box;
}

} // namespace

KeyDialog::KeyDialog(Mode mode, QWidget *parent) : QDialog(parent)
{
    setObjectName(mode == Mode::Mint ? u"mintKeyDialog"_s : u"editKeyDialog"_s);
    setWindowTitle(mode == Mode::Mint ? tr("Mint a key") : tr("Edit key limits"));
    setAccessibleName(windowTitle());

    m_name = new QLineEdit(this);
    m_name->setObjectName(u"name"_s);
    m_name->setPlaceholderText(tr("e.g. laptop, ci, research-agent"));
    m_name->setMaxLength(100);
    m_models = new QLineEdit(this);
    m_models->setObjectName(u"models"_s);
    m_models->setPlaceholderText(tr("all models — or patterns: gpt-4o*, claude-*"));
    m_rpm = countBox(u"rpm"_s, tr(" req/min"), this);
    m_tpm = countBox(u"tpm"_s, tr(" tok/min"), this);
    m_tpm->setSingleStep(1000);
    m_monthlyCap = moneyBox(u"monthlyCap"_s, this);
    m_hardCap = moneyBox(u"hardCap"_s, this);
    m_runBudget = moneyBox(u"runBudget"_s, this);
    m_runBudget->setSingleStep(0.5);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Allowed &models:"), m_models);
    form->addRow(tr("&Requests per minute:"), m_rpm);
    form->addRow(tr("&Tokens per minute:"), m_tpm);
    form->addRow(tr("Monthly spend &cap:"), m_monthlyCap);
    form->addRow(tr("&Hard cap (lifetime):"), m_hardCap);
    form->addRow(tr("Default run &budget:"), m_runBudget);
    for (QWidget *w : {static_cast<QWidget *>(m_name), static_cast<QWidget *>(m_models), static_cast<QWidget *>(m_rpm),
                       static_cast<QWidget *>(m_tpm), static_cast<QWidget *>(m_monthlyCap),
                       static_cast<QWidget *>(m_hardCap), static_cast<QWidget *>(m_runBudget)}) {
        if (auto *label = qobject_cast<QLabel *>(form->labelForField(w)))
            w->setAccessibleName(label->text().remove(u'&').remove(u':'));
    }

    auto *hint = new QLabel(tr("0 means unlimited. The run budget is the spend budget every run started with "
                               "this key gets, unless the run sets its own."),
                            this);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(mode == Mode::Mint ? tr("&Mint key") : tr("&Save"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(u"ok"_s);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &KeyDialog::updateOk);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(m_buttons);
    setMinimumWidth(460);
    updateOk();
}

void KeyDialog::updateOk()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_name->text().trimmed().isEmpty());
}

void KeyDialog::setSettings(const KeyRecord &key)
{
    m_base = key;
    m_name->setText(key.name);
    m_models->setText(key.allowedModels.join(u", "_s));
    m_rpm->setValue(int(std::min<qint64>(key.ratePerMin, m_rpm->maximum())));
    m_tpm->setValue(int(std::min<qint64>(key.tokensPerMin, m_tpm->maximum())));
    m_monthlyCap->setValue(key.monthlyCap);
    m_hardCap->setValue(key.hardCap);
    m_runBudget->setValue(key.runBudgetUsd);
}

KeyRecord KeyDialog::settings() const
{
    KeyRecord k = m_base;
    k.name = m_name->text().trimmed();
    static const QRegularExpression separators(u"[,\\s]+"_s);
    k.allowedModels = m_models->text().split(separators, Qt::SkipEmptyParts);
    k.ratePerMin = m_rpm->value();
    k.tokensPerMin = m_tpm->value();
    k.monthlyCap = m_monthlyCap->value();
    k.hardCap = m_hardCap->value();
    k.runBudgetUsd = m_runBudget->value();
    return k;
}
