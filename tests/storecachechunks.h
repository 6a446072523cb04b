#pragma once

// Every unexpired response-cache entry in a Store, newest first, read the
// way the gateway reads them at start-up: chunk after chunk through
// Store::readCacheChunk. Small chunks by default, so the chunking itself is
// exercised. Shared by the store's tests.
//
//   QCOMPARE(StoreCacheChunks::readAll(*store).size(), 2);

#include "store/store.h"

#include <QTest>
#include <limits>
#include <optional>

namespace StoreCacheChunks {

// The chunks, each as it came; empty (and a warning) if one never came.
inline QList<Store::CacheChunk> chunks(Store &store, int maxEntries = 3,
                                       qint64 maxBytes = std::numeric_limits<qint64>::max())
{
    QList<Store::CacheChunk> out;
    QObject context;
    qint64 from = 0;
    for (;;) {
        std::optional<Store::CacheChunk> chunk;
        store.readCacheChunk(from, maxEntries, maxBytes, &context,
                             [&chunk](Store::CacheChunk c) { chunk = std::move(c); });
        if (!QTest::qWaitFor([&chunk] { return chunk.has_value(); }, 10000)) {
            qWarning() << "no cache chunk from" << from;
            return {};
        }
        out.append(*chunk);
        if (chunk->next <= 0)
            return out;
        from = chunk->next;
    }
}

inline QList<CacheEntry> readAll(Store &store, int maxEntries = 3)
{
    QList<CacheEntry> all;
    for (const Store::CacheChunk &c : chunks(store, maxEntries))
        all += c.entries;
    return all;
}

} // namespace StoreCacheChunks
