#pragma once

// Money and tokens promised to calls in flight. Before a call is forwarded
// its worst-case cost is reserved against its key's caps and its run's
// budget; admission counts settled spend plus every reservation, so calls
// arriving together cannot overrun a cap between them. When the call ends
// the reservation is released and the real cost settled in its place.
//
//   if (spend + book.keyReserved(id) + worst > cap) refuse;
//   book.reserve(ctx.reservation);   ...   book.release(ctx.reservation);

#include <QHash>
#include <QString>
#include <optional>

struct Reservation
{
    std::optional<qint64> keyId;
    QString runId;
    double usd = 0.0;
    bool active = false;
};

class BudgetBook
{
public:
    void reserve(Reservation &r);
    void release(Reservation &r);

    double keyReserved(qint64 keyId) const { return m_key.value(keyId); }
    double runReserved(const QString &runId) const { return m_run.value(runId); }
    int outstanding() const { return m_outstanding; }

private:
    QHash<qint64, double> m_key;
    QHash<QString, double> m_run;
    int m_outstanding = 0;
};
