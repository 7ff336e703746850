#!/bin/sh
# Makes herald.db, the storage of a small Herald installation as release 0.1 (schema version 2,
# one inbox row per recipient) left it, for tst_inbox_migration. Run it with the binaries of
# that release (commit 52e9229):
#   git worktree add /tmp/v2 52e9229 && cmake -S /tmp/v2 -B /tmp/v2/build ... --target heraldctl herald-server
#   tests/server/data/v2/make-fixture.sh /tmp/v2/build/bin tests/server/data/v2
# Everything goes through the release's own front doors: heraldctl, POST /api/v1/notifications
# and WebSocket frames (notif.read, notif.readAll, notif.action).
#
# Under tests/cluster/with-postgres.sh (HERALD_TEST_STORAGE=postgres) the same installation is
# made on PostgreSQL instead, and written as herald.pg.sql (pg_dump --inserts, loaded by the
# cluster storage suite).
set -eu
BIN=$(cd "$1" && pwd)
OUT=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$D"
}
trap cleanup EXIT
WHERE="--data-dir $D"
if [ "${HERALD_TEST_STORAGE:-}" = postgres ]; then
    export HERALD_STORAGE=postgres HERALD_PG_DATABASE=herald_fixture
    dropdb --if-exists herald_fixture 2>/dev/null
    createdb herald_fixture
    printf '[server]\ndata_dir=%s\nstorage=postgres\npg_database=herald_fixture\n' "$D" >"$D/herald.conf"
    WHERE="--config $D/herald.conf"
fi
ctl() { "$BIN/heraldctl" $WHERE "$@" >/dev/null; }

for u in alice bob carol dave erin frank; do ctl user add $u; done
ctl group create ops
for u in alice bob carol erin; do ctl group add ops $u; done
ctl group create sales
for u in carol dave; do ctl group add sales $u; done
ctl group create empty
ctl service add erp --webhook http://127.0.0.1:9/hook --secret s3cret
SVC=$("$BIN/heraldctl" $WHERE token issue-service erp 2>/dev/null | grep -o 'hrd_[A-Za-z0-9_-]*')
tok() { "$BIN/heraldctl" $WHERE token issue "$1" 2>/dev/null | grep -o 'hrd_[A-Za-z0-9_-]*'; }
ALICE=$(tok alice)
BOB=$(tok bob)
CAROL=$(tok carol)
DAVE=$(tok dave)

"$BIN/herald-server" --data-dir "$D" --listen 127.0.0.1 --port 0 >"$D/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q 'listening on' "$D/server.log" 2>/dev/null && break
    sleep 0.1
done
PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$D/server.log")
[ -n "$PORT" ] || { cat "$D/server.log"; exit 1; }

publish() {
    curl -sS -f -X POST "http://127.0.0.1:$PORT/api/v1/notifications" \
        -H "Authorization: Bearer $SVC" -H 'Content-Type: application/json' -d "$1"
    echo
}
ws() { python3 "$HERE/wsclient.py" "127.0.0.1:$PORT" "$@"; }
ACTIONS='"actions":[{"id":"approve","label":"Approve"},{"id":"reject","label":"Reject"}]'
SOON=$(( $(date +%s) * 1000 + 30000 ))

publish '{"recipients":{"users":["alice"]},"title":"n1 personal to alice",'"$ACTIONS"'}'
publish '{"recipients":{"groups":["ops"]},"title":"n2 to ops","body":"b","priority":"high","category":"po","link":"https://erp.example.com/po/2","source":{"po":2},'"$ACTIONS"'}'
publish '{"recipients":{"everyone":true},"title":"n3 to everyone"}'
publish '{"recipients":{"users":["carol","dave"],"groups":["ops","sales"]},"title":"n4 named and groups"}'
publish '{"recipients":{"users":["bob"]},"title":"n5 expires soon","expiresAt":'"$SOON"'}'
publish '{"recipients":{"groups":["sales"]},"title":"n6 with a key","idempotencyKey":"k6"}'
publish '{"recipients":{"groups":["sales"]},"title":"n6 again","idempotencyKey":"k6"}'
publish '{"recipients":{"users":["frank"]},"title":"n7 urgent to frank","priority":"urgent"}'
publish '{"recipients":{"groups":["ops"]},"title":"n8 to ops"}'

ws "$ALICE" '{"type":"notif.read","id":"r1","ids":[2,3]}'
ws "$BOB" '{"type":"notif.readAll","id":"r2"}'
ws "$CAROL" '{"type":"notif.action","id":"a1","notification":2,"action":"approve"}'
ws "$DAVE" '{"type":"notif.read","id":"r3","ids":[4,2]}'

publish '{"recipients":{"groups":["ops"],"users":["dave"]},"title":"n9 to ops after bob read all"}'
publish '{"recipients":{"groups":["empty"]},"title":"n10 to an empty group"}'

# Changes after the publishes: they must not change who got what.
ctl user disable erin
ctl group add ops dave
ctl group remove ops alice

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=
if [ "${HERALD_STORAGE:-}" = postgres ]; then
    pg_dump --inserts --no-owner --no-privileges --no-comments herald_fixture |
        grep -v -e "^--" -e "^\\\\" | cat -s >"$OUT/herald.pg.sql"
    dropdb herald_fixture
    echo "fixture: $OUT/herald.pg.sql, notifications expire at $SOON"
else
    sqlite3 "$D/herald.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    cp "$D/herald.db" "$OUT/herald.db"
    echo "fixture: $OUT/herald.db ($(stat -c %s "$OUT/herald.db") bytes), notifications expire at $SOON"
fi
