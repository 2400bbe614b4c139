#!/usr/bin/env bash
# Fault runs: `sensing up --faults SEED` for several seeds, one after another. In each, while the city publishes, a
# gateway, a processor, the Kafka broker, the store and the feed are each killed or stopped once at seeded moments,
# and the summary balances the books from the devices' ack logs (README.md, "Fault runs"). Prints every run's summary,
# then one table row per seed and fault for bench/README.md.
# Usage: bash bench/faults.sh [SEEDS] [sensing up arguments...]   e.g. bash bench/faults.sh "1 2 3" --devices 20000
# Default: seeds 1 2 3, --devices 20000 --duration 420 --interval 30 (a tenth of the city, as CI's CityUpTests; about 10 min a seed). Settings (environment): SKIP_BUILD=1.
set -euo pipefail

source "$(dirname "$0")/lib.sh" sensing-faults
ulimit -n "$(ulimit -Hn)"
seeds=${1:-1 2 3}
shift || true
args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(--devices 20000 --duration 420 --interval 30)
echo "faults: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), seeds: $seeds, sensing up ${args[*]}, uptime: $(uptime)"
status=0
for seed in $seeds; do
  echo "=== seed $seed, $(date -u +%H:%MZ), uptime: $(uptime)"
  "$sensing" up --gateway-exe "$native" "${args[@]}" --faults "$seed" | tee "$work/seed-$seed.out" || status=$?
done
echo "load after: $(uptime)"

# One row per seed (the books) and one per seed and fault (recovery), from each run's `result` line.
value() { grep -o " $2=[^ ]*" "$work/seed-$1.out" | tail -1 | cut -d= -f2; }
echo
echo "| seed | passed | acknowledged (ack log) | lost | duplicated in Kafka | incidents detected / missed | alerts raised twice | raise events replayed (same id) | alert ids vs an uninterrupted replay: missing / extra (time-driven) | feed missing / extra | store minutes over / under | peak RSS MiB: gateway / processor / store sink / feed |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for seed in $seeds; do
  echo "| $seed | $(value "$seed" passed) | $(value "$seed" acklog_entries) | $(value "$seed" lost) | $(value "$seed" kafka_duplicates) |" \
    "$(value "$seed" detected) / $(value "$seed" missed) | $(value "$seed" raised_twice) | $(value "$seed" raise_replayed) |" \
    "$(value "$seed" replay_missing) / $(value "$seed" replay_extra) ($(value "$seed" replay_time_driven)) |" \
    "$(value "$seed" feed_missing) / $(value "$seed" feed_extra) | $(value "$seed" store_over) / $(value "$seed" store_under) |" \
    "$(value "$seed" rss_mib_gateway) / $(value "$seed" rss_mib_processor) / $(value "$seed" rss_mib_store_sink) / $(value "$seed" rss_mib_feed) |"
done
echo
echo "| fault | seed | down (s) | recovered after (s) |"
echo "|---|---|---|---|"
for kind in GatewayKill ProcessorKill BrokerKill StoreStop FeedKill; do
  for seed in $seeds; do
    echo "| $kind | $seed | $(value "$seed" "down_s_$kind") | $(value "$seed" "recover_s_$kind") |"
  done
done
exit "$status"
