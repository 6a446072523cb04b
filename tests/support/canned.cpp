#include "canned.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Canned {

namespace {

const QList<QByteArray> kWords = {"Hello", "!", " The", " gateway", " forwards", " every", " event", " as", " it",
                                  " arrives", ",", " byte", " for", " byte", "."};

QByteArray openAiChunk(const QByteArray &model, const QByteArray &choice, bool usageNull)
{
    QByteArray out = "data: {\"id\":\"chatcmpl-AqR3fake0001\",\"object\":\"chat.completion.chunk\",\"created\":1736000000,"
                     "\"model\":\"" + model + "\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_0aa8d3e20b\","
                     "\"choices\":[" + choice + "]";
    if (usageNull)
        out += ",\"usage\":null";
    out += "}\n\n";
    return out;
}

QByteArray jsonString(const QByteArray &s)
{
    QByteArray out = s;
    out.replace('\\', "\\\\").replace('"', "\\\"");
    return '"' + out + '"';
}

} // namespace

QByteArray openAiRequest(const QByteArray &model, bool stream, bool includeUsage)
{
    QByteArray body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                      "{\"role\":\"user\",\"content\":\"Say hello to the gateway.\"}],\"temperature\":0.2";
    if (stream)
        body += ",\"stream\":true";
    if (includeUsage)
        body += ",\"stream_options\":{\"include_usage\":true}";
    return body + '}';
}

QByteArray chatBody(const QByteArray &model, int maxTokens, bool stream, const QByteArray &text)
{
    QJsonObject o{{QStringLiteral("model"), QString::fromLatin1(model)},
                  {QStringLiteral("max_tokens"), maxTokens},
                  {QStringLiteral("messages"),
                   QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                          {QStringLiteral("content"), QString::fromUtf8(text)}}}}};
    if (stream)
        o.insert(QStringLiteral("stream"), true);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray anthropicRequest(const QByteArray &model, bool stream)
{
    QByteArray body = "{\"model\":\"" + model + "\",\"max_tokens\":1024,\"system\":[{\"type\":\"text\",\"text\":"
                      "\"You are terse.\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\","
                      "\"content\":\"Say hello to the gateway.\"}]";
    if (stream)
        body += ",\"stream\":true";
    return body + '}';
}

QByteArray countTokensRequest(const QByteArray &model)
{
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"How many tokens is this?\"}]}";
}

QByteArray openAiCompletion(const QByteArray &model)
{
    return "{\n  \"id\": \"chatcmpl-AqR3fake0001\",\n  \"object\": \"chat.completion\",\n  \"created\": 1736000000,\n"
           "  \"model\": \"" + model + "\",\n  \"choices\": [\n    {\n      \"index\": 0,\n      \"message\": {\n"
           "        \"role\": \"assistant\",\n        \"content\": \"Hello, gateway!\",\n        \"refusal\": null\n"
           "      },\n      \"logprobs\": null,\n      \"finish_reason\": \"stop\"\n    }\n  ],\n  \"usage\": {\n"
           "    \"prompt_tokens\": " + QByteArray::number(kOpenAiPromptTokens) + ",\n"
           "    \"completion_tokens\": " + QByteArray::number(kOpenAiCompletionTokens) + ",\n"
           "    \"total_tokens\": " + QByteArray::number(kOpenAiPromptTokens + kOpenAiCompletionTokens) + ",\n"
           "    \"prompt_tokens_details\": {\n      \"cached_tokens\": " + QByteArray::number(kOpenAiCachedTokens) + ",\n"
           "      \"audio_tokens\": 0\n    },\n    \"completion_tokens_details\": {\n      \"reasoning_tokens\": 0,\n"
           "      \"audio_tokens\": 0,\n      \"accepted_prediction_tokens\": 0,\n      \"rejected_prediction_tokens\": 0\n"
           "    }\n  },\n  \"service_tier\": \"default\",\n  \"system_fingerprint\": \"fp_0aa8d3e20b\"\n}\n";
}

QByteArray anthropicMessage(const QByteArray &model)
{
    return "{\"id\":\"msg_01FakeAbCdEfGh\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
        + "\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, gateway!\"}],\"stop_reason\":\"end_turn\","
          "\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + QByteArray::number(kAnthropicInputTokens)
        + ",\"cache_creation_input_tokens\":" + QByteArray::number(kAnthropicCacheWrite)
        + ",\"cache_read_input_tokens\":" + QByteArray::number(kAnthropicCacheRead)
        + ",\"output_tokens\":" + QByteArray::number(kAnthropicOutputTokens) + ",\"service_tier\":\"standard\"}}";
}

QByteArray openAiError(const QByteArray &message, const QByteArray &type, const QByteArray &code)
{
    return "{\n    \"error\": {\n        \"message\": " + jsonString(message) + ",\n        \"type\": \"" + type
        + "\",\n        \"param\": null,\n        \"code\": \"" + code + "\"\n    }\n}";
}

QByteArray anthropicError(const QByteArray &message, const QByteArray &type)
{
    return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":" + jsonString(message)
        + "},\"request_id\":\"req_011FakeUpstream\"}";
}

QList<QByteArray> openAiStream(bool withUsage, const QByteArray &model)
{
    QList<QByteArray> events;
    events.append(openAiChunk(model,
                              "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                              "\"logprobs\":null,\"finish_reason\":null}",
                              withUsage));
    for (const QByteArray &w : kWords) {
        events.append(openAiChunk(model,
                                  "{\"index\":0,\"delta\":{\"content\":" + jsonString(w)
                                      + "},\"logprobs\":null,\"finish_reason\":null}",
                                  withUsage));
    }
    events.append(openAiChunk(model, "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}",
                              withUsage));
    if (withUsage) {
        events.append("data: {\"id\":\"chatcmpl-AqR3fake0001\",\"object\":\"chat.completion.chunk\","
                      "\"created\":1736000000,\"model\":\"" + model + "\",\"service_tier\":\"default\","
                      "\"system_fingerprint\":\"fp_0aa8d3e20b\",\"choices\":[],\"usage\":{\"prompt_tokens\":"
                      + QByteArray::number(kOpenAiPromptTokens) + ",\"completion_tokens\":"
                      + QByteArray::number(kOpenAiCompletionTokens) + ",\"total_tokens\":"
                      + QByteArray::number(kOpenAiPromptTokens + kOpenAiCompletionTokens)
                      + ",\"prompt_tokens_details\":{\"cached_tokens\":" + QByteArray::number(kOpenAiCachedTokens)
                      + ",\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,"
                        "\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n");
    }
    events.append("data: [DONE]\n\n");
    return events;
}

QList<QByteArray> openAiLongStream(int contentEvents, bool withUsage)
{
    const QList<QByteArray> base = openAiStream(withUsage);
    QList<QByteArray> events{base.first()};
    for (int i = 0; i < contentEvents; ++i)
        events.append(base.at(1 + i % kWords.size()));
    for (qsizetype i = 1 + kWords.size(); i < base.size(); ++i)
        events.append(base.at(i));
    return events;
}

QList<QByteArray> anthropicStream(const QByteArray &model)
{
    QList<QByteArray> events;
    events.append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01FakeAbCdEfGh\","
                  "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],"
                  "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":"
                  + QByteArray::number(kAnthropicInputTokens) + ",\"cache_creation_input_tokens\":"
                  + QByteArray::number(kAnthropicCacheWrite) + ",\"cache_read_input_tokens\":"
                  + QByteArray::number(kAnthropicCacheRead) + ",\"output_tokens\":1,\"service_tier\":\"standard\"}}}\n\n");
    events.append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                  "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    events.append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
    for (const QByteArray &w : kWords) {
        events.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                      "\"delta\":{\"type\":\"text_delta\",\"text\":" + jsonString(w) + "}}\n\n");
    }
    events.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
    events.append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                  "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + QByteArray::number(kAnthropicOutputTokens)
                  + "}}\n\n");
    events.append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    return events;
}

QByteArray openAiStreamErrorEvent()
{
    return "data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\","
           "\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
}

QByteArray anthropicStreamErrorEvent()
{
    return "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
}

QByteArray join(const QList<QByteArray> &events)
{
    QByteArray out;
    for (const QByteArray &e : events)
        out += e;
    return out;
}

} // namespace Canned
