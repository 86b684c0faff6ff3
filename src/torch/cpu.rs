//! PyTorch's CPU generator, `at::CPUGeneratorImpl`, bit for bit.
//!
//! * Engine: torch's own MT19937 (`aten/src/ATen/core/MT19937RNGEngine.h`), with its data layout
//!   `(seed_, left_, seeded_, next_, state_[624])`, kept verbatim because `get_rng_state` exposes it.
//! * Generator: `random()` / `random64()` (first draw = high word), the two normal caches, seeding
//!   and the 5056-byte state blob (`aten/src/ATen/CPUGeneratorImpl.cpp`).
//! * Kernels: [`ops`] (`aten/src/ATen/native/cpu/DistributionTemplates.h` and friends), per
//!   [`CpuCapability`].

pub mod ops;

pub use ops::*;

use crate::{Error, Result};

/// Which of torch's per-CPU-capability kernel builds to reproduce (`ATEN_CPU_CAPABILITY`).
///
/// torch 2.15 registers no AVX-512 variant for any distribution stub, so on AVX-512 machines
/// (and with `ATEN_CPU_CAPABILITY=avx512`) it runs the AVX2 kernels: use [`CpuCapability::Avx2`].
/// Checked against torch 2.15: `avx512` and `avx2` give identical streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CpuCapability {
    /// The scalar `DEFAULT` build: no FMA contraction, generic `NormalFill16` with `logf`/`sinf`/`cosf`.
    Default,
    /// The `AVX2` build (`-mavx2 -mfma`): contracted `a*b+c`, avx_mathfun `NormalFill16<float>`.
    #[default]
    Avx2,
}

impl CpuCapability {
    /// Parses `default`, `avx2`, `avx512` (case-insensitive), as `ATEN_CPU_CAPABILITY` does.
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "default" => Ok(CpuCapability::Default),
            "avx2" | "avx512" => Ok(CpuCapability::Avx2),
            other => Err(Error::value(format!(
                "unknown CPU capability '{other}' (expected default, avx2 or avx512)"
            ))),
        }
    }

    /// True when torch's build for this capability contracts `a*b+c` into a fused multiply-add.
    pub fn fused(self) -> bool {
        self == CpuCapability::Avx2
    }
}

/// Seed of a fresh `torch.Generator()` (`default_rng_seed_val`, `c10/core/GeneratorImpl.h`).
pub const DEFAULT_RNG_SEED: u64 = 67_280_421_310_721;

/// Size in bytes of `torch.get_rng_state()` (`CPUGeneratorImplState`, `CPUGeneratorImpl.cpp`).
pub const STATE_SIZE: usize = 5056;

const N: usize = 624;
#[cfg(test)]
const M: usize = 397;
#[cfg(test)]
const MATRIX_A: u32 = 0x9908_b0df;
#[cfg(test)]
const UMASK: u32 = 0x8000_0000;
#[cfg(test)]
const LMASK: u32 = 0x7fff_ffff;

/// torch's MT19937 engine with its exact data (`at::mt19937_data_pod` in
/// `aten/src/ATen/core/MT19937RNGEngine.h`).
#[derive(Clone, PartialEq, Eq)]
pub struct TorchMt19937 {
    /// Full 64-bit seed as given (only the low 32 bits seed the words).
    pub seed: u64,
    /// Draws left before the next twist (`left_`).
    pub left: i32,
    /// `seeded_`.
    pub seeded: bool,
    /// Index of the next word (`next_`).
    pub next: u32,
    /// The 624 state words.
    pub state: [u32; N],
}

impl std::fmt::Debug for TorchMt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TorchMt19937")
            .field("seed", &self.seed)
            .field("left", &self.left)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl TorchMt19937 {
    /// `mt19937(seed)` → `init_with_uint32`: Knuth's initialisation from the low 32 bits.
    pub fn new(seed: u64) -> Self {
        let mut state = [0u32; N];
        state[0] = seed as u32;
        for j in 1..N {
            let p = state[j - 1];
            state[j] = 1_812_433_253u32
                .wrapping_mul(p ^ (p >> 30))
                .wrapping_add(j as u32);
        }
        TorchMt19937 {
            seed,
            left: 1,
            seeded: true,
            next: 0,
            state,
        }
    }

    #[cfg(test)]
    fn twist(u: u32, v: u32) -> u32 {
        let mix = (u & UMASK) | (v & LMASK);
        (mix >> 1) ^ if v & 1 != 0 { MATRIX_A } else { 0 }
    }

    /// `next_state()`: regenerates all words, `left_ = 624`, `next_ = 0`. The recurrence is
    /// NumPy's (`s[j] = s[j+M] ^ twist(s[j], s[j+1])`), so it runs the shared vectorised twist
    /// ([`crate::engine::mt19937::twist_key`]).
    pub fn next_state(&mut self) {
        self.left = N as i32;
        self.next = 0;
        crate::engine::mt19937::twist_key(&mut self.state);
    }

    /// The reference `next_state` loop (kept for the equivalence test of the fast twist).
    #[cfg(test)]
    fn next_state_reference(&mut self) {
        self.left = N as i32;
        self.next = 0;
        let s = &mut self.state;
        for j in 0..N - M {
            s[j] = s[j + M] ^ Self::twist(s[j], s[j + 1]);
        }
        for j in N - M..N - 1 {
            s[j] = s[j + M - N] ^ Self::twist(s[j], s[j + 1]);
        }
        s[N - 1] = s[M - 1] ^ Self::twist(s[N - 1], s[0]);
    }

    /// Fills `out` with the next `out.len()` outputs, exactly as that many calls of
    /// [`Self::next_u32`] (same values, same `left_`/`next_`), tempering contiguous runs of the
    /// state at once.
    pub fn fill_u32(&mut self, out: &mut [u32]) {
        let mut out = out;
        while !out.is_empty() {
            // Calls that do not twist: those that leave `left_ > 0`, reading state[next_..].
            let avail = (self.left.max(1) - 1) as usize;
            let start = self.next as usize;
            let take = avail.min(out.len()).min(N.saturating_sub(start));
            if take == 0 {
                out[0] = self.next_u32();
                out = &mut out[1..];
                continue;
            }
            let (head, tail) = out.split_at_mut(take);
            crate::engine::mt19937::temper_slice(&self.state[start..start + take], head);
            self.left -= take as i32;
            self.next += take as u32;
            out = tail;
        }
    }

    /// `operator()`: `if (--left_ == 0) next_state(); y = state_[next_++]`, tempered.
    pub fn next_u32(&mut self) -> u32 {
        self.left -= 1;
        if self.left == 0 {
            self.next_state();
        }
        // A state restored with next_ == 624 and left_ > 1 reads past the array in torch
        // (undefined behaviour); we wrap instead of panicking.
        let mut y = self.state[self.next as usize % N];
        self.next = self.next.wrapping_add(1);
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `is_valid()`: `seeded_ && 0 < left_ <= 624 && next_ <= 624`.
    pub fn is_valid(&self) -> bool {
        self.seeded && self.left > 0 && self.left <= N as i32 && self.next <= N as u32
    }
}

/// `at::CPUGeneratorImpl`: the MT19937 engine plus the cached second Box-Muller samples.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuGenerator {
    /// The engine.
    pub engine: TorchMt19937,
    /// `next_double_normal_sample_` (used by every scalar-path normal op).
    pub next_double_normal: Option<f64>,
    /// `next_float_normal_sample_` (never set by a torch 2.15 op; kept for the state bytes).
    pub next_float_normal: Option<f32>,
    /// Which kernel build to reproduce.
    pub capability: CpuCapability,
}

impl CpuGenerator {
    /// `CPUGeneratorImpl(seed)`.
    pub fn new(seed: u64, capability: CpuCapability) -> Self {
        CpuGenerator {
            engine: TorchMt19937::new(seed),
            next_double_normal: None,
            next_float_normal: None,
            capability,
        }
    }

    /// A fresh `torch.Generator()`: seeded with [`DEFAULT_RNG_SEED`].
    pub fn with_default_seed(capability: CpuCapability) -> Self {
        Self::new(DEFAULT_RNG_SEED, capability)
    }

    /// torch's reduction of a Python int seed to u64 (`THPGenerator_manualSeed` /
    /// `THPUtils_unpackUInt64` then `unpackLong`): `[0, 2^64)` as is, `[-2^63, 0)` as two's
    /// complement; anything else is `ValueError: Overflow when unpacking long long`.
    pub fn seed_from_int(seed: i128) -> Result<u64> {
        if (0..=u64::MAX as i128).contains(&seed) {
            Ok(seed as u64)
        } else if (i64::MIN as i128..0).contains(&seed) {
            Ok(seed as i64 as u64)
        } else {
            Err(Error::value("Overflow when unpacking long long"))
        }
    }

    /// `set_current_seed`: reseeds the engine and clears both normal caches.
    pub fn manual_seed(&mut self, seed: u64) {
        self.engine = TorchMt19937::new(seed);
        self.next_double_normal = None;
        self.next_float_normal = None;
    }

    /// `current_seed()` / `initial_seed()`: the full 64-bit seed.
    pub fn initial_seed(&self) -> u64 {
        self.engine.seed
    }

    /// `random()`: one 32-bit draw.
    pub fn random(&mut self) -> u32 {
        self.engine.next_u32()
    }

    /// `random64()`: two draws, the first is the high word (`make64BitsFrom32Bits`).
    pub fn random64(&mut self) -> u64 {
        let hi = self.engine.next_u32() as u64;
        let lo = self.engine.next_u32() as u64;
        (hi << 32) | lo
    }

    /// `get_state()`: the 5056-byte `CPUGeneratorImplState` (legacy TH layout, little-endian).
    pub fn get_state(&self) -> Vec<u8> {
        let mut b = vec![0u8; STATE_SIZE];
        let e = &self.engine;
        b[0..8].copy_from_slice(&e.seed.to_le_bytes());
        b[8..12].copy_from_slice(&e.left.to_le_bytes());
        b[12..16].copy_from_slice(&(e.seeded as i32).to_le_bytes());
        b[16..24].copy_from_slice(&(e.next as u64).to_le_bytes());
        for (i, w) in e.state.iter().enumerate() {
            let o = 24 + 8 * i;
            b[o..o + 8].copy_from_slice(&(*w as u64).to_le_bytes());
        }
        // normal_x (5016) and normal_rho (5032) stay 0.0.
        if let Some(y) = self.next_double_normal {
            b[5024..5032].copy_from_slice(&y.to_le_bytes());
            b[5040..5044].copy_from_slice(&1i32.to_le_bytes());
        }
        if let Some(f) = self.next_float_normal {
            b[5048..5052].copy_from_slice(&f.to_le_bytes());
            b[5052] = 1;
        }
        b
    }

    /// `set_state()`: validates the size (`Expected a CPUGeneratorImplState of size 5056 ...`)
    /// and the engine (`Invalid mt19937 state`), then restores engine and caches.
    pub fn set_state(&mut self, b: &[u8]) -> Result<()> {
        if b.len() != STATE_SIZE {
            return Err(Error::Runtime(format!(
                "Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG state size to be {}",
                b.len()
            )));
        }
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap_or([0; 8]));
        let i32_at = |o: usize| i32::from_le_bytes(b[o..o + 4].try_into().unwrap_or([0; 4]));
        let mut state = [0u32; N];
        for (i, w) in state.iter_mut().enumerate() {
            *w = u64_at(24 + 8 * i) as u32;
        }
        let engine = TorchMt19937 {
            seed: u64_at(0),
            left: i32_at(8),
            seeded: i32_at(12) != 0,
            next: u64_at(16) as u32,
            state,
        };
        if !engine.is_valid() {
            return Err(Error::Runtime("Invalid mt19937 state".into()));
        }
        self.engine = engine;
        self.next_double_normal = if i32_at(5040) != 0 {
            Some(f64::from_le_bytes(
                b[5024..5032].try_into().unwrap_or([0; 8]),
            ))
        } else {
            None
        };
        self.next_float_normal = if b[5052] != 0 {
            Some(f32::from_le_bytes(
                b[5048..5052].try_into().unwrap_or([0; 4]),
            ))
        } else {
            None
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_words_match_reference_mt() {
        // MT19937 init_genrand(5489) first output is 3499211612.
        let mut g = CpuGenerator::new(5489, CpuCapability::Avx2);
        assert_eq!(g.random(), 3_499_211_612);
        assert_eq!((g.engine.left, g.engine.next), (624, 1));
    }

    #[test]
    fn fast_engine_matches_reference() {
        let mut a = TorchMt19937::new(123);
        let mut b = a.clone();
        for _ in 0..3 {
            a.next_state();
            b.next_state_reference();
            assert_eq!(a.state, b.state);
        }
        for (left, next) in [(1, 0), (624, 0), (300, 325), (2, 623), (624, 1), (1, 624)] {
            for n in [0usize, 1, 2, 622, 623, 624, 625, 3000] {
                let mut a = TorchMt19937::new(9);
                a.next_state();
                a.left = left;
                a.next = next;
                let mut b = a.clone();
                let want: Vec<u32> = (0..n).map(|_| a.next_u32()).collect();
                let mut got = vec![0u32; n];
                b.fill_u32(&mut got);
                assert_eq!(got, want, "left={left} next={next} n={n}");
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn state_round_trip() {
        let mut g = CpuGenerator::new(42, CpuCapability::Avx2);
        g.random64();
        g.next_double_normal = Some(0.25);
        let s = g.get_state();
        let mut h = CpuGenerator::new(0, CpuCapability::Avx2);
        h.set_state(&s).unwrap();
        assert_eq!(g, h);
        assert!(h.set_state(&s[..100]).is_err());
    }

    #[test]
    fn seed_reduction() {
        assert_eq!(CpuGenerator::seed_from_int(-1).unwrap(), u64::MAX);
        assert!(CpuGenerator::seed_from_int(1 << 64).is_err());
    }
}
