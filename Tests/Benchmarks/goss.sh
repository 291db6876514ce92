#!/usr/bin/env bash
# Benchmark for the built-in goss runner (a script, not a timed test): how long the rendered Connect goss
# file takes to evaluate against a running container, and how many checks that is.
#
#   Tests/Benchmarks/goss.sh [runs]      (runs default 5)
#
# There is no internet here, so the Connect image cannot be built: the suite of Connect 2026.03 (Ubuntu
# 24.04, Standard and Minimal) runs against the lab's Debian stand-in (scripts/container-lab), given to
# `bakery dgoss run` through a metadata file. Most checks fail there (no Connect installed), which costs the
# runner the same work as passing: every file is stat'ed, every package queried, every command run.
# The Standard variant's service command is replaced by `sleep infinity` and its readiness wait by 0 in a
# scratch copy of Connect/. Goal: under 1 s per evaluation (goss's total-duration).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
swift build -c release --product bakery >/dev/null 2>&1
bakery="$(swift build -c release --show-bin-path)/bakery"

work=$(mktemp -d /tmp/bakery-goss-bench.XXXXXX)
lab="$work/lab"
cleanup() { scripts/container-lab down "$lab" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
scripts/container-lab up "$lab" >/dev/null
set -a
# shellcheck disable=SC1091
. "$lab/env"
set +a

cp -r Connect "$work/connect"
sed -i -e 's|command: "/opt/rstudio-connect/bin/connect --config /etc/rstudio-connect/rstudio-connect.gcfg"|command: "sleep infinity"|' \
  -e 's|wait: 20|wait: 0|' "$work/connect/bakery.yaml"
filters=(--image-name '^connect$' --image-version 2026.03 --image-os 'Ubuntu 24.04')
"$bakery" build --plan --context "$work/connect" "${filters[@]}" 2>/dev/null | python3 -c '
import json, sys
plan = json.load(sys.stdin)
meta = {uid: {"image.name": "localhost/bakery-standin:bookworm",
              "containerimage.descriptor": {"platform": {"os": "linux", "architecture": "amd64"}}}
        for uid in plan["target"]}
json.dump(meta, open(sys.argv[1], "w"))' "$work/metadata.json"

for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  "$bakery" dgoss run -q --engine podman --context "$work/connect" "${filters[@]}" --metadata-file "$work/metadata.json" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  python3 - "$work/connect/results/dgoss" "$start" "$end" "$i" <<'PY'
import json, pathlib, sys
root, start, end, run = pathlib.Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
for f in sorted(root.glob("*/*.json")):
    s = json.loads(f.read_text())["summary"]
    print(f"run {run}  {f.stem:45s} {s['test-count']:3d} checks ({s['failed-count']} failed, {s['skipped-count']} skipped)"
          f"  evaluated in {s['total-duration'] / 1e9:.3f} s")
print(f"run {run}  whole command (container start and removal included): {end - start:.2f} s")
PY
done
