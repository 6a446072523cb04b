#include "settingspage.h"

#include "gatewayclient.h"
#include "uiviews.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

QLineEdit *readOnlyField(const QString &objectName, const QString &accessibleName)
{
    auto *edit = new QLineEdit;
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setReadOnly(true);
    return edit;
}

} // namespace

SettingsPage::SettingsPage(GatewayClient *client, QWidget *parent) : QWidget(parent), m_client(client)
{
    setObjectName(u"settingsPage"_s);
    setAccessibleName(tr("Settings"));

    m_listenUrl = readOnlyField(u"settingsListenUrl"_s, tr("Gateway URL"));
    m_host = readOnlyField(u"settingsListenHost"_s, tr("Listen address"));
    m_port = readOnlyField(u"settingsListenPort"_s, tr("Port"));
    m_passthrough = readOnlyField(u"settingsPassthrough"_s, tr("Pass-through"));
    m_dataDir = readOnlyField(u"settingsDataDir"_s, tr("Data folder"));
    m_configFile = readOnlyField(u"settingsConfigFile"_s, tr("Configuration file"));
    m_token = readOnlyField(u"settingsAdminToken"_s, tr("Admin token"));
    m_token->setEchoMode(QLineEdit::Password);

    m_openDataDir = new QPushButton(tr("&Open folder"));
    m_openDataDir->setObjectName(u"openDataDirButton"_s);
    m_openDataDir->setAccessibleName(tr("Open the data folder"));
    connect(m_openDataDir, &QPushButton::clicked, this, [this] {
        if (!m_dataDir->text().isEmpty())
            QDesktopServices::openUrl(QUrl::fromLocalFile(m_client->dataDir()));
    });

    m_reveal = new QToolButton;
    m_reveal->setObjectName(u"revealTokenButton"_s);
    m_reveal->setAccessibleName(tr("Reveal the admin token"));
    m_reveal->setCheckable(true);
    m_reveal->setToolButtonStyle(Qt::ToolButtonTextOnly);
    connect(m_reveal, &QToolButton::toggled, this, &SettingsPage::setTokenRevealed);
    m_copyToken = new QPushButton(tr("&Copy"));
    m_copyToken->setObjectName(u"copyTokenButton"_s);
    m_copyToken->setAccessibleName(tr("Copy the admin token"));
    connect(m_copyToken, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(QString::fromUtf8(m_client->adminToken()));
        UiViews::setStatus(m_status, tr("Admin token copied to the clipboard."));
    });
    setTokenRevealed(false);

    // One form with section headings, so the labels of every section line up.
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto section = [form](const QString &title) {
        auto *heading = new QLabel(title);
        QFont f = heading->font();
        f.setBold(true);
        heading->setFont(f);
        heading->setContentsMargins(0, form->rowCount() ? 12 : 0, 0, 0);
        form->addRow(heading);
    };
    auto label = [](const QString &text, QWidget *buddy) {
        auto *l = new QLabel(text);
        l->setBuddy(buddy);
        return l;
    };
    section(tr("Gateway"));
    form->addRow(label(tr("&URL:"), m_listenUrl), m_listenUrl);
    form->addRow(label(tr("Listen &address:"), m_host), m_host);
    form->addRow(label(tr("&Port:"), m_port), m_port);
    form->addRow(label(tr("Pass-&through:"), m_passthrough), m_passthrough);

    section(tr("Files"));
    auto *dataRow = new QHBoxLayout;
    dataRow->addWidget(m_dataDir, 1);
    dataRow->addWidget(m_openDataDir);
    form->addRow(label(tr("&Data folder:"), m_dataDir), dataRow);
    form->addRow(label(tr("Co&nfiguration file:"), m_configFile), m_configFile);

    section(tr("Admin API"));
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(m_reveal);
    tokenRow->addWidget(m_copyToken);
    form->addRow(label(tr("Admin to&ken:"), m_token), tokenRow);
    auto *tokenHint = new QLabel(tr("Send it as <code>Authorization: Bearer …</code> to the <code>/admin</code> "
                                    "endpoints. Set <code>TOLLGATE_ADMIN_TOKEN</code> to choose your own."));
    tokenHint->setWordWrap(true);
    tokenHint->setTextFormat(Qt::RichText);

    auto *restart = new QLabel(
        tr("These settings are fixed while Tollgate runs. To change them, start it again with "
           "<code>--listen HOST:PORT</code>, <code>--data-dir DIR</code> or <code>--config FILE</code> "
           "(where <code>listen</code>, <code>passthrough</code>, providers and prices are set), "
           "then restart Tollgate."));
    restart->setObjectName(u"settingsRestartNote"_s);
    restart->setWordWrap(true);
    restart->setTextFormat(Qt::RichText);

    m_status = new QLabel;
    m_status->setObjectName(u"settingsStatus"_s);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(restart);
    layout->addSpacing(8);
    layout->addLayout(form);
    layout->addWidget(tokenHint);   // outside the form: QFormLayout mis-sizes wrapped labels
    layout->addWidget(m_status);
    layout->addStretch();

    setTabOrder(m_listenUrl, m_host);
    setTabOrder(m_host, m_port);
    setTabOrder(m_port, m_passthrough);
    setTabOrder(m_passthrough, m_dataDir);
    setTabOrder(m_dataDir, m_openDataDir);
    setTabOrder(m_openDataDir, m_configFile);
    setTabOrder(m_configFile, m_token);
    setTabOrder(m_token, m_reveal);
    setTabOrder(m_reveal, m_copyToken);

    if (client)
        connect(client, &GatewayClient::attached, this, &SettingsPage::load);
    load();
}

void SettingsPage::load()
{
    const bool attached = m_client && m_client->isAttached() && !m_client->listenUrl().isEmpty();
    if (!attached) {
        for (QLineEdit *e : {m_listenUrl, m_host, m_port, m_passthrough, m_dataDir, m_configFile, m_token})
            e->setPlaceholderText(tr("starting…"));
        m_openDataDir->setEnabled(false);
        m_copyToken->setEnabled(false);
        m_reveal->setEnabled(false);
        return;
    }
    const Config &c = m_client->config();
    m_listenUrl->setText(m_client->listenUrl());
    m_host->setText(c.listenHost);
    // The real port: the URL says which one was picked when 0 was asked.
    const int port = QUrl(m_client->listenUrl()).port(c.listenPort);
    m_port->setText(QString::number(port));
    m_passthrough->setText(c.passthrough ? tr("on: keys that are not Tollgate keys are forwarded to the provider")
                                         : tr("off: only Tollgate keys are accepted"));
    m_dataDir->setText(QDir::toNativeSeparators(m_client->dataDir()));
    m_configFile->setText(c.sourceFile.isEmpty() ? QString() : QDir::toNativeSeparators(c.sourceFile));
    m_configFile->setPlaceholderText(tr("none: built-in defaults"));
    m_token->setText(QString::fromUtf8(m_client->adminToken()));
    m_openDataDir->setEnabled(!m_client->dataDir().isEmpty());
    m_copyToken->setEnabled(!m_client->adminToken().isEmpty());
    m_reveal->setEnabled(true);
}

void SettingsPage::setTokenRevealed(bool revealed)
{
    m_token->setEchoMode(revealed ? QLineEdit::Normal : QLineEdit::Password);
    m_reveal->setText(revealed ? tr("&Hide") : tr("&Reveal"));
    m_reveal->setAccessibleName(revealed ? tr("Hide the admin token") : tr("Reveal the admin token"));
}
