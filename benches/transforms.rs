//! Criterion benches of the main array calls (engine + transform + output allocation), one
//! group per library: NumPy legacy `RandomState`, NumPy `Generator`, torch CPU (both kernel
//! builds) and the torch.cuda CPU emulation. They time the same code as `seedbridge bench`
//! (src/bench.rs) at a cache-friendly size; `scripts/bench_vs_python.py` gives the ratios
//! against NumPy and torch at 10^7 elements.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use seedbridge::engine::parallel;
use seedbridge::numpy::distributions::IParam;
use seedbridge::numpy::generator::Generator;
use seedbridge::numpy::legacy::RandomState;
use seedbridge::torch::cpu::{self, CpuCapability, CpuGenerator};
use seedbridge::torch::cuda::{CudaGenerator, GpuProfile, NullaryCall, NullaryOp};
use seedbridge::DType;
use std::hint::black_box;
use std::time::Duration;

/// Elements per call. Note the torch.cuda emulation at this size runs one grid-stride round
/// with one value per Philox block (as the GPU does for tensors under one wave), so its
/// per-element cost is about four times that of large tensors.
const N: usize = 1 << 16;

fn config<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(N as u64));
    g.measurement_time(Duration::from_secs(2));
    g.warm_up_time(Duration::from_millis(500));
    g
}

fn numpy_legacy(c: &mut Criterion) {
    parallel::set_max_threads(1);
    let mut g = config(c, "numpy_legacy");
    let size = [N];
    let mut rs = RandomState::from_seed(0);
    g.bench_function(BenchmarkId::new("rand", N), |b| {
        b.iter(|| black_box(rs.rand(&size).unwrap()))
    });
    g.bench_function(BenchmarkId::new("randn", N), |b| {
        b.iter(|| black_box(rs.randn(&size).unwrap()))
    });
    g.bench_function(BenchmarkId::new("randint_0_10", N), |b| {
        b.iter(|| {
            black_box(
                rs.randint(
                    &IParam::Scalar(0),
                    Some(&IParam::Scalar(10)),
                    Some(&size),
                    DType::I64,
                )
                .unwrap(),
            )
        })
    });
    g.finish();
}

fn numpy_generator(c: &mut Criterion) {
    parallel::set_max_threads(1);
    let mut g = config(c, "numpy_generator");
    let size = Some(&[N][..]);
    let mut rng = Generator::default_rng(0);
    g.bench_function(BenchmarkId::new("random_f64", N), |b| {
        b.iter(|| black_box(rng.random(size, DType::F64).unwrap()))
    });
    g.bench_function(BenchmarkId::new("random_f32", N), |b| {
        b.iter(|| black_box(rng.random(size, DType::F32).unwrap()))
    });
    g.bench_function(BenchmarkId::new("standard_normal", N), |b| {
        b.iter(|| black_box(rng.standard_normal(size, DType::F64).unwrap()))
    });
    g.bench_function(BenchmarkId::new("standard_exponential", N), |b| {
        b.iter(|| black_box(rng.standard_exponential(size, DType::F64, "zig").unwrap()))
    });
    g.bench_function(BenchmarkId::new("integers_0_10", N), |b| {
        b.iter(|| {
            black_box(
                rng.integers(
                    &IParam::Scalar(0),
                    Some(&IParam::Scalar(10)),
                    size,
                    DType::I64,
                    false,
                )
                .unwrap(),
            )
        })
    });
    g.finish();
}

fn torch_cpu(c: &mut Criterion) {
    parallel::set_max_threads(1);
    let mut g = config(c, "torch_cpu");
    let shape = [N];
    for cap in [CpuCapability::Avx2, CpuCapability::Default] {
        let tag = if cap == CpuCapability::Avx2 {
            "avx2"
        } else {
            "default"
        };
        let mut gen = CpuGenerator::new(0, cap);
        g.bench_function(BenchmarkId::new(format!("rand_f32_{tag}"), N), |b| {
            b.iter(|| black_box(cpu::rand(&mut gen, &shape, DType::F32).unwrap()))
        });
        g.bench_function(BenchmarkId::new(format!("randn_f32_{tag}"), N), |b| {
            b.iter(|| black_box(cpu::randn(&mut gen, &shape, DType::F32).unwrap()))
        });
        g.bench_function(BenchmarkId::new(format!("randn_f64_{tag}"), N), |b| {
            b.iter(|| black_box(cpu::randn(&mut gen, &shape, DType::F64).unwrap()))
        });
    }
    let mut gen = CpuGenerator::new(0, CpuCapability::Avx2);
    g.bench_function(BenchmarkId::new("randint_0_10", N), |b| {
        b.iter(|| black_box(cpu::randint(&mut gen, 0, 10, &shape, DType::I64).unwrap()))
    });
    g.finish();
}

fn torch_cuda_emulation(c: &mut Criterion) {
    parallel::set_max_threads(0); // all cores available to the "allcores" variants
    let mut g = config(c, "torch_cuda_emulation");
    let profile = GpuProfile::new(132, 2048);
    let mut gen = CudaGenerator::with_seed(0);
    for (name, op, dt) in [
        (
            "rand_f32",
            NullaryOp::Uniform { from: 0.0, to: 1.0 },
            DType::F32,
        ),
        (
            "randn_f32",
            NullaryOp::Normal {
                mean: 0.0,
                std: 1.0,
            },
            DType::F32,
        ),
        (
            "randn_f64",
            NullaryOp::Normal {
                mean: 0.0,
                std: 1.0,
            },
            DType::F64,
        ),
    ] {
        for threads in [1usize, 0] {
            let label = format!(
                "{name}_{}",
                if threads == 1 { "1thread" } else { "allcores" }
            );
            g.bench_function(BenchmarkId::new(label, N), |b| {
                b.iter(|| {
                    let call = NullaryCall::launch(&mut gen, &profile, op, dt, N as u64).unwrap();
                    let t = if threads == 0 {
                        parallel::max_threads()
                    } else {
                        threads
                    };
                    black_box(call.generate_with_threads(0..N as u64, t).unwrap())
                })
            });
        }
    }
    g.finish();
}

criterion_group!(
    benches,
    numpy_legacy,
    numpy_generator,
    torch_cpu,
    torch_cuda_emulation
);
criterion_main!(benches);
