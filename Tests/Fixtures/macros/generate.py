#!/usr/bin/env python3
"""Records what the reference bakery (posit-bakery 0.8.0) renders for every macro call in calls.txt.

The reference CLI is used as a black box: a scratch project gets one template file calling every
macro (each call between markers), `bakery create version` renders it, and the rendered file is
split back into one output per call. Rendered files are normalised by bakery (trailing spaces and
tabs removed from every line), so outputs here are too. Calls the reference rejects are recorded
under "errors" with the exception text.

posit-bakery 0.8.0 needs Python >= 3.12 to render (it uses Path.walk):

    python3.12 -m venv /tmp/ref312 && /tmp/ref312/bin/pip install posit-bakery==0.8.0
    BAKERY=/tmp/ref312/bin/bakery python3 Tests/Fixtures/macros/generate.py
"""
import json, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BAKERY = os.environ.get("BAKERY", "bakery")
HEADER = ['{%- import "apt.j2" as apt -%}', '{%- import "dnf.j2" as dnf -%}', '{%- import "python.j2" as python -%}',
          '{%- import "r.j2" as r -%}', '{%- import "quarto.j2" as quarto -%}', '{%- import "goss.j2" as goss -%}']


def run(args, cwd):
    return subprocess.run([BAKERY] + args, cwd=cwd, capture_output=True, text=True)


def render(project, calls):
    lines = list(HEADER)
    for c in calls:
        lines += ["@@@ " + c.replace("{{", "{ {"), "{{ " + c + " }}|END"]
    template_dir = os.path.join(project, "mac", "template")
    for f in os.listdir(template_dir):
        path = os.path.join(template_dir, f)
        if os.path.isfile(path):
            os.remove(path)
    with open(os.path.join(template_dir, "out.txt.jinja2"), "w") as f:
        f.write("\n".join(lines) + "\n")
    config = os.path.join(project, "bakery.yaml")
    text = re.sub(r"\n    versions:.*", "", open(config).read(), flags=re.S)
    open(config, "w").write(text)
    subprocess.run(["rm", "-rf", os.path.join(project, "mac", "1.0.0")])
    return run(["create", "version", "mac", "1.0.0"], project)


def main():
    calls = [l for l in open(os.path.join(HERE, "calls.txt")).read().split("\n") if l.strip()]
    with tempfile.TemporaryDirectory() as project:
        run(["create", "project"], project)
        config = os.path.join(project, "bakery.yaml")
        text = open(config).read().replace('url: "<REPLACE ME>"', 'url: "https://github.com/example/macros"')
        open(config, "w").write(text)
        if run(["create", "image", "mac"], project).returncode != 0:
            sys.exit("bakery create image failed")
        active, errors = list(calls), {}
        while True:
            p = render(project, active)
            if p.returncode == 0:
                rendered = open(os.path.join(project, "mac", "1.0.0", "out.txt")).read()
                break
            m = re.search(r"out\.txt\.jinja2:(\d+) in top-level", p.stdout + p.stderr)
            if not m:
                sys.exit(p.stdout[-3000:] + p.stderr[-3000:])
            index = (int(m.group(1)) - len(HEADER) - 2) // 2
            messages = [l.strip() for l in (p.stdout + p.stderr).split("\n") if re.match(r"\s+\w*(Error|Exception)\b", l)]
            errors[active[index]] = messages[-1].rstrip(" │") if messages else "error"
            active.pop(index)
    outputs = {}
    for call, part in zip(active, rendered.split("@@@ ")[1:]):
        body = part.split("\n", 1)[1]
        outputs[call] = body[: body.rindex("|END")]
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump({"generator": "posit-bakery 0.8.0 (bakery create version)", "outputs": outputs, "errors": errors}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(outputs)} outputs, {len(errors)} rejected calls")


if __name__ == "__main__":
    main()
