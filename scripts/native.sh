#!/usr/bin/env bash
# Compiles `sensing` natively (.NET native AOT: no JIT, no IL loaded at run time) and prints the executable's path.
# `sensing up` runs its gateways from it (scripts/up.sh passes --gateway-exe): a gateway holds ~10,000 device
# connections, and the native build takes less memory per process and less CPU per message (bench/README.md,
# "The native gateway"). Needs clang and zlib1g-dev (scripts/setup.sh installs them); incremental, so a second run
# with nothing changed takes seconds. Extra arguments go to `dotnet publish`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=src/Sensing/bin/native
dotnet publish src/Sensing -c Release -r linux-x64 -p:PublishAot=true -o "$out" -nologo -v quiet "$@" >&2
echo "$PWD/$out/sensing"
