#include "logging.h"

Q_LOGGING_CATEGORY(lcHttp, "tollgate.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProviders, "tollgate.providers", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "tollgate.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPipeline, "tollgate.pipeline", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConfig, "tollgate.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGovernance, "tollgate.governance", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAdmin, "tollgate.admin", QtInfoMsg)
