#!/usr/bin/env bash
# The README's "set up and run the main job": install, build, package the extension, then
# train CR-VAE against its VAE baseline on MNIST (quick preset unless VAE_LAB_PRESET says
# otherwise) and print the metrics beside the paper's Table 1 rows.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET="${VAE_LAB_PRESET:-quick}"
npm ci --no-audit --no-fund
# The optional native GEMM (node-gyp + a C++ compiler); without it the lab runs its wasm kernels.
npm run build:native || echo "main: native GEMM not built; training runs on the wasm kernels"
npm run package
OUT="runs/main-$(date +%Y%m%d-%H%M%S)"
node dist/cli.js train --model vae --dataset mnist --preset "$PRESET" --out "$OUT/vae"
node dist/cli.js train --model vae --cr --dataset mnist --preset "$PRESET" --out "$OUT/cr-vae"
node -e '
const fs = require("fs");
const rows = [["VAE", process.argv[1] + "/vae", 83.7, 338.7, 36], ["CR-VAE", process.argv[1] + "/cr-vae", 81.2, 129.5, 47]];
console.log("\nmodel   | NLL test | NLL t-Test | AU | MI test (log M: its bound) | paper NLL test / t-Test / AU");
for (const [name, dir, pt, ptt, pau] of rows) {
  const m = JSON.parse(fs.readFileSync(dir + "/metrics.json", "utf8"));
  console.log(`${name.padEnd(7)} | ${m.test.nll.toFixed(1).padStart(8)} | ${m.tTest.nll.toFixed(1).padStart(10)} | ${String(m.test.au).padStart(2)} | ${(m.test.mi.toFixed(2) + " (" + m.test.logM.toFixed(2) + (m.test.miAtBound ? ", at the bound" : "") + ")").padStart(24)} | ${pt} / ${ptt} / ${pau}`);
}
console.log(`\nThe extension: dist/vae-lab.vsix (code --install-extension dist/vae-lab.vsix). Runs: ${process.argv[1]}`);
' "$OUT"
