#include "requestinspector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace RequestInspector {

namespace {

qint64 textChars(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return v.toString().size();
    case QJsonValue::Array: {
        qint64 n = 0;
        for (const QJsonValue &e : v.toArray())
            n += textChars(e);
        return n;
    }
    case QJsonValue::Object: {
        qint64 n = 0;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            // Base64 images are not text; count a fixed cost for them instead.
            if (it.key() == u"data" || it.key() == u"image_url" || it.key() == u"url") {
                n += 1000;
                continue;
            }
            n += textChars(it.value());
        }
        return n;
    }
    default:
        return 0;
    }
}

bool fail(GatewayError *error, const QString &message, const QString &param)
{
    if (error)
        *error = GatewayError::invalidRequest(message, param);
    return false;
}

bool checkPositiveInt(const QJsonObject &o, const QString &field, qint64 *out, GatewayError *error)
{
    const QJsonValue v = o.value(field);
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isDouble() || v.toDouble() != double(qint64(v.toDouble())) || v.toDouble() < 1)
        return fail(error, u"'"_s + field + u"' must be a positive integer"_s, field);
    *out = qint64(v.toDouble());
    return true;
}

bool checkMessages(const QJsonObject &o, bool anthropic, GatewayError *error)
{
    const QJsonValue messages = o.value(u"messages");
    if (messages.isUndefined())
        return fail(error, u"'messages' is required"_s, u"messages"_s);
    if (!messages.isArray())
        return fail(error, u"'messages' must be an array"_s, u"messages"_s);
    const QJsonArray arr = messages.toArray();
    if (arr.isEmpty())
        return fail(error, u"'messages' must not be empty"_s, u"messages"_s);
    for (qsizetype i = 0; i < arr.size(); ++i) {
        const QString where = u"messages["_s + QString::number(i) + u']';
        if (!arr[i].isObject())
            return fail(error, where + u" must be an object"_s, where);
        const QJsonObject m = arr[i].toObject();
        const QJsonValue role = m.value(u"role");
        if (!role.isString() || role.toString().isEmpty())
            return fail(error, where + u".role must be a non-empty string"_s, where + u".role"_s);
        if (anthropic) {
            const QString r = role.toString();
            if (r != u"user" && r != u"assistant")
                return fail(error, where + u".role must be \"user\" or \"assistant\" (put system prompts in 'system')"_s,
                            where + u".role"_s);
            const QJsonValue content = m.value(u"content");
            if (!content.isString() && !content.isArray())
                return fail(error, where + u".content must be a string or an array of content blocks"_s,
                            where + u".content"_s);
        } else {
            const QJsonValue content = m.value(u"content");
            if (!content.isUndefined() && !content.isNull() && !content.isString() && !content.isArray())
                return fail(error, where + u".content must be a string or an array of content parts"_s,
                            where + u".content"_s);
        }
    }
    return true;
}

} // namespace

std::optional<ProxyRequest> inspect(Endpoint endpoint, const QByteArray &body, GatewayError *error)
{
    ProxyRequest r;
    r.format = endpoint == Endpoint::ChatCompletions ? WireFormat::OpenAI : WireFormat::Anthropic;
    r.body = body;
    if (body.trimmed().isEmpty()) {
        fail(error, u"request body is empty; expected a JSON object"_s, {});
        return std::nullopt;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError) {
        fail(error, u"malformed JSON at offset "_s + QString::number(pe.offset) + u": "_s + pe.errorString(), {});
        return std::nullopt;
    }
    if (!doc.isObject()) {
        fail(error, u"request body must be a JSON object"_s, {});
        return std::nullopt;
    }
    r.json = doc.object();

    const QJsonValue model = r.json.value(u"model");
    if (model.isUndefined() || model.isNull()) {
        fail(error, u"'model' is required"_s, u"model"_s);
        return std::nullopt;
    }
    if (!model.isString() || model.toString().isEmpty()) {
        fail(error, u"'model' must be a non-empty string"_s, u"model"_s);
        return std::nullopt;
    }
    r.model = model.toString();

    const bool anthropic = r.format == WireFormat::Anthropic;
    if (!checkMessages(r.json, anthropic, error))
        return std::nullopt;

    const QJsonValue stream = r.json.value(u"stream");
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool()) {
        fail(error, u"'stream' must be a boolean"_s, u"stream"_s);
        return std::nullopt;
    }
    r.stream = endpoint != Endpoint::CountTokens && stream.toBool(false);

    if (anthropic) {
        const QJsonValue system = r.json.value(u"system");
        if (!system.isUndefined() && !system.isString() && !system.isArray()) {
            fail(error, u"'system' must be a string or an array of text blocks"_s, u"system"_s);
            return std::nullopt;
        }
        if (endpoint == Endpoint::Messages) {
            if (!r.json.contains(u"max_tokens")) {
                fail(error, u"'max_tokens' is required"_s, u"max_tokens"_s);
                return std::nullopt;
            }
            if (!checkPositiveInt(r.json, u"max_tokens"_s, &r.maxOutputTokens, error))
                return std::nullopt;
        }
    } else {
        if (!checkPositiveInt(r.json, u"max_tokens"_s, &r.maxOutputTokens, error)
            || !checkPositiveInt(r.json, u"max_completion_tokens"_s, &r.maxOutputTokens, error))
            return std::nullopt;
        const QJsonValue so = r.json.value(u"stream_options");
        if (!so.isUndefined() && !so.isNull()) {
            if (!so.isObject()) {
                fail(error, u"'stream_options' must be an object"_s, u"stream_options"_s);
                return std::nullopt;
            }
            r.clientAskedUsage = so.toObject().value(u"include_usage").toBool(false);
        }
    }
    for (const char *f : {"temperature", "top_p"}) {
        const QJsonValue v = r.json.value(QLatin1StringView(f));
        if (!v.isUndefined() && !v.isNull() && !v.isDouble()) {
            fail(error, u"'"_s + QLatin1StringView(f) + u"' must be a number"_s, QLatin1StringView(f).toString());
            return std::nullopt;
        }
    }
    const QJsonValue tools = r.json.value(u"tools");
    if (!tools.isUndefined() && !tools.isNull() && !tools.isArray()) {
        fail(error, u"'tools' must be an array"_s, u"tools"_s);
        return std::nullopt;
    }
    r.estimatedInputTokens = estimateInputTokens(r.json);
    return r;
}

qint64 estimateInputTokens(const QJsonObject &json)
{
    qint64 chars = textChars(json.value(u"messages")) + textChars(json.value(u"system"))
        + textChars(json.value(u"tools"));
    const qint64 messages = json.value(u"messages").toArray().size();
    // A few tokens of framing per message, as both vendors count them.
    return qMax<qint64>(1, (chars + 3) / 4 + messages * 4);
}

QByteArray withIncludeUsage(const ProxyRequest &request)
{
    if (!request.json.contains(u"stream_options")) {
        const qsizetype brace = request.body.indexOf('{');
        if (brace >= 0) {
            QByteArray out;
            out.reserve(request.body.size() + 48);
            out.append(request.body.constData(), brace + 1);
            out.append("\"stream_options\":{\"include_usage\":true},");
            out.append(request.body.constData() + brace + 1, request.body.size() - brace - 1);
            return out;
        }
    }
    QJsonObject json = request.json;
    QJsonObject so = json.value(u"stream_options").toObject();
    so.insert(u"include_usage"_s, true);
    json.insert(u"stream_options"_s, so);
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

QByteArray withModel(const QJsonObject &json, const QString &model)
{
    QJsonObject copy = json;
    copy.insert(u"model"_s, model);
    return QJsonDocument(copy).toJson(QJsonDocument::Compact);
}

} // namespace RequestInspector
