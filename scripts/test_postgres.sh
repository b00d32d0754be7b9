#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server beside it:
#
#   scripts/test_postgres.sh ctest --test-dir build --output-on-failure -j2
#
# initdb in a fresh temporary directory (as the `postgres` user when run as root, since
# initdb refuses root; else as the current user), a server on 127.0.0.1 only, on a free
# port, its unix socket in the same directory; exports ASKGURU_TEST_POSTGRES_URL (a
# superuser URL: postgresql://postgres@127.0.0.1:PORT/postgres), runs the command, and
# stops the server and removes the directory on exit. The command's exit status is the
# script's. Without PostgreSQL's server binaries it runs the command alone (the tests
# that need the server then skip, naming ASKGURU_TEST_POSTGRES_URL).
#
# Authentication: trust on loopback, except the role askguru_pw, which must give its
# password (scram-sha-256); tests create that role to check password handling.
# The server is tuned for tests, not for data (fsync off): it lives seconds.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: scripts/test_postgres.sh COMMAND [ARGS...]" >&2
  exit 2
fi

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir=$(pg_config --bindir)
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then bindir=$d; break; fi
  done
fi
if [ -z "$bindir" ]; then
  echo "test_postgres.sh: no PostgreSQL server binaries (initdb) found; running without a server" \
       "(install the Debian package postgresql for the PostgreSQL tests)" >&2
  exec "$@"
fi

as_server_user=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "test_postgres.sh: running as root but there is no 'postgres' user to run initdb as" >&2
    exit 1
  fi
  as_server_user=(runuser -u postgres --)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/askguru_pg.XXXXXX")
data="$tmp/data"
log="$tmp/server.log"
started=0
cleanup() {
  if [ $started = 1 ]; then
    "${as_server_user[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ ${#as_server_user[@]} -gt 0 ] && chown postgres "$tmp"

"${as_server_user[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
  >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; echo "test_postgres.sh: initdb failed" >&2; exit 1; }
cat >"$data/pg_hba.conf" <<'EOF'
local all all                trust
host  all askguru_pw 127.0.0.1/32 scram-sha-256
host  all all        127.0.0.1/32 trust
EOF

port=""
for attempt in 1 2 3 4 5 6 7 8; do
  candidate=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
  if "${as_server_user[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 30 \
       -o "-p $candidate -c listen_addresses=127.0.0.1 -k $tmp -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c shared_buffers=32MB -c max_connections=40 -c autovacuum=off" \
       start >/dev/null 2>&1; then
    port=$candidate
    started=1
    break
  fi
  # Port taken (or another start failure): try again on another port.
  "${as_server_user[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
done
if [ -z "$port" ]; then
  cat "$log" >&2 2>/dev/null || true
  echo "test_postgres.sh: the PostgreSQL server did not start" >&2
  exit 1
fi

export ASKGURU_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
echo "test_postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" \
     "(ASKGURU_TEST_POSTGRES_URL=$ASKGURU_TEST_POSTGRES_URL)" >&2
status=0
"$@" || status=$?
exit $status
