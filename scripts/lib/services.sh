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

# The npm test peers (maildev, s3rver), installed in tests/peers by scripts/setup. Their CLIs are run
# directly (not through npx) so that $! is the node process itself.
PEERS_BIN=${PEERS_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/peers/node_modules/.bin}

# _wait_http URL PID [CURL_OPTION]: waits up to 10 s for URL to answer; fails early if PID exits.
_wait_http() {
  for _ in $(seq 100); do
    curl -s ${3:+"$3"} -o /dev/null --max-time 1 "$1" && return 0
    _gone "$2" && return 1
    sleep 0.1
  done
  return 1
}

# ---- maildev 2.2.1: SMTP on 127.0.0.1:$MAESTRO_TEST_SMTP_PORT (no auth, no TLS), web UI and REST API
# at $MAESTRO_TEST_MAILDEV_URL (GET /email lists received mail, DELETE /email/all empties it).
MAILDEV_PID=
start_maildev() {
  local smtp web attempt
  [ -x "$PEERS_BIN/maildev" ] || { echo "==> ERROR: maildev not installed in tests/peers (run scripts/setup)" >&2; return 1; }
  svc_dir || return 1
  for attempt in 1 2 3; do
    smtp=$(free_port) && web=$(free_port) || return 1
    [ "$smtp" != "$web" ] || continue
    "$PEERS_BIN/maildev" --ip 127.0.0.1 --web-ip 127.0.0.1 -s "$smtp" -w "$web" \
      --mail-directory "$SVC_DIR/maildev" >"$SVC_DIR/maildev.log" 2>&1 &
    MAILDEV_PID=$!
    if _wait_http "http://127.0.0.1:$web/email" "$MAILDEV_PID" --fail && port_in_use "$smtp"; then
      export MAESTRO_TEST_SMTP_PORT=$smtp MAESTRO_TEST_MAILDEV_URL="http://127.0.0.1:$web"
      return 0
    fi
    _stop_pid "$MAILDEV_PID"
    MAILDEV_PID=
  done
  echo "==> ERROR: maildev did not start, see $SVC_DIR/maildev.log" >&2
  return 1
}
stop_maildev() {
  [ -n "$MAILDEV_PID" ] || return 0
  _stop_pid "$MAILDEV_PID"
  MAILDEV_PID=
  rm -rf "$SVC_DIR/maildev"
  unset MAESTRO_TEST_SMTP_PORT MAESTRO_TEST_MAILDEV_URL
}

# ---- s3rver 3.7.1: S3 API at $MAESTRO_TEST_S3_ENDPOINT (path-style), bucket maestro-test made at start,
# access key and secret S3RVER/S3RVER, objects under $SVC_DIR/s3.
S3RVER_PID=
start_s3rver() {
  local port attempt
  [ -x "$PEERS_BIN/s3rver" ] || { echo "==> ERROR: s3rver not installed in tests/peers (run scripts/setup)" >&2; return 1; }
  svc_dir || return 1
  mkdir -p "$SVC_DIR/s3" || return 1
  for attempt in 1 2 3; do
    port=$(free_port) || return 1
    "$PEERS_BIN/s3rver" -d "$SVC_DIR/s3" -a 127.0.0.1 -p "$port" --configure-bucket maestro-test \
      --silent >"$SVC_DIR/s3rver.log" 2>&1 &
    S3RVER_PID=$!
    if _wait_http "http://127.0.0.1:$port/" "$S3RVER_PID"; then
      export MAESTRO_TEST_S3_ENDPOINT="http://127.0.0.1:$port" MAESTRO_TEST_S3_BUCKET=maestro-test \
        MAESTRO_TEST_S3_KEY=S3RVER MAESTRO_TEST_S3_SECRET=S3RVER
      return 0
    fi
    _stop_pid "$S3RVER_PID"
    S3RVER_PID=
  done
  echo "==> ERROR: s3rver did not start, see $SVC_DIR/s3rver.log" >&2
  return 1
}
stop_s3rver() {
  [ -n "$S3RVER_PID" ] || return 0
  _stop_pid "$S3RVER_PID"
  S3RVER_PID=
  rm -rf "$SVC_DIR/s3"
  unset MAESTRO_TEST_S3_ENDPOINT MAESTRO_TEST_S3_BUCKET MAESTRO_TEST_S3_KEY MAESTRO_TEST_S3_SECRET
}

# ---- RabbitMQ: AMQP on 127.0.0.1:$RMQ_PORT, guest/guest (guest is loopback-only by default), a node
# name, Erlang distribution port, epmd and data dir of its own, so parallel runs never clash.
# Exports MAESTRO_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:$RMQ_PORT/
RMQ_PID= EPMD_PID=
_rmq_exports() {
  export HOME="$SVC_DIR/rmq"   # the Erlang cookie lives here; rabbitmqctl must see the same HOME
  export RABBITMQ_NODENAME="maestro$RMQ_PORT@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$RMQ_PORT RABBITMQ_DIST_PORT=$RMQ_DIST_PORT
  export ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=$RMQ_EPMD_PORT
  export RABBITMQ_MNESIA_BASE="$SVC_DIR/rmq/mnesia" RABBITMQ_LOG_BASE="$SVC_DIR/rmq/log"
  export RABBITMQ_PID_FILE="$SVC_DIR/rmq/rabbit.pid" RABBITMQ_ENABLED_PLUGINS_FILE="$SVC_DIR/rmq/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$SVC_DIR/rmq/rabbitmq"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}
start_rabbitmq() {
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || { echo "==> ERROR: rabbitmq-server not installed (run scripts/setup)" >&2; return 1; }
  svc_dir || return 1
  mkdir -p "$SVC_DIR/rmq/log" && echo '[].' >"$SVC_DIR/rmq/enabled_plugins" || return 1
  RMQ_PORT=$(free_port) && RMQ_DIST_PORT=$(free_port) && RMQ_EPMD_PORT=$(free_port) || return 1
  # Its own epmd, else erl daemonises one that outlives the broker.
  epmd -address 127.0.0.1 -port "$RMQ_EPMD_PORT" >"$SVC_DIR/rmq/epmd.log" 2>&1 &
  EPMD_PID=$!
  # /usr/lib/rabbitmq/bin/* run as the calling user; the /usr/sbin wrappers would switch users.
  # The subshell execs, so $! is the broker's sh wrapper, which turns SIGTERM into a clean shutdown.
  ( _rmq_exports; exec /usr/lib/rabbitmq/bin/rabbitmq-server >"$SVC_DIR/rmq/server.out" 2>&1 ) &
  RMQ_PID=$!
  if ! ( _rmq_exports; exec /usr/lib/rabbitmq/bin/rabbitmqctl -q wait "$SVC_DIR/rmq/rabbit.pid" --timeout 120 ) \
       >"$SVC_DIR/rmq/wait.log" 2>&1; then
    echo "==> ERROR: RabbitMQ did not start, see $SVC_DIR/rmq/server.out and $SVC_DIR/rmq/log" >&2
    return 1
  fi
  export RMQ_PORT MAESTRO_TEST_AMQP_URL="amqp://guest:guest@127.0.0.1:$RMQ_PORT/"
}
stop_rabbitmq() {
  [ -n "$RMQ_PID" ] || [ -n "$EPMD_PID" ] || return 0
  _stop_pid "$RMQ_PID"
  _stop_pid "$EPMD_PID"
  RMQ_PID= EPMD_PID=
  unset MAESTRO_TEST_AMQP_URL
}

# stop_services: stops everything started above and removes the temp dir. Safe to call more than once.
stop_services() {
  stop_pg
  stop_maildev
  stop_s3rver
  stop_rabbitmq
  if [ -n "$SVC_DIR" ]; then rm -rf "$SVC_DIR"; SVC_DIR=; fi
}
