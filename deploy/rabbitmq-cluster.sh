#!/usr/bin/env bash
# deploy/rabbitmq-cluster.sh -- a three-node RabbitMQ cluster on this one machine, for trying the router
# against a cluster and for the cluster drill (tests/ContactRouter.Tests/Cluster/).
#
# Usage: deploy/rabbitmq-cluster.sh start|stop|status|reset
#        deploy/rabbitmq-cluster.sh leader-of <queue>
#        deploy/rabbitmq-cluster.sh kill <node>|kill-leader-of <queue>
#        deploy/rabbitmq-cluster.sh ctl <rabbitmqctl arguments>
#
#   start           start every node that is not running, make sure the three are one cluster, that
#                   vhost and user 'contactrouter' exist (as on the project's own node, same password),
#                   and that every quorum queue of the vhost has a replica on every node. Idempotent:
#                   also the way to bring back a killed node. A new cluster forms by itself: crc1 boots
#                   first, crc2 and crc3 join it on their own first boot (peer discovery, classic
#                   config). Nodes with data boot all at once (a node that stopped with the cluster
#                   waits at boot for the ones that stopped after it). A node that is still not in the
#                   cluster then (it lost its data) is reset and joined by hand. Waits until all three
#                   are ready (timeout per node: $RABBITMQ_START_TIMEOUT s, default 120).
#   stop            stop all three nodes and wait for them to exit (no-op for stopped ones).
#   status          per node: running (serving AMQP) or not; per quorum queue of the vhost: leader,
#                   members, online members (tab-separated). Exit 0 if all three nodes run, 1 if not.
#   reset           stop, then delete the cluster's data and logs (the password in .secrets/ stays).
#   leader-of Q     print the name of the node that leads quorum queue Q on vhost contactrouter.
#   kill N          kill -9 node N's Erlang VM (crc1@localhost, or just crc1): a crash, not a stop.
#   kill-leader-of Q
#                   kill -9 the node that leads quorum queue Q, and print its name.
#   ctl ARGS...     rabbitmqctl ARGS against the first node that serves (as the rabbitmq user, in the
#                   cluster's environment), e.g. 'ctl list_consumers -p contactrouter': what the cluster
#                   drill prints when routing does not come back.
#
# The nodes:
#   node             AMQP               Erlang distribution   data + logs
#   crc1@localhost   127.0.0.1:5692     127.0.0.1:25692       <data dir>/crc1/
#   crc2@localhost   127.0.0.1:5693     127.0.0.1:25693       <data dir>/crc2/
#   crc3@localhost   127.0.0.1:5694     127.0.0.1:25694       <data dir>/crc3/
#   The router reaches them with Bus:Host=127.0.0.1:5692,127.0.0.1:5693,127.0.0.1:5694.
#   * <data dir> is <repo>/.rabbitmq-cluster/ (gitignored), or, when the rabbitmq user cannot reach the
#     repo, /var/tmp/contactrouter-rabbitmq-cluster-<first 12 hex of sha256(repo path)>/ (as
#     deploy/rabbitmq.sh does for the single node). Each node's configuration is written there on every
#     start (rabbitmq.conf, advanced.config); /etc/rabbitmq/* is never read. No plugins.
#   * The ports sit beside the project's own node (5682/5683, 25682) and a system node (5672, 25672), so
#     all of them can run at once; this script never touches those.
#   * Quorum queues get a replica on each of the three nodes: quorum_cluster_size = 3 (advanced.config,
#     the size a new quorum queue is declared with when it carries no x-quorum-initial-group-size), and
#     'start' grows every quorum queue of the vhost onto any node it lacks (a node that was reset and
#     joined again, a queue declared while a node was away).
#   * cluster_partition_handling = pause_minority: a node cut off from the other two stops serving
#     instead of going on alone.
#   * The Erlang cookie: the rabbitmq user's /var/lib/rabbitmq/.erlang.cookie, shared by the three nodes
#     and the CLI (the same one the project's own node uses), so plain
#     'rabbitmqctl -n crc1@localhost list_queues -p contactrouter name leader members' works as well.
#   * Schedulers do not busy-wait (+sbwt none): three nodes share a small machine's cores with the
#     router and its tests.
#
# Runs the real scripts in /usr/lib/rabbitmq/bin as the rabbitmq user in a clean environment, for the
# same reasons as deploy/rabbitmq.sh (see its header). Needs root (re-runs itself with sudo), and
# rabbitmq-server installed: deploy/rabbitmq.sh start installs Debian's package when it is missing.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|status|reset, $0 leader-of <queue>, $0 kill <node>, $0 kill-leader-of <queue>, $0 ctl <args>" >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
ACTION="$1"
case "$ACTION" in
    start|stop|status|reset) [[ $# -eq 1 ]] || usage ;;
    leader-of|kill|kill-leader-of) [[ $# -eq 2 ]] || usage ;;
    ctl) [[ $# -ge 2 ]] || usage ;;
    *) usage ;;
esac

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/$(basename "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd -P)"
# shellcheck source=deploy/secrets.sh
source "$(dirname "$SCRIPT_PATH")/secrets.sh"

if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        # shellcheck disable=SC2046
        exec sudo $(sudo_preserve CONTACTROUTER_RABBITMQ_PASSWORD RABBITMQ_START_TIMEOUT) -- bash "$SCRIPT_PATH" "$@"
    fi
    echo "error: $0 must run as root (and sudo is not available)" >&2
    exit 1
fi

# --- settings -------------------------------------------------------------
NODES=(crc1 crc2 crc3)
declare -A AMQP_PORT=([crc1]=5692 [crc2]=5693 [crc3]=5694)
declare -A DIST_PORT=([crc1]=25692 [crc2]=25693 [crc3]=25694)
HOST_SUFFIX="localhost"
AMQP_HOST="127.0.0.1"
VHOST="contactrouter"
APP_USER="contactrouter"
PASSWORD_FILE="$SECRETS_DIR/rabbitmq-password"
QUORUM_SIZE=3
START_TIMEOUT="${RABBITMQ_START_TIMEOUT:-120}"
STOP_TIMEOUT=60

RMQ_USER="rabbitmq"
RMQ_HOME="/var/lib/rabbitmq"          # rabbitmq user's HOME: holds .erlang.cookie
RMQ_BIN="/usr/lib/rabbitmq/bin"
SAFE_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { echo "rabbitmq-cluster.sh: $*"; }
err() { echo "rabbitmq-cluster.sh: $*" >&2; }

is_installed() {
    [[ -x "$RMQ_BIN/rabbitmq-server" && -x "$RMQ_BIN/rabbitmqctl" ]] && id -u "$RMQ_USER" >/dev/null 2>&1
}

need_installed() {
    if ! is_installed; then
        err "rabbitmq-server is not installed; 'deploy/rabbitmq.sh start' installs Debian's package"
        exit 1
    fi
}

as_rmq() {
    (
        cd "$RMQ_HOME" 2>/dev/null || cd /
        runuser -u "$RMQ_USER" -- env -i \
            HOME="$RMQ_HOME" PATH="$SAFE_PATH" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
            "$@"
    )
}

select_data_dir() {
    if as_rmq test -x "$REPO_ROOT" -a -r "$REPO_ROOT/rabbitmq.conf"; then
        DATA_DIR="$REPO_ROOT/.rabbitmq-cluster"
    else
        local hash
        hash="$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
        DATA_DIR="/var/tmp/contactrouter-rabbitmq-cluster-$hash"
    fi
}

# "crc2", "crc2@localhost" -> "crc2"; anything else is refused.
short_name() {
    local name="${1%@"$HOST_SUFFIX"}"
    [[ -n "${AMQP_PORT[$name]:-}" ]] || { err "no such node in the cluster: $1 (${NODES[*]/%/@$HOST_SUFFIX})"; exit 2; }
    echo "$name"
}

node_dir() { echo "$DATA_DIR/$1"; }
full_name() { echo "$1@$HOST_SUFFIX"; }
pid_file() { echo "$(node_dir "$1")/mnesia/$(full_name "$1").pid"; }

# Environment for node $1 and the CLI tools talking to it (all explicit, nothing from the caller's).
node_env() {
    local n="$1" dir
    dir="$(node_dir "$n")"
    NODE_ENV=(
        RABBITMQ_NODENAME="$(full_name "$n")"
        RABBITMQ_USE_LONGNAME=false
        RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
        RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
        RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
        RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
        RABBITMQ_MNESIA_BASE="$dir/mnesia"
        RABBITMQ_LOG_BASE="$dir/log"
        RABBITMQ_PID_FILE="$(pid_file "$n")"
        RABBITMQ_DIST_PORT="${DIST_PORT[$n]}"
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none"
        RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        ERL_EPMD_ADDRESS=127.0.0.1
        ERL_CRASH_DUMP="$dir/log/erl_crash.dump"
    )
}

# ctl NODE args...: rabbitmqctl against that node.
ctl() {
    local n="$1"
    shift
    node_env "$n"
    as_rmq "${NODE_ENV[@]}" "$RMQ_BIN/rabbitmqctl" -n "$(full_name "$n")" "$@"
}

queues_ctl() {
    local n="$1"
    shift
    node_env "$n"
    as_rmq "${NODE_ENV[@]}" "$RMQ_BIN/rabbitmq-queues" -n "$(full_name "$n")" "$@"
}

is_running() { ctl "$1" -q ping >/dev/null 2>&1; }

# The OS process of node $1 if its pid file names a live beam process.
node_pid() {
    local file pid
    file="$(pid_file "$1")"
    [[ -r "$file" ]] || return 1
    pid="$(tr -dc '0-9' <"$file")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    [[ "$(ps -o comm= -p "$pid" 2>/dev/null)" == beam* ]] || return 1
    echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/$AMQP_HOST/$1") 2>/dev/null; }

# Node $1's process lives and its AMQP listener accepts connections: it serves. Cheaper than
# 'rabbitmqctl ping' (each CLI call is an Erlang VM of its own, a second or more on a busy machine).
is_serving() { node_pid "$1" >/dev/null && port_in_use "${AMQP_PORT[$1]}"; }

# The first serving node, to ask about the cluster.
any_running() {
    local n
    for n in "${NODES[@]}"; do
        is_serving "$n" && { echo "$n"; return 0; }
    done
    return 1
}

write_node_config() {
    local n="$1" dir
    dir="$(node_dir "$n")"
    mkdir -p "$dir/mnesia" "$dir/log"
    cat >"$dir/rabbitmq.conf" <<EOF
# Generated by deploy/rabbitmq-cluster.sh on every start -- do not edit.
# Node $(full_name "$n") of ContactRouter's three-node development cluster.
listeners.tcp.1 = $AMQP_HOST:${AMQP_PORT[$n]}
distribution.listener.interface = $AMQP_HOST
distribution.listener.port_range.min = ${DIST_PORT[$n]}
distribution.listener.port_range.max = ${DIST_PORT[$n]}
loopback_users.guest = true
cluster_name = contactrouter-cluster
cluster_partition_handling = pause_minority
disk_free_limit.absolute = 512MB
log.file.level = info
log.file.rotation.size = 10485760
log.file.rotation.count = 3
log.console = false
EOF
    if [[ "$n" != "${NODES[0]}" ]]; then
        # On its first boot (no data yet) a node joins the first node's cluster by itself; later boots
        # ignore this and rejoin from their own data.
        cat >>"$dir/rabbitmq.conf" <<EOF
cluster_formation.peer_discovery_backend = classic_config
cluster_formation.classic_config.nodes.1 = $(full_name "${NODES[0]}")
cluster_formation.randomized_startup_delay_range.min = 0
cluster_formation.randomized_startup_delay_range.max = 1
EOF
    fi
    cat >"$dir/advanced.config" <<EOF
%% Generated by deploy/rabbitmq-cluster.sh on every start -- do not edit.
%% A quorum queue declared without x-quorum-initial-group-size gets a replica on this many nodes.
[{rabbit, [{quorum_cluster_size, $QUORUM_SIZE}]}].
EOF
    echo '[].' >"$dir/enabled_plugins"
    cat >"$dir/rabbitmq-env.conf" <<EOF
# Generated by deploy/rabbitmq-cluster.sh -- exists so that /etc/rabbitmq/rabbitmq-env.conf is NOT sourced.
EOF
    : >"$dir/log/startup.log"
    rm -f "$dir/log/erl_crash.dump"
}

# Starts node $1's server in the background, in its own session, its stdout/stderr in startup.log
# (not -detached, which hides early boot failures; see deploy/rabbitmq.sh).
launch_node() {
    local n="$1" dir
    dir="$(node_dir "$n")"
    node_env "$n"
    (
        cd "$RMQ_HOME" 2>/dev/null || cd /
        for fd in /proc/$BASHPID/fd/*; do
            fd="${fd##*/}"
            ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null || true
        done
        exec setsid runuser -u "$RMQ_USER" -- env -i \
            HOME="$RMQ_HOME" PATH="$SAFE_PATH" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
            "${NODE_ENV[@]}" "$RMQ_BIN/rabbitmq-server" \
            </dev/null >>"$dir/log/startup.log" 2>&1
    ) &
    LAUNCHERS[$n]=$!
}

dump_logs() {
    local n="$1" dir f
    dir="$(node_dir "$n")/log"
    err "---- $(full_name "$n"): last lines of its logs in $dir ----"
    for f in "$dir/$(full_name "$n").log" "$dir/startup.log"; do
        [[ -s "$f" ]] || continue
        err "==> $f <=="
        tail -n 40 "$f" >&2 || true
    done
    [[ -f "$dir/erl_crash.dump" ]] && grep -a -m1 '^Slogan:' "$dir/erl_crash.dump" >&2
    err "---- end of logs ----"
}

# Waits until node $1 listens for AMQP and its broker application has booted; on failure prints why and
# its logs. Watches the port, not 'rabbitmqctl ping': each CLI call is an Erlang VM of its own, and three
# nodes booting on a small machine need the cores more.
await_node() {
    local n="$1" deadline=$((SECONDS + START_TIMEOUT)) why=""
    until port_in_use "${AMQP_PORT[$n]}"; do
        if [[ -n "${LAUNCHERS[$n]:-}" ]] && ! kill -0 "${LAUNCHERS[$n]}" 2>/dev/null; then
            why="the node process exited during startup"
            break
        fi
        if ((SECONDS >= deadline)); then
            why="timed out after ${START_TIMEOUT}s waiting for its AMQP listener on $AMQP_HOST:${AMQP_PORT[$n]}"
            break
        fi
        sleep 0.5
    done
    if [[ -z "$why" ]] &&
       ! ctl "$n" -q await_startup --timeout "$((deadline > SECONDS ? deadline - SECONDS : 1))" >/dev/null 2>&1; then
        why="the node did not finish booting within ${START_TIMEOUT}s"
    fi
    if [[ -n "$why" ]]; then
        err "RabbitMQ node $(full_name "$n") failed to start: $why"
        dump_logs "$n"
        return 1
    fi
}

# The cluster members node $1 knows of (disc nodes, running or not), one per line, short names.
members_of() {
    ctl "$1" -q eval 'io:format("~s~n", [string:join([atom_to_list(N) || N <- rabbit_nodes:all()], " ")]).' 2>/dev/null |
        head -n 1 | tr ' ' '\n' | sed -n "s/@$HOST_SUFFIX\$//p"
}

# How many members of node $1's cluster run (itself included).
running_members() {
    ctl "$1" -q eval 'io:format("~p~n", [length(rabbit_nodes:all_running())]).' 2>/dev/null | head -n 1
}

# Makes node $1 a member of the cluster that $2 belongs to (wiping $1's own data: it had none worth
# keeping, or it would already be a member).
join_node() {
    local n="$1" seed="$2"
    log "joining $(full_name "$n") to the cluster of $(full_name "$seed") ..."
    # The CLI prints the node's boot warnings while it joins (feature flags, tracking tables): keep
    # them for when it fails.
    local out
    out="$(mktemp)"
    if ! {
        ctl "$n" -q stop_app &&
        # The seed may still list $n from before $n lost its data: forget that one first.
        { ! members_of "$seed" | grep -qxF "$n" || ctl "$seed" -q forget_cluster_node "$(full_name "$n")"; } &&
        ctl "$n" -q reset &&
        ctl "$n" -q join_cluster "$(full_name "$seed")" &&
        ctl "$n" -q start_app &&
        ctl "$n" -q await_startup --timeout "$START_TIMEOUT"
    } >"$out" 2>&1; then
        err "joining $(full_name "$n") to $(full_name "$seed") failed:"
        cat "$out" >&2
        rm -f "$out"
        return 1
    fi
    rm -f "$out"
}

# One cluster of all three: the node that knows the most members is the seed, every node missing from
# its view, or seeing only itself, joins it.
ensure_clustered() {
    local seed="" best=0 n count
    # Usually all three already are one cluster.
    [[ "$(running_members "${NODES[0]}")" == "${#NODES[@]}" ]] && return 0
    for n in "${NODES[@]}"; do
        count="$(members_of "$n" | wc -l)"
        ((count > best)) && { best=$count; seed=$n; }
    done
    [[ -n "$seed" ]] || { err "no node answers"; return 1; }
    local seed_members
    seed_members="$(members_of "$seed")"
    for n in "${NODES[@]}"; do
        [[ "$n" == "$seed" ]] && continue
        if ! grep -qxF "$n" <<<"$seed_members" || [[ "$(members_of "$n" | wc -l)" -lt 2 ]]; then
            join_node "$n" "$seed"
        fi
    done
    local running
    running="$(running_members "$seed")"
    if [[ "$running" != "${#NODES[@]}" ]]; then
        err "the cluster runs $running of ${#NODES[@]} nodes after joining"
        ctl "$seed" cluster_status >&2 || true
        return 1
    fi
}

# Vhost and user 'contactrouter' as on the project's own node (users live cluster-wide: once is enough).
ensure_app_user() {
    local n="$1" password vhost
    password="$(secret_password CONTACTROUTER_RABBITMQ_PASSWORD "$PASSWORD_FILE")"
    # Usually all is in place already: one look, then only the password (it may have changed).
    if [[ "$(ctl "$n" -q eval "
        U = <<\"$APP_USER\">>, V = <<\"$VHOST\">>, A = <<\".*\">>,
        Ok = rabbit_vhost:exists(V)
          andalso (case rabbit_auth_backend_internal:lookup_user(U) of {ok, R} -> internal_user:get_tags(R) =:= []; _ -> false end)
          andalso [lists:sort(P) || P <- rabbit_auth_backend_internal:list_user_permissions(U)]
                  =:= [lists:sort([{vhost, V}, {configure, A}, {write, A}, {read, A}])],
        io:format(\"~s~n\", [Ok])." 2>/dev/null | head -n 1)" == true ]]; then
        printf '%s\n' "$password" | ctl "$n" -q change_password "$APP_USER" >/dev/null
        log "user $APP_USER on vhost $VHOST ready (password: ${CONTACTROUTER_RABBITMQ_PASSWORD:+\$CONTACTROUTER_RABBITMQ_PASSWORD, also in }$PASSWORD_FILE)"
        return 0
    fi
    if ! ctl "$n" -s list_vhosts name | grep -qxF "$VHOST"; then
        ctl "$n" -q add_vhost "$VHOST"
    fi
    if ctl "$n" -s list_users | cut -f1 | grep -qxF "$APP_USER"; then
        printf '%s\n' "$password" | ctl "$n" -q change_password "$APP_USER" >/dev/null
    else
        printf '%s\n' "$password" | ctl "$n" -q add_user "$APP_USER" >/dev/null
    fi
    ctl "$n" -q set_user_tags "$APP_USER"
    ctl "$n" -q set_permissions -p "$VHOST" "$APP_USER" '.*' '.*' '.*'
    while read -r vhost; do
        [[ -n "$vhost" && "$vhost" != "$VHOST" ]] && ctl "$n" -q clear_permissions -p "$vhost" "$APP_USER"
    done < <(ctl "$n" -s list_user_permissions "$APP_USER" | cut -f1)
    log "user $APP_USER on vhost $VHOST ready (password: ${CONTACTROUTER_RABBITMQ_PASSWORD:+\$CONTACTROUTER_RABBITMQ_PASSWORD, also in }$PASSWORD_FILE)"
}

# Every quorum queue of the vhost gets a replica on every node (no-op where it has one).
grow_queues() {
    local n pids=()
    # Usually every queue has all three already.
    list_quorum_queues | awk -F'\t' -v want="${#NODES[@]}" 'split($3, m, " ") < want { short = 1 } END { exit !short }' || return 0
    for n in "${NODES[@]}"; do
        queues_ctl "$n" -q grow "$(full_name "$n")" all --vhost-pattern "^$VHOST\$" --queue-pattern '.*' >/dev/null &
        pids+=($!)
    done
    for n in "${pids[@]}"; do wait "$n"; done
}

do_start() {
    need_installed
    select_data_dir
    mkdir -p "$DATA_DIR"
    exec 9>"$DATA_DIR/.lock"
    flock 9
    declare -gA LAUNCHERS=()
    local n pid started=() waiting=()
    for n in "${NODES[@]}"; do
        if pid="$(node_pid "$n")"; then
            is_serving "$n" && continue
            # Alive but not listening: still booting, or paused (pause_minority) until it sees the others.
            if is_running "$n"; then
                waiting+=("$n")
                continue
            fi
            err "RabbitMQ node $(full_name "$n") has a live process (pid $pid) but does not answer; run '$0 stop' first"
            exit 1
        fi
        if port_in_use "${AMQP_PORT[$n]}"; then
            err "port $AMQP_HOST:${AMQP_PORT[$n]} is already in use by another process; cannot start $(full_name "$n")"
            exit 1
        fi
        write_node_config "$n"
        started+=("$n")
    done
    chown -R "$RMQ_USER:$RMQ_USER" "$DATA_DIR"
    chmod 750 "$DATA_DIR"
    local failed=0 first=() rest=()
    # A first node without data (a new cluster) boots before the others, which on their own first boot
    # join it. Otherwise all at once: a member waits at boot for the members that stopped after it.
    for n in "${started[@]}"; do
        if [[ "$n" == "${NODES[0]}" && ! -d "$(node_dir "$n")/mnesia/$(full_name "$n")" ]]; then
            first+=("$n")
        else
            rest+=("$n")
        fi
    done
    for n in "${first[@]}"; do
        log "starting RabbitMQ node $(full_name "$n") on $AMQP_HOST:${AMQP_PORT[$n]} (data: $(node_dir "$n")) ..."
        launch_node "$n"
        await_node "$n" || failed=1
    done
    if ((!failed)); then
        for n in "${rest[@]}"; do
            log "starting RabbitMQ node $(full_name "$n") on $AMQP_HOST:${AMQP_PORT[$n]} (data: $(node_dir "$n")) ..."
            launch_node "$n"
        done
        for n in "${rest[@]}" "${waiting[@]}"; do
            await_node "$n" || failed=1
        done
    fi
    if ((failed)); then
        for n in "${started[@]}"; do
            if pid="$(node_pid "$n")"; then kill -TERM "$pid" 2>/dev/null || true; fi
        done
        exit 1
    fi
    ensure_clustered
    ensure_app_user "${NODES[0]}"
    grow_queues
    log "RabbitMQ cluster ready: ${NODES[*]/%/@$HOST_SUFFIX} on $AMQP_HOST:${AMQP_PORT[crc1]},$AMQP_HOST:${AMQP_PORT[crc2]},$AMQP_HOST:${AMQP_PORT[crc3]}"
}

stop_node() {
    local n="$1" pid="" i
    pid="$(node_pid "$n")" || pid=""
    if is_running "$n"; then
        log "stopping RabbitMQ node $(full_name "$n") ..."
        if [[ -n "$pid" ]]; then
            ctl "$n" stop "$(pid_file "$n")" >/dev/null || true
        else
            ctl "$n" stop >/dev/null || true
        fi
    elif [[ -n "$pid" ]]; then
        log "RabbitMQ node $(full_name "$n") (pid $pid) does not answer; sending SIGTERM"
        kill -TERM "$pid" 2>/dev/null || true
    else
        return 0
    fi
    for ((i = 0; i < STOP_TIMEOUT; i++)); do
        [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        err "node process $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    log "RabbitMQ node $(full_name "$n") stopped"
}

do_stop() {
    is_installed || { log "RabbitMQ cluster is not running (rabbitmq-server not installed)"; return 0; }
    select_data_dir
    [[ -d "$DATA_DIR" ]] || { log "RabbitMQ cluster is not running"; return 0; }
    exec 9>"$DATA_DIR/.lock"
    flock 9
    local n pids=()
    # In parallel: each stop waits for its node's process to exit.
    for n in "${NODES[@]}"; do
        stop_node "$n" &
        pids+=($!)
    done
    for n in "${pids[@]}"; do wait "$n"; done
    log "RabbitMQ cluster stopped"
}

# Quorum queues of the vhost, tab-separated: name, leader, members, online (as the first running node sees them).
list_quorum_queues() {
    local n
    n="$(any_running)" || return 1
    # Lists come as "[crc1@localhost, crc2@localhost]".
    ctl "$n" -s list_queues -p "$VHOST" name type leader members online |
        sed 's/[][]//g; s/, / /g' |
        awk -F'\t' -v OFS='\t' '$2 == "quorum" { print $1, $3, $4, $5 }'
}

do_status() {
    need_installed
    select_data_dir
    local n up=0
    for n in "${NODES[@]}"; do
        if is_serving "$n"; then
            log "$(full_name "$n") is running on $AMQP_HOST:${AMQP_PORT[$n]}"
            up=$((up + 1))
        elif node_pid "$n" >/dev/null; then
            log "$(full_name "$n") is up but does not serve AMQP (booting, or paused as a minority)"
        else
            log "$(full_name "$n") is not running"
        fi
    done
    if ((up > 0)); then
        log "quorum queues on vhost $VHOST (name, leader, members, online):"
        list_quorum_queues | sed 's/^/  /' || true
    fi
    ((up == ${#NODES[@]}))
}

do_reset() {
    do_stop
    select_data_dir
    case "$DATA_DIR" in
        "$REPO_ROOT/.rabbitmq-cluster" | /var/tmp/contactrouter-rabbitmq-cluster-*) ;;
        *) err "refusing to delete unexpected data dir '$DATA_DIR'"; exit 1 ;;
    esac
    rm -rf -- "$DATA_DIR"
    log "deleted $DATA_DIR"
}

leader_of() {
    local queue="$1" leader
    leader="$(list_quorum_queues | awk -F'\t' -v q="$queue" '$1 == q { print $2 }')" || true
    if [[ -z "$leader" ]]; then
        err "no quorum queue '$queue' with a leader on vhost $VHOST (is the cluster running?)"
        return 1
    fi
    echo "$leader"
}

do_kill() {
    local n pid
    n="$(short_name "$1")"
    if ! pid="$(node_pid "$n")"; then
        err "RabbitMQ node $(full_name "$n") has no live process"
        exit 1
    fi
    kill -KILL "$pid"
    log "killed $(full_name "$n") (pid $pid) with SIGKILL"
}

case "$ACTION" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    reset) do_reset ;;
    leader-of) need_installed; select_data_dir; leader_of "$2" ;;
    kill) need_installed; select_data_dir; do_kill "$2" ;;
    kill-leader-of)
        need_installed
        select_data_dir
        leader="$(leader_of "$2")"
        do_kill "$leader" >&2
        echo "$leader"
        ;;
    ctl)
        need_installed
        select_data_dir
        if ! node="$(any_running)"; then
            err "no node of the cluster serves"
            exit 1
        fi
        shift
        ctl "$node" "$@"
        ;;
esac
