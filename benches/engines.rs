//! Criterion benches of the raw engines (words per second). Transforms and whole calls get their
//! own benches as they land; ratios against NumPy/torch come from scripts/bench_vs_python.py.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use seedbridge::engine::mt19937::Mt19937;
use seedbridge::engine::pcg64::{Pcg64, Pcg64Dxsm};
use seedbridge::engine::philox4x32::curand_blocks;
use seedbridge::engine::philox4x64::Philox4x64;
use seedbridge::engine::seed_sequence::SeedSequence;
use seedbridge::engine::sfc64::Sfc64;
use std::hint::black_box;

const N: usize = 1 << 16;

fn engines(c: &mut Criterion) {
    let ss = SeedSequence::from_u128(12345);
    let mut g = c.benchmark_group("engine_words");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function(BenchmarkId::new("mt19937", N), |b| {
        let mut e = Mt19937::init_genrand(5489);
        b.iter(|| {
            let mut acc = 0u32;
            for _ in 0..N {
                acc ^= e.next_u32();
            }
            black_box(acc)
        })
    });
    g.bench_function(BenchmarkId::new("pcg64", N), |b| {
        let mut e = Pcg64::from_seed_sequence(&ss);
        b.iter(|| {
            let mut acc = 0u64;
            for _ in 0..N {
                acc ^= e.next_u64();
            }
            black_box(acc)
        })
    });
    g.bench_function(BenchmarkId::new("pcg64dxsm", N), |b| {
        let mut e = Pcg64Dxsm::from_seed_sequence(&ss);
        b.iter(|| {
            let mut acc = 0u64;
            for _ in 0..N {
                acc ^= e.next_u64();
            }
            black_box(acc)
        })
    });
    g.bench_function(BenchmarkId::new("philox4x64", N), |b| {
        let mut e = Philox4x64::from_seed_sequence(&ss);
        b.iter(|| {
            let mut acc = 0u64;
            for _ in 0..N {
                acc ^= e.next_u64();
            }
            black_box(acc)
        })
    });
    g.bench_function(BenchmarkId::new("sfc64", N), |b| {
        let mut e = Sfc64::from_seed_sequence(&ss);
        b.iter(|| {
            let mut acc = 0u64;
            for _ in 0..N {
                acc ^= e.next_u64();
            }
            black_box(acc)
        })
    });
    g.finish();
}

/// The bulk fills (what the library's array calls use).
fn engine_fills(c: &mut Criterion) {
    let ss = SeedSequence::from_u128(12345);
    let mut g = c.benchmark_group("engine_fills");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function(BenchmarkId::new("mt19937_fill_u32", N), |b| {
        let mut e = Mt19937::init_genrand(5489);
        let mut out = vec![0u32; N];
        b.iter(|| {
            e.fill_u32(&mut out);
            black_box(out[N - 1])
        })
    });
    g.bench_function(BenchmarkId::new("mt19937_fill_next_double", N), |b| {
        let mut e = Mt19937::init_genrand(5489);
        let mut out = vec![0f64; N];
        b.iter(|| {
            e.fill_next_double(&mut out);
            black_box(out[N - 1])
        })
    });
    g.bench_function(BenchmarkId::new("pcg64_fill_u64", N), |b| {
        let mut e = Pcg64::from_seed_sequence(&ss);
        let mut out = vec![0u64; N];
        b.iter(|| {
            e.fill_u64(&mut out);
            black_box(out[N - 1])
        })
    });
    g.bench_function(BenchmarkId::new("pcg64dxsm_fill_u64", N), |b| {
        let mut e = Pcg64Dxsm::from_seed_sequence(&ss);
        let mut out = vec![0u64; N];
        b.iter(|| {
            e.fill_u64(&mut out);
            black_box(out[N - 1])
        })
    });
    g.bench_function(BenchmarkId::new("philox4x64_fill_u64", N), |b| {
        let mut e = Philox4x64::from_seed_sequence(&ss);
        let mut out = vec![0u64; N];
        b.iter(|| {
            e.fill_u64(&mut out);
            black_box(out[N - 1])
        })
    });
    g.throughput(Throughput::Elements(4 * N as u64 / 4));
    g.bench_function(BenchmarkId::new("philox4x32_curand_blocks", N), |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for i in (0..N as u64 / 4).step_by(8) {
                let blocks: [[u32; 4]; 8] = curand_blocks(7, i, 0, 0);
                acc ^= blocks[7][3];
            }
            black_box(acc)
        })
    });
    g.finish();
}

criterion_group!(benches, engines, engine_fills);
criterion_main!(benches);
