#!/usr/bin/env bash
# deploy/oidc-provider.sh -- the test-only OpenID provider (tests/oidc-provider/) the sign-in tests run.
#
# Usage: deploy/oidc-provider.sh install|selftest
#
#   install   make sure node and npm are there (installs Debian's nodejs and npm packages only when
#             `node` is missing) and that tests/oidc-provider/node_modules matches package-lock.json:
#             runs `npm ci` there when node_modules/oidc-provider is missing or package-lock.json
#             changed since the last install. A quick no-op otherwise.
#   selftest  install, then run tests/oidc-provider/selftest.mjs (starts the provider on a free
#             loopback port and drives discovery, client credentials, login, logout over HTTP).
#
# Why: the test fixtures start `node tests/oidc-provider/provider.mjs` (a real, OpenID Certified
# provider: the npm package oidc-provider) and need its dependencies installed from the lock file.
# Only the npm registry is needed, no browser or Docker download. apt-get needs root: that step alone
# runs through sudo when the caller is not root; npm runs as the calling user.
set -euo pipefail

usage() {
    echo "usage: $0 install|selftest" >&2
    exit 2
}
[[ $# -eq 1 ]] || usage
ACTION="$1"
case "$ACTION" in install|selftest) ;; *) usage ;; esac

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/$(basename "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd -P)"
DIR="$REPO_ROOT/tests/oidc-provider"
LOCK_FILE="$DIR/package-lock.json"
# Written after a successful `npm ci`; inside node_modules, so deleting node_modules forgets it too.
STAMP="$DIR/node_modules/.contactrouter-package-lock.sha256"

log() { echo "oidc-provider.sh: $*" >&2; }

install_node() {
    local sudo=()
    [[ $EUID -eq 0 ]] || sudo=(sudo)
    log "node is not installed; installing Debian's nodejs and npm packages..."
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
}

command -v node >/dev/null 2>&1 || install_node
if ! command -v npm >/dev/null 2>&1; then
    log "node is installed ($(command -v node)) but npm is not; install the npm that belongs to that node"
    exit 1
fi
# oidc-provider 8.x supports Node.js 18 and later LTS releases (see tests/oidc-provider/README.md).
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 18)); then
    log "node $(node --version) is too old; tests/oidc-provider needs Node.js 18 or later"
    exit 1
fi

# One install at a time (e.g. two test runs starting together): lock the folder itself.
exec 9<"$DIR"
flock 9

want="$(sha256sum "$LOCK_FILE" | cut -d' ' -f1)"
if [[ -f "$DIR/node_modules/oidc-provider/package.json" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    : # up to date
else
    log "installing tests/oidc-provider dependencies (npm ci)..."
    # --ignore-scripts: none of the locked packages has an install script, and none may get one unseen.
    (cd "$DIR" && npm ci --no-audit --no-fund --ignore-scripts >&2)
    echo "$want" >"$STAMP"
    log "installed oidc-provider $(node -p 'require(process.argv[1]).version' "$DIR/node_modules/oidc-provider/package.json")"
fi

if [[ "$ACTION" == selftest ]]; then
    exec node "$DIR/selftest.mjs"
fi
