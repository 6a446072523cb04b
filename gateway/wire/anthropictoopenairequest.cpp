#include "anthropictoopenairequest.h"

#include "translationmaps.h"

#include <QJsonArray>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace AnthropicToOpenAiRequest {

namespace {

bool fail(GatewayError *error, const QString &message, const QString &param)
{
    *error = GatewayError::invalidRequest(message, param);
    return false;
}

// A field that has no faithful OpenAI equivalent.
bool refuse(GatewayError *error, const QString &param, const QString &reason)
{
    return fail(error,
                u"'"_s + param + u"' "_s + reason
                    + u"; this model's provider speaks the OpenAI Chat Completions API, which cannot express it"_s,
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

// OpenAI's reasoning models take max_completion_tokens and refuse max_tokens;
// OpenAI-compatible servers mostly know only max_tokens.
bool isOpenAiReasoningModel(const QString &model)
{
    const QString name = model.mid(model.lastIndexOf(u'/') + 1).toLower();
    if (name.startsWith(u"gpt-5"))
        return true;
    return name.size() >= 2 && name.at(0) == u'o' && name.at(1).isDigit();
}

bool checkUnsupported(const QJsonObject &in, GatewayError *error)
{
    if (isSet(in.value(u"top_k")))
        return refuse(error, u"top_k"_s, u"sets top-k sampling"_s);
    const QJsonValue thinking = in.value(u"thinking");
    if (isSet(thinking) && thinking.toObject().value(u"type").toString() != u"disabled")
        return refuse(error, u"thinking"_s, u"asks for extended thinking with a token budget"_s);
    for (const QString &field : {u"container"_s, u"mcp_servers"_s, u"context_management"_s}) {
        if (isSet(in.value(field)))
            return refuse(error, field, u"uses an Anthropic-hosted feature"_s);
    }
    return true;
}

// A base64 or URL image source as the URL an image_url part carries.
bool imageUrl(const QJsonObject &block, const QString &param, QString *url, GatewayError *error)
{
    const QJsonObject source = block.value(u"source").toObject();
    const QString type = source.value(u"type").toString();
    if (type == u"base64") {
        *url = u"data:"_s + source.value(u"media_type").toString() + u";base64,"_s + source.value(u"data").toString();
        return true;
    }
    if (type == u"url") {
        *url = source.value(u"url").toString();
        return true;
    }
    return refuse(error, param + u".source"_s, u"is an image source of type '"_s + type + u'\'');
}

bool toolResultText(const QJsonObject &block, const QString &param, QString *out, GatewayError *error)
{
    const QJsonValue content = block.value(u"content");
    QString text;
    if (content.isArray()) {
        QStringList parts;
        const QJsonArray array = content.toArray();
        for (qsizetype k = 0; k < array.size(); ++k) {
            const QJsonObject part = array.at(k).toObject();
            const QString type = part.value(u"type").toString();
            if (type != u"text")
                return refuse(error, at(param + u".content"_s, k),
                              u"is a '"_s + type + u"' block inside a tool result, where OpenAI takes only text"_s);
            parts.append(part.value(u"text").toString());
        }
        text = parts.join(u'\n');
    } else {
        text = content.toString();
    }
    *out = block.value(u"is_error").toBool(false) ? u"Error: "_s + text : text;
    return true;
}

bool checkTextBlock(const QJsonObject &block, const QString &param, GatewayError *error)
{
    const QJsonValue citations = block.value(u"citations");
    if (isSet(citations) && !(citations.isArray() && citations.toArray().isEmpty()))
        return refuse(error, param + u".citations"_s, u"carries citations"_s);
    return true;
}

bool userMessage(const QJsonValue &content, const QString &where, QJsonArray *out, GatewayError *error)
{
    if (content.isString()) {
        out->append(QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, content}});
        return true;
    }
    QJsonArray parts;
    bool textOnly = true;
    const QJsonArray blocks = content.toArray();
    for (qsizetype j = 0; j < blocks.size(); ++j) {
        const QString param = at(where + u".content"_s, j);
        const QJsonObject block = blocks.at(j).toObject();
        const QString type = block.value(u"type").toString();
        if (type == u"text") {
            if (!checkTextBlock(block, param, error))
                return false;
            parts.append(QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, block.value(u"text")}});
        } else if (type == u"image") {
            QString url;
            if (!imageUrl(block, param, &url, error))
                return false;
            parts.append(QJsonObject{{u"type"_s, u"image_url"_s}, {u"image_url"_s, QJsonObject{{u"url"_s, url}}}});
            textOnly = false;
        } else if (type == u"tool_result") {
            // Tool messages must follow the assistant's tool calls directly,
            // so they go before whatever else the user message says.
            QString text;
            if (!toolResultText(block, param, &text, error))
                return false;
            out->append(QJsonObject{{u"role"_s, u"tool"_s},
                                    {u"tool_call_id"_s, block.value(u"tool_use_id")},
                                    {u"content"_s, text}});
        } else if (type == u"thinking" || type == u"redacted_thinking") {
            continue;
        } else {
            return refuse(error, param, u"is a '"_s + type + u"' block"_s);
        }
    }
    if (parts.isEmpty())
        return true;
    const QJsonValue value = textOnly && parts.size() == 1 ? parts.first().toObject().value(u"text")
                                                           : QJsonValue(parts);
    out->append(QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, value}});
    return true;
}

bool assistantMessage(const QJsonValue &content, const QString &where, QJsonArray *out, GatewayError *error)
{
    if (content.isString()) {
        out->append(QJsonObject{{u"role"_s, u"assistant"_s}, {u"content"_s, content}});
        return true;
    }
    QString text;
    QJsonArray calls;
    const QJsonArray blocks = content.toArray();
    for (qsizetype j = 0; j < blocks.size(); ++j) {
        const QString param = at(where + u".content"_s, j);
        const QJsonObject block = blocks.at(j).toObject();
        const QString type = block.value(u"type").toString();
        if (type == u"text") {
            if (!checkTextBlock(block, param, error))
                return false;
            // Adjacent text blocks of one reply are one text, split only
            // where Anthropic attached citations.
            text += block.value(u"text").toString();
        } else if (type == u"tool_use") {
            calls.append(QJsonObject{
                    {u"id"_s, block.value(u"id")},
                    {u"type"_s, u"function"_s},
                    {u"function"_s, QJsonObject{{u"name"_s, block.value(u"name")},
                                                {u"arguments"_s, QString::fromUtf8(TranslationMaps::compact(
                                                                         block.value(u"input").toObject()))}}},
            });
        } else if (type == u"thinking" || type == u"redacted_thinking") {
            continue;   // only the model that wrote it can read it back
        } else {
            return refuse(error, param, u"is a '"_s + type + u"' block"_s);
        }
    }
    if (text.isEmpty() && calls.isEmpty())
        return true;
    QJsonObject message{{u"role"_s, u"assistant"_s},
                        {u"content"_s, text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text)}};
    if (!calls.isEmpty())
        message.insert(u"tool_calls"_s, calls);
    out->append(message);
    return true;
}

bool systemMessage(const QJsonValue &system, QJsonArray *out, GatewayError *error)
{
    QString text = system.toString();
    if (system.isArray()) {
        QStringList parts;
        const QJsonArray blocks = system.toArray();
        for (qsizetype i = 0; i < blocks.size(); ++i) {
            const QJsonObject block = blocks.at(i).toObject();
            const QString type = block.value(u"type").toString();
            if (type != u"text")
                return refuse(error, at(u"system"_s, i), u"is a '"_s + type + u"' block"_s);
            parts.append(block.value(u"text").toString());
        }
        text = parts.join(u"\n\n"_s);
    }
    if (!text.isEmpty())
        out->append(QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, text}});
    return true;
}

bool translateTools(const QJsonObject &in, QJsonObject *out, GatewayError *error)
{
    const QJsonArray tools = in.value(u"tools").toArray();
    QJsonArray result;
    for (qsizetype i = 0; i < tools.size(); ++i) {
        const QString param = at(u"tools"_s, i);
        const QJsonObject tool = tools.at(i).toObject();
        const QString type = tool.value(u"type").toString(u"custom"_s);
        if (type != u"custom")
            return refuse(error, param + u".type"_s, u"is the server tool '"_s + type + u"', which runs at Anthropic"_s);
        QJsonObject function{{u"name"_s, tool.value(u"name")},
                             {u"parameters"_s, tool.value(u"input_schema").toObject()}};
        if (tool.contains(u"description"))
            function.insert(u"description"_s, tool.value(u"description"));
        result.append(QJsonObject{{u"type"_s, u"function"_s}, {u"function"_s, function}});
    }
    if (result.isEmpty())
        return true;
    out->insert(u"tools"_s, result);

    const QJsonObject choice = in.value(u"tool_choice").toObject();
    const QString type = choice.value(u"type").toString();
    if (type == u"auto")
        out->insert(u"tool_choice"_s, u"auto"_s);
    else if (type == u"any")
        out->insert(u"tool_choice"_s, u"required"_s);
    else if (type == u"none")
        out->insert(u"tool_choice"_s, u"none"_s);
    else if (type == u"tool")
        out->insert(u"tool_choice"_s,
                    QJsonObject{{u"type"_s, u"function"_s},
                                {u"function"_s, QJsonObject{{u"name"_s, choice.value(u"name")}}}});
    else if (!type.isEmpty())
        return fail(error, u"'tool_choice.type' has an unknown value '"_s + type + u'\'', u"tool_choice.type"_s);
    if (choice.value(u"disable_parallel_tool_use").toBool(false))
        out->insert(u"parallel_tool_calls"_s, false);
    return true;
}

} // namespace

std::optional<QJsonObject> translate(const QJsonObject &in, const QString &upstreamModel, GatewayError *error)
{
    if (!checkUnsupported(in, error))
        return std::nullopt;

    QJsonArray messages;
    if (!systemMessage(in.value(u"system"), &messages, error))
        return std::nullopt;
    const QJsonArray source = in.value(u"messages").toArray();
    for (qsizetype i = 0; i < source.size(); ++i) {
        const QString where = at(u"messages"_s, i);
        const QJsonObject m = source.at(i).toObject();
        const bool ok = m.value(u"role").toString() == u"assistant"
            ? assistantMessage(m.value(u"content"), where, &messages, error)
            : userMessage(m.value(u"content"), where, &messages, error);
        if (!ok)
            return std::nullopt;
    }

    QJsonObject out{{u"messages"_s, messages}};
    if (!translateTools(in, &out, error))
        return std::nullopt;

    const QJsonValue maxTokens = in.value(u"max_tokens");
    if (maxTokens.isDouble())
        out.insert(isOpenAiReasoningModel(upstreamModel) ? u"max_completion_tokens"_s : u"max_tokens"_s, maxTokens);
    for (const QString &key : {u"temperature"_s, u"top_p"_s}) {
        const QJsonValue v = in.value(key);
        if (v.isDouble())
            out.insert(key, v);
    }
    const QJsonArray stop = in.value(u"stop_sequences").toArray();
    if (!stop.isEmpty())
        out.insert(u"stop"_s, stop);
    const QString user = in.value(u"metadata").toObject().value(u"user_id").toString();
    if (!user.isEmpty())
        out.insert(u"user"_s, user);
    return out;
}

} // namespace AnthropicToOpenAiRequest
