#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests (tests/ContactRouter.Browser.Tests drive
# /usr/bin/chromium through Playwright; Playwright's own browser download cannot work on a closed machine).
# Needs root for apt-get; re-executes itself with sudo otherwise.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
    exit 0
fi
if [[ $EUID -ne 0 ]]; then
    exec sudo --preserve-env=PATH bash "$0" "$@"
fi
echo "chromium is not installed; installing Debian's package..." >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
/usr/bin/chromium --version >&2
