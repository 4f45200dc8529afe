#!/usr/bin/env bash
# A private PostgreSQL cluster for tests and demos: its own data folder, port and socket under one folder,
# trust authentication on 127.0.0.1 only. Never touches the system's clusters. Several may run side by side.
#
#   scripts/postgres.sh start --dir DIR [--port N]
#   scripts/postgres.sh stop  --dir DIR
#   scripts/postgres.sh psql  --dir DIR -- ARGS...   (psql as the cluster's superuser vum)
#
# `start` on a folder that already holds a cluster starts it again with the same port and data. The
# variables a client needs are written to DIR/postgres.env: PGHOST PGPORT PGUSER PGDATABASE VUM_PG_DIR.
# PostgreSQL refuses to run as root; as root the cluster runs as the postgres user (the folder and the
# path to it are made traversable for that user).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$here/lib.sh"

cmd="${1:-}"; shift || true
dir="" port=""
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) dir="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --) shift; break ;;
        *) die "postgres.sh: unknown argument $1" ;;
    esac
done
[ -n "$dir" ] || die "postgres.sh $cmd: --dir is required"

bindir() {
    local b
    b="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    if [ -z "$b" ]; then
        ensure_packages postgresql
        b="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    fi
    [ -x "$b/initdb" ] || die "postgres.sh: no PostgreSQL server programs under /usr/lib/postgresql/*/bin"
    echo "$b"
}

# Runs a command as the cluster's owner: the postgres user when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
    bin="$(bindir)"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "postgres.sh: running as root needs the postgres user (from the postgresql package)"
        chown postgres "$dir"
        p="$dir"
        while [ "$p" != "/" ]; do chmod a+x "$p" 2>/dev/null || true; p="$(dirname "$p")"; done
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        [ -n "$port" ] || port="$(free_port)"
        as_owner "$bin/initdb" -D "$dir/data" -U vum -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
            die "postgres.sh: initdb failed: $(tail -5 "$dir/initdb.log")"
        echo "$port" >"$dir/port"
    fi
    port="$(cat "$dir/port")"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null ||
        die "postgres.sh: the cluster did not start: $(tail -20 "$dir/postgres.log")"
    cat >"$dir/postgres.env" <<ENV
PGHOST=127.0.0.1
PGPORT=$port
PGUSER=vum
PGDATABASE=postgres
VUM_PG_DIR=$dir
ENV
    echo "PostgreSQL cluster in $dir listening on 127.0.0.1:$port" >&2
    ;;
stop)
    [ -f "$dir/data/PG_VERSION" ] || exit 0
    bin="$(bindir)"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    ;;
psql)
    set -a
    # shellcheck disable=SC1091
    source "$dir/postgres.env"
    set +a
    command -v psql >/dev/null || ensure_packages postgresql-client
    psql -v ON_ERROR_STOP=1 -X -q "$@"
    ;;
*)
    die "usage: postgres.sh start|stop|psql --dir DIR [...]"
    ;;
esac
