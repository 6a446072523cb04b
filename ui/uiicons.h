#pragma once

// The window's icons: SVGs compiled in from resources/icons, so they stay
// crisp at any device pixel ratio.
//
//   button->setIcon(UiIcons::get(u"kill"));

#include <QIcon>
#include <QString>

namespace UiIcons {
inline QIcon get(QStringView name)
{
    return QIcon(QStringLiteral(":/tollgate/icons/") + name + QStringLiteral(".svg"));
}
}
