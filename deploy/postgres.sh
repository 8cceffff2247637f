#!/usr/bin/env bash
# deploy/postgres.sh -- run ContactRouter's own private PostgreSQL cluster.
#
# Usage: deploy/postgres.sh start|stop|status|reset
#        deploy/postgres.sh tls <dir>
#
#   start   install Debian's postgresql package if missing, then start the
#           private cluster (if it is already running: apply this script's
#           current settings with a reload), make sure the 'contactrouter'
#           role (with its password) and database exist, and wait until it
#           accepts connections (timeout: $POSTGRES_START_TIMEOUT seconds,
#           default 60). Ends with the line "PostgreSQL ready on 127.0.0.1:5433".
#   stop    stop the private cluster and wait for it to exit (no-op if stopped).
#   status  print whether the cluster is running; exit 0 if running, 1 if not.
#   reset   stop, then delete the cluster's data and logs (the password in
#           .secrets/ stays).
#   tls     install <dir>/cert.pem and <dir>/key.pem (PEM) as the server's TLS
#           certificate and turn TLS on (ssl = on; a reload, no restart).
#           Until then the cluster serves no TLS.
#
# The cluster:
#   * listens on 127.0.0.1:5433 only (a system cluster uses 5432, so both can
#     run side by side; Debian's package may create and start one: we leave
#     it alone);
#   * lets the role 'contactrouter' (LOGIN CREATEDB, owner of the database
#     'contactrouter') in from loopback with its password, checked with
#     SCRAM-SHA-256 (password_encryption = scram-sha-256). The password is
#     $CONTACTROUTER_POSTGRES_PASSWORD if set, else the one in
#     <repo>/.secrets/postgres-password, else a random one written there on
#     the first start (deploy/secrets.sh). The script also writes it to
#     <repo>/.secrets/pgpass (PostgreSQL's password-file format), which the
#     store's default connection string names:
#       Host=127.0.0.1;Port=5433;Database=contactrouter;Username=contactrouter;Passfile=.secrets/pgpass
#     (psql reads it too: PGPASSFILE=.secrets/pgpass psql -h 127.0.0.1 -p 5433 -U contactrouter)
#     The tests create and drop their own databases with that role. Nobody
#     else gets in over TCP; the superuser 'postgres' only through the
#     cluster's private Unix socket (peer authentication), which this script
#     uses to create the role and database;
#   * is a throw-away development/test cluster: fsync and synchronous_commit
#     are off (fast, but an OS crash can lose or corrupt its data; a crash of
#     PostgreSQL itself cannot);
#   * keeps data, logs and socket in <repo>/.postgres/ (gitignored), owned by
#     the 'postgres' user. If the postgres user cannot reach the repo (some
#     parent directory is not traversable for it, e.g. a repo under a 0700
#     home directory), it falls back to
#     /var/tmp/contactrouter-postgres-<first 12 hex of sha256(repo path)>/.
#     (So does a repo path too long for a Unix socket path.)
#
# Logs: <data dir>/log/postgresql.log
#
# How it runs things:
#   * initdb, pg_ctl, psql and pg_isready from
#     /usr/lib/postgresql/<newest version>/bin (not Debian's pg_wrapper), run as
#     'postgres' via 'runuser -u postgres -- env -i ...' with a minimal
#     environment (no PG* variables of the caller leak in). Not Debian's
#     pg_createcluster/pg_ctlcluster: those register the cluster under
#     /etc/postgresql, and ours lives with the repo.
#   * The settings the script relies on (port, addresses, socket, auth) are
#     rewritten on every start, so an old data dir cannot drift.
#   * The script needs root (apt-get, chown, runuser). When not run as root it
#     re-executes itself with sudo.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|status|reset, or $0 tls <dir>" >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
ACTION="$1"
case "$ACTION" in
    start|stop|status|reset) [[ $# -eq 1 ]] || usage ;;
    tls) [[ $# -eq 2 ]] || usage ;;
    *) usage ;;
esac

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/$(basename "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd -P)"
# shellcheck source=deploy/secrets.sh
source "$(dirname "$SCRIPT_PATH")/secrets.sh"

if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        [[ "$ACTION" == tls ]] && set -- tls "$(cd "$2" && pwd -P)"
        # shellcheck disable=SC2046
        exec sudo $(sudo_preserve CONTACTROUTER_POSTGRES_PASSWORD) -- bash "$SCRIPT_PATH" "$@"
    fi
    echo "error: $0 must run as root (and sudo is not available)" >&2
    exit 1
fi

# --- settings -------------------------------------------------------------
HOST="127.0.0.1"
PORT=5433
ROLE="contactrouter"
DATABASE="contactrouter"
PASSWORD_FILE="$SECRETS_DIR/postgres-password"
PGPASS_FILE="$SECRETS_DIR/pgpass"
START_TIMEOUT="${POSTGRES_START_TIMEOUT:-60}"
STOP_TIMEOUT=60

PG_USER="postgres"
SAFE_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { echo "postgres.sh: $*"; }
err() { echo "postgres.sh: $*" >&2; }

# The newest installed server version's bin directory (e.g. /usr/lib/postgresql/15/bin).
find_bin() {
    local dir
    PG_BIN=""
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" && -x "$dir/psql" && -x "$dir/pg_isready" ]] && PG_BIN="$dir"
    done
    [[ -n "$PG_BIN" ]]
}

is_installed() {
    find_bin && id -u "$PG_USER" >/dev/null 2>&1
}

install_postgres() {
    log "PostgreSQL is not installed; installing Debian's postgresql package..."
    # The package's postinst creates a default cluster (15/main on 5432) and
    # starts it. We don't need it running; unless the machine already has a
    # policy-rc.d (Docker images do), install a temporary one that tells
    # invoke-rc.d not to start services. A system cluster that does get
    # started is harmless to ours (other port, other socket, other data).
    local policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\n# temporary, from ContactRouter deploy/postgres.sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        own_policy=1
    fi
    apt-get update || rc=$?
    if ((rc == 0)); then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql postgresql-client || rc=$?
    fi
    ((own_policy)) && rm -f "$policy"
    if ! is_installed; then
        err "installing postgresql failed (exit code $rc)"
        exit 1
    fi
    ((rc == 0)) || err "warning: apt-get exited with $rc, but PostgreSQL is usable; continuing"
}

# Run a command as the postgres user, in a clean environment.
as_pg() {
    (
        cd / # postgres may not be allowed into the caller's cwd
        runuser -u "$PG_USER" -- env -i HOME=/var/lib/postgresql PATH="$SAFE_PATH" LANG=C.UTF-8 LC_ALL=C.UTF-8 "$@"
    )
}

# Pick the data dir: inside the repo if the postgres user can reach it.
select_data_dir() {
    local hash
    hash="$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
    DATA_DIR="$REPO_ROOT/.postgres"
    # A Unix socket path must fit in 107 bytes: <dir>/run/.s.PGSQL.5433
    if ! as_pg test -x "$REPO_ROOT" || ((${#DATA_DIR} > 80)); then
        DATA_DIR="/var/tmp/contactrouter-postgres-$hash"
    fi
    PGDATA="$DATA_DIR/data"
    LOG_DIR="$DATA_DIR/log"
    LOG_FILE="$LOG_DIR/postgresql.log"
    SOCKET_DIR="$DATA_DIR/run"
    TLS_DIR="$DATA_DIR/tls"
}

pg_ctl() {
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" "$@"
}

# Our cluster's postmaster is alive (pg_ctl reads postmaster.pid and checks the process).
is_running() {
    [[ -f "$PGDATA/PG_VERSION" ]] && pg_ctl status >/dev/null 2>&1
}

accepts_connections() {
    "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PORT" -U "$ROLE" -d "$DATABASE" -t 2 >/dev/null 2>&1
}

port_in_use() {
    (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
}

# psql as the superuser over the private socket.
psql_admin() {
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U "$PG_USER" -d postgres "$@"
}

LOG_OFFSET=0
dump_log() {
    err "---- PostgreSQL log (this start attempt): $LOG_FILE ----"
    if [[ -f "$LOG_FILE" ]]; then
        tail -c +"$((LOG_OFFSET + 1))" "$LOG_FILE" | tail -n 60 >&2 || true
    else
        err "(nothing logged)"
    fi
    err "---- end of log ----"
}

prepare_data_dir() {
    mkdir -p "$DATA_DIR" "$LOG_DIR" "$SOCKET_DIR"
    chown "$PG_USER:$PG_USER" "$DATA_DIR" "$LOG_DIR" "$SOCKET_DIR"
    chmod 700 "$DATA_DIR" "$SOCKET_DIR"
    if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
        log "creating the cluster in $PGDATA ..."
        rm -rf -- "$PGDATA"
        as_pg "$PG_BIN/initdb" -D "$PGDATA" -U "$PG_USER" -E UTF8 --locale=C.UTF-8 \
            --auth-local=peer --auth-host=reject >"$LOG_DIR/initdb.log" 2>&1 || {
            err "initdb failed:"
            cat "$LOG_DIR/initdb.log" >&2
            exit 1
        }
        echo "include_if_exists = 'contactrouter.conf'" >>"$PGDATA/postgresql.conf"
    fi
    write_config
}

# contactrouter.conf and pg_hba.conf: rewritten on every start (see header), and by 'tls'.
write_config() {
    local ssl="ssl = off"
    if [[ -s "$TLS_DIR/cert.pem" && -s "$TLS_DIR/key.pem" ]]; then
        ssl="ssl = on
ssl_cert_file = '$TLS_DIR/cert.pem'
ssl_key_file = '$TLS_DIR/key.pem'"
    fi
    cat >"$PGDATA/contactrouter.conf" <<EOF
# Generated by deploy/postgres.sh -- do not edit, rewritten on every start.
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = '$SOCKET_DIR'
unix_socket_permissions = 0700
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
password_encryption = 'scram-sha-256'
# TLS: on once 'deploy/postgres.sh tls <dir>' has installed a certificate in $TLS_DIR.
$ssl
EOF
    cat >"$PGDATA/pg_hba.conf" <<EOF
# Generated by deploy/postgres.sh -- do not edit, rewritten on every start.
# TYPE  DATABASE  USER           ADDRESS        METHOD
local   all       $PG_USER                      peer
host    all       $ROLE          127.0.0.1/32   scram-sha-256
EOF
    chown "$PG_USER:$PG_USER" "$PGDATA/contactrouter.conf" "$PGDATA/pg_hba.conf"
    chmod 600 "$PGDATA/contactrouter.conf" "$PGDATA/pg_hba.conf"
}

# The role with its current password (the server stores only its SCRAM verifier), its database, and
# .secrets/pgpass. The password reaches psql through stdin, never on a command line (visible in ps).
ensure_role_and_database() {
    local password escaped
    password="$(secret_password CONTACTROUTER_POSTGRES_PASSWORD "$PASSWORD_FILE")" || return 1
    psql_admin <<EOF || return 1
SELECT format('CREATE ROLE %I LOGIN CREATEDB', '$ROLE') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$DATABASE', '$ROLE') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE') \gexec
SET password_encryption = 'scram-sha-256';
ALTER ROLE $ROLE PASSWORD '${password//\'/\'\'}';
EOF
    # pgpass lines are host:port:database:user:password, with ':' and '\' escaped by '\'.
    escaped="${password//\\/\\\\}"
    escaped="${escaped//:/\\:}"
    write_secret "$PGPASS_FILE" "# Written by deploy/postgres.sh: the password of $PASSWORD_FILE (or \$CONTACTROUTER_POSTGRES_PASSWORD).
$HOST:$PORT:*:$ROLE:$escaped
localhost:$PORT:*:$ROLE:$escaped"
    log "role $ROLE ready (password: ${CONTACTROUTER_POSTGRES_PASSWORD:+\$CONTACTROUTER_POSTGRES_PASSWORD, also in }$PASSWORD_FILE and $PGPASS_FILE)"
}

# Makes the running cluster re-read its configuration, and waits until new connections see it: a new
# backend inherits the postmaster's configuration load time, which changes once it has reloaded.
reload_config() {
    local before after deadline=$((SECONDS + START_TIMEOUT))
    before="$(psql_admin -At -c 'SELECT pg_conf_load_time()')" || return 1
    pg_ctl reload >/dev/null || return 1
    while after="$(psql_admin -At -c 'SELECT pg_conf_load_time()')" && [[ "$after" == "$before" ]]; do
        if ((SECONDS >= deadline)); then
            err "the cluster did not reload its configuration within ${START_TIMEOUT}s"
            return 1
        fi
        sleep 0.1
    done
}

# The superuser over the private socket: used before our role exists, so the
# server logs no failed log-in for it.
admin_ready() {
    as_pg "$PG_BIN/pg_isready" -q -h "$SOCKET_DIR" -p "$PORT" -U "$PG_USER" -d postgres -t 2 >/dev/null 2>&1
}

# wait_ready [check]: until the check (default: our role over TCP) succeeds.
wait_ready() {
    local check="${1:-accepts_connections}" deadline=$((SECONDS + START_TIMEOUT))
    until "$check"; do
        if ((SECONDS >= deadline)); then return 1; fi
        sleep 0.5
    done
}

do_start() {
    is_installed || install_postgres
    select_data_dir
    if is_running; then
        if ! wait_ready; then
            err "the cluster in $PGDATA is running but does not accept connections on $HOST:$PORT"
            dump_log
            exit 1
        fi
        # It may have been started by an older version of this script: bring settings and password up to date.
        LOG_OFFSET="$(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)"
        write_config
        if ! reload_config || ! ensure_role_and_database; then
            err "PostgreSQL is running, but applying the settings or the role's password failed"
            dump_log
            exit 1
        fi
        log "PostgreSQL cluster already running (data: $PGDATA)"
        echo "PostgreSQL ready on $HOST:$PORT"
        return 0
    fi
    if port_in_use; then
        # Another cluster on our port: another checkout's (same role and database, so usable) or a stranger.
        if accepts_connections && PGCONNECT_TIMEOUT=5 PGPASSFILE="$PGPASS_FILE" "$PG_BIN/psql" -X -q -w -h "$HOST" -p "$PORT" -U "$ROLE" -d "$DATABASE" -c 'SELECT 1' >/dev/null 2>&1; then
            err "warning: a PostgreSQL server with role $ROLE is already running on $HOST:$PORT," \
                "but not from $PGDATA (another checkout?); leaving it alone and using it"
            echo "PostgreSQL ready on $HOST:$PORT"
            return 0
        fi
        err "port $HOST:$PORT is already in use by another process (or by another checkout's cluster whose" \
            "role $ROLE has another password than $PGPASS_FILE); cannot start the cluster"
        exit 1
    fi
    prepare_data_dir
    touch "$LOG_FILE"
    chown "$PG_USER:$PG_USER" "$LOG_FILE"
    LOG_OFFSET="$(stat -c %s "$LOG_FILE")"

    log "starting PostgreSQL (data: $PGDATA) ..."
    # pg_ctl puts the postmaster in its own session. Don't let it inherit our
    # other open file descriptors (e.g. a CI runner's pipes), or whoever waits
    # for EOF on them would hang until the cluster stops.
    local rc=0
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd="${fd##*/}"
            ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null || true
        done
        exec </dev/null
        pg_ctl -l "$LOG_FILE" -w -t "$START_TIMEOUT" start >/dev/null
    ) || rc=$?
    if ((rc != 0)) || ! wait_ready admin_ready; then
        err "PostgreSQL failed to start (pg_ctl exit code $rc)"
        dump_log
        pg_ctl -m immediate stop >/dev/null 2>&1 || true
        exit 1
    fi
    if ! ensure_role_and_database || ! wait_ready; then
        err "PostgreSQL started, but creating role/database '$ROLE' failed"
        dump_log
        exit 1
    fi
    echo "PostgreSQL ready on $HOST:$PORT"
}

do_stop() {
    if ! is_installed; then
        log "PostgreSQL cluster is not running (postgresql not installed)"
        return 0
    fi
    select_data_dir
    if ! is_running; then
        log "PostgreSQL cluster is not running"
        return 0
    fi
    log "stopping PostgreSQL (data: $PGDATA) ..."
    if ! pg_ctl -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null; then
        err "fast shutdown did not finish in ${STOP_TIMEOUT}s; stopping immediately"
        pg_ctl -m immediate -w stop >/dev/null || true
    fi
    log "PostgreSQL cluster stopped"
}

do_status() {
    if ! is_installed; then
        log "PostgreSQL cluster is not running (postgresql not installed)"
        return 1
    fi
    select_data_dir
    if is_running; then
        log "PostgreSQL cluster is running on $HOST:$PORT (data: $PGDATA)"
        return 0
    fi
    log "PostgreSQL cluster is not running"
    return 1
}

do_reset() {
    do_stop
    is_installed || return 0
    select_data_dir
    case "$DATA_DIR" in
        "$REPO_ROOT/.postgres" | /var/tmp/contactrouter-postgres-*) ;;
        *) err "refusing to delete unexpected data dir '$DATA_DIR'"; exit 1 ;;
    esac
    rm -rf -- "$DATA_DIR"
    log "deleted $DATA_DIR"
}

# Installs a certificate (cert.pem and key.pem from directory $1) and turns TLS on, without a restart.
do_tls() {
    local src="$1" f
    if ! is_installed; then
        err "PostgreSQL is not installed; run '$0 start' first"
        exit 1
    fi
    select_data_dir
    for f in cert.pem key.pem; do
        if [[ ! -s "$src/$f" ]]; then
            err "$src/$f is missing or empty"
            exit 1
        fi
    done
    if ! is_running; then
        err "the PostgreSQL cluster in $PGDATA is not running; run '$0 start' first"
        exit 1
    fi
    install -d -m 700 -o "$PG_USER" -g "$PG_USER" "$TLS_DIR"
    # PostgreSQL refuses a key file that others can read.
    for f in cert.pem key.pem; do
        install -m 600 -o "$PG_USER" -g "$PG_USER" "$src/$f" "$TLS_DIR/.$f.new"
    done
    for f in cert.pem key.pem; do
        mv -f "$TLS_DIR/.$f.new" "$TLS_DIR/$f"
    done
    write_config
    LOG_OFFSET="$(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)"
    if ! reload_config || [[ "$(psql_admin -At -c 'SHOW ssl')" != on ]]; then
        err "TLS did not come on with the certificate from $src"
        dump_log
        exit 1
    fi
    log "TLS certificate from $src installed in $TLS_DIR; TLS is on"
}

case "$ACTION" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    reset) do_reset ;;
    tls) do_tls "$2" ;;
esac
