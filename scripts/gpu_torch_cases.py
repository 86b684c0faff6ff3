#!/usr/bin/env python3
"""Real torch.cuda outputs for seedbridge's GPU check (run by scripts/gpu_check.sh).

    gpu_torch_cases.py cases OUTDIR        write OUTDIR/manifest.json and one raw file per case
    gpu_torch_cases.py bench OUT.json N    time torch's uniform_/normal_ (float32, float64) on N
                                           elements
    gpu_torch_cases.py table TORCH.json SEEDBRIDGE.json
                                           print the throughput comparison

Every case runs one call with an explicit torch.Generator(device='cuda') at (seed, offset) on a
tensor of `numel` elements and records the raw little-endian bytes of the result (bool as 0/1
bytes, bfloat16/float16 as their 16-bit patterns) and the generator offset afterwards. Sizes:
below one wave (1000 elements) and above it (4 waves + 1001, so every grid-stride component and
a second round are used), where a wave is SMs * (max threads per SM // 256) * 256 threads.
"""

import json
import os
import sys
import warnings

import torch

DT = {
    "float32": torch.float32,
    "float64": torch.float64,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
    "uint16": getattr(torch, "uint16", None),
    "uint32": getattr(torch, "uint32", None),
    "uint64": getattr(torch, "uint64", None),
}
FLOATS = ["float32", "float64", "float16", "bfloat16"]
ALL3 = FLOATS + ["int8", "uint8", "int16", "int32", "int64", "bool"]


def wave_threads():
    p = torch.cuda.get_device_properties(0)
    return p.multi_processor_count * (p.max_threads_per_multi_processor // 256) * 256


def raw_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t.view(torch.uint8).numpy().tobytes()


def cases_list():
    """(call, dtype names, params) -- params as seedbridge's NullaryOp takes them."""
    out = []
    for dt in FLOATS:
        out.append(("uniform", dt, {"a": 0.0, "b": 1.0}))
        out.append(("uniform", dt, {"a": -2.3, "b": 3.7}))
        out.append(("normal", dt, {"a": 0.0, "b": 1.0}))
        out.append(("normal", dt, {"a": 0.5, "b": 2.0}))
        out.append(("log_normal", dt, {"a": 0.0, "b": 0.5}))
        out.append(("exponential", dt, {"a": 1.5}))
        out.append(("cauchy", dt, {"a": 0.0, "b": 1.0}))
    for dt in FLOATS + ["int32", "int64"]:
        out.append(("geometric", dt, {"a": 0.3}))
    for dt in ALL3:
        out.append(("bernoulli", dt, {"a": 0.37}))
        out.append(("bernoulli_tensor", dt, {}))
        out.append(("random", dt, {}))
    # random_(from, to): values chosen so that torch's update_from/update_to leave them alone
    # (from and to - 1 exact in the dtype), hence range = to - from, base = from.
    for dt in ["float32", "float64", "float16", "bfloat16", "int16", "int32", "int64"]:
        out.append(("random_from_to", dt, {"from": -17, "to": 239}))
    out.append(("random_from_to", "int8", {"from": -17, "to": 100}))
    out.append(("random_from_to", "uint8", {"from": 0, "to": 200}))
    out.append(("random_from_to", "bool", {"from": 0, "to": 2}))
    for dt in ["uint16", "uint32", "uint64"]:
        out.append(("random_from_to", dt, {"from": 3, "to": 1000}))
    # 64-bit draws (range >= 2^28)
    for dt in ["float32", "float64", "bfloat16", "int32", "int64"]:
        out.append(("random_from_to", dt, {"from": -(1 << 28), "to": 128}))
    for dt in ["uint32", "uint64"]:
        out.append(("random_from_to", dt, {"from": 0, "to": 1 << 30}))
    out.append(("random_full64", "int64", {}))
    return out


def run_call(call, t, prm, g, p=None):
    if call == "uniform":
        t.uniform_(prm["a"], prm["b"], generator=g)
    elif call == "normal":
        t.normal_(prm["a"], prm["b"], generator=g)
    elif call == "log_normal":
        t.log_normal_(prm["a"], prm["b"], generator=g)
    elif call == "exponential":
        t.exponential_(prm["a"], generator=g)
    elif call == "cauchy":
        t.cauchy_(prm["a"], prm["b"], generator=g)
    elif call == "geometric":
        t.geometric_(prm["a"], generator=g)
    elif call == "bernoulli":
        t.bernoulli_(prm["a"], generator=g)
    elif call == "bernoulli_tensor":
        t.bernoulli_(p, generator=g)
    elif call == "random":
        t.random_(generator=g)
    elif call == "random_from_to":
        t.random_(prm["from"], prm["to"], generator=g)
    elif call == "random_full64":
        t.random_(-(2**63), None, generator=g)
    else:
        raise ValueError(call)


def cmd_cases(outdir):
    os.makedirs(outdir, exist_ok=True)
    T = wave_threads()
    sizes = [1000, 4 * T + 1001]
    setups = [(0, 0), (42, 8), (2**63 + 5, 4 << 33)]
    manifest = {"wave_threads": T, "device": torch.cuda.get_device_name(0), "cases": []}
    skipped = []
    k = 0
    for ci, (call, dtn, prm) in enumerate(cases_list()):
        dt = DT[dtn]
        if dt is None:
            skipped.append(f"{call} {dtn}: this torch has no {dtn}")
            continue
        for si, n in enumerate(sizes):
            seed, offset = setups[(ci + si) % len(setups)]
            g = torch.Generator(device="cuda")
            g.manual_seed(seed)
            g.set_offset(offset)
            t = torch.empty(n, dtype=dt, device="cuda")
            p = None
            entry = {"call": call, "dtype": dtn, "numel": n, "seed": seed, "offset": offset}
            if call == "bernoulli_tensor":
                cg = torch.Generator().manual_seed(1000 + k)
                pc = torch.rand(n, dtype=torch.float64, generator=cg)
                pc[::7] = 0.0
                pc[3::11] = 1.0
                pfile = f"p{k:04d}.bin"
                with open(os.path.join(outdir, pfile), "wb") as f:
                    f.write(raw_bytes(pc))
                entry["p_file"] = pfile
                p = pc.to("cuda")
            try:
                run_call(call, t, prm, g, p)
                torch.cuda.synchronize()
            except Exception as e:  # an op/dtype this torch build does not support
                skipped.append(f"{call} {dtn}: {type(e).__name__}: {str(e).splitlines()[0]}")
                break
            fname = f"c{k:04d}.bin"
            with open(os.path.join(outdir, fname), "wb") as f:
                f.write(raw_bytes(t))
            entry["file"] = fname
            entry["offset_after"] = g.get_offset()
            if call in ("uniform", "normal", "log_normal", "cauchy"):
                entry["a"], entry["b"] = float(prm["a"]), float(prm["b"])
            elif call in ("exponential", "geometric", "bernoulli"):
                entry["a"] = float(prm["a"])
            elif call == "random_from_to":
                entry["range"] = prm["to"] - prm["from"]
                entry["base"] = prm["from"]
            manifest["cases"].append(entry)
            k += 1
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"torch {torch.__version__} on {manifest['device']}: wave = {T} threads, "
          f"{len(manifest['cases'])} cases written to {outdir}")
    for s in skipped:
        print(f"  not run by torch: {s}")


def cmd_bench(out, n):
    n = int(n)
    rows = []
    g = torch.Generator(device="cuda")
    g.manual_seed(0)
    for call in ("rand", "randn"):
        for dtn in ("float32", "float64"):
            t = torch.empty(n, dtype=DT[dtn], device="cuda")
            fill = (lambda: t.uniform_(generator=g)) if call == "rand" else (
                lambda: t.normal_(generator=g))
            fill()
            torch.cuda.synchronize()
            reps = 10
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            for _ in range(reps):
                fill()
            e.record()
            e.synchronize()
            ms = s.elapsed_time(e) / reps
            rows.append({"engine": "torch", "call": call, "dtype": dtn, "numel": n, "ms": ms,
                         "gbps": n * t.element_size() / (ms * 1e-3) / 1e9})
            del t
            torch.cuda.empty_cache()
    with open(out, "w") as f:
        json.dump(rows, f, indent=1)


def cmd_table(torch_json, sb_json):
    rows = json.load(open(torch_json)) + json.load(open(sb_json))
    by = {}
    for r in rows:
        by[(r["engine"], r["call"], r["dtype"])] = r
    print(f"{'call':<6} {'dtype':<8} {'elements':>10} {'seedbridge':>12} {'torch':>10} "
          f"{'cuRAND':>10} {'sb/torch':>9}   (GB/s written)")
    ok = True
    for call in ("rand", "randn"):
        for dt in ("float32", "float64"):
            sb = by.get(("seedbridge", call, dt))
            th = by.get(("torch", call, dt))
            cu = by.get(("curand", call, dt))
            fmt = lambda r: f"{r['gbps']:10.1f}" if r else f"{'-':>10}"
            ratio = sb["gbps"] / th["gbps"] if sb and th else float("nan")
            n = (sb or th or {}).get("numel", 0)
            print(f"{call:<6} {dt:<8} {n:>10} {fmt(sb):>12} {fmt(th)} {fmt(cu)} {ratio:9.3f}")
            if call == "rand" and dt == "float32" and not ratio >= 1.0:
                ok = False
    if not ok:
        print("NOTE: float32 rand is slower than torch.rand on this GPU")


if __name__ == "__main__":
    # torch warns about random_ bounds beyond 2^digits for floating dtypes; the cases mean it.
    warnings.filterwarnings("ignore", category=UserWarning)
    if len(sys.argv) >= 3 and sys.argv[1] == "cases":
        cmd_cases(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "bench":
        cmd_bench(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "table":
        cmd_table(sys.argv[2], sys.argv[3])
    else:
        print(__doc__)
        sys.exit(2)
