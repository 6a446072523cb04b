#pragma once

// A gateway-minted API key as stored: never the raw key, only its SHA-256
// hash and a display prefix, with its limits and spend. Field names follow
// the contract's KEY record. 0 means unlimited for every limit.

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

struct KeyRecord
{
    qint64 id = 0;
    QString name;
    QString prefix;               // first characters of the raw key, for display ("tg-AbCd…")
    QByteArray hash;              // SHA-256 of the raw key, 32 bytes
    QStringList allowedModels;    // glob patterns; empty = every model
    qint64 ratePerMin = 0;        // requests per minute
    qint64 tokensPerMin = 0;
    double monthlyCap = 0.0;      // USD per calendar month (UTC)
    double hardCap = 0.0;         // USD over the key's life
    double runBudgetUsd = 0.0;    // default budget of every run this key starts
    bool cacheEnabled = true;     // per-key opt-out of the response cache
    double spendMonth = 0.0;      // spend in spendMonthKey
    QString spendMonthKey;        // "2026-11": the month spendMonth counts
    double spendTotal = 0.0;
    QDateTime createdAt;
    bool revoked = false;
    QDateTime revokedAt;
};
