#pragma once

// One parsed HTTP/1.1 request: the request line, headers (names lowercased)
// and the complete body. Values are raw bytes; nothing is decoded that the
// handlers do not need.

#include <QByteArray>
#include <QList>
#include <QPair>

struct HttpRequest
{
    QByteArray method;      // "GET", "POST", …
    QByteArray target;      // as sent: "/v1/models?x=1"
    QByteArray path;        // target without the query
    QByteArray query;       // after '?', without it
    int minorVersion = 1;   // HTTP/1.<minor>
    bool keepAlive = true;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    // First value of a header; name must be lowercase.
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
};
