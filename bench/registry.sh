#!/usr/bin/env bash
# The device registry at city scale: import time of the whole city into sensing.devices, gateways' start-up read of
# it, the time a change takes to reach every running gateway, and gateway memory with the whole registry loaded:
# per device ((RSS with the city - RSS with one device) / devices) and per idle connection (RSS / connections, the
# whole registry included).
#
# Settings (environment): DEVICES=190000 DISTRICTS=100 GATEWAYS=3 CONNECTIONS=10500 (idle connections held on one
# gateway) HOLD=60 SKIP_BUILD=1. BEFORE=path/to/an/older/sensing measures that build the same way with the registry
# file given to each gateway (--registry), for a before/after comparison; its gateways take no topic.
set -euo pipefail

DEVICES=${DEVICES:-190000}
DISTRICTS=${DISTRICTS:-100}
GATEWAYS=${GATEWAYS:-3}
CONNECTIONS=${CONNECTIONS:-10500}
HOLD=${HOLD:-60}
PASSWORD=load-idle

source "$(dirname "$0")/lib.sh" sensing-registry
subject=${BEFORE:-$sensing}
ms() { date +%s%3N; }

echo "registry: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), uptime: $(uptime | sed 's/.*load/load/')"
echo "registry: measuring $subject$([[ -n "${BEFORE:-}" ]] && echo ' (registry file per gateway)' || echo ' (sensing.devices)')"
start_kafka
# The whole city and the idle-connection devices in one registry; one device alone for the baseline.
whole_city_registry "$DEVICES" "$DISTRICTS" "$CONNECTIONS" "$PASSWORD"
head -2 "$work/load.csv" >"$work/one.csv"
entries=$(($(wc -l <"$work/devices.csv") - 1))

gateway_args() { # $1: registry file (BEFORE only)
  if [[ -n "${BEFORE:-}" ]]; then echo "--registry $1"; fi
}
if [[ -z "${BEFORE:-}" ]]; then
  start=$(ms)
  "$sensing" devices import "$work/devices.csv" --kafka "$kafka" --kafka-legacy-version 0.9.0.1 >"$work/import.out" 2>"$work/import.err"
  echo "import: $entries devices in $(( $(ms) - start )) ms ($(tail -1 "$work/import.out"))"
fi

start_part() { # $1 name, $2 registry file; sets part_pid, part_port
  part_port=$(free_port)
  # shellcheck disable=SC2046
  SENSING_KAFKA_LEGACY_VERSION=0.9.0.1 "$subject" gateway --kafka "$kafka" $(gateway_args "$2") \
    --listen "127.0.0.1:$part_port" --gateway-id "$1" --store "http://127.0.0.1:$(free_port)" >"$work/$1.log" 2>&1 &
  part_pid=$!
  pids+=("$part_pid")
}

ports=(); gw_pids=()
for g in $(seq "$GATEWAYS"); do
  start_part "gateway-$g" "$work/devices.csv"
  ports+=("$part_port"); gw_pids+=("$part_pid")
done
for p in "${ports[@]}"; do wait_for_port "$p" || { cat "$work"/gateway-*.log >&2; exit 1; }; done
for g in $(seq "$GATEWAYS"); do grep -m1 '^gateway: ' "$work/gateway-$g.log" | sed "s/^/gateway-$g: /"; done

# The baseline: the same build with one device (a file for both builds: only the registry's size differs).
part_port=$(free_port)
SENSING_KAFKA_LEGACY_VERSION=0.9.0.1 "$subject" gateway --kafka "$kafka" --registry "$work/one.csv" \
  --listen "127.0.0.1:$part_port" --gateway-id baseline --store "http://127.0.0.1:$(free_port)" >"$work/baseline.log" 2>&1 &
base_pid=$!; pids+=("$base_pid"); base_port=$part_port
wait_for_port "$base_port"
sleep 15
base=$(rss_kb "$base_pid"); city=$(rss_kb "${gw_pids[0]}")
awk -v b="$base" -v c="$city" -v n="$entries" 'BEGIN { printf "memory: idle gateway RSS %.1f MB with one device, %.1f MB with %d devices: %.0f bytes per device\n", b/1024, c/1024, n, (c-b)*1024/n }'

if [[ -z "${BEFORE:-}" ]]; then
  # A change reaching every running gateway: a new device, tried on each gateway until it is admitted.
  "$sensing" devices add bench-new --kind methane-detector --district d001 --report-s 30 --password "$PASSWORD" \
    --kafka "$kafka" --kafka-legacy-version 0.9.0.1 >"$work/add.out" 2>&1
  added=$(ms)
  for g in $(seq 0 $((GATEWAYS - 1))); do
    until mosquitto_pub -h 127.0.0.1 -p "${ports[$g]}" -i bench-new -u bench-new -P "$PASSWORD" -q 1 -t sensing/bench-new/up -m '{"seq":1,"lel":0}' 2>/dev/null; do
      (( $(ms) - added > 60000 )) && { echo "gateway-$((g + 1)) did not admit the new device within 60 s" >&2; exit 1; }
      sleep 0.05
    done
    echo "change: gateway-$((g + 1)) admits the added device $(( $(ms) - added )) ms after \`sensing devices add\` returned"
  done
fi

# Idle connections on gateway 1, the whole registry loaded: RSS over connections.
"$sensing" load --target "127.0.0.1:${ports[0]}" --connections "$CONNECTIONS" --rate 0 --duration "$HOLD" \
  --sources 4 --registry "$work/load.csv" --password "$PASSWORD" >"$work/driver.out" 2>"$work/driver.err" &
pids+=("$!")
wait_established "${ports[0]}" "$CONNECTIONS"
sleep 10
n=$(established "${ports[0]}"); rss=$(rss_kb "${gw_pids[0]}")
awk -v n="$n" -v r="$rss" -v c="$city" 'BEGIN { printf "memory: gateway-1 with %d idle connections: RSS %.1f MB, %.1f KB per connection (whole registry included), %.1f KB per connection above its idle RSS\n", n, r/1024, r/n, (r-c)/n }'
echo "registry: done, uptime: $(uptime | sed 's/.*load/load/')"
