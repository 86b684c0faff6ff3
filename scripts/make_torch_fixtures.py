#!/usr/bin/env python3
"""Golden fixtures for seedbridge's PyTorch CPU generator (issue 3).

Run with any Python that has torch (2.15 was used for the committed files):

    python scripts/make_torch_fixtures.py            # writes tests/fixtures/torch/cpu_{avx2,default}.txt

It re-runs itself once per CPU capability (ATEN_CPU_CAPABILITY=avx2 / default), because torch
chooses its kernel build at start-up. tests/torch_cpu.rs replays every case through the Rust API.

File format (one record per line, space-separated tokens, `key=value` arguments):
    case NAME
    op OPNAME key=value ...          one torch call
    out DTYPE SHAPE N FNV HEAD TAIL  its tensor result: SHAPE like 3x7 (`-` for 0-d), FNV = FNV-1a 64
                                     of the little-endian bytes of all elements, HEAD/TAIL = hex bit
                                     patterns of the first/last 8 elements joined by ','
    int VALUE                        a Python int result (initial_seed)
    state FNV                        FNV-1a 64 of the 5056 get_state() bytes
    err KIND MESSAGE...              the call raised (KIND = Python exception class)
    end
Float arguments are Python reprs (exact round trip); lists are comma-separated.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "tests", "fixtures", "torch")

DTYPES = {
    "float32": "float32", "float64": "float64", "float16": "float16", "bfloat16": "bfloat16",
    "int64": "int64", "int32": "int32", "int16": "int16", "int8": "int8", "uint8": "uint8",
    "bool": "bool",
}
FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]
SEEDS = [0, 42, 2**32 + 7, -5, 2**63 - 1]
SHAPES = [[1], [5], [15], [16], [17], [3, 7], [33], [2, 4, 8]]
LARGE = [[100003]]


def fnv(b):
    h = 0xcbf29ce484222325
    for x in b:
        h ^= x
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def fmt_arg(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (list, tuple)):
        return ",".join(fmt_arg(x) for x in v) if v else "-"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def build_cases():
    """The case list: (name, [ (opname, {args}) ... ]). Shared by both capabilities."""
    cases = []
    k = 0

    def seed():
        nonlocal k
        k += 1
        return SEEDS[k % len(SEEDS)]

    # Motivating example and seeds.
    for s in SEEDS:
        cases.append((f"seed_{s}", [("manual_seed", {"seed": s}), ("initial_seed", {}),
                                    ("rand", {"shape": [5], "dtype": "float32"}),
                                    ("randn", {"shape": [17], "dtype": "float32"}),
                                    ("rand", {"shape": [7], "dtype": "float64"}),
                                    ("get_state", {})]))
    # rand / randn for every float dtype and shape.
    for op in ["rand", "randn"]:
        for dt in FLOATS:
            for sh in SHAPES + LARGE:
                cases.append((f"{op}_{dt}_{'x'.join(map(str, sh))}",
                              [("manual_seed", {"seed": seed()}), (op, {"shape": sh, "dtype": dt}),
                               ("get_state", {})]))
    # uniform_ / normal_ with parameters.
    for dt in FLOATS:
        for sh in [[3], [16], [21], [100003]]:
            for a, b in [(-0.1, 0.3), (2.5, 7.25), (-3.0, -1.0)]:
                cases.append((f"uniform_{dt}_{sh[0]}_{a}_{b}",
                              [("manual_seed", {"seed": seed()}),
                               ("uniform_", {"shape": sh, "dtype": dt, "a": a, "b": b})]))
            for mu, sd in [(0.3, 2.7), (-1.5, 0.01), (4.0, 0.0)]:
                cases.append((f"normal_{dt}_{sh[0]}_{mu}_{sd}",
                              [("manual_seed", {"seed": seed()}),
                               ("normal_", {"shape": sh, "dtype": dt, "a": mu, "b": sd}),
                               ("get_state", {})]))
    # the normal cache: scalar path, fill path, scalar path; state round trip with cache.
    for dt in FLOATS:
        cases.append((f"normal_cache_{dt}", [
            ("manual_seed", {"seed": seed()}),
            ("randn", {"shape": [1], "dtype": dt}), ("get_state", {}),
            ("randn", {"shape": [16], "dtype": dt}),
            ("randn", {"shape": [3], "dtype": "float64"}), ("get_state", {}),
            ("save_state", {"name": "s"}),
            ("randn", {"shape": [5], "dtype": dt}),
            ("restore_state", {"name": "s"}),
            ("randn", {"shape": [5], "dtype": dt}),
            ("log_normal_", {"shape": [3], "dtype": dt, "a": 0.5, "b": 0.25}),
            ("get_state", {}),
            ("manual_seed", {"seed": 3}), ("get_state", {}),
        ]))
    # randint, both signatures, 2^28 switch, every dtype.
    for dt in INTS + FLOATS + ["bool"]:
        for lo, hi in [(0, 10), (-5, 5), (0, 2**28 - 1), (0, 2**28), (3, 2**40), (-100, 100)]:
            sh = [17]
            steps = [("manual_seed", {"seed": seed()}),
                     ("randint", {"low": lo, "high": hi, "shape": sh, "dtype": dt}),
                     ("get_state", {})]
            cases.append((f"randint_{dt}_{lo}_{hi}", steps))
        cases.append((f"randint1_{dt}", [("manual_seed", {"seed": seed()}),
                                         ("randint1", {"high": 2, "shape": [33], "dtype": dt})]))
        cases.append((f"random_{dt}", [("manual_seed", {"seed": seed()}),
                                       ("random_", {"shape": [33], "dtype": dt}), ("get_state", {})]))
        cases.append((f"random_to_{dt}", [("manual_seed", {"seed": seed()}),
                                          ("random_to", {"shape": [20], "dtype": dt, "b": 2})]))
        cases.append((f"random_from_{dt}", [("manual_seed", {"seed": seed()}),
                                            ("random_from", {"shape": [20], "dtype": dt, "a": 1})]))
        cases.append((f"random_full_{dt}", [("manual_seed", {"seed": seed()}),
                                            ("random_from", {"shape": [20], "dtype": dt, "a": -2**63})]))
    cases.append(("randint_large", [("manual_seed", {"seed": 7}),
                                    ("randint", {"low": -2**40, "high": 2**50, "shape": [100003], "dtype": "int64"})]))
    # randperm
    for n in [0, 1, 2, 10, 17, 1000, 100003]:
        cases.append((f"randperm_{n}", [("manual_seed", {"seed": seed()}),
                                        ("randperm", {"n": n, "dtype": "int64"}), ("get_state", {})]))
    for dt in ["int32", "int16", "float32", "float64", "float16", "bfloat16", "uint8", "int8"]:
        cases.append((f"randperm_{dt}", [("manual_seed", {"seed": seed()}),
                                         ("randperm", {"n": 100, "dtype": dt})]))
    # _like
    for dt in FLOATS:
        for op in ["rand_like", "randn_like"]:
            cases.append((f"{op}_{dt}", [("manual_seed", {"seed": seed()}),
                                         (op, {"shape": [4, 5], "dtype": dt})]))
    for dt in INTS + ["float32"]:
        cases.append((f"randint_like_{dt}", [("manual_seed", {"seed": seed()}),
                                             ("randint_like", {"shape": [4, 5], "dtype": dt, "a": 2, "b": 9})]))
    # torch.normal variants
    for dt in FLOATS:
        for sh in [[3], [20], [40]]:
            cases.append((f"normal_ss_{dt}_{sh[0]}", [("manual_seed", {"seed": seed()}),
                          ("normal_ss", {"a": 1.5, "b": 0.5, "shape": sh, "dtype": dt})]))
            n = sh[0]
            means = [(i % 9) * 0.25 - 1.0 for i in range(n)]
            stds = [(i % 5) * 0.5 + 0.25 for i in range(n)]
            cases.append((f"normal_tt_{dt}_{n}", [("manual_seed", {"seed": seed()}),
                          ("normal_tt", {"mean": means, "std": stds, "dtype": dt}), ("get_state", {})]))
            cases.append((f"normal_ts_{dt}_{n}", [("manual_seed", {"seed": seed()}),
                          ("normal_ts", {"mean": means, "b": 0.75, "dtype": dt})]))
            cases.append((f"normal_st_{dt}_{n}", [("manual_seed", {"seed": seed()}),
                          ("normal_st", {"a": -0.5, "std": stds, "dtype": dt})]))
    # other in-place distributions
    for dt in FLOATS:
        for sh in [[5], [16], [33], [1000]]:
            cases.append((f"exponential_{dt}_{sh[0]}", [("manual_seed", {"seed": seed()}),
                          ("exponential_", {"shape": sh, "dtype": dt, "a": 1.5})]))
            cases.append((f"cauchy_{dt}_{sh[0]}", [("manual_seed", {"seed": seed()}),
                          ("cauchy_", {"shape": sh, "dtype": dt, "a": 0.5, "b": 2.0})]))
            cases.append((f"log_normal_{dt}_{sh[0]}", [("manual_seed", {"seed": seed()}),
                          ("log_normal_", {"shape": sh, "dtype": dt, "a": 0.1, "b": 0.7}), ("get_state", {})]))
    for dt in FLOATS + INTS:
        cases.append((f"geometric_{dt}", [("manual_seed", {"seed": seed()}),
                      ("geometric_", {"shape": [40], "dtype": dt, "a": 0.2})]))
    for dt in FLOATS + INTS + ["bool"]:
        cases.append((f"bernoulli_s_{dt}", [("manual_seed", {"seed": seed()}),
                      ("bernoulli_s", {"shape": [40], "dtype": dt, "a": 0.3})]))
    for dt in FLOATS:
        p = [(i % 11) / 10.0 for i in range(37)]
        cases.append((f"bernoulli_t_{dt}", [("manual_seed", {"seed": seed()}),
                      ("bernoulli_t", {"p": p, "dtype": dt})]))
        cases.append((f"bernoulli_ip_{dt}", [("manual_seed", {"seed": seed()}),
                      ("bernoulli_ip", {"p": p, "dtype": dt, "self": "float32"})]))
        for pp in [0.1, 0.5, 0.9]:
            x = [(i % 7) * 0.5 - 1.25 for i in range(50)]
            cases.append((f"dropout_{dt}_{pp}", [("manual_seed", {"seed": seed()}),
                          ("dropout", {"x": x, "dtype": dt, "a": pp})]))
    for dt in ["float32", "float64", "float16", "bfloat16"]:
        probs = [0.1, 0.0, 0.3, 0.25, 0.05, 0.2, 0.1]
        for repl in [True, False]:
            for nsamp in [1, 3, 5]:
                cases.append((f"multinomial_{dt}_{repl}_{nsamp}", [("manual_seed", {"seed": seed()}),
                              ("multinomial", {"p": probs, "shape": [7], "dtype": dt, "n": nsamp, "repl": repl}),
                              ("get_state", {})]))
            probs2 = [((i * 7) % 13) + 0.5 for i in range(2 * 40)]
            cases.append((f"multinomial2d_{dt}_{repl}", [("manual_seed", {"seed": seed()}),
                          ("multinomial", {"p": probs2, "shape": [2, 40], "dtype": dt, "n": 6, "repl": repl})]))
        cases.append((f"multinomial_big_{dt}", [("manual_seed", {"seed": seed()}),
                      ("multinomial", {"p": [1.0] * 50, "shape": [50], "dtype": dt, "n": 1000, "repl": True})]))
    # explicit generators
    cases.append(("generators", [
        ("manual_seed", {"seed": 1}),
        ("gen_new", {"name": "g"}), ("initial_seed", {"gen": "g"}),
        ("rand", {"shape": [5], "dtype": "float32", "gen": "g"}),
        ("randn", {"shape": [3], "dtype": "float64", "gen": "g"}),
        ("rand", {"shape": [5], "dtype": "float32"}),
        ("gen_seed", {"name": "g", "seed": 2**32 + 7}), ("initial_seed", {"gen": "g"}),
        ("randn", {"shape": [20], "dtype": "float32", "gen": "g"}),
        ("randint", {"low": 0, "high": 100, "shape": [6], "dtype": "int64", "gen": "g"}),
        ("randperm", {"n": 12, "dtype": "int64", "gen": "g"}),
        ("get_state", {"gen": "g"}), ("get_state", {}),
        ("gen_seed", {"name": "g", "seed": -5}), ("initial_seed", {"gen": "g"}),
        ("normal_", {"shape": [3], "dtype": "float32", "a": 0.0, "b": 1.0, "gen": "g"}),
        ("get_state", {"gen": "g"}),
    ]))
    # state round trips across calls
    cases.append(("state_round_trip", [
        ("manual_seed", {"seed": 2**63 - 1}), ("get_state", {}),
        ("randn", {"shape": [3], "dtype": "float32"}), ("get_state", {}),
        ("save_state", {"name": "a"}),
        ("rand", {"shape": [700], "dtype": "float64"}), ("get_state", {}),
        ("restore_state", {"name": "a"}), ("get_state", {}), ("initial_seed", {}),
        ("rand", {"shape": [700], "dtype": "float64"}), ("get_state", {}),
    ]))
    # errors
    cases.append(("errors", [
        ("manual_seed", {"seed": 0}),
        ("rand", {"shape": [3], "dtype": "int64"}),
        ("randn", {"shape": [3], "dtype": "int32"}),
        ("randint", {"low": 5, "high": 3, "shape": [3], "dtype": "int64"}),
        ("randint", {"low": 0, "high": 300, "shape": [3], "dtype": "uint8"}),
        ("uniform_", {"shape": [3], "dtype": "float32", "a": 2.0, "b": 1.0}),
        ("normal_", {"shape": [3], "dtype": "float32", "a": 0.0, "b": -1.0}),
        ("bernoulli_s", {"shape": [3], "dtype": "float32", "a": 1.5}),
        ("exponential_", {"shape": [3], "dtype": "float32", "a": 0.0}),
        ("geometric_", {"shape": [3], "dtype": "float32", "a": 1.0}),
        ("cauchy_", {"shape": [3], "dtype": "float32", "a": 0.0, "b": 0.0}),
        ("log_normal_", {"shape": [3], "dtype": "float32", "a": 0.0, "b": 0.0}),
        ("randperm", {"n": 300, "dtype": "int8"}),
        ("random_", {"shape": [3], "dtype": "float32"}),
        ("get_state", {}),
    ]))
    return cases


def run_capability(cap, path):
    import torch
    got = torch.backends.cpu.get_cpu_capability()
    gens = {}
    states = {}
    lines = []

    def dt(name):
        return getattr(torch, name)

    def gen(args):
        return gens[args["gen"]] if "gen" in args else None

    def out_tensor(t):
        t = t.contiguous()
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().tobytes()
            bits = t.view(torch.int16).flatten().tolist()
            bits = ["%04x" % (b & 0xFFFF) for b in bits]
        else:
            arr = t.numpy()
            raw = arr.tobytes()
            w = arr.dtype.itemsize
            if t.dtype == torch.bool:
                bits = ["%02x" % int(x) for x in arr.flatten().tolist()]
            else:
                u = arr.view({1: "u1", 2: "<u2", 4: "<u4", 8: "<u8"}[w]).flatten().tolist()
                bits = ["%0*x" % (2 * w, x) for x in u]
        shape = "x".join(map(str, t.shape)) if t.dim() else "-"
        head = ",".join(bits[:8]) or "-"
        tail = ",".join(bits[-8:]) or "-"
        name = str(t.dtype).replace("torch.", "")
        lines.append(f"out {name} {shape} {t.numel()} {fnv(raw)} {head} {tail}")

    for name, steps in build_cases():
        lines.append(f"case {name}")
        gens.clear()
        for op, a in steps:
            lines.append("op " + op + "".join(f" {k}={fmt_arg(v)}" for k, v in a.items()))
            g = gen(a)
            try:
                if op == "manual_seed":
                    torch.manual_seed(a["seed"])
                    continue
                if op == "gen_new":
                    gens[a["name"]] = torch.Generator()
                    continue
                if op == "gen_seed":
                    gens[a["name"]].manual_seed(a["seed"])
                    continue
                if op == "initial_seed":
                    v = g.initial_seed() if g is not None else torch.initial_seed()
                    lines.append(f"int {v}")
                    continue
                if op == "get_state":
                    s = g.get_state() if g is not None else torch.get_rng_state()
                    lines.append(f"state {fnv(bytes(s.numpy().tobytes()))}")
                    continue
                if op == "save_state":
                    states[a["name"]] = torch.get_rng_state()
                    continue
                if op == "restore_state":
                    torch.set_rng_state(states[a["name"]])
                    continue
                d = dt(a["dtype"]) if "dtype" in a else None
                if op == "rand":
                    r = torch.rand(a["shape"], dtype=d, generator=g)
                elif op == "randn":
                    r = torch.randn(a["shape"], dtype=d, generator=g)
                elif op == "randint":
                    r = torch.randint(a["low"], a["high"], a["shape"], dtype=d, generator=g)
                elif op == "randint1":
                    r = torch.randint(a["high"], a["shape"], dtype=d, generator=g)
                elif op == "randperm":
                    r = torch.randperm(a["n"], dtype=d, generator=g)
                elif op == "rand_like":
                    r = torch.rand_like(torch.zeros(a["shape"], dtype=d))
                elif op == "randn_like":
                    r = torch.randn_like(torch.zeros(a["shape"], dtype=d))
                elif op == "randint_like":
                    r = torch.randint_like(torch.zeros(a["shape"], dtype=d), a["a"], a["b"])
                elif op == "uniform_":
                    r = torch.empty(a["shape"], dtype=d).uniform_(a["a"], a["b"], generator=g)
                elif op == "normal_":
                    r = torch.empty(a["shape"], dtype=d).normal_(a["a"], a["b"], generator=g)
                elif op == "log_normal_":
                    r = torch.empty(a["shape"], dtype=d).log_normal_(a["a"], a["b"], generator=g)
                elif op == "exponential_":
                    r = torch.empty(a["shape"], dtype=d).exponential_(a["a"], generator=g)
                elif op == "cauchy_":
                    r = torch.empty(a["shape"], dtype=d).cauchy_(a["a"], a["b"], generator=g)
                elif op == "geometric_":
                    r = torch.empty(a["shape"], dtype=d).geometric_(a["a"], generator=g)
                elif op == "bernoulli_s":
                    r = torch.empty(a["shape"], dtype=d).bernoulli_(a["a"], generator=g)
                elif op == "random_":
                    r = torch.empty(a["shape"], dtype=d).random_(generator=g)
                elif op == "random_to":
                    r = torch.empty(a["shape"], dtype=d).random_(a["b"], generator=g)
                elif op == "random_from":
                    r = torch.empty(a["shape"], dtype=d).random_(a["a"], None, generator=g)
                elif op == "normal_ss":
                    r = torch.normal(a["a"], a["b"], a["shape"], dtype=d, generator=g)
                elif op == "normal_tt":
                    r = torch.normal(torch.tensor(a["mean"], dtype=d), torch.tensor(a["std"], dtype=d), generator=g)
                elif op == "normal_ts":
                    r = torch.normal(torch.tensor(a["mean"], dtype=d), a["b"], generator=g)
                elif op == "normal_st":
                    r = torch.normal(a["a"], torch.tensor(a["std"], dtype=d), generator=g)
                elif op == "bernoulli_t":
                    r = torch.bernoulli(torch.tensor(a["p"], dtype=d), generator=g)
                elif op == "bernoulli_ip":
                    r = torch.empty(len(a["p"]), dtype=dt(a["self"])).bernoulli_(torch.tensor(a["p"], dtype=d), generator=g)
                elif op == "dropout":
                    r = torch.nn.functional.dropout(torch.tensor(a["x"], dtype=d), a["a"], training=True)
                elif op == "multinomial":
                    p = torch.tensor(a["p"], dtype=d).reshape(a["shape"])
                    r = torch.multinomial(p, a["n"], a["repl"], generator=g)
                else:
                    raise SystemExit(f"unknown op {op}")
                out_tensor(r)
            except (RuntimeError, ValueError, TypeError) as e:
                msg = str(e).split("\n")[0]
                lines.append(f"err {type(e).__name__} {msg}")
        lines.append("end")
    with open(path, "w") as f:
        f.write(f"# torch {torch.__version__} capability {got} (generated by scripts/make_torch_fixtures.py)\n")
        f.write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        run_capability(os.environ.get("ATEN_CPU_CAPABILITY", ""), sys.argv[2])
        return
    os.makedirs(OUT_DIR, exist_ok=True)
    for cap in ["avx2", "default"]:
        env = dict(os.environ, ATEN_CPU_CAPABILITY=cap)
        path = os.path.join(OUT_DIR, f"cpu_{cap}.txt")
        subprocess.run([sys.executable, os.path.abspath(__file__), "--child", path], env=env, check=True)
        print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
