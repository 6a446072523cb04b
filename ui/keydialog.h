#pragma once

// The form for a key's settings: name, allowed models, RPM/TPM, monthly
// and hard spend caps, default run budget. Used to mint a key (objectName
// "mintKeyDialog") and to edit one's limits ("editKeyDialog"). A form
// only: the page that opens it does the minting or saving.
//
//   auto *dialog = new KeyDialog(KeyDialog::Mode::Mint, this);
//   connect(dialog, &QDialog::accepted, this, [=] { client->mintKey(dialog->settings(), ...); });
//   dialog->open();

#include "core/keyrecord.h"

#include <QDialog>

class QDialogButtonBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

class KeyDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { Mint, Edit };

    explicit KeyDialog(Mode mode, QWidget *parent = nullptr);

    void setSettings(const KeyRecord &key);
    // The settings as entered, over the key given to setSettings (so
    // fields the form does not show keep their values).
    KeyRecord settings() const;

private:
    void updateOk();

    QLineEdit *m_name;
    QLineEdit *m_models;
    QSpinBox *m_rpm;
    QSpinBox *m_tpm;
    QDoubleSpinBox *m_monthlyCap;
    QDoubleSpinBox *m_hardCap;
    QDoubleSpinBox *m_runBudget;
    QDialogButtonBox *m_buttons;
    KeyRecord m_base;
};
