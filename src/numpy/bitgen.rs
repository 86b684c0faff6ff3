//! NumPy's bit generators as `bitgen_t`: the engine plus the per-generator glue that
//! distributions see (`next_uint64`, `next_uint32`, `next_double`, `next_raw`), the
//! `.state` dictionaries, `advance`, `jumped` and `spawn`.
//!
//! Mirrors `numpy/random/_mt19937.pyx` (`mt19937_uint64/uint32/double/raw`, `state`,
//! `jumped`), `numpy/random/_pcg64.pyx` (`PCG64`, `PCG64DXSM`: `state`, `advance`,
//! `jumped`), `numpy/random/_philox.pyx` (`Philox`: `state`, `advance`, `jumped`),
//! `numpy/random/_sfc64.pyx` (`SFC64.state`), `numpy/random/bit_generator.pyx`
//! (`BitGenerator.spawn`, `random_raw`), the uint32 split buffers of
//! `numpy/random/src/{pcg64/pcg64.h,philox/philox.h,sfc64/sfc64.h}` (`*_next32`),
//! `numpy/random/src/mt19937/mt19937.h` (`mt19937_next64`, `mt19937_next_double`) and
//! `numpy/random/_common.pxd: uint64_to_double`.

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::ToPrimitive;

use super::NpBitGen;
use crate::engine::mt19937::{Mt19937, N as MT_N};
use crate::engine::pcg64::{Pcg64, Pcg64Dxsm, PCG64_JUMP};
use crate::engine::philox4x64::Philox4x64;
use crate::engine::seed_sequence::SeedSequence;
use crate::engine::sfc64::Sfc64;
use crate::{Error, Result};

/// The engine behind a [`BitGenerator`].
// The MT19937 key is 2.5 KB; boxing it would put an indirection on every draw of the
// hottest generator, and bit generators are created rarely and never moved in bulk.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Engine {
    /// `numpy.random.MT19937` (also the engine of the legacy `RandomState`).
    Mt19937(Mt19937),
    /// `numpy.random.PCG64`.
    Pcg64(Pcg64),
    /// `numpy.random.PCG64DXSM`.
    Pcg64Dxsm(Pcg64Dxsm),
    /// `numpy.random.Philox` (Philox4x64-10).
    Philox(Philox4x64),
    /// `numpy.random.SFC64`.
    Sfc64(Sfc64),
}

/// A NumPy bit generator: engine, the uint32 split buffer of the 64-bit generators
/// (`has_uint32` / `uinteger`, unused by MT19937) and the `SeedSequence` it was built from.
#[derive(Clone, Debug, PartialEq)]
pub struct BitGenerator {
    /// The engine state.
    pub engine: Engine,
    /// Whether a high half is pending for the next `next_uint32` (64-bit engines only).
    pub has_uint32: bool,
    /// The pending high half.
    pub uinteger: u32,
    /// `bit_generator.seed_seq`; `None` after legacy seeding, `Philox(key=...)` and `jumped()`.
    pub seed_seq: Option<SeedSequence>,
}

/// `bit_generator.state`, one variant per NumPy class, with the fields of its dict.
#[derive(Clone, Debug, PartialEq)]
pub enum BitGenState {
    /// `{'bit_generator': 'MT19937', 'state': {'key': uint32[624], 'pos': int}}`. On
    /// `set_state`, `key` must have at least 624 words (extra words are ignored, as NumPy
    /// reads `key[0..624]`).
    Mt19937 {
        /// The 624 key words.
        key: Vec<u32>,
        /// Read position, `0..=624`.
        pos: usize,
    },
    /// `{'bit_generator': 'PCG64', 'state': {'state', 'inc'}, 'has_uint32', 'uinteger'}`.
    Pcg64 {
        /// LCG state.
        state: u128,
        /// LCG increment.
        inc: u128,
        /// Pending uint32 flag.
        has_uint32: bool,
        /// Pending uint32 value.
        uinteger: u32,
    },
    /// Same layout as [`BitGenState::Pcg64`], for `'PCG64DXSM'`.
    Pcg64Dxsm {
        /// LCG state.
        state: u128,
        /// LCG increment.
        inc: u128,
        /// Pending uint32 flag.
        has_uint32: bool,
        /// Pending uint32 value.
        uinteger: u32,
    },
    /// `{'bit_generator': 'Philox', 'state': {'counter', 'key'}, 'buffer', 'buffer_pos',
    /// 'has_uint32', 'uinteger'}`.
    Philox {
        /// 256-bit counter, little-endian words.
        counter: [u64; 4],
        /// 128-bit key, little-endian words.
        key: [u64; 2],
        /// The output buffer.
        buffer: [u64; 4],
        /// Next buffer index (`4` = empty).
        buffer_pos: usize,
        /// Pending uint32 flag.
        has_uint32: bool,
        /// Pending uint32 value.
        uinteger: u32,
    },
    /// `{'bit_generator': 'SFC64', 'state': {'state': uint64[4]}, 'has_uint32', 'uinteger'}`.
    Sfc64 {
        /// `s[0..4]`, the last word being the counter.
        state: [u64; 4],
        /// Pending uint32 flag.
        has_uint32: bool,
        /// Pending uint32 value.
        uinteger: u32,
    },
}

impl BitGenState {
    /// The `'bit_generator'` entry of the dict (NumPy's class name).
    pub fn bit_generator(&self) -> &'static str {
        match self {
            BitGenState::Mt19937 { .. } => "MT19937",
            BitGenState::Pcg64 { .. } => "PCG64",
            BitGenState::Pcg64Dxsm { .. } => "PCG64DXSM",
            BitGenState::Philox { .. } => "Philox",
            BitGenState::Sfc64 { .. } => "SFC64",
        }
    }
}

/// `uint64_to_double` (`_common.pxd`): `(x >> 11) * 2^-53`.
#[inline]
pub fn uint64_to_double(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// `x mod 2^bits` for a Python-style (possibly negative) integer: NumPy's `wrap_int`.
fn wrap_int(v: &BigInt, bits: usize) -> BigUint {
    let m = BigInt::from(1u8) << bits;
    let mut r = v % &m;
    if r.sign() == Sign::Minus {
        r += &m;
    }
    r.to_biguint().unwrap_or_default()
}

/// The `n` little-endian 64-bit words of `v` (which must be below `2^(64 n)`).
fn u64_words<const W: usize>(v: &BigUint) -> [u64; W] {
    let mut out = [0u64; W];
    for (o, d) in out.iter_mut().zip(v.to_u64_digits()) {
        *o = d;
    }
    out
}

impl BitGenerator {
    /// A bit generator around `engine`, with an empty uint32 buffer.
    pub fn from_engine(engine: Engine, seed_seq: Option<SeedSequence>) -> Self {
        BitGenerator {
            engine,
            has_uint32: false,
            uinteger: 0,
            seed_seq,
        }
    }

    /// `MT19937(ss)`, `PCG64(ss)`, `PCG64DXSM(ss)`, `Philox(ss)` or `SFC64(ss)`, by NumPy class
    /// name. The seed sequence is kept as `seed_seq` (for `spawn`).
    pub fn from_seed_sequence(kind: &str, ss: SeedSequence) -> Result<Self> {
        let engine = match kind {
            "MT19937" => Engine::Mt19937(Mt19937::from_seed_sequence(&ss)),
            "PCG64" => Engine::Pcg64(Pcg64::from_seed_sequence(&ss)),
            "PCG64DXSM" => Engine::Pcg64Dxsm(Pcg64Dxsm::from_seed_sequence(&ss)),
            "Philox" => Engine::Philox(Philox4x64::from_seed_sequence(&ss)),
            "SFC64" => Engine::Sfc64(Sfc64::from_seed_sequence(&ss)),
            other => {
                return Err(Error::Attribute(format!(
                    "module 'numpy.random' has no attribute '{other}'"
                )))
            }
        };
        Ok(Self::from_engine(engine, Some(ss)))
    }

    /// The bit generator of a legacy `RandomState` (`_legacy_seeding`: no seed sequence).
    pub fn legacy_mt19937(engine: Mt19937) -> Self {
        Self::from_engine(Engine::Mt19937(engine), None)
    }

    /// NumPy's class name: `MT19937`, `PCG64`, `PCG64DXSM`, `Philox` or `SFC64`.
    pub fn name(&self) -> &'static str {
        match &self.engine {
            Engine::Mt19937(_) => "MT19937",
            Engine::Pcg64(_) => "PCG64",
            Engine::Pcg64Dxsm(_) => "PCG64DXSM",
            Engine::Philox(_) => "Philox",
            Engine::Sfc64(_) => "SFC64",
        }
    }

    /// The fully qualified class name NumPy prints in AttributeErrors
    /// (`numpy.random._mt19937.MT19937`, ...).
    pub fn qualified_name(&self) -> &'static str {
        match &self.engine {
            Engine::Mt19937(_) => "numpy.random._mt19937.MT19937",
            Engine::Pcg64(_) => "numpy.random._pcg64.PCG64",
            Engine::Pcg64Dxsm(_) => "numpy.random._pcg64.PCG64DXSM",
            Engine::Philox(_) => "numpy.random._philox.Philox",
            Engine::Sfc64(_) => "numpy.random._sfc64.SFC64",
        }
    }

    fn no_attribute(&self, attr: &str) -> Error {
        Error::Attribute(format!(
            "'{}' object has no attribute '{attr}'",
            self.qualified_name()
        ))
    }

    /// `next_raw` (`random_raw()`): the engine's native output widened to `u64` — 32-bit
    /// values for MT19937. Does not touch the uint32 buffer.
    pub fn random_raw(&mut self) -> u64 {
        match &mut self.engine {
            Engine::Mt19937(e) => u64::from(e.next_u32()),
            Engine::Pcg64(e) => e.next_u64(),
            Engine::Pcg64Dxsm(e) => e.next_u64(),
            Engine::Philox(e) => e.next_u64(),
            Engine::Sfc64(e) => e.next_u64(),
        }
    }

    /// `_reset_state_variables` of the 64-bit generators (Philox also empties its block
    /// buffer, which its engine-level `advance` already does).
    fn reset_uint32(&mut self) {
        self.has_uint32 = false;
        self.uinteger = 0;
    }

    /// `advance(delta)`: PCG64 / PCG64DXSM step `delta mod 2^128` times; Philox adds
    /// `delta mod 2^256` to its counter (blocks of 4 outputs) and empties its buffer. Both reset
    /// the uint32 buffer. MT19937 and SFC64 have no `advance` (AttributeError).
    pub fn advance(&mut self, delta: &BigInt) -> Result<()> {
        match &mut self.engine {
            Engine::Pcg64(e) => e.advance(wrap_int(delta, 128).to_u128().unwrap_or(0)),
            Engine::Pcg64Dxsm(e) => e.advance(wrap_int(delta, 128).to_u128().unwrap_or(0)),
            Engine::Philox(e) => e.advance(u64_words::<4>(&wrap_int(delta, 256))),
            Engine::Mt19937(_) | Engine::Sfc64(_) => return Err(self.no_attribute("advance")),
        }
        self.reset_uint32();
        Ok(())
    }

    /// `jumped(jumps)`: a copy advanced by `jumps` jumps — MT19937: `jumps` times
    /// `mt19937_jump_state` (2^128 outputs each); PCG64/PCG64DXSM:
    /// `advance(0x9e3779b97f4a7c15f39cc0605cedc835 * jumps)`; Philox: `advance(jumps * 2^128)`.
    /// The uint32 buffer of the copy is reset. SFC64 has no `jumped` (AttributeError).
    ///
    /// NumPy gives the new instance a fresh OS-entropy `SeedSequence` (it is built with
    /// `self.__class__()`); that is not reproducible, so here `seed_seq` is `None`.
    pub fn jumped(&self, jumps: u64) -> Result<BitGenerator> {
        let mut out = BitGenerator::from_engine(self.engine.clone(), None);
        match &mut out.engine {
            Engine::Mt19937(e) => {
                for _ in 0..jumps {
                    e.jump();
                }
            }
            Engine::Pcg64(e) => e.advance(PCG64_JUMP.wrapping_mul(u128::from(jumps))),
            Engine::Pcg64Dxsm(e) => e.advance(PCG64_JUMP.wrapping_mul(u128::from(jumps))),
            Engine::Philox(e) => e.advance([0, 0, jumps, 0]),
            Engine::Sfc64(_) => return Err(self.no_attribute("jumped")),
        }
        Ok(out)
    }

    /// `BitGenerator.spawn(n)`: `type(self)(child)` for each child of `seed_seq.spawn(n)`.
    /// Without a seed sequence: `TypeError("The underlying SeedSequence does not implement
    /// spawning.")`.
    pub fn spawn(&mut self, n: usize) -> Result<Vec<BitGenerator>> {
        let name = self.name();
        let ss = self.seed_seq.as_mut().ok_or_else(|| {
            Error::type_err("The underlying SeedSequence does not implement spawning.")
        })?;
        ss.spawn(n)
            .into_iter()
            .map(|child| BitGenerator::from_seed_sequence(name, child))
            .collect()
    }

    /// `bit_generator.state`.
    pub fn state(&self) -> BitGenState {
        let (has_uint32, uinteger) = (self.has_uint32, self.uinteger);
        match &self.engine {
            Engine::Mt19937(e) => BitGenState::Mt19937 {
                key: e.key.to_vec(),
                pos: e.pos,
            },
            Engine::Pcg64(e) => BitGenState::Pcg64 {
                state: e.state,
                inc: e.inc,
                has_uint32,
                uinteger,
            },
            Engine::Pcg64Dxsm(e) => BitGenState::Pcg64Dxsm {
                state: e.state,
                inc: e.inc,
                has_uint32,
                uinteger,
            },
            Engine::Philox(e) => BitGenState::Philox {
                counter: e.ctr,
                key: e.key,
                buffer: e.buffer,
                buffer_pos: e.buffer_pos,
                has_uint32,
                uinteger,
            },
            Engine::Sfc64(e) => BitGenState::Sfc64 {
                state: e.s,
                has_uint32,
                uinteger,
            },
        }
    }

    /// `bit_generator.state = st`, with NumPy's check that the state is for this class:
    /// `ValueError("state must be for a MT19937 PRNG")` (MT19937, Philox), `"... PCG64 RNG"`
    /// (PCG64, PCG64DXSM) and, for SFC64, NumPy's literal (un-interpolated)
    /// `"state must be for a {self.__class__.__name__} RNG"`.
    ///
    /// NumPy does not range-check MT19937's `pos` (an out-of-range value is undefined
    /// behaviour in C); here `pos > 624` is refused with a ValueError. A key shorter than 624
    /// words is NumPy's IndexError.
    pub fn set_state(&mut self, st: BitGenState) -> Result<()> {
        if st.bit_generator() != self.name() {
            let msg = match self.engine {
                Engine::Mt19937(_) | Engine::Philox(_) => {
                    format!("state must be for a {} PRNG", self.name())
                }
                Engine::Pcg64(_) | Engine::Pcg64Dxsm(_) => {
                    format!("state must be for a {} RNG", self.name())
                }
                Engine::Sfc64(_) => "state must be for a {self.__class__.__name__} RNG".to_string(),
            };
            return Err(Error::value(msg));
        }
        match (&mut self.engine, st) {
            (Engine::Mt19937(e), BitGenState::Mt19937 { key, pos }) => {
                if key.len() < MT_N {
                    return Err(Error::Index(format!(
                        "index {} is out of bounds for axis 0 with size {}",
                        key.len(),
                        key.len()
                    )));
                }
                let mut k = [0u32; MT_N];
                k.copy_from_slice(&key[..MT_N]);
                *e = Mt19937::from_state(k, pos)?;
            }
            (
                Engine::Pcg64(e),
                BitGenState::Pcg64 {
                    state,
                    inc,
                    has_uint32,
                    uinteger,
                },
            ) => {
                *e = Pcg64 { state, inc };
                self.has_uint32 = has_uint32;
                self.uinteger = uinteger;
            }
            (
                Engine::Pcg64Dxsm(e),
                BitGenState::Pcg64Dxsm {
                    state,
                    inc,
                    has_uint32,
                    uinteger,
                },
            ) => {
                *e = Pcg64Dxsm { state, inc };
                self.has_uint32 = has_uint32;
                self.uinteger = uinteger;
            }
            (
                Engine::Philox(e),
                BitGenState::Philox {
                    counter,
                    key,
                    buffer,
                    buffer_pos,
                    has_uint32,
                    uinteger,
                },
            ) => {
                *e = Philox4x64 {
                    ctr: counter,
                    key,
                    buffer,
                    buffer_pos,
                };
                self.has_uint32 = has_uint32;
                self.uinteger = uinteger;
            }
            (
                Engine::Sfc64(e),
                BitGenState::Sfc64 {
                    state,
                    has_uint32,
                    uinteger,
                },
            ) => {
                *e = Sfc64 { s: state };
                self.has_uint32 = has_uint32;
                self.uinteger = uinteger;
            }
            // Names matched above, so the variants match.
            _ => return Err(Error::value("state does not match the bit generator")),
        }
        Ok(())
    }

    /// The split-buffer `next32` of the 64-bit generators: low half first, high half kept.
    #[inline]
    fn buffered_u32(&mut self, next: u64) -> u32 {
        self.has_uint32 = true;
        self.uinteger = (next >> 32) as u32;
        next as u32
    }
}

impl NpBitGen for BitGenerator {
    /// MT19937: `(first << 32) | second` (`mt19937_next64`); others: the raw 64-bit output.
    #[inline]
    fn next_uint64(&mut self) -> u64 {
        match &mut self.engine {
            Engine::Mt19937(e) => {
                let hi = u64::from(e.next_u32());
                let lo = u64::from(e.next_u32());
                (hi << 32) | lo
            }
            Engine::Pcg64(e) => e.next_u64(),
            Engine::Pcg64Dxsm(e) => e.next_u64(),
            Engine::Philox(e) => e.next_u64(),
            Engine::Sfc64(e) => e.next_u64(),
        }
    }

    /// MT19937: the raw 32-bit output. 64-bit engines: the pending high half if any, else the
    /// low half of a fresh 64-bit output (high half kept for the next call).
    #[inline]
    fn next_uint32(&mut self) -> u32 {
        if let Engine::Mt19937(e) = &mut self.engine {
            return e.next_u32();
        }
        if self.has_uint32 {
            self.has_uint32 = false;
            return self.uinteger;
        }
        let next = match &mut self.engine {
            Engine::Pcg64(e) => e.next_u64(),
            Engine::Pcg64Dxsm(e) => e.next_u64(),
            Engine::Philox(e) => e.next_u64(),
            Engine::Sfc64(e) => e.next_u64(),
            Engine::Mt19937(e) => return e.next_u32(),
        };
        self.buffered_u32(next)
    }

    /// MT19937: `((a >> 5) * 2^26 + (b >> 6)) / 2^53` from two outputs, `a` first
    /// (`mt19937_next_double`); others: `uint64_to_double(next64)`.
    #[inline]
    fn next_double(&mut self) -> f64 {
        match &mut self.engine {
            Engine::Mt19937(e) => {
                let a = e.next_u32() >> 5;
                let b = e.next_u32() >> 6;
                (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
            }
            Engine::Pcg64(e) => uint64_to_double(e.next_u64()),
            Engine::Pcg64Dxsm(e) => uint64_to_double(e.next_u64()),
            Engine::Philox(e) => uint64_to_double(e.next_u64()),
            Engine::Sfc64(e) => uint64_to_double(e.next_u64()),
        }
    }
}

/// Bulk `next_uint32`: a `bitgen_t` that can hand out many 32-bit draws at once, for the
/// bounded-integer fills of `distributions.c` (`random_bounded_uint64_fill`,
/// `random_bounded_uint32_fill`), which NumPy runs as one `next_uint32` call per draw.
pub trait BulkUint32: NpBitGen {
    /// `out[i] = next_uint32()` for every element, in order: the same values and the same
    /// final state (engine and uint32 split buffer) as that many calls.
    fn fill_uint32(&mut self, out: &mut [u32]) {
        for o in out.iter_mut() {
            *o = self.next_uint32();
        }
    }
}

impl BulkUint32 for BitGenerator {}

// ---------------------------------------------------------------------------------------------
// Monomorphised bit generators for bulk work
//
// `BitGenerator` dispatches on its engine for every word. Bulk fills instead `match` once and
// run the generic distribution code on one of the adapters below, each a `bitgen_t` view of
// one concrete engine with exactly the semantics of `BitGenerator`'s `NpBitGen` impl (same
// words, same uint32 split buffer, same final state).

/// A 64-bit engine that can produce many outputs at once ([`Pcg64::fill_u64`], ...).
pub trait BulkEngine64: Clone {
    /// The next raw output.
    fn next(&mut self) -> u64;
    /// The next `out.len()` raw outputs, as that many calls of [`Self::next`].
    fn fill(&mut self, out: &mut [u64]) {
        for o in out.iter_mut() {
            *o = self.next();
        }
    }
    /// `out[i] = uint64_to_double(next())` for every element.
    fn fill_double(&mut self, out: &mut [f64]) {
        let mut w = [0u64; 256];
        for chunk in out.chunks_mut(256) {
            let w = &mut w[..chunk.len()];
            self.fill(w);
            for (o, &x) in chunk.iter_mut().zip(w.iter()) {
                *o = uint64_to_double(x);
            }
        }
    }
}

/// [`BulkEngine64`] for an engine with `next_u64`, plus its bulk `fill_u64` and, for the PCG
/// family, its lane-parallel `fill_map` for doubles.
macro_rules! bulk_engine64 {
    ($t:ty $(, fill: $fill:ident)? $(, map: $map:ident)?) => {
        impl BulkEngine64 for $t {
            #[inline]
            fn next(&mut self) -> u64 {
                self.next_u64()
            }
            $(fn fill(&mut self, out: &mut [u64]) {
                self.$fill(out)
            })?
            $(fn fill_double(&mut self, out: &mut [f64]) {
                self.$map(out, uint64_to_double)
            })?
        }
    };
}

bulk_engine64!(Pcg64, fill: fill_u64, map: fill_map);
bulk_engine64!(Pcg64Dxsm, fill: fill_u64, map: fill_map);
bulk_engine64!(Philox4x64, fill: fill_u64);
bulk_engine64!(Sfc64);

/// MT19937 as `bitgen_t`, reading tempered words from a local buffer filled a whole key run at
/// a time; on drop the engine's `pos` is set back to the first unread word, so the engine ends
/// exactly where word-by-word `next_u32` calls would have left it.
pub struct MtBits<'a> {
    mt: &'a mut Mt19937,
    buf: [u32; MT_N],
    i: usize,
    end: usize,
}

impl<'a> MtBits<'a> {
    /// A view of `mt`.
    pub fn new(mt: &'a mut Mt19937) -> Self {
        MtBits {
            mt,
            buf: [0; MT_N],
            i: 0,
            end: 0,
        }
    }

    #[cold]
    fn refill(&mut self) {
        if self.mt.pos >= MT_N {
            self.mt.twist();
        }
        let p = self.mt.pos;
        let n = MT_N - p;
        crate::engine::mt19937::temper_slice(&self.mt.key[p..], &mut self.buf[..n]);
        self.mt.pos = MT_N;
        self.i = 0;
        self.end = n;
    }

    /// The next raw 32-bit output.
    #[inline(always)]
    pub fn next_u32(&mut self) -> u32 {
        if self.i >= self.end {
            self.refill();
        }
        // `i < end <= 624` here; `get` keeps the index check branch-free and panic-free.
        let w = self.buf.get(self.i).copied().unwrap_or(0);
        self.i += 1;
        w
    }
}

impl Drop for MtBits<'_> {
    fn drop(&mut self) {
        if self.end > 0 {
            self.mt.pos = MT_N - (self.end - self.i);
        }
    }
}

impl NpBitGen for MtBits<'_> {
    #[inline(always)]
    fn next_uint64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        let lo = u64::from(self.next_u32());
        (hi << 32) | lo
    }
    #[inline(always)]
    fn next_uint32(&mut self) -> u32 {
        self.next_u32()
    }
    #[inline(always)]
    fn next_double(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
    }
}

impl BulkUint32 for MtBits<'_> {
    /// Whole runs of the tempered buffer at a time (MT19937's `next_uint32` is its raw output).
    fn fill_uint32(&mut self, out: &mut [u32]) {
        let mut done = 0;
        while done < out.len() {
            if self.i >= self.end {
                self.refill();
            }
            let take = (self.end - self.i).min(out.len() - done);
            out[done..done + take].copy_from_slice(&self.buf[self.i..self.i + take]);
            self.i += take;
            done += take;
        }
    }
}

/// Words a [`U64Bits`] buffers at a time (a power of two).
const U64_BUF: usize = 128;

/// A 64-bit engine as `bitgen_t` (with the uint32 split buffer of `BitGenerator`), reading its
/// words from a local buffer filled with [`BulkEngine64::fill`]. On drop, the engine is put
/// back to the state after the words actually read (re-stepped from the buffer's start, at most
/// [`U64_BUF`] steps).
pub struct U64Bits<'a, E: BulkEngine64> {
    e: &'a mut E,
    has_uint32: &'a mut bool,
    uinteger: &'a mut u32,
    start: Option<E>,
    buf: [u64; U64_BUF],
    i: usize,
}

impl<'a, E: BulkEngine64> U64Bits<'a, E> {
    /// A view of engine `e` with the split buffer `(has_uint32, uinteger)`.
    pub fn new(e: &'a mut E, has_uint32: &'a mut bool, uinteger: &'a mut u32) -> Self {
        U64Bits {
            e,
            has_uint32,
            uinteger,
            start: None,
            buf: [0; U64_BUF],
            i: U64_BUF,
        }
    }

    #[cold]
    fn refill(&mut self) {
        self.start = Some(self.e.clone());
        self.e.fill(&mut self.buf);
        self.i = 0;
    }

    /// The next raw 64-bit output.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        if self.i >= U64_BUF {
            self.refill();
        }
        let w = self.buf[self.i & (U64_BUF - 1)];
        self.i += 1;
        w
    }
}

impl<E: BulkEngine64> Drop for U64Bits<'_, E> {
    fn drop(&mut self) {
        if let Some(start) = self.start.take() {
            if self.i < U64_BUF {
                *self.e = start;
                for _ in 0..self.i {
                    self.e.next();
                }
            }
        }
    }
}

impl<E: BulkEngine64> NpBitGen for U64Bits<'_, E> {
    #[inline(always)]
    fn next_uint64(&mut self) -> u64 {
        self.next_u64()
    }
    #[inline(always)]
    fn next_uint32(&mut self) -> u32 {
        if *self.has_uint32 {
            *self.has_uint32 = false;
            return *self.uinteger;
        }
        let next = self.next_u64();
        *self.has_uint32 = true;
        *self.uinteger = (next >> 32) as u32;
        next as u32
    }
    #[inline(always)]
    fn next_double(&mut self) -> f64 {
        uint64_to_double(self.next_u64())
    }
}

impl<E: BulkEngine64> U64Bits<'_, E> {
    /// The next raw 64-bit output without refilling the view's buffer: buffered words first,
    /// then straight from the engine (which is already past the buffer once it is drained).
    #[inline(always)]
    fn next_word_direct(&mut self) -> u64 {
        if self.i < U64_BUF {
            let w = self.buf[self.i];
            self.i += 1;
            w
        } else {
            self.e.next()
        }
    }
}

/// Words per engine fill in [`U64Bits::fill_uint32`].
const U32_FILL_WORDS: usize = 256;

impl<E: BulkEngine64> BulkUint32 for U64Bits<'_, E> {
    /// The split buffer of `pcg64_next32` (`pcg64.h`) and friends, in bulk: a pending high half
    /// first, then each 64-bit word as its low half followed by its high half; an odd count
    /// leaves the last word's high half pending, exactly as the one-by-one calls would.
    fn fill_uint32(&mut self, out: &mut [u32]) {
        let mut out = out;
        if out.is_empty() {
            return;
        }
        if *self.has_uint32 {
            *self.has_uint32 = false;
            out[0] = *self.uinteger;
            out = &mut out[1..];
        }
        let (body, tail) = out.split_at_mut(out.len() & !1);
        // Words still buffered by this view first (in order), then engine fills.
        let buffered = (U64_BUF - self.i.min(U64_BUF)).min(body.len() / 2);
        let (head, rest) = body.split_at_mut(2 * buffered);
        for p in head.chunks_exact_mut(2) {
            let w = self.next_word_direct();
            p[0] = w as u32;
            p[1] = (w >> 32) as u32;
        }
        let mut words = [0u64; U32_FILL_WORDS];
        for chunk in rest.chunks_mut(2 * U32_FILL_WORDS) {
            let w = &mut words[..chunk.len() / 2];
            self.e.fill(w);
            for (p, &x) in chunk.chunks_exact_mut(2).zip(w.iter()) {
                p[0] = x as u32;
                p[1] = (x >> 32) as u32;
            }
        }
        if let Some(&hi) = body.last() {
            // Each word went through the split buffer: its high half stays in `uinteger`
            // (stale, with `has_uint32 == 0`) as NumPy's state shows.
            *self.uinteger = hi;
        }
        if let [last] = tail {
            let w = self.next_word_direct();
            *last = w as u32;
            *self.has_uint32 = true;
            *self.uinteger = (w >> 32) as u32;
        }
    }
}

/// Runs `$body` with `$g` bound to a monomorphised `&mut impl NpBitGen` view of the bit
/// generator `$b` (a `&mut BitGenerator`): one `match` for the whole body instead of one per
/// word. The views buffer words; dropping them (at the end of the body) leaves the engine in
/// exactly the state the same draws through `BitGenerator` would.
#[macro_export]
#[doc(hidden)]
macro_rules! with_np_bits {
    ($b:expr, |$g:ident| $body:expr) => {{
        use $crate::numpy::bitgen::{Engine as __E, MtBits, U64Bits};
        let __b: &mut $crate::numpy::bitgen::BitGenerator = $b;
        match &mut __b.engine {
            __E::Mt19937(e) => {
                let $g = &mut MtBits::new(e);
                $body
            }
            __E::Pcg64(e) => {
                let $g = &mut U64Bits::new(e, &mut __b.has_uint32, &mut __b.uinteger);
                $body
            }
            __E::Pcg64Dxsm(e) => {
                let $g = &mut U64Bits::new(e, &mut __b.has_uint32, &mut __b.uinteger);
                $body
            }
            __E::Philox(e) => {
                let $g = &mut U64Bits::new(e, &mut __b.has_uint32, &mut __b.uinteger);
                $body
            }
            __E::Sfc64(e) => {
                let $g = &mut U64Bits::new(e, &mut __b.has_uint32, &mut __b.uinteger);
                $body
            }
        }
    }};
}

/// Below this many elements the bulk paths are not worth their set-up (buffer fills, threads).
pub const BULK_MIN: usize = 64;

/// Elements per thread below which a parallel split of a fill is not worth it.
const PAR_MIN_PER_THREAD: usize = 1 << 18;

/// `out[i] = uint64_to_double(w[i])` for the next `out.len()` words of `e`.
fn fill_double_u64<E: BulkEngine64>(e: &mut E, out: &mut [f64]) {
    e.fill_double(out)
}

/// [`fill_double_u64`] split over threads: part `k` starts from a copy of `e` advanced by the
/// part's first index with `advance`, so the output does not depend on the thread count; `e`
/// ends advanced by `out.len()`.
fn fill_double_u64_par<E: BulkEngine64 + Send>(
    e: &mut E,
    out: &mut [f64],
    advance: impl Fn(&mut E, u128) + Sync,
) {
    let n = out.len();
    let threads = crate::engine::parallel::threads_for(n, PAR_MIN_PER_THREAD);
    if threads <= 1 {
        fill_double_u64(e, out);
        return;
    }
    let pts = crate::engine::parallel::split_points(n, threads, 1);
    std::thread::scope(|s| {
        let mut rest = &mut *out;
        for k in 0..threads {
            let (part, tail) = rest.split_at_mut(pts[k + 1] - pts[k]);
            rest = tail;
            let mut ek = e.clone();
            advance(&mut ek, pts[k] as u128);
            s.spawn(move || fill_double_u64(&mut ek, part));
        }
    });
    advance(e, n as u128);
}

/// Elements per thread below which legacy MT19937 `next_double` fills stay on one thread: the
/// jump-ahead costs ~2 ms per thread (plus ~13 ms once per process to derive the MT19937
/// characteristic polynomial), so only very large outputs gain.
const MT_PAR_MIN_PER_THREAD: usize = 1 << 23;

/// `mt19937_next_double` for every element, split over threads when the output is large: part
/// `k` starts from a copy of `e` jumped ahead exactly `2 * start_k` words
/// ([`crate::engine::mt19937_jump::jump_ahead_u64`], equal to stepping), and `e` ends in the
/// last part's final state, which is the state the single-threaded fill leaves.
fn fill_double_mt_par(e: &mut Mt19937, out: &mut [f64], min_per_thread: usize) {
    let n = out.len();
    let threads = crate::engine::parallel::threads_for(n, min_per_thread);
    if threads <= 1 {
        e.fill_next_double(out);
        return;
    }
    let pts = crate::engine::parallel::split_points(n, threads, 1);
    let last = std::thread::scope(|s| {
        let mut rest = &mut *out;
        let mut handles = Vec::with_capacity(threads);
        for k in 0..threads {
            let (part, tail) = rest.split_at_mut(pts[k + 1] - pts[k]);
            rest = tail;
            let mut ek = e.clone();
            let skip = 2 * pts[k] as u64;
            handles.push(s.spawn(move || {
                crate::engine::mt19937_jump::jump_ahead_u64(&mut ek, skip);
                ek.fill_next_double(part);
                ek
            }));
        }
        handles.into_iter().map(|h| h.join()).last()
    });
    match last {
        Some(Ok(fin)) => *e = fin,
        // A worker cannot panic on these inputs; recompute sequentially if one did.
        _ => e.fill_next_double(out),
    }
}

/// `random_standard_uniform_fill` on a bit generator: one `next_double` per element, in order,
/// bit-identical to the element-wise loop through [`BitGenerator`] and leaving the same state.
/// MT19937 tempers whole key runs at once (and splits very large outputs over threads with an
/// exact jump-ahead of two words per element); PCG64/PCG64DXSM/Philox fill words in bulk, and
/// PCG64/PCG64DXSM split large outputs over threads with `advance` (each element consumes
/// exactly one word, so thread `k` starts exactly `start_k` words ahead).
pub fn fill_double(b: &mut BitGenerator, out: &mut [f64]) {
    if out.len() < BULK_MIN {
        super::distributions::random_standard_uniform_fill(b, out);
        return;
    }
    match &mut b.engine {
        Engine::Mt19937(e) => fill_double_mt_par(e, out, MT_PAR_MIN_PER_THREAD),
        Engine::Pcg64(e) => fill_double_u64_par(e, out, |e, d| e.advance(d)),
        Engine::Pcg64Dxsm(e) => fill_double_u64_par(e, out, |e, d| e.advance(d)),
        Engine::Philox(e) => fill_double_u64(e, out),
        Engine::Sfc64(e) => fill_double_u64(e, out),
    }
}

macro_rules! bulk_fill {
    ($(#[$m:meta])* $name:ident, $t:ty, $generic:path) => {
        $(#[$m])*
        pub fn $name(b: &mut BitGenerator, out: &mut [$t]) {
            if out.len() < BULK_MIN {
                $generic(b, out);
            } else {
                with_np_bits!(b, |g| $generic(g, out))
            }
        }
    };
}

bulk_fill!(
    /// `random_standard_uniform_fill_f` (float32 `next_float`), monomorphised.
    fill_float, f32, super::distributions::random_standard_uniform_fill_f);
bulk_fill!(
    /// `random_standard_normal_fill` (float64 ziggurat), monomorphised.
    fill_standard_normal, f64, super::distributions::random_standard_normal_fill);
bulk_fill!(
    /// `random_standard_normal_fill_f` (float32 ziggurat), monomorphised.
    fill_standard_normal_f, f32, super::distributions::random_standard_normal_fill_f);
bulk_fill!(
    /// `random_standard_exponential_fill` (float64 ziggurat), monomorphised.
    fill_standard_exponential, f64, super::distributions::random_standard_exponential_fill);
bulk_fill!(
    /// `random_standard_exponential_fill_f` (float32 ziggurat), monomorphised.
    fill_standard_exponential_f, f32, super::distributions::random_standard_exponential_fill_f);
bulk_fill!(
    /// `random_standard_exponential_inv_fill` (float64 inversion), monomorphised.
    fill_standard_exponential_inv, f64, super::distributions::random_standard_exponential_inv_fill);
bulk_fill!(
    /// `random_standard_exponential_inv_fill_f` (float32 inversion), monomorphised.
    fill_standard_exponential_inv_f, f32, super::distributions::random_standard_exponential_inv_fill_f);

/// `legacy_gauss` for every element of `out` (the polar method with the `RandomState`
/// Gaussian cache), monomorphised.
pub fn fill_legacy_gauss(
    b: &mut BitGenerator,
    cache: &mut super::distributions::GaussCache,
    out: &mut [f64],
) {
    use super::distributions::legacy_gauss_fill;
    if out.len() < BULK_MIN {
        legacy_gauss_fill(b, cache, out);
        return;
    }
    with_np_bits!(b, |g| legacy_gauss_fill(g, cache, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::Zero;

    #[test]
    fn mt_generator_random_golden() {
        let mut g =
            BitGenerator::from_seed_sequence("MT19937", SeedSequence::from_u128(0)).unwrap();
        let v: Vec<f64> = (0..3).map(|_| g.next_double()).collect();
        assert_eq!(
            v,
            [
                0.47932306384132817,
                0.2864961735272108,
                0.022216695186381585
            ]
        );
    }

    #[test]
    fn pcg64_random_golden() {
        let mut g = BitGenerator::from_seed_sequence("PCG64", SeedSequence::from_u128(0)).unwrap();
        let v: Vec<f64> = (0..3).map(|_| g.next_double()).collect();
        assert_eq!(
            v,
            [0.6369616873214543, 0.2697867137638703, 0.04097352393619469]
        );
    }

    fn all_kinds() -> Vec<BitGenerator> {
        ["MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64"]
            .iter()
            .map(|k| BitGenerator::from_seed_sequence(k, SeedSequence::from_u128(42)).unwrap())
            .collect()
    }

    #[test]
    fn bulk_views_match_bitgenerator() {
        for base in all_kinds() {
            for n in [0usize, 1, 3, 127, 128, 129, 700, 1500] {
                // A mixed sequence of draws, so the split buffer and partial blocks matter.
                let mut a = base.clone();
                a.next_uint32();
                let mut b = a.clone();
                let draw = |g: &mut dyn FnMut(u32) -> u64| -> Vec<u64> {
                    (0..n as u32).map(|i| g(i % 3)).collect()
                };
                let want = draw(&mut |k| match k {
                    0 => a.next_uint32() as u64,
                    1 => a.next_uint64(),
                    _ => a.next_double().to_bits(),
                });
                let got = with_np_bits!(&mut b, |g| draw(&mut |k| match k {
                    0 => g.next_uint32() as u64,
                    1 => g.next_uint64(),
                    _ => g.next_double().to_bits(),
                }));
                assert_eq!(got, want, "{} n={n}", base.name());
                assert_eq!(a, b, "{} n={n}", base.name());
            }
        }
    }

    #[test]
    fn bulk_uint32_matches_calls() {
        // Single draws between bulk fills, so fills start with a pending half, inside a view's
        // partly read word buffer, at its end, and with fills longer than the buffer.
        let sizes = [
            0usize, 1, 2, 3, 5, 64, 127, 128, 129, 255, 256, 257, 513, 1000, 3001,
        ];
        for base in all_kinds() {
            for pre in 0..3usize {
                let mut a = base.clone();
                let mut b = base.clone();
                let mut want = Vec::new();
                for (k, &n) in sizes.iter().enumerate() {
                    for j in 0..pre + k % 2 {
                        want.push(if j % 2 == 0 {
                            a.next_uint32() as u64
                        } else {
                            a.next_uint64()
                        });
                    }
                    want.extend((0..n).map(|_| a.next_uint32() as u64));
                }
                let got = with_np_bits!(&mut b, |g| {
                    let mut got = Vec::new();
                    for (k, &n) in sizes.iter().enumerate() {
                        for j in 0..pre + k % 2 {
                            got.push(if j % 2 == 0 {
                                g.next_uint32() as u64
                            } else {
                                g.next_uint64()
                            });
                        }
                        let mut v = vec![0u32; n];
                        g.fill_uint32(&mut v);
                        got.extend(v.iter().map(|&x| x as u64));
                    }
                    got
                });
                assert_eq!(got, want, "{} pre={pre}", base.name());
                assert_eq!(a, b, "{} pre={pre}", base.name());
            }
            let mut a = base.clone();
            let mut b = base.clone();
            let want: Vec<u32> = (0..777).map(|_| a.next_uint32()).collect();
            let mut got = vec![0u32; 777];
            b.fill_uint32(&mut got);
            assert_eq!(got, want, "{} BitGenerator", base.name());
            assert_eq!(a, b, "{} BitGenerator", base.name());
        }
    }

    #[test]
    fn fill_double_matches_and_ignores_threads() {
        for base in all_kinds() {
            for n in [0usize, 5, 64, 1000, 800_001] {
                let mut a = base.clone();
                a.next_uint32();
                let want: Vec<u64> = {
                    let mut a2 = a.clone();
                    let v = (0..n).map(|_| a2.next_double().to_bits()).collect();
                    a = a2;
                    v
                };
                for threads in [1usize, 2, 3] {
                    let mut b = base.clone();
                    b.next_uint32();
                    let prev = crate::engine::parallel::max_threads_setting();
                    crate::engine::parallel::set_max_threads(threads);
                    let mut got = vec![0f64; n];
                    fill_double(&mut b, &mut got);
                    crate::engine::parallel::set_max_threads(prev);
                    let got: Vec<u64> = got.iter().map(|x| x.to_bits()).collect();
                    assert_eq!(got, want, "{} n={n} threads={threads}", base.name());
                    assert_eq!(a, b, "{} n={n} threads={threads}", base.name());
                }
            }
        }
    }

    #[test]
    fn mt_parallel_fill_ignores_threads() {
        let mut base = Mt19937::init_genrand(3);
        base.next_u32(); // odd position: element pairs straddle key runs
                         // Parts start 40_000+ words in: past the direct-twist range, so the polynomial
                         // jump-ahead is exercised.
        let n = 60_001;
        let mut a = base.clone();
        let mut want = vec![0f64; n];
        a.fill_next_double(&mut want);
        for threads in [1usize, 2, 3] {
            let prev = crate::engine::parallel::max_threads_setting();
            crate::engine::parallel::set_max_threads(threads);
            let mut b = base.clone();
            let mut got = vec![0f64; n];
            fill_double_mt_par(&mut b, &mut got, 1000);
            crate::engine::parallel::set_max_threads(prev);
            assert_eq!(
                got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                "threads={threads}"
            );
            assert_eq!(a, b, "threads={threads}");
        }
    }

    #[test]
    fn wrap() {
        assert_eq!(wrap_int(&BigInt::from(-1), 128).to_u128(), Some(u128::MAX));
        assert!(wrap_int(&(BigInt::from(1) << 128usize), 128).is_zero());
    }
}
