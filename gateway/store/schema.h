#pragma once

// The versioned layout of tollgate.db. Each version is one migration step,
// applied in its own transaction and recorded in PRAGMA user_version, so a
// database from any older Tollgate is brought up to date in place, keeping
// its rows, and a failed step leaves the file exactly as it was. A database
// written by a newer Tollgate is refused rather than guessed at.
//
//   QString error;
//   if (!Schema::migrate(db, &error)) ...      // on open
//   Schema::createVersion(db, 1);              // tests: build an old database
//
// A released step is never edited: change the schema by adding a step.

#include <QString>

class QSqlDatabase;

class Schema
{
public:
    static constexpr int kLatestVersion = 4;

    // The version the database records; 0 for a new, empty file.
    static int version(QSqlDatabase &db, QString *error = nullptr);

    // Brings db to kLatestVersion. Fails, changing nothing, when the
    // database is newer than this build or a step fails.
    static bool migrate(QSqlDatabase &db, QString *error);

    // Builds an empty database at exactly `version` (1..kLatestVersion), as
    // that Tollgate release created it: lets tests exercise the upgrade path.
    static bool createVersion(QSqlDatabase &db, int version, QString *error = nullptr);

private:
    static bool applyStep(QSqlDatabase &db, int version, QString *error);
};
