"""The bench's references: the same steps as runtime.bench.ts, in PyTorch (and numpy for the matmul).

runtime.bench.ts starts this as a long-lived child and alternates with it, so both sides are
timed in the same minutes of a host whose speed drifts. One command per stdin line, one JSON
line back on stdout:
  info                    what runs (versions, threads, the BLAS kernel where threadpoolctl says,
                          the libblas.so.3 mapped and whether it is netlib's reference BLAS)
  time NAME REPS WARM     WARM untimed then REPS timed runs of NAME -> {"ms": [...]}
NAME: mlp, conv, wae (one Adam step, batch 64; `mlp1`, `conv1` with torch and its BLAS on one
thread) or matmul (numpy 1024^2 float32 product; `matmul1` on one BLAS thread). `--numpy-only` skips importing torch (the matmul children).
REF_TORCH_THREADS (default 2) sets torch's own threads; runtime.bench.ts starts one child per
thread setting (with OPENBLAS_NUM_THREADS, OMP_WAIT_POLICY in its environment) and holds ours
against the fastest, since PyTorch's default on 2 cores (2 OpenMP threads beside 2 spinning
OpenBLAS threads) is its slowest and most erratic setting here.

The nets mirror runtime.bench.ts: tfjs 'same' padding with stride 2 pads 1 each side here,
except 7 -> 4 (and the stride-1 last layer), where TensorFlow pads one more at the end.
"""
import json
import sys
import time

import numpy as np

BATCH = 64
NUMPY_ONLY = '--numpy-only' in sys.argv

if not NUMPY_ONLY:
    import torch
    from torch import nn
    import torch.nn.functional as F
    import os
    THREADS = int(os.environ.get('REF_TORCH_THREADS', '2'))
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)


def threadpools():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 'threadpoolctl not installed: BLAS kernel not named'
    return '; '.join(f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')} "
                     f"{p.get('num_threads')} threads" for p in threadpool_info())


def blas_loaded():
    """Which BLAS this process mapped: the libblas.so.3 it loaded (resolved through Debian's
    alternatives symlinks) and every other BLAS library, read from /proc/self/maps. Debian's
    PyTorch 1.13 is built with BLAS_INFO=generic and calls whatever libblas.so.3 is installed;
    netlib's reference BLAS (libblas3, /usr/lib/<arch>/blas/) runs its Linear layers ~8x slower
    than OpenBLAS, so the bench refuses a ratio against it (`reference_blas`)."""
    import os
    try:
        with open('/proc/self/maps') as f:
            libs = sorted({line.split()[-1] for line in f if 'blas' in line.split()[-1].lower()})
    except OSError:
        return {'libblas': 'unknown (no /proc/self/maps)', 'libs': [], 'reference_blas': False}
    libblas = next((p for p in libs if os.path.basename(p).startswith('libblas.so')), '')
    real = os.path.realpath(libblas) if libblas else ''
    fast = [p for p in libs if any(w in p.lower() for w in ('openblas', 'blis', 'mkl'))]
    return {'libblas': f'{libblas} -> {real}' if libblas else 'none mapped', 'libs': libs,
            'reference_blas': bool(libblas) and not fast}


def vae_step(enc, dec, shape):
    params = list(enc.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=1e-4)
    x = (torch.rand(BATCH, *shape) > 0.5).float()

    def step():
        opt.zero_grad()
        h = enc(x)
        mu, logvar = h.chunk(2, dim=1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = dec(z).reshape(BATCH, -1)
        rec = F.binary_cross_entropy_with_logits(logits, x.reshape(BATCH, -1), reduction='sum')
        kl = 0.5 * torch.sum(torch.exp(logvar) + mu * mu - 1 - logvar)
        ((rec + kl) / BATCH).backward()
        opt.step()
    return step


def mlp():
    enc = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 100))
    dec = nn.Sequential(nn.Linear(50, 512), nn.ReLU(), nn.Linear(512, 784))
    return vae_step(enc, dec, (784,))


def conv():
    enc = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
                        nn.Flatten(), nn.Linear(7 * 7 * 64, 100))
    dec = nn.Sequential(nn.Linear(50, 7 * 7 * 64), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
                        nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1))
    return vae_step(enc, dec, (1, 28, 28))


def wae():
    """METHODS.md section 1: the WAE paper's MNIST nets, latent 50."""
    def c(cin, cout, pad=(1, 1, 1, 1)):
        return [nn.ZeroPad2d(pad), nn.Conv2d(cin, cout, 4, 2, 0, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    def t(cin, cout):
        return [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    enc = nn.Sequential(*c(1, 128), *c(128, 256), *c(256, 512, (1, 2, 1, 2)), *c(512, 1024),
                        nn.Flatten(), nn.Linear(2 * 2 * 1024, 100))
    # The stride-1 4x4 conv-transpose to one channel is a 4x4 conv with padding (2, 1) each way.
    dec = nn.Sequential(nn.Linear(50, 7 * 7 * 1024), nn.ReLU(), nn.Unflatten(1, (1024, 7, 7)),
                        *t(1024, 512), *t(512, 256), nn.ZeroPad2d((2, 1, 2, 1)), nn.Conv2d(256, 1, 4, 1, 0))
    return vae_step(enc, dec, (1, 28, 28))


def matmul(threads=None):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((1024, 1024), dtype=np.float32)
    b = rng.standard_normal((1024, 1024), dtype=np.float32)
    limit = None
    if threads:
        try:
            from threadpoolctl import threadpool_limits
            limit = threadpool_limits
        except ImportError:
            limit = None

    def step():
        if limit:
            with limit(threads):
                a @ b
        else:
            a @ b
    return step


def one_thread(step):
    """`step` with torch's threads and its BLAS's at one, then back (a shared host with other
    load hurts a team of spinning OpenMP threads far more than one thread: both are shown)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None

    def run():
        torch.set_num_threads(1)
        try:
            if threadpool_limits:
                with threadpool_limits(1):
                    step()
            else:
                step()
        finally:
            torch.set_num_threads(THREADS)
    return run


MAKERS = {
    'mlp': lambda: mlp(), 'conv': lambda: conv(), 'wae': lambda: wae(),
    'mlp1': lambda: one_thread(mlp()), 'conv1': lambda: one_thread(conv()),
    'matmul': lambda: matmul(), 'matmul1': lambda: matmul(1),
}
steps = {}


def answer(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    try:
        if words[0] == 'info':
            torch_info = 'not loaded' if NUMPY_ONLY else f'{torch.__version__}, {torch.get_num_threads()} threads'
            answer({'python': sys.executable, 'torch': torch_info, 'numpy': np.__version__, 'blas': threadpools(),
                    **blas_loaded()})
        elif words[0] == 'time':
            name, reps, warm = words[1], int(words[2]), int(words[3])
            if name not in steps:
                steps[name] = MAKERS[name]()
            f = steps[name]
            for _ in range(warm):
                f()
            ms = []
            for _ in range(reps):
                t0 = time.perf_counter()
                f()
                ms.append((time.perf_counter() - t0) * 1000)
            answer({'ms': ms})
        else:
            answer({'error': f'unknown command {words[0]}'})
    except Exception as e:  # the bench prints it and goes on without this reference
        answer({'error': f'{type(e).__name__}: {e}'})
