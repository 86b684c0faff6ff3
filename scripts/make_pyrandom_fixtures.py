#!/usr/bin/env python3
"""Regenerate tests/fixtures/pyrandom.json from the real CPython `random` module (and NumPy).

Usage (from the repository root, with CPython 3.11 and numpy installed):

    python scripts/make_pyrandom_fixtures.py

The fixture holds *scripts*: sequences of calls on the module-level generator (`random.xxx`)
or on `random.Random` objects, each with the arguments and the value (or the exception) CPython
returned, so that tests/pyrandom.rs (the Rust API) and the binding's unit tests (the `run`
interpreter) can replay them bit for bit. Values are tagged JSON:

    null -> None, {"bool": b}, {"i": "-0x1f"} (int, hex), {"f": "0x3ff0..."} (float bits),
    {"s": str}, {"b": hex} (bytes), {"l": [...]} (list), {"t": [...]} (tuple),
    {"L": "1f,-2,..."} / {"T": ...} (a long list / tuple of ints, hex), {"range": n} (an
    argument list(range(n))),
    {"obj": "Random"} (a random.Random), {"var": name} (an argument: a value stored earlier),
    {"err": "ValueError: message"} (the call raised).

A step is {"call": "random.name" | "var.name", "args": [...], "kw": {...}, "out": value}, with
optional "repeat": n (the call made n times, "out" the list of results) and "as": name (store
the result, or the argument list "arg0", for later steps); {"check": name, "out": value}
compares a stored value (e.g. a list after shuffle). Every script starts with a fresh module
generator, so each seeds it (or uses explicit Random objects) first.

"skips" records random.Random(seed) after n calls of getrandbits(32) (for the jump-ahead), and
"mt19937_jumps" records NumPy's MT19937.jumped() states (FNV-1a-64 of the key words).
"""

import json
import os
import random
import struct
import sys
import warnings

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                   "pyrandom.json")

warnings.simplefilter("ignore", DeprecationWarning)


class Var:
    def __init__(self, name):
        self.name = name


class Range:
    """An argument `list(range(n))`, stored as {"range": n}."""

    def __init__(self, n):
        self.n = n


def _plain_ints(v):
    return len(v) > 8 and all(type(x) is int for x in v)


def enc(v):
    if v is None:
        return None
    if isinstance(v, Var):
        return {"var": v.name}
    if isinstance(v, Range):
        return {"range": v.n}
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"i": hex(v)}
    if isinstance(v, float):
        return {"f": "0x%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]}
    if isinstance(v, str):
        return {"s": v}
    if isinstance(v, (bytes, bytearray)):
        return {"b": bytes(v).hex()}
    if isinstance(v, (list, tuple)) and _plain_ints(v):
        # Long int sequences compactly: comma-separated hex ("-1f" for negatives).
        text = ",".join(("-%x" % -x) if x < 0 else ("%x" % x) for x in v)
        return {"L" if isinstance(v, list) else "T": text}
    if isinstance(v, list):
        return {"l": [enc(x) for x in v]}
    if isinstance(v, tuple):
        return {"t": [enc(x) for x in v]}
    if isinstance(v, random.Random):
        return {"obj": "Random"}
    raise TypeError(type(v))


class Script:
    def __init__(self, name):
        self.name = name
        self.steps = []
        self.vars = {}

    def _resolve(self, v):
        if isinstance(v, Var):
            return self.vars[v.name]
        if isinstance(v, Range):
            return list(range(v.n))
        if isinstance(v, list):
            return [self._resolve(x) for x in v]
        return v

    def call(self, target, *args, repeat=None, store=None, store_arg0=None, **kw):
        owner, name = target.split(".", 1)
        obj = random if owner == "random" else self.vars[owner]
        fn = getattr(obj, name)
        rargs = [self._resolve(a) for a in args]
        rkw = {k: self._resolve(v) for k, v in kw.items()}
        if store_arg0 is not None:
            self.vars[store_arg0] = rargs[0]
        try:
            if repeat is None:
                out = fn(*rargs, **rkw)
            else:
                out = [fn(*rargs, **rkw) for _ in range(repeat)]
            eout = enc(out)
        except Exception as e:  # noqa: BLE001 - the exception is the expected value
            out = None
            eout = {"err": "%s: %s" % (type(e).__name__, e)}
        step = {"call": target, "args": [enc(a) for a in args], "kw": {k: enc(v) for k, v in kw.items()},
                "out": eout}
        if repeat is not None:
            step["repeat"] = repeat
        if store is not None:
            self.vars[store] = out
            step["as"] = store
        if store_arg0 is not None:
            step["as_arg0"] = store_arg0
        self.steps.append(step)
        return out

    def check(self, name):
        self.steps.append({"check": name, "out": enc(self.vars[name])})

    def dump(self):
        return {"name": self.name, "steps": self.steps}


SEEDS = [0, 1, 42, -5, 2**32 - 1, 2**32, 2**100, -(2**64 + 3), 10**50, True, "hello", "",
         "h\u00e9llo \u2713", b"bytes", b"", 2.5, -1.0, 0.0, 1e300, float("inf"), 5e-324, -0.5]


def basic(seed, with_state):
    s = Script("basic %r" % (seed,))
    s.call("random.seed", seed)
    s.call("random.random", repeat=5)
    for k in [0, 1, 7, 31, 32, 33, 53, 64, 65, 100]:
        s.call("random.getrandbits", k)
    s.call("random.randrange", 10, repeat=5)
    s.call("random.randint", -3, 3, repeat=5)
    s.call("random.choice", ["a", "b", "c", 4, 5.5])
    s.call("random.uniform", 1.5, 4.25)
    s.call("random.gauss", repeat=3)
    s.call("random.normalvariate", 2.0, 0.5)
    s.call("random.expovariate", 1.5)
    s.call("random.sample", list(range(30)), 5)
    s.call("random.choices", "abcdef", k=4)
    if with_state:
        s.call("random.getstate", store="st")
        s.call("random.random")
        s.call("random.setstate", Var("st"))
        s.call("random.random")
    return s


def versions():
    s = Script("seed versions")
    for a in ["hello", "", "h\u00e9llo \u2713", b"abc", b"\xff\x00"]:
        for v in [1, 2]:
            s.call("random.seed", a, v)
            s.call("random.random", repeat=2)
    s.call("random.seed", 12345, version=1)
    s.call("random.random")
    s.call("random.seed", a="hello", version=2)
    s.call("random.random")
    s.call("random.seed", [1, 2])
    s.call("random.seed", (1, 2))
    s.call("random.seed", 1, 2, 3)
    s.call("random.seed", b=1)
    return s


def integers():
    s = Script("integers")
    s.call("random.seed", 2024)
    for k in [127, 128, 129, 255, 256, 1000, 4096, 9999]:
        s.call("random.getrandbits", k)
    s.call("random.getrandbits", -1)
    s.call("random.getrandbits", 2**31)
    s.call("random.getrandbits", 2.0)
    s.call("random.getrandbits")
    s.call("random.getrandbits", k=3)
    s.call("random.getrandbits", True)
    for args in [(1,), (2,), (7,), (2**31,), (2**32,), (2**32 + 1,), (2**64,), (2**64 + 1,),
                 (10**30,), (3, 9), (-10, -2), (0, 100, 7), (100, 0, -7), (5, 6, 3),
                 (10, None), (10, None, 1), (-(2**70), 2**70), (1, 10, True)]:
        s.call("random.randrange", *args, repeat=3)
    for args in [(5.0,), (2.0, 9.0), (0.0, 10.0, 2.0), (True, 5)]:
        s.call("random.randrange", *args)
    for args in [(0,), (-5,), (5, 5), (10, 1), (10, 1, 2), (1, 10, -1), (1, 10, 0),
                 (5.5,), (1, 2.5), (1, 5, 1.5), (float("nan"),), (float("inf"),), (None,),
                 ("5",), ("a",), (10, None, 2), (10, None, True), ()]:
        s.call("random.randrange", *args)
    s.call("random.randrange", 10, step=2)
    s.call("random.randrange", start=3, stop=9)
    for args in [(1, 6), (0, 0), (-100, 100), (2**80, 2**81), (1.0, 3.0), (True, True)]:
        s.call("random.randint", *args, repeat=3)
    for args in [(5, 4), (1.5, 3), (1, 3.5), (1,), (1, "a"), (1, None)]:
        s.call("random.randint", *args)
    s.call("random.randbytes", 0)
    s.call("random.randbytes", 1)
    s.call("random.randbytes", 13)
    s.call("random.randbytes", -1)
    s.call("random.randbytes", 2.0)
    return s


def sequences():
    s = Script("sequences")
    s.call("random.seed", 7)
    for seq in [[1, 2, 3], (1.5, "x", None), "hello", b"bytes", [[1], [2, 3]], ["only"]]:
        s.call("random.choice", seq, repeat=3)
    for seq in [[], (), "", b"", 5, None]:
        s.call("random.choice", seq)
    for n in [0, 1, 2, 10, 100]:
        name = "lst%d" % n
        s.call("random.shuffle", list(range(n)), store_arg0=name)
        s.check(name)
    s.call("random.shuffle", ["a", 1, 2.5, None, (1, 2)], store_arg0="mixed")
    s.check("mixed")
    s.call("random.shuffle", (1,))
    s.call("random.shuffle", (1, 2))
    s.call("random.shuffle", "ab")
    s.call("random.shuffle")
    s.call("random.shuffle", [1], 2)
    # sample: the pool (n <= setsize) and the set algorithms, around the setsize thresholds.
    for n, k in [(0, 0), (5, 0), (5, 5), (21, 3), (22, 3), (40, 5), (40, 6), (45, 6), (85, 6),
                 (86, 6), (86, 7), (100, 10), (1000, 20), (300, 250), (3, 2), (200, 22),
                 (342, 22), (341, 22), (5000, 60)]:
        s.call("random.sample", Range(n), k)
    s.call("random.sample", "abcdefgh", 3)
    s.call("random.sample", b"abcdefgh", 3)
    s.call("random.sample", ("x", "y", "z"), k=2)
    s.call("random.sample", [1, 2], 3)
    s.call("random.sample", [1, 2], -1)
    s.call("random.sample", [1, 2], 1.0)
    s.call("random.sample", [1, 2], 5.0)
    s.call("random.sample", [1, 2])
    s.call("random.sample", 5, 1)
    s.call("random.sample", [1], 1, 2)
    # counts
    for counts, k in [([1, 2, 3], 4), ([4, 2], 5), ([0, 5, 0], 2), ([10**12, 1], 3),
                      ([2**70, 3, 2**65], 4), ([3, -1, 2], 3), ([True, True], 2), ([50, 60], 30)]:
        s.call("random.sample", ["a", "b", "c"][:len(counts)], k, counts=counts)
    for pop, counts, k in [(["a", "b"], [1], 1), (["a", "b"], [1.0, 2.0], 1),
                           (["a", "b"], [0, 0], 1), (["a", "b"], [1, 1], 3), ([], [], 0),
                           (["a", "b"], [1, "x"], 1)]:
        s.call("random.sample", pop, k, counts=counts)
    # choices
    for k in [0, 1, 5, 50]:
        s.call("random.choices", ["r", "g", "b"], k=k)
    s.call("random.choices", "xyz")
    s.call("random.choices", Range(1000), k=20)
    s.call("random.choices", ["r", "g", "b"], [1, 2, 3], k=10)
    s.call("random.choices", ["r", "g", "b"], [0.5, 0.25, 0.25], k=10)
    s.call("random.choices", ["r", "g", "b"], [1, 0.5, 2**60], k=10)
    s.call("random.choices", ["r", "g", "b"], [2**60, 1, 2**60 + 1], k=10)
    s.call("random.choices", ["r", "g", "b"], [5, -2, 1], k=10)
    s.call("random.choices", ["r", "g", "b"], weights=[0, 0, 1], k=3)
    s.call("random.choices", ["r", "g", "b"], cum_weights=[1, 1, 10], k=10)
    s.call("random.choices", ["r", "g", "b"], cum_weights=[0.1, 0.2, 0.3], k=10)
    s.call("random.choices", ["r", "g", "b"], cum_weights=(1, 2, 3), k=3)
    s.call("random.choices", ["r", "g", "b"], cum_weights=[2**80, 2**81, 2**82], k=5)
    s.call("random.choices", [True, False], [3, True], k=4)
    s.call("random.choices", ["r", "g", "b"], k=-1)
    for args, kw in [((["r", "g"], 3), {}), ((["r", "g"], [1]), {}), ((["r", "g"], [0, 0]), {}),
                     ((["r", "g"], [1, float("inf")]), {}), ((["r", "g"], [1, float("nan")]), {}),
                     ((["r"], [1]), {"cum_weights": [1]}), (([], ), {"k": 1}),
                     (([], []), {"k": 1}), ((["r", "g"], [-1, -1]), {}),
                     ((["r"], [1], [1]), {}), ((["r"],), {"k": 2.0}), ((), {}),
                     ((5,), {}), ((["r", "g"], [1, "a"]), {})]:
        s.call("random.choices", *args, **kw)
    return s


def reals():
    s = Script("real distributions")
    s.call("random.seed", 99)
    s.call("random.uniform", 0, 1, repeat=3)
    s.call("random.uniform", -2.5, 7.25)
    s.call("random.uniform", 10, 5)
    s.call("random.uniform", 2**80, 2**80 + 3)
    s.call("random.uniform", 10**20, 10**20 + 1)
    s.call("random.uniform", 2**53 + 1, 2**54 + 1)
    s.call("random.uniform", True, 3)
    s.call("random.uniform", 1e308, -1e308)
    s.call("random.uniform", 1, "a")
    s.call("random.uniform", 1)
    s.call("random.triangular", repeat=3)
    s.call("random.triangular", 0, 10, repeat=3)
    s.call("random.triangular", 0.0, 10.0, 2.5, repeat=5)
    s.call("random.triangular", 1, 7, 2, repeat=5)
    s.call("random.triangular", 5, 5, 5)
    s.call("random.triangular", 5, 5)
    s.call("random.triangular", 5.0, 5.0, 3.0)
    s.call("random.triangular", 3, 1, 2, repeat=3)
    s.call("random.triangular", 0, 10, 20, repeat=3)
    s.call("random.triangular", 0, 10, -5, repeat=3)
    s.call("random.triangular", 2**60 + 1, 2**61 + 3, 2**60 + 7, repeat=3)
    s.call("random.triangular", low=1.0, high=2.0, mode=1.25)
    s.call("random.normalvariate", repeat=3)
    s.call("random.normalvariate", 100, 15, repeat=3)
    s.call("random.normalvariate", mu=-1.0, sigma=0.001)
    s.call("random.lognormvariate", 0.0, 1.0, repeat=3)
    s.call("random.lognormvariate", 800.0, 1.0)
    s.call("random.expovariate", 1, repeat=3)
    s.call("random.expovariate", -0.5)
    s.call("random.expovariate", 0)
    s.call("random.expovariate")
    s.call("random.vonmisesvariate", 0.0, 0.0, repeat=2)
    s.call("random.vonmisesvariate", 1.0, 4.0, repeat=5)
    s.call("random.vonmisesvariate", -3.0, 0.5, repeat=5)
    s.call("random.vonmisesvariate", 10, 1000, repeat=3)
    for a, b in [(0.5, 1.0), (0.01, 2.0), (1.0, 3.0), (1, 1), (2.5, 1.0), (50.0, 0.5),
                 (1e6, 1.0), (0.999, 1.0)]:
        s.call("random.gammavariate", a, b, repeat=4)
    s.call("random.gammavariate", 0.0, 1.0)
    s.call("random.gammavariate", 1.0, -1.0)
    for a, b in [(0.5, 0.5), (2.0, 5.0), (1.0, 1.0), (0.1, 10.0)]:
        s.call("random.betavariate", a, b, repeat=4)
    s.call("random.paretovariate", 1.5, repeat=4)
    s.call("random.paretovariate", 0.001, repeat=30)
    s.call("random.paretovariate", 0)
    s.call("random.weibullvariate", 1.0, 1.5, repeat=4)
    s.call("random.weibullvariate", 2, 0.25, repeat=4)
    s.call("random.weibullvariate", 1.0, 0)
    s.call("random.weibullvariate", 1.0, -2.0, repeat=4)
    s.call("random.gauss", 1, 2, repeat=3)
    s.call("random.gauss", mu=5.0, sigma=0.1)
    s.call("random.gauss", 1, 2, 3)
    s.call("random.random", 1)
    s.call("random.random", x=1)
    return s


def gauss_cache():
    s = Script("gauss cache and state")
    s.call("random.seed", 314)
    s.call("random.gauss")
    s.call("random.getstate", store="st1")   # gauss_next is set here
    s.call("random.gauss", repeat=3)
    s.call("random.setstate", Var("st1"))
    s.call("random.gauss", repeat=3)
    s.call("random.setstate", Var("st1"))
    s.call("random.seed", 314)               # seeding clears gauss_next
    s.call("random.gauss", repeat=2)
    s.call("random.gauss")
    s.call("random.seed", 314)
    s.call("random.gauss")
    s.call("random.random")
    s.call("random.gauss")                   # the cached value, unaffected by random()
    # State tuples built by hand: version 3 with a pos of 0 and 624, version 2, and errors.
    key = tuple((i * 2654435761) & 0xffffffff for i in range(624))
    for pos in [0, 1, 624]:
        s.call("random.setstate", (3, key + (pos,), None))
        s.call("random.random", repeat=2)
        s.call("random.getstate")
    s.call("random.setstate", (3, key + (5,), 0.25))
    s.call("random.gauss", repeat=2)
    s.call("random.setstate", (2, tuple(-(i + 1) for i in range(624)) + (624,), None))
    s.call("random.random", repeat=2)
    s.call("random.setstate", (3, tuple(2**40 + i for i in range(624)) + (624,), None))
    s.call("random.random", repeat=2)
    zeros = (0,) * 624
    for bad in [(3, zeros + (625,), None), (3, zeros, None), (4, (1,), None),
                (3, [1], None), (3, (-1,) + zeros, None), (3, (1.0,) + zeros, None),
                (3, zeros + (-1,), None), (3, zeros + (2**64,), None),
                (3, (2**64,) + zeros, None), (3, (1,)), (3, (1,), None, 4), (1, (1,), None),
                5, None]:
        s.call("random.setstate", bad)
    s.call("random.setstate")
    s.call("random.getstate", 1)
    return s


def objects():
    s = Script("Random objects")
    s.call("random.Random", 5, store="r")
    s.call("random.Random", "abc", store="q")
    s.call("random.Random", x=5, store="p")
    s.call("random.Random", 1, 2)
    s.call("random.Random", 1, x=2)
    s.call("r.random", repeat=3)
    s.call("q.random", repeat=3)
    s.call("p.random", repeat=3)
    s.call("r.gauss", repeat=3)
    s.call("r.randint", 1, 6, repeat=4)
    s.call("r.choice", ["x", "y", "z"])
    s.call("r.sample", list(range(50)), 7)
    s.call("r.choices", [1, 2, 3], [1, 1, 5], k=6)
    s.call("r.shuffle", list(range(20)), store_arg0="rl")
    s.check("rl")
    s.call("r.getstate", store="rst")
    s.call("q.setstate", Var("rst"))
    s.call("q.random", repeat=3)
    s.call("r.random", repeat=3)
    s.call("r.seed", 6)
    s.call("r.random")
    s.call("r.seed", "x", version=1)
    s.call("r.random")
    s.call("r.getrandbits", 70)
    s.call("r.randrange", 1, 2**100, 3)
    s.call("r.uniform", 0, 1)
    s.call("r.randint", 1)
    s.call("r.random", 1)
    s.call("r.getrandbits")
    s.call("r.getrandbits", 1, 2)
    s.call("r.randint", 1, 2, 3, c=1)
    s.call("r.randint", 1, 2, a=1)
    s.call("r.sample", [1], 1, 2, counts=[1])
    s.call("r.choices", [1], [1], [1], k=1)
    s.call("r.triangular", 1, 2, 3, 4)
    s.call("r.seed", a=1, b=2)
    # The module generator is independent of the objects.
    s.call("random.seed", 5)
    s.call("random.random")
    s.call("r.seed", None)
    s.call("random.random")
    return s


def skips():
    out = []
    for seed in [7, 2**40 + 1, "skip"]:
        for n in [0, 1, 2, 623, 624, 625, 1248, 100003, 1000003]:
            r = random.Random(seed)
            for _ in range(n):
                r.getrandbits(32)
            out.append({"seed": enc(seed), "n": n,
                        "next": [r.getrandbits(32) for _ in range(5)]})
    return out


def fnv(words):
    h = 0xcbf29ce484222325
    for w in words:
        for b in int(w).to_bytes(4, "little"):
            h ^= b
            h = (h * 0x100000001b3) & ((1 << 64) - 1)
    return h


def mt19937_jumps():
    from numpy.random import MT19937, RandomState
    out = []
    for kind, seed in [("legacy", 5), ("legacy", 123456789), ("seedseq", 0), ("seedseq", 42)]:
        for pre in [0, 1, 5, 623, 624, 1000]:
            for jumps in [1, 2, 3]:
                if kind == "legacy":
                    bg = RandomState(seed)._bit_generator
                else:
                    bg = MT19937(seed)
                if pre:
                    bg.random_raw(pre)
                j = bg.jumped(jumps)
                st = j.state["state"]
                out.append({"kind": kind, "seed": seed, "pre": pre, "jumps": jumps,
                            "key_fnv": hex(fnv(st["key"])), "pos": int(st["pos"]),
                            "next": [int(x) for x in j.random_raw(5)]})
    return out


def digests():
    import hashlib
    return [{"data": d.hex(), "sha512": hashlib.sha512(d).hexdigest()}
            for d in [b"", b"abc", b"a" * 111, b"a" * 112, b"a" * 239, bytes(range(256)) * 3]]


def main():
    scripts = [basic(seed, seed in (0, "hello", 2.5)).dump() for seed in SEEDS]
    scripts += [s.dump() for s in [versions(), integers(), sequences(), reals(), gauss_cache(),
                                    objects()]]
    data = {
        "generator": "scripts/make_pyrandom_fixtures.py",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scripts": scripts,
        "skips": skips(),
        "mt19937_jumps": mt19937_jumps(),
        "sha512": digests(),
    }
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    n = sum(len(s["steps"]) for s in scripts)
    print("wrote %s: %d scripts, %d steps, %d skips, %d jumps" % (
        os.path.normpath(OUT), len(scripts), n, len(data["skips"]), len(data["mt19937_jumps"])))


if __name__ == "__main__":
    main()
