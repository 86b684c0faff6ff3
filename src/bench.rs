//! In-process timing of the Rust API (`seedbridge bench STREAM --n N`): no process start-up,
//! no parsing, no output formatting, only the library call that produces the array (including
//! the allocation of its output, as NumPy and torch also allocate theirs).
//!
//! `scripts/bench_vs_python.py` runs the same streams through NumPy and torch on the same
//! machine and prints the ratios.

use std::time::Instant;

use crate::engine::mt19937::Mt19937;
use crate::engine::parallel;
use crate::engine::pcg64::Pcg64;
use crate::engine::philox4x32::{curand_blocks, philox4x32_10};
use crate::engine::philox4x64::Philox4x64;
use crate::engine::seed_sequence::SeedSequence;
use crate::numpy::bitgen::BitGenerator;
use crate::numpy::distributions::IParam;
use crate::numpy::generator::Generator;
use crate::numpy::legacy::RandomState;
use crate::torch::cpu::{self, CpuCapability, CpuGenerator};
use crate::torch::cuda::{self, CudaGenerator, GpuProfile};
use crate::{DType, Error, Result};

/// The benchmark streams: name and what it times (10^7 elements is the reference size).
pub const STREAMS: &[(&str, &str)] = &[
    ("legacy.rand", "np.random.RandomState(0).rand(n)"),
    ("legacy.randn", "np.random.RandomState(0).randn(n)"),
    (
        "legacy.randint10",
        "np.random.RandomState(0).randint(0, 10, n)",
    ),
    ("gen.random", "np.random.default_rng(0).random(n)"),
    (
        "gen.random_f32",
        "np.random.default_rng(0).random(n, dtype=np.float32)",
    ),
    (
        "gen.standard_normal",
        "np.random.default_rng(0).standard_normal(n)",
    ),
    (
        "gen.standard_exponential",
        "np.random.default_rng(0).standard_exponential(n)",
    ),
    (
        "gen.integers10",
        "np.random.default_rng(0).integers(0, 10, n)",
    ),
    (
        "numpy.philox_random",
        "np.random.Generator(np.random.Philox(0)).random(n)",
    ),
    (
        "numpy.mt19937_random",
        "np.random.Generator(np.random.MT19937(0)).random(n)",
    ),
    ("torch.rand_f32", "torch.rand(n) (CPU)"),
    ("torch.rand_f64", "torch.rand(n, dtype=torch.float64) (CPU)"),
    ("torch.randn_f32", "torch.randn(n) (CPU, avx2 kernels)"),
    (
        "torch.randn_f32_default",
        "torch.randn(n) (CPU, DEFAULT kernels)",
    ),
    (
        "torch.randn_f64",
        "torch.randn(n, dtype=torch.float64) (CPU)",
    ),
    ("torch.randint", "torch.randint(0, 10, (n,)) (CPU, int64)"),
    (
        "cuda_emu.rand_f32",
        "torch.rand(n, device='cuda') emulated on the CPU (h100-sxm)",
    ),
    (
        "cuda_emu.randn_f32",
        "torch.randn(n, device='cuda') emulated on the CPU (h100-sxm)",
    ),
    (
        "cuda_emu.randn_f64",
        "torch.randn(n, dtype=float64, device='cuda') emulated (h100-sxm)",
    ),
    (
        "memory.write_f32",
        "floor: allocate n float32 and write each once (page faults + zeroing + stores)",
    ),
    ("engine.mt19937", "raw MT19937 32-bit words"),
    ("engine.pcg64", "raw PCG64 64-bit words"),
    ("engine.philox4x64", "raw Philox4x64-10 64-bit words"),
    (
        "engine.philox4x32",
        "raw Philox4x32-10 32-bit words (counter mode)",
    ),
];

/// The stream names, one per line with a description (`seedbridge bench --list`).
pub fn list_streams() -> String {
    STREAMS
        .iter()
        .map(|(n, d)| format!("{n:<26} {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn checksum_data(d: &crate::Data) -> u64 {
    let n = d.len();
    let step = n / 64 + 1;
    let mut acc = n as u64;
    let mut i = 0;
    while i < n {
        acc = acc.rotate_left(5) ^ d.get_f64(i).to_bits();
        i += step;
    }
    acc
}

/// One timed run: returns a value depending on the output (so nothing is optimised away).
fn run_once(stream: &str, n: usize, threads: usize) -> Result<u64> {
    let profile = GpuProfile::new(132, 2048);
    let size = [n];
    let out = match stream {
        "legacy.rand" => checksum_data(&RandomState::from_seed(0).rand(&size)?.data),
        "legacy.randn" => checksum_data(&RandomState::from_seed(0).randn(&size)?.data),
        "legacy.randint10" => checksum_data(
            &RandomState::from_seed(0)
                .randint(
                    &IParam::Scalar(0),
                    Some(&IParam::Scalar(10)),
                    Some(&size),
                    DType::I64,
                )?
                .data,
        ),
        "gen.random" => checksum_data(
            &Generator::default_rng(0)
                .random(Some(&size), DType::F64)?
                .data,
        ),
        "gen.random_f32" => checksum_data(
            &Generator::default_rng(0)
                .random(Some(&size), DType::F32)?
                .data,
        ),
        "gen.standard_normal" => checksum_data(
            &Generator::default_rng(0)
                .standard_normal(Some(&size), DType::F64)?
                .data,
        ),
        "gen.standard_exponential" => checksum_data(
            &Generator::default_rng(0)
                .standard_exponential(Some(&size), DType::F64, "zig")?
                .data,
        ),
        "gen.integers10" => checksum_data(
            &Generator::default_rng(0)
                .integers(
                    &IParam::Scalar(0),
                    Some(&IParam::Scalar(10)),
                    Some(&size),
                    DType::I64,
                    false,
                )?
                .data,
        ),
        "numpy.philox_random" | "numpy.mt19937_random" => {
            let kind = if stream == "numpy.philox_random" {
                "Philox"
            } else {
                "MT19937"
            };
            let bg = BitGenerator::from_seed_sequence(kind, SeedSequence::from_u128(0))?;
            checksum_data(&Generator::new(bg).random(Some(&size), DType::F64)?.data)
        }
        "torch.rand_f32" | "torch.rand_f64" => {
            let dt = if stream.ends_with("f32") {
                DType::F32
            } else {
                DType::F64
            };
            let mut g = CpuGenerator::new(0, CpuCapability::Avx2);
            checksum_data(&cpu::rand(&mut g, &size, dt)?.data)
        }
        "torch.randn_f32" | "torch.randn_f32_default" | "torch.randn_f64" => {
            let cap = if stream.ends_with("default") {
                CpuCapability::Default
            } else {
                CpuCapability::Avx2
            };
            let dt = if stream.ends_with("f64") {
                DType::F64
            } else {
                DType::F32
            };
            let mut g = CpuGenerator::new(0, cap);
            checksum_data(&cpu::randn(&mut g, &size, dt)?.data)
        }
        "torch.randint" => {
            let mut g = CpuGenerator::new(0, CpuCapability::Avx2);
            checksum_data(&cpu::randint(&mut g, 0, 10, &size, DType::I64)?.data)
        }
        "cuda_emu.rand_f32" | "cuda_emu.randn_f32" | "cuda_emu.randn_f64" => {
            let mut g = CudaGenerator::with_seed(0);
            let (op, dt) = match stream {
                "cuda_emu.rand_f32" => {
                    (cuda::NullaryOp::Uniform { from: 0.0, to: 1.0 }, DType::F32)
                }
                "cuda_emu.randn_f32" => (
                    cuda::NullaryOp::Normal {
                        mean: 0.0,
                        std: 1.0,
                    },
                    DType::F32,
                ),
                _ => (
                    cuda::NullaryOp::Normal {
                        mean: 0.0,
                        std: 1.0,
                    },
                    DType::F64,
                ),
            };
            let call = cuda::NullaryCall::launch(&mut g, &profile, op, dt, n as u64)?;
            checksum_data(&call.generate_with_threads(0..n as u64, threads)?)
        }
        "memory.write_f32" => {
            // What any call returning a fresh n-element float32 array pays at least.
            // (calloc'd: the pages are mapped, not yet touched.)
            let mut v = vec![0f32; n];
            let per = n.div_ceil(threads.max(1)).max(1);
            std::thread::scope(|s| {
                for (k, c) in v.chunks_mut(per).enumerate() {
                    s.spawn(move || c.fill(k as f32 + 1.0));
                }
            });
            v.iter()
                .step_by(n / 64 + 1)
                .fold(0u64, |a, &x| a.rotate_left(5) ^ u64::from(x.to_bits()))
        }
        "engine.mt19937" => {
            let mut e = Mt19937::init_genrand(5489);
            let mut v = vec![0u32; n];
            e.fill_u32(&mut v);
            v.iter()
                .step_by(n / 64 + 1)
                .fold(0u64, |a, &x| a.rotate_left(5) ^ u64::from(x))
        }
        "engine.pcg64" => {
            let mut e = Pcg64::from_seed_sequence(&SeedSequence::from_u128(0));
            let mut v = vec![0u64; n];
            e.fill_u64(&mut v);
            v.iter()
                .step_by(n / 64 + 1)
                .fold(0u64, |a, &x| a.rotate_left(5) ^ x)
        }
        "engine.philox4x64" => {
            let mut e = Philox4x64::from_seed_sequence(&SeedSequence::from_u128(0));
            let mut v = vec![0u64; n];
            e.fill_u64(&mut v);
            v.iter()
                .step_by(n / 64 + 1)
                .fold(0u64, |a, &x| a.rotate_left(5) ^ x)
        }
        "engine.philox4x32" => {
            let mut v = vec![0u32; n];
            let mut chunks = v.chunks_exact_mut(32);
            let mut i = 0u64;
            for c in &mut chunks {
                let b: [[u32; 4]; 8] = curand_blocks(1, i, 0, 0);
                for (d, s) in c.chunks_exact_mut(4).zip(&b) {
                    d.copy_from_slice(s);
                }
                i += 8;
            }
            for (j, c) in chunks.into_remainder().chunks_mut(4).enumerate() {
                let b = philox4x32_10([0, 0, (i + j as u64) as u32, 0], [1, 0]);
                c.copy_from_slice(&b[..c.len()]);
            }
            v.iter()
                .step_by(n / 64 + 1)
                .fold(0u64, |a, &x| a.rotate_left(5) ^ u64::from(x))
        }
        other => {
            return Err(Error::value(format!(
                "unknown bench stream '{other}'; streams:\n{}",
                list_streams()
            )))
        }
    };
    Ok(out)
}

/// Times `stream` (see [`STREAMS`]) for `n` elements, `repeats` times (at least once, after
/// one untimed warm-up run), with parallel fills capped at `threads` (`None`: all cores), and
/// returns one line:
/// `STREAM n=N threads=T repeats=R best_ns_per_element=X median_ns_per_element=Y best_ms=Z`.
pub fn bench_command(
    stream: &str,
    n: usize,
    threads: Option<usize>,
    repeats: usize,
) -> Result<String> {
    if n == 0 {
        return Err(Error::value("bench needs n > 0"));
    }
    let previous = parallel::max_threads_setting();
    parallel::set_max_threads(threads.unwrap_or(0));
    let t = parallel::max_threads();
    let result = (|| {
        let mut sink = run_once(stream, n, t)?; // warm-up (page faults, lazy tables)
        let mut times = Vec::with_capacity(repeats.max(1));
        for _ in 0..repeats.max(1) {
            let start = Instant::now();
            sink ^= run_once(stream, n, t)?;
            times.push(start.elapsed().as_secs_f64());
        }
        std::hint::black_box(sink);
        times.sort_by(|a, b| a.total_cmp(b));
        let best = times[0];
        let median = times[times.len() / 2];
        Ok(format!(
            "{stream} n={n} threads={t} repeats={} best_ns_per_element={:.3} \
             median_ns_per_element={:.3} best_ms={:.3}",
            times.len(),
            best * 1e9 / n as f64,
            median * 1e9 / n as f64,
            best * 1e3
        ))
    })();
    parallel::set_max_threads(previous);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stream_runs() {
        for (name, _) in STREAMS {
            let line = bench_command(name, 1000, Some(1), 1).unwrap();
            assert!(line.contains("best_ns_per_element="), "{line}");
        }
        assert!(bench_command("nope", 10, None, 1).is_err());
    }
}
