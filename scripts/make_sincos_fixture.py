#!/usr/bin/env python3
"""Regenerate tests/fixtures/sincos_2pi.txt: correctly rounded float32 sin(2 pi t), cos(2 pi t).

Usage (from the repository root; needs numpy and mpmath, e.g. the venv with torch):

    python scripts/make_sincos_fixture.py

The torch.cuda emulation models `__sincosf(v)` as the correctly rounded sin/cos(2 pi t) of
t = FMUL.RZ(v, 1/(2 pi)) (src/math/cuda.rs, `sincos_2pi_f32`). This file pins that claim with
values computed at 200-bit precision by mpmath for:
  * 2,000 random t on the 2^-24 grid of (0, 1], plus quarter/eighth-turn edges;
  * the hardest t of that grid: every t whose sine or cosine (estimated in float64 by NumPy,
    then confirmed) lies within 2^-38 (relative) of a float32 rounding midpoint, i.e. the
    cases a double-precision evaluation can get wrong.
One line per t: `t_bits sin_bits cos_bits` (hex float32 bit patterns).
"""

import os
import struct

import mpmath
import numpy as np

mpmath.mp.prec = 200
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                   "sincos_2pi.txt")


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def round_f32(x):
    """mpf -> the nearest float32 (ties to even), by comparing the candidates around it.
    Exact zeros (sin at half turns, cos at quarter turns; mpmath leaves ~1e-60) give +0."""
    if abs(x) < mpmath.mpf(10) ** -50:
        return 0
    f = np.float32(float(x))
    cands = [np.nextafter(f, np.float32(-np.inf)), f, np.nextafter(f, np.float32(np.inf))]
    dist = [abs(mpmath.mpf(float(c)) - x) for c in cands]
    best = min(dist)
    ties = [c for c, d in zip(cands, dist) if d == best]
    if len(ties) > 1:
        ties = [c for c in ties if f32_bits(float(c)) % 2 == 0]
    return f32_bits(float(ties[0]))


def near_midpoint(v):
    """float64 values within 2^-38 relative of a float32 rounding midpoint."""
    bits = v.view(np.uint64)
    low = (bits & np.uint64(0x1FFFFFFF)).astype(np.int64)
    return np.abs(low - 0x10000000) < (1 << 14)


def main():
    grid = (np.arange(1, 1 << 24, dtype=np.float64) / float(1 << 24))
    ang = 2.0 * np.pi * grid
    hard = np.nonzero(near_midpoint(np.sin(ang)) | near_midpoint(np.cos(ang)))[0]
    rng = np.random.default_rng(20261128)
    ts = set(int(i) for i in rng.integers(1, 1 << 24, 2000))
    ts |= set(int(i) + 1 for i in hard)
    ts |= {k << 21 for k in range(9)} | {(k << 21) + d for k in range(1, 8) for d in (-1, 1)}
    lines = []
    for i in sorted(t for t in ts if 0 < t <= 1 << 24):
        t = np.float32(i / float(1 << 24))
        x = 2 * mpmath.pi * mpmath.mpf(float(t))
        lines.append("%08x %08x %08x" % (f32_bits(float(t)), round_f32(mpmath.sin(x)),
                                         round_f32(mpmath.cos(x))))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)} values ({len(hard)} near-midpoint) -> {OUT}")


if __name__ == "__main__":
    main()
