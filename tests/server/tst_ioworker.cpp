// IoWorker: frames queued for a connection reach it in order, also when the worker takes them
// before the connection's first event on the worker's thread has run (a hello lost that way).
#include "net/iopeer.h"
#include "net/ioworker.h"

#include <QMutex>
#include <QSemaphore>
#include <QTest>

using namespace herald;

namespace {

/** A connection that records what the worker writes to it (on the worker's thread). */
class RecordingPeer : public IoPeer
{
public:
    explicit RecordingPeer(quint64 id) { m_id = id; }

    /** As FdPeer::start does it: move to the worker's thread, then attach. */
    void startOn(IoWorker *worker)
    {
        m_worker = worker;
        moveToThread(worker->thread());
        attach();
    }

    void send(const QByteArray &frame) override { sendVia(frame); }
    void close(int, const QString &) override {}
    void ping() override {}
    [[nodiscard]] QString address() const override { return QStringLiteral("test"); }
    void write(const QByteArray &payload) override
    {
        QMutexLocker lock(&mutex);
        written << payload;
    }
    void closeNow(int, const QString &) override {}

    QStringList frames()
    {
        QMutexLocker lock(&mutex);
        QStringList out;
        for (const QByteArray &b : written)
            out << QString::fromUtf8(b);
        return out;
    }

private:
    QMutex mutex;
    QList<QByteArray> written;
};

} // namespace

class TestIoWorker : public QObject
{
    Q_OBJECT

private slots:
    void framesReachAPeerTheWorkerHasNotRunYet()
    {
        IoWorker worker(0);
        auto *early = new RecordingPeer(1);
        early->startOn(&worker);
        // Hold the worker's thread, and have a drain queued there behind the hold.
        QSemaphore entered, release;
        QMetaObject::invokeMethod(
            &worker,
            [&] {
                entered.release();
                release.acquire();
            },
            Qt::QueuedConnection);
        entered.acquire();
        worker.enqueue(1, "to-early");
        QCoreApplication::processEvents(); // the wake-up: a drain is now queued on the worker
        // A connection arrives now; the hub answers it before the worker runs anything more.
        auto *late = new RecordingPeer(2);
        late->startOn(&worker);
        worker.enqueue(2, "hello");
        worker.enqueue(2, "second");
        release.release();
        QTRY_COMPARE(late->frames(),
                     (QStringList{QStringLiteral("hello"), QStringLiteral("second")}));
        QCOMPARE(early->frames(), QStringList{QStringLiteral("to-early")});
        worker.shutdown(); // deletes both peers
    }

    void framesForAGonePeerAreDropped()
    {
        IoWorker worker(0);
        auto *peer = new RecordingPeer(7);
        peer->startOn(&worker);
        QMetaObject::invokeMethod(
            peer, [peer] { delete peer; }, Qt::BlockingQueuedConnection);
        worker.enqueue(7, "nobody"); // must not reach a deleted peer
        auto *other = new RecordingPeer(8);
        other->startOn(&worker);
        worker.enqueue(8, "somebody");
        QTRY_COMPARE(other->frames(), QStringList{QStringLiteral("somebody")});
        worker.shutdown();
    }
};

QTEST_GUILESS_MAIN(TestIoWorker)
#include "tst_ioworker.moc"
