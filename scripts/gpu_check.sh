#!/usr/bin/env bash
# GPU check for seedbridge's CUDA backend, for a CUDA machine with PyTorch installed.
#
#   scripts/gpu_check.sh            (from anywhere; ~2-4 minutes on an H200, most of it cargo)
#
# 1. builds the CUDA test binary and runs tests/cuda_kernels.rs with the GPU present (NVRTC
#    compile, host-executed kernels, GPU vs the CPU emulation, known values);
# 2. runs every call x dtype with real torch.cuda (scripts/gpu_torch_cases.py) at a size below
#    and one above a wave, and compares the GPU backend and the CPU emulation with it bit for bit
#    (table: gpu=torch, emu=torch, offset after the call; for the float normal family the
#    emulation's measured max |diff|, i.e. the bound of the __sincosf model);
# 3. benchmarks rand/randn float32/float64 at 2^28 elements: seedbridge's kernels, torch.rand /
#    torch.randn (uniform_/normal_ into a preallocated tensor) and cuRAND's host API (Philox),
#    in GB/s written, with the seedbridge/torch ratio.
#
# Environment: PYTHON (default: .venv/bin/python if it has torch, else python3), CARGO (cargo),
# SEEDBRIDGE_BENCH_NUMEL (default 268435456 = 2^28), OUT (work folder, default a temp dir).
# NVRTC and cuRAND are taken from the pip packages that PyTorch's CUDA wheels install
# (site-packages/nvidia/*/lib); set SEEDBRIDGE_NVRTC to override NVRTC.
set -uo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
CARGO="${CARGO:-cargo}"
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ] && .venv/bin/python -c "import torch" 2>/dev/null; then
        PYTHON=.venv/bin/python
    else
        PYTHON=python3
    fi
fi
OUT="${OUT:-$(mktemp -d -t seedbridge-gpu-XXXXXX)}"
mkdir -p "$OUT"
N="${SEEDBRIDGE_BENCH_NUMEL:-268435456}"
# On this machine a skipped GPU or NVRTC test is a failure.
export SEEDBRIDGE_REQUIRE_GPU=1 SEEDBRIDGE_REQUIRE_NVRTC=1
FAIL=0
step() { echo; echo "=== $* ($(( $(date +%s) - START )) s)"; }

step "environment"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null \
    || echo "nvidia-smi not available"
"$PYTHON" - <<'EOF' || { echo "PyTorch with CUDA is required ($PYTHON)"; exit 2; }
import torch
assert torch.cuda.is_available(), "torch.cuda is not available"
p = torch.cuda.get_device_properties(0)
print(f"torch {torch.__version__} (CUDA {torch.version.cuda}) on {p.name}: "
      f"{p.multi_processor_count} SMs x {p.max_threads_per_multi_processor} threads/SM")
EOF
# The nvidia-* wheels' library folders (nvrtc, curand, ...), for cudarc's dlopen by name.
NVLIBS=$("$PYTHON" - <<'EOF'
import glob, os, sysconfig
dirs = []
for sp in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
    dirs += sorted(glob.glob(os.path.join(sp, "nvidia", "*", "lib")))
print(":".join(dirs))
EOF
)
export LD_LIBRARY_PATH="${NVLIBS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

step "build (cargo test --no-run)"
"$CARGO" test --test cuda_kernels --no-run 2>&1 | tail -3
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build failed"; exit 2; }

step "GPU tests (tests/cuda_kernels.rs)"
"$CARGO" test --test cuda_kernels -- --nocapture --test-threads=2 2>&1 \
    | grep -Ev '^\s*(Compiling|Finished|Running)' | tail -200
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "GPU tests FAILED"; FAIL=1; }

step "real torch.cuda outputs"
if "$PYTHON" scripts/gpu_torch_cases.py cases "$OUT/torch_cases"; then
    step "GPU backend and CPU emulation vs torch.cuda"
    SEEDBRIDGE_TORCH_CASES="$OUT/torch_cases" "$CARGO" test --test cuda_kernels gpu_vs_torch \
        -- --ignored --nocapture 2>&1 | grep -Ev '^\s*(Compiling|Finished|Running)'
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "GPU vs torch: MISMATCHES"; FAIL=1; }
else
    echo "generating torch cases failed"; FAIL=1
fi

step "benchmark: $N elements"
"$PYTHON" scripts/gpu_torch_cases.py bench "$OUT/bench_torch.json" "$N" || FAIL=1
SEEDBRIDGE_BENCH_NUMEL="$N" SEEDBRIDGE_BENCH_JSON="$OUT/bench_seedbridge.json" \
    "$CARGO" test --test cuda_kernels gpu_benchmark -- --ignored --nocapture 2>&1 \
    | grep -Ev '^\s*(Compiling|Finished|Running)'
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "benchmark FAILED"; FAIL=1; }
if [ -f "$OUT/bench_torch.json" ] && [ -f "$OUT/bench_seedbridge.json" ]; then
    "$PYTHON" scripts/gpu_torch_cases.py table "$OUT/bench_torch.json" "$OUT/bench_seedbridge.json"
fi

step "done: $([ $FAIL -eq 0 ] && echo OK || echo FAILURES) (work files in $OUT)"
exit $FAIL
