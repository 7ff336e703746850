#!/usr/bin/env bash
# Installs what is missing, builds, and starts herald-server on its embedded default (SQLite in
# ./herald-data, in-process bus) with a demo user, plus herald-desktop signed in as that user
# when a display exists. It keeps the terminal; Ctrl-C stops both.
#
#   bash scripts/run.sh                      # from the checkout
#   bash scripts/run.sh --restart-server [S] # from a second terminal: stop only the server, and
#                                            # start it again S seconds later (default 20), to
#                                            # watch herald-desktop reconnect and resume
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${HERALD_DATA_DIR:-herald-data}
PORT=${HERALD_PORT:-8470}
BIN=build/release/bin

if [ "${1:-}" = "--restart-server" ]; then
  pid=$(cat "$DATA/server.pid" 2>/dev/null || true)
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "run.sh: no herald-server started by scripts/run.sh is running" >&2
    exit 1
  fi
  echo "${2:-20}" > "$DATA/restart-server"
  kill "$pid"
  echo "herald-server stopped; scripts/run.sh starts it again in ${2:-20} s."
  exit 0
fi

bash scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target herald-server heraldctl $( [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && echo herald-desktop )
mkdir -p "$DATA"
rm -f "$DATA/restart-server"

start_server() {
  "$BIN/herald-server" --data-dir "$DATA" --listen 127.0.0.1 --port "$PORT" --demo demo &
  SERVER=$!
  echo "$SERVER" > "$DATA/server.pid"
}
start_server
trap 'kill $SERVER ${DESKTOP:-} 2>/dev/null; rm -f "$DATA/server.pid" "$DATA/restart-server"; wait' EXIT INT TERM
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
cat <<MSG

Herald is running on http://127.0.0.1:$PORT (WebSocket ws://127.0.0.1:$PORT/ws).
  browser client: open http://127.0.0.1:$PORT/ and sign in as demo, password herald-demo
This terminal stays with it: Ctrl-C stops the server and herald-desktop.
Run the commands below from a second terminal, in this checkout ($(pwd)).
  demo user:      demo (password: herald-demo); its token is in $DATA/demo-token
  send a notification to the demo user:
    curl -X POST http://127.0.0.1:$PORT/api/v1/notifications \\
      -H "Authorization: Bearer \$(cat $DATA/demo-service-token)" \\
      -d '{"recipients":{"users":["demo"]},"title":"Order 42 needs approval","priority":"high",
           "category":"purchasing","source":{"display":"ERP"},
           "actions":[{"id":"approve","label":"Approve"},{"id":"reject","label":"Reject"}]}'
  restart only the server (herald-desktop shows "Offline, reconnecting…", then resumes):
    bash scripts/run.sh --restart-server 20
  admin CLI:      $BIN/heraldctl --data-dir $DATA --help
MSG
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$BIN/herald-desktop" ]; then
  HERALD_TOKEN="$(cat "$DATA/demo-token")" "$BIN/herald-desktop" --server "ws://127.0.0.1:$PORT" &
  DESKTOP=$!
  echo "  herald-desktop started, signed in as demo (look for the tray icon)."
else
  echo "  No display: herald-desktop not started. On a desktop, run $BIN/herald-desktop --server ws://127.0.0.1:$PORT"
fi
# The server may be stopped on purpose (--restart-server): start it again after the pause.
while true; do
  wait "$SERVER" || true
  if [ -f "$DATA/restart-server" ]; then
    delay=$(cat "$DATA/restart-server")
    rm -f "$DATA/restart-server"
    sleep "$delay"
    echo "Starting herald-server again."
    start_server
  else
    break
  fi
done
