#!/usr/bin/env bash
# Rewrites expected.stderr / expected.exit of every case from the current build.
# Review `git diff` afterwards: these goldens are the specification of our error messages.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bakery=${BAKERY:-$here/../../../.build/debug/bakery}
for dir in "$here"/*/; do
  dir=${dir%/}
  args=()
  [ -f "$dir/args" ] && read -r -a args < "$dir/args"
  set +e
  (cd "$dir" && "$bakery" validate -q --context . "${args[@]}" >/dev/null 2>"$dir/expected.stderr")
  echo $? > "$dir/expected.exit"
  set -e
done
