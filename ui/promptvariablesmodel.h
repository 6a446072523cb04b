#pragma once

// The variables of a prompt template for the render preview: one row per
// {{placeholder}} the text uses (PromptLibrary::placeholders), in order of
// appearance, with an editable value. Values typed for a name are kept
// when the text changes, so switching versions does not lose them.
//
//   vars->setTemplateText(text);
//   client->renderPrompt(name, version, vars->variables(), this, ...);

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>

class PromptVariablesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Value, ColumnCount };

    explicit PromptVariablesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void setTemplateText(const QString &text);
    QStringList names() const { return m_names; }
    void setValue(const QString &name, const QString &value);
    // The values of the current placeholders (empty for those not typed).
    QHash<QString, QString> variables() const;

Q_SIGNALS:
    void valuesChanged();

private:
    QStringList m_names;
    QHash<QString, QString> m_values;   // every name ever typed
};
