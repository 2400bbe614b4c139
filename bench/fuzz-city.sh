#!/usr/bin/env bash
# Bad input at city load (issue 13): the same city twice, `sensing up` without and then with `--fuzz PACKETS`, where a
# seeded fuzzer (`sensing load fuzz`, a process of its own) sends malformed and hostile MQTT packets to every gateway
# while the city publishes (README.md, "Fuzz runs"). Prints both runs' summaries, then tables for bench/README.md:
# packets sent, hostile connections ended by case and reason, and the honest devices' PUBLISH-to-PUBACK latency with
# and without the fuzzer. Neither run kills a gateway (a fuzz run kills none), so the two are the same city.
# Usage: bash bench/fuzz-city.sh [PACKETS] [sensing up arguments...]   e.g. bash bench/fuzz-city.sh 100000 --devices 2000
# Default: 1,000,000 packets, --devices 20000 --duration 1500 --interval 30 (a tenth of the city for 25 minutes: a
# check run on this machine, shared, sent 645 hostile connections a second, so a million take about as long; the
# fuzz row says from when to when the fuzzer ran). Settings (environment): SKIP_BUILD=1; FUZZ_CONCURRENCY=N hostile
# connections open at once (default 256: slow-loris connections hold their slot for seconds, so the rate grows with it).
# Run it alone on the machine: the latencies compare two runs, and other work on the cores blurs them.
set -euo pipefail

source "$(dirname "$0")/lib.sh" sensing-fuzz-city
ulimit -n "$(ulimit -Hn)"
packets=${1:-1000000}
shift || true
args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(--devices 20000 --duration 1500 --interval 30)
[[ " ${args[*]} " == *" --no-gateway-kill "* ]] || args+=(--no-gateway-kill)
echo "fuzz-city: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $packets packets, sensing up ${args[*]}"
status=0
echo "=== without the fuzzer, $(date -u +%H:%MZ), uptime: $(uptime)"
"$sensing" up --gateway-exe "$native" "${args[@]}" | tee "$work/baseline.out" || status=$?
echo "=== with --fuzz $packets, $(date -u +%H:%MZ), uptime: $(uptime)"
"$sensing" up --gateway-exe "$native" "${args[@]}" --fuzz "$packets" ${FUZZ_CONCURRENCY:+--fuzz-concurrency "$FUZZ_CONCURRENCY"} | tee "$work/fuzz.out" || status=$?
echo "load after: $(uptime)"

# The figures, from each run's `result` line.
value() { grep '^result ' "$work/$1.out" | tail -1 | grep -o " $2=[^ ]*" | cut -d= -f2 || true; }
echo
echo "| run | passed | readings acknowledged | lost | honest refused / errors | PUBLISH to PUBACK p50 / p99 / max (ms) | peak RSS MiB gateway | pipeline cores | fuzz packets | hostile connections | unexpected endings |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for run in baseline fuzz; do
  fuzz_columns="- | - | -"
  [[ $run == baseline ]] || fuzz_columns="$(value fuzz fuzz_packets) | $(value fuzz fuzz_connections) | $(value fuzz fuzz_unexpected)"
  echo "| $run | $(value $run passed) | $(value $run acked) | $(value $run lost) | $(value $run refused) / $(value $run errors) |" \
    "$(value $run ack_p50_ms) / $(value $run ack_p99_ms) / $(value $run ack_max_ms) | $(value $run rss_mib_gateway) | $(value $run pipeline_cores) | $fuzz_columns |"
done
echo
echo "fuzzer ran from $(value fuzz fuzz_start_s) s to $(value fuzz fuzz_end_s) s of the publishing; connects moved to the next gateway: $(value fuzz fuzz_moved)"
echo
echo "| case | ended by the gateway | connections |"
echo "|---|---|---|"
# Endings are fuzz_<Case>_<Outcome>=N, both names capitalized (the other fuzz_ keys are lower case).
grep '^result ' "$work/fuzz.out" | tail -1 | grep -o ' fuzz_[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z]*=[0-9]*' |
  sed -E 's/^ fuzz_([A-Za-z0-9]*)_([A-Za-z]*)=([0-9]*)$/| \1 | \2 | \3 |/' || true
exit "$status"
