#!/usr/bin/env bash
# npm test: build, type-check, then the suites in order of cost. Needs `npm ci` and
# scripts/setup-test-env.sh first (scripts/test-all.sh does both).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build
npm run typecheck
npm run format:check
# The optional native GEMM (node-gyp, g++): built here so its kernel tests run instead of skipping.
npm run build:native
# The linux-arm64 addon, cross-built (g++-aarch64-linux-gnu), for native-arm64.test.ts (qemu-user).
npm run build:native -- --arch=arm64
npm run test:unit
npm run test:browser
npm run test:e2e
# "Train CR-VAE" end to end, on the .vsix the main e2e just packaged (a few minutes).
VAE_LAB_E2E_SKIP_PACKAGE=1 npm run test:e2e:train
# The "VAE Lab Runs" view and "Run Sweep…" on that .vsix (about a minute; Run Sweep trains two tiny jobs).
VAE_LAB_E2E_SKIP_PACKAGE=1 npm run test:e2e:runs
# A new user's first hour on that .vsix alone: empty folder, fresh HOME, no VAE_LAB_* variables.
VAE_LAB_E2E_SKIP_PACKAGE=1 npm run test:e2e:zero
# A kernel from that .vsix on webgpu (Dawn's software adapter here) under code-server's Node.
VAE_LAB_E2E_SKIP_PACKAGE=1 npm run test:e2e:webgpu
# One .vsix per platform (scripts/package.mjs: its own dawn.node, the GEMM in linux-x64 and, cross-built, linux-arm64),
# their listings, and a tslab + tfjs-node notebook from the linux-x64 one, in and out of
# Restricted Mode (a few minutes).
npm run package:targets
node --import tsx --test test/unit/extension/targets.test.ts
VAE_LAB_E2E_SKIP_PACKAGE=1 npm run test:e2e:tslab
bash scripts/run-notebooks.sh
