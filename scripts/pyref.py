"""Reference runner: executes a `seedbridge run` script with the REAL NumPy / PyTorch and returns
what `seedbridge run` must reproduce: the printed text and the recorded values.

Recording rules (DESIGN.md, "The `run` command"): the value of every expression statement, and
of every assignment whose right-hand side is a call, when that value is an array, a tensor or a
number. Seeding calls (they return None or a Generator) and generator objects are not recorded.
Python scalars become 0-d arrays (float -> float64, int -> int64, bool -> bool); bfloat16 tensors
are recorded as float32.

Used by scripts/make_fixtures.py (committed goldens) and scripts/differential.py (live test).
"""

import ast
import contextlib
import io
import sys

import numpy as np

try:  # torch is optional: NumPy-only scripts run without it
    import torch
except Exception:  # pragma: no cover - CI has no torch
    torch = None


def _as_array(v):
    """The array --save writes for a recordable value, or None."""
    if isinstance(v, bool):
        return np.asarray(v, dtype=np.bool_)
    if isinstance(v, int):
        # int64 as DESIGN.md says; a Python int beyond int64 (e.g. a uint64 random_raw()) that
        # fits uint64 is recorded as uint64; larger ones are not recordable.
        if -(2**63) <= v < 2**63:
            return np.asarray(v, dtype=np.int64)
        if 0 <= v < 2**64:
            return np.asarray(v, dtype=np.uint64)
        return None
    if isinstance(v, float):
        return np.asarray(v, dtype=np.float64)
    if isinstance(v, (np.ndarray, np.generic)):
        return np.array(v, copy=True)  # a snapshot: later in-place calls must not change it
    if torch is not None and isinstance(v, torch.Tensor):
        t = v.detach().cpu()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.numpy().copy()
    return None


class ScriptError(Exception):
    """The script raised: `kind` is the Python exception class name."""

    def __init__(self, kind, message, line):
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.line = line


def run_reference(src):
    """Runs `src`; returns (stdout_text, [np.ndarray, ...]) or raises ScriptError (with the
    stdout so far attached as .stdout and the values so far as .values)."""
    tree = ast.parse(src)
    env = {"__name__": "__seedbridge__"}
    out = io.StringIO()
    values = []
    for node in tree.body:
        is_expr = isinstance(node, ast.Expr)
        is_call_assign = isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        try:
            with contextlib.redirect_stdout(out):
                if is_expr:
                    code = compile(ast.Expression(node.value), "<script>", "eval")
                    v = eval(code, env)
                else:
                    mod = ast.Module(body=[node], type_ignores=[])
                    exec(compile(mod, "<script>", "exec"), env)
                    v = None
                    if is_call_assign:
                        tgt = node.targets[0]
                        if isinstance(tgt, ast.Name):
                            v = env[tgt.id]
        except Exception as e:  # noqa: BLE001 - we report every exception kind
            err = ScriptError(type(e).__name__, str(e), node.lineno)
            err.stdout = out.getvalue()
            err.values = values
            raise err from None
        if is_expr or is_call_assign:
            a = _as_array(v)
            if a is not None:
                values.append(a)
    return out.getvalue(), values


def encode_array(a):
    """JSON-friendly exact encoding: dtype str, shape, little-endian bytes as hex."""
    a = np.array(a, order="C", copy=True)  # keeps 0-d arrays 0-d (ascontiguousarray would not)
    if a.dtype.byteorder == ">":
        a = a.byteswap().view(a.dtype.newbyteorder("<"))
    return {"dtype": a.dtype.str, "shape": list(a.shape), "hex": a.tobytes().hex()}


if __name__ == "__main__":
    text, vals = run_reference(sys.stdin.read())
    sys.stdout.write(text)
    for v in vals:
        print(encode_array(v), file=sys.stderr)
