# Shared by the bench scripts (sourced, not run): builds `sensing` and its native build unless SKIP_BUILD is set,
# makes a work folder that is removed on exit together with every process whose id is in `pids`, and small port
# helpers.
# After sourcing: $root, $sensing, $native, $work, the array pids, and the helpers below (ports, CPU, Kafka, gateway).
# Usage: source "$(dirname "$0")/lib.sh" WORK_PREFIX

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${SKIP_BUILD:-}" ]]; then
  dotnet build "$root/src/Sensing" -c Release -v q -nologo >/dev/null
  bash "$root/scripts/native.sh" >/dev/null
fi
sensing="$root/src/Sensing/bin/Release/net10.0/sensing"
# The native build (scripts/native.sh), which `sensing up` runs its gateways from (--gateway-exe "$native").
native="$root/src/Sensing/bin/native/sensing"
work=$(mktemp -d -t "$1-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "nothing listens on port $1" >&2; return 1
}

# CPU time (user + system, clock ticks) of process $1.
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# A field of /proc/PID/status in kB (status_kb PID VmRSS), the process's resident set, and the connections established
# to a local port.
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
rss_kb() { status_kb "$1" VmRSS; }
established() { ss -Htn state established "( sport = :$1 )" | wc -l; }
# Waits (up to 300 s) until $2 connections are established to local port $1.
wait_established() {
  for _ in $(seq 300); do [[ $(established "$1") -ge $2 ]] && break; sleep 1; done
}

# The whole city's registry with the load driver's devices added, as a gateway would load it: writes $work/load.csv
# (CONNECTIONS devices of `sensing load`, password PASSWORD) and $work/devices.csv (a `sim city` of DEVICES devices
# over DISTRICTS districts, then the load devices with empty coordinates). Arguments: DEVICES DISTRICTS CONNECTIONS PASSWORD.
whole_city_registry() {
  "$sensing" sim city --devices "$1" --districts "$2" --duration 1m --no-incidents --registry-out "$work/city.csv" >/dev/null 2>&1
  "$sensing" load registry --out "$work/load.csv" --devices "$3" --password "$4" >/dev/null
  { cat "$work/city.csv"; tail -n +2 "$work/load.csv" | sed 's/$/,,/'; } >"$work/devices.csv" # lat, lon empty
}

# Starts `sensing load kafka` (Kafka 0.9 with the Sensing topics) in the background; sets kafka (host:port) and
# broker_pid (the broker's JVM, for CPU accounting; empty when not found).
start_kafka() {
  "$sensing" load kafka >"$work/kafka.out" 2>"$work/kafka.err" &
  local kafka_pid=$!
  pids+=("$kafka_pid")
  for _ in $(seq 120); do grep -q '^kafka ' "$work/kafka.out" && break; sleep 0.5; done
  kafka=$(awk '/^kafka /{print $2}' "$work/kafka.out")
  [[ -n "$kafka" ]] || { echo "Kafka did not start:" >&2; cat "$work/kafka.err" >&2; exit 1; }
  broker_pid=$(for p in $(pstree -p "$kafka_pid" | grep -o 'java([0-9]*)' | grep -o '[0-9]*'); do
    tr '\0' ' ' <"/proc/$p/cmdline" | grep -q 'kafka.Kafka' && echo "$p"; done | head -1)
  echo "kafka: $kafka (broker pid ${broker_pid:-?})"
}

# Starts a gateway on a free 127.0.0.1 port with $work/devices.csv against $kafka, logging to $work/$1.log; sets
# gateway_port and gateway_pid. Call wait_for_port "$gateway_port" before driving it.
start_gateway() {
  gateway_port=$(free_port)
  SENSING_KAFKA_LEGACY_VERSION=0.9.0.1 "$sensing" gateway --kafka "$kafka" --registry "$work/devices.csv" \
    --listen "127.0.0.1:$gateway_port" >"$work/$1.log" 2>&1 &
  gateway_pid=$!
  pids+=("$gateway_pid")
}

# Prints how many records sensing.telemetry holds over all its partitions (last offset + 1 each, read with kcat).
telemetry_records() {
  local kcat_args=(-b "$kafka" -X api.version.request=false -X broker.version.fallback=0.9.0.1)
  local partitions total=0 last p
  partitions=$(kcat "${kcat_args[@]}" -L -t sensing.telemetry | grep -c 'partition [0-9]*,' || true)
  for p in $(seq 0 $((partitions - 1))); do
    last=$(kcat "${kcat_args[@]}" -C -t sensing.telemetry -p "$p" -o -1 -e -q -f '%o\n' 2>/dev/null | tail -1)
    total=$((total + ${last:--1} + 1))
  done
  echo "$total"
}
