#!/usr/bin/env bash
# Copies jars from Maven Central (through a throwaway pom and `mvn dependency:copy-dependencies`)
# into DIR, with their dependencies unless --no-transitive:
#   bash scripts/maven-copy.sh [--no-transitive] DIR group:artifact:version...
set -euo pipefail
transitive=true
if [ "${1:-}" = "--no-transitive" ]; then transitive=false; shift; fi
out=$1; shift
command -v mvn >/dev/null || { echo "maven-copy: mvn is not installed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
  echo '<groupId>modelmora.local</groupId><artifactId>maven-copy</artifactId><version>1</version><dependencies>'
  for coordinate in "$@"; do
    IFS=: read -r group artifact version <<< "$coordinate"
    echo "<dependency><groupId>$group</groupId><artifactId>$artifact</artifactId><version>$version</version></dependency>"
  done
  echo '</dependencies></project>'
} > "$work/pom.xml"
mkdir -p "$out"
( cd "$work" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DexcludeTransitive=$([ $transitive = true ] && echo false || echo true) -DoutputDirectory="$(cd "$out" && pwd)" ) >&2
