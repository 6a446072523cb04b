#include "sseevent.h"

#include <QJsonDocument>

void SseEvent::parse() const
{
    if (m_parsed)
        return;
    m_parsed = true;
    const QJsonDocument doc = QJsonDocument::fromJson(data);
    m_isObject = doc.isObject();
    if (m_isObject)
        m_object = doc.object();
}

const QJsonObject &SseEvent::object() const
{
    parse();
    return m_object;
}

bool SseEvent::isObject() const
{
    parse();
    return m_isObject;
}
