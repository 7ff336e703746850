// Settings: the XDG autostart entry and the credential store with its 0600 file fallback.
#include "credentialstore.h"
#include "settings.h"

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

class TestSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"HeraldTest"_s);
        QCoreApplication::setApplicationName(u"tst_settings"_s);
        QSettings().clear();
        QFile::remove(Settings::autostartFile());
        QFile::remove(CredentialStore::fallbackPath());
    }

    void autostartEntry()
    {
        Settings settings;
        QVERIFY(Settings::autostartFile().endsWith(u"/autostart/herald-desktop.desktop"_s));
        QVERIFY(!settings.startOnLogin());
        QSignalSpy changed(&settings, &Settings::startOnLoginChanged);
        settings.setStartOnLogin(true);
        QCOMPARE(changed.count(), 1);
        QVERIFY(settings.startOnLogin());
        QFile file(Settings::autostartFile());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY(text.startsWith(u"[Desktop Entry]\n"_s));
        QVERIFY(text.contains(u"Type=Application\n"_s));
        QVERIFY(
            text.contains(u"Exec=%1 --hidden\n"_s.arg(QCoreApplication::applicationFilePath())));
        settings.setStartOnLogin(false);
        QVERIFY(!QFile::exists(Settings::autostartFile()));
        QCOMPARE(changed.count(), 2);
        QVERIFY(Settings::autostartEntry(u"/opt/my apps/herald"_s)
                    .contains(u"Exec=\"/opt/my apps/herald\" --hidden"_s));
    }

    void preferencesPersist()
    {
        {
            Settings settings;
            QVERIFY(settings.sound()); // on by default
            settings.setSound(false);
            settings.setDoNotDisturb(true);
            settings.setServer(u"https://herald.example.com"_s);
            settings.setReadSeq(u"alice"_s, u"dm:alice:bob"_s, 17);
        }
        Settings again;
        QVERIFY(!again.sound());
        QVERIFY(again.doNotDisturb());
        QCOMPARE(again.server(), u"https://herald.example.com"_s);
        QCOMPARE(again.readSeq(u"alice"_s, u"dm:alice:bob"_s), 17);
        QCOMPARE(again.readSeq(u"alice"_s, u"general"_s), -1);
    }

    void fileFallbackIsPrivate()
    {
        CredentialStore store;
        store.setKeychainEnabled(false);
        QSignalSpy saved(&store, &CredentialStore::saved);
        QSignalSpy loaded(&store, &CredentialStore::loaded);
        store.save(u"https://a.example"_s, u"alice"_s, u"hrd_1_aaaa"_s);
        store.save(u"https://b.example"_s, u"bob"_s, u"hrd_2_bbbb"_s);
        QCOMPARE(saved.count(), 2);
        QCOMPARE(store.backend(), CredentialStore::Backend::File);
        const QFile::Permissions perms = QFile::permissions(CredentialStore::fallbackPath());
        QVERIFY(perms.testFlags(QFile::ReadOwner | QFile::WriteOwner));
        QVERIFY(!(perms &
                  (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther)));

        store.load(u"https://a.example"_s);
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(loaded.at(0).at(0).toString(), u"alice"_s);
        QCOMPARE(loaded.at(0).at(1).toString(), u"hrd_1_aaaa"_s);
        store.remove(u"https://a.example"_s);
        store.load(u"https://a.example"_s);
        QCOMPARE(loaded.at(1).at(1).toString(), QString());
        store.load(u"https://b.example"_s);
        QCOMPARE(loaded.at(2).at(1).toString(), u"hrd_2_bbbb"_s);

        // A file someone loosened is tightened on the next write.
        QFile::setPermissions(CredentialStore::fallbackPath(),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
        store.save(u"https://c.example"_s, u"carol"_s, u"hrd_3_cccc"_s);
        QVERIFY(!(QFile::permissions(CredentialStore::fallbackPath()) & QFile::ReadOther));
        store.remove(u"https://b.example"_s);
        store.remove(u"https://c.example"_s);
        QVERIFY(!QFile::exists(CredentialStore::fallbackPath()));
    }

    void keychainOrFallbackRoundTrip()
    {
        // Whatever this machine has (a Secret Service, or none as on CI), a saved token loads back.
        CredentialStore store;
        store.setKeychainEnabled(true);
        QSignalSpy saved(&store, &CredentialStore::saved);
        QSignalSpy loaded(&store, &CredentialStore::loaded);
        store.save(u"https://k.example"_s, u"kim"_s, u"hrd_9_kkkk"_s);
        QVERIFY(saved.wait(20000) || saved.count() == 1);
        QVERIFY(store.backend() != CredentialStore::Backend::None);
        store.load(u"https://k.example"_s);
        QVERIFY(loaded.wait(20000) || loaded.count() == 1);
        QCOMPARE(loaded.at(0).at(1).toString(), u"hrd_9_kkkk"_s);
        store.remove(u"https://k.example"_s);
    }

    void noKeychainWarningIsASentence()
    {
        // On a machine without a keychain (CI) the fallback is logged once, as a sentence.
        static QStringList logged;
        logged.clear();
        const QtMessageHandler previous = qInstallMessageHandler(
            [](QtMsgType, const QMessageLogContext &context, const QString &m) {
                if (QLatin1String(context.category) == "herald.credentials"_L1)
                    logged << m;
            });
        CredentialStore store;
        store.setKeychainEnabled(true);
        QSignalSpy saved(&store, &CredentialStore::saved);
        store.save(u"https://s.example"_s, u"sam"_s, u"hrd_9_ssss"_s);
        QVERIFY(saved.wait(20000) || saved.count() == 1);
        const bool fellBack = store.backend() == CredentialStore::Backend::File;
        store.remove(u"https://s.example"_s);
        qInstallMessageHandler(previous);
        if (!fellBack)
            QSKIP("this machine has a keychain: nothing is logged");
        QCOMPARE(logged.size(), 1);
        const QString line = logged.first();
        QVERIFY2(line.startsWith(u"No keychain is available ("_s), qPrintable(line));
        QVERIFY2(line.endsWith(u", readable only by this user."_s), qPrintable(line));
        QVERIFY2(line.contains(CredentialStore::fallbackPath()), qPrintable(line));
        QVERIFY2(!line.contains(u'"') && !line.contains(u"( "_s), qPrintable(line));
    }
};

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
