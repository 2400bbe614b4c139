#!/usr/bin/env bash
# Side by side, in one run: the Sensing gateway (every reading written to a real Kafka 0.9 broker, PUBACK after
# Kafka acknowledged it), mosquitto (no Kafka) and the MQTTnet 5 server (hosting only, no Kafka:
# bench/Sensing.LibraryBench mqttnet-server), driven by the same `sensing load` at the same settings, QoS 1.
# Rounds alternate mosquitto / MQTTnet / gateway so all see the same noise. Prints msg/s, PUBACK p50/p99, the CPU
# the servers used per 1,000 messages, and the ratios gateway/mosquitto and gateway/MQTTnet; then checks that Kafka
# holds every reading the gateway acknowledged.
#
# Settings (environment): CONNECTIONS=200 RATE=400000 (open loop, above both servers' capacity) DURATION=15
# WINDOW=64 (QoS 1 in flight per connection) SOURCES=4 ROUNDS=2 SKIP_BUILD=1 (use the existing Release build).
set -euo pipefail

CONNECTIONS=${CONNECTIONS:-200}
RATE=${RATE:-400000}
DURATION=${DURATION:-15}
WINDOW=${WINDOW:-64}
SOURCES=${SOURCES:-4}
ROUNDS=${ROUNDS:-2}
PASSWORD=load-bench

source "$(dirname "$0")/lib.sh" sensing-bench
if [[ -z "${SKIP_BUILD:-}" ]]; then
  dotnet build "$root/bench/Sensing.LibraryBench" -c Release -v q -nologo >/dev/null
fi

echo "bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), connections=$CONNECTIONS rate=$RATE duration=${DURATION}s window=$WINDOW sources=$SOURCES rounds=$ROUNDS"
echo "uptime: $(uptime)"

start_kafka

"$sensing" load registry --out "$work/devices.csv" --devices "$CONNECTIONS" --password "$PASSWORD"
start_gateway gateway

mosquitto_port=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\nmax_queued_messages 0\n' "$mosquitto_port" >"$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
mosquitto_pid=$!
pids+=("$mosquitto_pid")
mqttnet_port=$(free_port)
dotnet "$root/bench/Sensing.LibraryBench/bin/Release/net10.0/Sensing.LibraryBench.dll" mqttnet-server "$mqttnet_port" >"$work/mqttnet.log" 2>&1 &
mqttnet_pid=$!
pids+=("$mqttnet_pid")
wait_for_port "$gateway_port"
wait_for_port "$mosquitto_port"
wait_for_port "$mqttnet_port"

# run NAME PORT SERVER_PIDS... : one driver run; appends "NAME rate p50 p99 acked cpu_ms_per_1000" to results
results="$work/results"
run() {
  local name=$1 port=$2; shift 2
  local before=0 after=0 p
  for p in "$@"; do before=$((before + $(cpu_ticks "$p"))); done
  local line
  line=$("$sensing" load --target "127.0.0.1:$port" --connections "$CONNECTIONS" --rate "$RATE" --qos 1 \
    --duration "$DURATION" --window "$WINDOW" --sources "$SOURCES" --registry "$work/devices.csv" --password "$PASSWORD" 2>/dev/null)
  for p in "$@"; do after=$((after + $(cpu_ticks "$p"))); done
  echo "  $name: $line"
  local rate p50 p99 acked
  rate=$(grep -o 'rate=[0-9]*' <<<"$line" | cut -d= -f2)
  p50=$(grep -o 'p50=[0-9.]*' <<<"$line" | cut -d= -f2)
  p99=$(grep -o 'p99=[0-9.]*' <<<"$line" | cut -d= -f2)
  acked=$(grep -o 'acked=[0-9]*' <<<"$line" | cut -d= -f2)
  # /proc/PID/stat counts CPU in clock ticks (getconf CLK_TCK, 100/s): ms of server CPU per 1,000 messages.
  local cpu
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$acked" 'BEGIN { printf "%.1f", n ? t * 1000 / hz / n * 1000 : 0 }')
  echo "$name $rate $p50 $p99 $acked $cpu" >>"$results"
}

# Warm up both (JIT, Kafka connections, mosquitto's first allocations); not counted.
warm_acked=$("$sensing" load --target "127.0.0.1:$gateway_port" --connections "$CONNECTIONS" --rate 20000 --duration 3 \
  --sources "$SOURCES" --registry "$work/devices.csv" --password "$PASSWORD" 2>/dev/null | grep -o 'acked=[0-9]*' | cut -d= -f2)
"$sensing" load --target "127.0.0.1:$mosquitto_port" --connections "$CONNECTIONS" --rate 20000 --duration 3 --sources "$SOURCES" >/dev/null 2>&1 || true
"$sensing" load --target "127.0.0.1:$mqttnet_port" --connections "$CONNECTIONS" --rate 20000 --duration 3 --sources "$SOURCES" >/dev/null 2>&1 || true

for round in $(seq "$ROUNDS"); do
  echo "round $round"
  run mosquitto "$mosquitto_port" "$mosquitto_pid"
  run mqttnet "$mqttnet_port" "$mqttnet_pid"
  run gateway "$gateway_port" "$gateway_pid" ${broker_pid:+"$broker_pid"}
done

# Every reading the gateway acknowledged (warm-up included) must be in sensing.telemetry.
in_kafka=$(telemetry_records)
gateway_rss=$(awk '/VmRSS/{print $2}' "/proc/$gateway_pid/status")

echo
awk -v in_kafka="$in_kafka" -v rss="$gateway_rss" -v warm="${warm_acked:-0}" '
  { n[$1]++; rate[$1] += $2; p50[$1] += $3; p99[$1] += $4; acked[$1] += $5; cpu[$1] += $6 }
  END {
    printf "%-10s %12s %10s %10s %22s\n", "server", "msg/s", "p50 ms", "p99 ms", "server CPU ms/1k msg"
    split("gateway mosquitto mqttnet", order, " ")
    for (i = 1; i <= 3; i++) { s = order[i]; if (n[s]) printf "%-10s %12.0f %10.2f %10.2f %22.1f\n", s, rate[s]/n[s], p50[s]/n[s], p99[s]/n[s], cpu[s]/n[s] }
    if (n["mosquitto"] && rate["mosquitto"]) printf "ratio gateway/mosquitto (msg/s, mean of rounds): %.2f\n", (rate["gateway"]/n["gateway"]) / (rate["mosquitto"]/n["mosquitto"])
    if (n["mqttnet"] && rate["mqttnet"]) printf "ratio gateway/mqttnet (msg/s, mean of rounds): %.2f\n", (rate["gateway"]/n["gateway"]) / (rate["mqttnet"]/n["mqttnet"])
    total = acked["gateway"] + warm
    printf "gateway acknowledged %d readings in all; sensing.telemetry holds %d records: %s; gateway RSS %d MB\n", total, in_kafka, (in_kafka >= total ? "none lost" : "MISSING " (total - in_kafka)), rss / 1024
  }' "$results"
echo "uptime: $(uptime)"
