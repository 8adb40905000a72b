# Sourced by `make test`: sets CUSTCARE_PG_URL to a reachable PostgreSQL server.
# Uses the server on localhost when it answers; otherwise starts a throwaway cluster under var/pg
# (installing Debian's postgresql first when it is missing), which stops when the shell exits.
_pg_default="postgres://postgres@127.0.0.1:5432/postgres"
if [ -n "${CUSTCARE_PG_URL:-}" ]; then
  :
elif command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 -U postgres; then
  export CUSTCARE_PG_URL="postgres://postgres@127.0.0.1:5432/custcare"
else
  echo "No PostgreSQL on localhost:5432; starting a throwaway cluster for the tests..."
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
      || { echo "Could not install PostgreSQL: run 'apt-get install postgresql' as root."; return 1; }
  fi
  _pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
  _pgdir=$(mktemp -d /tmp/custcare-pg.XXXXXX)
  _as=""
  if [ "$(id -u)" = "0" ]; then id postgres >/dev/null 2>&1 || useradd -r postgres; chown postgres "$_pgdir"; _as="runuser -u postgres --"; fi
  $_as "$_pgbin/initdb" -D "$_pgdir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  $_as "$_pgbin/pg_ctl" -D "$_pgdir/data" -o "-p 55432 -k $_pgdir -c listen_addresses=127.0.0.1 -c fsync=off" -w -l "$_pgdir/log" start >/dev/null
  trap "$_as '$_pgbin/pg_ctl' -D '$_pgdir/data' -m fast stop >/dev/null; rm -rf '$_pgdir'" EXIT
  export CUSTCARE_PG_URL="postgres://postgres@127.0.0.1:55432/custcare"
fi
unset _pg_default
