//! Criterion benches of the raw engines (words per second). Transforms and whole calls get their
//! own benches as they land; ratios against NumPy/torch come from scripts/bench_vs_python.py.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use seedbridge::engine::mt19937::Mt19937;
use seedbridge::engine::pcg64::{Pcg64, Pcg64Dxsm};
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

criterion_group!(benches, engines);
criterion_main!(benches);
