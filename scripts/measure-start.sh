#!/usr/bin/env bash
# Start time (process start → /health/ready answers 200) and idle RSS of the standalone server on
# its default embedded database: a first start on a fresh data directory, warm starts of the
# compiled entry and of `npm start`, and the server's RSS 5 s after ready (no model loaded, so no
# worker). With DATABASE_URL set, also warm starts on that PostgreSQL. Medians of RUNS warm starts.
# Usage: scripts/measure-start.sh [runs]   (--json: one JSON line at the end, for `npm run bench`)
set -uo pipefail
cd "$(dirname "$0")/.."
runs=3; json=0
for a in "$@"; do case $a in --json) json=1 ;; *) runs=$a ;; esac; done
# A port nobody listens on (other servers may share the machine); the kernel picks it.
port=${MEASURE_PORT:-$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')}
pg_url=${DATABASE_URL:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node scripts/build.mjs --if-stale >/dev/null 2>&1 || { echo "build failed" >&2; exit 1; }

now_ms() { date +%s%3N; }

# start DATA_DIR DATABASE_URL RSS(0|1) COMMAND... → prints "ms rss_mb cpu_ms children_rss_mb"
# (children: the embedded database's own process; no model is loaded, so no worker)
start() {
  local data=$1 url=$2 rss_wanted=$3; shift 3
  local t0 t1 pid server cpu rss=0 children=0
  t0=$(now_ms)
  PORT=$port MODELMORA_HOST=127.0.0.1 MODELMORA_DATA_DIR=$data MODELMORA_MODEL_DIR=$work/models DATABASE_URL=$url \
    KAFKA_BROKERS= LOG_LEVEL=warn setsid "$@" >"$work/log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "127.0.0.1:$port/health/ready"; do
    kill -0 $pid 2>/dev/null || { echo "server exited:" >&2; cat "$work/log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(now_ms)
  server=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  # CPU the server process (all its threads) spent until ready: on a busy machine, the work a start costs.
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15) * 1000 / hz}' "/proc/$server/stat")
  if [ "$rss_wanted" = 1 ]; then
    sleep 5
    rss=$(ps -o rss= -p "$server" | awk '{printf "%.0f", $1/1024}')
    children=$(ps -o rss= --ppid "$server" | awk '{s += $1} END {printf "%.0f", s/1024}')
  fi
  kill -TERM -- -$pid 2>/dev/null; wait $pid 2>/dev/null
  echo "$((t1 - t0)) $rss $cpu $children"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

say() { [ $json = 1 ] || echo "$@"; }
say "load average $(cut -d' ' -f1-3 /proc/loadavg); $runs warm runs each; node $(node -v)"

# The floor: Node itself starting a bare node:http server that answers the same path.
: >"$work/bare"
for _ in $(seq "$runs"); do
  read -r ms _ _ < <(start "$work/unused" "" 0 node -e 'require("http").createServer((q, s) => s.end("{}")).listen(process.env.PORT, "127.0.0.1")')
  echo "$ms" >>"$work/bare"
done
bare=$(median <"$work/bare")
say "bare node:http server (the floor): median $bare ms of $(paste -sd' ' "$work/bare")"

read -r first first_rss first_cpu _ < <(start "$work/fresh" "" 1 node dist/src/main.js)
say "first start, fresh data dir (node dist/src/main.js): $first ms (CPU $first_cpu ms), idle RSS $first_rss MB"

: >"$work/warm"; : >"$work/rss"; : >"$work/cpu"; : >"$work/dbrss"
for _ in $(seq "$runs"); do
  read -r ms rss cpu dbrss < <(start "$work/fresh" "" 1 node dist/src/main.js)
  echo "$ms" >>"$work/warm"; echo "$rss" >>"$work/rss"; echo "$cpu" >>"$work/cpu"; echo "$dbrss" >>"$work/dbrss"
done
warm=$(median <"$work/warm"); idle_rss=$(median <"$work/rss"); warm_cpu=$(median <"$work/cpu"); db_rss=$(median <"$work/dbrss")
say "warm start (node dist/src/main.js): median $warm ms of $(paste -sd' ' "$work/warm") (CPU median $warm_cpu ms); idle RSS median $idle_rss MB of $(paste -sd' ' "$work/rss"), its embedded database's process $db_rss MB"

: >"$work/npm"
for _ in $(seq "$runs"); do
  read -r ms _ _ < <(start "$work/fresh" "" 0 npm start --silent)
  echo "$ms" >>"$work/npm"
done
npm_warm=$(median <"$work/npm")
say "warm start (npm start): median $npm_warm ms of $(paste -sd' ' "$work/npm")"

pg_warm=null; pg_rss=null
if [ -n "$pg_url" ]; then
  start "$work/unused" "$pg_url" 0 node dist/src/main.js >/dev/null # migrates
  : >"$work/pg"; : >"$work/pgrss"
  for _ in $(seq "$runs"); do
    read -r ms rss _ < <(start "$work/unused" "$pg_url" 1 node dist/src/main.js)
    echo "$ms" >>"$work/pg"; echo "$rss" >>"$work/pgrss"
  done
  pg_warm=$(median <"$work/pg"); pg_rss=$(median <"$work/pgrss")
  say "warm start on PostgreSQL (node dist/src/main.js): median $pg_warm ms of $(paste -sd' ' "$work/pg"); idle RSS median $pg_rss MB"
fi

if [ $json = 1 ]; then
  printf '{"first_start_ms":%s,"warm_main_ms":%s,"warm_npm_start_ms":%s,"idle_rss_mb":%s,"embedded_db_rss_mb":%s,"warm_main_postgres_ms":%s,"idle_rss_postgres_mb":%s,"bare_node_http_ms":%s,"first_start_cpu_ms":%s,"warm_main_cpu_ms":%s,"runs":%s}\n' \
    "$first" "$warm" "$npm_warm" "$idle_rss" "$db_rss" "$pg_warm" "$pg_rss" "$bare" "$first_cpu" "$warm_cpu" "$runs"
fi
