// Replays the fuzz target over the seed corpus and every saved regression input (tests/fuzz),
// built like the rest of the suite: a regression test for whatever the fuzzer once found, and a
// run of the target under the asan preset's sanitizers, without clang.
#include <QDir>
#include <QTest>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

class TestFuzzReplay : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void replay_data()
    {
        QTest::addColumn<QString>("path");
        for (const char *sub : {"corpus", "regressions"}) {
            const QDir dir(QStringLiteral(HERALD_FUZZ_DIR "/") + QLatin1String(sub));
            for (const QFileInfo &f : dir.entryInfoList(QDir::Files, QDir::Name))
                if (f.fileName() != QLatin1String("README"))
                    QTest::newRow(qPrintable(QLatin1String(sub) + QLatin1Char('/') + f.fileName()))
                        << f.absoluteFilePath();
        }
    }
    void replay()
    {
        QFETCH(QString, path);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray input = f.readAll();
        // The target aborts on a crash or a broken invariant; reaching the end is the pass.
        QCOMPARE(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(input.constData()),
                                        size_t(input.size())),
                 0);
    }
};

QTEST_GUILESS_MAIN(TestFuzzReplay)
#include "tst_fuzz_replay.moc"
