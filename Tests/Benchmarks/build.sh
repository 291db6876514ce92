#!/usr/bin/env bash
# Benchmark for `bakery build` (a script, not a timed test): bakery's overhead per target against
# running the engine's own command directly, and -j 1 against -j 2.
#
#   Tests/Benchmarks/build.sh [engine] [runs]     (engine: buildah (default) or podman; runs default 5)
#
# Needs buildah/podman, skopeo, docker-registry and debootstrap (what .ci/run installs). It starts
# the container lab (scripts/container-lab: the local Debian stand-in for docker.io/library/ubuntu
# on a loopback registry) in a temporary folder and stops it at exit.
#
# 1. Overhead: a scratch project with four small targets (Examples/04-image-oses' configuration,
#    Ubuntu targets, one-RUN Containerfiles). For each target, `bakery build --no-cache` of that
#    target alone, and the exact engine command bakery ran (read back from its log) run directly;
#    median of `runs` each. Goal: under 5 % or 50 ms per target.
# 2. Concurrency: the four targets with -j 1 and with -j 2 (--no-cache), median of `runs`.
set -euo pipefail
cd "$(dirname "$0")/../.."
engine=${1:-buildah}
runs=${2:-5}
swift build -c release --product bakery >/dev/null 2>&1
bakery="$(swift build -c release --show-bin-path)/bakery"

work=$(mktemp -d /tmp/bakery-build-bench.XXXXXX)
lab="$work/lab"
cleanup() { scripts/container-lab down "$lab" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
scripts/container-lab up "$lab" >/dev/null
set -a
# shellcheck disable=SC1091
. "$lab/env"
set +a

project="$work/project"
mkdir -p "$project/example-image/1.0.0"
cp Examples/04-image-oses/bakery.yaml "$project/"
for os in ubuntu2404 ubuntu2204 rocky9; do
  for variant in std min; do
    printf 'FROM docker.io/library/ubuntu:24.04\nRUN echo %s-%s > /built-for && seq 1 2000 > /numbers\n' "$os" "$variant" \
      > "$project/example-image/1.0.0/Containerfile.$os.$variant"
  done
done

python3 - "$bakery" "$engine" "$project" "$runs" <<'PY'
import glob, os, shlex, statistics, subprocess, sys, tempfile, time

bakery, engine, project, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
targets = [("Standard", "Ubuntu 24.04"), ("Minimal", "Ubuntu 24.04"), ("Standard", "Ubuntu 22.04"), ("Minimal", "Ubuntu 22.04")]

def bakery_build(extra):
    cmd = [bakery, "build", "--context", project, "--strategy", "build", "--engine", engine, "--no-cache", "-q"] + extra
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start

def engine_command(variant, os_name):
    """The engine command bakery runs for one target, read back from its log (--no-clean keeps it)."""
    out = subprocess.run([bakery, "build", "--context", project, "--strategy", "build", "--engine", engine, "--no-cache",
                          "--no-clean", "--image-variant", f"^{variant}$", "--image-os", f"^{os_name}$"],
                         check=True, capture_output=True, text=True)
    logs = sorted(glob.glob(os.path.join(tempfile.gettempdir(), "posit-bakery-*", "*.log")), key=os.path.getmtime)
    with open(logs[-1]) as f:
        line = next(l for l in f if l.startswith("$ "))
    return line[2:].strip()

def median_time(fn):
    fn()  # warm-up
    return statistics.median(fn() for _ in range(runs))

print(f"engine: {engine}; {runs} runs per figure (median), --no-cache so every run builds")
print(f"{'target':34} {'engine direct':>14} {'bakery':>10} {'overhead':>10} {'ratio':>7}")
worst = 0.0
for variant, os_name in targets:
    argv = shlex.split(engine_command(variant, os_name))
    direct = median_time(lambda: (lambda s: (subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), time.perf_counter() - s)[1])(time.perf_counter()))
    ours = median_time(lambda: bakery_build(["--image-variant", f"^{variant}$", "--image-os", f"^{os_name}$"]))
    over = ours - direct
    worst = max(worst, over)
    print(f"{variant + ' / ' + os_name:34} {direct*1000:11.0f} ms {ours*1000:7.0f} ms {over*1000:7.0f} ms {ours/direct:7.3f}")
print(f"largest overhead per target: {worst*1000:.0f} ms (goal: under 50 ms or 5 %)")

j1 = median_time(lambda: bakery_build(["--image-os", "Ubuntu", "-j", "1"]))
j2 = median_time(lambda: bakery_build(["--image-os", "Ubuntu", "-j", "2"]))
print(f"four targets: -j 1 {j1:.2f} s, -j 2 {j2:.2f} s, ratio -j1/-j2 {j1/j2:.2f}")
PY
