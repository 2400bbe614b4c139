# Shared by the bench scripts (sourced, not run): builds `sensing` unless SKIP_BUILD is set, makes a work folder that
# is removed on exit together with every process whose id is in `pids`, and small port helpers.
# After sourcing: $root, $sensing, $work, the array pids.
# Usage: source "$(dirname "$0")/lib.sh" WORK_PREFIX

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${SKIP_BUILD:-}" ]]; then
  dotnet build "$root/src/Sensing" -c Release -v q -nologo >/dev/null
fi
sensing="$root/src/Sensing/bin/Release/net10.0/sensing"
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
