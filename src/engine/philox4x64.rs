//! Philox4x64-10, the counter-based generator behind NumPy's `Philox` bit generator.
//!
//! Mirrors `numpy/random/src/philox/philox.h` (`_philox4x64round`, `_philox4x64bumpkey`,
//! `philox4x64_R`, `philox_next`), `numpy/random/src/philox/philox.c` (`philox_jump`,
//! `philox_advance`) and the seeding in `numpy/random/_philox.pyx` (`Philox.__init__`,
//! `_reset_state_variables`).

use super::seed_sequence::SeedSequence;
use super::Engine64;

/// `PHILOX_BUFFER_SIZE`: outputs per block.
pub const BUFFER_SIZE: usize = 4;
/// Philox4x64 round multiplier applied to counter word 0.
pub const PHILOX_M0: u64 = 0xD2E7_470E_E14C_6C93;
/// Philox4x64 round multiplier applied to counter word 2.
pub const PHILOX_M1: u64 = 0xCA5A_8263_9512_1157;
/// Key bump for key word 0 (golden ratio).
pub const PHILOX_W0: u64 = 0x9E37_79B9_7F4A_7C15;
/// Key bump for key word 1 (sqrt(3) - 1).
pub const PHILOX_W1: u64 = 0xBB67_AE85_84CA_A73B;
/// `philox4x64_rounds`.
pub const ROUNDS: usize = 10;

/// `mulhilo64`: (high, low) halves of the 128-bit product.
#[inline]
fn mulhilo(a: u64, b: u64) -> (u64, u64) {
    let p = u128::from(a) * u128::from(b);
    ((p >> 64) as u64, p as u64)
}

/// `philox4x64_R(10, ctr, key)`: the Philox4x64-10 block function. The key is bumped before
/// rounds 2..10, not before round 1.
pub fn philox4x64_10(ctr: [u64; 4], key: [u64; 2]) -> [u64; 4] {
    let mut c = ctr;
    let mut k = key;
    for r in 0..ROUNDS {
        if r > 0 {
            k[0] = k[0].wrapping_add(PHILOX_W0);
            k[1] = k[1].wrapping_add(PHILOX_W1);
        }
        let (hi0, lo0) = mulhilo(PHILOX_M0, c[0]);
        let (hi1, lo1) = mulhilo(PHILOX_M1, c[2]);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// [`philox4x64_10`] on `L` independent counters at once (the rounds interleaved across
/// lanes for instruction-level parallelism); lane `l` equals `philox4x64_10(ctrs[l], key)`.
#[inline(always)]
pub fn philox4x64_10_lanes<const L: usize>(ctrs: [[u64; 4]; L], key: [u64; 2]) -> [[u64; 4]; L] {
    let mut c = ctrs;
    let mut k = key;
    for r in 0..ROUNDS {
        if r > 0 {
            k[0] = k[0].wrapping_add(PHILOX_W0);
            k[1] = k[1].wrapping_add(PHILOX_W1);
        }
        for cl in c.iter_mut() {
            let (hi0, lo0) = mulhilo(PHILOX_M0, cl[0]);
            let (hi1, lo1) = mulhilo(PHILOX_M1, cl[2]);
            *cl = [hi1 ^ cl[1] ^ k[0], lo1, hi0 ^ cl[3] ^ k[1], lo0];
        }
    }
    c
}

/// The 256-bit counter plus one (with carry), as `philox_next` increments it.
#[inline(always)]
fn incr(mut ctr: [u64; 4]) -> [u64; 4] {
    for w in ctr.iter_mut() {
        *w = w.wrapping_add(1);
        if *w != 0 {
            break;
        }
    }
    ctr
}

/// NumPy's Philox4x64-10 state: 256-bit counter, 128-bit key and a 4-word output buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Philox4x64 {
    /// The counter, little-endian 64-bit words (`ctr.v[0]` least significant).
    pub ctr: [u64; 4],
    /// The key (`key.v[0]`, `key.v[1]`).
    pub key: [u64; 2],
    /// The last block's outputs.
    pub buffer: [u64; 4],
    /// Next buffer index to return; `>= 4` means "compute a new block first".
    pub buffer_pos: usize,
}

impl Philox4x64 {
    /// A generator with the given key and counter, empty buffer (`buffer_pos = 4`, buffer
    /// zero): `Philox(key=..., counter=...)`.
    pub fn new(key: [u64; 2], counter: [u64; 4]) -> Self {
        Philox4x64 {
            ctr: counter,
            key,
            buffer: [0; 4],
            buffer_pos: BUFFER_SIZE,
        }
    }

    /// `Philox(seed_seq)`: `key = generate_state(2, uint64)`, counter 0.
    pub fn from_seed_sequence(ss: &SeedSequence) -> Self {
        let k = ss.generate_state_u64(2);
        Self::new([k[0], k[1]], [0; 4])
    }

    /// `philox_next`: return the next buffered word; when the buffer is exhausted, increment
    /// the counter FIRST (with carry), compute a new block, return its word 0.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        if self.buffer_pos < BUFFER_SIZE {
            let out = self.buffer[self.buffer_pos];
            self.buffer_pos += 1;
            return out;
        }
        for w in self.ctr.iter_mut() {
            *w = w.wrapping_add(1);
            if *w != 0 {
                break;
            }
        }
        self.buffer = philox4x64_10(self.ctr, self.key);
        self.buffer_pos = 1;
        self.buffer[0]
    }

    /// Fills `out` with the next `out.len()` outputs, exactly as that many calls of
    /// [`Self::next_u64`] (same values, same final counter, buffer and position), computing
    /// whole blocks four at a time.
    pub fn fill_u64(&mut self, out: &mut [u64]) {
        const L: usize = 4;
        let mut out = out;
        while self.buffer_pos < BUFFER_SIZE && !out.is_empty() {
            out[0] = self.buffer[self.buffer_pos];
            self.buffer_pos += 1;
            out = &mut out[1..];
        }
        let mut groups = out.chunks_exact_mut(BUFFER_SIZE * L);
        for g in &mut groups {
            let mut ctrs = [[0u64; 4]; L];
            let mut c = self.ctr;
            for cl in ctrs.iter_mut() {
                c = incr(c);
                *cl = c;
            }
            let blocks = philox4x64_10_lanes(ctrs, self.key);
            for (dst, b) in g.chunks_exact_mut(BUFFER_SIZE).zip(&blocks) {
                dst.copy_from_slice(b);
            }
            self.ctr = c;
            self.buffer = blocks[L - 1];
            self.buffer_pos = BUFFER_SIZE;
        }
        for o in groups.into_remainder() {
            *o = self.next_u64();
        }
    }

    /// `philox_advance` followed by the buffer reset of `_reset_state_variables`: add `delta`
    /// (256-bit, little-endian words, mod 2^256) to the counter — i.e. skip `delta` blocks of
    /// 4 outputs from the counter's position — then empty the buffer (`buffer_pos = 4`,
    /// buffer zeroed).
    pub fn advance(&mut self, delta: [u64; 4]) {
        let mut carry = false;
        for (w, d) in self.ctr.iter_mut().zip(delta) {
            let (s1, c1) = w.overflowing_add(d);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *w = s2;
            carry = c1 || c2;
        }
        self.buffer = [0; 4];
        self.buffer_pos = BUFFER_SIZE;
    }

    /// `philox_jump`: `ctr.v[2] += 1` with carry into `ctr.v[3]` (2^128 blocks). Like the C
    /// function it leaves the buffer alone; NumPy's `jumped()` goes through `advance` instead,
    /// which also empties the buffer.
    pub fn jump(&mut self) {
        self.ctr[2] = self.ctr[2].wrapping_add(1);
        if self.ctr[2] == 0 {
            self.ctr[3] = self.ctr[3].wrapping_add(1);
        }
    }
}

impl Engine64 for Philox4x64 {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        Philox4x64::next_u64(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_seed_zero() {
        let mut g = Philox4x64::from_seed_sequence(&SeedSequence::from_u128(0));
        assert_eq!(g.key, [0xdb2cd7e7b0f478be, 0xabf4641a2c71ba49]);
        let raw: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
        assert_eq!(
            raw,
            [0x0399e5b222b82fa9, 0x41fd08c1f00f3bc5, 0x78b8824162ee4d04]
        );
    }

    #[test]
    fn fill_matches_next() {
        for pos in 0..=4usize {
            for n in [0usize, 1, 3, 4, 5, 16, 17, 33, 100] {
                let mut a = Philox4x64::new([5, 6], [u64::MAX - 3, u64::MAX, 0, 0]);
                a.next_u64();
                a.buffer_pos = pos;
                let mut b = a;
                let want: Vec<u64> = (0..n).map(|_| a.next_u64()).collect();
                let mut got = vec![0u64; n];
                b.fill_u64(&mut got);
                assert_eq!(got, want, "pos {pos} n {n}");
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn advance_carries() {
        let mut g = Philox4x64::new([1, 2], [u64::MAX, u64::MAX, 5, 0]);
        g.advance([1, 0, 0, 0]);
        assert_eq!(g.ctr, [0, 0, 6, 0]);
        g.advance([u64::MAX, u64::MAX, u64::MAX, u64::MAX]); // -1
        assert_eq!(g.ctr, [u64::MAX, u64::MAX, 5, 0]);
        g.jump();
        assert_eq!(g.ctr, [u64::MAX, u64::MAX, 6, 0]);
    }
}
