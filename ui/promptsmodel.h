#pragma once

// The stored prompt templates, one row each: name, active version, number
// of versions, when the newest was added. Loads them when the client
// attaches and again on GatewayClient::promptsChanged; a reload that only
// moves an active version or adds one updates the rows in place, so views
// keep their selection.
//
//   auto *prompts = new PromptsModel(client, this);
//   auto *versions = new PromptVersionsModel(prompts, this);
//   versions->setTemplateName(prompts->nameAt(row));

#include "core/promptrecord.h"

#include <QAbstractTableModel>
#include <QList>

class GatewayClient;

class PromptsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Active, Versions, Updated, ColumnCount };
    enum Role { NameRole = Qt::UserRole + 1, SortRole };

    explicit PromptsModel(GatewayClient *client, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void refresh();
    // Replaces the list (sorted by name, as the library gives it).
    void reset(const QList<PromptRecord> &prompts);

    bool isLoaded() const { return m_loaded; }
    int rowOfName(const QString &name) const;
    QString nameAt(int row) const;
    // Null when there is no such template; valid until the model changes.
    const PromptRecord *find(const QString &name) const;

Q_SIGNALS:
    void loaded();

private:
    GatewayClient *m_client;
    QList<PromptRecord> m_prompts;
    bool m_loaded = false;
};
