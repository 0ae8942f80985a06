#!/usr/bin/env bash
# What `npm run bench -- runtime` needs for an honest reference (bench.mjs runs this first):
# Debian's PyTorch and numpy, and OpenBLAS as the system's libblas.so.3.
# Debian's python3-torch 1.13 is built with BLAS_INFO=generic: it calls whatever libblas.so.3
# the alternatives system points at. A fresh machine has only netlib's reference BLAS (libblas3),
# on which PyTorch's Linear layers run ~8x slower; libopenblas0-pthread installs OpenBLAS as
# that alternative (priority above netlib's), which is the PyTorch a user would actually run.
# Installs only what is missing, so a second run takes a moment. Without root or sudo it says
# what to install and leaves the bench to refuse or skip the reference.
set -euo pipefail
need=()
for pkg in python3-torch python3-numpy python3-threadpoolctl libopenblas0-pthread; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else
      echo "setup-bench-env: not root: install ${need[*]} (apt-get) for the PyTorch reference" >&2
      exit 0
    fi
  fi
  echo "setup-bench-env: apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
update-alternatives --display libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^ *link currently points to /setup-bench-env: libblas.so.3 -> /p' || true
