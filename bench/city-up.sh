#!/usr/bin/env bash
# The whole default city through `sensing up` (190,000 devices, 100 districts, gateways, two processors, the feed,
# the simulator's shards, one gateway killed mid-run), with the machine's load before and after, and screenshots of the
# operator console while the city publishes. Arguments go to `sensing up` (e.g. --duration 900). The figures for
# bench/README.md are the summary's tables and its `result` line.
# Settings (environment): SKIP_BUILD=1; OUT=FOLDER for the run's output (up.out) and the screenshots (default
# artifacts/city-up-<UTC time>/); SHOTS="50 95", the moments of the screenshots in percent of the run ("" for none).
set -euo pipefail

source "$(dirname "$0")/lib.sh" sensing-city-up
ulimit -n "$(ulimit -Hn)"
out=${OUT:-$root/artifacts/city-up-$(date -u +%Y%m%dT%H%MZ)}
mkdir -p "$out"

# The console photographed at each moment of SHOTS: `sensing up` prints the console's address and a viewer key as soon
# as the feed answers ("operator console: URL/ (viewer key KEY)") and a progress line every 5 s ("95 s/600 s").
# One chromium at a time, at nice 10 like the simulator, so the run is hardly disturbed; a failed screenshot is written
# to console-shots.log and does not fail the run. Stops when the run has ended ($work/up.done).
photograph_console() {
  local line url key percent progress at of
  until line=$(grep -m1 -o 'operator console: http://[^ ]*/ (viewer key [^)]*)' "$out/up.out" 2>/dev/null); do
    [[ -e "$work/up.done" ]] && return 0
    sleep 2
  done
  url=${line#operator console: }
  url=${url%% *}
  key=${line##*viewer key }
  key=${key%)}
  for percent in ${SHOTS-50 95}; do
    while :; do
      [[ -e "$work/up.done" ]] && return 0
      progress=$(grep -o ' [0-9]* s/[0-9]* s ' "$out/up.out" | tail -1 || true)
      if [[ -n "$progress" ]]; then
        read -r at _ of _ <<<"${progress//\// }"
        ((at * 100 >= of * percent)) && break
      fi
      sleep 2
    done
    echo "$(date -u +%H:%M:%S) console at $percent % of the run ($at s of $of s)" >>"$out/console-shots.log"
    nice -n 10 bash "$root/bench/console-screenshot.sh" "$url" "$out/console-${percent}pct.png" "$key" >>"$out/console-shots.log" 2>&1 ||
      echo "console-screenshot at $percent % of the run failed" >>"$out/console-shots.log"
  done
}

echo "city-up: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), uptime: $(uptime); output in $out"
photograph_console &
photographer=$!
status=0
"$sensing" up --gateway-exe "$native" "$@" | tee "$out/up.out" || status=$?
echo "load after: $(uptime)"
touch "$work/up.done"
wait "$photographer" || true
[[ -s "$out/console-shots.log" ]] && cat "$out/console-shots.log"
exit "$status"
