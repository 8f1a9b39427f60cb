#!/usr/bin/env bash
# CI's newcomer step (issue 18): the submitted commit, cloned into an empty folder with nothing
# beside it and none of the environment the rest of CI sets, must pass the README's two commands,
# its walkthrough and `npm test`. Pass rule: every test that ran passed, the optional resources
# skipped are exactly ALLOWED_SKIPS (each printed with its reason), and at least MIN_PASSED passed.
# Usage: bash scripts/ci-newcomer.sh   (exit 0 = pass; last line `newcomer: …`)
set -uo pipefail
started=$(date +%s)
repo=$(cd "$(dirname "$0")/.." && pwd)
MIN_PASSED=${MODELMORA_NEWCOMER_MIN_PASSED:-680} # 699 passed in the proof run (12-07, Node 22.23.5): room for a few removed tests, none for a skipped suite
ALLOWED_SKIPS="chromium kafka oip-spec postgres" # what a newcomer's machine lacks here; CI's has apt-get and mvn
PORT=${MODELMORA_NEWCOMER_PORT:-8731}
say() { printf '\n== newcomer: %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }
finish() { echo "newcomer: $1 in $(($(date +%s) - started)) s"; [ "$1" = passed ]; exit $?; }

node_bin=$(bash "$repo/scripts/ci-node.sh") || { echo "newcomer: could not install Node from the npm registry"; finish failed; }
export PATH="$node_bin:$PATH"
say "Node $(node --version), npm $(npm --version)"

work=$(mktemp -d "${TMPDIR:-/tmp}/modelmora-newcomer.XXXXXX") # empty: no sibling shared/
clone="$work/modelmora"
server_pgid=""
cleanup() {
  [ -n "$server_pgid" ] && kill -KILL -- "-$server_pgid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
git clone -q --no-hardlinks "$repo" "$clone" && git -C "$clone" checkout -q --detach "$(git -C "$repo" rev-parse HEAD)" \
  || { echo "newcomer: could not clone $repo"; finish failed; }
say "cloned $(git -C "$clone" rev-parse --short HEAD) into $clone"
[ -e "$work/shared" ] && { echo "newcomer: $work/shared exists"; finish failed; }

# Nothing the rest of CI sets: no services, no spec, no requirement; no Chromium.
for v in $(compgen -e); do case "$v" in MODELMORA_*|DATABASE_URL|KAFKA_BROKERS|KAFKA_PORT|OIP_SPEC|CHROMIUM_PATH|PORT) unset "$v" ;; esac; done
export CHROMIUM_PATH=/nonexistent
cd "$clone" || finish failed

say "npm install"
npm install --no-audit --no-fund || { echo "newcomer: npm install failed"; finish failed; }

say "npm start on port $PORT"
PORT=$PORT setsid npm start > "$work/server.log" 2>&1 &
server_pgid=$! # setsid: the server's own process group (npm does not pass SIGTERM on)
ready=""
for _ in $(seq 1 180); do
  if curl -sf "localhost:$PORT/health/ready" >/dev/null; then ready=1; break; fi
  kill -0 "$server_pgid" 2>/dev/null || break
  sleep 1
done
if [ -z "$ready" ]; then echo "newcomer: /health/ready never answered 200"; tail -40 "$work/server.log"; finish failed; fi
echo "ready: $(curl -s "localhost:$PORT/health/ready")"

say "the README walkthrough"
# The first bash block after "A first model, end to end", run as written (only the port differs).
walkthrough=$(awk '/^A first model, end to end/{found=1} found && /^```bash$/{inblock=1; next} inblock && /^```$/{exit} inblock{print}' README.md)
[ -n "$walkthrough" ] || { echo "newcomer: no walkthrough block in README.md"; finish failed; }
out=$(bash -ec "${walkthrough//localhost:8000/localhost:$PORT}" 2>&1)
walk_status=$?
echo "$out"
compact=$(tr -d ' \n' <<<"$out")
if [ "$walk_status" -ne 0 ] || [[ "$compact" != *'"data":[1,2,3,4,5,6,7,8,9]'* ]]; then
  echo "newcomer: the walkthrough did not infer c = a · b"; tail -40 "$work/server.log"; finish failed
fi

say "stop the server (its process group)"
kill -TERM -- "-$server_pgid"
for _ in $(seq 1 30); do kill -0 -- "-$server_pgid" 2>/dev/null || break; sleep 1; done
if kill -0 -- "-$server_pgid" 2>/dev/null; then echo "newcomer: the server outlived SIGTERM by 30 s"; finish failed; fi
server_pgid=""

say "npm test"
report="$work/report.json"
npm test -- --ci --json --outputFile="$report" 2>&1 | tee "$work/test.log" | grep --line-buffered -E '^(PASS|FAIL)|^Tests:|^Test Suites:|skipped |Optional resources|●' 
say "the pass rule"
node - "$report" "$work/test.log" "$MIN_PASSED" "$ALLOWED_SKIPS" <<'JS'
const fs = require('node:fs');
const [reportPath, logPath, min, allowed] = process.argv.slice(2);
const problems = [];
let r;
try { r = JSON.parse(fs.readFileSync(reportPath, 'utf8')); } catch (e) { console.log(`no jest report: ${e.message}`); process.exit(1); }
const notRun = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).map((s) => s.name);
if (r.numFailedTests > 0) problems.push(`${r.numFailedTests} test(s) failed`);
// The clone (and its log) is gone after this step: say here why each test failed.
for (const suite of r.testResults) {
  for (const t of suite.assertionResults.filter((a) => a.status === 'failed')) {
    console.log(`FAILED ${suite.name.replace(/^.*?\/modelmora\//, '')} › ${t.fullName}`);
    for (const m of t.failureMessages) console.log(m.replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(0, 25).join('\n'));
  }
  if (suite.status === 'failed' && suite.assertionResults.length === 0) console.log(suite.message.slice(0, 3000));
}
if (notRun.length) problems.push(`suites failed to run: ${notRun.join(', ')}`);
if (r.numPassedTests < Number(min)) problems.push(`${r.numPassedTests} passed, fewer than the minimum ${min}`);
const skips = new Map([...fs.readFileSync(logPath, 'utf8').matchAll(/^ {2}skipped (\S+): (.+)$/gm)].map((m) => [m[1], m[2]]));
for (const [name, reason] of skips) console.log(`skipped ${name}: ${reason}`);
const want = allowed.split(' ').sort();
const got = [...skips.keys()].sort();
if (want.join(' ') !== got.join(' ')) problems.push(`skipped resources are [${got.join(', ')}], allowed exactly [${want.join(', ')}]`);
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped (minimum passed ${min})`);
for (const p of problems) console.log(`newcomer: ${p}`);
process.exit(problems.length ? 1 : 0);
JS
rule=$?
[ "$rule" -eq 0 ] && finish passed
finish failed
