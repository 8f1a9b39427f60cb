#!/usr/bin/env bash
# Start time and idle RSS of the standalone server: one first start on a fresh embedded data
# dir (PGlite initdb), then warm starts. Each: run the command, poll /health/ready every 50 ms,
# then read the server process's RSS after 5 s idle. Usage: scripts/measure-start.sh [warm runs] [command...]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; shift || true
cmd=("$@"); [ ${#cmd[@]} -eq 0 ] && cmd=(npm start --silent)
port=${PORT:-18601}
data=$(mktemp -d)
node scripts/build.mjs --if-stale >/dev/null 2>&1 || { echo "build failed"; exit 1; }

measure() {
  local label=$1 start end server rss
  start=$(date +%s.%N)
  PORT=$port HOST=127.0.0.1 MODELMORA_DATA_DIR=$data/data MODELMORA_MODEL_DIR=$data/models DATABASE_URL= KAFKA_BROKERS= LOG_LEVEL=warn \
    setsid "${cmd[@]}" >"$data/log" 2>&1 &
  local pid=$!
  until curl -sf "127.0.0.1:$port/health/ready" >/dev/null; do
    kill -0 $pid 2>/dev/null || { echo "server exited:"; cat "$data/log"; exit 1; }
    sleep 0.05
  done
  end=$(date +%s.%N)
  sleep 5
  server=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  rss=$(ps -o rss= -p "$server" | awk '{printf "%.0f", $1/1024}')
  printf '%-12s ready in %5.2f s   idle RSS %s MB   (load %s)\n' "$label" "$(echo "$end - $start" | bc)" "$rss" "$(cut -d' ' -f1 /proc/loadavg)"
  kill -TERM -- -$pid; wait $pid 2>/dev/null
}

echo "command: ${cmd[*]}"
measure "first start"
for i in $(seq 1 "$runs"); do measure "warm start"; done
rm -rf "$data"
