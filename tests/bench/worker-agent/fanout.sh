#!/usr/bin/env bash
# Fan-out of a spec change to N hollow agents, on a running dev stack (source its stack.env first).
# Starts N `nebula-worker-agent --runtime=hollow` (all following one bench app), waits until each has
# read the app, then runs U updates (`nebula apps update --env`), one at a time. Per update:
#   t0 = wall clock right after `nebula apps update` returned (UpdateApp committed);
#   each agent's observation time = the timestamp (ms, UTC) of its log line
#   "desired app/<app>: new generation", written when its desired view applies the newer record;
#   all-observed = max over agents - t0.
# The next update starts only after every agent observed the previous one (plus a short settle).
# Before the updates, the idle cost: CPU (utime+stime from /proc) of the N agents together and of
# the Kafka broker (the process listening on the stack's Kafka port) over IDLE_SECONDS (default 30;
# 0 skips it), with the load average, since other work on the machine skews it; and for the first
# agent, per thread (by name): wake-ups/s (context switches) and CPU µs/s (/proc/.../schedstat).
# Usage: fanout.sh <bin dir> <N> [U=10]. Prints one line per update and a summary line.
# Removes what it made (agents, logs, the app).
set -euo pipefail
BIN=${1:?bin dir}; N=${2:?agents}; U=${3:-10}
: "${NEBULA_ENDPOINT:?source the stack.env}" "${NEBULA_KAFKA_BROKERS:?}"
export NEBULA_ENDPOINT
RUN=fo$$
APP=$RUN-app
DIR=$(mktemp -d "/tmp/$RUN.XXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  "$BIN/nebula" apps delete "$APP" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

PATTERN="desired app/$APP: new generation"
# Wait until every agent log has at least k observation lines; give up after $2 seconds.
# One grep per poll: polling must not compete with the agents for the two cores.
wait_all() {
  local k=$1 limit=$2 start=$SECONDS short
  while :; do
    short=$({ grep -c "$PATTERN" "$DIR"/a*.log || true; } | awk -F: -v k="$k" '$NF < k' | wc -l)
    [[ $short -eq 0 ]] && return 0
    if ((SECONDS - start > limit)); then echo "timeout: $short of $N agents missing observation $k" >&2; return 1; fi
    sleep 0.2
  done
}
# Seconds from t0 to the k-th observation line of every agent (ms timestamps, UTC), one per line.
observed_after() {
  grep -H "$PATTERN" "$DIR"/a*.log | python3 -c '
import sys, collections, datetime
k, t0 = int(sys.argv[1]), float(sys.argv[2])
seen = collections.Counter()
for line in sys.stdin:
    f, rest = line.split(":", 1)
    seen[f] += 1
    if seen[f] == k:
        ts = rest.split()[0][3:].rstrip("Z")
        t = datetime.datetime.fromisoformat(ts).replace(tzinfo=datetime.timezone.utc).timestamp()
        print(f"{t - t0:.3f}")
' "$1" "$2"
}

"$BIN/nebula" apps create "$APP" --image busybox:bench --env GEN=0 >/dev/null

mem0=$(awk '/MemAvailable/{print $2}' /proc/meminfo)
t_start=$(date +%s.%N)
for ((i = 0; i < N; i++)); do
  "$BIN/nebula-worker-agent" --runtime=hollow --apps "$APP" --worker-id "$RUN-w$i" \
    --kafka-brokers "$NEBULA_KAFKA_BROKERS" --listen 127.0.0.1:0 --log-level info \
    --resync-seconds 3600 --report-interval-seconds 3600 \
    --kafka-setting queued.max.messages.kbytes=1024 --kafka-setting fetch.max.bytes=1048576 \
    --kafka-setting queued.min.messages=100 >"$DIR/a$i.log" 2>&1 &
  PIDS+=($!)
done
wait_all 1 600
t_ready=$(date +%s.%N)
mem1=$(awk '/MemAvailable/{print $2}' /proc/meminfo)
anon=0  # RssAnon: private to each agent (the shared libraries' pages are counted once by MemAvailable)
for p in "${PIDS[@]}"; do anon=$((anon + $(awk '/RssAnon/{print $2}' "/proc/$p/status"))); done
echo "N=$N: all agents started and synced in $(echo "$t_ready - $t_start" | bc) s; RssAnon sum $((anon / 1024)) MiB; MemAvailable dropped $(((mem0 - mem1) / 1024)) MiB"
sleep 5  # let the start-up load settle

IDLE_SECONDS=${IDLE_SECONDS:-30}
if ((IDLE_SECONDS > 0)); then
  ticks() { local sum=0 p; for p in "$@"; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $sum; }
  kport=${NEBULA_KAFKA_BROKERS##*:}
  broker=$(ss -Hltnp "sport = :$kport" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
  threads() {  # tid name switches cpu-ns, for the first agent
    local t
    for t in /proc/${PIDS[0]}/task/*; do
      echo "${t##*/} $(tr ' ' _ <"$t/comm") $(awk '/ctxt_switches/{n += $2} END {print n}' "$t/status") $(cut -d' ' -f1 "$t/schedstat")"
    done 2>/dev/null | sort
  }
  t0=$(threads); a0=$(ticks "${PIDS[@]}"); b0=$(ticks $broker); i0=$(date +%s.%N)
  sleep "$IDLE_SECONDS"
  t1=$(threads); a1=$(ticks "${PIDS[@]}"); b1=$(ticks $broker); i1=$(date +%s.%N)
  python3 -c '
import sys
n, a, b, el, hz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
agents, broker = 100 * a / hz / el, 100 * b / hz / el
print(f"N={n} idle over {el:.0f} s: agents {agents / n:.3f} % CPU each ({agents:.1f} % together); broker {broker:.1f} %", end="")
' "$N" "$((a1 - a0))" "$((b1 - b0))" "$(echo "$i1 - $i0" | bc)" "$(getconf CLK_TCK)"
  [[ -n $broker ]] || printf ' (broker process not found)'
  echo "; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  join <(echo "$t0") <(echo "$t1") | awk -v s="$IDLE_SECONDS" '
    { w[$2] += ($6 - $3) / s; c[$2] += ($7 - $4) / s / 1000; n[$2]++; W += ($6 - $3) / s; C += ($7 - $4) / s / 1000 }
    END { printf "agent 0 idle per thread (name ×count: wake-ups/s, CPU µs/s):"
          for (k in w) if (w[k] >= 0.05) printf " %s×%d %.1f/s %.0fµs;", k, n[k], w[k], c[k]
          printf " total %.1f/s %.0f µs/s\n", W, C }'
fi

ALL=()    # per update: max over agents - t0
EACH=()   # per (update, agent): observation - t0
ALLB=()   # per update: max over agents - the time just before the CLI call (includes the UpdateApp RPC)
for ((u = 1; u <= U; u++)); do
  tb=$(date +%s.%N)
  "$BIN/nebula" apps update "$APP" --env "GEN=$u" >/dev/null
  t0=$(date +%s.%N)
  wait_all $((u + 1)) 120
  mapfile -t d < <(observed_after $((u + 1)) "$t0")
  EACH+=("${d[@]}")
  max=$(printf '%s\n' "${d[@]}" | sort -g | tail -1)
  ALL+=("$max")
  cli=$(echo "$t0 - $tb" | bc)
  ALLB+=("$(echo "$max + $cli" | bc)")
  echo "N=$N update $u: all observed after $max s (the CLI call itself took $cli s)"
  sleep 1
done

pct() {  # pct <p> <values...>: nearest-rank percentile
  local p=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v p="$p" '{v[NR]=$1} END {r=int((p*NR+99)/100); if (r<1) r=1; print v[r]}'
}
echo "N=$N U=$U all-observed p50 $(pct 50 "${ALL[@]}") s p99 $(pct 99 "${ALL[@]}") s;" \
  "per-agent p50 $(pct 50 "${EACH[@]}") s p99 $(pct 99 "${EACH[@]}") s;" \
  "from before the CLI call p50 $(pct 50 "${ALLB[@]}") s p99 $(pct 99 "${ALLB[@]}") s"
