#!/usr/bin/env bash
# Runs the whole city on this machine: real Kafka and VictoriaMetrics, gateway, processor, alert feed and a
# simulated fleet over real MQTT connections; ends with a summary. Arguments go to `sensing up`
# (e.g. --devices 5000 --duration 90 --keep-running).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Sensing -c Release -nologo -v quiet
exec dotnet src/Sensing/bin/Release/net10.0/sensing.dll up "$@"
