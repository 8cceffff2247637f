#!/usr/bin/env bash
# deploy/kamailio.sh -- run ContactRouter's own SIP front: a private Kamailio with the project's configuration.
#
# Usage: deploy/kamailio.sh start|stop|status
#
#   start   install Debian's kamailio (with the evapi and jansson modules) and sip-tester (sipp, for the tests) when
#           missing, then start Kamailio as the current user with deploy/kamailio/kamailio.cfg: SIP on 127.0.0.1:5070
#           (UDP and TCP), evapi (the telephony component's link) on 127.0.0.1:5071. Already running = nothing to do;
#           running with an older configuration = restarted. Waits until both ports listen.
#   stop    stop it and wait for it to exit (no-op if stopped).
#   status  exit 0 if it runs, 1 if not.
#
# CONTACTROUTER_SIP_PORT (default 5070) moves SIP to another port and evapi to the one after it, so checkouts side by
# side (git worktrees) can each run their own front; the tests read the same variable.
#
# Runtime files (pid, log, the configuration it runs) live in <repo>/.kamailio/ (gitignored).
# Log: .kamailio/kamailio.log.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 start|stop|status" >&2; exit 2; }
ACTION="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# A second checkout (a git worktree) may link its .kamailio to the first one's: one front on the machine's ports.
RUN_DIR="$(realpath -m "$ROOT/.kamailio")"
CFG_SRC="$ROOT/deploy/kamailio/kamailio.cfg"
CFG="$RUN_DIR/kamailio.cfg"
PID_FILE="$RUN_DIR/kamailio.pid"
LOG="$RUN_DIR/kamailio.log"
SIP_PORT="${CONTACTROUTER_SIP_PORT:-5070}"
EVAPI_PORT=$((SIP_PORT + 1))
MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules
START_TIMEOUT=30

log() { echo "kamailio.sh: $*"; }
err() { echo "kamailio.sh: $*" >&2; }

as_root() { if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

installed() {
    command -v kamailio >/dev/null 2>&1 && command -v sipp >/dev/null 2>&1 \
        && [[ -f "$MODULES/evapi.so" && -f "$MODULES/jansson.so" ]]
}

install() {
    log "installing Debian's kamailio, its extra (evapi), utils and json (jansson) modules, and sip-tester (sipp) ..."
    # The package's service is not wanted (it would take 5060 on every interface): tell invoke-rc.d not to start it.
    local policy=/usr/sbin/policy-rc.d own=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\n# temporary, from ContactRouter deploy/kamailio.sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod 755 "$policy"
        own=1
    fi
    local rc=0
    as_root apt-get update || rc=$?
    ((rc == 0)) && { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
        kamailio kamailio-extra-modules kamailio-utils-modules kamailio-json-modules sip-tester || rc=$?; }
    ((own)) && as_root rm -f "$policy"
    installed || { err "installing kamailio/sip-tester failed (exit code $rc)"; exit 1; }
}

pid() {
    local p
    [[ -r "$PID_FILE" ]] || return 1
    p="$(tr -dc '0-9' <"$PID_FILE")"
    [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null && [[ "$(ps -o comm= -p "$p")" == kamailio* ]] || return 1
    echo "$p"
}

listening() {
    ss -Hlnu "sport = :$SIP_PORT" | grep -q . && ss -Hlnt "sport = :$SIP_PORT" | grep -q . \
        && ss -Hlnt "sport = :$EVAPI_PORT" | grep -q .
}

do_stop() {
    local p
    if ! p="$(pid)"; then log "Kamailio is not running"; return 0; fi
    kill -TERM "$p"
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
    rm -f "$PID_FILE"
    log "Kamailio stopped"
}

do_start() {
    installed || install
    mkdir -p "$RUN_DIR"
    # The configuration with this checkout's ports.
    local wanted="$RUN_DIR/kamailio.cfg.new"
    sed "s/127\.0\.0\.1:5070/127.0.0.1:$SIP_PORT/g; s/127\.0\.0\.1:5071/127.0.0.1:$EVAPI_PORT/g" "$CFG_SRC" >"$wanted"
    if pid >/dev/null; then
        if cmp -s "$wanted" "$CFG"; then
            log "Kamailio is already running on 127.0.0.1:$SIP_PORT (evapi 127.0.0.1:$EVAPI_PORT)"
            return 0
        fi
        log "Kamailio runs with an older configuration; restarting it"
        do_stop
    elif ss -Hlnu "sport = :$SIP_PORT" | grep -q .; then
        if ss -Hlnup "sport = :$SIP_PORT" | grep -q '"kamailio"' && listening; then
            # Another checkout (a git worktree) started it: one front per machine; use it, leave it alone.
            err "warning: a Kamailio not started from $RUN_DIR already serves 127.0.0.1:$SIP_PORT (another checkout?); using it"
            return 0
        fi
        err "port 127.0.0.1:$SIP_PORT is taken by another process:"
        ss -Hlnup "sport = :$SIP_PORT" >&2 || true
        exit 1
    fi
    mv -f "$wanted" "$CFG"
    kamailio -c -f "$CFG" >/dev/null 2>"$RUN_DIR/check.log" || { cat "$RUN_DIR/check.log" >&2; exit 1; }
    : >"$LOG"
    (
        # Nothing of ours (a CI runner's pipes) may stay open in the long-lived server.
        for fd in /proc/$BASHPID/fd/*; do
            fd="${fd##*/}"
            ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null || true
        done
        # -DD: stays in the foreground (setsid detaches it); -E: logs to stderr, i.e. the log file.
        exec setsid kamailio -DD -E -f "$CFG" -P "$PID_FILE" -Y "$RUN_DIR" -w "$RUN_DIR" -m 64 -M 8 </dev/null >>"$LOG" 2>&1
    ) &
    local deadline=$((SECONDS + START_TIMEOUT))
    until listening; do
        if ((SECONDS >= deadline)); then
            err "Kamailio did not listen on 127.0.0.1:$SIP_PORT/$EVAPI_PORT within ${START_TIMEOUT}s; its log:"
            tail -n 40 "$LOG" >&2
            exit 1
        fi
        sleep 0.2
    done
    log "Kamailio ready: SIP on 127.0.0.1:$SIP_PORT (UDP, TCP), evapi on 127.0.0.1:$EVAPI_PORT; log $LOG"
}

case "$ACTION" in
    start) do_start ;;
    stop) do_stop ;;
    status) if pid >/dev/null; then log "Kamailio is running"; else log "Kamailio is not running"; exit 1; fi ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
