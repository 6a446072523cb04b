#include "snippetspanel.h"

#include "gatewayclient.h"
#include "uiicons.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>
#include <QToolTip>

using namespace Qt::StringLiterals;

SnippetsPanel::SnippetsPanel(GatewayClient *client, QWidget *parent) : QWidget(parent), m_client(client)
{
    setObjectName(u"snippets"_s);
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(4);
    const QStringList labels{tr("OpenAI SDKs"), tr("Anthropic SDKs"), tr("Try it")};
    const QStringList names{u"openaiSnippet"_s, u"anthropicSnippet"_s, u"curlSnippet"_s};
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (int i = 0; i < labels.size(); ++i) {
        auto *label = new QLabel(labels.at(i), this);
        label->setForegroundRole(QPalette::PlaceholderText);
        auto *line = new QLineEdit(this);
        line->setObjectName(names.at(i));
        line->setReadOnly(true);
        line->setFont(mono);
        line->setAccessibleName(labels.at(i));
        line->setCursorPosition(0);
        auto *copy = new QToolButton(this);
        copy->setObjectName(names.at(i) + u"Copy"_s);
        copy->setIcon(UiIcons::get(u"copy"));
        copy->setToolTip(tr("Copy"));
        copy->setAccessibleName(tr("Copy the %1 line").arg(labels.at(i)));
        copy->setAutoRaise(true);
        connect(copy, &QToolButton::clicked, this, [line, copy] {
            QGuiApplication::clipboard()->setText(line->text());
            copy->setToolTip(tr("Copied"));
            QToolTip::showText(copy->mapToGlobal(copy->rect().bottomLeft()), tr("Copied"), copy);
        });
        grid->addWidget(label, i, 0);
        grid->addWidget(line, i, 1);
        grid->addWidget(copy, i, 2);
        label->setBuddy(line);
        m_lines.append(line);
    }
    grid->setColumnStretch(1, 1);
    connect(client, &GatewayClient::attached, this, &SnippetsPanel::fill);
    fill();
}

QStringList SnippetsPanel::snippetsFor(const QString &listenUrl, bool demo)
{
    const QString model = demo ? u"sim-small"_s : u"gpt-4o-mini"_s;
    return {
        u"export OPENAI_BASE_URL="_s + listenUrl + u"/v1"_s,
        u"export ANTHROPIC_BASE_URL="_s + listenUrl,
        u"curl "_s + listenUrl + u"/v1/chat/completions -H \"Authorization: Bearer $TOLLGATE_KEY\" "_s
            + u"-H 'content-type: application/json' -d '{\"model\":\""_s + model
            + u"\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'"_s,
    };
}

void SnippetsPanel::fill()
{
    if (!m_client->isAttached() || m_client->listenUrl().isEmpty()) {
        for (QLineEdit *l : std::as_const(m_lines))
            l->setPlaceholderText(tr("waiting for the gateway…"));
        return;
    }
    const QStringList lines = snippetsFor(m_client->listenUrl(), m_client->config().demo);
    for (int i = 0; i < m_lines.size(); ++i) {
        m_lines.at(i)->setText(lines.value(i));
        m_lines.at(i)->setCursorPosition(0);
    }
}

QStringList SnippetsPanel::snippets() const
{
    QStringList out;
    for (const QLineEdit *l : m_lines)
        out.append(l->text());
    return out;
}
