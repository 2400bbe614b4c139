#!/usr/bin/env bash
# The simulated city split over several simulator processes (`sensing sim city --processes`), publishing to BROKERS
# mosquitto brokers (one process may hold 20,000 files here, brokers included, so 63k persistent sessions need
# several of each). Prints the launcher's `result` line (devices, readings sent and acknowledged, msg/s, simulator
# CPU per message over every shard) and the brokers' CPU time.
#
# Settings (environment): DEVICES=190000 DISTRICTS=100 PROCESSES=4 BROKERS=4 DURATION=3m SPEED=1
# LEAD=120 (seconds from launch to the simulation start: time to open every persistent session) SKIP_BUILD=1.
set -euo pipefail

DEVICES=${DEVICES:-190000}
DISTRICTS=${DISTRICTS:-100}
PROCESSES=${PROCESSES:-4}
BROKERS=${BROKERS:-4}
DURATION=${DURATION:-3m}
SPEED=${SPEED:-1}
LEAD=${LEAD:-120}

source "$(dirname "$0")/lib.sh" sensing-city-shards
ulimit -n 20000
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "city-shards: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg), devices=$DEVICES processes=$PROCESSES brokers=$BROKERS duration=$DURATION speed=$SPEED"
brokers=(); broker_pids=()
for b in $(seq "$BROKERS"); do
  port=$(free_port)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_connections -1\n' "$port" >"$work/mosquitto-$b.conf"
  mosquitto -c "$work/mosquitto-$b.conf" >"$work/mosquitto-$b.log" 2>&1 &
  pids+=("$!"); broker_pids+=("$!"); brokers+=("127.0.0.1:$port")
  wait_for_port "$port"
done

start_ms=$(( ($(date +%s) + LEAD) * 1000 ))
list=$(IFS=,; echo "${brokers[*]}")
"$sensing" sim city --devices "$DEVICES" --districts "$DISTRICTS" --processes "$PROCESSES" --broker "$list" \
  --duration "$DURATION" --speed "$SPEED" --start "$start_ms" | tee "$work/sim.out" | grep -v '^[0-9][0-9]:[0-9][0-9] ' || true

ticks=$(getconf CLK_TCK); total=0
for pid in "${broker_pids[@]}"; do total=$((total + $(cpu_ticks "$pid"))); done
sent=$(grep -o 'sent=[0-9]*' "$work/sim.out" | tail -1 | cut -d= -f2)
awk -v t="$total" -v hz="$ticks" -v n="${sent:-0}" 'BEGIN { printf "brokers: CPU %.1f s, %.1f us per message\n", t / hz, n ? t / hz * 1e6 / n : 0 }'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
