#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL 15 server on loopback:
#   scripts/with-postgres.sh npm test
# Sets TEST_DATABASE_URL (and DATABASE_URL) for the command, then stops and removes the server.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL 15 is not installed at $PGBIN (apt-get install -y postgresql)." >&2
  exit 1
fi
PGDIR=$(mktemp -d /tmp/icat-pg.XXXXXX)
PORT=${PGPORT_TEST:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$PGDIR"; fi
cleanup() {
  run_pg "$PGBIN/pg_ctl -D $PGDIR/data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
run_pg "$PGBIN/initdb -D $PGDIR/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
run_pg "$PGBIN/pg_ctl -D $PGDIR/data -l $PGDIR/log -w -o \"-p $PORT -h 127.0.0.1 -k $PGDIR -c fsync=off -c max_connections=200\" start" >/dev/null
export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
set +e
"$@"
status=$?
exit $status
