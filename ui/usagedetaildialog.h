#pragma once

// Every field of one ledger row (the contract's USAGE record, in its
// order and names), as selectable text, with a button that copies the
// record as JSON. Not modal: the log keeps moving behind it.
//
//   auto *d = new UsageDetailDialog(record, keyName, this);
//   d->show();

#include "core/usagerecord.h"

#include <QDialog>

class UsageDetailDialog : public QDialog
{
    Q_OBJECT
public:
    UsageDetailDialog(const UsageRecord &record, const QString &keyName, QWidget *parent = nullptr);

    const UsageRecord &record() const { return m_record; }
    // The text shown for one USAGE field ("request_id", "cost", …).
    QString fieldText(const QString &field) const;

private:
    UsageRecord m_record;
};
