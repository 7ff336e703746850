#!/usr/bin/env bash
# Installs what is missing, builds, and starts herald-server on its embedded default (SQLite in
# ./herald-data, in-process bus) with a demo user, plus herald-desktop signed in as that user
# when a display exists. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target herald-server heraldctl $( [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && echo herald-desktop )
BIN=build/release/bin
DATA=${HERALD_DATA_DIR:-herald-data}
PORT=${HERALD_PORT:-8470}
mkdir -p "$DATA"
"$BIN/herald-server" --data-dir "$DATA" --listen 127.0.0.1 --port "$PORT" --demo demo &
SERVER=$!
trap 'kill $SERVER ${DESKTOP:-} 2>/dev/null; wait' EXIT INT TERM
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
cat <<MSG

Herald is running on http://127.0.0.1:$PORT (WebSocket ws://127.0.0.1:$PORT/ws).
  demo user:      demo (password: herald-demo); its token is in $DATA/demo-token
  send a notification to the demo user:
    curl -X POST http://127.0.0.1:$PORT/api/v1/notifications \\
      -H "Authorization: Bearer \$(cat $DATA/demo-service-token)" \\
      -d '{"recipients":{"users":["demo"]},"title":"Order 42 needs approval","priority":"high",
           "actions":[{"id":"approve","label":"Approve"},{"id":"reject","label":"Reject"}]}'
  admin CLI:      $BIN/heraldctl --data-dir $DATA --help
MSG
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$BIN/herald-desktop" ]; then
  HERALD_TOKEN="$(cat "$DATA/demo-token")" "$BIN/herald-desktop" --server "ws://127.0.0.1:$PORT" &
  DESKTOP=$!
  echo "  herald-desktop started, signed in as demo (look for the tray icon)."
else
  echo "  No display: herald-desktop not started. On a desktop, run $BIN/herald-desktop --server ws://127.0.0.1:$PORT"
fi
wait $SERVER
