#!/usr/bin/env python3
"""Times NumPy, torch and seedbridge on the same machine in one run and prints a table of
ns/element and ratios (issue 7's performance targets).

    .venv/bin/python scripts/bench_vs_python.py [--n 10000000] [--repeats 5] [--small-n 100000]
        [--binary target/release/seedbridge] [--streams legacy.rand,gen.random,...] [--no-thp]

seedbridge is timed in-process (`seedbridge bench STREAM --n N ...`, see src/bench.rs), so
process start-up is excluded; when the binary has no `bench` subcommand the script builds and
runs the equivalent `cargo bench --bench stream` runner instead. Every number is the best of
`--repeats` timed calls after one warm-up call, each call allocating its output (as the
libraries' own calls do); seedbridge's best is also taken over `--processes` separate runs.

Memory: NumPy asks the kernel for transparent huge pages (madvise(MADV_HUGEPAGE)) for its large
arrays by default; on machines where 4 KiB page faults are expensive (VMs) that alone is worth
several ns/element at 10^7 float64s. By default all three libraries get huge pages the same way:
torch through THP_MEM_ALLOC_ENABLE=1, seedbridge (Rust's allocator = glibc malloc) through
GLIBC_TUNABLES=glibc.malloc.hugetlb=1. `--no-thp` runs all three without (NumPy's madvise is
switched off). glibc does not madvise in every process, so seedbridge runs in several processes
(`--processes`) and keeps the best, as it does for repeats.

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (set in some environments, they slow NumPy's import) are
removed for this process only.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import time

_DROP_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
if any(v in os.environ for v in _DROP_ENV) and os.environ.get("_SB_BENCH_REEXEC") != "1":
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    env["_SB_BENCH_REEXEC"] = "1"
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (stream, reference label, reference key, target ratio or None, seedbridge threads: 1 or None=all)
STREAMS = [
    ("legacy.rand", "np.random.RandomState(0).rand(n)", "legacy.rand", 2.0, 1),
    ("legacy.randn", "np.random.RandomState(0).randn(n)", "legacy.randn", 2.0, 1),
    ("legacy.randint10", "RandomState(0).randint(0, 10, n)", "legacy.randint10", 2.0, 1),
    ("gen.random", "default_rng(0).random(n)", "gen.random", 1.5, 1),
    ("gen.standard_normal", "default_rng(0).standard_normal(n)", "gen.standard_normal", 1.5, 1),
    ("gen.integers10", "default_rng(0).integers(0, 10, n)", "gen.integers10", 1.5, 1),
    ("torch.rand_f32", "torch.rand(n) [1 thread]", "torch.rand_f32", 2.0, 1),
    ("torch.randn_f32", "torch.randn(n) [1 thread, avx2]", "torch.randn_f32", 2.0, 1),
    ("torch.randint", "torch.randint(0, 10, (n,)) [1 thread]", "torch.randint", 2.0, 1),
    ("cuda_emu.rand_f32", "Generator(Philox(0)).random(n)", "numpy.philox_random", 10.0, None),
    ("cuda_emu.randn_f32", "Generator(Philox(0)).random(n)", "numpy.philox_random", 10.0, None),
    ("numpy.philox_random", "Generator(Philox(0)).random(n)", "numpy.philox_random", None, 1),
    ("gen.random_f32", "default_rng(0).random(n, float32)", "gen.random_f32", None, 1),
    ("torch.rand_f64", "torch.rand(n, float64) [1 thread]", "torch.rand_f64", None, 1),
    ("torch.randn_f64", "torch.randn(n, float64) [1 thread]", "torch.randn_f64", None, 1),
]


def python_calls(np, torch):
    """The reference calls, by key; each returns a fresh array."""
    calls = {
        "legacy.rand": lambda n: np.random.RandomState(0).rand(n),
        "legacy.randn": lambda n: np.random.RandomState(0).randn(n),
        "legacy.randint10": lambda n: np.random.RandomState(0).randint(0, 10, n),
        "gen.random": lambda n: np.random.default_rng(0).random(n),
        "gen.random_f32": lambda n: np.random.default_rng(0).random(n, dtype=np.float32),
        "gen.standard_normal": lambda n: np.random.default_rng(0).standard_normal(n),
        "gen.integers10": lambda n: np.random.default_rng(0).integers(0, 10, n),
        "numpy.philox_random": lambda n: np.random.Generator(np.random.Philox(0)).random(n),
    }
    if torch is not None:
        g = torch.Generator().manual_seed(0)
        calls.update(
            {
                "torch.rand_f32": lambda n: torch.rand(n, generator=g),
                "torch.rand_f64": lambda n: torch.rand(n, generator=g, dtype=torch.float64),
                "torch.randn_f32": lambda n: torch.randn(n, generator=g),
                "torch.randn_f64": lambda n: torch.randn(n, generator=g, dtype=torch.float64),
                "torch.randint": lambda n: torch.randint(0, 10, (n,), generator=g),
            }
        )
    return calls


def time_python(f, n, repeats):
    f(n)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f(n)
        best = min(best, time.perf_counter() - t0)
    return best * 1e9 / n


class Seedbridge:
    """Runs `seedbridge bench`, or the `stream` bench runner when the CLI lacks it."""

    def __init__(self, binary, env):
        self.env = env
        self.cmd = None
        if binary and os.path.exists(binary):
            probe = subprocess.run(
                [binary, "bench", "--help"], capture_output=True, text=True, env=env
            )
            if probe.returncode == 0:
                self.cmd = [binary, "bench"]
                self.flags = "--threads" in probe.stdout
        if self.cmd is None:
            print("note: no `seedbridge bench` subcommand; using `cargo bench --bench stream`",
                  file=sys.stderr)
            out = subprocess.run(
                ["cargo", "bench", "--bench", "stream", "--no-run", "--message-format=json"],
                cwd=ROOT, capture_output=True, text=True, check=True,
            ).stdout
            exe = None
            for line in out.splitlines():
                m = re.search(r'"executable":"([^"]+)"', line)
                if m and '"name":"stream"' in line:
                    exe = m.group(1)
            if exe is None:
                sys.exit("could not build the `stream` bench runner")
            self.cmd = [exe]
            self.flags = True

    def run(self, stream, n, threads, repeats, processes):
        """Best ns/element over `processes` separate runs (whether the kernel backs a process's
        big allocations with huge pages varies from process to process)."""
        cmd = self.cmd + [stream, "--n", str(n)]
        if self.flags:
            cmd += ["--repeats", str(repeats)]
            if threads is not None:
                cmd += ["--threads", str(threads)]
        best = float("inf")
        for _ in range(max(1, processes)):
            p = subprocess.run(cmd, capture_output=True, text=True, env=self.env, cwd=ROOT)
            m = re.search(r"best_ns_per_element=([0-9.]+)", p.stdout)
            if p.returncode != 0 or not m:
                raise RuntimeError(f"{' '.join(cmd)} failed: {p.stdout}{p.stderr}")
            best = min(best, float(m.group(1)))
        return best


def machine():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    thp = "?"
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            thp = f.read().strip()
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, THP: {thp}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--small-n", type=int, default=100_000,
                    help="also compare at this (in-cache) size; 0 to skip")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--processes", type=int, default=5,
                    help="seedbridge runs per stream and size (separate processes), best kept")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "seedbridge"))
    ap.add_argument("--streams", default="", help="comma-separated subset")
    ap.add_argument("--no-thp", action="store_true", help="no transparent huge pages anywhere")
    args = ap.parse_args()

    if args.no_thp:
        os.environ.pop("THP_MEM_ALLOC_ENABLE", None)
    else:
        os.environ["THP_MEM_ALLOC_ENABLE"] = "1"  # read by torch's CPU allocator
    import numpy as np

    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    try:
        np._core.multiarray._set_madvise_hugepage(not args.no_thp)
    except AttributeError:
        pass

    sb_env = dict(os.environ)
    if not args.no_thp:
        tun = sb_env.get("GLIBC_TUNABLES", "")
        sb_env["GLIBC_TUNABLES"] = (tun + ":" if tun else "") + "glibc.malloc.hugetlb=1"
    sb = Seedbridge(args.binary, sb_env)
    calls = python_calls(np, torch)
    wanted = [s for s in args.streams.split(",") if s]
    rows = [r for r in STREAMS if not wanted or r[0] in wanted]

    print(f"machine: {machine()}")
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else '-'}, "
          f"n = {args.n:.0e}, best of {args.repeats} calls (seedbridge: x {args.processes} "
          f"processes), huge pages: {'off' if args.no_thp else 'on'}")
    sizes = [args.n] + ([args.small_n] if args.small_n else [])
    ref_cache = {}
    header = f"{'stream':<20} {'reference':<38} {'threads':>7}"
    for sz in sizes:
        header += f" | {'ref@' + format(sz, '.0e'):>9} {'sb@' + format(sz, '.0e'):>9} {'ratio':>7}"
    header += f" | {'target':>7} {'met':>4}"
    print(header)
    print("-" * len(header))
    results = []
    for stream, label, ref, target, threads in rows:
        if ref not in calls:
            continue
        line = f"{stream:<20} {label:<38} {('all' if threads is None else threads):>7}"
        first_ratio = None
        for sz in sizes:
            key = (ref, sz)
            if key not in ref_cache:
                ref_cache[key] = time_python(calls[ref], sz, args.repeats)
            r = ref_cache[key]
            try:
                s = sb.run(stream, sz, threads, args.repeats, args.processes)
            except RuntimeError as e:
                print(e, file=sys.stderr)
                s = float("nan")
            ratio = r / s if s == s and s > 0 else float("nan")
            first_ratio = ratio if first_ratio is None else first_ratio
            line += f" | {r:>9.3f} {s:>9.3f} {ratio:>6.2f}x"
        met = "-" if target is None else ("yes" if first_ratio >= target else "NO")
        tgt = "-" if target is None else f">={target:g}x"
        line += f" | {tgt:>7} {met:>4}"
        print(line, flush=True)
        results.append((stream, first_ratio, target))
    print("(ns/element; ratio = reference time / seedbridge time, > 1 means seedbridge is faster;"
          " 'met' judges the first size)")


if __name__ == "__main__":
    main()
