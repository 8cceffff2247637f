#!/usr/bin/env bash
# deploy/add-migration.sh -- add an EF Core migration to the store, for BOTH providers.
#
# Usage: deploy/add-migration.sh <Name>     e.g. deploy/add-migration.sh CustomerView
#        deploy/add-migration.sh --remove   remove the latest migration of both providers again
#
# Change the model (entities, RouterDbContext.OnModelCreating), then run this once: it writes
# src/ContactRouter.Store/Migrations/Sqlite/<timestamp>_<Name>.cs and Migrations/Postgres/<timestamp>_<Name>.cs
# (and updates each provider's model snapshot). Review both, commit both. The host applies pending migrations
# at start-up; a test (When_the_store_starts_on_an_empty_database) fails while the model has changes that no
# migration holds.
#
# Uses the real `dotnet ef` (dotnet-ef, a local tool pinned in deploy/dotnet-tools.json; `dotnet tool restore`
# installs it from NuGet) with the Store project as its own startup project; the design-time factories in
# src/ContactRouter.Store/ProviderContexts.cs build each provider's model without a database.
# --remove asks each provider's database whether the migration is applied there: the SQLite design-time
# database is in memory (never), PostgreSQL's is the 'contactrouter' database on 127.0.0.1:5433 if it runs.
set -euo pipefail

usage() {
    echo "usage: $0 <MigrationName>   (a C# identifier, e.g. CustomerView)" >&2
    echo "       $0 --remove          (remove the latest migration of both providers)" >&2
    exit 2
}
[[ $# -eq 1 ]] || usage
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

store=src/ContactRouter.Store
providers=(Sqlite Postgres)

build() {
    local out
    out="$(dotnet build "$store" -nologo -v quiet 2>&1)" || { echo "$out" >&2; echo "add-migration.sh: the store does not build" >&2; exit 1; }
}

# The tool manifest lives in deploy/ (the repo's top level stays as it is), so the tool runs from there.
ef() {
    (cd deploy && dotnet tool run dotnet-ef -- "$@" --project "../$store" --startup-project "../$store" --no-build)
}

(cd deploy && dotnet tool restore >/dev/null)
# dotnet ef runs from deploy/, where the default connection string's relative Passfile is not found; Npgsql takes
# PGPASSWORD first (only --remove connects, to ask whether the migration is applied).
if [[ -z "${PGPASSWORD:-}" && -r .secrets/postgres-password ]]; then export PGPASSWORD="$(cat .secrets/postgres-password)"; fi
# dotnet ef builds without restoring; build (and restore) once here, then --no-build for both providers.
build

if [[ "$1" == "--remove" ]]; then
    for provider in "${providers[@]}"; do
        echo "== $provider: removing the latest migration"
        ef migrations remove --context "${provider}RouterDbContext"
        build
    done
    exit 0
fi

name="$1"
[[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || usage
done_providers=()
for provider in "${providers[@]}"; do
    echo "== $provider: adding migration $name"
    if ! ef migrations add "$name" --context "${provider}RouterDbContext" --output-dir "Migrations/$provider"; then
        # Leave both providers as they were rather than one with the migration and one without.
        for undo in "${done_providers[@]}"; do
            echo "== $undo: taking migration $name back out" >&2
            build
            ef migrations remove --context "${undo}RouterDbContext" >&2 || true
        done
        echo "add-migration.sh: failed for $provider; nothing added" >&2
        exit 1
    fi
    done_providers+=("$provider")
done
echo "Added migration $name for SQLite and PostgreSQL:"
ls -1 "$store"/Migrations/*/*_"$name".cs | grep -v Designer
