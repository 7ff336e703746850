// Qt Quick Test runner for the views: the app's static QML modules plus the test-only
// Herald.Testing module, imported from the resource tree like the app does.
#include <QQmlEngine>
#include <QStandardPaths>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(Herald_CorePlugin)
Q_IMPORT_QML_PLUGIN(Herald_DesktopPlugin)

using namespace Qt::StringLiterals;

class Setup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void applicationAvailable()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_qmlviews"_s);
        QSettings().clear();
        qputenv("HERALD_CREDENTIAL_STORE", "file");
    }
    void qmlEngineAvailable(QQmlEngine *engine) { engine->addImportPath(u"qrc:/qt/qml"_s); }
};

QUICK_TEST_MAIN_WITH_SETUP(qmlviews, Setup)
#include "tst_qmlviews.moc"
