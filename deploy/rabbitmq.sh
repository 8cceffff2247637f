#!/usr/bin/env bash
# deploy/rabbitmq.sh -- run ContactRouter's own private RabbitMQ node.
#
# Usage: deploy/rabbitmq.sh start|stop|status|reset|bounce
#        deploy/rabbitmq.sh tls <dir>
#
#   start   install Debian's rabbitmq-server package if missing, then start the
#           private node (no-op if it is already running with the current
#           configuration; restarted if it runs with an older one). Waits until
#           it is ready (timeout: $RABBITMQ_START_TIMEOUT seconds, default 120).
#           Then makes sure vhost and user 'contactrouter' exist (see below).
#   stop    stop the private node and wait for it to exit (no-op if stopped).
#   status  print whether the node is running; exit 0 if running, 1 if not.
#   reset   stop, then delete the node's data and log directory (the password
#           in .secrets/ stays).
#   bounce  restart the broker application inside the running node.
#   tls     install <dir>/ca.pem, <dir>/cert.pem and <dir>/key.pem (PEM) as the
#           TLS listener's certificate; new connections get it at once.
#
# The node:
#   * is named contactrouter@localhost and uses the repo's rabbitmq.conf
#     (AMQP on 127.0.0.1:5682, AMQP over TLS on 127.0.0.1:5683, guest from
#     loopback only), copied to <data dir>/rabbitmq.conf on every start with
#     @TLS_DIR@ filled in;
#   * has vhost 'contactrouter' (or $CONTACTROUTER_RABBITMQ_VHOST, for test runs
#     side by side) and user 'contactrouter' (no tags: not an
#     administrator) with all permissions on that vhost and none elsewhere;
#     its password is $CONTACTROUTER_RABBITMQ_PASSWORD if set, else the one in
#     <repo>/.secrets/rabbitmq-password, else a random one written there on
#     the first start (deploy/secrets.sh). The application's default
#     Bus:PasswordFile is that file, and the tests read it;
#   * serves TLS with <data dir>/tls/{ca,cert,key}.pem: a self-signed
#     placeholder made with openssl on first start (for 127.0.0.1 and
#     localhost), until 'tls <dir>' installs another one;
#   * uses Erlang distribution port 25682 on 127.0.0.1 (a system node uses
#     5672/25672, so both can run side by side);
#   * keeps data + logs in <repo>/.rabbitmq/ (gitignored), owned by the
#     'rabbitmq' user. If the rabbitmq user cannot reach the repo (some parent
#     directory is not traversable/readable for it, e.g. a repo under a 0700
#     home directory), the data dir falls back to
#     /var/tmp/contactrouter-rabbitmq-<first 12 hex of sha256(repo path)>/;
#   * enables no plugins (empty enabled_plugins file), and ignores
#     /etc/rabbitmq/{rabbitmq-env.conf,rabbitmq.conf,advanced.config,
#     enabled_plugins} of the system installation.
#
# Logs: <data dir>/log/contactrouter@localhost.log
#
# How it runs things (gotchas with Debian's packaging):
#   * /usr/sbin/rabbitmq-server and /usr/sbin/rabbitmqctl are wrappers that
#     'cd /var/lib/rabbitmq' and, when run as root, re-run the real script via
#     'su rabbitmq -s /bin/sh -c "..."' (HOME becomes /var/lib/rabbitmq; other
#     environment variables happen to survive, but args are re-quoted through
#     a string). We skip the wrappers and run /usr/lib/rabbitmq/bin/* directly
#     as 'runuser -u rabbitmq -- env -i ...' with an explicit, minimal
#     environment, so nothing from the caller's environment (RABBITMQ_NODE_PORT,
#     RABBITMQ_NODENAME, ...) or from /etc/rabbitmq/rabbitmq-env.conf leaks in.
#   * Erlang cookie: both the node and the CLI run as 'rabbitmq' with
#     HOME=/var/lib/rabbitmq, so they share /var/lib/rabbitmq/.erlang.cookie
#     (the same cookie the stock wrappers use; so
#     'rabbitmqctl -n contactrouter@localhost list_queues' works too).
#     Running rabbitmqctl directly as root would use /root/.erlang.cookie and
#     fail with an authentication error: always go through the rabbitmq user.
#   * Not 'rabbitmq-server -detached': erl -detached closes stdout/stderr
#     before RabbitMQ's prelaunch phase, so early boot failures (bad config,
#     port in use) leave no trace at all. The server is started with setsid in
#     the background instead; its stdout/stderr go to <data dir>/log/startup.log.
#   * The script needs root (chown, runuser, apt-get). When not run as root it
#     re-executes itself with sudo.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|status|reset|bounce|queues|counters, or $0 tls <dir>" >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
ACTION="$1"
case "$ACTION" in
    start|stop|status|reset|bounce|queues|counters) [[ $# -eq 1 ]] || usage ;;
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
        exec sudo $(sudo_preserve CONTACTROUTER_RABBITMQ_PASSWORD CONTACTROUTER_RABBITMQ_VHOST) -- bash "$SCRIPT_PATH" "$@"
    fi
    echo "error: $0 must run as root (and sudo is not available)" >&2
    exit 1
fi

# --- settings -------------------------------------------------------------
NODE="contactrouter@localhost"
AMQP_HOST="127.0.0.1"
AMQP_PORT=5682        # must match listeners.tcp.1 in rabbitmq.conf
TLS_PORT=5683         # must match listeners.ssl.1 in rabbitmq.conf
VHOST="${CONTACTROUTER_RABBITMQ_VHOST:-contactrouter}"   # another vhost: test runs side by side on one node
APP_USER="contactrouter"
PASSWORD_FILE="$SECRETS_DIR/rabbitmq-password"
DIST_PORT=25682       # must match distribution.listener.port_range in rabbitmq.conf
START_TIMEOUT="${RABBITMQ_START_TIMEOUT:-120}"
STOP_TIMEOUT=60

RMQ_USER="rabbitmq"
RMQ_HOME="/var/lib/rabbitmq"          # rabbitmq user's HOME: holds .erlang.cookie
RMQ_BIN="/usr/lib/rabbitmq/bin"       # the real scripts (not the /usr/sbin wrappers)
CONF_SRC="$REPO_ROOT/rabbitmq.conf"
SAFE_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { echo "rabbitmq.sh: $*"; }
err() { echo "rabbitmq.sh: $*" >&2; }

is_installed() {
    [[ -x "$RMQ_BIN/rabbitmq-server" && -x "$RMQ_BIN/rabbitmqctl" ]] && id -u "$RMQ_USER" >/dev/null 2>&1
}

install_rabbitmq() {
    log "rabbitmq-server is not installed; installing Debian's package..."
    # The package's postinst starts a system node (rabbit@<host>, 5672/25672,
    # all interfaces). We don't need it, and if 5672 is already taken by
    # another broker that start fails and makes 'apt-get install' fail. So,
    # unless the machine already has a policy-rc.d (Docker images do), install
    # a temporary one that tells invoke-rc.d/deb-systemd-invoke not to start
    # services. A system node that does get started is harmless to ours.
    local policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\n# temporary, from ContactRouter deploy/rabbitmq.sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        own_policy=1
    fi
    apt-get update || rc=$?
    if ((rc == 0)); then
        DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server || rc=$?
    fi
    ((own_policy)) && rm -f "$policy"
    if ! is_installed; then
        err "installing rabbitmq-server failed (exit code $rc)"
        exit 1
    fi
    ((rc == 0)) || err "warning: apt-get exited with $rc, but rabbitmq-server is usable; continuing"
}

# Run a command as the rabbitmq user, in a clean environment.
as_rmq() {
    (
        cd "$RMQ_HOME" 2>/dev/null || cd /
        runuser -u "$RMQ_USER" -- env -i \
            HOME="$RMQ_HOME" PATH="$SAFE_PATH" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
            "$@"
    )
}

# Pick the data dir: inside the repo if the rabbitmq user can reach it.
select_data_dir() {
    if as_rmq test -r "$CONF_SRC" -a -x "$REPO_ROOT"; then
        DATA_DIR="$REPO_ROOT/.rabbitmq"
    else
        local hash
        hash="$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
        DATA_DIR="/var/tmp/contactrouter-rabbitmq-$hash"
    fi
    # A second checkout (a git worktree) may link its .rabbitmq to the first one's: the real path, so both render the
    # same node configuration and neither restarts the node the other is using.
    DATA_DIR="$(realpath -m "$DATA_DIR")"
    # The node reads a copy of the repo's rabbitmq.conf with @TLS_DIR@ filled in (written on start).
    CONF_FILE="$DATA_DIR/rabbitmq.conf"
    TLS_DIR="$DATA_DIR/tls"
    MNESIA_BASE="$DATA_DIR/mnesia"
    LOG_DIR="$DATA_DIR/log"
    PID_FILE="$MNESIA_BASE/$NODE.pid"
    PLUGINS_FILE="$DATA_DIR/enabled_plugins"
    ENV_FILE="$DATA_DIR/rabbitmq-env.conf"
}

# Environment for the node and the CLI tools (all explicit; see header).
rmq_env() {
    RMQ_ENV=(
        RABBITMQ_NODENAME="$NODE"
        RABBITMQ_USE_LONGNAME=false
        RABBITMQ_CONFIG_FILE="$CONF_FILE"
        # Point at files in our data dir so /etc/rabbitmq/* is never read.
        RABBITMQ_CONF_ENV_FILE="$ENV_FILE"
        RABBITMQ_ADVANCED_CONFIG_FILE="$DATA_DIR/advanced.config"
        RABBITMQ_ENABLED_PLUGINS_FILE="$PLUGINS_FILE"
        RABBITMQ_MNESIA_BASE="$MNESIA_BASE"
        RABBITMQ_LOG_BASE="$LOG_DIR"
        RABBITMQ_PID_FILE="$PID_FILE"
        RABBITMQ_DIST_PORT="$DIST_PORT"
        # The CLI tools are Erlang nodes too (ports 35672-35682): loopback only.
        RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        # If our node is the first Erlang node on the machine it starts epmd
        # (port 4369); keep that on loopback as well.
        ERL_EPMD_ADDRESS=127.0.0.1
        # Crash dumps go next to the logs, not into whatever the cwd is.
        ERL_CRASH_DUMP="$LOG_DIR/erl_crash.dump"
    )
}

ctl() {
    as_rmq "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmqctl" -n "$NODE" "$@"
}

is_running() {
    is_installed || return 1
    ctl -q ping >/dev/null 2>&1
}

# PID of our node's OS process if the pid file names a live beam process.
node_pid() {
    local pid
    [[ -r "$PID_FILE" ]] || return 1
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    [[ "$(ps -o comm= -p "$pid" 2>/dev/null)" == beam* ]] || return 1
    echo "$pid"
}

port_in_use() {
    (exec 3<>"/dev/tcp/$AMQP_HOST/$1") 2>/dev/null
}

# Byte sizes of the log files before this start, so that on failure we only
# show what this start attempt wrote (not the end of an older, good run).
declare -A LOG_OFFSETS=()
snapshot_logs() {
    local f
    for f in "$LOG_DIR"/*.log; do
        [[ -f "$f" ]] && LOG_OFFSETS["$f"]="$(stat -c %s "$f")"
    done
    return 0
}

# Print what this start attempt appended to log file $1 (last 60 lines).
show_new_log() {
    local f="$1" off
    [[ -f "$f" ]] || return 1
    off="${LOG_OFFSETS[$f]:-0}"
    (($(stat -c %s "$f") >= off)) || off=0    # rotated meanwhile
    (($(tail -c +"$((off + 1))" "$f" | head -c 1 | wc -c) > 0)) || return 1
    err "==> $f <=="
    tail -c +"$((off + 1))" "$f" | tail -n 60 >&2 || true
}

dump_logs() {
    err "---- RabbitMQ logs (this start attempt) from $LOG_DIR ----"
    local f found=0
    # The node's own logs first, then its stdout/stderr (startup.log).
    for f in "$LOG_DIR"/*.log; do
        [[ "$f" == */startup.log ]] && continue
        show_new_log "$f" && found=1
    done
    show_new_log "$LOG_DIR/startup.log" && found=1
    if [[ -f "$LOG_DIR/erl_crash.dump" ]]; then
        found=1
        err "==> $LOG_DIR/erl_crash.dump <=="
        grep -a -m1 '^Slogan:' "$LOG_DIR/erl_crash.dump" >&2 || true
    fi
    ((found)) || err "(nothing logged)"
    err "---- end of logs ----"
}

# The configuration the node boots with: the repo's rabbitmq.conf with the TLS directory filled in.
node_conf() {
    sed "s|@TLS_DIR@|$TLS_DIR|g" "$CONF_SRC"
}

# The running node booted with another configuration (an older rabbitmq.conf, or one from before this
# script copied it into the data dir): it must restart to pick up listeners, TLS and the like.
conf_outdated() {
    [[ "$(cat "$CONF_FILE" 2>/dev/null)" != "$(node_conf)" ]]
}

need_openssl() {
    command -v openssl >/dev/null 2>&1 && return 0
    log "openssl is not installed; installing Debian's package..."
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssl
}

# A self-signed certificate for 127.0.0.1 and localhost, so the TLS listener can start; made once.
ensure_tls_placeholder() {
    [[ -s "$TLS_DIR/ca.pem" && -s "$TLS_DIR/cert.pem" && -s "$TLS_DIR/key.pem" ]] && return 0
    need_openssl
    mkdir -p "$TLS_DIR"
    chmod 700 "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=ContactRouter development node" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>/dev/null
    cp "$TLS_DIR/cert.pem" "$TLS_DIR/ca.pem"
    log "made a self-signed placeholder TLS certificate in $TLS_DIR"
}

prepare_data_dir() {
    mkdir -p "$MNESIA_BASE" "$LOG_DIR"
    node_conf >"$CONF_FILE"
    ensure_tls_placeholder
    chmod 600 "$TLS_DIR/key.pem"
    # No plugins at all (not even the ones enabled system-wide).
    echo '[].' >"$PLUGINS_FILE"
    cat >"$ENV_FILE" <<EOF
# Generated by deploy/rabbitmq.sh -- do not edit, rewritten on every start.
# Exists so that /etc/rabbitmq/rabbitmq-env.conf is NOT sourced; the actual
# settings are passed as RABBITMQ_* environment variables by the script.
EOF
    chown -R "$RMQ_USER:$RMQ_USER" "$DATA_DIR"
    chmod 750 "$DATA_DIR"
}

ensure_cookie() {
    # The package's postinst normally creates it; create one if it is missing
    # so the node and the CLI agree on it from the first start.
    local cookie="$RMQ_HOME/.erlang.cookie"
    if [[ ! -s "$cookie" ]]; then
        mkdir -p "$RMQ_HOME"
        (umask 077; head -c 30 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$cookie")
        chown "$RMQ_USER:$RMQ_USER" "$RMQ_HOME" "$cookie"
        chmod 400 "$cookie"
    fi
}

# Vhost and user 'contactrouter' (idempotent): the user gets the current password, no tags, all
# permissions on the vhost and none on any other.
ensure_app_user() {
    local password vhost
    password="$(secret_password CONTACTROUTER_RABBITMQ_PASSWORD "$PASSWORD_FILE")"
    if ! ctl -s list_vhosts name | grep -qxF "$VHOST"; then
        ctl -q add_vhost "$VHOST"
    fi
    # The password goes through stdin, never on a command line (visible in ps).
    if ctl -s list_users | cut -f1 | grep -qxF "$APP_USER"; then
        printf '%s\n' "$password" | ctl -q change_password "$APP_USER" >/dev/null
    else
        printf '%s\n' "$password" | ctl -q add_user "$APP_USER" >/dev/null
    fi
    ctl -q set_user_tags "$APP_USER"
    ctl -q set_permissions -p "$VHOST" "$APP_USER" '.*' '.*' '.*'
    while read -r vhost; do
        # The project's own vhosts (contactrouter, contactrouter-*) keep theirs: runs side by side each use one.
        [[ -n "$vhost" && "$vhost" != "$VHOST" && "$vhost" != contactrouter-* ]] && ctl -q clear_permissions -p "$vhost" "$APP_USER"
    done < <(ctl -s list_user_permissions "$APP_USER" | cut -f1)
    # The overflow router's queue holds load reports, each superseded by the next, and a router that starts asks every
    # centre for its load afresh: while no router runs, keep only the newest 1,000 instead of every report ever sent.
    ctl -q set_policy -p "$VHOST" --apply-to queues overflow-router-newest '^overflow-router$' \
        '{"max-length":1000,"overflow":"drop-head"}' >/dev/null
    log "user $APP_USER on vhost $VHOST ready (password: ${CONTACTROUTER_RABBITMQ_PASSWORD:+\$CONTACTROUTER_RABBITMQ_PASSWORD, also in }$PASSWORD_FILE)"
}

do_start() {
    is_installed || install_rabbitmq
    ensure_cookie
    select_data_dir
    rmq_env
    local pid
    if is_running; then
        if ! node_pid >/dev/null; then
            # Same node name, but its pid file is not in our data dir: it was
            # started from another checkout (or by hand). Use it anyway.
            err "warning: RabbitMQ node $NODE is already running, but not from $DATA_DIR" \
                "(another checkout?); leaving it alone"
            ensure_app_user
            return 0
        fi
        if ! conf_outdated; then
            log "RabbitMQ node $NODE is already running on $AMQP_HOST:$AMQP_PORT (data: $DATA_DIR)"
            ensure_app_user
            return 0
        fi
        log "RabbitMQ node $NODE runs with an older configuration; restarting it"
        do_stop
    fi
    if pid="$(node_pid)"; then
        err "RabbitMQ node $NODE has a live process (pid $pid) but does not answer;" \
            "run '$0 stop' (or reset) first"
        dump_logs
        exit 1
    fi
    if port_in_use "$AMQP_PORT"; then
        err "port $AMQP_HOST:$AMQP_PORT is already in use by another process; cannot start $NODE"
        exit 1
    fi
    prepare_data_dir

    log "starting RabbitMQ node $NODE (data: $DATA_DIR) ..."
    # Not 'rabbitmq-server -detached': erl -detached closes stdout/stderr
    # before RabbitMQ's prelaunch phase runs, so early fatal errors (config
    # syntax errors, distribution port in use, ...) vanish and the node just
    # never shows up. Instead run the server in the background in its own
    # session (setsid: no controlling terminal, not in the caller's process
    # group, survives this script and the calling shell) and keep its
    # stdout/stderr in startup.log, like Debian's wrapper does
    # (/var/log/rabbitmq/startup_log).
    local startup_log="$LOG_DIR/startup.log" launcher_pid
    rm -f "$LOG_DIR/erl_crash.dump"
    : >"$startup_log"
    snapshot_logs
    chown "$RMQ_USER:$RMQ_USER" "$startup_log"
    (
        cd "$RMQ_HOME" 2>/dev/null || cd /
        # Don't let the long-lived node inherit any of our other open file
        # descriptors (e.g. a CI runner's pipes), or whoever waits for EOF on
        # them would hang until the node stops.
        for fd in /proc/$BASHPID/fd/*; do
            fd="${fd##*/}"
            ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null || true
        done
        exec setsid runuser -u "$RMQ_USER" -- env -i \
            HOME="$RMQ_HOME" PATH="$SAFE_PATH" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
            "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmq-server" \
            </dev/null >>"$startup_log" 2>&1
    ) &
    launcher_pid=$!

    # Wait until the node answers the CLI, failing fast if it dies.
    local deadline=$((SECONDS + START_TIMEOUT)) why=""
    until ctl -q ping >/dev/null 2>&1; do
        if ! kill -0 "$launcher_pid" 2>/dev/null; then
            why="the node process exited during startup"
            break
        fi
        if ((SECONDS >= deadline)); then
            why="timed out after ${START_TIMEOUT}s waiting for the node"
            break
        fi
        sleep 2
    done
    # Then wait for the rabbit application (and the AMQP listener) to be up.
    if [[ -z "$why" ]] &&
       ! ctl await_startup --timeout "$((deadline > SECONDS ? deadline - SECONDS : 1))" >/dev/null 2>&1; then
        why="the node did not finish booting within ${START_TIMEOUT}s"
    fi
    if [[ -z "$why" ]] && ! port_in_use "$AMQP_PORT"; then
        why="the node is up but nothing accepts connections on $AMQP_HOST:$AMQP_PORT"
    fi
    if [[ -z "$why" ]] && ! port_in_use "$TLS_PORT"; then
        why="the node is up but its TLS listener on $AMQP_HOST:$TLS_PORT is not (certificate in $TLS_DIR?)"
    fi
    if [[ -n "$why" ]]; then
        err "RabbitMQ node $NODE failed to start: $why"
        dump_logs
        # Don't leave a half-started node behind.
        if pid="$(node_pid)"; then
            kill -TERM "$pid" 2>/dev/null || true
        elif kill -0 "$launcher_pid" 2>/dev/null; then
            kill -TERM "$launcher_pid" 2>/dev/null || true
        fi
        exit 1
    fi
    ensure_app_user
    log "RabbitMQ node $NODE ready on $AMQP_HOST:$AMQP_PORT (TLS: $TLS_PORT)"
}

do_stop() {
    if ! is_installed; then
        log "RabbitMQ node $NODE is not running (rabbitmq-server not installed)"
        return 0
    fi
    select_data_dir
    rmq_env
    local pid=""
    pid="$(node_pid)" || pid=""
    if is_running; then
        log "stopping RabbitMQ node $NODE ..."
        if [[ -n "$pid" ]]; then
            # With a pid file, 'stop' also waits for the OS process to exit.
            ctl stop "$PID_FILE" >/dev/null
        else
            ctl stop >/dev/null
        fi
    elif [[ -n "$pid" ]]; then
        # Process exists but does not answer the CLI (hung / half-started).
        log "RabbitMQ node $NODE (pid $pid) does not answer; sending SIGTERM"
        kill -TERM "$pid" 2>/dev/null || true
    else
        log "RabbitMQ node $NODE is not running"
        return 0
    fi
    local i
    for ((i = 0; i < STOP_TIMEOUT; i++)); do
        [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        err "node process $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    log "RabbitMQ node $NODE stopped"
}

do_status() {
    if ! is_installed; then
        log "RabbitMQ node $NODE is not running (rabbitmq-server not installed)"
        return 1
    fi
    select_data_dir
    rmq_env
    if is_running; then
        log "RabbitMQ node $NODE is running on $AMQP_HOST:$AMQP_PORT (data: $DATA_DIR)"
        return 0
    fi
    log "RabbitMQ node $NODE is not running"
    return 1
}

do_reset() {
    do_stop
    is_installed || return 0
    select_data_dir
    case "$DATA_DIR" in
        "$REPO_ROOT/.rabbitmq" | /var/tmp/contactrouter-rabbitmq-*) ;;
        *) err "refusing to delete unexpected data dir '$DATA_DIR'"; exit 1 ;;
    esac
    rm -rf -- "$DATA_DIR"
    log "deleted $DATA_DIR"
}

# Restarts the broker application inside the running node (every connection drops, every queue is
# recovered from disk), whichever checkout started the node: what a broker restart looks like to clients.
do_bounce() {
    select_data_dir
    rmq_env
    if ! is_running; then
        err "RabbitMQ node $NODE is not running"
        exit 1
    fi
    ctl -q stop_app >/dev/null
    ctl -q start_app >/dev/null
    ctl -q await_startup --timeout 120 >/dev/null
    log "RabbitMQ node $NODE restarted its broker application"
}

# Installs a certificate (ca.pem, cert.pem, key.pem from directory $1) for the TLS listener. Erlang's TLS
# keeps certificate files it has read in a cache; clearing it makes the next connection read the new ones.
do_tls() {
    local src="$1" f
    select_data_dir
    rmq_env
    for f in ca.pem cert.pem key.pem; do
        if [[ ! -s "$src/$f" ]]; then
            err "$src/$f is missing or empty"
            exit 1
        fi
    done
    if ! is_running || ! node_pid >/dev/null; then
        err "RabbitMQ node $NODE is not running from $DATA_DIR; run '$0 start' first"
        exit 1
    fi
    mkdir -p "$TLS_DIR"
    for f in ca.pem cert.pem key.pem; do
        install -m 600 -o "$RMQ_USER" -g "$RMQ_USER" "$src/$f" "$TLS_DIR/.$f.new"
    done
    for f in ca.pem cert.pem key.pem; do
        mv -f "$TLS_DIR/.$f.new" "$TLS_DIR/$f"
    done
    chown "$RMQ_USER:$RMQ_USER" "$TLS_DIR"
    chmod 700 "$TLS_DIR"
    ctl -q eval 'ssl:clear_pem_cache().' >/dev/null
    log "TLS certificate from $src installed in $TLS_DIR"
}

case "$ACTION" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    reset) do_reset ;;
    bounce) do_bounce ;;
    tls) do_tls "$2" ;;
    # The vhost's queue names, one per line (the tests look for a host's reply queue).
    queues) ctl -s list_queues -p "$VHOST" name ;;
    # The node's message counters since it started (all vhosts; the benchmark reads them before and after a part to
    # count what one contact's lifecycle costs the bus).
    counters) ctl -q eval 'M = rabbit_global_counters:overview(),
        P = maps:get(messages_received_total, maps:get([{protocol, amqp091}], M)),
        D = lists:sum([maps:get(messages_delivered_total, V, 0) || {K, V} <- maps:to_list(M), lists:member({protocol, amqp091}, K)]),
        io:format("published ~b delivered ~b~n", [P, D]).' | head -1 ;;
esac
