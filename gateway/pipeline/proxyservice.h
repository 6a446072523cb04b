#pragma once

// The proxy endpoints: turns each request to /v1/chat/completions,
// /v1/messages or /v1/messages/count_tokens into a ProxyCall running the
// filter chain, and answers GET /v1/models.

#include "callfilter.h"
#include "config/config.h"
#include "http/httprequest.h"

#include <QList>
#include <QObject>
#include <functional>

class CallMonitor;
class HttpResponder;
class ProviderRegistry;

class ProxyService : public QObject
{
    Q_OBJECT
public:
    enum class Endpoint { ChatCompletions, Messages, CountTokens };

    ProxyService(const ProviderRegistry *registry, const RoutingConfig &routing, CallMonitor *monitor,
                 QObject *parent = nullptr);

    // The chain every call runs, in order; not owned.
    void setFilters(QList<CallFilter *> filters) { m_filters = std::move(filters); }
    // Models that have a price, for the model list.
    void setPricedModels(std::function<QStringList()> priced) { m_pricedModels = std::move(priced); }

    void handle(Endpoint endpoint, HttpRequest &&request, HttpResponder *responder);
    void handleModels(const HttpRequest &request, HttpResponder *responder);

    static QByteArray newRequestId();

private:
    const ProviderRegistry *m_registry;
    RoutingConfig m_routing;
    CallMonitor *m_monitor;
    QList<CallFilter *> m_filters;
    std::function<QStringList()> m_pricedModels;
};
