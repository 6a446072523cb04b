#include "promptspage.h"

#include "gatewayclient.h"
#include "governance/promptlibrary.h"
#include "promptdiffmodel.h"
#include "promptsmodel.h"
#include "promptvariablesmodel.h"
#include "promptversionsmodel.h"
#include "uiviews.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;


PromptsPage::PromptsPage(GatewayClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_prompts(new PromptsModel(client, this))
    , m_versions(new PromptVersionsModel(m_prompts, this))
    , m_diff(new PromptDiffModel(this))
    , m_variables(new PromptVariablesModel(this))
{
    setObjectName(u"promptsPage"_s);
    setAccessibleName(tr("Prompt templates"));

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(u"promptsSplitter"_s);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(buildListPanel());

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(u"promptTabs"_s);
    m_tabs->setAccessibleName(tr("Template tools"));
    m_tabs->addTab(buildEditorTab(), tr("&Edit"));
    m_tabs->addTab(buildDiffTab(), tr("&Compare versions"));
    m_tabs->addTab(buildPreviewTab(), tr("&Preview"));
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({460, 800});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_prompts, &PromptsModel::loaded, this, &PromptsPage::onPromptsLoaded);
    connect(m_templatesView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &PromptsPage::onTemplateSelected);
    connect(m_versions, &PromptVersionsModel::versionsChanged, this, &PromptsPage::onVersionsChanged);
    connect(m_versionsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &PromptsPage::onVersionSelected);
    connect(m_variables, &PromptVariablesModel::valuesChanged, this, &PromptsPage::requestRender);

    setTabOrder(m_templatesView, m_versionsView);
    setTabOrder(m_versionsView, m_activateButton);
    setTabOrder(m_activateButton, m_rollBackButton);
    setTabOrder(m_rollBackButton, m_tabs);
    setTabOrder(m_tabs, m_nameEdit);
    setTabOrder(m_nameEdit, m_editor);
    setTabOrder(m_editor, m_saveButton);
    setTabOrder(m_saveButton, m_loadButton);
    setTabOrder(m_loadButton, m_newButton);
    setTabOrder(m_diffFrom, m_diffTo);
    setTabOrder(m_diffTo, m_diffView);
    setTabOrder(m_previewVersion, m_variablesView);
    setTabOrder(m_variablesView, m_renderButton);
    setTabOrder(m_renderButton, m_rendered);

    onEditorChanged();
}

QWidget *PromptsPage::buildListPanel()
{
    auto *panel = new QWidget;
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);

    m_templatesView = new QTableView;
    m_templatesView->setObjectName(u"promptTemplatesView"_s);
    m_templatesView->setAccessibleName(tr("Templates"));
    m_templatesView->setModel(m_prompts);
    UiViews::prepareTable(m_templatesView);
    m_templatesView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    QHeaderView *th = m_templatesView->horizontalHeader();
    th->setStretchLastSection(false);
    th->setSectionResizeMode(QHeaderView::ResizeToContents);
    th->setSectionResizeMode(PromptsModel::Name, QHeaderView::Stretch);

    m_versionsView = new QTableView;
    m_versionsView->setObjectName(u"promptVersionsView"_s);
    m_versionsView->setAccessibleName(tr("Versions of the selected template"));
    m_versionsView->setModel(m_versions);
    UiViews::prepareTable(m_versionsView);
    m_versionsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    QHeaderView *vh = m_versionsView->horizontalHeader();
    for (int c : {PromptVersionsModel::Version, PromptVersionsModel::Created, PromptVersionsModel::Active})
        vh->setSectionResizeMode(c, QHeaderView::ResizeToContents);

    m_activateButton = UiViews::button(tr("&Activate"), u"activatePromptButton"_s,
                              tr("Make the selected version the one requests get when they name no version"));
    m_rollBackButton = UiViews::button(tr("&Roll back"), u"rollBackPromptButton"_s,
                              tr("Make the version before the active one active again"));
    connect(m_activateButton, &QPushButton::clicked, this, &PromptsPage::activateSelected);
    connect(m_rollBackButton, &QPushButton::clicked, this, &PromptsPage::rollBack);

    m_status = new QLabel;
    m_status->setObjectName(u"promptStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_activateButton);
    buttons->addWidget(m_rollBackButton);
    buttons->addStretch();

    layout->addWidget(UiViews::heading(tr("&Templates"), m_templatesView));
    layout->addWidget(m_templatesView, 2);
    layout->addWidget(UiViews::heading(tr("&Versions"), m_versionsView));
    layout->addWidget(m_versionsView, 3);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    return panel;
}

QWidget *PromptsPage::buildEditorTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);

    m_nameEdit = new QLineEdit;
    m_nameEdit->setObjectName(u"promptNameEdit"_s);
    m_nameEdit->setAccessibleName(tr("Template name"));
    m_nameEdit->setPlaceholderText(tr("template name, e.g. support-triage"));
    m_nameEdit->setMaxLength(PromptLibrary::kMaxNameLength);
    // The names PromptLibrary::isValidName takes, so a typo is caught while typing.
    m_nameEdit->setValidator(
        new QRegularExpressionValidator(QRegularExpression(u"[A-Za-z0-9_.-]*"_s), m_nameEdit));

    m_editor = new QPlainTextEdit;
    m_editor->setObjectName(u"promptEditor"_s);
    m_editor->setAccessibleName(tr("Template text"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setPlaceholderText(tr("You are a helpful assistant for {{company}}. Answer in {{language}}."));
    m_editor->setTabChangesFocus(true);

    m_editorPlaceholders = new QLabel;
    m_editorPlaceholders->setObjectName(u"promptEditorPlaceholders"_s);
    m_editorPlaceholders->setWordWrap(true);
    m_editorPlaceholders->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_saveButton = UiViews::button(tr("&Save as new version"), u"savePromptVersionButton"_s,
                          tr("Store this text as the next version; versions never change once saved"));
    m_loadButton = UiViews::button(tr("&Load selected version"), u"loadPromptVersionButton"_s,
                          tr("Put the selected version's text in the editor, to start a new version from it"));
    m_newButton = UiViews::button(tr("&New template"), u"newPromptButton"_s, tr("Start a new template"));
    m_saveButton->setDefault(true);
    connect(m_saveButton, &QPushButton::clicked, this, &PromptsPage::saveVersion);
    connect(m_loadButton, &QPushButton::clicked, this, &PromptsPage::loadSelectedIntoEditor);
    connect(m_newButton, &QPushButton::clicked, this, &PromptsPage::newTemplate);
    connect(m_nameEdit, &QLineEdit::textChanged, this, &PromptsPage::updateActions);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &PromptsPage::onEditorChanged);

    auto *form = new QFormLayout;
    form->addRow(tr("Na&me:"), m_nameEdit);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_saveButton);
    buttons->addWidget(m_loadButton);
    buttons->addStretch();
    buttons->addWidget(m_newButton);

    layout->addLayout(form);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_editorPlaceholders);
    layout->addLayout(buttons);
    return tab;
}

QWidget *PromptsPage::buildDiffTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);

    m_diffFrom = new QComboBox;
    m_diffFrom->setObjectName(u"diffFromCombo"_s);
    m_diffFrom->setAccessibleName(tr("Older version"));
    m_diffTo = new QComboBox;
    m_diffTo->setObjectName(u"diffToCombo"_s);
    m_diffTo->setAccessibleName(tr("Newer version"));
    connect(m_diffFrom, &QComboBox::currentIndexChanged, this, &PromptsPage::requestDiff);
    connect(m_diffTo, &QComboBox::currentIndexChanged, this, &PromptsPage::requestDiff);

    m_diffSummary = new QLabel;
    m_diffSummary->setObjectName(u"diffSummary"_s);

    m_diffView = new QTableView;
    m_diffView->setObjectName(u"promptDiffView"_s);
    m_diffView->setAccessibleName(tr("Differences between the two versions"));
    m_diffView->setModel(m_diff);
    UiViews::prepareTable(m_diffView);
    m_diffView->setAlternatingRowColors(false);   // the tints carry the meaning
    m_diffView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_diffView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    QHeaderView *h = m_diffView->horizontalHeader();
    h->setStretchLastSection(false);
    h->setSectionResizeMode(PromptDiffModel::OldLine, QHeaderView::ResizeToContents);
    h->setSectionResizeMode(PromptDiffModel::NewLine, QHeaderView::ResizeToContents);
    h->setSectionResizeMode(PromptDiffModel::OldText, QHeaderView::Stretch);
    h->setSectionResizeMode(PromptDiffModel::NewText, QHeaderView::Stretch);

    auto *choose = new QHBoxLayout;
    auto *fromLabel = new QLabel(tr("&From:"));
    fromLabel->setBuddy(m_diffFrom);
    auto *toLabel = new QLabel(tr("&To:"));
    toLabel->setBuddy(m_diffTo);
    choose->addWidget(fromLabel);
    choose->addWidget(m_diffFrom);
    choose->addWidget(toLabel);
    choose->addWidget(m_diffTo);
    choose->addStretch();
    choose->addWidget(m_diffSummary);

    layout->addLayout(choose);
    layout->addWidget(m_diffView, 1);
    return tab;
}

QWidget *PromptsPage::buildPreviewTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);

    m_previewVersion = new QComboBox;
    m_previewVersion->setObjectName(u"previewVersionCombo"_s);
    m_previewVersion->setAccessibleName(tr("Version to render"));
    connect(m_previewVersion, &QComboBox::currentIndexChanged, this, &PromptsPage::requestRender);

    m_variablesView = new QTableView;
    m_variablesView->setObjectName(u"promptVariablesView"_s);
    m_variablesView->setAccessibleName(tr("Variables"));
    m_variablesView->setModel(m_variables);
    UiViews::prepareTable(m_variablesView);
    m_variablesView->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_variablesView->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_variablesView->horizontalHeader()->setSectionResizeMode(PromptVariablesModel::Name,
                                                             QHeaderView::ResizeToContents);

    m_renderButton = UiViews::button(tr("Re&nder"), u"renderPromptButton"_s,
                            tr("Render the template with these values, as a request would get it"));
    connect(m_renderButton, &QPushButton::clicked, this, &PromptsPage::requestRender);

    m_rendered = new QPlainTextEdit;
    m_rendered->setObjectName(u"renderedPromptView"_s);
    m_rendered->setAccessibleName(tr("Rendered text"));
    m_rendered->setReadOnly(true);
    m_rendered->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_rendered->setTabChangesFocus(true);

    m_renderError = new QLabel;
    m_renderError->setObjectName(u"renderError"_s);
    m_renderError->setWordWrap(true);

    auto *top = new QHBoxLayout;
    auto *versionLabel = new QLabel(tr("&Version:"));
    versionLabel->setBuddy(m_previewVersion);
    top->addWidget(versionLabel);
    top->addWidget(m_previewVersion);
    top->addStretch();
    top->addWidget(m_renderButton);

    layout->addLayout(top);
    layout->addWidget(UiViews::heading(tr("V&ariables (double-click a value to edit)"), m_variablesView));
    layout->addWidget(m_variablesView, 2);
    layout->addWidget(UiViews::heading(tr("Rendered &text"), m_rendered));
    layout->addWidget(m_rendered, 3);
    layout->addWidget(m_renderError);
    return tab;
}

void PromptsPage::selectTemplate(const QString &name, int version)
{
    const int row = m_prompts->rowOfName(name);
    m_pendingVersion = version;
    if (row < 0) {
        m_pendingName = name;   // not listed yet: once the list shows it
        return;
    }
    m_pendingName.clear();
    if (m_templatesView->currentIndex().row() != row)
        m_templatesView->selectRow(row);
    else
        onTemplateSelected();
    onVersionsChanged();
}

void PromptsPage::onPromptsLoaded()
{
    if (!m_pendingName.isEmpty() && m_prompts->rowOfName(m_pendingName) >= 0) {
        selectTemplate(m_pendingName, m_pendingVersion);
        return;
    }
    const int row = m_prompts->rowOfName(m_current);
    if (row >= 0) {
        if (m_templatesView->currentIndex().row() != row)
            m_templatesView->selectRow(row);
    } else if (m_prompts->rowCount() > 0) {
        m_templatesView->selectRow(0);
    } else {
        m_current.clear();
        m_versions->setTemplateName({});
    }
}

void PromptsPage::onTemplateSelected()
{
    const QString name = m_prompts->nameAt(m_templatesView->currentIndex().row());
    if (name.isEmpty() || name == m_current)
        return;
    m_current = name;
    m_versions->setTemplateName(name);
    // A fresh template in the editor, unless the user is in the middle of one.
    if (!m_editor->document()->isModified()) {
        m_nameEdit->setText(name);
        m_editor->setPlainText(m_versions->textOf(m_versions->activeVersion()));
        m_editor->document()->setModified(false);
    }
}

void PromptsPage::onVersionsChanged()
{
    fillVersionCombos();
    // The selection follows the active version unless the user picked another.
    const int selected = selectedVersion();
    int want = m_pendingVersion;
    if (!want)
        want = selected && selected != m_shownActive ? selected : m_versions->activeVersion();
    m_shownActive = m_versions->activeVersion();
    const int row = m_versions->rowOfVersion(want);
    if (row >= 0) {
        if (want == m_pendingVersion)
            m_pendingVersion = 0;
        if (m_versionsView->currentIndex().row() != row)
            m_versionsView->selectRow(row);
        else
            onVersionSelected();
    }
    updateActions();
    requestRender();
}

void PromptsPage::onVersionSelected()
{
    const int selected = selectedVersion();
    const int active = m_versions->activeVersion();
    if (selected > 0) {
        // Compare the selected version with the active one. When it is the
        // active one, show what activating the newest would change or, if
        // it is the newest, what it changed from the version before.
        int older = 0;
        int newer = selected;
        const int newest = m_versions->versionAt(0);
        if (selected != active && active > 0) {
            older = std::min(selected, active);
            newer = std::max(selected, active);
        } else if (newest > selected) {
            older = selected;
            newer = newest;
        } else {
            older = m_versions->versionAt(m_versions->rowOfVersion(selected) + 1);   // 0: none
        }
        m_diffFrom->setCurrentIndex(std::max(0, m_diffFrom->findData(older)));
        m_diffTo->setCurrentIndex(std::max(0, m_diffTo->findData(newer)));
        m_previewVersion->setCurrentIndex(std::max(0, m_previewVersion->findData(selected)));
    }
    updateActions();
}

void PromptsPage::fillVersionCombos()
{
    const QVariant from = m_diffFrom->currentData();
    const QVariant to = m_diffTo->currentData();
    const QVariant preview = m_previewVersion->currentData();
    const QSignalBlocker b1(m_diffFrom);
    const QSignalBlocker b2(m_diffTo);
    const QSignalBlocker b3(m_previewVersion);
    m_diffFrom->clear();
    m_diffTo->clear();
    m_previewVersion->clear();
    m_diffFrom->addItem(tr("(empty)"), 0);
    for (int row = 0; row < m_versions->rowCount(); ++row) {
        const int v = m_versions->versionAt(row);
        const QString text = v == m_versions->activeVersion() ? tr("v%1 (active)").arg(v) : tr("v%1").arg(v);
        m_diffFrom->addItem(text, v);
        m_diffTo->addItem(text, v);
        m_previewVersion->addItem(text, v);
    }
    m_diffFrom->setCurrentIndex(std::max(0, m_diffFrom->findData(from)));
    m_diffTo->setCurrentIndex(std::max(0, m_diffTo->findData(to)));
    const int p = m_previewVersion->findData(preview);
    m_previewVersion->setCurrentIndex(p >= 0 ? p : m_previewVersion->findData(m_versions->activeVersion()));
    requestDiff();
}

void PromptsPage::onEditorChanged()
{
    const QStringList names = PromptLibrary::placeholders(m_editor->toPlainText());
    m_editorPlaceholders->setText(names.isEmpty() ? tr("No variables. Write {{name}} where a request's value goes.")
                                                  : tr("Variables: %1").arg(names.join(u", "_s)));
    updateActions();
}

void PromptsPage::updateActions()
{
    const int selected = selectedVersion();
    const int active = m_versions->activeVersion();
    const int previous = m_versions->previousVersion();
    m_activateButton->setEnabled(selected > 0 && selected != active);
    m_activateButton->setText(selected > 0 && selected != active ? tr("&Activate v%1").arg(selected)
                                                                  : tr("&Activate"));
    m_rollBackButton->setEnabled(previous > 0);
    m_rollBackButton->setText(previous > 0 ? tr("&Roll back to v%1").arg(previous) : tr("&Roll back"));
    m_loadButton->setEnabled(selected > 0);
    m_saveButton->setEnabled(m_client && !m_nameEdit->text().trimmed().isEmpty()
                             && !m_editor->toPlainText().isEmpty());
    m_renderButton->setEnabled(!m_current.isEmpty());
}

int PromptsPage::selectedVersion() const
{
    const QModelIndex current = m_versionsView->currentIndex();
    return current.isValid() ? m_versions->versionAt(current.row()) : 0;
}

int PromptsPage::previewVersion() const
{
    const int v = m_previewVersion->currentData().toInt();
    return v > 0 ? v : m_versions->activeVersion();
}

void PromptsPage::loadSelectedIntoEditor()
{
    const int v = selectedVersion();
    if (!v)
        return;
    m_nameEdit->setText(m_current);
    m_editor->setPlainText(m_versions->textOf(v));
    m_editor->document()->setModified(false);
    m_tabs->setCurrentIndex(0);
    m_editor->setFocus();
}

void PromptsPage::newTemplate()
{
    m_nameEdit->clear();
    m_editor->clear();
    m_editor->document()->setModified(false);
    m_tabs->setCurrentIndex(0);
    m_nameEdit->setFocus();
}

void PromptsPage::saveVersion()
{
    const QString name = m_nameEdit->text().trimmed();
    const QString text = m_editor->toPlainText();
    if (!m_client || name.isEmpty() || text.isEmpty())
        return;
    m_saveButton->setEnabled(false);
    showStatus(tr("Saving…"));
    m_client->addPromptVersion(name, text, this, [this, name](const std::pair<int, QString> &result) {
        updateActions();
        if (result.first <= 0) {
            showStatus(tr("Not saved: %1").arg(result.second), true);
            return;
        }
        m_editor->document()->setModified(false);
        showStatus(tr("Saved %1 v%2.").arg(name).arg(result.first));
        // The list reloads on promptsChanged (already on its way); show the new version then.
        selectTemplate(name, result.first);
    });
}

void PromptsPage::activateSelected()
{
    const int v = selectedVersion();
    if (!m_client || m_current.isEmpty() || v <= 0)
        return;
    m_client->setActivePrompt(m_current, v);
    showStatus(tr("%1: v%2 is now active.").arg(m_current).arg(v));
}

void PromptsPage::rollBack()
{
    const int v = m_versions->previousVersion();
    if (!m_client || m_current.isEmpty() || v <= 0)
        return;
    m_client->setActivePrompt(m_current, v);
    showStatus(tr("%1: rolled back to v%2.").arg(m_current).arg(v));
}

void PromptsPage::requestDiff()
{
    const int to = m_diffTo->currentData().toInt();
    const int from = m_diffFrom->currentData().toInt();
    const quint64 seq = ++m_diffSeq;
    if (!m_client || m_current.isEmpty() || to <= 0) {
        m_diff->clear();
        m_diffSummary->clear();
        return;
    }
    m_client->diffPrompt(m_current, from, to, this, [this, seq](const QList<TextDiff::Line> &lines) {
        if (seq != m_diffSeq)
            return;
        m_diff->setDiff(lines);
        m_diffSummary->setText(m_diff->insertions() || m_diff->deletions()
                                   ? tr("+%1 lines, −%2 lines").arg(m_diff->insertions()).arg(m_diff->deletions())
                                   : tr("no differences"));
    });
}

void PromptsPage::requestRender()
{
    const int version = previewVersion();
    const quint64 seq = ++m_renderSeq;
    m_variables->setTemplateText(m_versions->textOf(version));
    if (!m_client || m_current.isEmpty() || version <= 0) {
        m_rendered->clear();
        m_renderError->clear();
        return;
    }
    m_client->renderPrompt(m_current, version, m_variables->variables(), this,
                           [this, seq](const std::pair<QString, QString> &result) {
                               if (seq != m_renderSeq)
                                   return;
                               m_rendered->setPlainText(result.first);
                               UiViews::setStatus(m_renderError, result.second, !result.second.isEmpty());
                           });
}

void PromptsPage::showStatus(const QString &text, bool error)
{
    UiViews::setStatus(m_status, text, error);
}
