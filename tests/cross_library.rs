//! Cross-library facts the README states: legacy NumPy and torch's CPU generator both run
//! MT19937, and for seeds below 2^32 `np.random.seed(s)` and `torch.manual_seed(s)` start the
//! same 624-word state. What differs is each library's transform of the words.

use seedbridge::array::{DType, Data};
use seedbridge::engine::mt19937::Mt19937;
use seedbridge::torch::cpu::{ops, CpuCapability, CpuGenerator};

const SEEDS: [u32; 6] = [0, 1, 42, 5489, 123_456_789, u32::MAX];

#[test]
fn same_initial_mt19937_state_for_seeds_below_2_pow_32() {
    for s in SEEDS {
        let np = Mt19937::init_genrand(s);
        let t = CpuGenerator::new(s as u64, CpuCapability::Avx2);
        assert_eq!(np.key, t.engine.state, "seed {s}");
    }
}

#[test]
fn torch_uses_the_low_32_bits_of_a_64_bit_seed() {
    // torch keeps the full seed for initial_seed() but seeds MT19937 with seed & 0xffffffff;
    // NumPy's legacy seed() rejects anything >= 2^32.
    let big = (7u64 << 32) | 42;
    let t = CpuGenerator::new(big, CpuCapability::Avx2);
    assert_eq!(t.initial_seed(), big);
    assert_eq!(t.engine.state, Mt19937::init_genrand(42).key);
}

#[test]
fn same_words_different_transforms() {
    for s in SEEDS {
        // The raw word stream is identical...
        let mut np = Mt19937::init_genrand(s);
        let mut t = CpuGenerator::new(s as u64, CpuCapability::Avx2);
        let words: Vec<u32> = (0..2000).map(|_| np.next_u32()).collect();
        let twords: Vec<u32> = (0..2000).map(|_| t.random()).collect();
        assert_eq!(words, twords, "seed {s}");

        // ...torch.rand (float32, fewer than 16 elements: the scalar path) keeps the low 24 bits
        // of one word: (w & 0xffffff) * 2^-24.
        let mut t = CpuGenerator::new(s as u64, CpuCapability::Avx2);
        let r = ops::rand(&mut t, &[10], DType::F32).expect("rand");
        let Data::F32(v) = r.data else {
            panic!("float32 expected")
        };
        for (i, x) in v.iter().enumerate() {
            let expect = (words[i] & 0xff_ffff) as f32 * (1.0 / 16_777_216.0);
            assert_eq!(x.to_bits(), expect.to_bits(), "seed {s} element {i}");
        }

        // ...while np.random.rand (float64) takes 27 + 26 bits of TWO words:
        // ((a >> 5) * 2^26 + (b >> 6)) / 2^53 — so the two libraries' values never coincide.
        let a = words[0] >> 5;
        let b = words[1] >> 6;
        let np_first = (a as f64 * 67_108_864.0 + b as f64) / 9_007_199_254_740_992.0;
        assert_ne!(np_first, v[0] as f64);
    }
}
