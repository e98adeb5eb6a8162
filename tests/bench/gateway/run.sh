#!/usr/bin/env bash
# Benchmarks GetApp and ListApps through nebula-gateway and through the reference grpc-gateway v2.33.0,
# both in front of the same api-manager, with wrk (Debian package). Prints one line per run.
#
# Usage: run.sh BUILD_DIR NEBULA_ENDPOINT [DURATION_SECONDS] [CONNECTIONS]
#   BUILD_DIR       holds bin/nebula-gateway; the reference is built into BUILD_DIR/bench-reference-gateway
#   NEBULA_ENDPOINT api-manager host:port (e.g. from a dev stack's stack.env)
# BASELINE_GATEWAY=<path to another nebula-gateway binary> adds it as a third contender (A/B of two
# builds in the same minute); OURS_PORT, REF_PORT, BASELINE_PORT pick the listen ports.
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
endpoint=${2:?api-manager host:port}
duration=${3:-10}
connections=${4:-32}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
ours_port=${OURS_PORT:-43090}
ref_port=${REF_PORT:-43091}
baseline_port=${BASELINE_PORT:-43092}
baseline=${BASELINE_GATEWAY:-}
threads=2

command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }
ref_dir="$build/bench-reference-gateway"
[[ -x "$ref_dir/reference-gateway" ]] ||
  "$repo/tests/services/gateway/side_by_side/build_reference_gateway.sh" "$repo/proto" "$ref_dir" "$ref_dir/reference-gateway"

"$build/bin/nebula-gateway" --listen "127.0.0.1:$ours_port" --upstream "$endpoint" --log-level warn &
ours=$!
"$ref_dir/reference-gateway" --listen "127.0.0.1:$ref_port" --upstream "$endpoint" 2>/dev/null &
ref=$!
pids="$ours $ref"
ports="$ours_port $ref_port"
if [[ -n "$baseline" ]]; then
  "$baseline" --listen "127.0.0.1:$baseline_port" --upstream "$endpoint" --log-level warn &
  pids="$pids $!"
  ports="$ports $baseline_port"
fi
trap 'kill $pids 2>/dev/null; wait $pids 2>/dev/null || true' EXIT
for port in $ports; do
  for _ in $(seq 50); do curl -sf "127.0.0.1:$port/v1/apps" >/dev/null && break; sleep 0.1; done
done

# A handful of apps so ListApps returns a realistic page.
for i in $(seq 1 20); do
  curl -s -XPOST "127.0.0.1:$ours_port/v1/apps" \
    -d "{\"name\":\"bench-$i\",\"spec\":{\"image\":\"nginx:1\",\"env\":{\"A\":\"$i\"},\"ports\":[{\"hostPort\":$((20000 + i * 10)),\"containerPort\":80}]}}" >/dev/null
done

run() {  # name port path
  local out
  out=$(wrk -t$threads -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$2$3")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  printf '%-22s %-12s %10s req/s  p50 %-9s p99 %-9s non-2xx %s\n' "$1" "$3" "$rps" "$p50" "$p99" "${errors:-0}"
}
for path in /v1/apps/bench-1 "/v1/apps?page_size=20"; do
  run nebula-gateway "$ours_port" "$path"
  run grpc-gateway-v2.33.0 "$ref_port" "$path"
  [[ -z "$baseline" ]] || run baseline "$baseline_port" "$path"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
