#!/usr/bin/env bash
# The README's test command: set up from the project's own files, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
bash scripts/setup-test-env.sh
npm test
