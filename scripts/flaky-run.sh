#!/usr/bin/env bash
# Hunts flaky tests: the whole suite (or the paths given) RUNS times in a row (default 3) on
# embedded PGlite only (no DATABASE_URL, no Kafka) while BURNERS busy loops (default: one per
# core) compete for the CPU. Prints each run's counts and failing tests; exit 0 only if all passed.
# Usage: bash scripts/flaky-run.sh [jest paths…]   (RUNS=3 BURNERS=$(nproc))
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
burners=${BURNERS:-$(nproc)}
logs=$(mktemp -d "${TMPDIR:-/tmp}/modelmora-flaky.XXXXXX")
unset DATABASE_URL KAFKA_BROKERS MODELMORA_REQUIRE_POSTGRES MODELMORA_REQUIRE_KAFKA

pids=()
stop_burners() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap stop_burners EXIT
for _ in $(seq 1 "$burners"); do (while :; do :; done) & pids+=($!); done
echo "flaky-run: $runs run(s) of ${*:-the whole suite} on PGlite, $burners CPU burner(s); logs in $logs"

failed_runs=0
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  npm test -- --ci --json --outputFile="$logs/run-$run.json" "$@" >"$logs/run-$run.log" 2>&1
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const failures = r.testResults.flatMap((s) => s.assertionResults.filter((t) => t.status === "failed").map((t) => `${s.name.replace(process.cwd() + "/", "")} › ${t.fullName}`));
    const notRun = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).map((s) => `${s.name.replace(process.cwd() + "/", "")} (failed to run)`);
    console.log(`run ${process.argv[2]}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped, ${r.numTotalTestSuites} suites in ${process.argv[3]} s`);
    for (const f of [...failures, ...notRun]) console.log(`  FAILED ${f}`);
    process.exit(failures.length + notRun.length > 0 || !r.success ? 1 : 0);
  ' "$logs/run-$run.json" "$run" "$(($(date +%s) - started))" || failed_runs=$((failed_runs + 1))
done
echo "flaky-run: $failed_runs of $runs run(s) failed"
[ "$failed_runs" -eq 0 ]
