#!/usr/bin/env bash
# Benchmark for the template engine (a script, not a timed test). Builds release `bakery` and
# renders two generated templates of about 2,000 lines with `bakery render --timing`:
#   product  the product-like templates of Tests/Fixtures/templates (Connect Containerfile, install
#            script, goss file, Workbench Containerfile) repeated until 2,000 lines
#   stress   a macro-dense template: every block calls library macros, loops and filters
# Each figure is the average of N parse+render passes in one process (no process start-up).
# If Python Jinja2 is installed, the same templates are rendered with it for comparison and the
# outputs are checked to be identical.
#   Tests/Benchmarks/render.sh [N]      (default 50)
set -euo pipefail
cd "$(dirname "$0")/../.."
iterations=${1:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import os, sys
work = sys.argv[1]
fixtures = "Tests/Fixtures/templates"
parts = [open(os.path.join(fixtures, p)).read() for p in [
    "connect/template/Containerfile.ubuntu2404.jinja2", "connect/template/scripts/install_connect.sh.jinja2",
    "connect/template/test/goss.yaml.jinja2", "workbench/template/Containerfile.ubuntu2404.jinja2"]]
text = ""
while text.count("\n") < 2000:
    text += "".join(parts)
open(os.path.join(work, "product.j2"), "w").write(text)
open(os.path.join(work, "product.yaml"), "w").write(open(os.path.join(fixtures, "connect/values-standard.yaml")).read())

out = ['{%- import "apt.j2" as apt -%}', '{%- import "python.j2" as python -%}', '{%- import "r.j2" as r -%}']
block = [
    '# section {{ n }} of {{ Image.Name }} {{ Image.Version | replace("+", "-") }}',
    'ARG CONNECT_VERSION="{{ Image.Version }}"',
    '{% if Image.Variant != "Minimal" -%}',
    '{{ r.run_install(Dependencies.R) }}',
    '{%- endif %}',
    '{% for python_version in Dependencies.python -%}',
    'COPY --from=builder {{ python.get_version_directory(python_version) }} /opt/python/{{ python_version }}',
    '{% endfor -%}',
    'ENV PATH=/opt/python/{{ Dependencies.python.0 }}/bin:$PATH',
    'LABEL version="{{ (Image.Version | split("."))[0:-1] | join(".") }}" url="{{ Image.Version | urlencode }}"',
    '{%- set parts = Image.Version.split(".") %}',
    'MAJOR={{ parts[0] | int }} MINOR={{ parts[1] | int }}',
    '{{ apt.run_install(files="/tmp/packages.txt") }}',
    'RUN echo {{ ["a", "b", "c"] | map("upper") | join(" ") }} {{ Dependencies.R | length }} && \\',
    '    echo done',
    '',
]
n = 0
while len(out) < 2000:
    n += 1
    out += [l.replace("{{ n }}", str(n)) for l in block]
open(os.path.join(work, "stress.j2"), "w").write("\n".join(out) + "\n")
open(os.path.join(work, "stress.yaml"), "w").write(
    "Image: {Name: connect, Version: '2026.03.1', Variant: Standard}\n"
    "Dependencies: {R: ['4.5.1', '4.4.3'], python: ['3.13.7', '3.12.11', '3.11.9']}\n")
PY

swift build -c release --product bakery >/dev/null
bakery="$(swift build -c release --show-bin-path)/bakery"

for name in product stress; do
  template="$work/$name.j2" values="$work/$name.yaml"
  "$bakery" render "$template" --values-file "$values" > "$work/$name.out"
  ms=$("$bakery" render "$template" --values-file "$values" --repeat "$iterations" --timing 2>&1 >/dev/null | tail -1)
  echo "$name: $(wc -l < "$template") template lines -> $(wc -l < "$work/$name.out") output lines; bakery (Swift, release): $ms ms per parse+render"
  if python3 -c 'import jinja2, yaml' 2>/dev/null; then
    python3 - "$template" "$values" "$work/$name.out" "$iterations" "$ms" <<'PY'
import sys, time, yaml, jinja2
template, values, ours_out, n, ours = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
env = jinja2.Environment(loader=jinja2.FileSystemLoader(["Shared/Sources/Bakery/Templating/Macros"]),
                         undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
env.filters["split"] = lambda s, sep=None: str(s).split(sep)
env.filters["quote"] = lambda s: '"' + str(s) + '"'
env.filters["stripMetadata"] = lambda s: s[:max(s.rfind("+"), s.rfind("-"))] if max(s.rfind("+"), s.rfind("-")) >= 0 else s
env.globals["raise"] = lambda m: 1 / 0
source, context = open(template).read(), yaml.safe_load(open(values))
start = time.perf_counter()
for _ in range(n):
    out = env.from_string(source).render(**context)
per = (time.perf_counter() - start) / n * 1000
print(f"   Python Jinja2 {jinja2.__version__}: {per:.2f} ms per compile+render ({per / ours:.0f}x slower); identical output: {out == open(ours_out).read()}")
PY
  fi
done
