#include "simcall.h"

#include "core/logging.h"
#include "simtext.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QtEndian>

#include <utility>

using namespace Qt::StringLiterals;

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray openAiEvent(const QJsonObject &data)
{
    return "data: " + compact(data) + "\n\n";
}

QByteArray anthropicEvent(const char *name, const QJsonObject &data)
{
    return QByteArray("event: ") + name + "\ndata: " + compact(data) + "\n\n";
}

// OpenAI's error "type" and "code" for a status, as its API sends them.
std::pair<QString, QJsonValue> openAiErrorKind(int status)
{
    switch (status) {
    case 401: return {QStringLiteral("invalid_request_error"), QStringLiteral("invalid_api_key")};
    case 403: return {QStringLiteral("permission_error"), QJsonValue::Null};
    case 404: return {QStringLiteral("invalid_request_error"), QStringLiteral("model_not_found")};
    case 429: return {QStringLiteral("requests"), QStringLiteral("rate_limit_exceeded")};
    default:
        if (status >= 500)
            return {QStringLiteral("server_error"), QJsonValue::Null};
        return {QStringLiteral("invalid_request_error"), QJsonValue::Null};
    }
}

// Anthropic's error "type" for a status (docs.anthropic.com, "Errors").
QString anthropicErrorType(int status)
{
    switch (status) {
    case 401: return QStringLiteral("authentication_error");
    case 402: return QStringLiteral("billing_error");
    case 403: return QStringLiteral("permission_error");
    case 404: return QStringLiteral("not_found_error");
    case 413: return QStringLiteral("request_too_large");
    case 429: return QStringLiteral("rate_limit_error");
    case 504: return QStringLiteral("timeout_error");
    case 529: return QStringLiteral("overloaded_error");
    default:
        return status >= 500 ? QStringLiteral("api_error") : QStringLiteral("invalid_request_error");
    }
}

QString failMessage(int status, const QString &model)
{
    if (status == 429)
        return u"Rate limit reached for "_s % model % u" (simulated)."_s;
    if (status >= 500)
        return u"The server had an error while processing your request (simulated by "_s % model
               % u")."_s;
    return u"The request was refused with status "_s % QString::number(status) % u" (simulated by "_s
           % model % u")."_s;
}

} // namespace

SimCall::SimCall(WireFormat format, UpstreamRequest request, SimConfig sim, QObject *parent)
    : ProviderCall(parent)
    , m_format(format)
    , m_request(std::move(request))
    , m_sim(sim)
    , m_timer(this)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SimCall::onTimeout);
}

void SimCall::start()
{
    if (m_phase != Phase::Idle)
        return;
    plan();
    qCDebug(lcProviders) << "sim call" << m_model << wireFormatName(m_format)
                         << (m_request.stream ? "stream" : "whole") << "tokens" << m_tokens.size();
    m_phase = Phase::Waiting;
    // Count-tokens is a cheap call upstream too; everything else waits for
    // the simulated time to first byte. A 0 ms single shot still fires from
    // the event loop, never from inside start().
    m_timer.start(m_mode == Mode::CountTokens ? 0 : qMax(0, m_sim.firstTokenMs));
}

void SimCall::kill()
{
    if (m_phase == Phase::Done)
        return;
    qCDebug(lcProviders) << "sim call killed" << m_model << "after" << m_sent << "tokens";
    finish(Outcome::Killed, QStringLiteral("killed"));
}

// Reads the request once, up front, so every later step is a pure function
// of these members.
void SimCall::plan()
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(m_request.body, &parseError);
    const QJsonObject body = doc.object();
    m_model = m_request.model.isEmpty() ? body.value(QLatin1String("model")).toString()
                                        : m_request.model;
    m_created = QDateTime::currentSecsSinceEpoch();

    const QList<SimText::Turn> turns = SimText::turns(m_format, body);
    const quint64 seed = SimText::seed(turns);
    QByteArray idSource = m_model.toUtf8() + '\n';
    idSource.resize(idSource.size() + 8);
    qToBigEndian(seed, idSource.data() + idSource.size() - 8);
    m_hexId = QString::fromLatin1(
        QCryptographicHash::hash(idSource, QCryptographicHash::Sha256).toHex().left(24));

    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        m_mode = Mode::BadRequest;
        m_errorStatus = 400;
        m_errorMessage = u"The request body is not valid JSON: "_s % parseError.errorString();
        return;
    }
    if (m_model.startsWith(QLatin1String("sim-fail-"))) {
        m_mode = Mode::Fail;
        m_errorStatus = m_model.mid(9).section(u'-', 0, 0).toInt();
        if (m_errorStatus < 400 || m_errorStatus > 599)
            m_errorStatus = 500;
        m_errorMessage = failMessage(m_errorStatus, m_model);
        return;
    }
    if (!body.value(QLatin1String("messages")).isArray()) {
        m_mode = Mode::BadRequest;
        m_errorStatus = 400;
        m_errorMessage = m_format == WireFormat::OpenAI
                             ? QStringLiteral("Missing required parameter: 'messages'.")
                             : QStringLiteral("messages: Field required");
        return;
    }

    m_inputTokens = SimText::estimateTokens(turns);
    if (m_request.kind == UpstreamRequest::Kind::CountTokens) {
        m_mode = Mode::CountTokens;
        return;
    }
    if (m_model.startsWith(QLatin1String("sim-cut-")))
        m_mode = Mode::Cut;
    else if (m_model.startsWith(QLatin1String("sim-error-")))
        m_mode = Mode::Error;

    int maxTokens = 0;
    if (m_format == WireFormat::OpenAI) {
        maxTokens = body.value(QLatin1String("max_completion_tokens")).toInt();
        if (maxTokens <= 0)
            maxTokens = body.value(QLatin1String("max_tokens")).toInt();
        m_includeUsage = body.value(QLatin1String("stream_options")).toObject()
                             .value(QLatin1String("include_usage")).toBool();
    } else {
        maxTokens = body.value(QLatin1String("max_tokens")).toInt();
    }
    int count = qMax(0, m_sim.outputTokens);
    if (maxTokens > 0 && maxTokens < count) {
        count = maxTokens;
        m_truncated = true;
    }
    m_tokens = SimText::tokens(seed, count, !m_truncated);
    m_streamTokens = (m_mode == Mode::Cut || m_mode == Mode::Error) ? count / 2 : count;
}

void SimCall::onTimeout()
{
    if (m_phase == Phase::Waiting)
        respond();
    else if (m_phase == Phase::Streaming)
        pump();
}

void SimCall::respond()
{
    switch (m_mode) {
    case Mode::BadRequest:
    case Mode::Fail:
        answerWhole(m_errorStatus, errorBody(m_errorStatus, m_errorMessage));
        return;
    case Mode::CountTokens:
        answerWhole(200, compact({{QStringLiteral("input_tokens"), m_inputTokens}}));
        return;
    case Mode::Error:
        if (!m_request.stream) {
            answerWhole(500, errorBody(500, failMessage(500, m_model)));
            return;
        }
        break;
    case Mode::Cut:
        if (!m_request.stream) {
            // A whole response whose connection drops half way through.
            const QByteArray body = completionBody();
            setHead(200, headers("application/json"));
            m_phase = Phase::Streaming;
            QPointer<SimCall> guard(this);
            Q_EMIT headReceived();
            if (!guard || m_phase == Phase::Done || !deliver(body.left(body.size() / 2)))
                return;
            finish(Outcome::ConnectError, QStringLiteral("connection closed mid-stream"));
            return;
        }
        break;
    case Mode::Answer:
        if (!m_request.stream) {
            answerWhole(200, completionBody());
            return;
        }
        break;
    }

    setHead(200, headers("text/event-stream"));
    m_phase = Phase::Streaming;
    QPointer<SimCall> guard(this);
    Q_EMIT headReceived();
    if (!guard || m_phase == Phase::Done)
        return;
    m_clock.start();
    pump();
}

// Sends every event that is due by now. Tokens are due at an even pace from
// the moment the stream opened, the first one at once; working from the
// clock rather than counting ticks keeps the pace right when the event loop
// is late, and lets one tick carry several tokens at high paces.
void SimCall::pump()
{
    const qsizetype total = m_streamTokens;
    qsizetype due = total;
    if (m_sim.tokensPerSecond > 0)
        due = qMin(total, qsizetype(1 + m_clock.elapsed() * m_sim.tokensPerSecond / 1000));

    QByteArray out;
    if (!m_openingSent) {
        out += streamOpening();
        m_openingSent = true;
    }
    for (; m_sent < due; ++m_sent)
        out += streamToken(m_tokens.at(m_sent));
    const bool done = m_sent >= total;
    if (done) {
        if (m_mode == Mode::Answer)
            out += streamClosing();
        else if (m_mode == Mode::Error)
            out += streamError();
        // Mode::Cut: the connection just closes.
    }
    if (!out.isEmpty() && !deliver(out))
        return;
    if (done) {
        if (m_mode == Mode::Cut)
            finish(Outcome::ConnectError, QStringLiteral("connection closed mid-stream"));
        else
            finish(Outcome::Completed);
        return;
    }
    if (!m_timer.isActive()) {
        m_timer.setSingleShot(false);
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.start(qMax(10, 1000 / m_sim.tokensPerSecond));
    }
}

void SimCall::answerWhole(int status, const QByteArray &body)
{
    HeaderList head = headers("application/json");
    if (status == 429)
        head.append({QByteArrayLiteral("retry-after"), QByteArrayLiteral("1")});
    setHead(status, std::move(head));
    m_phase = Phase::Streaming;
    QPointer<SimCall> guard(this);
    Q_EMIT headReceived();
    if (!guard || m_phase == Phase::Done || !deliver(body))
        return;
    finish(Outcome::Completed);
}

// Emits body bytes; false when a receiver killed or deleted the call
// meanwhile, in which case the caller must not touch anything more.
bool SimCall::deliver(const QByteArray &bytes)
{
    QPointer<SimCall> guard(this);
    Q_EMIT bodyData(bytes);
    return guard && m_phase != Phase::Done;
}

void SimCall::finish(Outcome outcome, const QString &error)
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    m_timer.stop();
    setOutcome(outcome, error);
    QPointer<SimCall> guard(this);
    Q_EMIT finished();
    if (guard && !parent())
        deleteLater();
}

HeaderList SimCall::headers(const QByteArray &contentType) const
{
    HeaderList h{{QByteArrayLiteral("content-type"), contentType}};
    if (contentType.startsWith("text/event-stream"))
        h.append({QByteArrayLiteral("cache-control"), QByteArrayLiteral("no-cache")});
    h.append({m_format == WireFormat::OpenAI ? QByteArrayLiteral("x-request-id")
                                             : QByteArrayLiteral("request-id"),
              QByteArray("req_sim_" + m_hexId.toLatin1())});
    return h;
}

QString SimCall::stopReason() const
{
    if (m_format == WireFormat::OpenAI)
        return m_truncated ? QStringLiteral("length") : QStringLiteral("stop");
    return m_truncated ? QStringLiteral("max_tokens") : QStringLiteral("end_turn");
}

QJsonObject SimCall::usageObject() const
{
    const int output = int(m_tokens.size());
    if (m_format == WireFormat::OpenAI) {
        return {
            {QStringLiteral("prompt_tokens"), m_inputTokens},
            {QStringLiteral("completion_tokens"), output},
            {QStringLiteral("total_tokens"), m_inputTokens + output},
            {QStringLiteral("prompt_tokens_details"), QJsonObject{{QStringLiteral("cached_tokens"), 0}}},
            {QStringLiteral("completion_tokens_details"),
             QJsonObject{{QStringLiteral("reasoning_tokens"), 0}}},
        };
    }
    return {
        {QStringLiteral("input_tokens"), m_inputTokens},
        {QStringLiteral("output_tokens"), output},
        {QStringLiteral("cache_creation_input_tokens"), 0},
        {QStringLiteral("cache_read_input_tokens"), 0},
    };
}

QByteArray SimCall::completionBody() const
{
    const QString text = m_tokens.join(QString());
    if (m_format == WireFormat::OpenAI) {
        const QJsonObject message{
            {QStringLiteral("role"), QStringLiteral("assistant")},
            {QStringLiteral("content"), text},
            {QStringLiteral("refusal"), QJsonValue::Null},
        };
        const QJsonObject choice{
            {QStringLiteral("index"), 0},
            {QStringLiteral("message"), message},
            {QStringLiteral("logprobs"), QJsonValue::Null},
            {QStringLiteral("finish_reason"), stopReason()},
        };
        return compact({
            {QStringLiteral("id"), QString(u"chatcmpl-sim-"_s % m_hexId)},
            {QStringLiteral("object"), QStringLiteral("chat.completion")},
            {QStringLiteral("created"), m_created},
            {QStringLiteral("model"), m_model},
            {QStringLiteral("system_fingerprint"), QStringLiteral("fp_sim")},
            {QStringLiteral("choices"), QJsonArray{choice}},
            {QStringLiteral("usage"), usageObject()},
        });
    }
    const QJsonObject block{
        {QStringLiteral("type"), QStringLiteral("text")},
        {QStringLiteral("text"), text},
    };
    return compact({
        {QStringLiteral("id"), QString(u"msg_sim_"_s % m_hexId)},
        {QStringLiteral("type"), QStringLiteral("message")},
        {QStringLiteral("role"), QStringLiteral("assistant")},
        {QStringLiteral("model"), m_model},
        {QStringLiteral("content"), QJsonArray{block}},
        {QStringLiteral("stop_reason"), stopReason()},
        {QStringLiteral("stop_sequence"), QJsonValue::Null},
        {QStringLiteral("usage"), usageObject()},
    });
}

QByteArray SimCall::errorBody(int status, const QString &message) const
{
    if (m_format == WireFormat::OpenAI) {
        const auto [type, code] = openAiErrorKind(status);
        return compact({{QStringLiteral("error"),
                         QJsonObject{
                             {QStringLiteral("message"), message},
                             {QStringLiteral("type"), type},
                             {QStringLiteral("param"), QJsonValue::Null},
                             {QStringLiteral("code"), code},
                         }}});
    }
    return compact({
        {QStringLiteral("type"), QStringLiteral("error")},
        {QStringLiteral("error"),
         QJsonObject{
             {QStringLiteral("type"), anthropicErrorType(status)},
             {QStringLiteral("message"), message},
         }},
    });
}

// One chat.completion.chunk. With include_usage every chunk carries
// "usage": null, as OpenAI's do, until the usage-only final chunk.
QByteArray SimCall::openAiChunk(const QJsonObject &delta, const QJsonValue &finishReason) const
{
    const QJsonObject choice{
        {QStringLiteral("index"), 0},
        {QStringLiteral("delta"), delta},
        {QStringLiteral("logprobs"), QJsonValue::Null},
        {QStringLiteral("finish_reason"), finishReason},
    };
    QJsonObject chunk{
        {QStringLiteral("id"), QString(u"chatcmpl-sim-"_s % m_hexId)},
        {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
        {QStringLiteral("created"), m_created},
        {QStringLiteral("model"), m_model},
        {QStringLiteral("system_fingerprint"), QStringLiteral("fp_sim")},
        {QStringLiteral("choices"), QJsonArray{choice}},
    };
    if (m_includeUsage)
        chunk.insert(QStringLiteral("usage"), QJsonValue::Null);
    return openAiEvent(chunk);
}

QByteArray SimCall::streamOpening() const
{
    if (m_format == WireFormat::OpenAI) {
        return openAiChunk({{QStringLiteral("role"), QStringLiteral("assistant")},
                            {QStringLiteral("content"), QString()},
                            {QStringLiteral("refusal"), QJsonValue::Null}},
                           QJsonValue::Null);
    }
    QJsonObject usage = usageObject();
    usage.insert(QStringLiteral("output_tokens"), 1);
    const QJsonObject message{
        {QStringLiteral("id"), QString(u"msg_sim_"_s % m_hexId)},
        {QStringLiteral("type"), QStringLiteral("message")},
        {QStringLiteral("role"), QStringLiteral("assistant")},
        {QStringLiteral("model"), m_model},
        {QStringLiteral("content"), QJsonArray{}},
        {QStringLiteral("stop_reason"), QJsonValue::Null},
        {QStringLiteral("stop_sequence"), QJsonValue::Null},
        {QStringLiteral("usage"), usage},
    };
    return anthropicEvent("message_start", {{QStringLiteral("type"), QStringLiteral("message_start")},
                                            {QStringLiteral("message"), message}})
           + anthropicEvent("content_block_start",
                            {{QStringLiteral("type"), QStringLiteral("content_block_start")},
                             {QStringLiteral("index"), 0},
                             {QStringLiteral("content_block"),
                              QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                          {QStringLiteral("text"), QString()}}}})
           + anthropicEvent("ping", {{QStringLiteral("type"), QStringLiteral("ping")}});
}

QByteArray SimCall::streamToken(const QString &token) const
{
    if (m_format == WireFormat::OpenAI)
        return openAiChunk({{QStringLiteral("content"), token}}, QJsonValue::Null);
    return anthropicEvent("content_block_delta",
                          {{QStringLiteral("type"), QStringLiteral("content_block_delta")},
                           {QStringLiteral("index"), 0},
                           {QStringLiteral("delta"),
                            QJsonObject{{QStringLiteral("type"), QStringLiteral("text_delta")},
                                        {QStringLiteral("text"), token}}}});
}

QByteArray SimCall::streamClosing() const
{
    if (m_format == WireFormat::OpenAI) {
        QByteArray out = openAiChunk({}, stopReason());
        if (m_includeUsage) {
            out += openAiEvent({
                {QStringLiteral("id"), QString(u"chatcmpl-sim-"_s % m_hexId)},
                {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
                {QStringLiteral("created"), m_created},
                {QStringLiteral("model"), m_model},
                {QStringLiteral("system_fingerprint"), QStringLiteral("fp_sim")},
                {QStringLiteral("choices"), QJsonArray{}},
                {QStringLiteral("usage"), usageObject()},
            });
        }
        return out + "data: [DONE]\n\n";
    }
    return anthropicEvent("content_block_stop", {{QStringLiteral("type"), QStringLiteral("content_block_stop")},
                                                 {QStringLiteral("index"), 0}})
           + anthropicEvent("message_delta",
                            {{QStringLiteral("type"), QStringLiteral("message_delta")},
                             {QStringLiteral("delta"),
                              QJsonObject{{QStringLiteral("stop_reason"), stopReason()},
                                          {QStringLiteral("stop_sequence"), QJsonValue::Null}}},
                             {QStringLiteral("usage"),
                              QJsonObject{{QStringLiteral("output_tokens"), int(m_tokens.size())}}}})
           + anthropicEvent("message_stop", {{QStringLiteral("type"), QStringLiteral("message_stop")}});
}

QByteArray SimCall::streamError() const
{
    if (m_format == WireFormat::OpenAI) {
        return openAiEvent({{QStringLiteral("error"),
                             QJsonObject{
                                 {QStringLiteral("message"), failMessage(500, m_model)},
                                 {QStringLiteral("type"), QStringLiteral("server_error")},
                                 {QStringLiteral("param"), QJsonValue::Null},
                                 {QStringLiteral("code"), QJsonValue::Null},
                             }}});
    }
    return anthropicEvent("error", {{QStringLiteral("type"), QStringLiteral("error")},
                                    {QStringLiteral("error"),
                                     QJsonObject{{QStringLiteral("type"), QStringLiteral("overloaded_error")},
                                                 {QStringLiteral("message"),
                                                  QString(u"Overloaded (simulated by "_s % m_model
                                                          % u")."_s)}}}});
}
