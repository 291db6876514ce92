#!/usr/bin/env bash
# Records posit-bakery 0.8.0's stdout and exit codes for the `ours-*` projects in this folder, the
# same way shared/reference was recorded: the project's file tree (tree.txt) in a scratch git
# repository, each cases.tsv row run from the project folder, stdout normalised with normalize.py.
#   BAKERY=/path/to/posit-bakery/bin/bakery Tests/Fixtures/reference/generate-ours.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bakery=${BAKERY:-bakery}
for project in "$here"/ours-*/; do
  name=$(basename "$project")
  work=$(mktemp -d)
  ctx="$work/$name"
  mkdir -p "$ctx"
  while read -r path; do [ -n "$path" ] && mkdir -p "$ctx/$(dirname "$path")" && : > "$ctx/$path"; done < "$project/tree.txt"
  cp "$project/bakery.yaml" "$ctx/bakery.yaml"
  [ -d "$project/inputs" ] && cp -r "$project/inputs" "$ctx/inputs"
  (cd "$ctx" && git init -q && git add -A && git -c user.email=t@example.com -c user.name=t commit -qm fixture)
  { head -1 "$project/cases.tsv"; tail -n +2 "$project/cases.tsv" | while IFS=$'\t' read -r slug argv _ stdin note; do
      set +e
      (cd "$ctx" && env -u GITHUB_TOKEN COLUMNS=100000 $bakery $argv > "$work/out" 2>/dev/null)
      code=$?
      set -e
      rm -f "$project/$slug.json" "$project/$slug.txt"
      if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out" 2>/dev/null; then
        python3 "$here/normalize.py" --context "$ctx" < "$work/out" > "$project/$slug.json"
      else
        python3 "$here/normalize.py" --mode text --context "$ctx" < "$work/out" > "$project/$slug.txt"
      fi
      printf '%s\t%s\t%s\t%s\t%s\n' "$slug" "$argv" "$code" "$stdin" "$note"
    done; } > "$work/cases.tsv"
  mv "$work/cases.tsv" "$project/cases.tsv"
  rm -rf "$work"
  echo "recorded $name"
done
