#include "promptfilter.h"

#include "governance/promptlibrary.h"
#include "wire/requestinspector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>
#include <limits>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

const QString kField = u"tollgate"_s;

CallFilter::Result refuse(CallContext &ctx, const QString &message, const QString &param)
{
    ctx.error = GatewayError::invalidRequest(message, param);
    return CallFilter::Result::Respond;
}

} // namespace

QJsonObject PromptFilter::withSystemPrompt(QJsonObject json, WireFormat format, const QString &text)
{
    if (format == WireFormat::OpenAI) {
        QJsonArray messages = json.value(u"messages").toArray();
        messages.prepend(QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, text}});
        json.insert(u"messages"_s, messages);
        return json;
    }
    const QJsonValue system = json.value(u"system");
    if (system.isArray()) {
        QJsonArray blocks = system.toArray();
        blocks.prepend(QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, text}});
        json.insert(u"system"_s, blocks);
    } else if (system.isString() && !system.toString().isEmpty()) {
        json.insert(u"system"_s, QString(text + u"\n\n"_s + system.toString()));
    } else {
        json.insert(u"system"_s, text);
    }
    return json;
}

CallFilter::Result PromptFilter::onRequest(CallContext &ctx)
{
    const QJsonValue field = ctx.request.json.value(kField);
    if (field.isUndefined())
        return Result::Continue;
    if (!field.isObject())
        return refuse(ctx, u"'tollgate' must be an object: {\"prompt\": NAME, \"version\": N, \"variables\": {...}}"_s,
                      kField);
    const QJsonObject spec = field.toObject();
    for (auto it = spec.begin(); it != spec.end(); ++it) {
        if (it.key() != u"prompt" && it.key() != u"version" && it.key() != u"variables")
            return refuse(ctx, u"unknown field 'tollgate."_s + it.key() + u"' (expected prompt, version, variables)"_s,
                          u"tollgate."_s + it.key());
    }

    const QJsonValue prompt = spec.value(u"prompt");
    if (prompt.isUndefined() || prompt.isNull())
        return refuse(ctx, u"'tollgate.prompt' is required: the name of a stored prompt template"_s,
                      u"tollgate.prompt"_s);
    if (!prompt.isString() || prompt.toString().isEmpty())
        return refuse(ctx, u"'tollgate.prompt' must be a non-empty string"_s, u"tollgate.prompt"_s);
    const QString name = prompt.toString();

    std::optional<int> version;
    const QJsonValue v = spec.value(u"version");
    if (!v.isUndefined() && !v.isNull()) {
        const double d = v.toDouble();
        if (!v.isDouble() || d != std::trunc(d) || d < 1 || d > std::numeric_limits<int>::max())
            return refuse(ctx, u"'tollgate.version' must be a positive integer"_s, u"tollgate.version"_s);
        version = int(d);
    }

    const QJsonValue vars = spec.value(u"variables");
    if (!vars.isUndefined() && !vars.isNull() && !vars.isObject())
        return refuse(ctx, u"'tollgate.variables' must be an object of names to values"_s, u"tollgate.variables"_s);
    const QJsonObject variableJson = vars.toObject();

    // Checked here rather than left to render() so each refusal names its field.
    const PromptRecord *record = m_library->find(name);
    if (!record)
        return refuse(ctx, u"unknown prompt template '"_s + name + u'\'', u"tollgate.prompt"_s);
    if (version && !m_library->findVersion(name, *version))
        return refuse(ctx, u"prompt '"_s + name + u"' has no version "_s + QString::number(*version),
                      u"tollgate.version"_s);
    QHash<QString, QString> variables;
    QString error;
    if (!PromptLibrary::toTextVariables(variableJson, &variables, &error)) {
        QString param = u"tollgate.variables"_s;
        for (auto it = variableJson.begin(); it != variableJson.end(); ++it) {
            if (!it.value().isString() && !it.value().isDouble() && !it.value().isBool()) {
                param += u'.' + it.key();
                break;
            }
        }
        return refuse(ctx, u"tollgate.variables: "_s + error, param);
    }
    int used = 0;
    const QString text = m_library->render(name, version, variables, &error, &used);
    if (text.isNull())
        return refuse(ctx, error, u"tollgate.variables"_s);

    QJsonObject json = ctx.request.json;
    json.remove(kField);
    json = withSystemPrompt(std::move(json), ctx.request.format, text);
    ctx.request.body = QJsonDocument(json).toJson(QJsonDocument::Compact);
    ctx.request.estimatedInputTokens = RequestInspector::estimateInputTokens(json);
    ctx.request.json = std::move(json);
    ctx.prompt = name;
    ctx.promptVersion = used;
    return Result::Continue;
}
