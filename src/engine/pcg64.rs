//! PCG64 (XSL-RR 128/64) and PCG64DXSM (cheap-multiplier DXSM 128/64), as in NumPy.
//!
//! Mirrors `numpy/random/src/pcg64/pcg64.h` (`pcg_setseq_128_srandom_r`,
//! `pcg_setseq_128_xsl_rr_64_random_r`, `pcg_cm_random_r`, `pcg_output_cm_128_64`),
//! `numpy/random/src/pcg64/pcg64.c` (`pcg_advance_lcg_128`, `pcg64_set_seed`) and the
//! seeding in `numpy/random/_pcg64.pyx` (`PCG64.__init__`, `PCG64DXSM.__init__`).

use super::seed_sequence::SeedSequence;
use super::Engine64;

/// `PCG_DEFAULT_MULTIPLIER_128`.
pub const PCG_DEFAULT_MULTIPLIER_128: u128 = 0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645;
/// `PCG_CHEAP_MULTIPLIER_128`: the 64-bit multiplier of PCG64DXSM's LCG (and of its output
/// function).
pub const PCG_CHEAP_MULTIPLIER: u64 = 0xda94_2042_e4dd_58b5;
/// The jump step of `PCG64.jumped()` / `PCG64DXSM.jumped()` (`_pcg64.pyx: jump_inplace`):
/// `(phi - 1) * 2^128`.
pub const PCG64_JUMP: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835;

/// `pcg_advance_lcg_128`: the state after `delta` steps of `x -> x * mult + plus` (mod 2^128).
pub fn advance_lcg_128(
    state: u128,
    mut delta: u128,
    mut cur_mult: u128,
    mut cur_plus: u128,
) -> u128 {
    let mut acc_mult: u128 = 1;
    let mut acc_plus: u128 = 0;
    while delta > 0 {
        if delta & 1 == 1 {
            acc_mult = acc_mult.wrapping_mul(cur_mult);
            acc_plus = acc_plus.wrapping_mul(cur_mult).wrapping_add(cur_plus);
        }
        cur_plus = cur_mult.wrapping_add(1).wrapping_mul(cur_plus);
        cur_mult = cur_mult.wrapping_mul(cur_mult);
        delta >>= 1;
    }
    acc_mult.wrapping_mul(state).wrapping_add(acc_plus)
}

/// `generate_state(4, np.uint64)` split as `pcg64_set_seed` reads it:
/// `initstate = v0:v1`, `initseq = v2:v3` (high word first).
fn seed_words(ss: &SeedSequence) -> (u128, u128) {
    let v = ss.generate_state_u64(4);
    let initstate = (u128::from(v[0]) << 64) | u128::from(v[1]);
    let initseq = (u128::from(v[2]) << 64) | u128::from(v[3]);
    (initstate, initseq)
}

/// `pcg_setseq_128_srandom_r` with the default multiplier: used by BOTH PCG64 and PCG64DXSM.
fn srandom(initstate: u128, initseq: u128) -> (u128, u128) {
    let inc = (initseq << 1) | 1;
    let step = |s: u128| s.wrapping_mul(PCG_DEFAULT_MULTIPLIER_128).wrapping_add(inc);
    let state = step(step(0).wrapping_add(initstate));
    (state, inc)
}

/// NumPy's PCG64: a 128-bit LCG with the XSL-RR output, stepping before output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pcg64 {
    /// LCG state.
    pub state: u128,
    /// LCG increment (always odd).
    pub inc: u128,
}

impl Pcg64 {
    /// `pcg_setseq_128_srandom_r(initstate, initseq)`:
    /// `inc = initseq << 1 | 1`, `state = 0`, step, `state += initstate`, step.
    pub fn new(initstate: u128, initseq: u128) -> Self {
        let (state, inc) = srandom(initstate, initseq);
        Pcg64 { state, inc }
    }

    /// `PCG64(seed_seq)`: `v = generate_state(4, uint64)`, `new(v0:v1, v2:v3)`.
    pub fn from_seed_sequence(ss: &SeedSequence) -> Self {
        let (a, b) = seed_words(ss);
        Self::new(a, b)
    }

    /// `pcg_setseq_128_xsl_rr_64_random_r`: step, then
    /// `rotr64(hi ^ lo, state >> 122)` of the new state.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self
            .state
            .wrapping_mul(PCG_DEFAULT_MULTIPLIER_128)
            .wrapping_add(self.inc);
        let s = self.state;
        (((s >> 64) as u64) ^ (s as u64)).rotate_right((s >> 122) as u32)
    }

    /// `pcg_setseq_128_advance_r`: jump ahead `delta` steps (mod 2^128, so
    /// `delta = 2^128 - k` goes back `k` steps).
    pub fn advance(&mut self, delta: u128) {
        self.state = advance_lcg_128(self.state, delta, PCG_DEFAULT_MULTIPLIER_128, self.inc);
    }

    /// XSL-RR output of a state.
    #[inline(always)]
    fn output(s: u128) -> u64 {
        (((s >> 64) as u64) ^ (s as u64)).rotate_right((s >> 122) as u32)
    }

    /// Fills `out` with the next `out.len()` outputs, exactly as that many calls of
    /// [`Self::next_u64`]. The LCG is run as [`LANES`] interleaved chains (each stepping
    /// `LANES` positions at once with the composed multiplier/increment), which breaks the
    /// serial multiply-add dependency without changing any output.
    pub fn fill_u64(&mut self, out: &mut [u64]) {
        self.fill_map(out, |w| w);
    }

    /// `out[i] = f(w_i)` for the next `out.len()` outputs `w_i` (as [`Self::fill_u64`]
    /// followed by a map, without the intermediate buffer).
    #[inline]
    pub fn fill_map<T>(&mut self, out: &mut [T], f: impl Fn(u64) -> T) {
        if out.is_empty() {
            return;
        }
        let m = PCG_DEFAULT_MULTIPLIER_128;
        let first = self.state.wrapping_mul(m).wrapping_add(self.inc);
        self.state = fill_lcg(first, m, self.inc, out, |s| f(Self::output(s)));
    }
}

/// Chains of a lane-parallel LCG fill.
pub const LANES: usize = 4;

/// `(A, C)` of `LANES` steps of `x -> x * mult + inc`: `A = mult^L`, `C = inc * (mult^(L-1) +
/// ... + 1)` (mod 2^128).
#[inline]
fn composed(mult: u128, inc: u128) -> (u128, u128) {
    let mut a: u128 = 1;
    let mut c: u128 = 0;
    for _ in 0..LANES {
        a = a.wrapping_mul(mult);
        c = c.wrapping_mul(mult).wrapping_add(inc);
    }
    (a, c)
}

/// Lane-parallel LCG fill shared by PCG64 and PCG64DXSM: `out[i] = out_of(x_i)` with
/// `x_{i+1} = x_i * mult + inc`, starting from `x_0 = x0`. Returns `x_{n-1}`, the state the
/// last element was computed from (`x0` when `out` is empty).
#[inline(always)]
fn fill_lcg<T>(x0: u128, mult: u128, inc: u128, out: &mut [T], out_of: impl Fn(u128) -> T) -> u128 {
    let mut last = x0;
    if out.len() < 2 * LANES {
        let mut x = x0;
        for o in out.iter_mut() {
            *o = out_of(x);
            last = x;
            x = x.wrapping_mul(mult).wrapping_add(inc);
        }
        return last;
    }
    let (a, c) = composed(mult, inc);
    let mut s = [0u128; LANES];
    let mut cur = x0;
    for sj in s.iter_mut() {
        *sj = cur;
        cur = cur.wrapping_mul(mult).wrapping_add(inc);
    }
    let mut chunks = out.chunks_exact_mut(LANES);
    for chunk in &mut chunks {
        for j in 0..LANES {
            chunk[j] = out_of(s[j]);
        }
        last = s[LANES - 1];
        for sj in s.iter_mut() {
            *sj = sj.wrapping_mul(a).wrapping_add(c);
        }
    }
    // `s[j]` is now `x_{4q + j}` for the first element after the whole chunks.
    for (o, &x) in chunks.into_remainder().iter_mut().zip(&s) {
        *o = out_of(x);
        last = x;
    }
    last
}

impl Engine64 for Pcg64 {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        Pcg64::next_u64(self)
    }
}

/// NumPy's PCG64DXSM: same state and seeding as [`Pcg64`], DXSM output of the pre-step state,
/// then a step with the cheap 64-bit multiplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pcg64Dxsm {
    /// LCG state.
    pub state: u128,
    /// LCG increment (always odd).
    pub inc: u128,
}

impl Pcg64Dxsm {
    /// `pcg64_set_seed` as `PCG64DXSM` calls it: the *default-multiplier*
    /// `pcg_setseq_128_srandom_r`, so `PCG64DXSM(s).state == PCG64(s).state`.
    pub fn new(initstate: u128, initseq: u128) -> Self {
        let (state, inc) = srandom(initstate, initseq);
        Pcg64Dxsm { state, inc }
    }

    /// `PCG64DXSM(seed_seq)`: `v = generate_state(4, uint64)`, `new(v0:v1, v2:v3)`.
    pub fn from_seed_sequence(ss: &SeedSequence) -> Self {
        let (a, b) = seed_words(ss);
        Self::new(a, b)
    }

    /// `pcg_cm_random_r`: DXSM output of the current state, then
    /// `state = state * 0xda942042e4dd58b5 + inc`.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let mut hi = (self.state >> 64) as u64;
        let lo = (self.state as u64) | 1;
        hi ^= hi >> 32;
        hi = hi.wrapping_mul(PCG_CHEAP_MULTIPLIER);
        hi ^= hi >> 48;
        hi = hi.wrapping_mul(lo);
        self.state = self
            .state
            .wrapping_mul(u128::from(PCG_CHEAP_MULTIPLIER))
            .wrapping_add(self.inc);
        hi
    }

    /// DXSM output of a state.
    #[inline(always)]
    fn output(s: u128) -> u64 {
        let mut hi = (s >> 64) as u64;
        let lo = (s as u64) | 1;
        hi ^= hi >> 32;
        hi = hi.wrapping_mul(PCG_CHEAP_MULTIPLIER);
        hi ^= hi >> 48;
        hi.wrapping_mul(lo)
    }

    /// Fills `out` with the next `out.len()` outputs, exactly as that many calls of
    /// [`Self::next_u64`] (lane-parallel, see [`Pcg64::fill_u64`]).
    pub fn fill_u64(&mut self, out: &mut [u64]) {
        self.fill_map(out, |w| w);
    }

    /// `out[i] = f(w_i)` for the next `out.len()` outputs `w_i`.
    #[inline]
    pub fn fill_map<T>(&mut self, out: &mut [T], f: impl Fn(u64) -> T) {
        if out.is_empty() {
            return;
        }
        let m = u128::from(PCG_CHEAP_MULTIPLIER);
        let last = fill_lcg(self.state, m, self.inc, out, |s| f(Self::output(s)));
        self.state = last.wrapping_mul(m).wrapping_add(self.inc);
    }

    /// `pcg_cm_advance_r`: jump ahead `delta` steps (mod 2^128) with the cheap multiplier.
    pub fn advance(&mut self, delta: u128) {
        self.state = advance_lcg_128(
            self.state,
            delta,
            u128::from(PCG_CHEAP_MULTIPLIER),
            self.inc,
        );
    }
}

impl Engine64 for Pcg64Dxsm {
    #[inline]
    fn next_u64(&mut self) -> u64 {
        Pcg64Dxsm::next_u64(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcg64_golden() {
        let mut g = Pcg64::from_seed_sequence(&SeedSequence::from_u128(0));
        assert_eq!(g.state, 0x1aa1b5345996452d09585eb7a69561e3);
        assert_eq!(g.inc, 0x418ddadb3af71a82588133bc447873a9);
        let raw: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
        assert_eq!(
            raw,
            [0xa30febcfd9c2825f, 0x4510bdf882d9d721, 0x0a7d3da94ecde8b8]
        );
    }

    #[test]
    fn dxsm_golden() {
        let mut g = Pcg64Dxsm::from_seed_sequence(&SeedSequence::from_u128(0));
        assert_eq!(g.state, 0x1aa1b5345996452d09585eb7a69561e3);
        let raw: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
        assert_eq!(
            raw,
            [0xd97e4a147f788a70, 0x8dfa7bce56e3a253, 0x13556ed9f53d3c10]
        );
    }

    #[test]
    fn fills_match_stepping() {
        for n in [0usize, 1, 3, 4, 7, 8, 9, 16, 17, 1001] {
            let mut a = Pcg64::new(11, 13);
            let mut b = a;
            let want: Vec<u64> = (0..n).map(|_| a.next_u64()).collect();
            let mut got = vec![0u64; n];
            b.fill_u64(&mut got);
            assert_eq!(got, want, "pcg64 n={n}");
            assert_eq!(a, b);
            let mut a = Pcg64Dxsm::new(11, 13);
            let mut b = a;
            let want: Vec<u64> = (0..n).map(|_| a.next_u64()).collect();
            let mut got = vec![0u64; n];
            b.fill_u64(&mut got);
            assert_eq!(got, want, "dxsm n={n}");
            assert_eq!(a, b);
        }
    }

    #[test]
    fn advance_matches_stepping() {
        let mut a = Pcg64::new(7, 9);
        let mut b = a;
        for _ in 0..1000 {
            a.next_u64();
        }
        b.advance(1000);
        assert_eq!(a, b);
        b.advance(u128::MAX - 999); // back 1000
        assert_eq!(b, Pcg64::new(7, 9));
        let mut c = Pcg64Dxsm::new(7, 9);
        let mut d = c;
        for _ in 0..1000 {
            c.next_u64();
        }
        d.advance(1000);
        assert_eq!(c, d);
    }
}
