// node native-check.cjs <vae_lab_gemm.node>: the addon's three entry points against plain-JS
// references, with no tfjs and no TypeScript, so it runs on any Node: native-arm64.test.ts runs
// it on an arm64 Node under qemu-user against the cross-built linux-arm64 addon (and on this
// Node against the x64 one, so the check itself is checked). Prints one line per check and
// exits non-zero on the first disagreement.
//   gemm: every transpose, edge tiles, k past one KC block (256), one and two threads, within
//     1e-5 of |A||B| (float64 reference; the kernel's float32 sums in k order are off by ~k ulp).
//   conv (the direct convolutions: forward, filter and input gradients, one thread and two):
//     within 1e-5 of the sum of |terms| of a float64 reference, as gemm.
//   adam, patches (im2col/col2im): bit for bit a float32 reference (Math.fround after every
//     operation: +, -, *, / and sqrt of floats rounded once through float64 equal the float32
//     results), the arithmetic and order gemm.cc promises.
//   binary (ops.cc): +, -, *, / with every broadcast mode, bit for bit Math.fround(a op b), on one
//     thread and split; unary softplus / sigmoid within 4 float32 ulps of float64 references; colsum
//     within 1e-6 of the magnitudes' sum, the same floats on one thread and two.
'use strict';
const assert = require('node:assert/strict');

const g = require(process.argv[2]);
const isa = g.isa();
assert.ok(isa, 'isa() is null: no kernel chosen');

let seed = 12345;
/** A small LCG in [-1, 1): the same numbers on every machine. */
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 31 - 1;
const f = Math.fround;

function checkGemm(m, k, n, ta, tb, threads) {
  g.configure(threads, 1);
  const heap = new ArrayBuffer(4 * (m * k + k * n + m * n + 16));
  const h = new Float32Array(heap);
  const a = 3,
    b = a + m * k,
    c = b + k * n;
  for (let i = 0; i < c; i++) h[i] = rnd();
  // element (i, p) of A at a + i ars + p acs; A stored [k, m] when transposed
  const [ars, acs] = ta ? [1, m] : [k, 1];
  const [brs, bcs] = tb ? [1, k] : [n, 1];
  h.fill(NaN, c, c + m * n); // every element must be written
  g.gemm(heap, a, ars, acs, b, brs, bcs, c, n, m, k, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0,
        mag = 0;
      for (let p = 0; p < k; p++) {
        const x = h[a + i * ars + p * acs] * h[b + p * brs + j * bcs];
        s += x;
        mag += Math.abs(x);
      }
      const got = h[c + i * n + j];
      assert.ok(Math.abs(got - s) <= 1e-5 * mag + 1e-30, `gemm ${m}x${k}x${n} ta=${ta} tb=${tb} ${threads}t: C[${i},${j}] ${got} vs ${s}`);
    }
  }
}

function checkAdam(n) {
  g.configure(2, 1);
  const heap = new ArrayBuffer(4 * 7 * n);
  const h = new Float32Array(heap);
  const [x, m, v, gr] = [0, n, 2 * n, 3 * n];
  for (let i = 0; i < 4 * n; i++) h[i] = rnd();
  for (let i = v; i < v + n; i++) h[i] = f(h[i] * h[i]);
  const [b1, b2, ob1, ob2, step, s2, eps] = [0.9, 0.999, 0.1, 0.001, 0.0137, 1.0627, 1e-7].map(f);
  g.adam(heap, x, m, v, gr, 4 * n, 5 * n, 6 * n, n, b1, b2, ob1, ob2, step, s2, eps);
  for (let i = 0; i < n; i++) {
    const gi = h[gr + i];
    const mo = f(f(h[m + i] * b1) + f(gi * ob1));
    const vo = f(f(h[v + i] * b2) + f(f(gi * gi) * ob2));
    const xo = f(h[x + i] - f(f(step * mo) / f(f(f(Math.sqrt(vo)) * s2) + eps)));
    assert.ok(Object.is(h[5 * n + i], mo) && Object.is(h[6 * n + i], vo) && Object.is(h[4 * n + i], xo), `adam n=${n}: weight ${i} differs`);
  }
}

/** NHWC im2col then col2im of one geometry, against the walk gemm.cc documents. */
function checkPatches(batch, inH, inW, ci, kh, kw, sh, sw, top, left) {
  const outH = Math.floor((inH + 2 * top - kh) / sh) + 1;
  const outW = Math.floor((inW + 2 * left - kw) / sw) + 1;
  const geometry = [batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, top, left];
  const xn = batch * inH * inW * ci,
    rowLen = kh * kw * ci,
    pn = batch * outH * outW * rowLen;
  const heap = new ArrayBuffer(4 * (xn + pn));
  const h = new Float32Array(heap);
  const x = 0,
    p = xn;
  for (let i = 0; i < xn; i++) h[x + i] = rnd();
  h.fill(7, p, p + pn); // im2col writes every row whole, padding included
  g.patches(heap, 0, x, p, ...geometry);
  const xAt = (b, ih, iw, c) => (ih < 0 || ih >= inH || iw < 0 || iw >= inW ? 0 : h[x + ((b * inH + ih) * inW + iw) * ci + c]);
  for (let b = 0, q = p; b < batch; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let r = 0; r < kh; r++)
          for (let s = 0; s < kw; s++)
            for (let c = 0; c < ci; c++, q++) assert.ok(Object.is(h[q], xAt(b, oh * sh - top + r, ow * sw - left + s, c)), `im2col at ${q - p}`);
  // col2im of random patches into an x full of garbage (it is zeroed first); reference summed
  // in the same order (b, oh, ow, r, then the filter row's run) in float32
  for (let i = 0; i < pn; i++) h[p + i] = rnd();
  const ref = new Float32Array(xn);
  for (let b = 0, q = p; b < batch; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let r = 0; r < kh; r++)
          for (let s = 0; s < kw; s++)
            for (let c = 0; c < ci; c++, q++) {
              const ih = oh * sh - top + r,
                iw = ow * sw - left + s;
              if (ih >= 0 && ih < inH && iw >= 0 && iw < inW) {
                const o = ((b * inH + ih) * inW + iw) * ci + c;
                ref[o] = f(ref[o] + h[q]);
              }
            }
  h.fill(7, x, x + xn);
  g.patches(heap, 1, x, p, ...geometry);
  for (let i = 0; i < xn; i++) assert.ok(Object.is(h[x + i], ref[i]), `col2im at ${i}: ${h[x + i]} vs ${ref[i]}`);
}

/**
 * The direct convolutions of one geometry (co and, for the input gradient, kh kw ci multiples
 * of 8), every mode, against float64 sums over the same patches: mode 0 y = sum_k P[n,k] W[k,co];
 * 1 dW[k,co] = sum_n P[n,k] dY[n,co]; 2 dX = the patches' sums of dY[n] W^T added back.
 */
function checkConv(batch, inH, inW, ci, co, kh, kw, sh, sw, top, left, threads) {
  g.configure(threads, 1);
  const outH = Math.floor((inH + 2 * top - kh) / sh) + 1;
  const outW = Math.floor((inW + 2 * left - kw) / sw) + 1;
  const geometry = [batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, top, left, co];
  const K = kh * kw * ci,
    xn = batch * inH * inW * ci,
    wn = K * co,
    yn = batch * outH * outW * co;
  const heap = new ArrayBuffer(4 * (xn + wn + yn + 8));
  const h = new Float32Array(heap);
  const [x, w, y] = [1, 1 + xn, 1 + xn + wn];
  for (let i = 0; i < xn + wn + yn; i++) h[1 + i] = rnd();
  const name = `conv ${batch}x${inH}x${inW}x${ci}->${co} k${kh}x${kw} s${sh} pad ${top},${left} ${threads}t`;
  // every (n, k) of P with its x index, or -1 over the padding
  const at = [];
  for (let b = 0; b < batch; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let r = 0; r < kh; r++)
          for (let s = 0; s < kw; s++)
            for (let c = 0; c < ci; c++) {
              const ih = oh * sh - top + r,
                iw = ow * sw - left + s;
              at.push(ih < 0 || ih >= inH || iw < 0 || iw >= inW ? -1 : x + ((b * inH + ih) * inW + iw) * ci + c);
            }
  const N = batch * outH * outW;
  const close = (got, s, mag, what) => assert.ok(Math.abs(got - s) <= 1e-5 * mag + 1e-30, `${name} ${what}: ${got} vs ${s}`);
  // forward, into a y full of NaN: every element must be written
  const dy = h.slice(y, y + yn);
  h.fill(NaN, y, y + yn);
  g.conv(heap, 0, x, w, y, ...geometry);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < co; o++) {
      let s = 0,
        mag = 0;
      for (let k = 0; k < K; k++) {
        const i = at[n * K + k];
        const t = i < 0 ? 0 : h[i] * h[w + k * co + o];
        s += t;
        mag += Math.abs(t);
      }
      close(h[y + n * co + o], s, mag, `forward y[${n},${o}]`);
    }
  // filter gradient from dy, into a w full of NaN
  h.set(dy, y);
  const wOld = h.slice(w, w + wn);
  h.fill(NaN, w, w + wn);
  g.conv(heap, 1, x, w, y, ...geometry);
  for (let k = 0; k < K; k++)
    for (let o = 0; o < co; o++) {
      let s = 0,
        mag = 0;
      for (let n = 0; n < N; n++) {
        const i = at[n * K + k];
        const t = i < 0 ? 0 : h[i] * dy[n * co + o];
        s += t;
        mag += Math.abs(t);
      }
      close(h[w + k * co + o], s, mag, `filter dW[${k},${o}]`);
    }
  if (K % 8 !== 0) return;
  // input gradient from dy and the old w, into an x full of NaN (it is zeroed first)
  h.set(wOld, w);
  const sum = new Float64Array(xn),
    mag = new Float64Array(xn);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      const i = at[n * K + k];
      if (i < 0) continue;
      for (let o = 0; o < co; o++) {
        const t = dy[n * co + o] * h[w + k * co + o];
        sum[i - x] += t;
        mag[i - x] += Math.abs(t);
      }
    }
  h.fill(NaN, x, x + xn);
  g.conv(heap, 2, x, w, y, ...geometry);
  for (let i = 0; i < xn; i++) close(h[x + i], sum[i], mag[i], `input dX[${i}]`);
}

for (const threads of [1, 2])
  for (const [m, k, n] of [
    [1, 1, 1],
    [5, 7, 3],
    [9, 300, 33],
    [37, 20, 70],
  ])
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ])
      checkGemm(m, k, n, ta, tb, threads);
console.log(`gemm ok (${isa})`);
for (const n of [37, 40000]) checkAdam(n);
console.log(`adam ok (${isa})`);
checkPatches(2, 7, 7, 3, 4, 4, 2, 2, 1, 1);
checkPatches(3, 5, 6, 2, 3, 3, 1, 1, 1, 1);
checkPatches(1, 9, 9, 1, 5, 5, 2, 2, 2, 2);
console.log(`patches ok (${isa})`);
for (const threads of [1, 2]) {
  checkConv(2, 9, 7, 1, 16, 4, 4, 2, 2, 1, 1, threads); // a first layer's K = 16
  checkConv(3, 6, 7, 2, 8, 3, 3, 1, 1, 1, 1, threads); // K = 18: no input gradient
  checkConv(1, 5, 5, 8, 24, 3, 3, 2, 2, 0, 0, threads); // valid, co = 16 + 8
  checkConv(8, 16, 16, 8, 16, 4, 4, 2, 2, 1, 1, threads); // 2^20 multiply-adds: both threads where asked
}
console.log(`conv ok (${isa})`);
// colsum: one thread (small) and blocks on two, against float64 sums
for (const [rows, cols] of [
  [7, 3],
  [5000, 16],
]) {
  g.configure(2, 1);
  const heap = new ArrayBuffer(4 * (rows * cols + cols + 2));
  const h = new Float32Array(heap);
  for (let i = 0; i < rows * cols; i++) h[1 + i] = rnd();
  const out = 1 + rows * cols;
  h.fill(NaN, out, out + cols);
  g.colsum(heap, 1, out, rows, cols);
  for (let c = 0; c < cols; c++) {
    let s = 0,
      mag = 0;
    for (let r = 0; r < rows; r++) {
      s += h[1 + r * cols + c];
      mag += Math.abs(h[1 + r * cols + c]);
    }
    assert.ok(Math.abs(h[out + c] - s) <= 1e-5 * mag, `colsum ${rows}x${cols} column ${c}: ${h[out + c]} vs ${s}`);
  }
}
console.log(`colsum ok (${isa})`);

/** Every op and pair of operand modes (0 whole, 1 row, 2 column, 3 scalar) on out[outer, inner]. */
function checkBinary(outer, inner, split) {
  const old = g.opsSplit(split);
  const n = outer * inner;
  const heap = new ArrayBuffer(4 * (3 * n + 8));
  const h = new Float32Array(heap);
  const a = 1,
    b = a + n,
    o = b + n;
  for (let i = 0; i < o; i++) h[i] = rnd();
  for (let i = b; i < o; i++) if (h[i] === 0) h[i] = 0.5; // no 0 / 0
  const at = (base, mode, i, j) => h[base + [i * inner + j, j, i, 0][mode]];
  const fns = [(x, y) => x + y, (x, y) => x - y, (x, y) => x * y, (x, y) => x / y];
  for (let op = 0; op < 4; op++)
    for (let am = 0; am < 4; am++)
      for (let bm = 0; bm < 4; bm++) {
        h.fill(NaN, o, o + n);
        g.binary(heap, op, a, am, b, bm, o, outer, inner);
        for (let i = 0; i < outer; i++)
          for (let j = 0; j < inner; j++) {
            const want = f(fns[op](at(a, am, i, j), at(b, bm, i, j)));
            assert.ok(
              Object.is(h[o + i * inner + j], want),
              `binary op ${op} modes ${am},${bm} ${outer}x${inner}: [${i},${j}] ${h[o + i * inner + j]} vs ${want}`,
            );
          }
      }
  g.opsSplit(old);
}

function checkUnary(n, split) {
  const old = g.opsSplit(split);
  const heap = new ArrayBuffer(4 * 2 * n);
  const h = new Float32Array(heap);
  for (let i = 0; i < n; i++) h[i] = f(rnd() * 40); // both sides of softplus's +-13.94 cut-offs
  const refs = [(x) => (x > 13.942385152878742 ? x : x < -13.942385152878742 ? Math.exp(x) : Math.log1p(Math.exp(x))), (x) => 1 / (1 + Math.exp(-x))];
  for (let op = 0; op < 2; op++) {
    g.unary(heap, op, 0, n, n);
    for (let i = 0; i < n; i++) {
      const want = refs[op](h[i]);
      const ulp = Math.max(Math.abs(want), 2 ** -126) * 2 ** -23;
      assert.ok(Math.abs(h[n + i] - want) <= 4 * ulp, `unary op ${op} at x=${h[i]}: ${h[n + i]} vs ${want}`);
    }
  }
  g.opsSplit(old);
}

/** colsum against a float64 sum, within 1e-6 of the sum of magnitudes; the same floats split or not. */
function checkColsum(rows, cols) {
  const heap = new ArrayBuffer(4 * (rows * cols + 2 * cols));
  const h = new Float32Array(heap);
  for (let i = 0; i < rows * cols; i++) h[i] = rnd();
  const runs = [1e9, 0].map((split) => {
    const old = g.opsSplit(split);
    h.fill(NaN, rows * cols);
    g.colsum(heap, 0, rows * cols, rows, cols);
    g.opsSplit(old);
    return h.slice(rows * cols, rows * cols + cols);
  });
  for (let c = 0; c < cols; c++) {
    let s = 0,
      mag = 0;
    for (let r = 0; r < rows; r++) ((s += h[r * cols + c]), (mag += Math.abs(h[r * cols + c])));
    assert.ok(Math.abs(runs[0][c] - s) <= 1e-6 * mag, `colsum ${rows}x${cols}: column ${c} ${runs[0][c]} vs ${s}`);
    assert.ok(Object.is(runs[1][c], runs[0][c]), `colsum ${rows}x${cols}: column ${c} differs split (${runs[1][c]} vs ${runs[0][c]})`);
  }
}

g.configure(2, 1);
checkColsum(1, 1);
checkColsum(3, 5);
checkColsum(65537, 1);
checkColsum(4099, 17);
checkBinary(1, 1, 1e9);
checkBinary(7, 13, 1e9);
checkBinary(7, 13, 0);
checkBinary(130, 517, 0); // 67210 elements: 8 blocks over both threads, rows cut inside
checkUnary(37, 1e9);
checkUnary(70001, 0);
console.log(`ops ok (${isa})`);
