// vae_lab_gemm: the lab's matrix product on the CPU's own vector width (AVX-512 or AVX2 + FMA,
// chosen at run time), for the wasm path's kernel routing (src/lab/runtime/native-gemm.ts).
// wasm SIMD is 128 bits wide; a 512-bit FMA does four times the work per instruction.
// Elsewhere (aarch64: the linux-arm64 .vsix, cross-built by native/build.mjs --arch=arm64), and
// on x86-64 when VAE_LAB_NATIVE_ISA=generic, a portable kernel runs: plain C++ with fixed-size
// loops that GCC's -O3 vectorizer turns into NEON (or SSE2) code; see kernel_generic.
//
// C[m,n] = op(A)[m,k] op(B)[k,n], every operand given by element steps (element (i,j) of A at
// a[i*ars + j*acs]), so a transposed operand costs nothing extra: the packers gather it.
// Blocking as in Goto & van de Geijn (BLIS's loop order): B is packed KC x NC at a time into
// NR-column micro-panels stored k-major, A into MR-row micro-panels MC rows at a time; an
// MR x NR tile of C stays in registers while k runs. One B micro-panel (KC*NR floats, 32 KB
// for AVX-512) stays in L1 while the A panels of a block (MC*KC floats, 96 KB) stream from L2.
// The heap is the wasm backend's ArrayBuffer, read and written in place (no copies).
//
// Two threads: a product of at least `minMacs` multiply-adds is cut into blocks along its longer
// side (rows of C or columns, in whole tiles) that both threads take, each packing its own
// panels, racing (see Split: a descheduled second thread's blocks are taken over, not waited
// for); every C element is still one thread's sum over k in the same order, so the result
// does not depend on the split.
#include <node_api.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include "parallel.h"

namespace {

constexpr int KC = 256;
constexpr int MC = 96;
constexpr int NC = 2048;

struct Op { const float* p; ptrdiff_t rs, cs; };

// kernel(kc, ap, bp, c, ldc, acc): the MR x NR tile at c (row stride ldc) = (or +=, acc) Ap Bp.
using Kernel = void (*)(int, const float*, const float*, float*, ptrdiff_t, int);

/**
 * The portable micro-kernel: a GMR x GNR tile of C in a local array the compiler keeps in
 * vector registers (fixed trip counts, fully unrolled rows; the j loop becomes GNR/4 4-wide
 * vector multiplies and adds). 4 x 16 = 16 NEON registers of aarch64's 32, plus 4 for the B
 * row. With -ffp-contract=off there is no fused multiply-add: each step is c += round(a b),
 * the cpu backend's arithmetic, k in ascending order; the results differ from the FMA kernels'
 * in the last bits only (the tests compare all kernels with the cpu backend at one tolerance).
 */
constexpr int GMR = 4, GNR = 16;
void kernel_generic(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, int acc) {
  float t[GMR][GNR] = {};
  for (int p = 0; p < kc; p++) {
#pragma GCC unroll 4
    for (int r = 0; r < GMR; r++) {
      const float ar = a[r];
#pragma GCC unroll 16
      for (int j = 0; j < GNR; j++) t[r][j] += ar * b[j];
    }
    a += GMR;
    b += GNR;
  }
#pragma GCC unroll 4
  for (int r = 0; r < GMR; r++) {
    float* row = c + r * ldc;
    if (acc) {
#pragma GCC unroll 16
      for (int j = 0; j < GNR; j++) row[j] += t[r][j];
    } else {
#pragma GCC unroll 16
      for (int j = 0; j < GNR; j++) row[j] = t[r][j];
    }
  }
}

#if defined(__x86_64__)
__attribute__((target("avx512f,fma")))
void kernel_avx512(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, int acc) {
  constexpr int MR = 8;
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; r++) c0[r] = c1[r] = _mm512_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
      const __m512 ar = _mm512_set1_ps(a[r]);
      c0[r] = _mm512_fmadd_ps(ar, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(ar, b1, c1[r]);
    }
    a += MR;
    b += 32;
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; r++) {
    float* row = c + r * ldc;
    if (acc) {
      c0[r] = _mm512_add_ps(c0[r], _mm512_loadu_ps(row));
      c1[r] = _mm512_add_ps(c1[r], _mm512_loadu_ps(row + 16));
    }
    _mm512_storeu_ps(row, c0[r]);
    _mm512_storeu_ps(row + 16, c1[r]);
  }
}

__attribute__((target("avx2,fma")))
void kernel_avx2(int kc, const float* a, const float* b, float* c, ptrdiff_t ldc, int acc) {
  constexpr int MR = 6;
  __m256 c0[MR], c1[MR];
#pragma GCC unroll 6
  for (int r = 0; r < MR; r++) c0[r] = c1[r] = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int r = 0; r < MR; r++) {
      const __m256 ar = _mm256_broadcast_ss(a + r);
      c0[r] = _mm256_fmadd_ps(ar, b0, c0[r]);
      c1[r] = _mm256_fmadd_ps(ar, b1, c1[r]);
    }
    a += MR;
    b += 16;
  }
#pragma GCC unroll 6
  for (int r = 0; r < MR; r++) {
    float* row = c + r * ldc;
    if (acc) {
      c0[r] = _mm256_add_ps(c0[r], _mm256_loadu_ps(row));
      c1[r] = _mm256_add_ps(c1[r], _mm256_loadu_ps(row + 8));
    }
    _mm256_storeu_ps(row, c0[r]);
    _mm256_storeu_ps(row + 8, c1[r]);
  }
}

#endif  // __x86_64__

/**
 * Adam's update over [lo, hi), the same float32 operations in the same order as the wasm
 * kernel (src/lab/runtime/wasm/simd.ts adam; no fused multiply-adds: -ffp-contract=off), so the
 * two paths agree bit for bit:
 *   mo = b1 m + ob1 g;  vo = b2 v + (g g) ob2;  xo = x - (step mo) / (sqrt(vo) s2 + eps)
 * c = {b1, b2, ob1, ob2, step, s2, eps}. sqrt and / are correctly rounded in every vector ISA,
 * so the vectorized and scalar forms give the same floats.
 */
struct AdamArgs { const float *x, *m, *v, *g; float *xo, *mo, *vo; float c[7]; };
using AdamFn = void (*)(const AdamArgs&, int64_t, int64_t);

/**
 * The portable form (aarch64, VAE_LAB_NATIVE_ISA=generic). `omp simd` (-fopenmp-simd: the
 * pragma only, no OpenMP run time) tells GCC the iterations are independent, which they are
 * even where an output is its own input (element i reads and writes only element i), and makes
 * it vectorize although its generic-aarch64 cost model rates vector sqrt and divide
 * unprofitable; -fno-math-errno lets sqrt be one instruction.
 */
void adamGeneric(const AdamArgs& a, int64_t lo, int64_t hi) {
  const float b1 = a.c[0], b2 = a.c[1], ob1 = a.c[2], ob2 = a.c[3], step = a.c[4], s2 = a.c[5], eps = a.c[6];
  const float *x = a.x, *m = a.m, *v = a.v, *g = a.g;
  float *xo = a.xo, *mo = a.mo, *vo = a.vo;
#pragma omp simd
  for (int64_t i = lo; i < hi; i++) {
    const float mi = m[i] * b1 + g[i] * ob1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * ob2;
    mo[i] = mi;
    vo[i] = vi;
    xo[i] = x[i] - (step * mi) / (std::sqrt(vi) * s2 + eps);
  }
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
void adamRange(const AdamArgs& a, int64_t lo, int64_t hi) {
  const __m256 b1 = _mm256_set1_ps(a.c[0]), b2 = _mm256_set1_ps(a.c[1]), ob1 = _mm256_set1_ps(a.c[2]),
               ob2 = _mm256_set1_ps(a.c[3]), step = _mm256_set1_ps(a.c[4]), s2 = _mm256_set1_ps(a.c[5]),
               eps = _mm256_set1_ps(a.c[6]);
  int64_t i = lo;
  for (; i + 8 <= hi; i += 8) {
    const __m256 g = _mm256_loadu_ps(a.g + i);
    const __m256 mi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(a.m + i), b1), _mm256_mul_ps(g, ob1));
    _mm256_storeu_ps(a.mo + i, mi);
    const __m256 vi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(a.v + i), b2), _mm256_mul_ps(_mm256_mul_ps(g, g), ob2));
    _mm256_storeu_ps(a.vo + i, vi);
    const __m256 den = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vi), s2), eps);
    _mm256_storeu_ps(a.xo + i, _mm256_sub_ps(_mm256_loadu_ps(a.x + i), _mm256_div_ps(_mm256_mul_ps(step, mi), den)));
  }
  for (; i < hi; i++) {
    const float g = a.g[i];
    const float mi = a.m[i] * a.c[0] + g * a.c[2];
    a.mo[i] = mi;
    const float vi = a.v[i] * a.c[1] + (g * g) * a.c[3];
    a.vo[i] = vi;
    a.xo[i] = a.x[i] - (a.c[4] * mi) / (std::sqrt(vi) * a.c[5] + a.c[6]);
  }
}
#endif  // __x86_64__

struct Isa { const char* name; Kernel kernel; int mr, nr; AdamFn adam; };
const Isa GENERIC{"generic", kernel_generic, GMR, GNR, adamGeneric};
#if defined(__x86_64__)
const Isa AVX512{"avx512", kernel_avx512, 8, 32, adamRange};
const Isa AVX2{"avx2", kernel_avx2, 6, 16, adamRange};
#endif

/**
 * x86-64: the widest kernel this CPU runs; VAE_LAB_NATIVE_ISA=avx2 picks the narrower one and
 * =generic the portable one (tests check each the CPU has). nullptr where the CPU has neither
 * AVX2 nor AVX-512 and generic is not asked for: wasm's 128-bit SIMD is as wide as the
 * portable kernel's SSE2 there, so the caller keeps wasm. Other architectures: the portable one.
 */
const Isa* chooseIsa() {
  const char* want = std::getenv("VAE_LAB_NATIVE_ISA");
  if (want && std::string(want) == "generic") return &GENERIC;
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f");
  if (want && std::string(want) == "avx2") return avx2 ? &AVX2 : nullptr;
  if (avx512) return &AVX512;
  return avx2 ? &AVX2 : nullptr;
#else
  return &GENERIC;
#endif
}
const Isa* isa = chooseIsa();

/** Ap: rows [i0, i0+mc) x cols [p0, p0+kc) of A as MR-row panels, k-major, zero-padded to MR. */
void packA(const Op& a, int i0, int p0, int mc, int kc, int mr, float* dst) {
  for (int i = 0; i < mc; i += mr, dst += mr * kc) {
    const int rows = std::min(mr, mc - i);
    const float* src = a.p + (i0 + i) * a.rs + p0 * a.cs;
    for (int p = 0; p < kc; p++) {
      const float* s = src + p * a.cs;
      int r = 0;
      for (; r < rows; r++) dst[p * mr + r] = s[r * a.rs];
      for (; r < mr; r++) dst[p * mr + r] = 0.f;
    }
  }
}

/** Bp: rows [p0, p0+kc) x cols [j0, j0+nc) of B as NR-column panels, k-major, zero-padded to NR. */
void packB(const Op& b, int p0, int j0, int kc, int nc, int nr, float* dst) {
  for (int j = 0; j < nc; j += nr, dst += nr * kc) {
    const int cols = std::min(nr, nc - j);
    const float* src = b.p + p0 * b.rs + (j0 + j) * b.cs;
    for (int p = 0; p < kc; p++) {
      const float* s = src + p * b.rs;
      float* d = dst + p * nr;
      int c = 0;
      if (b.cs == 1) {
        std::memcpy(d, s, cols * sizeof(float));
        c = cols;
      } else {
        for (; c < cols; c++) d[c] = s[c * b.cs];
      }
      for (; c < nr; c++) d[c] = 0.f;
    }
  }
}

float* alignedFloats(size_t n) {
  return static_cast<float*>(std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64));
}

/** C block [m, n] (row stride ldc) = op(A) op(B), on this thread, with this thread's buffers. */
void gemmBlock(const Op& a, const Op& b, float* c, ptrdiff_t ldc, int m, int k, int n) {
  const int mr = isa->mr, nr = isa->nr;
  thread_local float* abuf = alignedFloats(size_t(MC) * KC);
  thread_local float* bbuf = alignedFloats(size_t(KC) * NC);
  alignas(64) float tile[8 * 32];
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = std::min(NC, n - jc);
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = std::min(KC, k - pc);
      packB(b, pc, jc, kc, nc, nr, bbuf);
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = std::min(MC, m - ic);
        packA(a, ic, pc, mc, kc, mr, abuf);
        for (int jr = 0; jr < nc; jr += nr) {
          const int cols = std::min(nr, nc - jr);
          const float* bp = bbuf + (jr / nr) * nr * kc;
          for (int ir = 0; ir < mc; ir += mr) {
            const int rows = std::min(mr, mc - ir);
            const float* ap = abuf + (ir / mr) * mr * kc;
            float* ct = c + (ic + ir) * ldc + jc + jr;
            if (rows == mr && cols == nr) {
              isa->kernel(kc, ap, bp, ct, ldc, pc > 0);
              continue;
            }
            // An edge tile: computed whole into `tile`, then its valid part written or added.
            isa->kernel(kc, ap, bp, tile, nr, 0);
            for (int r = 0; r < rows; r++) {
              float* row = ct + r * ldc;
              const float* t = tile + r * nr;
              if (pc > 0) for (int j = 0; j < cols; j++) row[j] += t[j];
              else std::memcpy(row, t, cols * sizeof(float));
            }
          }
        }
      }
    }
  }
}

/**
 * The second thread: sleeps on a condition variable, and after each job spins a while (50 us)
 * for the next one, since a training step issues its products back to back.
 */
class Worker {
 public:
  Worker() : thread_([this] { run(); }) { thread_.detach(); }
  void post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = std::move(job);
      seq_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_one();
  }

 private:
  void run() {
    uint64_t seen = 0;
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
      while (seq_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < until) cpuRelax();
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return seq_.load(std::memory_order_acquire) != seen; });
        seen = seq_.load(std::memory_order_acquire);
        job = std::move(job_);
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  std::atomic<uint64_t> seq_{0};
  std::thread thread_;
};

int threads = 2;
double minMacs = double(1 << 25);  // set by configure() (loaders.ts NATIVE_MIN_MACS)
Worker* worker = nullptr;  // made on first use, never freed (a detached thread may still hold it at exit)
std::mutex gemmMu;          // one product at a time (Node worker threads may share the addon)
double splitProducts = 0;   // products split over both threads so far (splits(); under gemmMu)
std::atomic<int> stallUs{0};  // tests: the second thread sleeps this long on each block it takes (configure's 3rd argument)
std::atomic<double> takenOver{0};  // blocks the first thread took over from a late second (takeovers())

/**
 * A split product is cut into CHUNKS blocks along its longer side (whole tiles), which both
 * threads take from a shared counter, racing: whichever thread runs does the work. A host that
 * deschedules the second thread (2 vCPUs shared with other load) for milliseconds while it holds
 * a block used to make this thread wait for that block (README "native-split": 0.08-9.25x); now
 * this thread, once no block is left to take, gives each block the second thread still holds
 * about as long as one of its own took, then takes it over and computes it itself. The second
 * thread computes each block into its own buffer and copies it into C only if it claims the
 * block first (WORKER -> COPYING, against this thread's WORKER -> MAIN), so C is never written
 * after this call returned; the one wait left is a copy under way. A second thread resumed late
 * may still read A and B: they lie in the wasm heap, whose address range stays mapped while Node
 * runs, and what it computes from them is thrown away. Every block is the same floats whichever
 * thread computes it (the same sums in the same order, into C or a buffer of its own), so the
 * result does not depend on the split.
 */
constexpr int CHUNKS = 8;

enum BlockState { FREE = 0, WORKER = 1, COPYING = 2, DONE = 3, MAIN = 4 };

struct Split {
  Op a, b;
  float* c;
  ptrdiff_t ldc;
  int m, k, n, step, count;
  bool rows;
  std::atomic<int> next{0};
  std::unique_ptr<std::atomic<int>[]> state;
  int rowsOf(int i) const { return rows ? std::min(step, m - i * step) : m; }
  int colsOf(int i) const { return rows ? n : std::min(step, n - i * step); }
  float* at(int i) const { return rows ? c + ptrdiff_t(i) * step * ldc : c + ptrdiff_t(i) * step; }
  /** Block i of C into dst (row stride ld). */
  void block(int i, float* dst, ptrdiff_t ld) const {
    const int lo = i * step;
    if (rows) gemmBlock(Op{a.p + lo * a.rs, a.rs, a.cs}, b, dst, ld, rowsOf(i), k, n);
    else gemmBlock(a, Op{b.p + lo * b.cs, b.rs, b.cs}, dst, ld, m, k, colsOf(i));
  }
};

/** The second thread's part: blocks into its own buffer, copied into C when still its own. */
void splitWorker(const std::shared_ptr<Split>& s) {
  thread_local std::vector<float> buf;
  for (int i; (i = s->next.fetch_add(1, std::memory_order_relaxed)) < s->count;) {
    int st = FREE;
    if (!s->state[i].compare_exchange_strong(st, WORKER, std::memory_order_acq_rel)) continue;
    if (const int us = stallUs.load(std::memory_order_relaxed)) std::this_thread::sleep_for(std::chrono::microseconds(us));
    const int r = s->rowsOf(i), cols = s->colsOf(i);
    if (buf.size() < size_t(r) * cols) buf.resize(size_t(r) * cols);
    s->block(i, buf.data(), cols);
    st = WORKER;
    if (!s->state[i].compare_exchange_strong(st, COPYING, std::memory_order_acq_rel)) continue;  // taken over
    float* d = s->at(i);
    for (int row = 0; row < r; row++) std::memcpy(d + row * s->ldc, buf.data() + size_t(row) * cols, sizeof(float) * cols);
    s->state[i].store(DONE, std::memory_order_release);
  }
}

void gemm(const Op& a, const Op& b, float* c, ptrdiff_t ldc, int m, int k, int n) {
  const bool rows = m >= n;
  const int tile = rows ? isa->mr : isa->nr;
  const int len = rows ? m : n;
  const int step = ((len + CHUNKS * tile - 1) / (CHUNKS * tile)) * tile;
  if (threads < 2 || double(m) * k * n < minMacs || len <= step) return gemmBlock(a, b, c, ldc, m, k, n);
  if (!worker) worker = new Worker();
  splitProducts++;
  auto s = std::make_shared<Split>();
  s->a = a; s->b = b; s->c = c; s->ldc = ldc; s->m = m; s->k = k; s->n = n; s->rows = rows;
  s->step = step;
  s->count = (len + step - 1) / step;
  s->state.reset(new std::atomic<int>[s->count]);
  for (int i = 0; i < s->count; i++) s->state[i].store(FREE, std::memory_order_relaxed);
  worker->post([s] { splitWorker(s); });
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  int mine = 0;
  for (int i; (i = s->next.fetch_add(1, std::memory_order_relaxed)) < s->count; mine++) {
    s->block(i, s->at(i), ldc);
    s->state[i].store(MAIN, std::memory_order_relaxed);
  }
  // The blocks the other thread holds: each gets about one of this thread's block times (or
  // 50 us where this thread took none) to finish, then this thread computes it.
  const auto t1 = Clock::now();
  const auto grace = mine ? (t1 - t0) / mine : std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(50));
  for (int i = 0; i < s->count; i++) {
    for (int spins = 0;; spins++) {
      int st = s->state[i].load(std::memory_order_acquire);
      if (st == DONE || st == MAIN) break;
      if (st == COPYING || Clock::now() - t1 < grace) {
        if (spins < 4096) cpuRelax();
        else std::this_thread::yield();
        continue;
      }
      if (s->state[i].compare_exchange_weak(st, MAIN, std::memory_order_acq_rel)) {
        s->block(i, s->at(i), ldc);
        takenOver = takenOver + 1;
        break;
      }
    }
  }
}

/**
 * fn(i) for i < count on both threads (blocks taken from a shared counter, as a split product's
 * are), returning when all are done. One thread where `threads` is 1 or count is 1.
 */
struct Blocks {
  std::function<void(int)> fn;
  int count;
  std::atomic<int> next{0}, done{0};
  void work() {
    for (int i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) {
      fn(i);
      done.fetch_add(1, std::memory_order_release);
    }
  }
};

void parallel(int count, std::function<void(int)> fn) {
  if (threads < 2 || count < 2) {
    for (int i = 0; i < count; i++) fn(i);
    return;
  }
  if (!worker) worker = new Worker();
  auto s = std::make_shared<Blocks>();
  s->fn = std::move(fn);
  s->count = count;
  worker->post([s] { s->work(); });
  s->work();
  for (int spins = 0; s->done.load(std::memory_order_acquire) < s->count; spins++) {
    if (spins < 4096) cpuRelax();
    else std::this_thread::yield();
  }
}

/**
 * Below this many weights Adam stays on one thread: the hand-over (~1-2 us while the worker
 * spins) costs more than half of a small variable's ~1 ns per weight.
 */
constexpr int64_t ADAM_SPLIT = 1 << 15;

/**
 * im2col / col2im (conv.ts; the wasm twins are simd.ts's `patches`), NHWC, one image at a time so
 * the two threads take whole images: for every output position n = (b, oh, ow) and filter row r,
 * the run of (kw1 - kw0) ci floats of x at (b, oh sh - top + r, ow sw - left + kw0) and of the
 * patch row P[n] at (r kw + kw0) ci, [kw0, kw1) being the part of the filter row inside the image.
 * im2col writes every P row whole (zeros where the patch hangs over the padding: no separate
 * fill pass); col2im zeroes each dx image, then adds the runs in the wasm kernel's order (oh,
 * ow, r ascending), so both agree with it bit for bit.
 */
struct Geometry { int64_t batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, top, left; };

void patchesImage(bool intoX, float* x, float* p, const Geometry& g, int64_t b) {
  const int64_t rowLen = g.kh * g.kw * g.ci;
  float* xb = x + b * g.inH * g.inW * g.ci;
  if (intoX) std::memset(xb, 0, sizeof(float) * g.inH * g.inW * g.ci);
  for (int64_t oh = 0; oh < g.outH; oh++) {
    for (int64_t ow = 0; ow < g.outW; ow++) {
      float* prow = p + ((b * g.outH + oh) * g.outW + ow) * rowLen;
      if (!intoX) std::memset(prow, 0, sizeof(float) * rowLen);
      const int64_t iw0 = ow * g.sw - g.left;
      const int64_t kw0 = std::max<int64_t>(0, -iw0), kw1 = std::min<int64_t>(g.kw, g.inW - iw0);
      if (kw1 <= kw0) continue;
      const int64_t len = (kw1 - kw0) * g.ci;
      for (int64_t r = 0; r < g.kh; r++) {
        const int64_t ih = oh * g.sh - g.top + r;
        if (ih < 0 || ih >= g.inH) continue;
        float* xs = xb + (ih * g.inW + iw0 + kw0) * g.ci;
        float* ps = prow + (r * g.kw + kw0) * g.ci;
        if (intoX) for (int64_t i = 0; i < len; i++) xs[i] += ps[i];
        else std::memcpy(ps, xs, sizeof(float) * len);
      }
    }
  }
}

/**
 * Convolutions without the im2col matrix ("direct" here; conv.ts routes to them by shape).
 * With the notation of patchesImage, P[n] the patch row of output position n (K = kh kw ci
 * floats), W the filter as a [K, co] matrix (its NHWC layout read as rows), Y and dY [N, co]:
 *   forward      Y[n]  = P[n] W                  (R positions at a time, an R x 16 register tile
 *                running over k and reading W's rows in place; a patch inside the image is read
 *                where it lies, kh runs of kw ci floats, one over the padding gathered into a
 *                small buffer first: no P of N K floats written out and read back, no packing);
 *   filter grad  dW    = sum_n P[n]^T dY[n]      (NB positions' patch rows gathered, then
 *                R-row tiles of dW accumulate over them, reading dY's rows in place; each block
 *                of images sums into its own partial dW, and the partials are added in block
 *                order, so the result does not depend on which thread took which block);
 *   input grad   dX   += scatter(dY[n] W^T)      (W^T copied once, [co, K]; R positions' rows
 *                of dY W^T computed into L1, then added into dX image by image as col2im does).
 * Every tile sums its k in ascending order. The register tile (convTile) is the GEMM kernels'
 * arithmetic: FMA on AVX2 / AVX-512 hosts (the AVX2 tile serves both), c += round(a b) on the
 * portable path (-ffp-contract=off), so the results differ from im2col + GEMM in the last bits
 * only and are checked against tfjs's cpu backend at the same tolerance
 * (test/unit/runtime/kernels-native.test.ts, native-check.cjs).
 * The columns of every product (co forward and for the filter, K for the input gradient) must
 * be a multiple of 8: tiles are 16 or 8 columns wide; conv.ts keeps im2col + GEMM otherwise.
 */
constexpr int CR = 6;  // rows of a conv tile: 6 x 16 = 12 AVX2 accumulators, + 2 for B, 1 broadcast

// tile(kc, a, ars, acs, b, ldb, c, ldc, acc): C[R, 8 NV] (+)= A[R, kc] B[kc, 8 NV], A(r, p) at
// a[r ars + p acs], B's rows ldb apart, C's rows ldc apart.
using ConvTile = void (*)(int, const float*, ptrdiff_t, ptrdiff_t, const float*, ptrdiff_t, float*, ptrdiff_t, bool);

template <int R, int NV>
void convTileGeneric(int kc, const float* a, ptrdiff_t ars, ptrdiff_t acs, const float* b, ptrdiff_t ldb, float* c, ptrdiff_t ldc, bool acc) {
  constexpr int W = 8 * NV;
  float t[R][W] = {};
  for (int p = 0; p < kc; p++, a += acs, b += ldb) {
#pragma GCC unroll 6
    for (int r = 0; r < R; r++) {
      const float ar = a[r * ars];
#pragma GCC unroll 16
      for (int j = 0; j < W; j++) t[r][j] += ar * b[j];
    }
  }
  for (int r = 0; r < R; r++) {
    float* row = c + r * ldc;
    if (acc) {
      for (int j = 0; j < W; j++) row[j] += t[r][j];
    } else {
      for (int j = 0; j < W; j++) row[j] = t[r][j];
    }
  }
}

#if defined(__x86_64__)
template <int R, int NV>
__attribute__((target("avx2,fma")))
void convTileAvx2(int kc, const float* a, ptrdiff_t ars, ptrdiff_t acs, const float* b, ptrdiff_t ldb, float* c, ptrdiff_t ldc, bool acc) {
  __m256 t[R][NV];
#pragma GCC unroll 6
  for (int r = 0; r < R; r++)
#pragma GCC unroll 2
    for (int v = 0; v < NV; v++) t[r][v] = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++, a += acs, b += ldb) {
    __m256 bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; v++) bv[v] = _mm256_loadu_ps(b + 8 * v);
#pragma GCC unroll 6
    for (int r = 0; r < R; r++) {
      const __m256 ar = _mm256_broadcast_ss(a + r * ars);
#pragma GCC unroll 2
      for (int v = 0; v < NV; v++) t[r][v] = _mm256_fmadd_ps(ar, bv[v], t[r][v]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; r++) {
#pragma GCC unroll 2
    for (int v = 0; v < NV; v++) {
      float* out = c + r * ldc + 8 * v;
      _mm256_storeu_ps(out, acc ? _mm256_add_ps(t[r][v], _mm256_loadu_ps(out)) : t[r][v]);
    }
  }
}
#endif

/**
 * The forward's tile, reading its patch rows where they lie: A(r, s run + j) = rows[r][s step + j]
 * for filter row s < segs and j < run (run = kw ci floats, contiguous in x). A patch inside
 * the image is read in place (rows[r] in x, step a row of x); one over the padding is gathered
 * first (rows[r] in a buffer, step = run). C[R, 8 NV] = A B, B's rows ldb apart.
 */
using ConvTileRows = void (*)(int, int, ptrdiff_t, const float* const*, const float*, ptrdiff_t, float*, ptrdiff_t);

template <int R, int NV>
void convRowsGeneric(int segs, int run, ptrdiff_t step, const float* const* rows, const float* b, ptrdiff_t ldb, float* c, ptrdiff_t ldc) {
  constexpr int W = 8 * NV;
  float t[R][W] = {};
  for (int s = 0; s < segs; s++) {
    for (int j = 0; j < run; j++, b += ldb) {
#pragma GCC unroll 6
      for (int r = 0; r < R; r++) {
        const float ar = rows[r][s * step + j];
#pragma GCC unroll 16
        for (int q = 0; q < W; q++) t[r][q] += ar * b[q];
      }
    }
  }
  for (int r = 0; r < R; r++)
    for (int q = 0; q < W; q++) c[r * ldc + q] = t[r][q];
}

#if defined(__x86_64__)
template <int R, int NV>
__attribute__((target("avx2,fma")))
void convRowsAvx2(int segs, int run, ptrdiff_t step, const float* const* rows, const float* b, ptrdiff_t ldb, float* c, ptrdiff_t ldc) {
  __m256 t[R][NV];
#pragma GCC unroll 6
  for (int r = 0; r < R; r++)
#pragma GCC unroll 2
    for (int v = 0; v < NV; v++) t[r][v] = _mm256_setzero_ps();
  for (int s = 0; s < segs; s++) {
    const float* a[R];
#pragma GCC unroll 6
    for (int r = 0; r < R; r++) a[r] = rows[r] + s * step;
    for (int j = 0; j < run; j++, b += ldb) {
      __m256 bv[NV];
#pragma GCC unroll 2
      for (int v = 0; v < NV; v++) bv[v] = _mm256_loadu_ps(b + 8 * v);
#pragma GCC unroll 6
      for (int r = 0; r < R; r++) {
        const __m256 ar = _mm256_broadcast_ss(a[r] + j);
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++) t[r][v] = _mm256_fmadd_ps(ar, bv[v], t[r][v]);
      }
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; r++)
#pragma GCC unroll 2
    for (int v = 0; v < NV; v++) _mm256_storeu_ps(c + r * ldc + 8 * v, t[r][v]);
}
#endif

/** The tile for R rows (1..CR) and 8 NV columns (NV 1 or 2) on this addon's ISA. */
ConvTile convTile(int rows, int nv) {
#define CONV_TILES(F) \
  {F<1, 1>, F<1, 2>}, {F<2, 1>, F<2, 2>}, {F<3, 1>, F<3, 2>}, {F<4, 1>, F<4, 2>}, {F<5, 1>, F<5, 2>}, {F<6, 1>, F<6, 2>}
  static const ConvTile generic[CR][2] = {CONV_TILES(convTileGeneric)};
#if defined(__x86_64__)
  static const ConvTile avx2[CR][2] = {CONV_TILES(convTileAvx2)};
  if (isa != &GENERIC) return avx2[rows - 1][nv - 1];
#endif
#undef CONV_TILES
  return generic[rows - 1][nv - 1];
}

/** The forward's tile for R rows (1..CR) and 8 NV columns on this addon's ISA. */
ConvTileRows convTileRows(int rows, int nv) {
#define CONV_TILES(F) \
  {F<1, 1>, F<1, 2>}, {F<2, 1>, F<2, 2>}, {F<3, 1>, F<3, 2>}, {F<4, 1>, F<4, 2>}, {F<5, 1>, F<5, 2>}, {F<6, 1>, F<6, 2>}
  static const ConvTileRows generic[CR][2] = {CONV_TILES(convRowsGeneric)};
#if defined(__x86_64__)
  static const ConvTileRows avx2[CR][2] = {CONV_TILES(convRowsAvx2)};
  if (isa != &GENERIC) return avx2[rows - 1][nv - 1];
#endif
#undef CONV_TILES
  return generic[rows - 1][nv - 1];
}

/**
 * C[rows, n] (+)= A[rows, kc] B[kc, n] for n a multiple of 8, in tiles of 16 columns (8 at the
 * end where n is an odd multiple of 8).
 */
void convRows(int rows, int kc, const float* a, ptrdiff_t ars, ptrdiff_t acs, const float* b, ptrdiff_t ldb, float* c, ptrdiff_t ldc, int n, bool acc) {
  int j = 0;
  for (; j + 16 <= n; j += 16) convTile(rows, 2)(kc, a, ars, acs, b + j, ldb, c + j, ldc, acc);
  if (j < n) convTile(rows, 1)(kc, a, ars, acs, b + j, ldb, c + j, ldc, acc);
}

/**
 * Output position (oh, ow) of image xb: its patch row, K floats with zeros over the padding.
 * Plain loops, not memcpy / memset: the runs are short (kw ci floats, 4 for a first layer), and
 * a library call per run cost more than the copy.
 */
void gatherPatch(const float* xb, const Geometry& g, int64_t oh, int64_t ow, float* row) {
  const int64_t run = g.kw * g.ci;
  const int64_t iw0 = ow * g.sw - g.left;
  const int64_t kw0 = std::max<int64_t>(0, -iw0), kw1 = std::max(kw0, std::min<int64_t>(g.kw, g.inW - iw0));
  const int64_t lo = kw0 * g.ci, hi = kw1 * g.ci;
  for (int64_t r = 0; r < g.kh; r++, row += run) {
    const int64_t ih = oh * g.sh - g.top + r;
    if (ih < 0 || ih >= g.inH || hi == lo) {
      for (int64_t i = 0; i < run; i++) row[i] = 0.f;
      continue;
    }
    const int64_t at = (ih * g.inW + iw0) * g.ci;  // element i of the run at xb[at + i], for lo <= i < hi
    for (int64_t i = 0; i < lo; i++) row[i] = 0.f;
    for (int64_t i = lo; i < hi; i++) row[i] = xb[at + i];
    for (int64_t i = hi; i < run; i++) row[i] = 0.f;
  }
}

/** The inverse walk: adds a patch row into image xb where it lies inside the image. */
void scatterPatch(float* xb, const Geometry& g, int64_t oh, int64_t ow, const float* row) {
  const int64_t iw0 = ow * g.sw - g.left;
  const int64_t kw0 = std::max<int64_t>(0, -iw0), kw1 = std::min<int64_t>(g.kw, g.inW - iw0);
  if (kw1 <= kw0) return;
  const int64_t len = (kw1 - kw0) * g.ci;
  for (int64_t r = 0; r < g.kh; r++) {
    const int64_t ih = oh * g.sh - g.top + r;
    if (ih < 0 || ih >= g.inH) continue;
    float* xs = xb + (ih * g.inW + iw0 + kw0) * g.ci;
    const float* ps = row + (r * g.kw + kw0) * g.ci;
    for (int64_t i = 0; i < len; i++) xs[i] += ps[i];
  }
}

/**
 * Y for image b, output row by output row: where the row's patches lie inside the image (no
 * padding under any of the filter's rows and columns) CR positions at a time read in place,
 * the rest gathered into `buf` (CR K floats) first; then the tile over 16 (or 8) columns at a time.
 */
void convForwardImage(const float* x, const float* w, float* y, const Geometry& g, int64_t co, int64_t b, float* buf) {
  const int64_t K = g.kh * g.kw * g.ci, run = g.kw * g.ci, step = g.inW * g.ci;
  const float* xb = x + b * g.inH * g.inW * g.ci;
  float* yb = y + b * g.outH * g.outW * co;
  // Output columns whose patch columns are all inside: ow sw - left >= 0 and ow sw - left + kw <= inW.
  const int64_t lo = std::min(g.outW, (g.left + g.sw - 1) / g.sw);
  const int64_t last = g.inW - g.kw + g.left;  // ow sw <= last
  const int64_t hi = last < 0 ? lo : std::max(lo, std::min(g.outW, last / g.sw + 1));
  const float* rows[CR];
  for (int64_t oh = 0; oh < g.outH; oh++) {
    const int64_t ih0 = oh * g.sh - g.top;
    const bool rowInside = ih0 >= 0 && ih0 + g.kh <= g.inH;
    // [0, lo) gathered, [lo, hi) in place, [hi, outW) gathered; a row over the padding all gathered.
    const int64_t a = rowInside ? lo : g.outW, z = rowInside ? hi : g.outW;
    auto tiles = [&](int64_t ow0, int64_t ow1, bool inPlace) {
      for (int64_t ow = ow0; ow < ow1; ow += CR) {
        const int n = int(std::min<int64_t>(CR, ow1 - ow));
        for (int r = 0; r < n; r++) {
          if (inPlace) {
            rows[r] = xb + (ih0 * g.inW + (ow + r) * g.sw - g.left) * g.ci;
          } else {
            gatherPatch(xb, g, oh, ow + r, buf + r * K);
            rows[r] = buf + r * K;
          }
        }
        float* c = yb + (oh * g.outW + ow) * co;
        int64_t j = 0;
        for (; j + 16 <= co; j += 16) convTileRows(n, 2)(int(g.kh), int(run), inPlace ? step : run, rows, w + j, co, c + j, co);
        if (j < co) convTileRows(n, 1)(int(g.kh), int(run), inPlace ? step : run, rows, w + j, co, c + j, co);
      }
    };
    tiles(0, a, false);
    tiles(a, z, true);
    tiles(z, g.outW, false);
  }
}

/** dX for image b (zeroed first): CR positions' rows of dY W^T (wt: W^T, [co, K]) into buf, then added in. */
void convInputImage(float* dx, const float* wt, const float* dy, const Geometry& g, int64_t co, int64_t b, float* buf) {
  const int64_t K = g.kh * g.kw * g.ci, positions = g.outH * g.outW;
  float* xb = dx + b * g.inH * g.inW * g.ci;
  const float* dyb = dy + b * positions * co;
  std::memset(xb, 0, sizeof(float) * g.inH * g.inW * g.ci);
  for (int64_t n0 = 0; n0 < positions; n0 += CR) {
    const int rows = int(std::min<int64_t>(CR, positions - n0));
    convRows(rows, int(co), dyb + n0 * co, co, 1, wt, K, buf, K, int(K), false);
    for (int r = 0; r < rows; r++) scatterPatch(xb, g, (n0 + r) / g.outW, (n0 + r) % g.outW, buf + r * K);
  }
}

/**
 * part += sum over images [b0, b1) of P^T dY: nb positions' patch rows at a time in buf
 * (nb K floats), then dW's rows CR at a time, each tile accumulating over those positions.
 */
void convFilterImages(const float* x, const float* dy, float* part, const Geometry& g, int64_t co, int64_t b0, int64_t b1, float* buf, int64_t nb) {
  const int64_t K = g.kh * g.kw * g.ci, positions = g.outH * g.outW;
  for (int64_t b = b0; b < b1; b++) {
    const float* xb = x + b * g.inH * g.inW * g.ci;
    const float* dyb = dy + b * positions * co;
    for (int64_t n0 = 0; n0 < positions; n0 += nb) {
      const int64_t count = std::min(nb, positions - n0);
      for (int64_t i = 0; i < count; i++) gatherPatch(xb, g, (n0 + i) / g.outW, (n0 + i) % g.outW, buf + i * K);
      for (int64_t k0 = 0; k0 < K; k0 += CR) {
        const int rows = int(std::min<int64_t>(CR, K - k0));
        // A(r, p) = P[n0 + p][k0 + r]: rows 1 apart, positions K apart.
        convRows(rows, int(count), buf + k0, 1, K, dyb + n0 * co, co, part + k0 * co, co, int(co), true);
      }
    }
  }
}

/** Below this many multiply-adds a convolution stays on one thread (the hand-over costs more). */
constexpr double CONV_SPLIT = double(1 << 18);

/** mode 0 forward (x, w -> y), 1 filter gradient (x, dy in y -> dW in w), 2 input gradient (w, dy in y -> dX in x). */
void convDirect(int mode, float* x, float* w, float* y, const Geometry& g, int64_t co) {
  const int64_t K = g.kh * g.kw * g.ci;
  const double macs = double(g.batch) * g.outH * g.outW * K * co;
  const int count = macs < CONV_SPLIT ? 1 : int(g.batch);
  if (mode == 0 || mode == 2) {
    std::vector<float> wt;
    if (mode == 2) {
      wt.resize(size_t(K * co));
      for (int64_t k = 0; k < K; k++)
        for (int64_t c = 0; c < co; c++) wt[c * K + k] = w[k * co + c];
    }
    auto image = [&](int64_t b) {
      thread_local std::vector<float> buf;
      buf.resize(size_t(CR * K));
      if (mode == 0) convForwardImage(x, w, y, g, co, b, buf.data());
      else convInputImage(x, wt.data(), y, g, co, b, buf.data());
    };
    if (count == 1) {
      for (int64_t b = 0; b < g.batch; b++) image(b);
    } else {
      parallel(count, image);
    }
    return;
  }
  // Filter gradient: up to 8 blocks of whole images, each into its own partial sum.
  const int64_t blocks = count == 1 ? 1 : std::min<int64_t>(g.batch, 8);
  const int64_t per = (g.batch + blocks - 1) / blocks;
  const int64_t nb = std::max<int64_t>(16, 8192 / K);
  std::vector<float> parts(size_t(blocks * K * co), 0.f);
  auto block = [&](int64_t i) {
    thread_local std::vector<float> buf;
    buf.resize(size_t(nb * K));
    convFilterImages(x, y, parts.data() + i * K * co, g, co, std::min(g.batch, i * per), std::min(g.batch, (i + 1) * per), buf.data(), nb);
  };
  if (blocks == 1) block(0);
  else parallel(int(blocks), block);
  const int64_t len = K * co;
  std::memcpy(w, parts.data(), sizeof(float) * len);
  for (int64_t i = 1; i < blocks; i++) {
    const float* p = parts.data() + i * len;
    for (int64_t j = 0; j < len; j++) w[j] += p[j];
  }
}

// ---- N-API ----

napi_value Throw(napi_env env, const char* msg) {
  napi_throw_error(env, nullptr, msg);
  return nullptr;
}

/** isa(): 'avx512', 'avx2', 'generic' (portable), or null when none is chosen (then gemm throws). */
napi_value IsaName(napi_env env, napi_callback_info) {
  napi_value out;
  if (!isa) napi_get_null(env, &out);
  else napi_create_string_utf8(env, isa->name, NAPI_AUTO_LENGTH, &out);
  return out;
}

/** configure(threads, minMacs, stallUs = 0); stallUs > 0 (tests only) stalls the second thread on every block. */
napi_value Configure(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t t;
  double mm;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &t) != napi_ok || napi_get_value_double(env, argv[1], &mm) != napi_ok) {
    return Throw(env, "configure(threads, minMacs): two numbers");
  }
  int32_t stall = 0;
  if (argc > 2) napi_get_value_int32(env, argv[2], &stall);
  threads = std::max(1, std::min(2, int(t)));
  minMacs = mm;
  stallUs = std::max(0, std::min(1000000, int(stall)));
  return nullptr;
}

/** takeovers(): blocks of split products and element-wise ops the first thread computed because the second was late. */
napi_value Takeovers(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_double(env, takenOver.load(), &out);
  return out;
}

/** splits(): how many products have been split over both threads since the addon loaded. */
napi_value Splits(napi_env env, napi_callback_info) {
  napi_value out;
  std::lock_guard<std::mutex> lock(gemmMu);
  napi_create_double(env, splitProducts, &out);
  return out;
}

/**
 * gemm(heap, a, ars, acs, b, brs, bcs, c, ldc, m, k, n): C = op(A) op(B) inside the ArrayBuffer
 * `heap`, offsets and steps in floats. Every element touched is checked to lie in the buffer.
 */
napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 12) return Throw(env, "gemm: 12 arguments (heap, a, ars, acs, b, brs, bcs, c, ldc, m, k, n)");
  if (!isa) return Throw(env, "gemm: this CPU has neither AVX-512 nor AVX2 with FMA");
  void* data;
  size_t bytes;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok) return Throw(env, "gemm: heap must be an ArrayBuffer");
  double v[11];
  for (int i = 0; i < 11; i++) {
    if (napi_get_value_double(env, argv[i + 1], &v[i]) != napi_ok) return Throw(env, "gemm: offsets, steps and sizes must be numbers");
  }
  const double len = double(bytes / sizeof(float));
  const double m = v[8], k = v[9], n = v[10];
  if (m <= 0 || k <= 0 || n <= 0 || m > 1e9 || k > 1e9 || n > 1e9) return Throw(env, "gemm: sizes must be positive");
  // The last element each operand reaches (steps are non-negative in the lab's layouts).
  auto inside = [&](double off, double rs, double cs, double rows, double cols) {
    return off >= 0 && rs >= 0 && cs >= 0 && off + (rows - 1) * rs + (cols - 1) * cs < len;
  };
  if (!inside(v[0], v[1], v[2], m, k) || !inside(v[3], v[4], v[5], k, n) || !inside(v[6], v[7], 1, m, n) || v[7] < n) {
    return Throw(env, "gemm: an operand reaches outside the heap");
  }
  float* heap = static_cast<float*>(data);
  const Op a{heap + ptrdiff_t(v[0]), ptrdiff_t(v[1]), ptrdiff_t(v[2])};
  const Op b{heap + ptrdiff_t(v[3]), ptrdiff_t(v[4]), ptrdiff_t(v[5])};
  std::lock_guard<std::mutex> lock(gemmMu);
  gemm(a, b, heap + ptrdiff_t(v[6]), ptrdiff_t(v[7]), int(m), int(k), int(n));
  return nullptr;
}

/**
 * adam(heap, x, m, v, g, xo, mo, vo, n, b1, b2, ob1, ob2, step, s2, eps): Adam's update of n
 * weights inside the ArrayBuffer `heap` (offsets in floats), on both threads from ADAM_SPLIT
 * weights. Every array is checked to lie in the buffer.
 */
napi_value Adam(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 16) return Throw(env, "adam: 16 arguments (heap, x, m, v, g, xo, mo, vo, n, b1, b2, ob1, ob2, step, s2, eps)");
  if (!isa) return Throw(env, "adam: this CPU has neither AVX-512 nor AVX2 with FMA");
  void* data;
  size_t bytes;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok) return Throw(env, "adam: heap must be an ArrayBuffer");
  double v[15];
  for (int i = 0; i < 15; i++) {
    if (napi_get_value_double(env, argv[i + 1], &v[i]) != napi_ok) return Throw(env, "adam: offsets, count and constants must be numbers");
  }
  const double len = double(bytes / sizeof(float)), n = v[7];
  if (n < 0 || n > 1e12) return Throw(env, "adam: the count must be non-negative");
  for (int i = 0; i < 7; i++) {
    if (v[i] < 0 || v[i] + n > len) return Throw(env, "adam: an array reaches outside the heap");
  }
  float* heap = static_cast<float*>(data);
  AdamArgs a{heap + int64_t(v[0]), heap + int64_t(v[1]), heap + int64_t(v[2]), heap + int64_t(v[3]),
             heap + int64_t(v[4]), heap + int64_t(v[5]), heap + int64_t(v[6]), {}};
  for (int i = 0; i < 7; i++) a.c[i] = float(v[8 + i]);
  const int64_t count = int64_t(n);
  std::lock_guard<std::mutex> lock(gemmMu);
  if (count < ADAM_SPLIT) {
    isa->adam(a, 0, count);
  } else {
    // 8 blocks of whole vectors, so a descheduled second thread costs at most one block.
    const int64_t step = ((count + 63) / 64) * 8;
    const int blocks = int((count + step - 1) / step);
    parallel(blocks, [&a, step, count](int i) { isa->adam(a, i * step, std::min(count, (i + 1) * step)); });
  }
  return nullptr;
}

/**
 * patches(heap, intoX, x, p, batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, top, left):
 * intoX 0: im2col, P = patches of x; 1: col2im, x = sum of P's runs (x zeroed first). Offsets
 * in floats; both arrays are checked to lie in the heap. Images split over both threads.
 */
napi_value Patches(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 16) return Throw(env, "patches: 16 arguments (heap, intoX, x, p, batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, top, left)");
  void* data;
  size_t bytes;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok) return Throw(env, "patches: heap must be an ArrayBuffer");
  double v[15];
  for (int i = 0; i < 15; i++) {
    if (napi_get_value_double(env, argv[i + 1], &v[i]) != napi_ok) return Throw(env, "patches: flags, offsets and geometry must be numbers");
  }
  for (int i = 3; i < 15; i++) {
    if (v[i] < 0 || v[i] > 1e6 || v[i] != double(int64_t(v[i]))) return Throw(env, "patches: the geometry must be small non-negative integers");
  }
  const Geometry g{int64_t(v[3]), int64_t(v[4]), int64_t(v[5]), int64_t(v[6]), int64_t(v[7]), int64_t(v[8]),
                   int64_t(v[9]), int64_t(v[10]), int64_t(v[11]), int64_t(v[12]), int64_t(v[13]), int64_t(v[14])};
  const double len = double(bytes / sizeof(float));
  const double xn = double(g.batch) * g.inH * g.inW * g.ci, pn = double(g.batch) * g.outH * g.outW * g.kh * g.kw * g.ci;
  if (v[1] < 0 || v[2] < 0 || v[1] + xn > len || v[2] + pn > len) return Throw(env, "patches: an array reaches outside the heap");
  float* heap = static_cast<float*>(data);
  float* x = heap + int64_t(v[1]);
  float* p = heap + int64_t(v[2]);
  const bool intoX = v[0] != 0;
  std::lock_guard<std::mutex> lock(gemmMu);
  // Two threads once the patches are large enough (~256 KB) to outweigh the hand-over.
  if (pn < double(1 << 16)) {
    for (int64_t b = 0; b < g.batch; b++) patchesImage(intoX, x, p, g, b);
  } else {
    parallel(int(g.batch), [&](int b) { patchesImage(intoX, x, p, g, b); });
  }
  return nullptr;
}

/**
 * conv(heap, mode, x, w, y, batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, top, left, co):
 * a convolution without the im2col matrix (convDirect): mode 0 y = conv(x, w); 1 w = the
 * filter gradient from x and dy (in y); 2 x = the input gradient from w and dy (in y). Offsets
 * in floats, x [batch, inH, inW, ci], w [kh, kw, ci, co], y [batch, outH, outW, co], each
 * checked to lie in the heap; the product's columns (co, or kh kw ci for mode 2) a multiple of 8.
 */
napi_value Conv(napi_env env, napi_callback_info info) {
  size_t argc = 18;
  napi_value argv[18];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 18) return Throw(env, "conv: 18 arguments (heap, mode, x, w, y, batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, top, left, co)");
  if (!isa) return Throw(env, "conv: this CPU has neither AVX-512 nor AVX2 with FMA");
  void* data;
  size_t bytes;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok) return Throw(env, "conv: heap must be an ArrayBuffer");
  double v[17];
  for (int i = 0; i < 17; i++) {
    if (napi_get_value_double(env, argv[i + 1], &v[i]) != napi_ok) return Throw(env, "conv: mode, offsets and geometry must be numbers");
  }
  for (int i = 4; i < 17; i++) {
    if (v[i] < 0 || v[i] > 1e6 || v[i] != double(int64_t(v[i]))) return Throw(env, "conv: the geometry must be small non-negative integers");
  }
  const int mode = int(v[0]);
  if (v[0] != mode || mode < 0 || mode > 2) return Throw(env, "conv: mode must be 0 (forward), 1 (filter gradient) or 2 (input gradient)");
  const Geometry g{int64_t(v[4]), int64_t(v[5]), int64_t(v[6]), int64_t(v[7]), int64_t(v[8]), int64_t(v[9]),
                   int64_t(v[10]), int64_t(v[11]), int64_t(v[12]), int64_t(v[13]), int64_t(v[14]), int64_t(v[15])};
  const int64_t co = int64_t(v[16]);
  const int64_t K = g.kh * g.kw * g.ci;
  if (K == 0 || co == 0 || g.sh == 0 || g.sw == 0) return Throw(env, "conv: the filter, channels and strides must be positive");
  if ((mode == 2 ? K : co) % 8 != 0) return Throw(env, "conv: the product's columns (co, or kh kw ci for the input gradient) must be a multiple of 8");
  const double len = double(bytes / sizeof(float));
  const double xn = double(g.batch) * g.inH * g.inW * g.ci, wn = double(K) * co, yn = double(g.batch) * g.outH * g.outW * co;
  for (auto [off, n] : {std::pair<double, double>{v[1], xn}, {v[2], wn}, {v[3], yn}}) {
    if (off < 0 || off + n > len) return Throw(env, "conv: an array reaches outside the heap");
  }
  float* heap = static_cast<float*>(data);
  std::lock_guard<std::mutex> lock(gemmMu);
  convDirect(mode, heap + int64_t(v[1]), heap + int64_t(v[2]), heap + int64_t(v[3]), g, co);
  return nullptr;
}

}  // namespace

void vaeLabParallel(int count, const std::function<void(int)>& fn) { parallel(count, fn); }
std::mutex& vaeLabMutex() { return gemmMu; }
int vaeLabThreads() { return threads; }
int vaeLabStallUs() { return stallUs.load(std::memory_order_relaxed); }
void vaeLabTookOver() { takenOver = takenOver + 1; }
void vaeLabPost(std::function<void()> job) {
  if (!worker) worker = new Worker();
  worker->post(std::move(job));
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"isa", nullptr, IsaName, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"configure", nullptr, Configure, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"patches", nullptr, Patches, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"splits", nullptr, Splits, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"takeovers", nullptr, Takeovers, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  // colsum (the Sum / Mean kernels) and the element-wise ops live in ops.cc.
  vaeLabRegisterOps(env, exports);
  return exports;
}
