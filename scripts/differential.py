#!/usr/bin/env python3
"""Live differential test against the installed NumPy.

Generates random `seedbridge run` scripts (random seeds, sizes, bounds, dtypes, call sequences,
both the legacy and the Generator API, every bit generator), runs each through the real NumPy
(scripts/pyref.py) and through `seedbridge run --save DIR`, and compares what was printed and the
bytes of every recorded value. Error scripts must fail in both, with the same exception kind.

    .venv/bin/python scripts/differential.py --binary target/release/seedbridge --n 500 --seed 1

Prints one line per mismatch and ends with 'N passed, M failed'; exits 1 on any mismatch.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyref import ScriptError, run_reference  # noqa: E402

INT_DTYPES = ["np.int8", "np.int16", "np.int32", "np.int64", "np.uint8", "np.uint16",
              "np.uint32", "np.uint64", "bool", "np.bool_", "int"]
BITGENS = ["PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"]


def rseed(r):
    return r.choice([
        r.randrange(0, 100), r.randrange(0, 2**32), r.randrange(0, 2**64), r.randrange(0, 2**128),
    ])


def rsize(r, allow_none=True):
    k = r.random()
    if allow_none and k < 0.15:
        return None
    if k < 0.6:
        return r.choice([0, 1, 2, 3, 5, 7, 16, 17, 31, 100, 257, 1000])
    if k < 0.9:
        return tuple(r.randrange(0, 6) for _ in range(r.choice([1, 2, 3])))
    return r.randrange(1000, 20000)


def fmt_size(size):
    return repr(size)


def bounds_for(r, dt):
    lims = {
        "np.int8": (-128, 127), "np.int16": (-2**15, 2**15 - 1), "np.int32": (-2**31, 2**31 - 1),
        "np.int64": (-2**63, 2**63 - 1), "int": (-2**63, 2**63 - 1), "np.uint8": (0, 255),
        "np.uint16": (0, 2**16 - 1), "np.uint32": (0, 2**32 - 1), "np.uint64": (0, 2**64 - 1),
        "bool": (0, 1), "np.bool_": (0, 1),
    }[dt]
    lo_lim, hi_lim = lims
    style = r.random()
    if style < 0.3:
        lo = r.randint(max(lo_lim, -10), min(hi_lim, 10))
        hi = r.randint(lo, min(hi_lim, lo + 20))
    elif style < 0.6:
        lo = r.randint(lo_lim, hi_lim)
        hi = r.randint(lo, hi_lim)
    elif style < 0.8:
        lo, hi = lo_lim, hi_lim
    else:
        span = r.choice([1, 2, 3, 255, 256, 2**16, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**40, 2**63])
        lo = max(lo_lim, r.randint(lo_lim, 0) if lo_lim < 0 else 0)
        hi = min(hi_lim, lo + span)
    return lo, hi


def legacy_call(r, obj):
    kind = r.randrange(16)
    size = rsize(r)
    if kind == 0:
        dims = [] if size is None else ([size] if isinstance(size, int) else list(size))
        return f"{obj}.rand({', '.join(map(str, dims))})"
    if kind == 1:
        dims = [] if size is None else ([size] if isinstance(size, int) else list(size))
        return f"{obj}.randn({', '.join(map(str, dims))})"
    if kind == 2:
        return f"{obj}.{r.choice(['random_sample', 'random', 'ranf', 'sample'])}({fmt_size(size)})"
    if kind == 3:
        return f"{obj}.standard_normal({fmt_size(size)})"
    if kind == 4:
        loc = r.choice([0, 1.5, -3, 1e6])
        scale = r.choice([0, 1, 0.25, 10])
        return f"{obj}.normal({loc}, {scale}, {fmt_size(size)})"
    if kind == 5:
        lo = r.uniform(-10, 10)
        hi = r.choice([lo + r.uniform(0, 5), lo - 1, lo])
        return f"{obj}.uniform({lo!r}, {hi!r}, {fmt_size(size)})"
    if kind in (6, 7, 8):
        dt = r.choice(INT_DTYPES)
        lo, hi = bounds_for(r, dt)
        hi += 1  # exclusive high
        if lo >= hi:
            hi = lo + 1
        if r.random() < 0.2 and lo == 0:
            return f"{obj}.randint({hi}, size={fmt_size(size)}, dtype={dt})"
        return f"{obj}.randint({lo}, {hi}, {fmt_size(size)}, dtype={dt})"
    if kind == 9:
        return f"{obj}.standard_exponential({fmt_size(size)})"
    if kind == 10:
        return f"{obj}.exponential({r.choice([0.5, 1, 3.0])}, {fmt_size(size)})"
    if kind == 11:
        return f"{obj}.permutation({r.choice([0, 1, 2, 10, 33, 1000, 70000])})"
    if kind == 12:
        n = r.choice([1, 2, 5, 10, 100, 5000])
        k = r.randrange(0, n + 1)
        if r.random() < 0.5:
            return f"{obj}.choice({n}, {k}, replace=False)"
        return f"{obj}.choice({n}, {fmt_size(size)})"
    if kind == 13:
        n = r.choice([2, 3, 5, 8])
        w = [r.random() + 0.01 for _ in range(n)]
        p = [x / sum(w) for x in w]
        k = r.randrange(0, n + 1)
        rep = r.random() < 0.5
        return f"{obj}.choice({n}, {k if not rep else fmt_size(size)}, replace={rep}, p={p!r})"
    if kind == 14:
        return f"print({obj}.bytes({r.randrange(1, 20)}))"
    return f"{obj}.randint(0, {r.choice([2, 10, 1000, 2**31, 2**33])}, {fmt_size(size)})"


def gen_call(r, obj):
    kind = r.randrange(15)
    size = rsize(r)
    if kind == 0:
        return f"{obj}.random({fmt_size(size)})"
    if kind == 1:
        return f"{obj}.random({fmt_size(size)}, dtype=np.float32)"
    if kind == 2:
        return f"{obj}.standard_normal({fmt_size(size)})"
    if kind == 3:
        return f"{obj}.standard_normal({fmt_size(size)}, dtype=np.float32)"
    if kind == 4:
        return f"{obj}.normal({r.choice([0, 2.5, -1])}, {r.choice([1, 0.1, 7])}, {fmt_size(size)})"
    if kind == 5:
        lo = r.uniform(-5, 5)
        return f"{obj}.uniform({lo!r}, {lo + r.uniform(0, 3)!r}, {fmt_size(size)})"
    if kind in (6, 7, 8):
        dt = r.choice(INT_DTYPES)
        lo, hi = bounds_for(r, dt)
        endpoint = r.random() < 0.4
        if not endpoint:
            hi += 1
        return f"{obj}.integers({lo}, {hi}, {fmt_size(size)}, dtype={dt}, endpoint={endpoint})"
    if kind == 9:
        dt = r.choice(["np.float64", "np.float32"])
        method = r.choice(["zig", "inv"])
        return f"{obj}.standard_exponential({fmt_size(size)}, dtype={dt}, method={method!r})"
    if kind == 10:
        return f"{obj}.exponential({r.choice([0.5, 2.0])}, {fmt_size(size)})"
    if kind == 11:
        return f"{obj}.permutation({r.choice([0, 1, 2, 10, 33, 1000, 70000])})"
    if kind == 12:
        n = r.choice([1, 5, 10, 100, 10001, 50000])
        k = r.randrange(0, min(n, 3000) + 1)
        sh = r.random() < 0.7
        return f"{obj}.choice({n}, {k}, replace=False, shuffle={sh})"
    if kind == 13:
        n = r.choice([2, 3, 5, 8])
        w = [r.random() + 0.01 for _ in range(n)]
        p = [x / sum(w) for x in w]
        rep = r.random() < 0.5
        k = r.randrange(0, n + 1)
        return f"{obj}.choice({n}, {k if not rep else fmt_size(size)}, replace={rep}, p={p!r})"
    return f"{obj}.integers({r.choice([1, 2, 10, 1000, 2**32, 2**40])}, size={fmt_size(size)})"


TORCH_FLOAT = ["torch.float32", "torch.float64", "torch.float16", "torch.bfloat16"]
TORCH_INT = ["torch.int64", "torch.int32", "torch.int16", "torch.int8", "torch.uint8"]


def tsize(r):
    k = r.random()
    if k < 0.5:
        return (r.choice([0, 1, 2, 3, 5, 8, 15, 16, 17, 31, 32, 33, 100, 1000, 4097]),)
    if k < 0.85:
        return tuple(r.randrange(1, 7) for _ in range(r.choice([2, 3])))
    return (r.randrange(1000, 70000),)


def torch_call(r, gen):
    g = f", generator={gen}" if gen and r.random() < 0.7 else ""
    size = tsize(r)
    fdt = r.choice(TORCH_FLOAT)
    kind = r.randrange(14)
    if kind == 0:
        return f"torch.rand({size!r}, dtype={fdt}{g})"
    if kind == 1:
        return f"torch.randn({size!r}, dtype={fdt}{g})"
    if kind == 2:
        dt = r.choice(TORCH_INT + ["torch.int64"] * 3)
        hi = r.choice([2, 10, 100, 127, 2**20, 2**28, 2**28 + 1, 2**31 - 1])
        if dt in ("torch.int8",):
            hi = min(hi, 127)
        if dt == "torch.uint8":
            hi = min(hi, 255)
        if dt == "torch.int16":
            hi = min(hi, 32767)
        if dt == "torch.int32":
            hi = min(hi, 2**31 - 1)
        lo = r.choice([0, 0, -1, -5]) if dt != "torch.uint8" else 0
        return f"torch.randint({lo}, {hi}, {size!r}, dtype={dt}{g})"
    if kind == 3:
        return f"torch.empty({size!r}, dtype={fdt}).uniform_({r.choice([0, -1, 2.5])}, {r.choice([1, 3, 10.5])}{g})"
    if kind == 4:
        return f"torch.empty({size!r}, dtype={fdt}).normal_({r.choice([0, 1.5, -2])}, {r.choice([1, 0.5, 3])}{g})"
    if kind == 5:
        return f"torch.normal({r.choice([0.0, 2.0])}, {r.choice([1.0, 0.1])}, size={size!r}{g})"
    if kind == 6:
        return f"torch.empty({size!r}, dtype={fdt}).exponential_({r.choice([1, 0.5, 4])}{g})"
    if kind == 7:
        return f"torch.randperm({r.choice([0, 1, 2, 10, 100, 1000, 5000])}{g})"
    if kind == 8:
        return f"torch.empty({size!r}, dtype={fdt}).bernoulli_({r.choice([0.0, 0.3, 0.5, 1.0])}{g})"
    if kind == 9:
        return f"torch.empty({size!r}, dtype={fdt}).log_normal_({r.choice([0, 1])}, {r.choice([1, 0.5])}{g})"
    if kind == 10:
        return f"torch.empty({size!r}, dtype={fdt}).cauchy_({r.choice([0, 1])}, {r.choice([1, 2])}{g})"
    if kind == 11:
        return f"torch.empty({size!r}, dtype={fdt}).geometric_({r.choice([0.2, 0.5, 0.9])}{g})"
    if kind == 12:
        return f"torch.empty({size!r}, dtype=torch.int64).random_({r.choice([1, 10, 2**40])}{g})"
    return f"torch.nn.functional.dropout(torch.ones({size!r}, dtype={fdt}), {r.choice([0.1, 0.5, 0.9])}, training=True)"


def make_torch_script(r):
    lines = ["import torch", f"torch.manual_seed({r.choice([0, 1, 42, r.randrange(2**32), r.randrange(2**63), -r.randrange(2**31)])})"]
    gen = None
    if r.random() < 0.3:
        lines.append(f"g = torch.Generator().manual_seed({r.randrange(2**40)})")
        gen = "g"
    for _ in range(r.randrange(1, 6)):
        lines.append(torch_call(r, gen))
    if r.random() < 0.3:
        lines.append("torch.get_rng_state()")
    if r.random() < 0.3:
        last = lines[-1]
        if not last.startswith("torch.get_rng_state"):
            lines[-1] = f"print({last})"
    return "\n".join(lines) + "\n"


def make_script(r):
    lines = ["import numpy as np"]
    api = r.random()
    if api < 0.45:
        if r.random() < 0.5:
            seed = r.choice([r.randrange(0, 2**32), r.randrange(0, 100)])
            if r.random() < 0.15:
                seed = [r.randrange(0, 2**32) for _ in range(r.randrange(1, 5))]
            lines.append(f"np.random.seed({seed!r})")
            obj = "np.random"
        else:
            lines.append(f"rs = np.random.RandomState({r.randrange(0, 2**32)})")
            obj = "rs"
        for _ in range(r.randrange(1, 6)):
            lines.append(legacy_call(r, obj))
            if r.random() < 0.1 and obj == "np.random":
                lines.append("st = np.random.get_state()")
                lines.append(legacy_call(r, obj))
                lines.append("np.random.set_state(st)")
    else:
        bg = r.choice(BITGENS + ["default"] * 3)
        seed = rseed(r)
        if bg == "default":
            lines.append(f"rng = np.random.default_rng({seed})")
        else:
            lines.append(f"rng = np.random.Generator(np.random.{bg}({seed}))")
        for _ in range(r.randrange(1, 6)):
            lines.append(gen_call(r, "rng"))
    if r.random() < 0.3:
        # print the last call's value instead of only recording it
        last = lines[-1]
        if not last.startswith("print(") and "=" not in last.split("(")[0]:
            lines[-1] = f"print({last})"
    return "\n".join(lines) + "\n"


def read_npy_dir(d):
    files = sorted(f for f in os.listdir(d) if f.endswith(".npy"))
    return [np.load(os.path.join(d, f), allow_pickle=False) for f in files]


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/seedbridge")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--show", action="store_true", help="print each script")
    ap.add_argument("--torch", action="store_true",
                    help="torch CPU scripts instead (needs torch; run with ATEN_CPU_CAPABILITY=avx2 "
                         "or =default and the matching --cpu-capability)")
    ap.add_argument("--cpu-capability", default="avx2")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    r = random.Random(seed)
    print(f"differential: numpy {np.__version__}, {args.n} scripts, generator seed {seed}")
    passed = failed = 0
    n_values = 0
    for i in range(args.n):
        script = make_torch_script(r) if args.torch else make_script(r)
        if args.show:
            print(f"--- script {i}\n{script}")
        try:
            exp_out, exp_vals = run_reference(script)
            exp_err = None
        except ScriptError as e:
            exp_out, exp_vals, exp_err = e.stdout, e.values, e
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([args.binary, "run", "-", "--save", d, "--cpu-capability", args.cpu_capability], input=script,
                               capture_output=True, text=True, timeout=300)
            got_vals = read_npy_dir(d)
        problems = []
        if exp_err is None and p.returncode != 0:
            problems.append(f"seedbridge failed: {p.stderr.strip()}")
        if exp_err is not None:
            if p.returncode != 2:
                problems.append(f"expected {exp_err.kind} ({exp_err.message}), got exit {p.returncode}")
            elif exp_err.kind not in p.stderr:
                problems.append(f"expected {exp_err.kind}: {exp_err.message}; got {p.stderr.strip()}")
        if p.stdout != exp_out:
            problems.append(f"stdout differs:\n  numpy:      {exp_out!r}\n  seedbridge: {p.stdout!r}")
        if len(got_vals) != len(exp_vals):
            problems.append(f"{len(exp_vals)} values expected, {len(got_vals)} saved")
        for k, (a, b) in enumerate(zip(exp_vals, got_vals)):
            if not same(np.asarray(a), b):
                problems.append(f"value {k}: numpy {a.dtype}{a.shape} vs seedbridge {b.dtype}{b.shape}; "
                                f"first numpy {np.asarray(a).ravel()[:4]} seedbridge {b.ravel()[:4]}")
        n_values += len(exp_vals)
        if problems:
            failed += 1
            print(f"MISMATCH in script {i}:\n{script}" + "\n".join("  " + x for x in problems))
        else:
            passed += 1
    print(f"{n_values} values compared bit for bit")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
