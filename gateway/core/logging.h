#pragma once

// Logging categories of the gateway. Enable with QT_LOGGING_RULES, e.g.
// QT_LOGGING_RULES="tollgate.http.debug=true".

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcProviders)
Q_DECLARE_LOGGING_CATEGORY(lcStore)
Q_DECLARE_LOGGING_CATEGORY(lcPipeline)
Q_DECLARE_LOGGING_CATEGORY(lcConfig)
Q_DECLARE_LOGGING_CATEGORY(lcGovernance)
Q_DECLARE_LOGGING_CATEGORY(lcAdmin)
