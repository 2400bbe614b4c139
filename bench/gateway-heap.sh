#!/usr/bin/env bash
# What one device connection keeps alive in a gateway's managed heap, by type: a JIT gateway with the whole city's
# registry (as bench/gateway-memory.sh builds it) is dumped with dotnet-gcdump (which collects the heap fully first)
# once idle and once holding CONNECTIONS idle connections; the difference, per connection and per type, is printed
# largest first. Live objects only, so unlike RSS it does not depend on where the GC was in its cycle.
# Settings (environment): DEVICES=190000 DISTRICTS=100 CONNECTIONS=10500 TOP=40 SKIP_BUILD=1; BIN=path to run another
# JIT build's `sensing` as the gateway.
set -euo pipefail

DEVICES=${DEVICES:-190000}
DISTRICTS=${DISTRICTS:-100}
CONNECTIONS=${CONNECTIONS:-10500}
TOP=${TOP:-40}
PASSWORD=load-idle

source "$(dirname "$0")/lib.sh" sensing-gwheap
gcdump="$HOME/.dotnet/tools/dotnet-gcdump"
[[ -x "$gcdump" ]] || dotnet tool install -g dotnet-gcdump >/dev/null
echo "gateway-heap: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), uptime: $(uptime | sed 's/.*load/load/')"
start_kafka
whole_city_registry "$DEVICES" "$DISTRICTS" "$CONNECTIONS" "$PASSWORD"
driver=$sensing
sensing=${BIN:-$sensing}
start_gateway gateway
sensing=$driver
wait_for_port "$gateway_port" || { cat "$work/gateway.log" >&2; exit 1; }
sleep 15
"$gcdump" collect -p "$gateway_pid" -o "$work/idle.gcdump" >/dev/null 2>&1
"$gcdump" report "$work/idle.gcdump" >"$work/idle.txt"
"$sensing" load --target "127.0.0.1:$gateway_port" --connections "$CONNECTIONS" --rate 0 --duration 120 \
  --sources 4 --registry "$work/load.csv" --password "$PASSWORD" >"$work/load.out" 2>&1 &
pids+=("$!")
wait_established "$gateway_port" "$CONNECTIONS"
sleep 10
held=$(established "$gateway_port")
"$gcdump" collect -p "$gateway_pid" -o "$work/held.gcdump" >/dev/null 2>&1
"$gcdump" report "$work/held.gcdump" >"$work/held.txt"

# A report line is "<bytes of one object> <count> <type> [assembly]"; a type's total is their product.
python3 - "$work/idle.txt" "$work/held.txt" "$held" "$TOP" <<'PY'
import re, sys
def load(path):
    totals = {}
    for line in open(path):
        m = re.match(r'\s*([\d,]+)\s+([\d,]+)\s+(.*?)\s+\[', line)
        if m:
            name = re.sub(r' \(Bytes > .*?\)', '', m.group(3))
            size, count = int(m.group(1).replace(',', '')), int(m.group(2).replace(',', ''))
            t = totals.setdefault(name, [0, 0]); t[0] += size * count; t[1] += count
    return totals
idle, held, n, top = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"idle heap (registry and the rest): {sum(v[0] for v in idle.values()) / 1e6:.1f} MB; connections held: {n}")
rows = sorted(((v[0] - idle.get(t, [0, 0])[0], v[1] - idle.get(t, [0, 0])[1], t) for t, v in held.items()), reverse=True)
print(f"live bytes per connection: {sum(r[0] for r in rows) / n:.0f}")
print("| bytes per connection | objects | type |\n|---|---|---|")
for size, count, name in rows[:top]:
    print(f"| {size / n:.0f} | {count:,} | {name[:110]} |")
PY
