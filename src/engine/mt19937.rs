//! The 32-bit Mersenne Twister MT19937, state-compatible with NumPy's `mt19937_state`.
//!
//! Mirrors `numpy/random/src/mt19937/mt19937.c` (`mt19937_seed`, `init_genrand`,
//! `mt19937_init_by_array`, `mt19937_gen`), `numpy/random/src/mt19937/mt19937.h`
//! (`mt19937_next`: twist when `pos == 624`, then temper `key[pos++]`) and the seeding in
//! `numpy/random/_mt19937.pyx` (`MT19937.__init__`). The jump-ahead lives in
//! [`crate::engine::mt19937_jump`].

use super::seed_sequence::SeedSequence;
use super::Engine32;
use crate::{Error, Result};

/// State length `N` (`RK_STATE_LEN`).
pub const N: usize = 624;
/// Twist offset `M`.
pub const M: usize = 397;
/// `MATRIX_A`.
pub const MATRIX_A: u32 = 0x9908_b0df;
/// `UPPER_MASK`.
pub const UPPER_MASK: u32 = 0x8000_0000;
/// `LOWER_MASK`.
pub const LOWER_MASK: u32 = 0x7fff_ffff;

/// MT19937 state: the 624-word key and the read position (`624` = twist before the next
/// draw), laid out as NumPy's `mt19937_state` and its `state['state']` dict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mt19937 {
    /// The 624 state words.
    pub key: [u32; N],
    /// Index of the next word to temper, `0..=624`.
    pub pos: usize,
}

/// MT19937 output tempering (`mt19937_next`).
#[inline]
pub fn temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^ (y >> 18)
}

/// One twist of word `i` given its successor and the word `M` ahead (reference recurrence).
#[inline]
fn twist_word(cur: u32, next: u32, far: u32) -> u32 {
    let y = (cur & UPPER_MASK) | (next & LOWER_MASK);
    far ^ (y >> 1) ^ (0u32.wrapping_sub(y & 1) & MATRIX_A)
}

/// Eight lanes of [`twist_word`] (written on arrays so that LLVM vectorises it).
#[inline(always)]
fn twist8(cur: &[u32], next: &[u32], far: &[u32]) -> [u32; 8] {
    let mut o = [0u32; 8];
    for j in 0..8 {
        o[j] = twist_word(cur[j], next[j], far[j]);
    }
    o
}

/// The whole-array twist of `mt19937_gen` (the reference recurrence `key[i] =
/// twist(key[i], key[i+1], key[(i+M) % N])` for `i = 0..624` in order), in three runs without
/// modulo, eight words at a time: in the first run every input is an old word; in the second
/// the word `M - N` back was rewritten at least 227 > 8 positions earlier, so processing eight
/// consecutive words together reads exactly what the one-by-one loop reads. Also used by
/// torch's engine ([`crate::torch::cpu::TorchMt19937`]), whose twist is the same recurrence.
/// Compiled twice: for AVX2 (eight lanes per instruction, chosen at run time when the
/// processor has it) and for the portable baseline; both compute the same words.
#[multiversion::multiversion(targets("x86_64+avx2"))]
pub fn twist_key(k: &mut [u32; N]) {
    let mut i = 0;
    while i + 8 <= N - M {
        let v = twist8(&k[i..i + 8], &k[i + 1..i + 9], &k[i + M..i + M + 8]);
        k[i..i + 8].copy_from_slice(&v);
        i += 8;
    }
    while i < N - M {
        k[i] = twist_word(k[i], k[i + 1], k[i + M]);
        i += 1;
    }
    while i + 8 < N {
        let v = twist8(&k[i..i + 8], &k[i + 1..i + 9], &k[i + M - N..i + M - N + 8]);
        k[i..i + 8].copy_from_slice(&v);
        i += 8;
    }
    while i < N - 1 {
        k[i] = twist_word(k[i], k[i + 1], k[i + M - N]);
        i += 1;
    }
    k[N - 1] = twist_word(k[N - 1], k[0], k[M - 1]);
}

/// `dst[i] = temper(src[i])` (vectorised by LLVM; AVX2 clone chosen at run time).
#[multiversion::multiversion(targets("x86_64+avx2"))]
pub fn temper_slice(src: &[u32], dst: &mut [u32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = temper(s);
    }
}

/// Knuth's linear-congruential fill used by `init_genrand` / `mt19937_seed`.
fn knuth_fill(seed: u32) -> [u32; N] {
    let mut key = [0u32; N];
    key[0] = seed;
    for i in 1..N {
        let prev = key[i - 1];
        key[i] = 1_812_433_253u32
            .wrapping_mul(prev ^ (prev >> 30))
            .wrapping_add(i as u32);
    }
    key
}

impl Mt19937 {
    /// `mt19937_seed` / reference `init_genrand(seed)`: `key[0] = seed` (no MSB forcing),
    /// `pos = 624`. This is the legacy `RandomState(int)` seeding.
    pub fn init_genrand(seed: u32) -> Self {
        Mt19937 {
            key: knuth_fill(seed),
            pos: N,
        }
    }

    /// `mt19937_init_by_array`: the reference `init_by_array`, ending with
    /// `key[0] = 0x80000000`, `pos = 624`. This is the legacy `RandomState([ints])` seeding.
    /// An empty `init_key` is treated as `[0]` (NumPy refuses an empty seed before getting here).
    pub fn init_by_array(init_key: &[u32]) -> Self {
        let init_key: &[u32] = if init_key.is_empty() { &[0] } else { init_key };
        let mut mt = Self::init_genrand(19_650_218);
        let k = &mut mt.key;
        let len = init_key.len();
        let mut i = 1usize;
        let mut j = 0usize;
        for _ in 0..N.max(len) {
            let prev = k[i - 1];
            k[i] = (k[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(init_key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                k[0] = k[N - 1];
                i = 1;
            }
            if j >= len {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = k[i - 1];
            k[i] =
                (k[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                k[0] = k[N - 1];
                i = 1;
            }
        }
        k[0] = 0x8000_0000;
        mt
    }

    /// `MT19937(seed_seq)` (`_mt19937.pyx: MT19937.__init__`): `val = generate_state(624)`,
    /// `key[0] = 0x80000000`, `key[1..] = val[1..]`, and `pos = 623` (the Cython loop
    /// variable leaks into `pos`), so the first output is `temper(val[623])` before any twist.
    pub fn from_seed_sequence(ss: &SeedSequence) -> Self {
        let val = ss.generate_state_u32(N);
        let mut key = [0u32; N];
        key[1..].copy_from_slice(&val[1..]);
        key[0] = 0x8000_0000;
        Mt19937 { key, pos: N - 1 }
    }

    /// A state from its parts; `pos` must be in `0..=624`.
    pub fn from_state(key: [u32; N], pos: usize) -> Result<Self> {
        if pos > N {
            return Err(Error::value(format!(
                "MT19937 pos must be between 0 and 624, got {pos}"
            )));
        }
        Ok(Mt19937 { key, pos })
    }

    /// `mt19937_gen`: the whole-array twist; sets `pos = 0`.
    pub fn twist(&mut self) {
        twist_key(&mut self.key);
        self.pos = 0;
    }

    /// Fills `out` with the next `out.len()` outputs, exactly as that many calls of
    /// [`Self::next_u32`] (same values, same final state), tempering whole runs of the key at
    /// once.
    pub fn fill_u32(&mut self, out: &mut [u32]) {
        let mut out = out;
        while !out.is_empty() {
            if self.pos >= N {
                self.twist();
            }
            let take = (N - self.pos).min(out.len());
            let (head, tail) = out.split_at_mut(take);
            temper_slice(&self.key[self.pos..self.pos + take], head);
            self.pos += take;
            out = tail;
        }
    }

    /// `out[i] = mt19937_next_double()`: `((a >> 5) * 2^26 + (b >> 6)) / 2^53` from two
    /// consecutive outputs `a`, `b` (NumPy's `mt19937_next_double`), for every element, in
    /// order, with the same final state as the element-wise loop.
    pub fn fill_next_double(&mut self, out: &mut [f64]) {
        const CHUNK: usize = 256;
        let mut words = [0u32; 2 * CHUNK];
        for chunk in out.chunks_mut(CHUNK) {
            let w = &mut words[..2 * chunk.len()];
            self.fill_u32(w);
            for (o, p) in chunk.iter_mut().zip(w.chunks_exact(2)) {
                let a = p[0] >> 5;
                let b = p[1] >> 6;
                *o = (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0;
            }
        }
    }

    /// `mt19937_next`: twist if `pos == 624`, then temper `key[pos++]`.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= N {
            self.twist();
        }
        let y = self.key[self.pos];
        self.pos += 1;
        temper(y)
    }

    /// `mt19937_jump` (`mt19937_jump_state`): jump ahead 2^128 outputs, including NumPy's
    /// `pos >= 624 -> pos = 0` mapping. The resulting `pos` is generally not 0.
    pub fn jump(&mut self) {
        super::mt19937_jump::jump_state(self);
    }
}

impl Engine32 for Mt19937 {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        Mt19937::next_u32(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_genrand_golden() {
        let mt = Mt19937::init_genrand(0);
        assert_eq!(&mt.key[..3], &[0, 1, 1_812_433_255]);
        assert_eq!(mt.pos, 624);
    }

    #[test]
    fn seed_sequence_golden() {
        let mut mt = Mt19937::from_seed_sequence(&SeedSequence::from_u128(0));
        assert_eq!(mt.pos, 623);
        let raw: Vec<u32> = (0..3).map(|_| mt.next_u32()).collect();
        assert_eq!(raw, [0x7ab4ea94, 0x9b561119, 0x4957d02e]);
    }

    /// The reference twist, one word at a time with modulo indexing.
    fn reference_twist(k: &mut [u32; N]) {
        for i in 0..N {
            k[i] = twist_word(k[i], k[(i + 1) % N], k[(i + M) % N]);
        }
    }

    #[test]
    fn fast_twist_matches_reference() {
        let mut a = Mt19937::init_by_array(&[1, 2, 3]).key;
        let mut b = a;
        for _ in 0..5 {
            twist_key(&mut a);
            reference_twist(&mut b);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn fills_match_next_u32() {
        for start_pos in [0usize, 1, 300, 623, 624] {
            let mut base = Mt19937::init_genrand(77);
            base.twist();
            base.pos = start_pos;
            for n in [0usize, 1, 5, 623, 624, 625, 2000] {
                let mut a = base.clone();
                let mut b = base.clone();
                let want: Vec<u32> = (0..n).map(|_| a.next_u32()).collect();
                let mut got = vec![0u32; n];
                b.fill_u32(&mut got);
                assert_eq!(got, want);
                assert_eq!(a, b);
                let mut a = base.clone();
                let mut b = base.clone();
                let want: Vec<u64> = (0..n)
                    .map(|_| {
                        let x = a.next_u32() >> 5;
                        let y = a.next_u32() >> 6;
                        ((f64::from(x) * 67_108_864.0 + f64::from(y)) / 9_007_199_254_740_992.0)
                            .to_bits()
                    })
                    .collect();
                let mut got = vec![0f64; n];
                b.fill_next_double(&mut got);
                assert_eq!(got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), want);
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn from_state_rejects_bad_pos() {
        assert!(Mt19937::from_state([0; N], 625).is_err());
        assert!(Mt19937::from_state([0; N], 624).is_ok());
    }
}
