#!/usr/bin/env bash
# Benchmark for `bakery build --plan` (a script, not a timed test). Builds release `bakery` and
# reports median wall time and peak memory on
#   connect   the Connect project of Tests/Fixtures/reference (42 targets)
#   generated a generated project with 10,000 targets (50 images × 50 versions × 2 variants × 2 OSes)
# and, when posit-bakery is installed (REFERENCE_BAKERY=/path/to/bakery, or `bakery` on PATH that
# is the Python one), its time on the same projects and the ratio.
#   Tests/Benchmarks/plan.sh [runs]     (default 7)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
# Statically linked Swift runtime: process start-up is a large part of a 10 ms command.
swift build -c release --static-swift-stdlib --product bakery --build-path .build-static >/dev/null 2>&1
ours="$(swift build -c release --static-swift-stdlib --build-path .build-static --show-bin-path)/bakery"
reference=${REFERENCE_BAKERY:-}
if [ -z "$reference" ] && command -v bakery >/dev/null && bakery version 2>/dev/null | grep -q 'v0\.0\.0'; then reference=$(command -v bakery); fi
exec python3 - "$ours" "$reference" "$runs" <<'PY'
import os, shutil, statistics, subprocess, sys, tempfile, time

ours, reference, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
work = tempfile.mkdtemp(prefix="bakery-bench-")

def project(name, yaml_text):
    d = os.path.join(work, name)
    os.makedirs(d)
    open(os.path.join(d, "bakery.yaml"), "w").write(yaml_text)
    return d

connect = project("connect", open("Tests/Fixtures/reference/connect/bakery.yaml").read())

def generated_project(name, images):
    lines = ["repository:", "  url: github.com/example/bench", "registries:", "  - host: ghcr.io", "    namespace: example",
             "  - host: docker.io", "    namespace: example", "images:"]
    for i in range(images):
        lines += [f"  - name: image-{i}", "    variants:", "      - name: Standard", "        primary: true", "      - name: Minimal",
                  "    versions:"]
        for v in range(50):
            lines += [f"      - name: '20{v // 12 + 20}.{v % 12 + 1:02d}.{i}'", f"        latest: {'true' if v == 49 else 'false'}",
                      "        os:", "          - name: Ubuntu 22.04", "          - name: Ubuntu 24.04", "            primary: true",
                      "            platforms: [linux/amd64, linux/arm64]"]
    return project(name, "\n".join(lines) + "\n")

quarter = generated_project("generated-2500", 12)     # 2,400 targets
half = generated_project("generated-5000", 25)        # 5,000 targets
generated = generated_project("generated-10000", 50)  # 10,000 targets

def measure(binary, directory, count):
    times, peak, size = [], 0, 0
    for _ in range(count):
        out = tempfile.TemporaryFile()
        start = time.perf_counter()
        p = subprocess.Popen([binary, "build", "--plan"], cwd=directory, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)   # this child's own peak RSS (KiB on Linux)
        elapsed = time.perf_counter() - start
        if status != 0:
            return None
        times.append(elapsed)
        peak = max(peak, usage.ru_maxrss)
        size = out.tell()
    return statistics.median(times), peak / 1024, size

projects = [("connect (42 targets)", connect, runs), ("generated 2,400 targets", quarter, 0), ("generated 5,000 targets", half, 0),
            ("generated 10,000 targets", generated, 1)]
for name, directory, ref_runs in projects:
    mine = measure(ours, directory, runs)
    if mine is None:
        print(f"{name}: our bakery failed"); continue
    print(f"{name}: bakery (Swift) median {mine[0] * 1000:.1f} ms over {runs} runs, peak RSS {mine[1]:.1f} MiB, plan {mine[2] / 1e6:.2f} MB")
    if reference and ref_runs:
        theirs = measure(reference, directory, ref_runs)
        if theirs:
            print(f"{name}: posit-bakery median {theirs[0] * 1000:.0f} ms over {ref_runs} run(s), peak RSS {theirs[1]:.0f} MiB -> ours is {theirs[0] / mine[0]:.0f}x faster")
shutil.rmtree(work)
PY
