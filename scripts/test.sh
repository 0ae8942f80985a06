#!/usr/bin/env bash
# npm test: build, type-check, then the suites in order of cost. Needs `npm ci` and
# scripts/setup-test-env.sh first (scripts/test-all.sh does both).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npm run typecheck
npm run test:unit
npm run test:browser
npm run test:e2e
bash scripts/run-notebooks.sh
