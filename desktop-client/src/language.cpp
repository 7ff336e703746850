#include "language.h"
#include "settings.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QQmlEngine>
#include <QVariantMap>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcLanguage, "herald.language")

Language::Language(Settings *settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
{
    connect(m_settings, &Settings::languageChanged, this, &Language::apply);
}

Language::~Language()
{
    if (m_translator)
        QCoreApplication::removeTranslator(m_translator.get());
}

QStringList Language::catalogues()
{
    return {u"en"_s, u"zh_CN"_s};
}

QString Language::catalogueFor(const QLocale &locale)
{
    const QStringList shipped = catalogues();
    const QStringList languages = locale.uiLanguages();
    for (QString language : languages) {
        language.replace(u'-', u'_');
        if (shipped.contains(language))
            return language;
        // Simplified Chinese under any of its names (zh, zh_Hans, zh_Hans_CN, zh_SG); the
        // traditional script (zh_Hant, zh_TW, zh_HK) has no catalogue yet.
        if (language == u"zh"_s || language.startsWith(u"zh_Hans"_s) || language == u"zh_SG"_s)
            return u"zh_CN"_s;
        if (language.startsWith(u"zh_"_s) || language == u"en"_s || language.startsWith(u"en_"_s))
            break;
    }
    return u"en"_s;
}

QString Language::choice() const
{
    return m_settings->language();
}

void Language::setChoice(const QString &code)
{
    m_settings->setLanguage(code); // languageChanged -> apply()
}

QVariantList Language::options() const
{
    // Each language named in itself, so a person who cannot read the current one finds theirs.
    return {QVariantMap{{u"code"_s, QString()}, {u"name"_s, tr("System language")}},
            QVariantMap{{u"code"_s, u"en"_s}, {u"name"_s, u"English"_s}},
            QVariantMap{{u"code"_s, u"zh_CN"_s}, {u"name"_s, u"简体中文"_s}}};
}

void Language::apply()
{
    const QString chosen = choice();
    const QLocale locale = chosen.isEmpty() ? QLocale::system() : QLocale(chosen);
    const QString catalogue = catalogueFor(locale);
    auto translator = std::make_unique<QTranslator>();
    // English is a catalogue too: it holds the plural forms ("1 member", "2 members").
    if (!translator->load(u":/i18n/herald_%1.qm"_s.arg(catalogue)))
        qCWarning(lcLanguage).noquote()
            << u"The %1 catalogue is missing from this build."_s.arg(catalogue);
    if (m_translator)
        QCoreApplication::removeTranslator(m_translator.get());
    m_translator = std::move(translator);
    QCoreApplication::installTranslator(m_translator.get());
    // Dates and times in the person's locale; in the chosen language when one was chosen.
    QLocale::setDefault(chosen.isEmpty() && catalogue == catalogueFor(QLocale::system())
                            ? QLocale::system()
                            : QLocale(catalogue));
    m_current = catalogue;
    for (const QPointer<QQmlEngine> &engine : std::as_const(m_engines))
        if (engine)
            engine->retranslate();
    Q_EMIT changed();
}

void Language::addEngine(QQmlEngine *engine)
{
    if (engine && !m_engines.contains(engine))
        m_engines.append(engine);
}
