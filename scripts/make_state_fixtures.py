#!/usr/bin/env python3
"""Regenerate tests/fixtures/state/ from the real NumPy and torch (CPU).

Usage (from the repository root, with numpy and torch installed):

    python scripts/make_state_fixtures.py

What it writes (read by tests/state.rs):

* ``np_*.json``: NumPy states taken mid-stream (legacy ``RandomState.get_state(legacy=False)``
  and every ``bit_generator.state``), in seedbridge's JSON state format, written exactly the way
  ``seedbridge`` writes them (``json.dumps`` defaults, keys in NumPy's order, one trailing
  newline), and checked here to load back into NumPy.
* ``torch_*.bin``: ``torch.get_rng_state()`` blobs (5056 bytes) taken mid-stream;
  ``torch_*.json``: one of them in the JSON format (hex bytes).
* ``cuda_*.bin`` / ``cuda_*.json``: torch CUDA states (16 bytes). There is no GPU here: the
  layout comes from the torch source (``CUDAGeneratorImpl::get_state``: the 64-bit seed, then
  ``philox_offset_per_thread`` as int64, both little-endian).
* ``cases.json``: per state, its next raw outputs (NumPy: ``random_raw``; torch: int32
  ``random_()``, which returns each 32-bit word modulo 2^31), the states ``random_raw(n)`` /
  ``n`` torch draws lead to (FNV-1a-64 of the JSON text or of the blob), the states
  ``jumped(k)`` gives, and the expected NumPy legacy <-> torch CPU conversions.

The conversion rules are implemented here a second time, independently of src/state.rs, and
checked against the real libraries: a NumPy state converted to torch must make torch produce
NumPy's next words and reach the state NumPy reaches, and the reverse.
"""

import json
import os
import struct

import numpy as np
import torch
from numpy.random import MT19937, PCG64, PCG64DXSM, SFC64, Generator, Philox, RandomState

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                   "state")
N_WORDS = 1000
HEAD = 4
DEFAULT_TORCH_SEED = 67280421310721  # c10::default_rng_seed_val
N = 624
M = 397
M32 = 0xFFFFFFFF
UPPER = 0x80000000
LOWER = 0x7FFFFFFF
MATRIX_A = 0x9908B0DF

FNV_OFFSET = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3
M64 = (1 << 64) - 1


def fnv_bytes(data):
    h = FNV_OFFSET
    for b in data:
        h ^= b
        h = (h * FNV_PRIME) & M64
    return h


def fnv_words(values):
    return fnv_bytes(b"".join(int(v).to_bytes(8, "little") for v in values))


def summary(values):
    values = [int(v) for v in values]
    return {"n": len(values), "first": values[:HEAD], "last": values[-HEAD:],
            "fnv": hex(fnv_words(values))}


# ---------------------------------------------------------------------------------------------
# The JSON state format

def plain(x):
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, np.ndarray):
        return [int(v) for v in x.tolist()]
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return int(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x)
    return x


def doc(kind, state, torch_seed=None):
    d = {"format": "seedbridge-state", "version": 1, "kind": kind}
    if torch_seed is not None:
        d["torch_seed"] = torch_seed
    d["state"] = state
    return json.dumps(d) + "\n"


def legacy_doc(rs, torch_seed=None):
    return doc("numpy-legacy", plain(rs.get_state(legacy=False)), torch_seed)


def bitgen_doc(bg):
    return doc("numpy-bitgen", plain(bg.state))


def write(name, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(OUT, name), mode) as f:
        f.write(data)
    return name


# ---------------------------------------------------------------------------------------------
# MT19937 helpers and the NumPy legacy <-> torch CPU mapping (mirrors src/state.rs)

def knuth(seed):
    k = [seed & M32]
    for i in range(1, N):
        p = k[-1]
        k.append((1812433253 * (p ^ (p >> 30)) + i) & M32)
    return k


def twist(key):
    k = list(key)
    for i in range(N):
        y = (k[i] & UPPER) | (k[(i + 1) % N] & LOWER)
        k[i] = k[(i + M) % N] ^ (y >> 1) ^ (MATRIX_A if y & 1 else 0)
    return k


def untwist(key):
    """A state whose twist is `key` (low 31 bits of word 0 zero), or None."""
    old = [0] * N
    for i in range(N - 1, -1, -1):
        far = old[i + M] if i + M < N else key[i + M - N]
        t = key[i] ^ far
        odd = t >> 31
        y = (((t ^ (MATRIX_A if odd else 0)) << 1) | odd) & M32
        old[i] |= y & UPPER
        if i < N - 1:
            old[i + 1] |= y & LOWER
    return old if twist(old) == list(key) else None


INV_KNUTH = pow(1812433253, -1, 1 << 32)


def seed_of_fill(key):
    """s if key is init_genrand(s)'s fill (word 0 compared on its top bit only)."""
    x = ((key[1] - 1) * INV_KNUTH) & M32
    s = x ^ (x >> 30)
    k = knuth(s)
    if k[1:] == list(key[1:]) and (k[0] & UPPER) == (key[0] & UPPER):
        return s
    return None


def infer_seed(key):
    s = seed_of_fill(key)
    if s is None:
        old = untwist(key)
        if old is not None:
            s = seed_of_fill(old)
    return s


def np_to_torch(key, pos, seed=None):
    key = [int(k) for k in key]
    if pos == 0:
        key, pos = untwist(key), N
    if seed is None:
        seed = infer_seed(key)
        if seed is None:
            seed = DEFAULT_TORCH_SEED
    if pos == N:
        left, nxt = 1, (0 if key == knuth(seed & M32) else N)
    else:
        left, nxt = N + 1 - pos, pos
    blob = struct.pack("<QiiQ", seed, left, 1, nxt) + struct.pack("<624Q", *key) + bytes(40)
    assert len(blob) == 5056
    return blob


def torch_fields(blob):
    seed, left, seeded, nxt = struct.unpack_from("<QiiQ", blob, 0)
    key = [w & M32 for w in struct.unpack_from("<624Q", blob, 24)]
    return seed, left, seeded, nxt, key


def torch_to_np(blob):
    """(legacy state dict, torch_seed to record: None when it is the default seed)."""
    seed, left, _, nxt, key = torch_fields(blob)
    if left == 1:
        pos = N
    else:
        assert nxt + left == N + 1
        pos = nxt
    st = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}, "has_gauss": 0,
          "gauss": 0.0}
    default = infer_seed(key)
    if default is None:
        default = DEFAULT_TORCH_SEED
    return st, (None if default == seed else seed)


def torch_words(blob, n):
    """The next n 32-bit words of torch's CPU generator, modulo 2^31 (int32 random_())."""
    g = torch.Generator()
    g.set_state(torch.frombuffer(bytearray(blob), dtype=torch.uint8))
    w = torch.empty(n, dtype=torch.int32).random_(generator=g)
    return [int(v) for v in w.tolist()], bytes(g.get_state().numpy().tobytes())


def torch_blob(g):
    return bytes(g.get_state().numpy().tobytes())


# ---------------------------------------------------------------------------------------------
# Cases

def numpy_legacy_cases():
    def seeded(seed, *calls):
        rs = RandomState(seed)
        for c in calls:
            c(rs)
        return rs

    cases = [
        ("seed0_fresh", 0, seeded(0), "RandomState(0)"),
        ("seed42_rand10", 42, seeded(42, lambda r: r.rand(10)), "RandomState(42).rand(10)"),
        ("seed1_randn3", 1, seeded(1, lambda r: r.randn(3)),
         "RandomState(1).randn(3) (gauss cached)"),
        ("seed7_raw624", 7, seeded(7, lambda r: r._bit_generator.random_raw(624)),
         "RandomState(7): 624 raw words (pos 624 after a twist)"),
        ("arr123_rand500", None, seeded([1, 2, 3], lambda r: r.rand(500), lambda r: r.randint(5)),
         "RandomState([1, 2, 3]).rand(500); randint(5)"),
        ("seed2p32m1_rand1000", 2**32 - 1, seeded(2**32 - 1, lambda r: r.random_sample(1000)),
         "RandomState(2**32-1).random_sample(1000)"),
    ]
    # pos = 0: the same stream as (K, 624), stored as (twist(K), 0).
    rs = seeded(11, lambda r: r._bit_generator.random_raw(1248))
    st = rs.get_state(legacy=False)
    st0 = {"bit_generator": "MT19937",
           "state": {"key": np.array(twist([int(k) for k in st["state"]["key"]]),
                                     dtype=np.uint32), "pos": 0},
           "has_gauss": 0, "gauss": 0.0}
    rs0 = RandomState(0)
    rs0.set_state(st0)
    cases.append(("seed11_pos0", None, rs0, "RandomState(11): 1248 raw words, as pos 0"))

    out = []
    for name, seed, rs, calls in cases:
        text = legacy_doc(rs)
        fname = write(f"np_legacy_{name}.json", text)
        st = plain(rs.get_state(legacy=False))
        # The JSON loads back into NumPy.
        chk = RandomState(0)
        chk.set_state(json.loads(text)["state"])
        assert plain(chk.get_state(legacy=False)) == st
        words = rs._bit_generator.random_raw(N_WORDS)
        # The documented conversion, checked with the real torch.
        key, pos = st["state"]["key"], st["state"]["pos"]
        blob = np_to_torch(key, pos)
        seed_used = struct.unpack_from("<Q", blob, 0)[0]
        if seed is not None and name != "seed2p32m1_rand1000":
            assert seed_used == seed, (name, seed_used)
        tw, tblob_after = torch_words(blob, N_WORDS)
        assert tw == [int(w) & LOWER for w in words], name
        after = plain(rs.get_state(legacy=False))
        assert tblob_after == np_to_torch(after["state"]["key"], after["state"]["pos"],
                                          seed_used), name
        # Round trip NumPy -> torch -> NumPy is byte-identical except for pos 0 and the cache.
        back, tseed = torch_to_np(blob)
        assert tseed is None
        if pos != 0 and not st["has_gauss"]:
            assert doc("numpy-legacy", back) == text, name
        advanced = []
        for n in [1, 623, 624, 1000, 100003, 1000007]:
            r = RandomState(0)
            r.set_state(rs_state_from(st))
            r._bit_generator.random_raw(n)
            advanced.append({"n": n, "fnv": hex(fnv_bytes(legacy_doc(r).encode()))})
        out.append({
            "name": name, "calls": calls, "file": fname, "pos": pos,
            "has_gauss": st["has_gauss"], "next_raw": summary(words),
            "torch": {"seed": seed_used, "left": struct.unpack_from("<i", blob, 8)[0],
                      "next": struct.unpack_from("<Q", blob, 16)[0],
                      "fnv": hex(fnv_bytes(blob))},
            "advanced": advanced,
        })
    return out


def rs_state_from(st):
    return {"bit_generator": st["bit_generator"],
            "state": {"key": np.array(st["state"]["key"], dtype=np.uint32),
                      "pos": st["state"]["pos"]},
            "has_gauss": st["has_gauss"], "gauss": st["gauss"]}


def numpy_legacy_other():
    """A RandomState around a non-MT19937 bit generator (JSON only; no torch counterpart)."""
    rs = RandomState(PCG64(5))
    rs.standard_normal(3)
    text = legacy_doc(rs)
    chk = RandomState(PCG64())
    chk.set_state(json.loads(text)["state"])
    assert plain(chk.get_state(legacy=False)) == plain(rs.get_state(legacy=False))
    return {"name": "pcg64_seed5_normal3", "file": write("np_legacy_pcg64_seed5_normal3.json",
                                                        text),
            "next_raw": summary(rs._bit_generator.random_raw(N_WORDS))}


def load_bitgen(st):
    bg = getattr(np.random, st["bit_generator"])()
    bg.state = st
    return bg


def numpy_bitgen_cases():
    def prep(bg):
        g = Generator(bg)
        g.random(3)
        g.integers(0, 10, dtype=np.uint32)  # leaves a pending uint32 on 64-bit engines
        g.standard_normal(2)
        return bg

    cases = [(cls.__name__.lower() + "_seed7", prep(cls(7))) for cls in
             [MT19937, PCG64, PCG64DXSM, Philox, SFC64]]
    ph = Philox(9)
    ph.random_raw(5)  # buffer_pos 1
    cases.append(("philox_seed9_raw5", ph))
    cases.append(("mt19937_seed3_jumped", MT19937(3).jumped()))
    out = []
    for name, bg in cases:
        text = bitgen_doc(bg)
        fname = write(f"np_{name}.json", text)
        st = plain(bg.state)
        assert plain(load_bitgen(json.loads(text)["state"]).state) == st
        words = load_bitgen(json.loads(text)["state"]).random_raw(N_WORDS)
        advanced = []
        for n in [1, 3, 5, 1000, 100003]:
            b = load_bitgen(json.loads(text)["state"])
            b.random_raw(n)
            advanced.append({"n": n, "fnv": hex(fnv_bytes(bitgen_doc(b).encode()))})
        jumped = []
        if st["bit_generator"] != "SFC64":
            for k in [1, 3]:
                b = load_bitgen(json.loads(text)["state"]).jumped(k)
                jumped.append({"jumps": k, "fnv": hex(fnv_bytes(bitgen_doc(b).encode()))})
        case = {"name": name, "file": fname, "bit_generator": st["bit_generator"],
                "next_raw": summary(words), "advanced": advanced, "jumped": jumped}
        if st["bit_generator"] == "MT19937":
            blob = np_to_torch(st["state"]["key"], st["state"]["pos"])
            tw, _ = torch_words(blob, N_WORDS)
            assert tw == [int(w) & LOWER for w in words], name
            case["torch"] = {"seed": struct.unpack_from("<Q", blob, 0)[0],
                             "fnv": hex(fnv_bytes(blob))}
        out.append(case)
    return out


def numpy_bitgen_fresh():
    """Freshly seeded bit generators (``X(seed)``, i.e. through SeedSequence(seed))."""
    out = []
    for cls in [MT19937, PCG64, PCG64DXSM, Philox, SFC64]:
        for seed in [7, 2**70 + 3]:
            out.append({"bit_generator": cls.__name__, "seed": str(seed),
                        "fnv": hex(fnv_bytes(bitgen_doc(cls(seed)).encode()))})
    return out


def torch_cases():
    def gen(seed):
        g = torch.Generator()
        if seed is not None:
            g.manual_seed(seed)
        return g

    def run(seed, f):
        g = gen(seed)
        f(g)
        return g

    cases = [
        ("seed123_fresh", run(123, lambda g: None), "manual_seed(123)"),
        ("seed42_rand10", run(42, lambda g: torch.rand(10, generator=g)),
         "manual_seed(42); rand(10)"),
        ("seed7_randn3_f64", run(7, lambda g: torch.randn(3, generator=g, dtype=torch.float64)),
         "manual_seed(7); randn(3, float64) (double normal cached)"),
        ("seed2p40p5_int700", run(2**40 + 5, lambda g: torch.empty(700, dtype=torch.int32)
                                  .random_(generator=g)),
         "manual_seed(2**40+5); 700 int32 random_()"),
        ("seed9_int624", run(9, lambda g: torch.empty(624, dtype=torch.int32)
                             .random_(generator=g)),
         "manual_seed(9); 624 int32 random_() (left 1, next 624)"),
        ("default_int100", run(None, lambda g: torch.empty(100, dtype=torch.int32)
                               .random_(generator=g)),
         "torch.Generator(); 100 int32 random_()"),
    ]
    out = []
    for name, g, calls in cases:
        blob = torch_blob(g)
        fname = write(f"torch_{name}.bin", blob)
        seed, left, _, nxt, _ = torch_fields(blob)
        tw, after = torch_words(blob, N_WORDS)
        # The documented conversion, checked with the real NumPy.
        st, tseed = torch_to_np(blob)
        np_text = doc("numpy-legacy", st, tseed)
        rs = RandomState(0)
        rs.set_state(json.loads(np_text)["state"])
        words = rs._bit_generator.random_raw(N_WORDS)
        assert tw == [int(w) & LOWER for w in words], name
        np_after = plain(rs.get_state(legacy=False))
        assert after[:5016] == np_to_torch(np_after["state"]["key"], np_after["state"]["pos"],
                                           seed)[:5016], name
        cached = blob[5016:] != bytes(40)
        if not cached:
            assert np_to_torch(st["state"]["key"], st["state"]["pos"],
                               seed if tseed is None else tseed) == blob, name
        advanced = []
        for n in [1, 623, 624, 1000, 100003]:
            _, b = torch_words(blob, n)
            advanced.append({"n": n, "fnv": hex(fnv_bytes(b))})
        case = {"name": name, "calls": calls, "file": fname, "seed": seed, "left": left,
                "next": nxt, "cached": cached, "next_lo31": summary(tw),
                "next_raw_numpy": summary(words),
                "numpy": {"pos": st["state"]["pos"], "torch_seed": tseed,
                          "fnv": hex(fnv_bytes(np_text.encode()))},
                "advanced": advanced}
        if name == "seed42_rand10":
            text = doc("torch-cpu", blob.hex())
            case["json"] = write(f"torch_{name}.json", text)
            g2 = torch.Generator()
            g2.set_state(torch.tensor(list(bytes.fromhex(json.loads(text)["state"])),
                                      dtype=torch.uint8))
            assert torch_blob(g2) == blob
        out.append(case)
    return out


def cuda_cases():
    out = []
    for name, seed, offset in [("default", DEFAULT_TORCH_SEED, 0), ("seed42_off8", 42, 8),
                               ("seedmax_off2p40", 2**64 - 1, 2**40)]:
        blob = struct.pack("<Qq", seed, offset)
        case = {"name": name, "seed": seed, "offset": offset,
                "file": write(f"cuda_{name}.bin", blob)}
        if name == "seed42_off8":
            case["json"] = write(f"cuda_{name}.json", doc("torch-cuda", blob.hex()))
        out.append(case)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    cases = {
        "generated_by": {"numpy": np.__version__, "torch": torch.__version__.split("+")[0]},
        "n_words": N_WORDS,
        "default_torch_seed": DEFAULT_TORCH_SEED,
        "numpy_legacy": numpy_legacy_cases(),
        "numpy_legacy_other": numpy_legacy_other(),
        "numpy_bitgen": numpy_bitgen_cases(),
        "numpy_bitgen_fresh": numpy_bitgen_fresh(),
        "torch_cpu": torch_cases(),
        "torch_cuda": cuda_cases(),
    }
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
