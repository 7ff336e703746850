#!/bin/sh
# Runs a command against a throwaway PostgreSQL server (pg_virtualenv from postgresql-common),
# with HERALD_TEST_STORAGE=postgres and the PG* variables pointing at it. The server and its
# data are gone when the command ends. Exit 77 (CTest: skipped) when PostgreSQL is not
# installed; `apt-get install postgresql postgresql-common` (scripts/deps.sh) provides it.
set -u
if ! command -v pg_virtualenv >/dev/null 2>&1; then
    echo "SKIP: pg_virtualenv not found (Debian: apt-get install postgresql-common postgresql)"
    exit 77
fi
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "SKIP: no PostgreSQL server installed (Debian: apt-get install postgresql)"
    exit 77
fi
# -t keeps the cluster in a temporary directory even as root, and a port of our own lets
# several of these run at once (pg_virtualenv would otherwise take the first free one from 5432).
port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + $$ % 20000))
}
marker=$(mktemp)
for attempt in 1 2 3; do
    rm -f "$marker"
    PGPORT=$(port) HERALD_TEST_STORAGE=postgres HERALD_PG_STARTED="$marker" \
        pg_virtualenv -t sh -c 'touch "$HERALD_PG_STARTED"; exec "$@"' herald-test "$@"
    rc=$?
    # The command ran: its result is ours. It did not: the cluster could not start (a port
    # taken in between), so try again with another port.
    [ -e "$marker" ] && { rm -f "$marker"; exit $rc; }
    echo "with-postgres: PostgreSQL did not start (attempt $attempt), trying another port" >&2
done
rm -f "$marker"
echo "with-postgres: PostgreSQL could not be started" >&2
exit 1
