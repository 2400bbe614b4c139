#!/usr/bin/env bash
# Memory per idle device connection: starts Kafka 0.9 (`sensing load kafka`) and GATEWAYS gateway processes, warms
# each up (a short load run, so JIT code and first-use pools are in the baseline), reads each gateway's RSS, then holds
# PER_GATEWAY idle MQTT connections to each (one `sensing load --rate 0` per gateway, spread over SOURCES source
# addresses) and prints (RSS - baseline) / connections per gateway.
#
# Settings (environment): GATEWAYS=1 PER_GATEWAY=5000 SOURCES=4 HOLD=90 (seconds the driver holds the connections)
# SKIP_BUILD=1. Each process may hold 20,000 files here: keep PER_GATEWAY below ~19,000.
set -euo pipefail

GATEWAYS=${GATEWAYS:-1}
PER_GATEWAY=${PER_GATEWAY:-5000}
SOURCES=${SOURCES:-4}
HOLD=${HOLD:-90}
PASSWORD=load-idle

source "$(dirname "$0")/lib.sh" sensing-idle

echo "idle: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), gateways=$GATEWAYS connections/gateway=$PER_GATEWAY sources=$SOURCES"
start_kafka
"$sensing" load registry --out "$work/devices.csv" --devices "$PER_GATEWAY" --password "$PASSWORD"

ports=(); gateway_pids=()
for g in $(seq "$GATEWAYS"); do
  start_gateway "gateway-$g"
  gateway_pids+=("$gateway_pid"); ports+=("$gateway_port")
done

baseline=()
for g in $(seq 0 $((GATEWAYS - 1))); do
  wait_for_port "${ports[$g]}"
  "$sensing" load --target "127.0.0.1:${ports[$g]}" --connections 200 --rate 2000 --duration 3 --sources "$SOURCES" \
    --registry "$work/devices.csv" --password "$PASSWORD" >/dev/null 2>&1
done
sleep 5
for g in $(seq 0 $((GATEWAYS - 1))); do baseline+=("$(rss_kb "${gateway_pids[$g]}")"); done

for g in $(seq 0 $((GATEWAYS - 1))); do
  "$sensing" load --target "127.0.0.1:${ports[$g]}" --connections "$PER_GATEWAY" --rate 0 --duration "$HOLD" \
    --sources "$SOURCES" --registry "$work/devices.csv" --password "$PASSWORD" >"$work/driver-$g.out" 2>"$work/driver-$g.err" &
  pids+=("$!")
done

# Wait until every gateway holds its connections, then let them settle.
for _ in $(seq 300); do
  done_count=0
  for g in $(seq 0 $((GATEWAYS - 1))); do
    [[ $(established "${ports[$g]}") -ge $PER_GATEWAY ]] && done_count=$((done_count + 1))
  done
  [[ $done_count -eq $GATEWAYS ]] && break
  sleep 1
done
sleep 10

total_connections=0; total_delta=0
for g in $(seq 0 $((GATEWAYS - 1))); do
  n=$(established "${ports[$g]}")
  rss=$(rss_kb "${gateway_pids[$g]}")
  delta=$((rss - baseline[g]))
  total_connections=$((total_connections + n)); total_delta=$((total_delta + delta))
  awk -v g="$g" -v n="$n" -v b="${baseline[$g]}" -v r="$rss" -v d="$delta" \
    'BEGIN { printf "gateway %d: %d idle connections, RSS %.1f MB -> %.1f MB, %.1f KB per connection\n", g + 1, n, b / 1024, r / 1024, n ? d / n : 0 }'
done
awk -v n="$total_connections" -v d="$total_delta" 'BEGIN { printf "all gateways: %d idle connections, %.1f KB per connection ((RSS - baseline) / N)\n", n, n ? d / n : 0 }'
