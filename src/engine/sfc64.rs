//! SFC64 (Chris Doty-Humphrey's Small Fast Chaotic generator), as NumPy's `SFC64`.
//!
//! Mirrors `numpy/random/src/sfc64/sfc64.h` (`sfc64_next`), `numpy/random/src/sfc64/sfc64.c`
//! (`sfc64_set_seed`: counter 1, then 12 discarded outputs) and `numpy/random/_sfc64.pyx`
//! (`SFC64.__init__`: three `uint64` seed words from the `SeedSequence`).

use super::seed_sequence::SeedSequence;
use super::Engine64;

/// NumPy's SFC64 state `s[0..4]`; `s[3]` is the counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sfc64 {
    /// `a`, `b`, `c` and the counter.
    pub s: [u64; 4],
}

impl Sfc64 {
    /// `sfc64_set_seed`: `s = [w0, w1, w2, 1]`, then discard 12 outputs.
    pub fn new_from_words(words: [u64; 3]) -> Self {
        let mut g = Sfc64 {
            s: [words[0], words[1], words[2], 1],
        };
        for _ in 0..12 {
            g.next_u64();
        }
        g
    }

    /// `SFC64(seed_seq)`: `new_from_words(generate_state(3, uint64))`.
    pub fn from_seed_sequence(ss: &SeedSequence) -> Self {
        let w = ss.generate_state_u64(3);
        Self::new_from_words([w[0], w[1], w[2]])
    }

    /// `sfc64_next`.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let [a, b, c, d] = self.s;
        let tmp = a.wrapping_add(b).wrapping_add(d);
        self.s = [
            b ^ (b >> 11),
            c.wrapping_add(c << 3),
            c.rotate_left(24).wrapping_add(tmp),
            d.wrapping_add(1),
        ];
        tmp
    }
}

impl Engine64 for Sfc64 {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        Sfc64::next_u64(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_seed_zero() {
        let mut g = Sfc64::from_seed_sequence(&SeedSequence::from_u128(0));
        let raw: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
        assert_eq!(
            raw,
            [0x91959e5fb96a6332, 0x3c1dd8a25a7e9f21, 0x657bdffc99798d9e]
        );
    }
}
