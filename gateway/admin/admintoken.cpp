#include "admintoken.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

bool AdminToken::load(const QString &dataDir, QString *error)
{
    m_path = dataDir + u"/admin-token"_s;
    const QByteArray env = qgetenv("TOLLGATE_ADMIN_TOKEN").trimmed();
    if (!env.isEmpty()) {
        m_token = env;
        m_fromEnv = true;
        return true;
    }
    QFile file(m_path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = u"cannot read "_s + m_path + u": "_s + file.errorString();
            return false;
        }
        m_token = file.readAll().trimmed();
        if (!m_token.isEmpty())
            return true;
        file.close();
    }
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    m_token = "tga-" + QByteArray(reinterpret_cast<const char *>(words), sizeof(words))
                           .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    // Create with owner-only permissions before any byte is written.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *error = u"cannot write "_s + m_path + u": "_s + file.errorString();
        return false;
    }
    file.write(m_token + '\n');
    return true;
}

bool AdminToken::matches(QByteArrayView presented) const
{
    // Hash both sides so the comparison is constant-time whatever the lengths.
    const QByteArray a = QCryptographicHash::hash(presented, QCryptographicHash::Sha256);
    const QByteArray b = QCryptographicHash::hash(m_token, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0 && !m_token.isEmpty();
}
