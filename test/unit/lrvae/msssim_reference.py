"""Independent MS-SSIM reference (numpy, explicit window loops) for msssim.test.ts.

Regenerate: python3 test/unit/lrvae/msssim_reference.py > test/unit/lrvae/msssim-reference.json
Same conventions as src/lab/metrics/msssim.ts (documented there): Gaussian window 11 / 1.5
shrunk to the largest odd size that fits a scale, sigma scaled with it; 2x2 average
downsampling that averages a trailing odd row/column alone; last scale uses mean(l*cs);
cs clipped at 0. Images are built from formulas that the test rebuilds in TypeScript.
"""
import json
import math
import numpy as np

W = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]


def image(kind, h, w):
    i, j = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    if kind == "a":
        return 0.5 + 0.4 * np.sin(0.3 * i + 0.2 * j)
    if kind == "b":
        return np.clip(0.5 + 0.4 * np.sin(0.3 * i + 0.2 * j) + 0.15 * np.cos(0.7 * i * j / h), 0, 1)
    if kind == "c":
        return 0.5 + 0.2 * np.sin(0.3 * i + 0.2 * j)
    if kind == "d":
        return np.clip(0.5 + 0.4 * np.sin(0.3 * i + 0.2 * j) + 0.1 * ((i + j) % 2) - 0.05, 0, 1)
    if kind == "e":
        return 0.5 + 0.4 * np.sin(0.3 * (i + 1) + 0.2 * j)
    raise ValueError(kind)


def window(side, size=11, sigma=1.5):
    s = min(size, side)
    if s % 2 == 0:
        s -= 1
    s = max(s, 1)
    sg = sigma * s / size
    half = (s - 1) / 2
    g = np.array([math.exp(-((k - half) ** 2) / (2 * sg * sg)) for k in range(s)])
    g = g / g.sum()
    return np.outer(g, g)


def scale_stats(x, y, c1, c2):
    win = window(min(x.shape))
    s = win.shape[0]
    H, Wd = x.shape[0] - s + 1, x.shape[1] - s + 1
    cs_sum, ssim_sum = 0.0, 0.0
    for r in range(H):
        for c in range(Wd):
            px, py = x[r:r + s, c:c + s], y[r:r + s, c:c + s]
            mx, my = (win * px).sum(), (win * py).sum()
            vx = (win * (px - mx) ** 2).sum()
            vy = (win * (py - my) ** 2).sum()
            cxy = (win * (px - mx) * (py - my)).sum()
            cs = (2 * cxy + c2) / (vx + vy + c2)
            lum = (2 * mx * my + c1) / (mx * mx + my * my + c1)
            cs_sum += cs
            ssim_sum += lum * cs
    return cs_sum / (H * Wd), ssim_sum / (H * Wd)


def down(x):
    h, w = x.shape
    out = np.zeros(((h + 1) // 2, (w + 1) // 2))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = x[2 * r:2 * r + 2, 2 * c:2 * c + 2].mean()
    return out


def ms_ssim(x, y):
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    v = 1.0
    for k, wk in enumerate(W):
        cs, ssim = scale_stats(x, y, c1, c2)
        term = ssim if k == len(W) - 1 else cs
        v *= max(term, 0.0) ** wk
        x, y = down(x), down(y)
    return v


cases = []
for (h, w) in [(28, 28), (64, 48)]:
    for (p, q) in [("a", "b"), ("a", "c"), ("a", "d"), ("a", "e"), ("b", "d")]:
        cases.append({"h": h, "w": w, "x": p, "y": q, "msssim": ms_ssim(image(p, h, w), image(q, h, w))})
print(json.dumps(cases, indent=1))
