// The addon's element-wise kernels for the wasm path's Add, Sub, Multiply, RealDiv, Softplus and
// Sigmoid (src/lab/runtime/wasm/elementwise.ts). tfjs-backend-wasm's stock kernels run them on
// one thread, and broadcast through a per-element index computation; a training step's bias
// adds, batch norm's per-channel scalings and the Bernoulli likelihood's softplus run them over
// whole activations. Here they run on both threads above opsSplit's work, in the heap in place.
//
// Broadcasting: the kernels see out[outer, inner] and each operand in one of four modes,
//   FULL   a[i inner + j]   (same shape as out)
//   ROW    a[j]             (a vector along the last axes: a bias, a batch-norm scale)
//   COL    a[i]             (a vector along the first axes: keepDims statistics)
//   SCALAR a[0]
// which the TypeScript side picks from the shapes (any other broadcast stays on the stock kernel).
//
// Arithmetic: +, -, *, / of two floats rounded once to float32 is exactly what the cpu backend
// gives (it computes in float64 and rounds; a float64 result of one such operation rounds to the
// same float32), so the binary ops agree with it bit for bit. Softplus and sigmoid use float32
// expf / logf (glibc: within an ulp or so; softplus within a few); the cpu backend's float64 Math.exp / Math.log give
// the same floats but for the last bit now and then.
#include "parallel.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

enum Mode { FULL = 0, ROW = 1, COL = 2, SCALAR = 3 };
enum BinOp { ADD = 0, SUB = 1, MUL = 2, DIV = 3 };

/**
 * Work below this stays on one thread, counted in floats of a binary op or a column sum (each
 * ~0.1-0.3 ns a float: memory-bound) and UNARY_WEIGHT per float of softplus / sigmoid (~15-30 ns:
 * expf and logf). Measured (npm run bench -- native-ops, BENCH_ONLY=threshold, 2026-12-06, the
 * 2-vCPU AVX2 host at load ~6 from other jobs; two threads / one, medians of 9 alternating
 * rounds): softplus gained from 2^12 floats on (0.40-0.85); the binary ops and the column sum
 * gained nowhere reliably (0.91-2.8 from 2^12 to 2^20 floats: the second thread's hand-over and
 * its descheduling cost more than a memory-bound pass saves). So binary ops split from 2^20
 * floats (where an add read 0.91) and unary ones from 2^12.
 */
double opsSplit = double(1 << 20);
constexpr double UNARY_WEIGHT = 256;

/** out[0, n) = f(a, b), a and b either a run of n floats or one float repeated: four plain loops GCC vectorizes. */
template <class F>
void run(const float* a, bool aOne, const float* b, bool bOne, float* o, int64_t n, F f) {
  if (!aOne && !bOne) {
    for (int64_t i = 0; i < n; i++) o[i] = f(a[i], b[i]);
  } else if (!aOne) {
    const float bv = *b;
    for (int64_t i = 0; i < n; i++) o[i] = f(a[i], bv);
  } else if (!bOne) {
    const float av = *a;
    for (int64_t i = 0; i < n; i++) o[i] = f(av, b[i]);
  } else {
    const float v = f(*a, *b);
    for (int64_t i = 0; i < n; i++) o[i] = v;
  }
}

struct Binary {
  int op, aMode, bMode;
  const float *a, *b;
  float* o;
  int64_t outer, inner;

  /** The operand's run for row i, columns from j on, and whether it is one repeated float. */
  static const float* at(const float* p, int mode, int64_t i, int64_t j, int64_t inner, bool& one) {
    one = mode == COL || mode == SCALAR;
    switch (mode) {
      case FULL: return p + i * inner + j;
      case ROW: return p + j;
      case COL: return p + i;
      default: return p;
    }
  }

  /** Flat elements [lo, hi) of out, row by row, written to dst[0, hi - lo). */
  void range(int64_t lo, int64_t hi, float* dst) const {
    for (const int64_t first = lo; lo < hi;) {
      const int64_t i = lo / inner, j = lo % inner;
      const int64_t n = std::min(hi - lo, inner - j);
      bool aOne, bOne;
      const float* ap = at(a, aMode, i, j, inner, aOne);
      const float* bp = at(b, bMode, i, j, inner, bOne);
      float* out = dst + (lo - first);
      switch (op) {
        case ADD: run(ap, aOne, bp, bOne, out, n, [](float x, float y) { return x + y; }); break;
        case SUB: run(ap, aOne, bp, bOne, out, n, [](float x, float y) { return x - y; }); break;
        case MUL: run(ap, aOne, bp, bOne, out, n, [](float x, float y) { return x * y; }); break;
        default: run(ap, aOne, bp, bOne, out, n, [](float x, float y) { return x / y; }); break;
      }
      lo += n;
    }
  }
};

enum UnOp { SOFTPLUS = 0, SIGMOID = 1, EXP = 2, LOG1P = 3, RELU = 4 };

/**
 * softplus(x) = log(1 + e^x), as tfjs computes it: x itself above 13.94 (= -(log(2^-23) + 2),
 * where e^x's contribution is below float32's epsilon), e^x below -13.94, else log1p(e^x).
 * sigmoid(x) = 1 / (1 + e^-x). exp and log1p are glibc's expf and log1pf (tfjs-backend-wasm's
 * stock Exp and Log1p run one float at a time on one thread: ~19 and ~9 ns a float in the MLP
 * VAE step's loss, test/bench/profile.ts).
 */
void unaryRange(int op, const float* x, float* o, int64_t n) {
  constexpr float kThreshold = -13.942385152878742f;  // log(1.1920928955078125e-7) + 2
  if (op == SOFTPLUS) {
    for (int64_t i = 0; i < n; i++) {
      const float v = x[i];
      // log1p(e) as log(u) e / (u - 1), u = 1 + e rounded (Goldberg's trick: the rounding of
      // 1 + e cancels, a few ulps at most), with glibc's fast logf: log1pf cost ~28 ns a float here.
      const float e = expf(v), u = 1.f + e;
      const float lp = u == 1.f ? e : logf(u) * (e / (u - 1.f));
      o[i] = v > -kThreshold ? v : v < kThreshold ? e : lp;
    }
  } else if (op == SIGMOID) {
    for (int64_t i = 0; i < n; i++) o[i] = 1.f / (1.f + expf(-x[i]));
  } else if (op == EXP) {
    for (int64_t i = 0; i < n; i++) o[i] = expf(x[i]);
  } else if (op == LOG1P) {
    for (int64_t i = 0; i < n; i++) o[i] = log1pf(x[i]);
  } else {
    // relu as the cpu backend's max(0, x): NaN stays NaN, -0 becomes 0
    for (int64_t i = 0; i < n; i++) o[i] = x[i] > 0.f ? x[i] : (x[i] != x[i] ? x[i] : 0.f);
  }
}

/**
 * Racing blocks: pieces 0..count-1 of a job, piece p computed by compute(p, dst) into dst and
 * ending up at dest(p) (len(p) floats), on both threads so that whichever thread runs does the
 * work. A host whose 2 vCPUs are shared with other load often deschedules the second thread for
 * milliseconds while it holds a block; waiting for it (gemm.cc's parallel()) then costs far more
 * than the split gains. Here the first thread takes pieces from the shared counter until none
 * are left, then does itself every piece the second has not finished, and returns without
 * waiting: the second thread computes each piece into its own buffer and copies it out only if
 * it claims the piece's state first (WORKER -> COPYING), which this thread's taking it over
 * (WORKER -> MAIN) prevents, so it never writes the output after this call returned. The only
 * wait left is a copy under way (a few KB). A descheduled second thread may still read the
 * inputs later: they lie in the wasm heap, whose address range stays mapped while Node runs, and
 * what it computes from them is thrown away.
 * The pieces do not depend on the threads, so neither do the results.
 */
enum PieceState { FREE = 0, WORKER = 1, COPYING = 2, DONE = 3, MAIN = 4 };

struct Race {
  int count = 0;
  int64_t maxLen = 0;
  std::function<void(int, float*)> compute;
  std::function<float*(int)> dest;
  std::function<int64_t(int)> len;
  std::atomic<int> next{0};
  std::unique_ptr<std::atomic<int>[]> state;
};

void raceWorker(const std::shared_ptr<Race>& r) {
  thread_local std::vector<float> buf;
  for (int p; (p = r->next.fetch_add(1, std::memory_order_relaxed)) < r->count;) {
    int s = FREE;
    if (!r->state[p].compare_exchange_strong(s, WORKER, std::memory_order_acq_rel)) continue;
    if (const int us = vaeLabStallUs()) std::this_thread::sleep_for(std::chrono::microseconds(us));
    if (int64_t(buf.size()) < r->maxLen) buf.resize(size_t(r->maxLen));
    r->compute(p, buf.data());
    s = WORKER;
    if (!r->state[p].compare_exchange_strong(s, COPYING, std::memory_order_acq_rel)) continue;  // taken over
    std::memcpy(r->dest(p), buf.data(), sizeof(float) * size_t(r->len(p)));
    r->state[p].store(DONE, std::memory_order_release);
  }
}

void race(int count, int64_t maxLen, bool split, std::function<void(int, float*)> compute, std::function<float*(int)> dest,
          std::function<int64_t(int)> len) {
  if (!split || count < 2 || vaeLabThreads() < 2) {
    for (int p = 0; p < count; p++) compute(p, dest(p));
    return;
  }
  auto r = std::make_shared<Race>();
  r->count = count;
  r->maxLen = maxLen;
  r->compute = std::move(compute);
  r->dest = std::move(dest);
  r->len = std::move(len);
  r->state.reset(new std::atomic<int>[count]);
  for (int p = 0; p < count; p++) r->state[p].store(FREE, std::memory_order_relaxed);
  vaeLabPost([r] { raceWorker(r); });
  for (int p; (p = r->next.fetch_add(1, std::memory_order_relaxed)) < count;) {
    r->compute(p, r->dest(p));
    r->state[p].store(MAIN, std::memory_order_relaxed);
  }
  for (int p = 0; p < count; p++) {
    for (int spins = 0;; spins++) {
      int s = r->state[p].load(std::memory_order_acquire);
      if (s == DONE || s == MAIN) break;
      if (s == COPYING) {
        if (spins < 4096) cpuRelax();
        else std::this_thread::yield();
        continue;
      }
      if (r->state[p].compare_exchange_weak(s, MAIN, std::memory_order_acq_rel)) {
        r->compute(p, r->dest(p));
        vaeLabTookOver();
        break;
      }
    }
  }
}

/** Floats per piece of an element-wise op: 8 KB, the second thread's copy stays in L1. */
constexpr int64_t PIECE = 2048;

/** fn(lo, hi, dst) over [0, n) in PIECE-float pieces, on both threads from opsSplit work (weight per float). */
template <class F>
void pieces(int64_t n, double weight, float* out, F fn) {
  const int count = int((n + PIECE - 1) / PIECE);
  race(
      count, PIECE, double(n) * weight >= opsSplit, [n, fn](int p, float* dst) { fn(p * PIECE, std::min(n, (p + 1) * PIECE), dst); },
      [out](int p) { return out + p * PIECE; }, [n](int p) { return std::min(n, (p + 1) * PIECE) - p * PIECE; });
}

napi_value Throw(napi_env env, const char* msg) {
  napi_throw_error(env, nullptr, msg);
  return nullptr;
}

/** Reads argv[1..count] as numbers into v and argv[0] as the heap; null (with a JS error thrown) on bad arguments. */
float* args(napi_env env, napi_callback_info info, size_t want, double* v, double& len, const char* usage) {
  size_t argc = want;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != want) return Throw(env, usage), nullptr;
  void* data;
  size_t bytes;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok) return Throw(env, usage), nullptr;
  for (size_t i = 1; i < want; i++) {
    if (napi_get_value_double(env, argv[i], &v[i - 1]) != napi_ok) return Throw(env, usage), nullptr;
  }
  len = double(bytes / sizeof(float));
  return static_cast<float*>(data);
}

/** How many floats an operand in `mode` reads for out[outer, inner]. */
double extent(int mode, double outer, double inner) {
  return mode == FULL ? outer * inner : mode == ROW ? inner : mode == COL ? outer : 1;
}

/**
 * binary(heap, op, a, aMode, b, bMode, out, outer, inner): out = a op b (op 0 +, 1 -, 2 *, 3 /),
 * offsets in floats, modes as above; every array is checked to lie in the heap.
 */
napi_value BinaryOp(napi_env env, napi_callback_info info) {
  const char* usage = "binary(heap, op, a, aMode, b, bMode, out, outer, inner): an ArrayBuffer and 8 numbers";
  double v[8], len;
  float* heap = args(env, info, 9, v, len, usage);
  if (!heap) return nullptr;
  const double outer = v[6], inner = v[7];
  const int op = int(v[0]), aMode = int(v[2]), bMode = int(v[4]);
  if (op < 0 || op > 3 || aMode < 0 || aMode > 3 || bMode < 0 || bMode > 3) return Throw(env, "binary: op 0-3, modes 0-3");
  if (!(outer >= 1 && inner >= 1 && outer * inner < 1e12)) return Throw(env, "binary: outer and inner must be positive");
  auto inside = [&](double off, double n) { return off >= 0 && off + n <= len; };
  if (!inside(v[1], extent(aMode, outer, inner)) || !inside(v[3], extent(bMode, outer, inner)) || !inside(v[5], outer * inner)) {
    return Throw(env, "binary: an array reaches outside the heap");
  }
  const Binary job{op, aMode, bMode, heap + int64_t(v[1]), heap + int64_t(v[3]), heap + int64_t(v[5]), int64_t(outer), int64_t(inner)};
  std::lock_guard<std::mutex> lock(vaeLabMutex());
  pieces(job.outer * job.inner, 1, job.o, [job](int64_t lo, int64_t hi, float* dst) { job.range(lo, hi, dst); });
  return nullptr;
}

/** unary(heap, op, x, out, n): out = f(x), op 0 softplus, 1 sigmoid, 2 exp, 3 log1p, 4 relu; offsets in floats. */
napi_value UnaryOp(napi_env env, napi_callback_info info) {
  const char* usage = "unary(heap, op, x, out, n): an ArrayBuffer and 4 numbers";
  double v[4], len;
  float* heap = args(env, info, 5, v, len, usage);
  if (!heap) return nullptr;
  const int op = int(v[0]);
  const double n = v[3];
  if (op < 0 || op > 4) return Throw(env, "unary: op 0 (softplus), 1 (sigmoid), 2 (exp), 3 (log1p) or 4 (relu)");
  if (!(n >= 0 && v[1] >= 0 && v[2] >= 0 && v[1] + n <= len && v[2] + n <= len)) return Throw(env, "unary: an array reaches outside the heap");
  const float* x = heap + int64_t(v[1]);
  float* o = heap + int64_t(v[2]);
  std::lock_guard<std::mutex> lock(vaeLabMutex());
  // relu is a compare and a copy (memory-bound, weighted as a binary op); the others call libm
  pieces(int64_t(n), op == RELU ? 1 : UNARY_WEIGHT, o, [op, x](int64_t lo, int64_t hi, float* dst) { unaryRange(op, x + lo, dst, hi - lo); });
  return nullptr;
}

/**
 * dy * s with s = 1 where x > 0 (dy * 1 is dy), else alpha, or x itself where it is NaN and
 * nanStep. A function of its own with everything passed by value: inside the lambda, the
 * captured alpha could alias dst as far as the compiler knew, and the loop ran ~5x slower.
 */
void maskRange(const float* xs, const float* ds, float* dst, int64_t m, float alpha, bool nanStep) {
  if (nanStep) {
    for (int64_t i = 0; i < m; i++) {
      const float xi = xs[i];
      const float s = xi > 0.f ? 1.f : alpha;
      dst[i] = ds[i] * (xi != xi ? xi : s);
    }
  } else {
    for (int64_t i = 0; i < m; i++) {
      const float s = xs[i] > 0.f ? 1.f : alpha;
      dst[i] = ds[i] * s;
    }
  }
}

/**
 * mask(heap, x, dy, out, n, alpha, nanStep): relu's and leaky relu's gradient in one pass,
 * out = x > 0 ? dy : dy * s, where s is NaN if nanStep and x is NaN, else alpha. tfjs computes
 * relu's as dy * cast(step(x)) (step is NaN at NaN: nanStep 1, alpha 0) and leaky relu's as
 * where(x > 0, dy, dy * alpha) (nanStep 0): three kernels and two temporaries each, and the
 * same floats as this (dy * 1 is dy; each product rounds once).
 */
napi_value MaskOp(napi_env env, napi_callback_info info) {
  const char* usage = "mask(heap, x, dy, out, n, alpha, nanStep): an ArrayBuffer and 6 numbers";
  double v[6], len;
  float* heap = args(env, info, 7, v, len, usage);
  if (!heap) return nullptr;
  const double n = v[3];
  if (!(n >= 0 && v[0] >= 0 && v[1] >= 0 && v[2] >= 0 && v[0] + n <= len && v[1] + n <= len && v[2] + n <= len)) {
    return Throw(env, "mask: an array reaches outside the heap");
  }
  const float* x = heap + int64_t(v[0]);
  const float* dy = heap + int64_t(v[1]);
  float* o = heap + int64_t(v[2]);
  const float alpha = float(v[4]);
  const bool nanStep = v[5] != 0;
  std::lock_guard<std::mutex> lock(vaeLabMutex());
  pieces(int64_t(n), 1, o, [x, dy, alpha, nanStep](int64_t lo, int64_t hi, float* dst) { maskRange(x + lo, dy + lo, dst, hi - lo, alpha, nanStep); });
  return nullptr;
}

/**
 * colsum(heap, x, out, rows, cols): out[c] = sum over r of x[r, c], the sum over a tensor's
 * leading axes (a bias's gradient). In up to 32 pieces of whole rows, each summed in float32 in
 * row order into its own partial row, then the partials added in piece order: the same floats
 * on one thread or two. (reduce.ts used to do this as a [1, rows] x [rows, cols] product, whose
 * packing costs ~16x the sum itself where cols is 1.)
 */
napi_value ColSum(napi_env env, napi_callback_info info) {
  const char* usage = "colsum(heap, x, out, rows, cols): an ArrayBuffer and 4 numbers";
  double v[4], len;
  float* heap = args(env, info, 5, v, len, usage);
  if (!heap) return nullptr;
  const double rows = v[2], cols = v[3];
  if (!(rows >= 1 && cols >= 1 && rows * cols < 1e12)) return Throw(env, "colsum: rows and cols must be positive");
  if (!(v[0] >= 0 && v[1] >= 0 && v[0] + rows * cols <= len && v[1] + cols <= len)) return Throw(env, "colsum: an array reaches outside the heap");
  const float* x = heap + int64_t(v[0]);
  float* out = heap + int64_t(v[1]);
  const int64_t R = int64_t(rows), C = int64_t(cols);
  const int64_t want = std::max<int64_t>(1, std::min<int64_t>({32, R * C / 8192, R}));
  const int64_t rb = (R + want - 1) / want;
  const int count = int((R + rb - 1) / rb);
  std::vector<float> partial(size_t(count * C));
  std::lock_guard<std::mutex> lock(vaeLabMutex());
  race(
      count, C, rows * cols >= opsSplit,
      [x, rb, R, C](int p, float* dst) {
        std::fill(dst, dst + C, 0.f);
        for (int64_t r = p * rb, end = std::min(R, (p + 1) * rb); r < end; r++) {
          const float* row = x + r * C;
          for (int64_t c = 0; c < C; c++) dst[c] += row[c];
        }
      },
      [part = partial.data(), C](int p) { return part + p * C; }, [C](int) { return C; });
  std::memcpy(out, partial.data(), sizeof(float) * size_t(C));
  for (int p = 1; p < count; p++) {
    const float* q = partial.data() + p * C;
    for (int64_t c = 0; c < C; c++) out[c] += q[c];
  }
  return nullptr;
}

/** opsSplit(n): the work (floats, a unary op's weighted UNARY_WEIGHT each) from which the element-wise ops use both threads (bench, tests); returns the old value. */
napi_value OpsSplit(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  std::lock_guard<std::mutex> lock(vaeLabMutex());
  napi_create_double(env, opsSplit, &out);
  double n;
  if (argc == 1 && napi_get_value_double(env, argv[0], &n) == napi_ok && n >= 0) opsSplit = n;
  return out;
}

}  // namespace

void vaeLabRegisterOps(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"binary", nullptr, BinaryOp, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"unary", nullptr, UnaryOp, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"colsum", nullptr, ColSum, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"mask", nullptr, MaskOp, nullptr, nullptr, nullptr, napi_default, nullptr},
    {"opsSplit", nullptr, OpsSplit, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
