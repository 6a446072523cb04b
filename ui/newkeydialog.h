#pragma once

// Shows a freshly minted key, the only time it is ever shown: the key in
// a read-only field with a Copy button, a plain warning that it will not be
// seen again, and the two lines a client needs. Closing the dialog wipes
// the field; nothing else in the window holds the raw key.
//
//   auto *shown = new NewKeyDialog(minted.rawKey, minted.record.name, listenUrl, this);
//   shown->open();

#include <QDialog>

class QLineEdit;
class QPushButton;

class NewKeyDialog : public QDialog
{
    Q_OBJECT
public:
    NewKeyDialog(const QByteArray &rawKey, const QString &name, const QString &listenUrl, QWidget *parent = nullptr);

    // Public for tests: the key as shown (empty once closed).
    QString shownKey() const;

protected:
    void done(int result) override;

private:
    QLineEdit *m_key;
    QPushButton *m_copy;
};
