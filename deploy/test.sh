#!/usr/bin/env bash
# Runs every test of ContactRouter: starts the project's private RabbitMQ node (installing Debian's
# rabbitmq-server when missing), its private PostgreSQL cluster (installing Debian's postgresql when
# missing) and its SIP front (Kamailio and sipp, installed when missing), makes sure Debian's chromium is there for the browser tests, then runs the whole suite and
# ends with one line "Tests: N passed, N failed".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash deploy/rabbitmq.sh start
bash deploy/postgres.sh start
bash deploy/kamailio.sh start
bash deploy/chromium.sh
bash deploy/oidc-provider.sh install

log="$(mktemp)"
# Drills and the fuzz run write their figures here (tests/ContactRouter.Tests/Figures.cs); printed after the summary.
export CONTACTROUTER_FIGURES="$(mktemp)"
trap 'rm -f "$log" "$CONTACTROUTER_FIGURES"' EXIT
args=("$@")
# A test that hangs is stopped after 15 minutes (the longest drill takes about 3) and named in the output, so a run
# fails with the test's name instead of running into CI's time limit.
if [[ " $* " != *" --blame-hang"* ]]; then args+=(--blame-hang-timeout 15m --blame-hang-dump-type none); fi
set +e
dotnet test ContactRouter.sln "${args[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test project; add them up for a single closing line.
awk '/(Passed|Failed)!  *- *Failed: *[0-9]+, *Passed: *[0-9]+/ {
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
if [ -s "$CONTACTROUTER_FIGURES" ]; then
  echo "Figures (drills, fuzz):"
  sort "$CONTACTROUTER_FIGURES" | sed 's/^/  /'
fi
exit "$status"
