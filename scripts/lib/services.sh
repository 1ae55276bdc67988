# shellcheck shell=bash
# Throwaway local servers for tests and benchmarks: loopback only, free ports picked at run time,
# everything under one temp dir. Works as root (servers run as their service user) and as a normal
# user. Source this file, call start_* (they return non-zero on failure), and always stop_services
# at the end (e.g. from `trap stop_services EXIT`): it stops whatever was started and removes the dir.
# Recipes adapted from shared STACK.md ("Starting the local peers as root, without systemd").

SVC_DIR=${SVC_DIR:-}

# svc_dir: creates the temp dir on first use (world-traversable so service users can reach their part).
svc_dir() {
  if [ -z "$SVC_DIR" ]; then
    SVC_DIR=$(mktemp -d "${TMPDIR:-/tmp}/maestro-svc.XXXXXX") || return 1
    chmod 755 "$SVC_DIR"
  fi
}

# port_in_use PORT: true if something listens on PORT on the loopback address.
port_in_use() {
  if command -v ss >/dev/null; then
    [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
  else
    (: 2>/dev/null <>"/dev/tcp/127.0.0.1/$1")
  fi
}

# free_port: prints a port nobody listens on, below the kernel's ephemeral range (no clash with
# outgoing connections). Whoever binds it must still retry on failure: another process may win the race.
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((15000 + RANDOM % 17000))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  return 1
}

# _gone PID: true once PID has exited (a zombie counts as exited). No fork: cheap in polling loops.
_gone() { local stat; ! read -r stat 2>/dev/null <"/proc/$1/stat" || [[ $stat == *") Z "* ]]; }

# _stop_pid PID [SIGNAL]: sends SIGNAL (default TERM), waits up to 10 s, then kills.
_stop_pid() {
  [ -n "$1" ] || return 0
  kill -"${2:-TERM}" "$1" 2>/dev/null || return 0
  for _ in $(seq 100); do _gone "$1" && return 0; sleep 0.1; done
  echo "==> WARNING: PID $1 did not stop in 10 s, killing it" >&2
  kill -KILL "$1" 2>/dev/null || true
}

# ---- PostgreSQL: 127.0.0.1:$PG_PORT, socket in $SVC_DIR/pg-socket, trust auth, database maestro_test.
# Exports MAESTRO_TEST_PG_URI=postgresql://postgres@127.0.0.1:$PG_PORT/maestro_test
PG_PID=
start_pg() {
  local bin as=() data sock attempt
  bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
  [ -x "$bin/initdb" ] || { echo "==> ERROR: PostgreSQL server not installed (run scripts/setup)" >&2; return 1; }
  svc_dir || return 1
  data=$SVC_DIR/pg sock=$SVC_DIR/pg-socket
  mkdir -p "$data" "$sock" && chmod 700 "$data" || return 1
  if [ "$(id -u)" -eq 0 ]; then   # PostgreSQL refuses to run as root
    chown postgres:postgres "$data" "$sock" || return 1
    as=(runuser -u postgres --)
  fi
  # cd: the postgres user may not be allowed into the caller's working directory.
  (cd "$SVC_DIR" && "${as[@]}" "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
     --no-sync >"$SVC_DIR/pg-initdb.log" 2>&1) ||
    { echo "==> ERROR: initdb failed, see $SVC_DIR/pg-initdb.log" >&2; return 1; }
  for attempt in 1 2 3; do
    PG_PORT=$(free_port) || return 1
    (cd "$SVC_DIR" && "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 -o \
       "-p $PG_PORT -k $sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
       start >/dev/null) && break
    [ "$attempt" = 3 ] && { echo "==> ERROR: PostgreSQL did not start, see $data/server.log" >&2; return 1; }
  done
  PG_PID=$(head -1 "$data/postmaster.pid")
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc 'CREATE DATABASE maestro_test' || return 1
  export PG_PORT MAESTRO_TEST_PG_URI="postgresql://postgres@127.0.0.1:$PG_PORT/maestro_test"
}
stop_pg() {   # SIGINT = fast shutdown: disconnects clients, then the postmaster and all its children exit
  [ -n "$PG_PID" ] || return 0
  _stop_pid "$PG_PID" INT
  PG_PID=
  rm -rf "$SVC_DIR/pg" "$SVC_DIR/pg-socket" "$SVC_DIR/pg-initdb.log"
  unset MAESTRO_TEST_PG_URI
}

# ---- Later: RabbitMQ (start_rabbitmq/stop_rabbitmq), maildev 2.2.1 (start_maildev/stop_maildev) and
# s3rver 3.7.1 (start_s3rver/stop_s3rver), following the STACK.md recipes: one PID variable each, free
# ports from free_port, files under $SVC_DIR, and a line in stop_services.

# stop_services: stops everything started above and removes the temp dir. Safe to call more than once.
stop_services() {
  stop_pg
  if [ -n "$SVC_DIR" ]; then rm -rf "$SVC_DIR"; SVC_DIR=; fi
}
