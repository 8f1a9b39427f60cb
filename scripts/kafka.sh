#!/usr/bin/env bash
# A real single-node Apache Kafka 4.x broker (KRaft, combined broker+controller)
# for local development and integration tests, without Docker.
#
#   bash scripts/kafka.sh start [--clean]   start (no-op if already running), wait until it serves clients
#                                           (--keep-data is accepted and is the default)
#   bash scripts/kafka.sh stop  [--clean]   stop (no-op if not running); --clean also deletes its data
#   bash scripts/kafka.sh clean             stop if running and delete its data
#   bash scripts/kafka.sh status            exit 0 and print details if running, exit 3 if not
#
# Environment:
#   KAFKA_PORT (9092)               client listener on 127.0.0.1
#   KAFKA_CONTROLLER_PORT (PORT+1)  KRaft controller listener on 127.0.0.1
#   KAFKA_NUM_PARTITIONS (3)        partitions of auto-created topics
#   KAFKA_HEAP_OPTS (-Xms256m -Xmx512m), KAFKA_JVM_OPTS (extra flags), KAFKA_LOG_LEVEL (WARN)
#   KAFKA_START_TIMEOUT (90 s), KAFKA_STOP_TIMEOUT (30 s)
#
# Data rule: everything for one port lives in ${TMPDIR:-/tmp}/modelmora-kafka-$KAFKA_PORT
# (data/, logs/, server.properties, broker.pid). `start` KEEPS existing data, so
# stop+start on the same port is an outage that loses nothing (topics, offsets and
# committed consumer-group positions survive). Only `stop --clean`, `clean` and
# `start --clean` delete it; `start --clean` on a running broker deletes nothing.
#
# Jars come from scripts/kafka/pom.xml via Maven (~/.m2), copied once into
# ~/.cache/modelmora/kafka-jars/<version>-<pom hash>/; later starts skip Maven.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_ROOT
readonly KAFKA_DIR="$SCRIPT_DIR/kafka"

readonly PORT="${KAFKA_PORT:-9092}"
readonly CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
readonly NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-3}"
readonly HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
readonly EXTRA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
readonly LOG_LEVEL="${KAFKA_LOG_LEVEL:-WARN}"
readonly START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
readonly STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

readonly TMP_ROOT="${TMPDIR:-/tmp}"
readonly STATE_DIR="${TMP_ROOT%/}/modelmora-kafka-$PORT"
readonly LOCK_FILE="${TMP_ROOT%/}/modelmora-kafka-$PORT.lock"
readonly DATA_DIR="$STATE_DIR/data"
readonly LOG_DIR="$STATE_DIR/logs"
readonly CONFIG="$STATE_DIR/server.properties"
readonly PID_FILE="$STATE_DIR/broker.pid"
readonly CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/modelmora/kafka-jars"

log() { echo "[kafka:$PORT] $*" >&2; }
die() { log "error: $*"; exit 1; }

now_ms() { date +%s%3N; }

# --- process and port checks -------------------------------------------------

# Prints the pid of the broker this script started for this port, if alive.
# The command line must name our config, so a recycled pid is never mistaken
# for the broker.
broker_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  local cmdline
  # Braces so a pid that vanishes between checks can't print a redirect error.
  cmdline="$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null || true)"
  [[ "$cmdline" == *kafka.Kafka*"$CONFIG"* ]] || return 1
  echo "$pid"
}

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

rss_mb() {
  awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"
}

# --- jars ---------------------------------------------------------------------

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    echo "$JAVA_HOME/bin/java"
  else
    command -v java || die "java (17+) not found; install a JDK, e.g. apt-get install openjdk-17-jre-headless"
  fi
}

kafka_version() {
  sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_DIR/pom.xml"
}

# Jar dir keyed by the pom's content, so editing the pom refreshes the cache.
jar_dir() {
  echo "$CACHE_ROOT/$(kafka_version)-$(sha1sum "$KAFKA_DIR/pom.xml" | cut -c1-10)"
}

ensure_jars() {
  local dir
  dir="$(jar_dir)"
  [[ -f "$dir/.complete" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found; install Maven, e.g. apt-get install maven"
  log "resolving Kafka $(kafka_version) jars with Maven (first run only)..."
  mkdir -p "$CACHE_ROOT"
  local tmp="$dir.tmp.$$" mvn_log="$CACHE_ROOT/mvn.$$.log"
  rm -rf "$tmp"
  if ! mvn -B -q -Dstyle.color=never -f "$KAFKA_DIR/pom.xml" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
      >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    rm -rf "$tmp" "$mvn_log"
    die "Maven could not resolve the Kafka jars"
  fi
  rm -f "$mvn_log"
  touch "$tmp/.complete"
  # Another port's start may have won the race; either copy is fine.
  mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
}

# --- broker setup -------------------------------------------------------------

render_config() {
  mkdir -p "$STATE_DIR" "$DATA_DIR" "$LOG_DIR"
  sed -e "s|@PORT@|$PORT|g" \
      -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
      -e "s|@DATA_DIR@|$DATA_DIR|g" \
      -e "s|@NUM_PARTITIONS@|$NUM_PARTITIONS|g" \
      "$KAFKA_DIR/server.properties.template" >"$CONFIG"
}

cluster_id() {
  sed -n 's/^cluster.id=//p' "$DATA_DIR/meta.properties" 2>/dev/null
}

# Both the formatter and the broker log through log4j2 into $LOG_DIR.
# An array, so the "jars/*" classpath wildcard reaches java unexpanded.
JAVA_CMD=()
init_java_cmd() {
  local java
  java="$(java_bin)" || exit 1
  JAVA_CMD=("$java" -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.xml"
    -Dkafka.logs.dir="$LOG_DIR"
    -Dmodelmora.kafka.log.level="$LOG_LEVEL"
    -cp "$(jar_dir)/*")
}

# What `kafka-storage random-uuid` prints (16 random bytes, base64url, no
# padding, never starting with "-"), without paying for a JVM start.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    [[ "$id" != -* ]] && break
  done
  echo "$id"
}

format_storage() {
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  local id
  id="$(new_cluster_id)"
  log "formatting $DATA_DIR (cluster id $id)"
  # --standalone: a one-voter dynamic quorum, what 4.x expects with
  # controller.quorum.bootstrap.servers (no static controller.quorum.voters).
  "${JAVA_CMD[@]}" kafka.tools.StorageTool format --standalone \
    --cluster-id "$id" --config "$CONFIG" >>"$LOG_DIR/format.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/format.log" >&2; die "storage format failed"; }
}

launch_broker() {
  # setsid + nohup: the broker outlives the shell, npm or test runner that
  # started it, and ignores their terminal's hangups. 9>&- keeps the lock fd
  # from leaking into the long-lived JVM.
  local heap extra
  read -ra heap <<<"$HEAP_OPTS"
  read -ra extra <<<"$EXTRA_JVM_OPTS"
  # console.log is per run; server.log keeps history, so mark where this run begins.
  : >"$LOG_DIR/console.log"
  echo "----- kafka.sh start $(date '+%F %T') -----" >>"$LOG_DIR/server.log"
  nohup setsid "${JAVA_CMD[@]}" "${heap[@]}" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError "${extra[@]}" \
    kafka.Kafka "$CONFIG" \
    >>"$LOG_DIR/console.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PID_FILE"
  disown
}

# A real request (see kafka/probe.mjs), not just an open port.
probe_clients() {
  PROBE_BROKER="127.0.0.1:$PORT" PROBE_CLUSTER_ID="$(cluster_id)" \
    timeout 20 node "$KAFKA_DIR/probe.mjs" >/dev/null 2>&1
}

show_logs() {
  local f
  for f in "$LOG_DIR/console.log" "$LOG_DIR/server.log"; do
    [[ -s "$f" ]] || continue
    echo "----- tail of $f -----" >&2
    tail -n 40 "$f" >&2
  done
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT)) real_probe=1
  if ! command -v node >/dev/null || [[ ! -f "$REPO_ROOT/node_modules/kafkajs/package.json" ]]; then
    # Still usable before `npm ci`, just with a weaker check.
    log "warning: node/kafkajs unavailable in $REPO_ROOT (npm ci?); readiness = port open only"
    real_probe=0
  fi
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      show_logs
      die "broker exited during startup"
    fi
    if port_open "$PORT"; then
      if ((real_probe == 0)) || probe_clients; then
        return 0
      fi
    fi
    sleep 0.25
  done
  show_logs
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$PID_FILE"
  die "broker not ready after ${START_TIMEOUT}s (killed)"
}

# --- commands -----------------------------------------------------------------

wipe_state() {
  [[ "$STATE_DIR" == */modelmora-kafka-* ]] || die "refusing to delete $STATE_DIR"
  rm -rf "$STATE_DIR"
}

# Sets CLEAN from the options of start/stop; anything unknown is an error.
parse_opts() {
  CLEAN=0
  local arg
  for arg in "$@"; do
    case "$arg" in
      --clean) CLEAN=1 ;;
      --keep-data) ;; # the default; accepted so callers can say so
      *) die "unknown option: $arg" ;;
    esac
  done
}

cmd_start() {
  parse_opts "$@"
  local clean=$CLEAN
  local pid
  if pid="$(broker_pid)"; then
    if ((clean)); then log "running, so --clean ignored: data kept"; fi
    log "already running (pid $pid) on 127.0.0.1:$PORT"
    return 0
  fi
  rm -f "$PID_FILE"
  port_open "$PORT" && die "127.0.0.1:$PORT is in use by a process this script did not start"
  port_open "$CONTROLLER_PORT" && die "controller port 127.0.0.1:$CONTROLLER_PORT is in use (set KAFKA_CONTROLLER_PORT)"
  if ((clean)); then wipe_state; fi

  local t0
  t0="$(now_ms)"
  ensure_jars
  init_java_cmd
  render_config
  format_storage
  launch_broker
  pid="$(<"$PID_FILE")"
  wait_ready "$pid"
  local elapsed=$(( $(now_ms) - t0 ))
  log "ready on 127.0.0.1:$PORT in $((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000)))s (pid $pid, RSS $(rss_mb "$pid") MB, data $DATA_DIR)"
}

cmd_stop() {
  parse_opts "$@"
  local clean=$CLEAN
  local pid
  if pid="$(broker_pid)"; then
    log "stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "still alive after ${STOP_TIMEOUT}s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$PID_FILE"
    log "stopped"
  else
    rm -f "$PID_FILE" 2>/dev/null || true
    log "not running"
  fi
  if ((clean)); then
    wipe_state
    log "data removed ($STATE_DIR)"
  fi
}

cmd_status() {
  local pid
  if pid="$(broker_pid)"; then
    echo "running: pid $pid, 127.0.0.1:$PORT (controller $CONTROLLER_PORT), RSS $(rss_mb "$pid") MB"
    echo "state: $STATE_DIR (logs in $LOG_DIR)"
    return 0
  fi
  echo "not running (port $PORT)"
  return 3
}

main() {
  local cmd="${1:-}"
  shift || true
  # One command per port at a time: parallel starts must not format or launch twice.
  exec 9>"$LOCK_FILE"
  flock 9
  case "$cmd" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    clean) cmd_stop --clean ;;
    status) cmd_status ;;
    *)
      echo "usage: $0 start [--clean|--keep-data] | stop [--clean] | clean | status" >&2
      exit 2
      ;;
  esac
}

main "$@"
