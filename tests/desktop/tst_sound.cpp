// The notification sound: the freedesktop sound theme's events, a different one for urgent,
// the files really installed, and the bell only when the theme cannot play.
#include "soundplayer.h"

#include <QApplication>
#include <QFileInfo>
#include <QTest>

using namespace Qt::StringLiterals;

class TestSound : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventsByPriority()
    {
        QCOMPARE(SoundPlayer::eventFor(u"urgent"_s), u"dialog-warning"_s);
        for (const QString &p : {u"low"_s, u"normal"_s, u"high"_s, QString()})
            QCOMPARE(SoundPlayer::eventFor(p), u"message-new-instant"_s);
    }

    void theThemeHasBothSounds()
    {
        // Debian's sound-theme-freedesktop (scripts/deps.sh): real sounds, not a beep.
        for (const QString &event : {u"message-new-instant"_s, u"dialog-warning"_s}) {
            const QString file = SoundPlayer::themeFile(event);
            QVERIFY2(!file.isEmpty(), qPrintable(event + u" is not installed"_s));
            QVERIFY(QFileInfo(file).size() > 1000);
        }
        QVERIFY(SoundPlayer::themeFile(u"message-new-instant"_s) !=
                SoundPlayer::themeFile(u"dialog-warning"_s));
    }

    void bellOnlyWhenTheThemeCannotPlay()
    {
        // No such audio driver: libcanberra cannot play, so the fallback rings, once per sound.
        qputenv("CANBERRA_DRIVER", "herald-no-such-driver");
        SoundPlayer player;
        int rung = 0;
        player.setFallback([&rung] { ++rung; });
        QVERIFY(!player.play(u"urgent"_s));
        QCOMPARE(rung, 1);
        QVERIFY(!player.lastError().isEmpty());
        QVERIFY(!player.play(u"normal"_s));
        QCOMPARE(rung, 2);
        qunsetenv("CANBERRA_DRIVER");
    }
};

QTEST_MAIN(TestSound)
#include "tst_sound.moc"
