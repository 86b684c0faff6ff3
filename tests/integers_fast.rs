//! The bulk path of `Generator.integers` (32-bit Lemire draws fetched many at a time, see
//! `lemire32_fill` in `src/numpy/distributions.rs`) against
//! - NumPy 2.4.6 itself (FNV-1a hashes of the output bytes, of `random(5)` drawn right after, and
//!   the `has_uint32` flag left behind), and
//! - an element-wise reference written here from `numpy/random/src/distributions/
//!   distributions.c` (`buffered_bounded_lemire_uint32`, one `next_uint32` call per draw on the
//!   plain `BitGenerator`), comparing values, the whole bit-generator state left behind and the
//!   draws that follow,
//!
//! for many sizes (empty, tiny, odd, around the 2048-draw blocks and the 256-element vector runs),
//! ranges (tiny, negative offsets, rejection-heavy, the sparse-rejection case, the full 2^32 range
//! and 64-bit ranges), dtypes and bit generators, with and without a pending uint32 half.

use seedbridge::engine::seed_sequence::SeedSequence;
use seedbridge::numpy::bitgen::BitGenerator;
use seedbridge::numpy::distributions::{gen_mask, random_bounded_uint64, IParam};
use seedbridge::numpy::generator::Generator;
use seedbridge::numpy::NpBitGen;
use seedbridge::{DType, NdArray};

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn gen(kind: &str, seed: u128) -> Generator {
    Generator::new(BitGenerator::from_seed_sequence(kind, SeedSequence::from_u128(seed)).unwrap())
}

fn dtype(name: &str) -> DType {
    match name {
        "int8" => DType::I8,
        "int16" => DType::I16,
        "int32" => DType::I32,
        "int64" => DType::I64,
        "uint8" => DType::U8,
        "uint16" => DType::U16,
        "uint32" => DType::U32,
        "uint64" => DType::U64,
        other => panic!("dtype {other}"),
    }
}

fn integers(g: &mut Generator, lo: i128, hi: i128, dt: DType, n: usize, endpoint: bool) -> NdArray {
    g.integers(
        &IParam::Scalar(lo),
        Some(&IParam::Scalar(hi)),
        Some(&[n]),
        dt,
        endpoint,
    )
    .unwrap()
}

/// `(kind, seed, pre, low, high, dtype, n, endpoint, hash(out), hash(random(5)), has_uint32,
/// uinteger)`:
/// `g = Generator(kind(seed))`; if `pre`, `g.integers(0, 10, 1)` (leaves a pending uint32
/// half); `out = g.integers(low, high, n, dtype=dtype, endpoint=endpoint)`; then `g.random(5)`
/// and `g.bit_generator.state['has_uint32']`, `['uinteger']` (0 for MT19937; `uinteger` keeps
/// the last high half put in the buffer even once it has been used). Recorded with NumPy 2.4.6.
type NumpyCase = (
    &'static str,
    u128,
    u8,
    i128,
    i128,
    &'static str,
    usize,
    bool,
    u64,
    u64,
    u8,
    u32,
);

#[rustfmt::skip]
const NUMPY_CASES: &[NumpyCase] = &[
    ("PCG64", 0, 0, 0, 10, "int64", 1, false, 0xa09e307a7f948acd, 0x0a52ef5458b3eb94, 1, 2735729615),
    ("PCG64", 0, 0, 0, 10, "int64", 33, false, 0x177303f8e5bd2120, 0xd9a6419695392ef8, 1, 3707325242),
    ("PCG64", 0, 0, 0, 10, "int64", 4097, false, 0x98a6a96274e5b66f, 0x7a6420c0da8076d2, 1, 1194121493),
    ("PCG64", 0, 1, 0, 10, "int64", 4097, false, 0x5b15acfce5d1d765, 0x7a6420c0da8076d2, 0, 1194121493),
    ("PCG64", 0, 0, 0, 10, "int64", 100001, false, 0x34fa69eb25bdbee2, 0xb355b30297191461, 1, 2441927370),
    ("PCG64", 7, 1, -5, 3, "int64", 2049, false, 0x71409a470b484609, 0xf92ad02d0c07897c, 0, 3884473538),
    ("PCG64", 7, 0, 0, 2147483655, "int64", 5001, false, 0x4739264753d484ba, 0x8aac10c9a4706a7b, 1, 3228072007),
    // threshold 2^18 - 1: the vector pass with a rejection every ~16384 draws.
    ("PCG64", 3, 0, 0, 4294705153, "int64", 400000, false, 0xaca680975331375d, 0x766057544eed3c67, 0, 1402438742),
    ("PCG64", 3, 1, 0, 4294705153, "int64", 399999, false, 0xac506ec727f96ab7, 0x766057544eed3c67, 0, 1402438742),
    // threshold 2^20 - 1: the compaction loop with rare rejections.
    ("PCG64", 3, 1, 0, 4293918721, "int64", 20001, false, 0x4583a02a07b4e487, 0x92a3ec2872c109f4, 1, 486099552),
    // the benchmark range, 3 * 10^6 elements.
    ("PCG64", 1, 1, 0, 10, "int64", 3000001, false, 0x12146767e2ba1f83, 0x384bf6b91e93298b, 0, 1834220664),
    // threshold 2^30: the compaction loop (one draw in four rejected).
    ("PCG64", 5, 0, 0, 3221225472, "int64", 20001, false, 0xd991cf89d8232be6, 0xac22553610d15e3f, 0, 2246149357),
    ("PCG64", 5, 1, 0, 4294967291, "int64", 3001, false, 0xe740173c3d0dca5a, 0x543f60ff87ba1427, 0, 1507157517),
    // rng = 2^32 - 1: plain next_uint32 draws.
    ("PCG64", 5, 1, 10, 4294967306, "int64", 3001, false, 0xdbacdfe09c61cc45, 0x543f60ff87ba1427, 0, 1507157517),
    // 64-bit range: next_uint64 draws, the split buffer untouched.
    ("PCG64", 5, 0, 0, 1099511627779, "int64", 3001, false, 0x25c851615cdcd4de, 0x3eb2aba48a3dccba, 0, 0),
    ("PCG64", 11, 1, -100, 100, "int32", 4099, true, 0x4b960c75b5985073, 0xbc6b9e8c61ffc8a1, 0, 3364203920),
    ("PCG64", 11, 0, 0, 4294705153, "uint32", 200001, false, 0x20d879a8b76ab3f3, 0xf5f36d0138d8ac58, 1, 2241366365),
    ("PCG64", 11, 1, 0, 2147483655, "uint64", 5003, false, 0xaa2c7d20d1eee8a4, 0x51b8495263b06b02, 0, 1648182942),
    ("PCG64", 11, 1, -3, 5, "int8", 1001, false, 0x72ee9f88ec1f6ad5, 0x45c063d0ad60588e, 0, 2763607141),
    ("PCG64", 11, 1, 0, 200, "uint8", 1001, true, 0xaef79e8448477a01, 0xa6e56675f9be6f70, 1, 2587733812),
    ("PCG64", 11, 1, -300, 3000, "int16", 1001, false, 0xce71b7af158c82ed, 0x8bc4ba58351c5620, 0, 3475487133),
    ("PCG64DXSM", 2, 1, 0, 10, "int64", 6001, false, 0x0ad1a6fb3c5dfca0, 0xa222186dbeb7471f, 0, 483823454),
    ("Philox", 2, 1, 0, 1000, "int64", 6001, false, 0x0ab019221ff7b550, 0x99b1e9fb6c42c9e1, 0, 761304920),
    ("SFC64", 2, 1, 0, 4294705153, "int64", 200001, false, 0x355cbeaf8cd3b0ba, 0x999dd69e158d7d54, 0, 1560102638),
    ("MT19937", 2, 1, 0, 10, "int64", 6001, false, 0xe75501e969263a03, 0xd7d703c9aab25af5, 0, 0),
    ("MT19937", 2, 0, 0, 4294705153, "int64", 200001, false, 0x512b7b63a7355c8f, 0x2576642d962685bb, 0, 0),
];

#[test]
fn integers_match_numpy() {
    for &(kind, seed, pre, lo, hi, dt, n, endpoint, h_out, h_next, has, uinteger) in NUMPY_CASES {
        let what = format!("{kind}({seed}) pre={pre} integers({lo}, {hi}, {n}, {dt})");
        let mut g = gen(kind, seed);
        if pre != 0 {
            integers(&mut g, 0, 10, DType::I64, 1, false);
        }
        let out = integers(&mut g, lo, hi, dtype(dt), n, endpoint);
        assert_eq!(out.dtype().name(), dt, "{what}");
        assert_eq!(fnv(&out.data.to_le_bytes()), h_out, "values of {what}");
        let next = g.random(Some(&[5]), DType::F64).unwrap();
        assert_eq!(
            fnv(&next.data.to_le_bytes()),
            h_next,
            "random(5) after {what}"
        );
        assert_eq!(g.bitgen.has_uint32, has != 0, "has_uint32 after {what}");
        assert_eq!(g.bitgen.uinteger, uinteger, "uinteger after {what}");
    }
}

/// `buffered_bounded_lemire_uint32` (`distributions.c`) one draw at a time on the plain
/// `BitGenerator`, counting the rejected draws.
fn lemire32_reference(b: &mut BitGenerator, rng: u32, rejections: &mut usize) -> u32 {
    let rng_excl = rng.wrapping_add(1);
    let mut m = b.next_uint32() as u64 * rng_excl as u64;
    let mut leftover = m as u32;
    if leftover < rng_excl {
        let threshold = rng_excl.wrapping_neg() % rng_excl;
        while leftover < threshold {
            *rejections += 1;
            m = b.next_uint32() as u64 * rng_excl as u64;
            leftover = m as u32;
        }
    }
    (m >> 32) as u32
}

/// Values as `i128` whatever the dtype.
fn values(a: &NdArray) -> Vec<i128> {
    (0..a.data.len())
        .map(|i| a.data.get_i128(i).unwrap())
        .collect()
}

const SIZES: &[usize] = &[
    0, 1, 2, 3, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 2047, 2048, 2049, 4095, 4096,
    4097, 6145, 10_001,
];

/// The sequential reference for a 32-bit Lemire range `[lo, lo + rng]` at a width holding it
/// (int32/uint32/int64/uint64): values, rejections, final state and the draws that follow.
#[test]
fn lemire32_fills_match_sequential_reference() {
    let ranges: &[(i128, u32)] = &[
        (0, 9),
        (-5, 7),
        (0, 1),
        (100, 999),
        (0, 0x8000_0006),          // 2^31 + 7 values: about half the draws rejected
        (0, 0xbfff_ffff),          // threshold 2^30: compaction loop
        (0, 0xfffc_0000),          // threshold 2^18 - 1: vector pass, rare rejections
        (0, 0xfffc_0001),          // threshold 2^18 - 2
        (0, 0xfffb_ffff),          // threshold 2^18: compaction loop, rare rejections
        (0, 0xfff0_0000),          // threshold 2^20 - 1
        (-7, 0xffff_fffa),         // 2^32 - 5 values
        (0, 0xffff_fffe),          // 2^32 - 1 values
        (-(1 << 31), 0xffff_fffe), // int32 minus one value
    ];
    let mut total_rejections = 0;
    for kind in ["PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937"] {
        for (ri, &(lo, rng)) in ranges.iter().enumerate() {
            for pre in [false, true] {
                for (ni, &n) in SIZES.iter().enumerate() {
                    // Fewer combinations for the slower generators.
                    if kind != "PCG64" && (ni + ri) % 3 != 0 {
                        continue;
                    }
                    let hi = lo + rng as i128;
                    let dts: &[DType] = if lo >= 0 && hi <= u32::MAX as i128 {
                        &[DType::I64, DType::U64, DType::U32]
                    } else if lo >= i32::MIN as i128 && hi <= i32::MAX as i128 {
                        &[DType::I64, DType::I32]
                    } else {
                        &[DType::I64]
                    };
                    for &dt in dts {
                        let what = format!("{kind} lo={lo} rng={rng} pre={pre} n={n} {dt:?}");
                        let mut g = gen(kind, 42 + ri as u128);
                        if pre {
                            g.bitgen.next_uint32();
                        }
                        let mut r = g.bitgen.clone();
                        let endpoint = (ni % 2) == 1;
                        let out = if endpoint {
                            integers(&mut g, lo, hi, dt, n, true)
                        } else {
                            integers(&mut g, lo, hi + 1, dt, n, false)
                        };
                        let mut rej = 0;
                        let want: Vec<i128> = (0..n)
                            .map(|_| lo + lemire32_reference(&mut r, rng, &mut rej) as i128)
                            .collect();
                        total_rejections += rej;
                        assert_eq!(values(&out), want, "values of {what}");
                        assert_eq!(g.bitgen, r, "state after {what}");
                        let got_next: Vec<u32> = (0..3).map(|_| g.bitgen.next_uint32()).collect();
                        let want_next: Vec<u32> = (0..3).map(|_| r.next_uint32()).collect();
                        assert_eq!(got_next, want_next, "draws after {what}");
                    }
                }
            }
        }
    }
    assert!(total_rejections > 1000, "rejections: {total_rejections}");
}

/// Rejections in the vector pass: at threshold 2^18 - 1 about 25 of 4 * 10^5 draws are
/// rejected, at various positions in the 256-element runs and the 2048-draw blocks; the result,
/// the number of draws and the final state are those of the reference.
#[test]
fn sparse_rejections_are_resynchronised() {
    let rng = 0xfffc_0000u32;
    for seed in 0..4u128 {
        for pre in [false, true] {
            let n = 400_000 + seed as usize;
            let mut g = gen("PCG64", seed);
            if pre {
                g.bitgen.next_uint32();
            }
            let mut r = g.bitgen.clone();
            let out = integers(&mut g, 0, rng as i128 + 1, DType::I64, n, false);
            let mut rej = 0;
            let want: Vec<i128> = (0..n)
                .map(|_| lemire32_reference(&mut r, rng, &mut rej) as i128)
                .collect();
            assert!(rej >= 5, "seed {seed}: only {rej} rejections");
            assert_eq!(values(&out), want, "seed {seed} pre={pre}");
            assert_eq!(g.bitgen, r, "state, seed {seed} pre={pre}");
        }
    }
}

/// Calls in a row continue the same stream (odd sizes leave a pending half that the next call
/// takes first), matching the element-wise `random_bounded_uint64` loop on the plain
/// `BitGenerator`; 64-bit ranges in between use `next_uint64` and keep the pending half.
#[test]
fn consecutive_calls_continue_the_stream() {
    let mut g = gen("PCG64", 2024);
    let mut r = g.bitgen.clone();
    let calls: &[(i128, i128, usize)] = &[
        (0, 10, 33),
        (0, 10, 4097),
        (-5, 3, 1),
        (0, 1 << 40, 7),
        (0, 3 << 30, 999),
        (0, 10, 2048),
        (0, 1 << 32, 65),
        (0, 10, 0),
        (0, 0xfff0_0001, 5001),
    ];
    for &(lo, hi, n) in calls {
        let out = integers(&mut g, lo, hi, DType::I64, n, false);
        let rng = (hi - 1 - lo) as u64;
        let want: Vec<i128> = (0..n)
            .map(|_| {
                random_bounded_uint64(&mut r, lo as u64, rng, gen_mask(rng), false) as i64 as i128
            })
            .collect();
        assert_eq!(values(&out), want, "integers({lo}, {hi}, {n})");
        assert_eq!(g.bitgen, r, "state after integers({lo}, {hi}, {n})");
    }
    let a = g.random(Some(&[4]), DType::F64).unwrap();
    let b = Generator::new(r).random(Some(&[4]), DType::F64).unwrap();
    assert_eq!(a.data, b.data);
}
