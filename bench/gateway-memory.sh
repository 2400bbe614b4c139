#!/usr/bin/env bash
# Where a loaded gateway's memory goes, for several variants side by side in one run: each variant is one gateway
# started with the whole city's registry file (the default city plus the load devices), measured alone in turn
# against the same Kafka 0.9 broker:
#   idle      RSS 15 s after start (registry loaded, no connection);
#   held      RSS with CONNECTIONS idle connections (`sensing load --rate 0`), 10 s after all are established;
#   traffic   the same number of connections opened again (the idle ones closed: a reconnection storm) publishing
#             RATE QoS 1 msg/s for TRAFFIC_S seconds: peak RSS (during the storm), RSS at the end, and the gateway's
#             CPU (user + system) per 1,000 acknowledged messages.
# Besides VmRSS it prints the anonymous and file-backed parts (/proc/PID/status) and the thread count. Each gateway
# logs its memory every 2 s (SENSING_MEMORY_LOG_S=2); DETAIL=1 prints its mappings by kind and the GC's figures
# (`memory:` lines) with the connections held and at the traffic peak.
#
# Settings (environment): VARIANTS (variants separated by ';', each `label` or `label:VAR=value VAR=value`, the
# variables set for that gateway only; a variable BIN=path runs another build's `sensing`), default
# "current"; DEVICES=190000 DISTRICTS=100 CONNECTIONS=10500 HOLD=40 RATE=1000 TRAFFIC_S=40 SKIP_BUILD=1.
set -euo pipefail

VARIANTS=${VARIANTS:-current}
DEVICES=${DEVICES:-190000}
DISTRICTS=${DISTRICTS:-100}
CONNECTIONS=${CONNECTIONS:-10500}
HOLD=${HOLD:-40}
RATE=${RATE:-1000}
TRAFFIC_S=${TRAFFIC_S:-40}
PASSWORD=load-idle

source "$(dirname "$0")/lib.sh" sensing-gwmem
# Resident KB of the gateway's mappings by kind (named file or [heap], anonymous ones by mapping size).
mappings() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / { named = NF >= 6 ? $6 : "" }
       /^Size:/ { name = named != "" ? named : $2 >= 65536 ? "anon >=64MB" : $2 >= 8192 ? "anon 8-64MB" : $2 >= 1024 ? "anon 1-8MB" : "anon <1MB" }
       /^Rss:/ { rss[name] += $2 }
       END { for (n in rss) if (rss[n] >= 1024) printf "    %8d KB  %s\n", rss[n], n }' "/proc/$1/smaps" | sort -rn | head -15
}

echo "gateway-memory: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), uptime: $(uptime | sed 's/.*load/load/')"
start_kafka
whole_city_registry "$DEVICES" "$DISTRICTS" "$CONNECTIONS" "$PASSWORD"
echo "registry: $(($(wc -l <"$work/devices.csv") - 1)) entries; $CONNECTIONS connections; traffic $RATE msg/s for $TRAFFIC_S s"
printf '| variant | idle RSS MB | held RSS MB (anon / file) | KB per held connection | traffic peak RSS MB (anon) | traffic end RSS MB | KB per connection, traffic end | msg acked (p99 ms) | gateway CPU ms / 1k msg | threads |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'

IFS=';' read -ra variants <<<"$VARIANTS"
for variant in "${variants[@]}"; do
  label=${variant%%:*}
  settings=""; [[ "$variant" == *:* ]] && settings=${variant#*:}
  bin=$sensing; vars=()
  for kv in $settings; do
    if [[ "$kv" == BIN=* ]]; then bin=${kv#BIN=}; else vars+=("$kv"); fi
  done
  port=$(free_port)
  env SENSING_MEMORY_LOG_S=2 "${vars[@]}" SENSING_KAFKA_LEGACY_VERSION=0.9.0.1 "$bin" gateway --kafka "$kafka" --registry "$work/devices.csv" \
    --listen "127.0.0.1:$port" --gateway-id "gw-$label" --store "http://127.0.0.1:$(free_port)" >"$work/$label.log" 2>&1 &
  gw=$!; pids+=("$gw")
  wait_for_port "$port" || { cat "$work/$label.log" >&2; exit 1; }
  sleep 15
  idle=$(status_kb "$gw" VmRSS)

  "$sensing" load --target "127.0.0.1:$port" --connections "$CONNECTIONS" --rate 0 --duration "$HOLD" \
    --sources 4 --registry "$work/load.csv" --password "$PASSWORD" >"$work/$label-idle.out" 2>&1 &
  driver=$!; pids+=("$driver")
  wait_established "$port" "$CONNECTIONS"
  sleep 10
  held_n=$(established "$port"); held=$(status_kb "$gw" VmRSS)
  held_anon=$(status_kb "$gw" RssAnon); held_file=$(status_kb "$gw" RssFile)
  threads=$(status_kb "$gw" Threads)
  if [[ -n "${DETAIL:-}" ]]; then
    echo "  $label with $held_n idle connections:" >&2; mappings "$gw" >&2
    { grep '^memory: ' "$work/$label.log" || true; } | tail -1 | sed 's/^/  /' >&2
  fi
  wait "$driver" 2>/dev/null || true
  sleep 5

  "$sensing" load --target "127.0.0.1:$port" --connections "$CONNECTIONS" --rate "$RATE" --duration "$TRAFFIC_S" \
    --sources 4 --registry "$work/load.csv" --password "$PASSWORD" >"$work/$label-traffic.out" 2>&1 &
  driver=$!; pids+=("$driver")
  wait_established "$port" "$CONNECTIONS"
  cpu0=$(cpu_ticks "$gw"); peak=0; peak_anon=0; last=0
  while kill -0 "$driver" 2>/dev/null; do
    r=$(status_kb "$gw" VmRSS); last=$r
    if (( r > peak )); then
      peak=$r; peak_anon=$(status_kb "$gw" RssAnon)
      peak_line=$(grep '^memory: ' "$work/$label.log" | tail -1 || true)
    fi
    sleep 1
  done
  cpu1=$(cpu_ticks "$gw")
  [[ -n "${DETAIL:-}" ]] && echo "  $label at its traffic peak: ${peak_line:-}" >&2
  result=$(grep '^result' "$work/$label-traffic.out" | tail -1 || true)
  acked=$(grep -o 'acked=[0-9]*' <<<"$result" | cut -d= -f2 || true)
  p99=$(grep -o 'p99=[0-9.]*' <<<"$result" | cut -d= -f2 || true)
  kill "$gw" 2>/dev/null || true; wait "$gw" 2>/dev/null || true
  awk -v l="$label" -v i="$idle" -v h="$held" -v ha="$held_anon" -v hf="$held_file" -v n="$held_n" -v p="$peak" \
    -v pa="$peak_anon" -v e="$last" -v c="$CONNECTIONS" -v a="${acked:-0}" -v t=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" -v th="$threads" -v q="${p99:--}" \
    'BEGIN { printf "| %s | %.1f | %.1f (%.1f / %.1f) | %.1f | %.1f (%.1f) | %.1f | %.1f | %d (%s) | %s | %d |\n", l, i/1024, h/1024, ha/1024, hf/1024,
      n ? h/n : 0, p/1024, pa/1024, e/1024, e/c, a, q, a ? sprintf("%.1f", t * 1000 / hz * 1000 / a) : "-", th }'
done
echo "gateway-memory: done, uptime: $(uptime | sed 's/.*load/load/')"
