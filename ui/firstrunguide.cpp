#include "firstrunguide.h"

#include "snippetspanel.h"
#include "uiicons.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {

QLabel *stepLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::RichText);
    return label;
}

} // namespace

FirstRunGuide::FirstRunGuide(GatewayClient *client, QWidget *parent) : QFrame(parent)
{
    setObjectName(u"firstRunGuide"_s);
    setFrameShape(QFrame::StyledPanel);
    setBackgroundRole(QPalette::AlternateBase);
    setAutoFillBackground(true);
    setAccessibleName(tr("Getting started"));

    auto *title = new QLabel(tr("Welcome to Tollgate"), this);
    QFont f = title->font();
    f.setPointSizeF(f.pointSizeF() * 1.35);
    f.setWeight(QFont::DemiBold);
    title->setFont(f);
    auto *dismiss = new QToolButton(this);
    dismiss->setObjectName(u"dismissGuide"_s);
    dismiss->setText(tr("Hide"));
    dismiss->setToolTip(tr("Hide this guide"));
    dismiss->setAutoRaise(true);
    connect(dismiss, &QToolButton::clicked, this, &FirstRunGuide::dismissRequested);
    auto *head = new QHBoxLayout;
    head->addWidget(title, 1);
    head->addWidget(dismiss);

    auto *intro = new QLabel(tr("Every call your tools make to an LLM can go through Tollgate: it checks the key, "
                               "meters tokens and cost as they stream, and stops what runs over budget."),
                            this);
    intro->setWordWrap(true);

    m_mint = new QPushButton(UiIcons::get(u"mint"), tr("&Mint your first key"), this);
    m_mint->setObjectName(u"mintFirstKey"_s);
    m_mint->setDefault(true);
    connect(m_mint, &QPushButton::clicked, this, &FirstRunGuide::mintRequested);
    m_sample = new QPushButton(UiIcons::get(u"send"), tr("Send a &sample request"), this);
    m_sample->setObjectName(u"sendSample"_s);
    m_sample->setToolTip(tr("Streams an answer from the simulated provider (sim-small) through the gateway, "
                            "with a key named “sample”"));
    connect(m_sample, &QPushButton::clicked, this, &FirstRunGuide::sampleRequested);
    m_status = new QLabel(this);
    m_status->setObjectName(u"sampleStatus"_s);
    m_status->setWordWrap(true);

    auto *grid = new QGridLayout;
    grid->setColumnStretch(1, 1);
    grid->setHorizontalSpacing(12);
    grid->addWidget(stepLabel(tr("<b>1.</b> Point a client at it:"), this), 0, 0, Qt::AlignTop);
    grid->addWidget(new SnippetsPanel(client, this), 0, 1);
    grid->addWidget(stepLabel(tr("<b>2.</b> Give it a key:"), this), 1, 0);
    grid->addWidget(m_mint, 1, 1, Qt::AlignLeft);
    grid->addWidget(stepLabel(tr("<b>3.</b> Or watch a call now:"), this), 2, 0);
    auto *sampleRow = new QHBoxLayout;
    sampleRow->addWidget(m_sample);
    sampleRow->addWidget(m_status, 1);
    grid->addLayout(sampleRow, 2, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->addLayout(head);
    layout->addWidget(intro);
    layout->addLayout(grid);
}

void FirstRunGuide::setSampleStatus(const QString &text, bool isError)
{
    m_status->setText(text);
    if (isError) {
        // A red that reads on light and dark backgrounds alike.
        QPalette p = m_status->palette();
        p.setColor(QPalette::WindowText, QColor(0xE0, 0x53, 0x3F));
        m_status->setPalette(p);
    } else {
        m_status->setPalette(QPalette());
    }
}

void FirstRunGuide::setSampleBusy(bool busy)
{
    m_sample->setEnabled(!busy);
}
