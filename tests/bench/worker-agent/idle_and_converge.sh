#!/usr/bin/env bash
# worker-agent benchmarks on a running dev stack (source its stack.env first):
#   1. converge: one agent converging an app of N containers, against the same N containers created
#      directly with `docker run -d`, P at a time (the agent's --docker-parallelism);
#   2. idle: the agent's RSS, threads and CPU with 10 apps of 1 container each, once converged,
#      with librdkafka defaults and with smaller fetch queues (--kafka-setting); memory from
#      /proc/<pid>/smaps_rollup: Rss, Pss (shared pages divided among their users), Private (pages only
#      this process has: its own heap and stacks, relocated data, copy-on-write).
# Usage: idle_and_converge.sh <bin dir> [N=20] [P=8]. Prints one line per measurement. Removes what it made.
# WA_BENCH=idle runs the idle part only; WA_AGENT=<path> measures another agent binary (A/B of two
# builds in the same minute); WA_SMAPS=1 also lists the largest mappings of the idle agent.
set -euo pipefail
BIN=${1:?bin dir}; N=${2:-20}; P=${3:-8}
AGENT_BIN=${WA_AGENT:-$BIN/nebula-worker-agent}
: "${NEBULA_ENDPOINT:?source the stack.env}" "${NEBULA_KAFKA_BROKERS:?}" "${NEBULA_SAMPLE_IMAGE:?}"
RUN=wab$$
export NEBULA_ENDPOINT
now() { date +%s.%N; }
running() { docker ps -q --filter "label=$1" | wc -l; }
cleanup() {
  [[ -n ${AGENT:-} ]] && kill "$AGENT" 2>/dev/null && wait "$AGENT" 2>/dev/null || true
  for w in "$RUN" "$RUN-idle"; do  # two label filters would mean both at once
    docker ps -aq --filter "label=dev.nebula.worker=$w" | xargs -r docker rm -f >/dev/null
  done
  docker ps -aq --filter "label=wa-bench=$RUN" | xargs -r docker rm -f >/dev/null
  for a in "$RUN-c" $(seq -f "$RUN-i%g" 1 10); do "$BIN/nebula" apps delete "$a" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
docker image inspect "$NEBULA_SAMPLE_IMAGE" >/dev/null 2>&1 || docker pull -q "$NEBULA_SAMPLE_IMAGE" >/dev/null

if [[ ${WA_BENCH:-all} != idle ]]; then
# 1a. direct: N containers, P at a time.
t0=$(now)
seq 1 "$N" | xargs -P "$P" -I{} docker run -d --label "wa-bench=$RUN" "$NEBULA_SAMPLE_IMAGE" >/dev/null
t1=$(now)
echo "converge direct: $N containers with docker run -d, $P in parallel: $(echo "$t1 - $t0" | bc) s"
docker ps -aq --filter "label=wa-bench=$RUN" | xargs -r docker rm -f >/dev/null

# 1b. agent: app created through the API, agent already running and synced.
"$AGENT_BIN" --apps "$RUN-c" --worker-id "$RUN" --kafka-brokers "$NEBULA_KAFKA_BROKERS" \
  --listen 127.0.0.1:0 --docker-parallelism "$P" --stop-timeout-seconds 1 --log-level warn &
AGENT=$!
sleep 3
t0=$(now)
"$BIN/nebula" apps create "$RUN-c" --image "$NEBULA_SAMPLE_IMAGE" --containers "$N" >/dev/null
until [[ $(running "dev.nebula.worker=$RUN") -ge $N ]]; do sleep 0.05; done
t1=$(now)
echo "converge agent: $N containers from 'apps create' to all running: $(echo "$t1 - $t0" | bc) s"
kill "$AGENT"; wait "$AGENT" 2>/dev/null || true; AGENT=
"$BIN/nebula" apps delete "$RUN-c" >/dev/null
docker ps -aq --filter "label=dev.nebula.worker=$RUN" | xargs -r docker rm -f >/dev/null
fi

# 2. idle with 10 apps.
APPS=$(seq -s, -f "$RUN-i%g" 1 10)
for a in ${APPS//,/ }; do "$BIN/nebula" apps create "$a" --image "$NEBULA_SAMPLE_IMAGE" >/dev/null; done
idle() {
  local label=$1; shift
  "$AGENT_BIN" --apps "$APPS" --worker-id "$RUN-idle" --kafka-brokers "$NEBULA_KAFKA_BROKERS" \
    --listen 127.0.0.1:0 --log-level warn "$@" &
  AGENT=$!
  until [[ $(running "dev.nebula.worker=$RUN-idle") -ge 10 ]]; do sleep 0.1; done
  sleep 20
  local ticks0 ticks1
  ticks0=$(awk '{print $14+$15}' "/proc/$AGENT/stat")
  sleep 30
  ticks1=$(awk '{print $14+$15}' "/proc/$AGENT/stat")
  local rss threads mem
  rss=$(awk '/VmRSS/{print $2}' "/proc/$AGENT/status")
  threads=$(awk '/Threads/{print $2}' "/proc/$AGENT/status")
  mem=$(awk '/^(Pss|Private_Clean|Private_Dirty|Shared_Clean|Shared_Dirty|Anonymous):/{v[$1]=$2}
    END{printf "Pss %d kB, Private %d kB (clean %d, dirty %d), Shared %d kB, Anonymous %d kB",
        v["Pss:"], v["Private_Clean:"] + v["Private_Dirty:"], v["Private_Clean:"], v["Private_Dirty:"],
        v["Shared_Clean:"] + v["Shared_Dirty:"], v["Anonymous:"]}' "/proc/$AGENT/smaps_rollup")
  if [[ -n ${WA_SMAPS:-} ]]; then  # where the RSS is: the largest mappings (kB; [anon] = heap, stacks)
    awk '/^[0-9a-f]+-[0-9a-f]+ /{name = NF >= 6 ? $6 : "[anon]"; perm = $2}
         /^Rss:/{rss[name " " perm] += $2} END{for (n in rss) if (rss[n] >= 64) print rss[n], n}' \
      "/proc/$AGENT/smaps" | sort -rn | head -15 | sed 's/^/  /'
  fi
  echo "idle $label: RSS $((rss / 1024)) MiB ($rss kB), $threads threads, CPU $(echo "scale=2; ($ticks1 - $ticks0) * 100 / $(getconf CLK_TCK) / 30" | bc) % over 30 s; $mem"
  kill "$AGENT"; wait "$AGENT" 2>/dev/null || true; AGENT=
}
idle "librdkafka defaults"
idle "small fetch queues" --kafka-setting queued.max.messages.kbytes=1024 --kafka-setting fetch.max.bytes=1048576 \
  --kafka-setting queued.min.messages=100
