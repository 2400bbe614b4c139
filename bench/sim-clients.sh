#!/usr/bin/env bash
# The simulated devices' MQTT client side by side with MQTTnet: SESSIONS sessions in one process per client, each
# publishing one QoS 1 reading every INTERVAL seconds for DURATION seconds, against mosquitto (two instances, so no
# server process needs more open files than it may have). Runs handwritten, mqttnet, handwritten, mqttnet (ROUNDS
# pairs) so both see the same noise; prints memory per session and CPU per acknowledged message of each, and the
# mqttnet/handwritten ratios. The client process's open-files limit is 20,000 (hard), so SESSIONS defaults to the most
# that fit beside the runtime's own descriptors.
#
# Settings (environment): SESSIONS=19800 INTERVAL=10 DURATION=60 ROUNDS=1 SKIP_BUILD=1 (use the existing Release build).
set -euo pipefail

SESSIONS=${SESSIONS:-19800}
INTERVAL=${INTERVAL:-10}
DURATION=${DURATION:-60}
ROUNDS=${ROUNDS:-1}

source "$(dirname "$0")/lib.sh" sensing-sim-clients
if [[ -z "${SKIP_BUILD:-}" ]]; then
  dotnet build "$root/bench/Sensing.LibraryBench" -c Release -v q -nologo >/dev/null
fi
bench_dll="$root/bench/Sensing.LibraryBench/bin/Release/net10.0/Sensing.LibraryBench.dll"
ulimit -n "$(ulimit -Hn)"

echo "bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), sessions=$SESSIONS interval=${INTERVAL}s duration=${DURATION}s rounds=$ROUNDS, open files $(ulimit -n)"
echo "uptime: $(uptime)"

targets=()
for i in 1 2; do
  port=$(free_port)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\nmax_queued_messages 0\nmax_connections -1\n' "$port" >"$work/mosquitto-$i.conf"
  mosquitto -c "$work/mosquitto-$i.conf" >"$work/mosquitto-$i.log" 2>&1 &
  pids+=("$!")
  wait_for_port "$port"
  targets+=("127.0.0.1:$port")
done
target_list=$(IFS=,; echo "${targets[*]}")

results="$work/results"
for round in $(seq "$ROUNDS"); do
  for client in handwritten mqttnet; do
    echo "round $round: $client"
    dotnet "$bench_dll" sessions "$client" "$target_list" "$SESSIONS" "$INTERVAL" "$DURATION" 2>&1 | tee "$work/$client-$round.out" | sed 's/^/  /'
    grep '^result ' "$work/$client-$round.out" >>"$results" || true
    sleep 3
  done
done
echo "uptime: $(uptime)"

echo
awk '
  function field(name,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] } return 0 }
  { c = field("client"); n[c]++; rss[c] += field("rss_per_session_kb"); heap[c] += field("heap_per_session_kb"); cpu[c] += field("cpu_us_per_msg"); rate[c] += field("rate"); s[c] = field("sessions") }
  END {
    printf "%-12s %10s %16s %17s %10s %14s\n", "client", "sessions", "RSS KB/session", "heap KB/session", "msg/s", "CPU us/msg"
    for (c in n) printf "%-12s %10d %16.1f %17.1f %10.0f %14.1f\n", c, s[c], rss[c]/n[c], heap[c]/n[c], rate[c]/n[c], cpu[c]/n[c]
    if (n["handwritten"] && n["mqttnet"]) {
      printf "ratio mqttnet/handwritten: memory (RSS) per session %.2f, CPU per message %.2f\n", (rss["mqttnet"]/n["mqttnet"]) / (rss["handwritten"]/n["handwritten"]), (cpu["mqttnet"]/n["mqttnet"]) / (cpu["handwritten"]/n["handwritten"])
    }
  }' "$results"
