#!/usr/bin/env bash
# The test command (README): unit, golden-fixture and property tests, then the live
# differential run against the venv's NumPy. Needs .venv with numpy (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
cargo build --release --locked
cargo test --release --locked
# The same bits without the processor's fused multiply-add (the path of CPUs without FMA).
SEEDBRIDGE_NO_HW_FMA=1 cargo test --release --locked --test torch_cpu --test torch_cuda \
    --test torch_cuda_run --test torch_fixtures
"$PY" scripts/differential.py --binary target/release/seedbridge --n "${DIFF_N:-600}" --seed "${DIFF_SEED:-$RANDOM}"
