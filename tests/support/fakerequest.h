#pragma once

// One request a FakeProvider received, as the gateway sent it, and what
// became of its answer: so a test can check the upstream credential, the
// forwarded body byte for byte, and whether the gateway closed the
// connection while the answer was still coming.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>

struct FakeRequest
{
    QByteArray method;
    QByteArray target;                          // "/v1/chat/completions"
    QList<QPair<QByteArray, QByteArray>> headers; // names lowercased, in order
    QByteArray body;                            // de-chunked
    int connection = 0;                         // 1, 2, …: which connection carried it
    bool answered = false;                      // the whole reply went out
    bool clientClosed = false;                  // the client closed before the reply was complete

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &h : headers) {
            if (h.first == name)
                return h.second;
        }
        return {};
    }
    bool hasHeader(QByteArrayView name) const
    {
        for (const auto &h : headers) {
            if (h.first == name)
                return true;
        }
        return false;
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};
