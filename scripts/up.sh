#!/usr/bin/env bash
# Runs the whole city on this machine: real Kafka and VictoriaMetrics, gateways, processors, the alert feed and the
# simulated fleet over real MQTT connections, each a process of its own; ends with a summary. Arguments go to
# `sensing up` (e.g. --devices 3000 --duration 90 --interval 5 for a quick run; README.md says what it prints).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Sensing -c Release -nologo -v quiet
# The gateways run the native build: less memory per device connection and less CPU per message (bench/README.md).
native=$(bash scripts/native.sh)
# Each gateway and simulator process holds thousands of connections: every process may open as many files as allowed.
ulimit -n "$(ulimit -Hn)"
exec dotnet src/Sensing/bin/Release/net10.0/sensing.dll up --gateway-exe "$native" "$@"
