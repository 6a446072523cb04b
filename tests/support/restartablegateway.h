#pragma once

// A Gateway on a data dir that outlives it, for restart tests: start one,
// stop it (reset the pointer), start another on the same dir. Every call's
// usage record is kept in records.
//
//   RestartableGateway one;
//   QVERIFY(one.start(config, dir.path()));
//   ... calls ...
//   one.gateway.reset();                   // flushes the store
//   RestartableGateway two;
//   QVERIFY(two.start(config, dir.path()));

#include "config/config.h"
#include "core/usagerecord.h"
#include "gateway.h"

#include <QList>
#include <QString>
#include <memory>

struct RestartableGateway
{
    std::unique_ptr<Gateway> gateway;
    QList<UsageRecord> records;

    bool start(const Config &config, const QString &dir);
};
