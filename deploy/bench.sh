#!/usr/bin/env bash
# The benchmark of issue 11 (README, section "Benchmark"): starts the project's private RabbitMQ node and PostgreSQL
# cluster as deploy/test.sh does, builds everything in Release and runs bench/ContactRouter.Bench, which prints every
# figure with the load average beside it and a table at the end. Not part of the tests' pass/fail.
#   deploy/bench.sh            the full run (about half an hour on two cores)
#   deploy/bench.sh --short    a smoke run of a few minutes with small numbers
#   deploy/bench.sh --postgres-only   the router's parts on PostgreSQL only
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash deploy/rabbitmq.sh start
bash deploy/postgres.sh start
# The router under test is the host as an operator installs it: published in Release with ReadyToRun (precompiled code,
# about a second less to start than the JIT-only build; docs/deployment.md, "Installing the router on a server"), not the
# test project's copy.
host="$root/bench/ContactRouter.Bench/bin/host"
dotnet publish src/ContactRouter.Host -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$host" -nologo -v quiet
export CONTACTROUTER_HOST_DLL="$host/ContactRouter.Host.dll"
dotnet run -c Release --project bench/ContactRouter.Bench -- "$@"
