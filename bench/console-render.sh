#!/usr/bin/env bash
# First render of the operator console with N active alerts (default 5,000 over 100 districts), in Debian's chromium
# driven by Playwright (the Node driver shipped in the Microsoft.Playwright NuGet package), against a real feed on
# Kafka 0.9. Prints, per run, the time from navigation start to the first rendered list (the page's
# `console-first-render` performance mark), and the time for paging and filtering round trips.
# Usage: bench/console-render.sh [ALERTS] [DISTRICTS] [RUNS]    (SKIP_BUILD=1 to use the built sensing)
# BASELINE=REV also opens the console files of git revision REV (served to the page in place of the built ones, on
# the same feed) for comparison: the console before the feed paged the list loaded every alert and filtered them.
set -euo pipefail
alerts=${1:-5000}
districts=${2:-100}
runs=${3:-5}
source "$(dirname "$0")/lib.sh" console-render

playwright=$(ls -d ~/.nuget/packages/microsoft.playwright/*/.playwright | sort -V | tail -1)
node="$playwright/node/linux-x64/node"
[[ -x "$node" && -x /usr/bin/chromium ]] || { echo "needs the Microsoft.Playwright package restored and /usr/bin/chromium" >&2; exit 1; }

start_kafka
key="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf 'bench,operator,%s\n' "$(printf %s "$key" | sha256sum | cut -d' ' -f1)" >"$work/keys.csv"
feed_port=$(free_port)
SENSING_KAFKA_LEGACY_VERSION=0.9.0.1 "$sensing" feed --kafka "$kafka" --api-keys "$work/keys.csv" \
  --url "http://127.0.0.1:$feed_port" --time-zone Asia/Shanghai >"$work/feed.log" 2>&1 &
pids+=("$!")
wait_for_port "$feed_port"

# The processor's raises, as on sensing.alerts: key = alert id, value = the event's JSON. Severities 5 % Critical,
# 20 % High, 40 % Medium, 35 % Low; raise times over the last 12 hours.
python3 - "$alerts" "$districts" >"$work/alerts.txt" <<'PY'
import json, random, sys, time
alerts, districts = int(sys.argv[1]), int(sys.argv[2])
random.seed(16)
now = int(time.time() * 1000)
conditions = ["gas.methane-high", "gas.meter-micro-leak", "device.low-battery", "water.low-pressure", "device.offline", "charger.out-of-service"]
for i in range(alerts):
    severity = random.choices(["Critical", "High", "Medium", "Low"], [5, 20, 40, 35])[0]
    raised = now - random.randrange(12 * 3600 * 1000)
    source = "bench-%06d" % i
    event = {"id": "a-%016x" % (0xbe0000000000 + i), "type": "Raised", "source": source, "condition": random.choice(conditions),
             "severity": severity, "district": "d%03d" % (i % districts), "deviceKind": "methane-detector",
             "raisedAtMs": raised, "eventTimeMs": raised, "value": 30.0, "peakValue": 30.0, "count": 1,
             "message": "bench alert %d" % i}
    print(event["id"] + "\t" + json.dumps(event, separators=(",", ":")))
PY
kcat -P -b "$kafka" -X api.version.request=false -X broker.version.fallback=0.9.0.1 -t sensing.alerts -K $'\t' -l "$work/alerts.txt"
for _ in $(seq 120); do
  applied=$(curl -s "http://127.0.0.1:$feed_port/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["alertEventsApplied"])')
  [[ "$applied" -ge "$alerts" ]] && break
  sleep 0.5
done
echo "feed: $applied alert events applied"
for _ in 1 2 3; do
  curl -s -o /dev/null -H "X-Api-Key: $key" -w 'GET /api/alerts?state=open&sort=severity&limit=100: %{time_total} s, ' \
    "http://127.0.0.1:$feed_port/api/alerts?state=open&sort=severity&severity=Low&offset=0&limit=100"
  curl -s -o /dev/null -H "X-Api-Key: $key" -w 'GET /api/districts: %{time_total} s\n' "http://127.0.0.1:$feed_port/api/districts"
done
# What the console loaded before the feed paged the list: every alert, filtered in the browser.
curl -s -o /dev/null -H "X-Api-Key: $key" -w 'before paging, GET /api/alerts?state=all&limit=10000: %{time_total} s, %{size_download} bytes\n' \
  "http://127.0.0.1:$feed_port/api/alerts?state=all&limit=10000"
curl -s -o /dev/null -H "X-Api-Key: $key" -w 'one page, GET /api/alerts?...&limit=100: %{size_download} bytes\n' \
  "http://127.0.0.1:$feed_port/api/alerts?state=open&sort=severity&severity=Low&offset=0&limit=100"
NODE_PATH="$playwright" "$node" "$(dirname "$0")/console-render.js" "http://127.0.0.1:$feed_port/" "$key" "$alerts" "$runs"
if [[ -n "${BASELINE:-}" ]]; then
  mkdir "$work/baseline"
  for file in index.html console.js console.css; do
    git -C "$root" show "$BASELINE:src/Sensing/Feed/Console/$file" >"$work/baseline/$file"
  done
  echo "baseline: the console of $(git -C "$root" log -1 --format='%h %cs' "$BASELINE")"
  NODE_PATH="$playwright" "$node" "$(dirname "$0")/console-render.js" "http://127.0.0.1:$feed_port/" "$key" "$alerts" "$runs" "$work/baseline"
fi
