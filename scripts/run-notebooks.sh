#!/usr/bin/env bash
# Runs every bundled notebook (notebooks/*.ipynb) with the headless runner and the quick preset,
# writing the executed copies to test/output/notebooks/ (the committed files stay as they are).
# Fails when a cell of any notebook fails. Needs `npm run build` first (dist/cli.js, dist/kernel.js).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test/output/notebooks
status=0
for nb in notebooks/*.ipynb; do
  name=$(basename "$nb")
  start=$(date +%s)
  if node dist/cli.js run-notebook "$nb" --preset quick --out "test/output/notebooks/$name"; then
    echo "run-notebooks: $name ok ($(( $(date +%s) - start )) s)"
  else
    echo "run-notebooks: $name FAILED ($(( $(date +%s) - start )) s); see test/output/notebooks/$name" >&2
    status=1
  fi
done
exit $status
