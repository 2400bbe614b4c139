#!/usr/bin/env bash
# Runs every test: unit tests (no servers) and integration tests (real Kafka, VictoriaMetrics, MQTT clients).
# Installs what is missing first (scripts/setup.sh, idempotent). Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The console's screenshots (the browser tests, the city runs) in one folder of the run's results, ignored by git; the
# folder a CI job keeps as the run's artifacts. SENSING_ARTIFACTS set by the caller wins.
export SENSING_ARTIFACTS=${SENSING_ARTIFACTS:-$PWD/TestResults/artifacts}
dotnet build Sensing.sln -c Release -nologo -v quiet
# The native build the city test runs its gateways from, as scripts/up.sh does.
SENSING_NATIVE=$(bash scripts/native.sh)
export SENSING_NATIVE
log=$(mktemp)
status=0
for project in tests/Sensing.Tests tests/Sensing.IntegrationTests; do
  echo "== $project"
  dotnet test "$project" -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee -a "$log" || status=1
done
if [[ -d "$SENSING_ARTIFACTS" ]]; then
  echo "screenshots: $(find "$SENSING_ARTIFACTS" -name '*.png' | wc -l) in $SENSING_ARTIFACTS"
fi
# The failed tests again, each with the start of its message, so that the end of the run's output names them.
awk '/^ *Failed [^:]/ && !/^ *Failed: / { print; n = 12; next } n > 0 && /^ *(Passed|Skipped|Failed) / { n = 0 } n > 0 { print; n-- }' "$log" |
  sed 's/^/failed: /'
# One closing line over both projects, from the runner's own per-project summaries.
awk '/^ *Total tests:/ { t = 1 } t && /^ *Passed: *[0-9]/ { p += $2 } t && /^ *Failed: *[0-9]/ { f += $2 } t && /^ *Skipped: *[0-9]/ { s += $2 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
