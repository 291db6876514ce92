#!/usr/bin/env bash
# Benchmark for memory (a script, not a timed test): the peak resident set of `bakery ci publish` copying one
# image across two loopback registries, for a layer of 30, 300 and 600 MiB. Large blobs stream through a private
# temporary file in ranges, so the peak should not grow with the layer.
#
#   Tests/Benchmarks/publish-memory.sh [runs]      (runs default 3)
#
# Runs BlobStreamingCLITests' publish test alone (needs docker-registry and apache2-utils, as .ci/run installs),
# with BAKERY_BENCH_LAYER_MIB choosing the layer size; the test prints the child's peak RSS (its VmHWM).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
swift build --build-tests >/dev/null 2>&1
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "bakery ci publish, one image, peak RSS (median of $runs):"
for size in 30 300 600; do
  peaks=()
  for _ in $(seq "$runs"); do
    peak=$(BAKERY_BENCH_LAYER_MIB=$size swift test --skip-build --filter aLayerOf300MBIsPublishedAcrossRegistriesWithAPeakMemoryFarBelowIt 2>&1 |
      sed -n 's/.*peak RSS \([0-9]*\) MiB.*/\1/p')
    [ -n "$peak" ] || { echo "the publish test printed no peak for $size MiB" >&2; exit 1; }
    peaks+=("$peak")
  done
  echo "  layer $size MiB: $(printf '%s\n' "${peaks[@]}" | median) MiB"
done
