#pragma once

// The window's logging category: tollgate.ui.

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcUi)
