#!/usr/bin/env python3
"""Renders every case of cases.txt with Python Jinja2 3.1 and writes expected.json.

Used once to produce the conformance corpus's expected outputs (Jinja2 is a black-box oracle;
it is not a dependency of the project). Run from anywhere:

    pip install 'Jinja2>=3.1,<3.2' && python3 Tests/JinjaTests/Fixtures/generate.py

Environment as bakery configures it: StrictUndefined, no autoescape, keep_trailing_newline,
no trim_blocks/lstrip_blocks; plus stand-ins for bakery's `split` and `quote` filters where a
case needs them (declared in the case's context under "__filters__").
"""
import json, os, sys, tempfile, traceback
import jinja2

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_cases(path):
    cases, current, section, name = [], None, None, None
    lines = open(path, encoding="utf-8").read().split("\n")
    def close_section():
        if current is not None and section is not None:
            text = "\n".join(current["_buf"])
            kind, arg = section
            if kind == "template":
                current["template"] = text
            elif kind == "context":
                current["context"] = json.loads(text) if text.strip() else {}
            elif kind == "file":
                current["files"][arg] = text
        if current is not None:
            current["_buf"] = []
    for line in lines:
        if line.startswith("=== "):
            close_section()
            current = {"name": line[4:].strip(), "files": {}, "context": {}, "_buf": []}
            cases.append(current)
            section = ("template", None)
        elif line.startswith("--- ") and current is not None:
            close_section()
            parts = line[4:].split(None, 1)
            section = (parts[0], parts[1] if len(parts) > 1 else None)
        elif current is not None:
            current["_buf"].append(line)
    close_section()
    for c in cases:
        del c["_buf"]
    return cases


KINDS = {
    "TemplateSyntaxError": "syntax",
    "UndefinedError": "undefined",
    "TypeError": "type",
    "ValueError": "value",
    "ZeroDivisionError": "value",
    "TemplateAssertionError": "assertion",
    "TemplateRuntimeError": "assertion",
    "TemplatesNotFound": "notFound",
    "TemplateNotFound": "notFound",
    "FilterArgumentError": "value",
}


def render(case):
    with tempfile.TemporaryDirectory() as tmp:
        files = dict(case["files"])
        files["main.j2"] = case["template"]
        for n, text in files.items():
            p = os.path.join(tmp, n)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(tmp),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )
        env.filters["split"] = lambda s, sep=None: str(s).split(sep)
        env.filters["quote"] = lambda s: '"' + str(s) + '"'
        try:
            out = env.get_template("main.j2").render(**case["context"])
            return {"output": out}
        except Exception as e:
            kind = KINDS.get(type(e).__name__, type(e).__name__)
            line, template = getattr(e, "lineno", None), None
            if isinstance(e, jinja2.TemplateSyntaxError) and e.filename:
                template = os.path.relpath(e.filename, tmp)
            if line is None or template is None:
                for frame in traceback.extract_tb(e.__traceback__):
                    if frame.filename.startswith(tmp):
                        line, template = frame.lineno, os.path.relpath(frame.filename, tmp)
            message = e.message if isinstance(e, jinja2.TemplateError) and e.message else str(e)
            if isinstance(e, jinja2.TemplateNotFound):
                message = e.name  # Jinja2's text includes the temporary search path
            return {"error": {"kind": kind, "template": template, "line": line, "message": message}}


def main():
    cases = parse_cases(os.path.join(HERE, "cases.txt"))
    names = [c["name"] for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        sys.exit(f"duplicate case names: {sorted(dupes)}")
    expected = {c["name"]: render(c) for c in cases}
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"generator": f"Jinja2 {jinja2.__version__}", "cases": expected}, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    errors = sum(1 for v in expected.values() if "error" in v)
    print(f"{len(cases)} cases ({errors} errors) rendered with Jinja2 {jinja2.__version__}")


if __name__ == "__main__":
    main()
