#pragma once

// The prompt templates page: the stored templates, the versions of the one
// selected (with the active marker), an editor that saves a new version, a
// side-by-side diff of two versions, Activate / Roll back, and a render
// preview with one value per {{placeholder}}. Every action goes through the
// GatewayClient; the models follow GatewayClient::promptsChanged.

#include <QWidget>

class GatewayClient;
class PromptDiffModel;
class PromptsModel;
class PromptVariablesModel;
class PromptVersionsModel;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableView;

class PromptsPage : public QWidget
{
    Q_OBJECT
public:
    explicit PromptsPage(GatewayClient *client, QWidget *parent = nullptr);

    PromptsModel *promptsModel() const { return m_prompts; }
    PromptVersionsModel *versionsModel() const { return m_versions; }
    PromptDiffModel *diffModel() const { return m_diff; }
    PromptVariablesModel *variablesModel() const { return m_variables; }

    // Selects a template (and, when given, one of its versions).
    void selectTemplate(const QString &name, int version = 0);

private:
    QWidget *buildListPanel();
    QWidget *buildEditorTab();
    QWidget *buildDiffTab();
    QWidget *buildPreviewTab();

    void onPromptsLoaded();
    void onTemplateSelected();
    void onVersionsChanged();
    void onVersionSelected();
    void onEditorChanged();
    void updateActions();
    void fillVersionCombos();
    void loadSelectedIntoEditor();
    void newTemplate();
    void saveVersion();
    void activateSelected();
    void rollBack();
    void requestDiff();
    void requestRender();
    void showStatus(const QString &text, bool error = false);

    int selectedVersion() const;
    int previewVersion() const;

    GatewayClient *m_client;
    PromptsModel *m_prompts;
    PromptVersionsModel *m_versions;
    PromptDiffModel *m_diff;
    PromptVariablesModel *m_variables;

    QTableView *m_templatesView = nullptr;
    QTableView *m_versionsView = nullptr;
    QPushButton *m_activateButton = nullptr;
    QPushButton *m_rollBackButton = nullptr;
    QLabel *m_status = nullptr;
    QTabWidget *m_tabs = nullptr;

    QLineEdit *m_nameEdit = nullptr;
    QPlainTextEdit *m_editor = nullptr;
    QLabel *m_editorPlaceholders = nullptr;
    QPushButton *m_newButton = nullptr;
    QPushButton *m_loadButton = nullptr;
    QPushButton *m_saveButton = nullptr;

    QComboBox *m_diffFrom = nullptr;
    QComboBox *m_diffTo = nullptr;
    QLabel *m_diffSummary = nullptr;
    QTableView *m_diffView = nullptr;

    QComboBox *m_previewVersion = nullptr;
    QTableView *m_variablesView = nullptr;
    QPushButton *m_renderButton = nullptr;
    QPlainTextEdit *m_rendered = nullptr;
    QLabel *m_renderError = nullptr;

    QString m_current;          // the selected template's name
    QString m_pendingName;      // select this template once the list shows it
    int m_pendingVersion = 0;   // select this version once the list shows it
    int m_shownActive = 0;      // the active version when the list last changed
    quint64 m_diffSeq = 0;      // answers to older requests are dropped
    quint64 m_renderSeq = 0;
};
