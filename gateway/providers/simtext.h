#pragma once

// The simulated provider's text, both ways: what it reads from a request
// (the conversation's turns, an input-token estimate, a seed) and what it
// answers (readable English sentences drawn from a built-in vocabulary).
//
// Everything is a pure function of the request, so the same conversation
// always gets the same answer and the same usage; end-to-end tests of the
// gateway depend on that. The seed and the estimate are computed from the
// turns' roles and text only, not from the JSON around them, so a
// conversation sent as OpenAI Chat Completions and the same conversation
// sent as Anthropic Messages get the same answer.
//
//   const auto turns = SimText::turns(WireFormat::Anthropic, body);
//   const QStringList answer = SimText::tokens(SimText::seed(turns), 12, true);
//   const int input = SimText::estimateTokens(turns);

#include "core/wireformat.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

class SimText
{
public:
    struct Turn
    {
        QString role;   // "system", "user", "assistant", "tool"
        QString text;
    };

    // The conversation of a request body: the system prompt first (OpenAI
    // "system"/"developer" messages, Anthropic's top-level "system"), then
    // every message's text. Text is taken from string contents, "text"
    // parts, tool results and (as compact JSON) tool-call arguments;
    // images and other media contribute nothing.
    static QList<Turn> turns(WireFormat format, const QJsonObject &body);

    // Input tokens as the simulator bills them: the turns' text length in
    // UTF-16 code units divided by 4, rounded down, and at least 1.
    static int estimateTokens(const QList<Turn> &turns);

    // A stable 64-bit seed from the turns (SHA-256 based, so it does not
    // change between processes or platforms the way qHash does).
    static quint64 seed(const QList<Turn> &turns);

    // `count` tokens of answer; joined together they read as sentences.
    // Every token is one word, with a leading space except the first and
    // with any punctuation attached, so the answer has exactly `count`
    // words. With finishSentence the last token ends with a period, as an
    // answer that stopped on its own would; without it the text may stop
    // mid-sentence, as one cut by max_tokens does. A longer answer for the
    // same seed starts with the same words.
    static QStringList tokens(quint64 seed, int count, bool finishSentence);
};
