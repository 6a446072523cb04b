#include "openaitoanthropicrequest.h"

#include "translationmaps.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringList>

#include <algorithm>
#include <vector>

using namespace Qt::StringLiterals;

namespace OpenAiToAnthropicRequest {

namespace {

// Anthropic requires max_tokens; this is what a request without one gets.
constexpr qint64 defaultMaxTokens = 4096;

bool fail(GatewayError *error, const QString &message, const QString &param)
{
    *error = GatewayError::invalidRequest(message, param);
    return false;
}

// A field that has no faithful Anthropic equivalent.
bool refuse(GatewayError *error, const QString &param, const QString &reason)
{
    return fail(error,
                u"'"_s + param + u"' "_s + reason
                    + u"; this model's provider speaks the Anthropic Messages API, which cannot express it"_s,
                param);
}

bool isSet(const QJsonValue &v)
{
    return !v.isUndefined() && !v.isNull();
}

QString at(const QString &base, qsizetype i)
{
    return base + u'[' + QString::number(i) + u']';
}

QJsonObject textBlock(const QString &text)
{
    return QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, text}};
}

bool checkUnsupported(const QJsonObject &in, GatewayError *error)
{
    const QJsonValue n = in.value(u"n");
    if (isSet(n) && n.toDouble() != 1)
        return refuse(error, u"n"_s, u"asks for several choices, and Anthropic returns one"_s);
    if (in.value(u"logprobs").toBool(false))
        return refuse(error, u"logprobs"_s, u"asks for log probabilities, which Anthropic does not return"_s);
    if (isSet(in.value(u"top_logprobs")))
        return refuse(error, u"top_logprobs"_s, u"asks for log probabilities, which Anthropic does not return"_s);
    const QJsonValue format = in.value(u"response_format");
    if (isSet(format)) {
        const QString type = format.toObject().value(u"type").toString();
        if (type != u"text")
            return refuse(error, u"response_format"_s,
                          u"asks for structured output ('"_s + type + u"'), and Anthropic has no JSON mode"_s);
    }
    if (isSet(in.value(u"audio")))
        return refuse(error, u"audio"_s, u"asks for spoken output"_s);
    const QJsonArray modalities = in.value(u"modalities").toArray();
    for (const QJsonValue &m : modalities) {
        if (m.toString() != u"text")
            return refuse(error, u"modalities"_s, u"asks for '"_s + m.toString() + u"' output"_s);
    }
    for (const QString &penalty : {u"frequency_penalty"_s, u"presence_penalty"_s}) {
        const QJsonValue v = in.value(penalty);
        if (isSet(v) && v.toDouble() != 0)
            return refuse(error, penalty, u"sets a repetition penalty"_s);
    }
    const QJsonValue bias = in.value(u"logit_bias");
    if (isSet(bias) && !(bias.isObject() && bias.toObject().isEmpty()))
        return refuse(error, u"logit_bias"_s, u"biases token probabilities"_s);
    if (isSet(in.value(u"reasoning_effort")))
        return refuse(error, u"reasoning_effort"_s, u"sets an OpenAI reasoning effort"_s);
    if (isSet(in.value(u"verbosity")))
        return refuse(error, u"verbosity"_s, u"sets an OpenAI verbosity level"_s);
    if (isSet(in.value(u"prediction")))
        return refuse(error, u"prediction"_s, u"supplies predicted output"_s);
    if (isSet(in.value(u"web_search_options")))
        return refuse(error, u"web_search_options"_s, u"asks for OpenAI's built-in web search"_s);
    for (const QString &legacy : {u"functions"_s, u"function_call"_s}) {
        if (isSet(in.value(legacy)))
            return refuse(error, legacy, u"uses the legacy function-calling API (send 'tools' instead)"_s);
    }
    return true;
}

// The text of a system, developer or tool message: a string or text parts.
bool plainText(const QJsonValue &content, const QString &where, QString *out, GatewayError *error)
{
    if (content.isString() || !isSet(content)) {
        *out = content.toString();
        return true;
    }
    QStringList parts;
    const QJsonArray array = content.toArray();
    for (qsizetype j = 0; j < array.size(); ++j) {
        const QJsonObject part = array.at(j).toObject();
        const QString type = part.value(u"type").toString();
        if (type != u"text")
            return refuse(error, at(where + u".content"_s, j),
                          u"is a '"_s + type + u"' part where only text is allowed"_s);
        parts.append(part.value(u"text").toString());
    }
    *out = parts.join(u'\n');
    return true;
}

bool imageBlock(const QString &url, const QString &param, QJsonObject *out, GatewayError *error)
{
    if (url.startsWith(u"data:", Qt::CaseInsensitive)) {
        const qsizetype comma = url.indexOf(u',');
        const QString header = comma < 0 ? QString() : url.mid(5, comma - 5);
        if (comma < 0 || !header.endsWith(u";base64", Qt::CaseInsensitive))
            return refuse(error, param, u"is a data URL that is not base64-encoded"_s);
        const QString media = header.left(header.indexOf(u';')).toLower();
        static const QStringList readable{u"image/jpeg"_s, u"image/png"_s, u"image/gif"_s, u"image/webp"_s};
        if (!readable.contains(media))
            return refuse(error, param,
                          u"is a '"_s + media + u"' image; Anthropic reads JPEG, PNG, GIF and WebP"_s);
        *out = QJsonObject{{u"type"_s, u"image"_s},
                           {u"source"_s, QJsonObject{{u"type"_s, u"base64"_s},
                                                     {u"media_type"_s, media},
                                                     {u"data"_s, url.mid(comma + 1)}}}};
        return true;
    }
    if (url.startsWith(u"https://", Qt::CaseInsensitive) || url.startsWith(u"http://", Qt::CaseInsensitive)) {
        *out = QJsonObject{{u"type"_s, u"image"_s},
                           {u"source"_s, QJsonObject{{u"type"_s, u"url"_s}, {u"url"_s, url}}}};
        return true;
    }
    return refuse(error, param, u"is neither an http(s) URL nor a base64 data URL"_s);
}

bool userBlocks(const QJsonValue &content, const QString &where, QJsonArray *out, GatewayError *error)
{
    if (content.isString()) {
        out->append(textBlock(content.toString()));
        return true;
    }
    const QJsonArray parts = content.toArray();
    for (qsizetype j = 0; j < parts.size(); ++j) {
        const QString param = at(where + u".content"_s, j);
        const QJsonObject part = parts.at(j).toObject();
        const QString type = part.value(u"type").toString();
        if (type == u"text") {
            QJsonObject block = textBlock(part.value(u"text").toString());
            if (part.contains(u"cache_control"))
                block.insert(u"cache_control"_s, part.value(u"cache_control"));
            out->append(block);
        } else if (type == u"image_url") {
            const QJsonValue image = part.value(u"image_url");
            const QString url = image.isObject() ? image.toObject().value(u"url").toString() : image.toString();
            QJsonObject block;
            if (!imageBlock(url, param + u".image_url"_s, &block, error))
                return false;
            out->append(block);
        } else if (type == u"input_audio") {
            return refuse(error, param, u"is an audio part, and Anthropic takes no audio input"_s);
        } else if (type == u"file") {
            return refuse(error, param, u"is a file part"_s);
        } else {
            return refuse(error, param, u"is a content part of type '"_s + type + u'\'');
        }
    }
    return true;
}

bool assistantBlocks(const QJsonObject &m, const QString &where, QJsonArray *out, GatewayError *error)
{
    const QJsonValue content = m.value(u"content");
    if (content.isString()) {
        if (!content.toString().isEmpty())
            out->append(textBlock(content.toString()));
    } else if (content.isArray()) {
        const QJsonArray parts = content.toArray();
        for (qsizetype j = 0; j < parts.size(); ++j) {
            const QJsonObject part = parts.at(j).toObject();
            const QString type = part.value(u"type").toString();
            const QString text = part.value(type == u"refusal" ? u"refusal" : u"text").toString();
            if (type != u"text" && type != u"refusal")
                return refuse(error, at(where + u".content"_s, j),
                              u"is a '"_s + type + u"' part in an assistant message"_s);
            if (!text.isEmpty())
                out->append(textBlock(text));
        }
    }
    const QString refusal = m.value(u"refusal").toString();
    if (!refusal.isEmpty())
        out->append(textBlock(refusal));
    if (isSet(m.value(u"function_call")))
        return refuse(error, where + u".function_call"_s,
                      u"uses the legacy function-calling API (send 'tool_calls' instead)"_s);
    if (isSet(m.value(u"audio")))
        return refuse(error, where + u".audio"_s, u"refers to spoken output"_s);

    const QJsonArray calls = m.value(u"tool_calls").toArray();
    for (qsizetype j = 0; j < calls.size(); ++j) {
        const QString param = at(where + u".tool_calls"_s, j);
        const QJsonObject call = calls.at(j).toObject();
        const QString type = call.value(u"type").toString(u"function"_s);
        if (type != u"function")
            return refuse(error, param + u".type"_s, u"is a '"_s + type + u"' tool call; only function calls translate"_s);
        const QString id = TranslationMaps::anthropicToolId(call.value(u"id").toString());
        if (id.isEmpty())
            return fail(error, u"'"_s + param + u".id' is required"_s, param + u".id"_s);
        const QJsonObject function = call.value(u"function").toObject();
        const QJsonValue arguments = function.value(u"arguments");
        QJsonObject input;
        if (arguments.isObject()) {
            input = arguments.toObject();
        } else if (!arguments.toString().trimmed().isEmpty()) {
            QJsonParseError pe;
            const QJsonDocument doc = QJsonDocument::fromJson(arguments.toString().toUtf8(), &pe);
            if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
                const QString why = pe.error != QJsonParseError::NoError ? pe.errorString() : u"not an object"_s;
                return fail(error,
                            u"'"_s + param + u".function.arguments' must be a JSON object to become Anthropic "
                                             u"tool_use input ("_s + why + u')',
                            param + u".function.arguments"_s);
            }
            input = doc.object();
        }
        out->append(QJsonObject{{u"type"_s, u"tool_use"_s},
                                {u"id"_s, id},
                                {u"name"_s, function.value(u"name").toString()},
                                {u"input"_s, input}});
    }
    return true;
}

struct Turn
{
    QString role;
    QJsonArray blocks;
};

// Anthropic wants user and assistant to alternate: a message of the same
// role as the one before joins it.
void addTurn(std::vector<Turn> &turns, const QString &role, const QJsonArray &blocks)
{
    if (blocks.isEmpty())
        return;
    if (!turns.empty() && turns.back().role == role) {
        for (const QJsonValue &b : blocks)
            turns.back().blocks.append(b);
        return;
    }
    turns.push_back(Turn{role, blocks});
}

bool translateMessages(const QJsonArray &messages, QJsonObject *out, GatewayError *error)
{
    QStringList system;
    std::vector<Turn> turns;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QString where = at(u"messages"_s, i);
        const QJsonObject m = messages.at(i).toObject();
        const QString role = m.value(u"role").toString();
        QJsonArray blocks;
        if (role == u"system" || role == u"developer") {
            QString text;
            if (!plainText(m.value(u"content"), where, &text, error))
                return false;
            if (!text.isEmpty())
                system.append(text);
        } else if (role == u"user") {
            if (!userBlocks(m.value(u"content"), where, &blocks, error))
                return false;
            addTurn(turns, role, blocks);
        } else if (role == u"assistant") {
            if (!assistantBlocks(m, where, &blocks, error))
                return false;
            addTurn(turns, role, blocks);
        } else if (role == u"tool") {
            const QString id = TranslationMaps::anthropicToolId(m.value(u"tool_call_id").toString());
            if (id.isEmpty())
                return fail(error, u"'"_s + where + u".tool_call_id' is required"_s, where + u".tool_call_id"_s);
            QString text;
            if (!plainText(m.value(u"content"), where, &text, error))
                return false;
            blocks.append(QJsonObject{{u"type"_s, u"tool_result"_s}, {u"tool_use_id"_s, id}, {u"content"_s, text}});
            addTurn(turns, u"user"_s, blocks);
        } else if (role == u"function") {
            return refuse(error, where + u".role"_s,
                          u"is a legacy \"function\" message (send \"tool\" messages instead)"_s);
        } else {
            return fail(error, u"'"_s + where + u".role' has an unknown value '"_s + role + u'\'', where + u".role"_s);
        }
    }
    if (turns.empty())
        return fail(error, u"'messages' needs a user or assistant message besides the system prompt"_s,
                    u"messages"_s);

    QJsonArray result;
    for (const Turn &t : turns) {
        const QJsonObject first = t.blocks.first().toObject();
        const bool plain = t.blocks.size() == 1 && first.value(u"type").toString() == u"text"
            && !first.contains(u"cache_control");
        result.append(QJsonObject{{u"role"_s, t.role},
                                  {u"content"_s, plain ? QJsonValue(first.value(u"text")) : QJsonValue(t.blocks)}});
    }
    out->insert(u"messages"_s, result);
    if (!system.isEmpty())
        out->insert(u"system"_s, system.join(u"\n\n"_s));
    return true;
}

bool translateTools(const QJsonObject &in, QJsonObject *out, GatewayError *error)
{
    const QJsonArray tools = in.value(u"tools").toArray();
    QJsonArray result;
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QString param = at(u"tools"_s, i);
        const QJsonObject tool = tools.at(i).toObject();
        const QString type = tool.value(u"type").toString(u"function"_s);
        if (type != u"function")
            return refuse(error, param + u".type"_s, u"is a '"_s + type + u"' tool; only function tools translate"_s);
        const QJsonObject function = tool.value(u"function").toObject();
        const QString name = function.value(u"name").toString();
        if (name.isEmpty())
            return fail(error, u"'"_s + param + u".function.name' is required"_s, param + u".function.name"_s);
        QJsonObject schema = function.value(u"parameters").toObject();
        if (!schema.contains(u"type"))
            schema.insert(u"type"_s, u"object"_s);
        QJsonObject translated{{u"name"_s, name}, {u"input_schema"_s, schema}};
        if (function.contains(u"description"))
            translated.insert(u"description"_s, function.value(u"description"));
        if (tool.contains(u"cache_control"))
            translated.insert(u"cache_control"_s, tool.value(u"cache_control"));
        result.append(translated);
    }
    if (result.isEmpty())
        return true;   // tool_choice without tools means nothing to Anthropic
    out->insert(u"tools"_s, result);

    QJsonObject choice{{u"type"_s, u"auto"_s}};
    const QJsonValue tc = in.value(u"tool_choice");
    if (tc.isString()) {
        const QString s = tc.toString();
        if (s == u"none")
            choice = {{u"type"_s, u"none"_s}};
        else if (s == u"required")
            choice = {{u"type"_s, u"any"_s}};
        else if (s != u"auto")
            return fail(error, u"'tool_choice' has an unknown value '"_s + s + u'\'', u"tool_choice"_s);
    } else if (tc.isObject()) {
        const QJsonObject o = tc.toObject();
        const QString name = o.value(u"function").toObject().value(u"name").toString();
        if (o.value(u"type").toString(u"function"_s) != u"function" || name.isEmpty())
            return refuse(error, u"tool_choice"_s, u"is not \"auto\", \"none\", \"required\" or a named function"_s);
        choice = {{u"type"_s, u"tool"_s}, {u"name"_s, name}};
    }
    const QJsonValue parallel = in.value(u"parallel_tool_calls");
    if (parallel.isBool() && !parallel.toBool() && choice.value(u"type").toString() != u"none")
        choice.insert(u"disable_parallel_tool_use"_s, true);
    if (tc.isString() || tc.isObject() || choice.contains(u"disable_parallel_tool_use"))
        out->insert(u"tool_choice"_s, choice);
    return true;
}

} // namespace

std::optional<QJsonObject> translate(const QJsonObject &in, GatewayError *error)
{
    if (!checkUnsupported(in, error))
        return std::nullopt;

    QJsonObject out;
    if (!translateMessages(in.value(u"messages").toArray(), &out, error) || !translateTools(in, &out, error))
        return std::nullopt;

    qint64 maxTokens = defaultMaxTokens;
    for (const QString &key : {u"max_tokens"_s, u"max_completion_tokens"_s}) {
        const QJsonValue v = in.value(key);
        if (v.isDouble())
            maxTokens = v.toInteger();
    }
    out.insert(u"max_tokens"_s, maxTokens);

    const QJsonValue temperature = in.value(u"temperature");
    if (temperature.isDouble())
        out.insert(u"temperature"_s, std::clamp(temperature.toDouble(), 0.0, 1.0));
    // top_p = 1 is OpenAI's default and changes nothing; recent Claude
    // models refuse temperature and top_p together, so it is left out.
    const QJsonValue topP = in.value(u"top_p");
    if (topP.isDouble() && topP.toDouble() < 1)
        out.insert(u"top_p"_s, topP);

    const QJsonValue stop = in.value(u"stop");
    if (stop.isString())
        out.insert(u"stop_sequences"_s, QJsonArray{stop});
    else if (stop.isArray() && !stop.toArray().isEmpty())
        out.insert(u"stop_sequences"_s, stop);

    const QString user = in.value(u"user").toString();
    if (!user.isEmpty())
        out.insert(u"metadata"_s, QJsonObject{{u"user_id"_s, user}});
    return out;
}

} // namespace OpenAiToAnthropicRequest
