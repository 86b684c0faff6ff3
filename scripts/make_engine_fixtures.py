#!/usr/bin/env python3
"""Regenerate tests/fixtures/numpy_raw/*.json from the real NumPy.

Usage (from the repository root, with numpy installed):

    python scripts/make_engine_fixtures.py

The files hold, for every bit generator and seed, the first/last few values of long streams
plus an FNV-1a-64 hash of the whole stream (each value hashed as 8 little-endian bytes;
doubles/floats by their bit patterns), so that tests/engines.rs can check thousands of draws
while the fixtures stay small. Big integers are written as hex strings.
"""

import json
import os
import struct

import numpy as np
from numpy.random import (MT19937, PCG64, PCG64DXSM, SFC64, Generator, Philox,
                          RandomState, SeedSequence)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                   "fixtures", "numpy_raw")
N = 2000        # length of the long streams
N_OPS = 600     # length of the mixed-draw sequence
HEAD_RAW = 4
HEAD = 2

FNV_OFFSET = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3
M64 = (1 << 64) - 1


def fnv(values):
    h = FNV_OFFSET
    for v in values:
        for b in int(v).to_bytes(8, "little"):
            h ^= b
            h = (h * FNV_PRIME) & M64
    return h


def hx(v):
    return hex(int(v))


def summary(values, head):
    values = [int(v) for v in values]
    out = {"n": len(values), "first": [hx(v) for v in values[:head]], "fnv": hx(fnv(values))}
    if head > HEAD:
        out["last"] = [hx(v) for v in values[-head:]]
    return out


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def f32_bits(x):
    return int(np.float32(x).view(np.uint32))


# Entropy specs: how tests/engines.rs rebuilds the SeedSequence.
# "int": one integer; "list": a list of integers; "spawn": [[n, idx], ...] applied in order
# (ss = ss.spawn(n)[idx]); "pool_size" optional.
SEEDS = {
    "int_0": {"int": 0},
    "int_42": {"int": 42},
    "int_2p32m1": {"int": 2**32 - 1},
    "int_2p64p5": {"int": 2**64 + 5},
    "int_2p100": {"int": 2**100},
    "list_1_2_3": {"list": [1, 2, 3]},
    "list_empty": {"list": []},
    "spawn_42_1": {"int": 42, "spawn": [[2, 1]]},
    "spawn_7_2_0": {"int": 7, "spawn": [[3, 2], [1, 0]]},
}


def make_ss(spec):
    ent = spec["int"] if "int" in spec else list(spec["list"])
    ss = SeedSequence(ent, pool_size=spec.get("pool_size", 4))
    for n, idx in spec.get("spawn", []):
        ss = ss.spawn(n)[idx]
    return ss


def json_spec(spec):
    out = dict(spec)
    if "int" in out:
        out["int"] = hx(out["int"])
    if "list" in out:
        out["list"] = [hx(v) for v in out["list"]]
    return out


def op_code(i):
    """Mixed-draw op for step i: 0=u32, 1=u64, 2=double, 3=float32, 4=raw."""
    return (i * i + 3 * i + i // 7) % 5


def mixed_ops(gen):
    bg = gen.bit_generator
    vals = []
    for i in range(N_OPS):
        op = op_code(i)
        if op == 0:
            vals.append(int(gen.integers(0, 2**32, dtype=np.uint32)))
        elif op == 1:
            vals.append(int(gen.integers(0, 2**64, dtype=np.uint64)))
        elif op == 2:
            vals.append(f64_bits(gen.random()))
        elif op == 3:
            vals.append(f32_bits(gen.random(dtype=np.float32)))
        else:
            vals.append(int(bg.random_raw()))
    return vals


def state_json(bg):
    st = bg.state
    name = st["bit_generator"]
    if name == "MT19937":
        key = [int(k) for k in st["state"]["key"]]
        return {"pos": st["state"]["pos"], "key_first": [hx(k) for k in key[:4]],
                "key_fnv": hx(fnv(key))}
    if name in ("PCG64", "PCG64DXSM"):
        return {"state": hx(st["state"]["state"]), "inc": hx(st["state"]["inc"]),
                "has_uint32": int(st["has_uint32"]), "uinteger": hx(st["uinteger"])}
    if name == "Philox":
        return {"counter": [hx(v) for v in st["state"]["counter"]],
                "key": [hx(v) for v in st["state"]["key"]],
                "buffer": [hx(v) for v in st["buffer"]], "buffer_pos": int(st["buffer_pos"]),
                "has_uint32": int(st["has_uint32"]), "uinteger": hx(st["uinteger"])}
    if name == "SFC64":
        return {"state": [hx(v) for v in st["state"]["state"]],
                "has_uint32": int(st["has_uint32"]), "uinteger": hx(st["uinteger"])}
    raise ValueError(name)


def streams(cls, spec):
    """All seed-dependent streams of one bit generator class."""
    case = {"seed": json_spec(spec)}
    bg = cls(make_ss(spec))
    case["init_state"] = state_json(bg)
    case["raw"] = summary(bg.random_raw(N), HEAD_RAW)
    case["u64"] = summary(Generator(cls(make_ss(spec))).integers(
        0, 2**64, dtype=np.uint64, size=N), HEAD)
    case["u32"] = summary(Generator(cls(make_ss(spec))).integers(
        0, 2**32, dtype=np.uint32, size=N), HEAD)
    case["double"] = summary([f64_bits(x) for x in Generator(cls(make_ss(spec))).random(N)],
                             HEAD)
    gen = Generator(cls(make_ss(spec)))
    case["mixed"] = summary(mixed_ops(gen), HEAD)
    case["mixed_end_state"] = state_json(gen.bit_generator)
    return case


def after(bg, n=3):
    """State of bg, then its next n raw outputs (consumed from bg)."""
    st = state_json(bg)
    return {"state": st, "next_raw": [hx(v) for v in bg.random_raw(n)]}


def pre_draws(bg, draws, u32_first):
    """Prepare bg: `draws` raw draws, then optionally one buffered uint32 draw."""
    if draws:
        bg.random_raw(draws)
    if u32_first:
        Generator(bg).integers(0, 2**32, dtype=np.uint32)
    return bg


def jump_cases(cls, seeds, preps, jumps, advances):
    out = []
    for s in seeds:
        for draws, u32_first in preps:
            for j in jumps:
                bg = pre_draws(cls(s), draws, u32_first)
                out.append({"seed": hx(s), "draws": draws, "u32_first": u32_first,
                            "jumps": j, **after(bg.jumped(j))})
            for d in advances:
                bg = pre_draws(cls(s), draws, u32_first)
                bg.advance(d)
                out.append({"seed": hx(s), "draws": draws, "u32_first": u32_first,
                            "advance": ("-" + hx(-d)) if d < 0 else hx(d), **after(bg)})
    return out


def mt_extra():
    legacy = {}
    for s in [0, 42, 2**32 - 1, 5489]:
        rs = RandomState(s)
        legacy[f"int_{s}"] = {"seed": hx(s), "raw": summary(rs._bit_generator.random_raw(N),
                                                          HEAD_RAW)}
    for name, key in [("arr_1_2_3", [1, 2, 3]), ("arr_0", [0]),
                      ("arr_range700", list(range(700))), ("arr_max5", [2**32 - 1] * 5)]:
        rs = RandomState(key)
        legacy[name] = {"key": [hx(k) for k in key] if len(key) < 10 else
                        {"range": len(key)},
                        "state": state_json(rs._bit_generator),
                        "raw": summary(rs._bit_generator.random_raw(N), HEAD_RAW)}
    # Jumps from every interesting pos: SeedSequence-seeded (pos 623) after d draws, and
    # legacy-seeded (pos 624).
    jumps = []
    for s in [0, 42]:
        # draws 0, 1, 3, 76, 400 leave pos at 623, 624, 2, 75, 399
        for draws, j in [(0, 1), (1, 1), (3, 3), (76, 1), (400, 2)]:
            bg = MT19937(s)
            if draws:
                bg.random_raw(draws)
            pos_before = bg.state["state"]["pos"]
            jumps.append({"seed": hx(s), "draws": draws, "pos_before": pos_before,
                          "jumps": j, **after(bg.jumped(j))})
        rs = RandomState(s)
        jumps.append({"legacy_seed": hx(s), "draws": 0, "pos_before": 624, "jumps": 1,
                      **after(rs._bit_generator.jumped(1))})
    return {"legacy": legacy, "jumps": jumps}


def seed_sequence_cases():
    cases = {}
    specs = dict(SEEDS)
    specs["int_12345_pool8"] = {"int": 12345, "pool_size": 8}
    specs["list_big"] = {"list": [1, 2**40, 0, 2**64 - 1]}
    specs["list_long"] = {"list": list(range(11))}
    specs["list_empty_spawn"] = {"list": [], "spawn": [[1, 0]]}
    specs["int_2p100_pool5_spawn"] = {"int": 2**100, "pool_size": 5, "spawn": [[4, 3]]}
    for name, spec in specs.items():
        ss = make_ss(spec)
        cases[name] = {
            "seed": json_spec(spec),
            "spawn_key": [hx(k) for k in ss.spawn_key],
            "pool": [hx(v) for v in ss.pool],
            "u32": [hx(v) for v in ss.generate_state(9)],
            "u64": [hx(v) for v in ss.generate_state(3, np.uint64)],
            "u32_long": summary(ss.generate_state(N), HEAD),
        }
    # spawn bookkeeping: two spawn calls continue the child index
    ss = SeedSequence(99)
    a = ss.spawn(2)
    b = ss.spawn(1)
    cases["spawn_twice"] = {
        "n_children_spawned": ss.n_children_spawned,
        "children_pools": [[hx(v) for v in c.pool] for c in a + b],
        "grandchild_pool": [hx(v) for v in b[0].spawn(3)[2].pool],
    }
    return cases


def errors():
    out = {}
    classes = {"MT19937": MT19937, "PCG64": PCG64, "PCG64DXSM": PCG64DXSM,
               "Philox": Philox, "SFC64": SFC64}
    for name, cls in classes.items():
        bg = cls(0)
        other = PCG64(0) if name != "PCG64" else MT19937(0)
        entry = {}
        try:
            bg.state = other.state
        except ValueError as e:
            entry["wrong_state"] = str(e)
        for attr in ["advance", "jumped"]:
            try:
                getattr(bg, attr)
            except AttributeError as e:
                entry["no_" + attr] = str(e)
        out[name] = entry
    try:
        RandomState(0)._bit_generator.spawn(1)
    except TypeError as e:
        out["spawn_without_seed_seq"] = str(e)
    return out


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        if isinstance(obj, dict):
            f.write("{\n")
            items = list(obj.items())
            for i, (k, v) in enumerate(items):
                sep = "," if i + 1 < len(items) else ""
                f.write(f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}{sep}\n")
            f.write("}\n")
        else:
            json.dump(obj, f)
    print(path, os.path.getsize(path))


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {"numpy": np.__version__, "n": N, "n_ops": N_OPS}
    write("seed_sequence.json", {"meta": meta, **seed_sequence_cases(), "errors": errors()})
    for fname, cls in [("mt19937.json", MT19937), ("pcg64.json", PCG64),
                       ("pcg64dxsm.json", PCG64DXSM), ("philox.json", Philox),
                       ("sfc64.json", SFC64)]:
        obj = {"meta": meta}
        for sname, spec in SEEDS.items():
            obj[sname] = streams(cls, spec)
        if cls is MT19937:
            obj.update(mt_extra())
        elif cls in (PCG64, PCG64DXSM):
            obj["jumps"] = jump_cases(cls, [42], [(0, False), (5, True)], [1, 5],
                                      [12345, -1, 2**130 + 7, 0])
        elif cls is Philox:
            obj["jumps"] = jump_cases(cls, [42], [(2, False), (5, True)],
                                      [1, 4], [5, 2**200 + 3, -1])
        write(fname, obj)


if __name__ == "__main__":
    main()
