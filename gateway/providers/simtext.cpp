#include "simtext.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QtEndian>

#include <array>
#include <string_view>

namespace {

// The vocabulary, by part of speech, so that a small grammar can make
// sentences a reader can follow ("The patient gardener carefully carries a
// silver lantern across the old bridge.") instead of word salad. Nouns are
// singular and verbs third person singular, so any pairing agrees.
constexpr std::array<std::string_view, 112> kNouns = {
    "river", "garden", "lantern", "bridge", "window", "mountain", "harbor", "library",
    "engine", "signal", "letter", "forest", "meadow", "village", "market", "kitchen",
    "teacher", "gardener", "traveler", "painter", "baker", "sailor", "farmer", "engineer",
    "student", "musician", "neighbor", "captain", "writer", "doctor", "child", "friend",
    "bird", "fox", "horse", "cat", "dog", "owl", "whale", "bee",
    "orchard", "valley", "island", "station", "tower", "road", "path", "door",
    "table", "chair", "lamp", "clock", "map", "book", "story", "song",
    "question", "answer", "idea", "plan", "method", "pattern", "system", "network",
    "circuit", "model", "record", "ledger", "request", "message", "token", "budget",
    "gateway", "server", "process", "buffer", "stream", "channel", "cloud", "storm",
    "wind", "rain", "snow", "sun", "moon", "star", "stone", "shell",
    "wave", "field", "hill", "lake", "pond", "ship", "train", "wagon",
    "basket", "candle", "mirror", "blanket", "coat", "hat", "notebook", "compass",
    "key", "ladder", "kettle", "violin", "puzzle", "recipe", "journey", "festival",
};

constexpr std::array<std::string_view, 88> kAdjectives = {
    "quiet", "bright", "old", "small", "large", "careful", "gentle", "quick",
    "slow", "calm", "warm", "cold", "patient", "curious", "steady", "simple",
    "clever", "honest", "early", "late", "green", "blue", "golden", "silver",
    "narrow", "wide", "tall", "short", "soft", "loud", "hidden", "open",
    "busy", "tired", "brave", "kind", "happy", "lucky", "modest", "proud",
    "distant", "nearby", "ancient", "modern", "fresh", "clean", "heavy", "light",
    "sharp", "smooth", "rough", "round", "square", "empty", "full", "rare",
    "common", "useful", "silent", "wooden", "stony", "sunny", "rainy", "windy",
    "tiny", "huge", "friendly", "polite", "clear", "faint", "vivid", "plain",
    "sturdy", "fragile", "eager", "red", "yellow", "orange", "purple", "famous",
    "secret", "favorite", "little", "young", "wise", "careless", "noisy", "shy",
};

constexpr std::array<std::string_view, 80> kVerbs = {
    "carries", "finds", "builds", "opens", "closes", "follows", "watches", "paints",
    "writes", "reads", "keeps", "shares", "checks", "counts", "measures", "repairs",
    "cleans", "moves", "lifts", "holds", "guides", "answers", "sends", "receives",
    "records", "studies", "explains", "describes", "remembers", "forgets", "notices", "visits",
    "crosses", "climbs", "reaches", "gathers", "collects", "prepares", "protects", "sorts",
    "marks", "tests", "improves", "plants", "waters", "bakes", "hears", "sees",
    "meets", "greets", "chooses", "borrows", "returns", "fixes", "draws", "folds",
    "wraps", "fills", "empties", "passes", "catches", "throws", "pulls", "pushes",
    "turns", "lights", "warms", "covers", "names", "admires", "questions", "traces",
    "balances", "polishes", "decorates", "delivers", "discovers", "arranges", "welcomes", "carves",
};

constexpr std::array<std::string_view, 36> kAdverbs = {
    "quietly", "gently", "slowly", "quickly", "carefully", "happily", "calmly", "patiently",
    "often", "rarely", "always", "softly", "boldly", "neatly", "kindly", "proudly",
    "eagerly", "warmly", "clearly", "simply", "openly", "briefly", "firmly", "gladly",
    "politely", "steadily", "silently", "easily", "honestly", "usually", "sometimes", "finally",
    "nearly", "gracefully", "cheerfully", "thoughtfully",
};

constexpr std::array<std::string_view, 18> kPrepositions = {
    "near", "behind", "beside", "across", "under", "over", "through", "along",
    "around", "inside", "beyond", "toward", "past", "before", "after", "with",
    "above", "below",
};

constexpr std::array<std::string_view, 8> kDeterminers = {
    "the", "the", "the", "a", "every", "this", "that", "one",
};

constexpr std::array<std::string_view, 6> kConjunctions = {
    "and", "but", "while", "because", "so", "and then",
};

// A list whose size is raised without adding words would hold empty ones.
template<std::size_t N>
constexpr bool allWords(const std::array<std::string_view, N> &words)
{
    for (std::string_view w : words) {
        if (w.empty())
            return false;
    }
    return true;
}
static_assert(allWords(kNouns) && allWords(kAdjectives) && allWords(kVerbs) && allWords(kAdverbs)
              && allWords(kPrepositions) && allWords(kDeterminers) && allWords(kConjunctions));

// splitmix64: tiny, fast and fully specified, so a seed gives the same
// sequence on every platform and standard library (std::mt19937 would, but
// the std distributions on top of it would not).
class Rng
{
public:
    explicit Rng(quint64 seed) : m_state(seed) {}

    quint64 next()
    {
        quint64 z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform enough for a vocabulary: the modulo bias on 64 bits is nil.
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }

    template<std::size_t N>
    std::string_view pick(const std::array<std::string_view, N> &words)
    {
        return words[below(N)];
    }

private:
    quint64 m_state;
};

void append(QStringList &out, std::string_view word)
{
    // "and then" is two words, so two tokens.
    for (const QString &w : QString::fromLatin1(word.data(), qsizetype(word.size())).split(u' '))
        out.append(w);
}

void appendNounPhrase(Rng &rng, QStringList &out)
{
    const std::string_view det = rng.pick(kDeterminers);
    const bool withAdjective = rng.chance(60);
    const std::string_view next = withAdjective ? rng.pick(kAdjectives) : rng.pick(kNouns);
    if (det == "a" && std::string_view("aeiou").find(next.front()) != std::string_view::npos)
        append(out, "an");
    else
        append(out, det);
    append(out, next);
    if (withAdjective)
        append(out, rng.pick(kNouns));
}

void appendClause(Rng &rng, QStringList &out)
{
    appendNounPhrase(rng, out);
    if (rng.chance(25))
        append(out, rng.pick(kAdverbs));
    append(out, rng.pick(kVerbs));
    appendNounPhrase(rng, out);
    if (rng.chance(50)) {
        append(out, rng.pick(kPrepositions));
        appendNounPhrase(rng, out);
    }
}

void appendSentence(Rng &rng, QStringList &out)
{
    const qsizetype first = out.size();
    appendClause(rng, out);
    if (rng.chance(30)) {
        out.last().append(u',');
        append(out, rng.pick(kConjunctions));
        appendClause(rng, out);
    }
    out.last().append(u'.');
    out[first][0] = out[first][0].toUpper();
}

void appendText(QString &out, const QJsonValue &v);

// Text of an Anthropic content block or an OpenAI content part.
void appendPart(QString &out, const QJsonObject &part)
{
    const QString type = part.value(QLatin1String("type")).toString();
    if (part.value(QLatin1String("text")).isString())
        out += part.value(QLatin1String("text")).toString();
    else if (type == QLatin1String("tool_use"))
        out += QString::fromUtf8(QJsonDocument(part.value(QLatin1String("input")).toObject())
                                     .toJson(QJsonDocument::Compact));
    else if (type == QLatin1String("tool_result"))
        appendText(out, part.value(QLatin1String("content")));
}

void appendText(QString &out, const QJsonValue &v)
{
    if (v.isString()) {
        out += v.toString();
    } else if (v.isArray()) {
        for (const QJsonValue &p : v.toArray())
            appendPart(out, p.toObject());
    }
}

} // namespace

QList<SimText::Turn> SimText::turns(WireFormat format, const QJsonObject &body)
{
    QList<Turn> result;
    if (format == WireFormat::Anthropic && body.contains(QLatin1String("system"))) {
        Turn t{QStringLiteral("system"), {}};
        appendText(t.text, body.value(QLatin1String("system")));
        result.append(t);
    }
    for (const QJsonValue &mv : body.value(QLatin1String("messages")).toArray()) {
        const QJsonObject m = mv.toObject();
        Turn t{m.value(QLatin1String("role")).toString(), {}};
        if (t.role == QLatin1String("developer"))
            t.role = QStringLiteral("system");
        appendText(t.text, m.value(QLatin1String("content")));
        for (const QJsonValue &call : m.value(QLatin1String("tool_calls")).toArray())
            t.text += call.toObject().value(QLatin1String("function")).toObject()
                          .value(QLatin1String("arguments")).toString();
        result.append(t);
    }
    return result;
}

int SimText::estimateTokens(const QList<Turn> &turns)
{
    qsizetype chars = 0;
    for (const Turn &t : turns)
        chars += t.text.size();
    return int(qMax<qsizetype>(1, chars / 4));
}

quint64 SimText::seed(const QList<Turn> &turns)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const Turn &t : turns) {
        hash.addData(t.role.toUtf8());
        hash.addData(QByteArrayView("\x1f"));
        hash.addData(t.text.toUtf8());
        hash.addData(QByteArrayView("\x1e"));
    }
    return qFromBigEndian<quint64>(hash.result().constData());
}

QStringList SimText::tokens(quint64 seed, int count, bool finishSentence)
{
    QStringList words;
    if (count <= 0)
        return words;
    Rng rng(seed);
    while (words.size() < count)
        appendSentence(rng, words);
    words.resize(count);

    if (finishSentence) {
        QString &last = words.last();
        if (last.endsWith(u','))
            last.chop(1);
        if (!last.endsWith(u'.'))
            last.append(u'.');
    }
    for (qsizetype i = 1; i < words.size(); ++i)
        words[i].prepend(u' ');
    return words;
}
