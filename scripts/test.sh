#!/usr/bin/env bash
# Runs every test: unit tests (no servers) and integration tests (real Kafka, VictoriaMetrics, MQTT clients).
# Installs what is missing first (scripts/setup.sh, idempotent). Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Sensing.sln -c Release -nologo -v quiet
log=$(mktemp)
status=0
for project in tests/Sensing.Tests tests/Sensing.IntegrationTests; do
  echo "== $project"
  dotnet test "$project" -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee -a "$log" || status=1
done
# One closing line over both projects, from the runner's own per-project summaries.
awk '/^ *Total tests:/ { t = 1 } t && /^ *Passed: *[0-9]/ { p += $2 } t && /^ *Failed: *[0-9]/ { f += $2 } t && /^ *Skipped: *[0-9]/ { s += $2 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
