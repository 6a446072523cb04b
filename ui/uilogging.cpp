#include "uilogging.h"

Q_LOGGING_CATEGORY(lcUi, "tollgate.ui", QtInfoMsg)
