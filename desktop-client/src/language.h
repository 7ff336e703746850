// The language of the user interface: follows the system locale, or the one chosen in the
// settings; English when there is no catalogue for it.
#pragma once

#include <QList>
#include <QLocale>
#include <QObject>
#include <QPointer>
#include <QTranslator>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QQmlEngine;
class Settings;

/** @brief Loads Herald's catalogue (":/i18n/herald_<code>.qm") and retranslates the views. */
class Language : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Session")
    /** @brief What the person chose: "" (the system's language), "en" or "zh_CN". */
    Q_PROPERTY(QString choice READ choice WRITE setChoice NOTIFY changed)
    /** @brief The catalogue in use: "en" or "zh_CN". */
    Q_PROPERTY(QString current READ current NOTIFY changed)
    /** @brief The choices for the settings page: [{code, name}], names in their own language. */
    Q_PROPERTY(QVariantList options READ options NOTIFY changed)

public:
    explicit Language(Settings *settings, QObject *parent = nullptr);
    ~Language() override;

    /** @brief The catalogues Herald ships. */
    [[nodiscard]] static QStringList catalogues();
    /** @brief The catalogue for a locale: its own when shipped, else "en". */
    [[nodiscard]] static QString catalogueFor(const QLocale &locale);

    [[nodiscard]] QString choice() const;
    void setChoice(const QString &code);
    [[nodiscard]] QString current() const { return m_current; }
    [[nodiscard]] QVariantList options() const;

    /** @brief Installs the catalogue for the choice (or the system locale) and tells the views. */
    void apply();
    /** @brief An engine whose bindings are re-evaluated when the language changes. */
    void addEngine(QQmlEngine *engine);

Q_SIGNALS:
    void changed();

private:
    Settings *m_settings;
    std::unique_ptr<QTranslator> m_translator;
    QList<QPointer<QQmlEngine>> m_engines;
    QString m_current;
};
