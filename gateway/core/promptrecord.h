#pragma once

// A prompt template: immutable versions 1, 2, 3… and the active one.

#include <QDateTime>
#include <QList>
#include <QString>

struct PromptVersion
{
    int version = 0;
    QString templateText;
    QDateTime createdAt;
};

struct PromptRecord
{
    QString name;
    int activeVersion = 0;
    QList<PromptVersion> versions;   // ascending by version
};
