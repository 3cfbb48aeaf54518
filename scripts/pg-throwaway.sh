#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests of rekindle-store-pg.
#
#   eval "$(bash scripts/pg-throwaway.sh start)"   # exports REKINDLE_TEST_DATABASE_URL and REKINDLE_PG_DIR
#   bash scripts/pg-throwaway.sh stop "$REKINDLE_PG_DIR"
#
# The cluster lives in a fresh temporary folder owned by an unprivileged system
# user (initdb refuses to run as root), trusts local connections, listens on a
# Unix socket in that folder only (no TCP port), and runs with fsync off: it
# holds nothing but test data and is deleted by `stop`.
set -euo pipefail

find_bin() {
  local name=$1
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return; fi
  done
  command -v "$name" || { echo "pg-throwaway: $name not found; run bash scripts/install-test-deps.sh" >&2; exit 1; }
}

start() {
  local initdb pg_ctl user dir
  initdb=$(find_bin initdb)
  pg_ctl=$(find_bin pg_ctl)
  if [ "$(id -u)" -eq 0 ]; then
    user=rekindle-pg
    if ! id "$user" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$user" >&2
    fi
    run_as() { runuser -u "$user" -- "$@"; }
  else
    user=$(id -un)
    run_as() { "$@"; }
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/rekindle-pg.XXXXXX")
  chmod 700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$user" "$dir"
  run_as "$initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  run_as "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  local host
  host=$(printf '%s' "$dir" | sed 's|/|%2F|g')
  echo "export REKINDLE_PG_DIR='$dir'"
  echo "export REKINDLE_TEST_DATABASE_URL='postgresql://postgres@$host/postgres'"
}

stop() {
  local dir=${1:?usage: pg-throwaway.sh stop DIR}
  case "$dir" in "${TMPDIR:-/tmp}"/rekindle-pg.*) ;; *) echo "pg-throwaway: not a throwaway cluster: $dir" >&2; exit 1 ;; esac
  local pg_ctl
  pg_ctl=$(find_bin pg_ctl)
  if [ -f "$dir/data/postmaster.pid" ]; then
    if [ "$(id -u)" -eq 0 ]; then
      runuser -u "$(stat -c %U "$dir/data")" -- "$pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    else
      "$pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
