#pragma once

// The admin API's bearer token: TOLLGATE_ADMIN_TOKEN when set, otherwise
// generated once from the system CSPRNG into DATA_DIR/admin-token (mode
// 0600) and reused on later starts. Compared in constant time.

#include <QByteArray>
#include <QString>

class AdminToken
{
public:
    // Loads or creates the token; false with *error when the file cannot be written.
    bool load(const QString &dataDir, QString *error);
    bool matches(QByteArrayView presented) const;
    QByteArray value() const { return m_token; }
    bool fromEnvironment() const { return m_fromEnv; }
    QString filePath() const { return m_path; }

private:
    QByteArray m_token;
    QString m_path;
    bool m_fromEnv = false;
};
