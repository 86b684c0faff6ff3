//! Throughput of the GPU kernels against cuRAND's host API (Philox4_32_10), measured with CUDA
//! events on the backend's stream. Used by `scripts/gpu_check.sh` (through the ignored test
//! `gpu_benchmark` in `tests/cuda_kernels.rs`).

use cudarc::curand::{result as cr, sys as crsys};
use cudarc::driver::sys::CUevent_flags;
use cudarc::driver::DevicePtrMut;

use super::backend::CudaBackend;
use super::device::driver_err;
use super::loader::{self, guard};
use crate::array::DType;
use crate::torch::cuda::{NullaryCall, NullaryOp};
use crate::{Error, Result};

/// One measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchRow {
    /// `seedbridge` or `curand`.
    pub engine: &'static str,
    /// `rand` or `randn`.
    pub call: &'static str,
    /// Output dtype (F32 or F64).
    pub dtype: DType,
    /// Elements per call.
    pub numel: usize,
    /// Mean milliseconds per call.
    pub ms: f64,
    /// Output bytes written per second, in GB/s (10^9).
    pub gbps: f64,
}

fn timed(backend: &CudaBackend, reps: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    let stream = backend.stream().clone();
    let ctx = stream.context().clone();
    f()?; // warm-up (module load, JIT, allocator)
    let flags = Some(CUevent_flags::CU_EVENT_DEFAULT);
    let start = ctx
        .new_event(flags)
        .map_err(|e| driver_err("creating a CUDA event", e))?;
    let end = ctx
        .new_event(flags)
        .map_err(|e| driver_err("creating a CUDA event", e))?;
    start
        .record(&stream)
        .map_err(|e| driver_err("recording a CUDA event", e))?;
    for _ in 0..reps {
        f()?;
    }
    end.record(&stream)
        .map_err(|e| driver_err("recording a CUDA event", e))?;
    let ms = start
        .elapsed_ms(&end)
        .map_err(|e| driver_err("timing with CUDA events", e))?;
    Ok(f64::from(ms) / reps.max(1) as f64)
}

fn row(engine: &'static str, call: &'static str, dtype: DType, numel: usize, ms: f64) -> BenchRow {
    let bytes = (numel * dtype.itemsize()) as f64;
    BenchRow {
        engine,
        call,
        dtype,
        numel,
        ms,
        gbps: bytes / (ms * 1e-3) / 1e9,
    }
}

/// Times `torch.rand`/`torch.randn` equivalents (float32 and float64, `numel` elements, mean of
/// `reps` calls) with seedbridge's kernels and, when libcurand can be loaded, with cuRAND's host
/// API (`curandGenerateUniform[Double]` / `curandGenerateNormal[Double]`, Philox4_32_10).
pub fn benchmark(backend: &CudaBackend, numel: usize, reps: usize) -> Result<Vec<BenchRow>> {
    let profile = backend.profile();
    let mut rows = Vec::new();
    let cases: [(&'static str, NullaryOp, DType); 4] = [
        (
            "rand",
            NullaryOp::Uniform { from: 0.0, to: 1.0 },
            DType::F32,
        ),
        (
            "rand",
            NullaryOp::Uniform { from: 0.0, to: 1.0 },
            DType::F64,
        ),
        (
            "randn",
            NullaryOp::Normal {
                mean: 0.0,
                std: 1.0,
            },
            DType::F32,
        ),
        (
            "randn",
            NullaryOp::Normal {
                mean: 0.0,
                std: 1.0,
            },
            DType::F64,
        ),
    ];
    for (call, op, dtype) in cases {
        let (plan, _) = NullaryCall::at(0, 0, &profile, op, dtype, numel as u64)?;
        let mut buf = backend.alloc_bytes(numel * dtype.itemsize())?;
        let ms = timed(backend, reps, || backend.launch_into(&plan, &mut buf))?;
        rows.push(row("seedbridge", call, dtype, numel, ms));
    }
    if loader::curand().is_ok() {
        rows.extend(curand_rows(backend, numel, reps)?);
    }
    Ok(rows)
}

fn curand_rows(backend: &CudaBackend, numel: usize, reps: usize) -> Result<Vec<BenchRow>> {
    let cerr = |what: &str, e: cr::CurandError| Error::Cuda(format!("cuRAND {what} failed: {e:?}"));
    guard("cuRAND benchmark", || {
        let stream = backend.stream().clone();
        stream
            .context()
            .bind_to_thread()
            .map_err(|e| driver_err("binding the CUDA context", e))?;
        let gen =
            cr::create_generator_kind(crsys::curandRngType_t::CURAND_RNG_PSEUDO_PHILOX4_32_10)
                .map_err(|e| cerr("curandCreateGenerator", e))?;
        let mut rows = Vec::new();
        let res = (|| -> Result<()> {
            // SAFETY: `gen` was just created and is destroyed once below; the stream outlives it.
            unsafe { cr::set_stream(gen, stream.cu_stream() as _) }
                .map_err(|e| cerr("curandSetStream", e))?;
            // SAFETY: as above.
            unsafe { cr::set_seed(gen, 0) }.map_err(|e| cerr("curandSetSeed", e))?;
            for (call, dtype) in [
                ("rand", DType::F32),
                ("rand", DType::F64),
                ("randn", DType::F32),
                ("randn", DType::F64),
            ] {
                let mut buf = backend.alloc_bytes(numel * dtype.itemsize())?;
                let ms = timed(backend, reps, || {
                    let (ptr, _sync) = buf.device_ptr_mut(&stream);
                    // SAFETY: `ptr` addresses `numel` elements of `dtype` (the buffer was
                    // allocated for exactly that), valid while `_sync` lives; `gen` is live.
                    let r = unsafe {
                        match (call, dtype) {
                            ("rand", DType::F32) => {
                                cr::generate::uniform_f32(gen, ptr as *mut f32, numel)
                            }
                            ("rand", _) => cr::generate::uniform_f64(gen, ptr as *mut f64, numel),
                            (_, DType::F32) => {
                                cr::generate::normal_f32(gen, ptr as *mut f32, numel, 0.0, 1.0)
                            }
                            _ => cr::generate::normal_f64(gen, ptr as *mut f64, numel, 0.0, 1.0),
                        }
                    };
                    r.map_err(|e| cerr("curandGenerate", e))
                })?;
                rows.push(row("curand", call, dtype, numel, ms));
            }
            Ok(())
        })();
        // SAFETY: destroys the generator created above, once.
        let _ = unsafe { cr::destroy_generator(gen) };
        res.map(|_| rows)
    })
}

/// A fixed-width table of benchmark rows.
pub fn format_rows(rows: &[BenchRow]) -> String {
    let mut s = format!(
        "{:<11} {:<6} {:<8} {:>11} {:>10} {:>9}\n",
        "engine", "call", "dtype", "elements", "ms/call", "GB/s"
    );
    for r in rows {
        s.push_str(&format!(
            "{:<11} {:<6} {:<8} {:>11} {:>10.3} {:>9.1}\n",
            r.engine,
            r.call,
            r.dtype.name(),
            r.numel,
            r.ms,
            r.gbps
        ));
    }
    s
}
