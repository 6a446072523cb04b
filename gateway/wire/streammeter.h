#pragma once

// Watches a provider's SSE stream event by event and meters it: token usage
// from the provider's own usage events (OpenAI's final usage chunk,
// Anthropic's message_start and message_delta, whose counts are cumulative),
// an estimate of output tokens from the text deltas seen (for streams cut
// before usage arrived), the model the provider named, whether the stream
// reached its proper end, and an error event if the provider sent one.
//
// For OpenAI streams where the gateway added stream_options.include_usage
// on its own, setStripUsage(true) makes filter() return the event with the
// usage the client did not ask for removed (the usage-only final chunk is
// dropped, and the "usage":null member of other chunks is cut out), so the
// client receives what the provider would have sent it directly.
//
//   auto meter = StreamMeter::create(WireFormat::Anthropic);
//   parser.feed(bytes, [&](const SseEvent &e) {
//       QByteArray out = meter->filter(e);   // empty: drop the event
//       if (!out.isEmpty()) client.write(out);
//   });

#include "core/tokenusage.h"
#include "core/wireformat.h"
#include "sseevent.h"

#include <QByteArray>
#include <QString>
#include <memory>

class StreamMeter
{
public:
    static std::unique_ptr<StreamMeter> create(WireFormat format);
    virtual ~StreamMeter() = default;

    // Meters the event and returns the bytes to forward (empty to drop it).
    virtual QByteArray filter(const SseEvent &event) = 0;

    void setStripUsage(bool strip) { m_stripUsage = strip; }

    TokenUsage usage() const { return m_usage; }
    bool usageSeen() const { return m_usageSeen; }
    // Output tokens estimated from the streamed text (about 4 characters a token).
    qint64 estimatedOutputTokens() const;
    bool completed() const { return m_completed; }      // [DONE] / message_stop seen
    bool errorSeen() const { return !m_error.isEmpty(); }
    QByteArray errorPayload() const { return m_error;  } // the error event's data
    QString providerModel() const { return m_model; }
    qint64 eventsSeen() const { return m_events; }

protected:
    bool m_stripUsage = false;
    TokenUsage m_usage;
    bool m_usageSeen = false;
    qint64 m_textChars = 0;
    bool m_completed = false;
    QByteArray m_error;
    QString m_model;
    qint64 m_events = 0;
};
