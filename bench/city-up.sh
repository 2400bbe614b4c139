#!/usr/bin/env bash
# The whole default city through `sensing up` (190,000 devices, 100 districts, gateways, two processors, the feed,
# the simulator's shards, one gateway killed mid-run), with the machine's load before and after. Arguments go to
# `sensing up` (e.g. --duration 900). The figures for bench/README.md are the summary's tables and its `result` line.
# Settings (environment): SKIP_BUILD=1.
set -euo pipefail

source "$(dirname "$0")/lib.sh" sensing-city-up
ulimit -n "$(ulimit -Hn)"
echo "city-up: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), uptime: $(uptime)"
status=0
"$sensing" up "$@" | tee "$work/up.out" || status=$?
echo "load after: $(uptime)"
exit "$status"
