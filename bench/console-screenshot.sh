#!/usr/bin/env bash
# A full-page screenshot of the operator console, once it has rendered the alert list and the city map, in Debian's
# chromium driven by Playwright (the Node driver shipped in the Microsoft.Playwright NuGet package, as
# console-render.sh uses it). For the README and for looking at a whole-city run: point it at the feed `sensing up`
# started, with the operator or viewer key it printed.
# Usage: bench/console-screenshot.sh URL OUT.png [API_KEY]
#   URL      the feed's console, e.g. http://127.0.0.1:8080/
#   API_KEY  a feed key (default: $SENSING_API_KEY)
#   PAGE_SIZE=50 (default; 100, 200, 500: more rows, a taller picture), DETAIL=1 also shows the first alert's detail
#   with its trend chart.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
url=$1
out=$2
key=${3:-${SENSING_API_KEY:-}}
[[ -n "$key" ]] || { echo "console-screenshot: give the API key as the third argument or in SENSING_API_KEY" >&2; exit 2; }

playwright=$(ls -d ~/.nuget/packages/microsoft.playwright/*/.playwright 2>/dev/null | sort -V | tail -1)
node="$playwright/node/linux-x64/node"
[[ -x "$node" && -x /usr/bin/chromium ]] || { echo "needs the Microsoft.Playwright package restored (dotnet build) and /usr/bin/chromium (scripts/setup.sh)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
NODE_PATH="$playwright" "$node" "$(dirname "$0")/console-screenshot.js" "$url" "$(realpath -m "$out")" "$key" "${PAGE_SIZE:-50}" "${DETAIL:-0}"
