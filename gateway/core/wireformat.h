#pragma once

// The two API dialects Tollgate speaks, on the client side and the provider
// side alike. A call whose client format differs from its provider's format
// is translated.

#include <QByteArray>
#include <QString>

enum class WireFormat { OpenAI, Anthropic };

inline QString wireFormatName(WireFormat f)
{
    return f == WireFormat::OpenAI ? QStringLiteral("openai") : QStringLiteral("anthropic");
}
