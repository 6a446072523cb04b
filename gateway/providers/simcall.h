#pragma once

// One call to the simulated provider: answers a request in-process, in
// either wire format, with the bytes, headers, pacing and failure modes of a
// real OpenAI or Anthropic server, so the gateway's pipeline, metering and
// tests run offline against exactly what they see in production.
//
// Nothing is emitted from start() itself: the response head arrives after
// SimConfig::firstTokenMs (0: on the next event-loop turn), so a caller may
// connect after start(). A non-streaming answer then arrives whole; a stream
// opens and sends one content event per token, paced at
// SimConfig::tokensPerSecond (as fast as possible when <= 0), several per
// timer tick at high paces so the timer fires at most every ~10 ms.
//
// The answer is SimText's: the same request gives the same text, the same
// usage and the same id (only OpenAI's "created" clock differs), and the
// usage is exact: output tokens are the answer's words, input tokens
// SimText::estimateTokens(). Length is min(max_tokens, outputTokens);
// a cut by max_tokens ends with "length" / "max_tokens".
//
// The model name chooses a failure mode:
//   sim-fail-<status>  that HTTP status with the format's error body
//                      (429 adds "retry-after: 1"), stream or not
//   sim-cut-*          half the answer, then the connection drops: no usage,
//                      no terminal event, outcome ConnectError
//   sim-error-*        half the answer, then the format's in-stream error
//                      event, then a clean end (outcome Completed); a
//                      non-streaming request gets a 500 instead
// A body that is not JSON, or has no "messages" array, gets a 400.
//
// Kind::CountTokens answers {"input_tokens": N} (Anthropic's
// count_tokens), in either format, after the same delay as the head.
//
// As with every ProviderCall, finished() is emitted exactly once; a call
// created without a parent then deletes itself (deleteLater), while a call
// with a parent is left to its parent.
//
//   auto *call = new SimCall(WireFormat::Anthropic, request, simConfig, this);
//   connect(call, &ProviderCall::bodyData, this, &Exchange::onUpstreamData);
//   call->start();

#include "config/config.h"
#include "core/wireformat.h"
#include "providercall.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>
#include <QTimer>

class SimCall : public ProviderCall
{
    Q_OBJECT
public:
    SimCall(WireFormat format, UpstreamRequest request, SimConfig sim, QObject *parent = nullptr);

    void start() override;
    void kill() override;

    WireFormat format() const { return m_format; }

private:
    enum class Mode { Answer, BadRequest, Fail, Cut, Error, CountTokens };
    enum class Phase { Idle, Waiting, Streaming, Done };

    void plan();
    void onTimeout();
    void respond();
    void pump();
    void answerWhole(int status, const QByteArray &body);
    bool deliver(const QByteArray &bytes);
    void finish(Outcome outcome, const QString &error = {});

    HeaderList headers(const QByteArray &contentType) const;
    QByteArray completionBody() const;
    QByteArray errorBody(int status, const QString &message) const;
    QJsonObject usageObject() const;
    QByteArray openAiChunk(const QJsonObject &delta, const QJsonValue &finishReason) const;
    QByteArray streamOpening() const;
    QByteArray streamToken(const QString &token) const;
    QByteArray streamClosing() const;
    QByteArray streamError() const;
    QString stopReason() const;

    const WireFormat m_format;
    const UpstreamRequest m_request;
    const SimConfig m_sim;

    Mode m_mode = Mode::Answer;
    Phase m_phase = Phase::Idle;
    QString m_model;
    QString m_hexId;            // shared by the response id and the request-id header
    qint64 m_created = 0;
    int m_errorStatus = 200;    // for Mode::Fail and Mode::BadRequest
    QString m_errorMessage;
    int m_inputTokens = 0;
    QStringList m_tokens;       // the whole answer, one word per token
    bool m_truncated = false;   // max_tokens cut the answer
    bool m_includeUsage = false;
    qsizetype m_streamTokens = 0; // tokens streamed before the end (half for cut/error)
    qsizetype m_sent = 0;
    bool m_openingSent = false;

    QTimer m_timer;
    QElapsedTimer m_clock;      // since the stream opened; paces the tokens
};
