#!/usr/bin/env python3
"""Renders every product-like template in this directory with Python Jinja2 3.1 and bakery's
macro library (Shared/Sources/Bakery/Templating/Macros), for `bakery render` parity tests.

Layout: <product>/template/**.jinja2 and <product>/values-<name>.yaml; writes
<product>/expected/<name>/<relative path without .jinja2>. Output is normalised as bakery writes
rendered files (no trailing blanks on lines, one final newline). bakery's filters are re-stated
here from reference spec §6.4. Run: python3 Tests/Fixtures/templates/generate.py
"""
import os, re, yaml, jinja2

HERE = os.path.dirname(os.path.abspath(__file__))
LIBRARY = os.path.normpath(os.path.join(HERE, "../../../Shared/Sources/Bakery/Templating/Macros"))


class Raised(Exception):
    pass


def raise_(message):
    raise Raised(message)


def strip_metadata(s):
    i = max(s.rfind("+"), s.rfind("-"))
    return s if i < 0 else s[:i]


def normalize(text):
    lines = [l.rstrip(" \t") for l in text.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


for product in sorted(os.listdir(HERE)):
    template_dir = os.path.join(HERE, product, "template")
    if not os.path.isdir(template_dir):
        continue
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([template_dir, LIBRARY]), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)
    env.filters.update({
        "quote": lambda s: '"' + str(s) + '"',
        "split": lambda s, sep=None: str(s).split(sep),
        "stripMetadata": strip_metadata,
        "tagSafe": lambda s: re.sub(r"[^a-zA-Z0-9_.-]", "-", s).strip("-._"),
        "condense": lambda s: re.sub(r"[ .-]", "", s),
    })
    env.globals["raise"] = raise_
    for values_file in sorted(f for f in os.listdir(os.path.join(HERE, product)) if f.startswith("values-")):
        name = values_file[len("values-"):-len(".yaml")]
        values = yaml.safe_load(open(os.path.join(HERE, product, values_file)))
        for root, _, files in os.walk(template_dir):
            for f in sorted(files):
                rel = os.path.relpath(os.path.join(root, f), template_dir)
                text = normalize(env.get_template(rel).render(**values))
                out = os.path.join(HERE, product, "expected", name, rel[: -len(".jinja2")])
                os.makedirs(os.path.dirname(out), exist_ok=True)
                open(out, "w").write(text)
                print("wrote", os.path.relpath(out, HERE))
