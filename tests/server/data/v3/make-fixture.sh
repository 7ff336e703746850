#!/bin/sh
# Makes herald.db, the storage of a small Herald installation at schema version 3 (before
# sessions ended: no last use on tokens), for tst_session_migration. Run it with the binaries of
# a version-3 build (main at commit ef734ae):
#   tests/server/data/v3/make-fixture.sh /path/to/v3/build/bin tests/server/data/v3
# Two people, a service, a personal token each, one of them revoked, a service token and a
# session token from POST /api/v1/login. The tokens (test secrets of this throwaway database,
# nothing else) go to tokens.txt as KIND NAME TOKEN lines, so that the test can sign in with them.
set -eu
BIN=$(cd "$1" && pwd)
OUT=$(cd "$2" && pwd)
D=$(mktemp -d)
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$D"
}
trap cleanup EXIT
export ASAN_OPTIONS=detect_leaks=0
ctl() { "$BIN/heraldctl" --data-dir "$D" "$@"; }
tok() { ctl "$@" 2>/dev/null | grep -o 'hrd_[A-Za-z0-9_-]*'; }

ctl user add alice --password alice-password >/dev/null
ctl user add bob >/dev/null
ctl service add erp >/dev/null
ALICE=$(tok token issue alice --label laptop)
BOB=$(tok token issue bob --label phone)
OLD=$(tok token issue bob --label lost)
SVC=$(tok token issue-service erp --label deploys)
ctl token revoke "$(echo "$OLD" | cut -d_ -f2)" >/dev/null

"$BIN/herald-server" --data-dir "$D" --listen 127.0.0.1 --port 0 >"$D/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q 'listening on' "$D/server.log" 2>/dev/null && break
    sleep 0.1
done
PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$D/server.log")
[ -n "$PORT" ] || { cat "$D/server.log"; exit 1; }
SESSION=$(curl -sS -f -X POST "http://127.0.0.1:$PORT/api/v1/login" \
    -H 'Content-Type: application/json' -d '{"username":"alice","password":"alice-password"}' |
    grep -o 'hrd_[A-Za-z0-9_-]*')
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=

[ "$(sqlite3 "$D/herald.db" 'PRAGMA user_version')" = 3 ] || { echo "not schema 3"; exit 1; }
sqlite3 "$D/herald.db" 'VACUUM'
cp "$D/herald.db" "$OUT/herald.db"
printf 'user alice %s\nuser bob %s\nrevoked bob %s\nservice erp %s\nsession alice %s\n' \
    "$ALICE" "$BOB" "$OLD" "$SVC" "$SESSION" >"$OUT/tokens.txt"
