#!/usr/bin/env bash
# Starts the real servers the test suite talks to, on 127.0.0.1 only, runs a command, stops
# them. Usage: tests/services.sh run COMMAND [ARGS…]
#   PostgreSQL  → VEILLEUR_TEST_POSTGRES_URL (an admin URL; tests create their own databases)
#   SMTP sink   → VEILLEUR_TEST_SMTP_PORT, VEILLEUR_TEST_MAILDIR (aiosmtpd, Maildir)
#   Synapse     → VEILLEUR_TEST_MATRIX_URL, VEILLEUR_TEST_MATRIX_SECRET (registration secret)
#   Chromium    → VEILLEUR_TEST_CHROMIUM
# Missing system packages (chromium, postgresql) are installed with apt when run as root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W="$ROOT/.work"
PY="$ROOT/.venv/bin/python"
mkdir -p "$W"
R=$(mktemp -d "$W/run.XXXXXX")   # this run's servers; several runs may go on side by side

say() { printf 'services: %s\n' "$*" >&2; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_tcp() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

ensure_packages() {
  local need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v ocrmypdf >/dev/null || need+=(ocrmypdf ghostscript poppler-utils tesseract-ocr)
  ls /usr/share/tesseract-ocr/*/tessdata/fra.traineddata >/dev/null 2>&1 || need+=(tesseract-ocr-fra)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then say "missing system packages: ${need[*]} (install them, or run as root)"; exit 1; fi
  say "installing ${need[*]} with apt"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade "${need[@]}" >/dev/null
}

start_postgres() {
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  local P="$R/pg"; mkdir -p "$P"
  PG_PORT=$(free_port)
  if [ "$(id -u)" = 0 ]; then chown postgres: "$P"; chmod 755 "$W" "$R"; AS=(runuser -u postgres --); else AS=(); fi
  "${AS[@]}" "$bin/initdb" -D "$P/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  printf "listen_addresses='127.0.0.1'\nport=%s\nunix_socket_directories='%s'\nfsync=off\nsynchronous_commit=off\nfull_page_writes=off\nmax_connections=200\n" "$PG_PORT" "$P" >>"$P/data/postgresql.conf"
  "${AS[@]}" "$bin/pg_ctl" -D "$P/data" -l "$P/log" -w start >/dev/null
  PG_STOP=("${AS[@]}" "$bin/pg_ctl" -D "$P/data" -m fast -w stop)
  export VEILLEUR_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
  say "PostgreSQL on 127.0.0.1:$PG_PORT"
}

start_smtp() {
  SMTP_PORT=$(free_port)
  mkdir -p "$R/maildir/tmp" "$R/maildir/new" "$R/maildir/cur"
  "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$R/maildir" >"$R/smtp.log" 2>&1 &
  SMTP_PID=$!
  wait_tcp "$SMTP_PORT"
  export VEILLEUR_TEST_SMTP_PORT=$SMTP_PORT VEILLEUR_TEST_MAILDIR="$R/maildir"
  say "SMTP sink on 127.0.0.1:$SMTP_PORT"
}

start_synapse() {
  local V="$W/synapse-venv" S="$R/synapse"
  if [ ! -x "$V/bin/python" ] || ! "$V/bin/python" -c 'import synapse' 2>/dev/null; then
    say "installing Synapse in $V"
    python3 -m venv "$V"
    "$V/bin/pip" install -q --disable-pip-version-check matrix-synapse 2>&1 | grep -v "is ignored" >&2 || true
  fi
  mkdir -p "$S"
  MATRIX_PORT=$(free_port)
  "$V/bin/python" -m synapse.app.homeserver --server-name localhost --config-path "$S/gen.yaml" \
    --generate-config --report-stats=no >/dev/null
  cat >"$S/homeserver.yaml" <<YAML
server_name: "localhost"
pid_file: $S/homeserver.pid
listeners:
  - {port: $MATRIX_PORT, bind_addresses: ['127.0.0.1'], type: http, tls: false, x_forwarded: false,
     resources: [{names: [client], compress: false}]}
database: {name: sqlite3, args: {database: $S/homeserver.db}}
log_config: $S/log.yaml
media_store_path: $S/media
signing_key_path: $S/localhost.signing.key
registration_shared_secret: "test-shared-secret"
macaroon_secret_key: "test-macaroon"
form_secret: "test-form"
report_stats: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
presence: {enabled: false}
rc_message: {per_second: 1000, burst_count: 1000}
rc_login: {address: {per_second: 1000, burst_count: 1000}, account: {per_second: 1000, burst_count: 1000},
           failed_attempts: {per_second: 1000, burst_count: 1000}}
rc_joins: {local: {per_second: 1000, burst_count: 1000}}
rc_registration: {per_second: 1000, burst_count: 1000}
YAML
  cat >"$S/log.yaml" <<YAML
version: 1
formatters: {f: {format: '%(asctime)s %(name)s %(levelname)s %(message)s'}}
handlers: {file: {class: logging.FileHandler, formatter: f, filename: $S/homeserver.log}}
root: {level: WARNING, handlers: [file]}
disable_existing_loggers: false
YAML
  "$V/bin/python" -m synapse.app.homeserver -c "$S/homeserver.yaml" --daemonize
  SYNAPSE_PID_FILE="$S/homeserver.pid"
  for _ in $(seq 1 300); do
    "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$MATRIX_PORT/health', timeout=1)" 2>/dev/null && break
    sleep 0.1
  done
  export VEILLEUR_TEST_MATRIX_URL="http://127.0.0.1:$MATRIX_PORT" VEILLEUR_TEST_MATRIX_SECRET="test-shared-secret"
  say "Synapse on 127.0.0.1:$MATRIX_PORT"
}

stop_all() {
  [ -n "${SMTP_PID:-}" ] && kill "$SMTP_PID" 2>/dev/null || true
  [ -n "${SYNAPSE_PID_FILE:-}" ] && [ -f "$SYNAPSE_PID_FILE" ] && kill "$(cat "$SYNAPSE_PID_FILE")" 2>/dev/null || true
  [ -n "${PG_STOP:-}" ] && "${PG_STOP[@]}" >/dev/null 2>&1 || true
  rm -rf "$R"
}

case "${1:-}" in
  run)
    shift
    [ $# -gt 0 ] || { echo "usage: $0 run COMMAND [ARGS…]" >&2; exit 2; }
    [ -x "$PY" ] || { echo "no project venv at $ROOT/.venv: run 'make install' first" >&2; exit 2; }
    trap stop_all EXIT
    ensure_packages
    start_postgres
    start_smtp
    start_synapse
    export VEILLEUR_TEST_CHROMIUM=$(command -v chromium)
    set +e; "$@"; status=$?; set -e
    exit $status
    ;;
  *) echo "usage: $0 run COMMAND [ARGS…]" >&2; exit 2 ;;
esac
