#!/usr/bin/env bash
# The gateway's readings/s when devices publish one reading per PUBLISH versus concentrators publishing batches
# (docs/gateway.md, "Concentrators"), driven by `sensing load` against one gateway writing to a real Kafka 0.9
# broker, QoS 1 (PUBACK only after Kafka acknowledged every reading of the message). Rounds alternate the two forms.
# Prints readings/s, PUBACK p50/p99 per message, gateway + broker CPU per 1,000 readings; then checks that Kafka holds
# every reading the gateway acknowledged.
#
# Settings (environment): CONNECTIONS=200 (single-device connections) CONCENTRATORS=20 BATCH=50 (readings per batch)
# READINGS=400000 (readings/s aimed at, open loop, above capacity) DURATION=15 WINDOW=64 (QoS 1 messages in flight
# per single-device connection) BATCH_WINDOW (per concentrator; default: as many readings in flight over all
# concentrators as over all single-device connections, WINDOW x CONNECTIONS / (CONCENTRATORS x BATCH)) SOURCES=4
# ROUNDS=2 SKIP_BUILD=1 (use the existing Release build).
set -euo pipefail

CONNECTIONS=${CONNECTIONS:-200}
CONCENTRATORS=${CONCENTRATORS:-20}
BATCH=${BATCH:-50}
READINGS=${READINGS:-400000}
DURATION=${DURATION:-15}
WINDOW=${WINDOW:-64}
BATCH_WINDOW=${BATCH_WINDOW:-$(( WINDOW * CONNECTIONS / (CONCENTRATORS * BATCH) > 0 ? WINDOW * CONNECTIONS / (CONCENTRATORS * BATCH) : 1 ))}
SOURCES=${SOURCES:-4}
ROUNDS=${ROUNDS:-2}
PASSWORD=load-bench

source "$(dirname "$0")/lib.sh" sensing-bench

echo "bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), single: $CONNECTIONS connections; batches: $CONCENTRATORS concentrators x $BATCH devices; readings=$READINGS/s duration=${DURATION}s window=$WINDOW batch window=$BATCH_WINDOW rounds=$ROUNDS"

start_kafka

devices=$(( CONNECTIONS > CONCENTRATORS * BATCH ? CONNECTIONS : CONCENTRATORS * BATCH ))
"$sensing" load registry --out "$work/devices.csv" --devices "$devices" --concentrators "$CONCENTRATORS" --password "$PASSWORD"
start_gateway gateway
wait_for_port "$gateway_port"

# run NAME CONNECTIONS BATCH WINDOW: one driver run; appends "NAME readings/s p50 p99 acked_readings cpu_ms_per_1000" to results
results="$work/results"
run() {
  local name=$1 connections=$2 batch=$3 window=$4
  local rate=$(( READINGS / batch ))
  local before=0 after=0 p servers=("$gateway_pid" ${broker_pid:+"$broker_pid"})
  for p in "${servers[@]}"; do before=$((before + $(cpu_ticks "$p"))); done
  local line
  line=$("$sensing" load --target "127.0.0.1:$gateway_port" --connections "$connections" --rate "$rate" --qos 1 --batch "$batch" \
    --duration "$DURATION" --window "$window" --sources "$SOURCES" --registry "$work/devices.csv" --password "$PASSWORD" 2>/dev/null)
  for p in "${servers[@]}"; do after=$((after + $(cpu_ticks "$p"))); done
  echo "  $name: $line"
  local msgs p50 p99 acked
  msgs=$(grep -o 'rate=[0-9]*' <<<"$line" | cut -d= -f2)
  p50=$(grep -o 'p50=[0-9.]*' <<<"$line" | cut -d= -f2)
  p99=$(grep -o 'p99=[0-9.]*' <<<"$line" | cut -d= -f2)
  acked=$(( $(grep -o 'acked=[0-9]*' <<<"$line" | cut -d= -f2) * batch ))
  # /proc/PID/stat counts CPU in clock ticks (getconf CLK_TCK): ms of gateway + broker CPU per 1,000 readings.
  local cpu
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$acked" 'BEGIN { printf "%.1f", n ? t * 1000 / hz / n * 1000 : 0 }')
  echo "$name $((msgs * batch)) $p50 $p99 $acked $cpu" >>"$results"
}

# Warm up both forms (JIT, Kafka connections); counted only in the no-loss check.
warm=0
for form in "$CONNECTIONS 1" "$CONCENTRATORS $BATCH"; do
  set -- $form
  acked=$("$sensing" load --target "127.0.0.1:$gateway_port" --connections "$1" --rate $(( 20000 / $2 )) --batch "$2" --duration 3 \
    --sources "$SOURCES" --registry "$work/devices.csv" --password "$PASSWORD" 2>/dev/null | grep -o 'acked=[0-9]*' | cut -d= -f2)
  warm=$(( warm + ${acked:-0} * $2 ))
done

for round in $(seq "$ROUNDS"); do
  echo "round $round"
  run single "$CONNECTIONS" 1 "$WINDOW"
  run batches "$CONCENTRATORS" "$BATCH" "$BATCH_WINDOW"
done

# Every reading the gateway acknowledged (warm-up included) must be in sensing.telemetry (next to the devices' online records).
in_kafka=$(telemetry_records)

echo
awk -v in_kafka="$in_kafka" -v warm="$warm" -v batch="$BATCH" '
  { n[$1]++; rate[$1] += $2; p50[$1] += $3; p99[$1] += $4; acked[$1] += $5; cpu[$1] += $6 }
  END {
    printf "%-10s %12s %14s %14s %28s\n", "form", "readings/s", "p50 ms/msg", "p99 ms/msg", "gateway+broker CPU ms/1k rd"
    for (s in n) printf "%-10s %12.0f %14.2f %14.2f %28.1f\n", s, rate[s]/n[s], p50[s]/n[s], p99[s]/n[s], cpu[s]/n[s]
    if (n["single"] && rate["single"]) printf "ratio batches/single (readings/s, mean of rounds): %.2f (batch of %d)\n", (rate["batches"]/n["batches"]) / (rate["single"]/n["single"]), batch
    total = acked["single"] + acked["batches"] + warm
    printf "gateway acknowledged %d readings in all; sensing.telemetry holds %d records: %s\n", total, in_kafka, (in_kafka >= total ? "none lost" : "MISSING " (total - in_kafka))
  }' "$results"
