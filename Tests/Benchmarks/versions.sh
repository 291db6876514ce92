#!/usr/bin/env bash
# Benchmark for version resolution (a script, not a timed test): how long resolving every dependency constraint
# and product channel of the three products takes, cold (empty cache: every document fetched over HTTP) and
# cached (every document fresh in the cache: no request at all), and how many requests each run made.
#
#   Tests/Benchmarks/versions.sh [runs]      (runs default 5)
#
# There is no internet here: the documents are the fixtures of Tests/Fixtures/version-sources/, served on
# 127.0.0.1 by the tests' document server (Tests/Fixtures/version-sources/http/document-server.py) as a sources
# mirror. The run is `bakery get tags` at the repository root (all three products) with every dev version and
# matrix version included: R, Python, Quarto and Positron lists, Connect daily, Package Manager preview and daily,
# Workbench and session daily. Prints the median wall time of each, in milliseconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
swift build -c release --product bakery >/dev/null 2>&1
bakery="$(swift build -c release --show-bin-path)/bakery"

work=$(mktemp -d /tmp/bakery-versions-bench.XXXXXX)
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
printf '{"root": "%s"}\n' "$PWD/Tests/Fixtures/version-sources" > "$work/state.json"
python3 Tests/Fixtures/version-sources/http/document-server.py "$work/state.json" "$work/log.jsonl" "$work/port" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "the document server did not start" >&2; exit 1; }
mirror="http://127.0.0.1:$(cat "$work/port")"

resolve() {  # resolve CACHE: one run, its wall time in ms on stdout
  local start end
  start=$(date +%s%N)
  env -u BAKERY_OFFLINE -u BAKERY_DEV_SPEC BAKERY_SOURCES_MIRROR="$mirror" BAKERY_CACHE_DIR="$1" \
    "$bakery" get tags --dev-versions include --matrix-versions include -q > "$work/tags.json"
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
requests() { if [ -f "$work/log.jsonl" ]; then wc -l < "$work/log.jsonl"; else echo 0; fi; }

cold=() cached=()
for i in $(seq "$runs"); do
  rm -f "$work/log.jsonl"
  cold+=("$(resolve "$work/cache-$i")")
  cold_requests=$(requests)
  rm -f "$work/log.jsonl"
  cached+=("$(resolve "$work/cache-$i")")
  cached_requests=$(requests)
done
targets=$(grep -c '"' "$work/tags.json" || true)
echo "version resolution of Connect, Package Manager and Workbench (all dev and matrix versions), $runs runs:"
echo "  cold (empty cache):   $(printf '%s\n' "${cold[@]}" | median) ms median, $cold_requests requests to the mirror"
echo "  cached (fresh cache): $(printf '%s\n' "${cached[@]}" | median) ms median, $cached_requests requests"
echo "  ($targets lines of tags printed)"
