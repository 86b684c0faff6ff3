//! Philox4x32-10, the counter-based generator behind `torch.cuda` (through cuRAND's device API).
//!
//! Two layers:
//! * [`philox4x32`] / [`philox4x32_10`]: the raw bijection of Salmon et al., "Parallel random
//!   numbers: as easy as 1, 2, 3" (SC'11), as specified by Random123 (`philox.h`) and reproduced
//!   by cuRAND's `curand_Philox4x32_10` (`curand_philox4x32_x.h`). Checked against Random123's
//!   `kat_vectors`.
//! * [`CurandPhilox`]: cuRAND's `curandStatePhilox4_32_10_t` with the exact semantics of
//!   `curand_init(seed, subsequence, offset, &state)`, `skipahead`, `skipahead_sequence`,
//!   `curand` and `curand4` (`curand_kernel.h`), including the carry quirk of cuRAND's
//!   `Philox_State_Incr(state, n)`.
//!
//! Engines produce raw 32-bit words only; the float conversions (`curand_uniform4`,
//! `curand_normal4`, ...) live in [`crate::torch::cuda`].

use super::Engine32;

/// Philox4x32 round multiplier applied to counter word 0 (`PHILOX_M4x32_0`).
pub const PHILOX_M4X32_0: u32 = 0xD251_1F53;
/// Philox4x32 round multiplier applied to counter word 2 (`PHILOX_M4x32_1`).
pub const PHILOX_M4X32_1: u32 = 0xCD9E_8D57;
/// Weyl key increment of key word 0 (`PHILOX_W32_0`, golden ratio).
pub const PHILOX_W32_0: u32 = 0x9E37_79B9;
/// Weyl key increment of key word 1 (`PHILOX_W32_1`, sqrt(3) - 1).
pub const PHILOX_W32_1: u32 = 0xBB67_AE85;

#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(b);
    ((p >> 32) as u32, p as u32)
}

#[inline(always)]
fn round(c: [u32; 4], k: [u32; 2]) -> [u32; 4] {
    let (hi0, lo0) = mulhilo(PHILOX_M4X32_0, c[0]);
    let (hi1, lo1) = mulhilo(PHILOX_M4X32_1, c[2]);
    [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0]
}

/// Philox4x32 with `rounds` rounds (Random123 `philox4x32_R`): the key is bumped by the Weyl
/// constants between rounds (never before the first one).
#[inline]
pub fn philox4x32(rounds: u32, ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = ctr;
    let mut k = key;
    for r in 0..rounds {
        if r > 0 {
            k[0] = k[0].wrapping_add(PHILOX_W32_0);
            k[1] = k[1].wrapping_add(PHILOX_W32_1);
        }
        c = round(c, k);
    }
    c
}

/// Philox4x32-10: the 128-bit block for counter `ctr` under key `key` (cuRAND
/// `curand_Philox4x32_10(uint4 c, uint2 k)`, Random123 `philox4x32(ctr, key)`).
#[inline]
pub fn philox4x32_10(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = ctr;
    let mut k = key;
    c = round(c, k);
    for _ in 1..10 {
        k[0] = k[0].wrapping_add(PHILOX_W32_0);
        k[1] = k[1].wrapping_add(PHILOX_W32_1);
        c = round(c, k);
    }
    c
}

/// The cuRAND key for a 64-bit seed: `(lo32(seed), hi32(seed))` (`curand_init`).
#[inline]
pub fn curand_key(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// The block the `r`-th `curand4` call returns after `curand_init(seed, subsequence, offset)`
/// when `offset % 4 == 0` (always the case for PyTorch, whose offsets are multiples of 4).
///
/// cuRAND places `offset / 4` in counter words (x, y) and the subsequence in (z, w); every
/// `curand4` advances the 128-bit counter by one with full carry, so the `r`-th call reads
/// counter `subsequence * 2^64 + offset / 4 + r` (mod 2^128). This is the direct, O(1) form
/// of [`CurandPhilox::new`] followed by `r + 1` calls of [`CurandPhilox::curand4`].
#[inline]
pub fn curand_block(seed: u64, subsequence: u64, offset: u64, r: u64) -> [u32; 4] {
    let c = ((u128::from(subsequence)) << 64)
        .wrapping_add(u128::from(offset / 4))
        .wrapping_add(u128::from(r));
    philox4x32_10(
        [
            c as u32,
            (c >> 32) as u32,
            (c >> 64) as u32,
            (c >> 96) as u32,
        ],
        curand_key(seed),
    )
}

/// [`curand_block`] for the `L` consecutive subsequences `first .. first + L` (same seed,
/// offset and call number): `out[l] = curand_block(seed, first + l, offset, r)`.
#[inline]
pub fn curand_blocks<const L: usize>(seed: u64, first: u64, offset: u64, r: u64) -> [[u32; 4]; L] {
    // Counter = subsequence * 2^64 + offset / 4 + r (mod 2^128), as in `curand_block`.
    // The blocks are independent, so the out-of-order core overlaps their rounds; scalar
    // 32x32->64 multiplies beat SSE2 lanes here (`pmuludq` needs shuffles on every round).
    let low = u128::from(offset / 4) + u128::from(r);
    let key = curand_key(seed);
    let mut out = [[0u32; 4]; L];
    for (l, b) in out.iter_mut().enumerate() {
        let c = (u128::from(first.wrapping_add(l as u64)) << 64).wrapping_add(low);
        *b = philox4x32_10(
            [
                c as u32,
                (c >> 32) as u32,
                (c >> 64) as u32,
                (c >> 96) as u32,
            ],
            key,
        );
    }
    out
}

/// [`curand_blocks`] in structure-of-arrays form: `out[w][l]` is word `w` of
/// `curand_block(seed, first + l, offset, r)`. Every round works on whole lane arrays, which
/// LLVM turns into SIMD 32x32->64-bit multiplies (`vpmuludq`) when the caller is compiled for
/// AVX2 (see `torch::cuda`'s `#[multiversion]` fill).
#[inline(always)]
#[allow(clippy::needless_range_loop)] // lane loops over several arrays vectorise as written
pub fn curand_blocks_soa<const L: usize>(
    seed: u64,
    first: u64,
    offset: u64,
    r: u64,
) -> [[u32; L]; 4] {
    let low = u128::from(offset / 4) + u128::from(r);
    let key = curand_key(seed);
    let mut c = [[0u32; L]; 4];
    for l in 0..L {
        let v = (u128::from(first.wrapping_add(l as u64)) << 64).wrapping_add(low);
        c[0][l] = v as u32;
        c[1][l] = (v >> 32) as u32;
        c[2][l] = (v >> 64) as u32;
        c[3][l] = (v >> 96) as u32;
    }
    let (mut k0, mut k1) = (key[0], key[1]);
    for round in 0..10 {
        if round > 0 {
            k0 = k0.wrapping_add(PHILOX_W32_0);
            k1 = k1.wrapping_add(PHILOX_W32_1);
        }
        let mut n = [[0u32; L]; 4];
        for l in 0..L {
            let p0 = u64::from(PHILOX_M4X32_0) * u64::from(c[0][l]);
            let p1 = u64::from(PHILOX_M4X32_1) * u64::from(c[2][l]);
            n[0][l] = ((p1 >> 32) as u32) ^ c[1][l] ^ k0;
            n[1][l] = p1 as u32;
            n[2][l] = ((p0 >> 32) as u32) ^ c[3][l] ^ k1;
            n[3][l] = p0 as u32;
        }
        c = n;
    }
    c
}

/// cuRAND's `curandStatePhilox4_32_10_t` (the Box-Muller caches are not modelled: PyTorch only
/// calls the 4-wide and 2-wide generators, which never touch them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurandPhilox {
    ctr: [u32; 4],
    output: [u32; 4],
    key: [u32; 2],
    state: u32,
}

impl CurandPhilox {
    /// `curand_init(seed, subsequence, offset, &state)`: key = the 64-bit seed, counter = 0,
    /// then `skipahead_sequence(subsequence)` and `skipahead(offset)` (`curand_kernel.h`).
    pub fn new(seed: u64, subsequence: u64, offset: u64) -> Self {
        let mut s = CurandPhilox {
            ctr: [0; 4],
            output: [0; 4],
            key: curand_key(seed),
            state: 0,
        };
        s.skipahead_sequence(subsequence);
        s.skipahead(offset);
        s
    }

    /// The current 128-bit counter `(x, y, z, w)`.
    pub fn counter(&self) -> [u32; 4] {
        self.ctr
    }

    /// The key `(lo32(seed), hi32(seed))`.
    pub fn key(&self) -> [u32; 2] {
        self.key
    }

    /// Index (0..=3) of the next word of the current block that [`Self::curand`] returns
    /// (cuRAND's `STATE`).
    pub fn word_index(&self) -> u32 {
        self.state
    }

    /// cuRAND `Philox_State_Incr(state, n)`: adds `n` to counter words (x, y), carrying into z
    /// and w. Reproduces cuRAND's carry test `if (nhi <= ctr.y) return;` exactly, including the
    /// case where a carry out of x wraps `nhi` to 0 and the carry into z is lost.
    fn incr_n(&mut self, n: u64) {
        let nlo = n as u32;
        let mut nhi = (n >> 32) as u32;
        self.ctr[0] = self.ctr[0].wrapping_add(nlo);
        if self.ctr[0] < nlo {
            nhi = nhi.wrapping_add(1);
        }
        self.ctr[1] = self.ctr[1].wrapping_add(nhi);
        if nhi <= self.ctr[1] {
            return;
        }
        self.ctr[2] = self.ctr[2].wrapping_add(1);
        if self.ctr[2] != 0 {
            return;
        }
        self.ctr[3] = self.ctr[3].wrapping_add(1);
    }

    /// cuRAND `Philox_State_Incr(state)`: a 128-bit increment by one.
    fn incr(&mut self) {
        for w in self.ctr.iter_mut() {
            *w = w.wrapping_add(1);
            if *w != 0 {
                return;
            }
        }
    }

    /// cuRAND `Philox_State_Incr_hi(state, n)`: adds `n` to counter words (z, w).
    fn incr_hi(&mut self, n: u64) {
        let nlo = n as u32;
        let mut nhi = (n >> 32) as u32;
        self.ctr[2] = self.ctr[2].wrapping_add(nlo);
        if self.ctr[2] < nlo {
            nhi = nhi.wrapping_add(1);
        }
        self.ctr[3] = self.ctr[3].wrapping_add(nhi);
    }

    fn refresh(&mut self) {
        self.output = philox4x32_10(self.ctr, self.key);
    }

    /// cuRAND `skipahead(n, state)`: skips `n` 32-bit outputs.
    pub fn skipahead(&mut self, n: u64) {
        self.state += (n & 3) as u32;
        let mut n = n / 4;
        if self.state > 3 {
            n += 1;
            self.state -= 4;
        }
        self.incr_n(n);
        self.refresh();
    }

    /// cuRAND `skipahead_sequence(n, state)`: skips `n` subsequences of 2^66 outputs.
    pub fn skipahead_sequence(&mut self, n: u64) {
        self.incr_hi(n);
        self.refresh();
    }

    /// cuRAND `curand(state)`: the next 32-bit word.
    pub fn curand(&mut self) -> u32 {
        let ret = self.output[self.state as usize];
        self.state += 1;
        if self.state == 4 {
            self.incr();
            self.refresh();
            self.state = 0;
        }
        ret
    }

    /// cuRAND `curand4(state)`: the next four words. With `STATE == 0` this is the current
    /// block; otherwise a window over the current and the next block (the counter advances by
    /// one block either way).
    pub fn curand4(&mut self) -> [u32; 4] {
        let tmp = self.output;
        self.incr();
        self.refresh();
        let o = self.output;
        match self.state {
            1 => [tmp[1], tmp[2], tmp[3], o[0]],
            2 => [tmp[2], tmp[3], o[0], o[1]],
            3 => [tmp[3], o[0], o[1], o[2]],
            _ => tmp,
        }
    }
}

impl Engine32 for CurandPhilox {
    fn next_u32(&mut self) -> u32 {
        self.curand()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn soa_blocks_equal_single_blocks() {
        for &(seed, first, offset, r) in &[
            (0u64, 0u64, 0u64, 0u64),
            (42, 1000, 8, 3),
            (u64::MAX, u64::MAX - 5, u64::MAX - 3, 7),
            (0x1234_5678_9abc_def0, 1 << 40, 1 << 62, u64::MAX),
        ] {
            let soa = curand_blocks_soa::<16>(seed, first, offset, r);
            for l in 0..16 {
                let b = curand_block(seed, first.wrapping_add(l as u64), offset, r);
                for w in 0..4 {
                    assert_eq!(soa[w][l], b[w], "seed {seed} lane {l} word {w}");
                }
            }
        }
    }

    // Random123 kat_vectors, "philox4x32 10" lines: counter, key, expected output.
    const KAT: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
        (
            [0, 0, 0, 0],
            [0, 0],
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
        ),
        (
            [u32::MAX; 4],
            [u32::MAX; 2],
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
        ),
        (
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
            [0xa4093822, 0x299f31d0],
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
        ),
    ];

    #[test]
    fn random123_known_answers() {
        for (ctr, key, want) in KAT {
            assert_eq!(philox4x32_10(ctr, key), want);
            assert_eq!(philox4x32(10, ctr, key), want);
        }
    }

    #[test]
    fn init_places_subsequence_and_offset() {
        let s = CurandPhilox::new(
            0x1234_5678_9abc_def0,
            0x1111_2222_3333_4444,
            4 * 0x5555_6666,
        );
        assert_eq!(s.counter(), [0x5555_6666, 0, 0x3333_4444, 0x1111_2222]);
        assert_eq!(s.key(), [0x9abc_def0, 0x1234_5678]);
        assert_eq!(s.word_index(), 0);
    }

    #[test]
    fn lanes_match_single_blocks() {
        for (seed, first, offset, r) in [
            (42u64, 0u64, 0u64, 0u64),
            (7, u64::MAX - 3, 12, 5),
            (u64::MAX, 1 << 40, u64::MAX - 3, 9),
        ] {
            let b: [[u32; 4]; 8] = curand_blocks(seed, first, offset, r);
            for (l, blk) in b.iter().enumerate() {
                assert_eq!(
                    *blk,
                    curand_block(seed, first.wrapping_add(l as u64), offset, r)
                );
            }
        }
    }

    #[test]
    fn curand4_matches_direct_block() {
        let mut s = CurandPhilox::new(42, 7, 12);
        for r in 0..5 {
            assert_eq!(s.curand4(), curand_block(42, 7, 12, r));
        }
    }

    #[test]
    fn curand_words_and_unaligned_offsets() {
        // curand() word by word walks the blocks in order; an offset that is not a multiple
        // of 4 starts inside a block, and curand4 then returns the straddling window.
        let mut a = CurandPhilox::new(99, 3, 0);
        let words: Vec<u32> = (0..16).map(|_| a.curand()).collect();
        for off in 0..8u64 {
            let mut b = CurandPhilox::new(99, 3, off);
            assert_eq!(b.curand(), words[off as usize]);
            let mut c = CurandPhilox::new(99, 3, off);
            let w = c.curand4();
            assert_eq!(w.to_vec(), words[off as usize..off as usize + 4].to_vec());
        }
    }

    #[test]
    fn incr_n_carry_quirk() {
        // ctr.x + nlo overflows, nhi wraps to 0 and cuRAND's carry test drops the carry into z.
        let mut s = CurandPhilox::new(1, 0, 0);
        s.ctr = [u32::MAX, u32::MAX, 5, 0];
        s.incr_n(0xFFFF_FFFF_0000_0001);
        assert_eq!(s.ctr, [0, u32::MAX, 5, 0]);
        // An ordinary carry out of y reaches z.
        s.ctr = [u32::MAX, u32::MAX, 5, 0];
        s.incr_n(1);
        assert_eq!(s.ctr, [0, 0, 6, 0]);
    }
}
