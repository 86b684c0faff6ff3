//! Generator states: export and import (JSON and raw bytes), NumPy legacy ⇄ torch CPU
//! translation, random access (advance by `n` outputs, NumPy's `jumped`), and the logic of
//! `seedbridge state ...`.
//!
//! # The JSON state format (version 1)
//!
//! One JSON object, written on one line the way Python's `json.dumps` writes it (`", "` and
//! `": "` separators, floats as `repr`), followed by a newline:
//!
//! ```text
//! {"format": "seedbridge-state", "version": 1, "kind": KIND, ["torch_seed": INT, ]"state": STATE}
//! ```
//!
//! | `kind`         | `state`                                                                          |
//! |----------------|----------------------------------------------------------------------------------|
//! | `numpy-legacy` | `RandomState.get_state(legacy=False)`: `{"bit_generator": "MT19937", "state": {"key": [624 ints], "pos": int}, "has_gauss": 0/1, "gauss": float}` (or another bit generator's dict plus `has_gauss`/`gauss`) |
//! | `numpy-bitgen` | `bit_generator.state` of `MT19937`, `PCG64`, `PCG64DXSM`, `Philox` or `SFC64`, keys in NumPy's order |
//! | `torch-cpu`    | the 5056 bytes of `torch.get_rng_state()` as a hex string                         |
//! | `torch-cuda`   | the 16 bytes of `torch.cuda.get_rng_state()` (seed u64, offset i64, little-endian) as a hex string |
//!
//! Integers are written in full: PCG64's 128-bit `state`/`inc` and the 64-bit words of Philox and
//! SFC64 are exact integer literals, which Python's `json` module reads back exactly (this module
//! has its own reader and writer, so nothing goes through a double). `state` loads straight into
//! the real library: `np.random.set_state(st)`, `bit_generator.state = st`,
//! `torch.set_rng_state(torch.tensor(list(bytes.fromhex(st)), dtype=torch.uint8))`.
//!
//! `torch_seed` (NumPy kinds only) records torch's `initial_seed()` when a NumPy state came from
//! a torch state whose seed the default rule below would not recover, so that torch → NumPy →
//! torch is byte-identical through files too; NumPy ignores it.
//!
//! Also read (never written): the bare NumPy dict (`{"bit_generator": ...}`, legacy when it has
//! `has_gauss`/`gauss`), the legacy tuple as a list (`["MT19937", key, pos, has_gauss, gauss]`),
//! a list of 5056 or 16 byte values, and torch bytes given as `{"hex": ...}`,
//! `{"base64": ...}` or a list of byte values. Raw files of exactly 5056 bytes (torch CPU) or 16
//! bytes (torch CUDA) are read as such. Unknown keys, wrong lengths, out-of-range values and
//! states torch or NumPy would refuse are errors.
//!
//! # NumPy legacy ⇄ torch CPU: what carries over
//!
//! Both run the same MT19937 (same key for seeds below 2^32). NumPy keeps `(key, pos)` and reads
//! `key[pos]` next, twisting first when `pos == 624`; torch keeps `(state_, left_, next_)` and
//! does `if (--left_ == 0) twist; read state_[next_++]` (`MT19937RNGEngine.h`), so after `k`
//! draws into a block torch has `next_ = k`, `left_ = 625 - k`, and `manual_seed` leaves
//! `left_ = 1, next_ = 0`. Hence:
//!
//! * **The key and the position carry over exactly**: NumPy `pos` in `1..=623` ⇄ torch
//!   `next_ = pos, left_ = 625 - pos`; NumPy `pos = 624` ⇄ torch `left_ = 1` with `next_ = 0` when
//!   the key is exactly torch's `manual_seed(seed)` fill (as `manual_seed` leaves it) and
//!   `next_ = 624` otherwise (as 624 draws leave it). The next words are identical in both.
//! * NumPy `pos = 0` (reachable only through `MT19937.jumped()` or `set_state`) has no torch
//!   encoding (`left_ <= 624`): it is converted as the equivalent state one twist earlier (the
//!   twist is inverted; the 31 low bits of word 0, which never influence the stream, become 0).
//!   Same stream; converting back gives `pos = 624` with that earlier key. A `pos = 0` key that no
//!   twist can produce is refused.
//! * torch states with `left_ > 1` and `next_ + left_ != 625` (only reachable by editing a blob)
//!   read a block partially before twisting, which NumPy cannot express: refused.
//! * **The Gaussian caches do not carry over**: NumPy's `gauss` (the second polar-method
//!   deviate) and torch's `next_double_normal_sample` / `next_float_normal_sample` (Box-Muller)
//!   belong to different algorithms. They are dropped, and the conversion says so in a warning.
//! * **torch's `seed` field** (`initial_seed()`) does not influence the stream and NumPy does not
//!   record it. NumPy → torch uses, in order: the seed the caller passes; the file's
//!   `torch_seed`; the legacy seed recognised from the key when the state is at most one block
//!   (624 words) past `seed(s)` / `init_genrand(s)` (so `np.random.seed(s)` converts to exactly
//!   `torch.manual_seed(s)`'s blob); otherwise torch's default `67280421310721` (what an
//!   unseeded `torch.Generator()` reports), with a warning.
//!
//! Round trips: NumPy → torch → NumPy is byte-identical when `has_gauss == 0` (then
//! `gauss == 0.0` in every state NumPy produces) and `pos != 0`. torch → NumPy → torch is
//! byte-identical when both normal caches are empty and the blob is canonical, i.e. as torch's
//! `get_state()` writes it after seeding and drawing: `seeded_ = 1`, zero padding and upper
//! halves of the state words, `next_ + left_ = 625` or (`left_ = 1`, `next_ ∈ {0, 624}` with
//! `next_ = 0` exactly for a fresh `manual_seed` fill), the torch seed carried back (the
//! [`StateDoc::torch_seed`] of the conversion, written to JSON when it is not the default).
//!
//! # Random access
//!
//! [`advance`] moves any state by `n` *outputs* without generating them, exactly as `n` raw draws
//! would: NumPy `random_raw(n)` (32-bit words for MT19937 — MT19937 by polynomial jump-ahead,
//! PCG64/PCG64DXSM by LCG advance, Philox by counter, SFC64 by stepping; the uint32 and Gaussian
//! caches are left alone, as `random_raw` leaves them), torch CPU `n` 32-bit words (`random()`
//! calls; caches kept), torch CUDA `n` added to `philox_offset_per_thread` (a multiple of 4).
//! [`jumped_numpy_bitgen`] is NumPy's `bit_generator.jumped(jumps)`.
//!
//! # The `seedbridge state` command
//!
//! See [`STATE_USAGE`] and [`state_command`].

use std::io::Write as _;
use std::path::Path;

use num_bigint::BigUint;
use num_traits::{One, ToPrimitive, Zero};

use crate::engine::mt19937::{Mt19937, N as MT_N};
use crate::engine::mt19937_jump::{jump_ahead, jump_numpy};
use crate::engine::pcg64::{Pcg64, Pcg64Dxsm};
use crate::engine::philox4x64::Philox4x64;
use crate::engine::seed_sequence::SeedSequence;
use crate::engine::sfc64::Sfc64;
use crate::numpy::bitgen::{BitGenState, BitGenerator, Engine};
use crate::numpy::legacy::{LegacyState, RandomState};
use crate::torch::cpu::{
    CpuCapability, CpuGenerator, TorchMt19937, DEFAULT_RNG_SEED, STATE_SIZE as TORCH_CPU_SIZE,
};
use crate::torch::cuda::CudaGenerator;
use crate::{Error, Result};

/// The `format` entry of a state file.
pub const FORMAT: &str = "seedbridge-state";
/// The `version` entry this module writes and reads.
pub const VERSION: u64 = 1;
/// Size of a torch CPU state (`torch.get_rng_state()`).
pub const TORCH_CPU_STATE_SIZE: usize = TORCH_CPU_SIZE;
/// Size of a torch CUDA state (`torch.cuda.get_rng_state()`).
pub const TORCH_CUDA_STATE_SIZE: usize = 16;
/// torch's default seed (`c10::default_rng_seed_val`), used for NumPy → torch when no seed is
/// given or recognised.
pub const DEFAULT_TORCH_SEED: u64 = DEFAULT_RNG_SEED;
/// SFC64 has no jump-ahead: [`advance`] steps it, up to this many outputs.
pub const SFC64_MAX_STEPS: u64 = 1 << 32;
/// Largest state file `seedbridge state` reads (real ones are below 20 KB).
pub const MAX_FILE_SIZE: u64 = 1 << 22;

// =============================================================================================
// States
// =============================================================================================

/// A generator state of one of the supported libraries.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyState {
    /// `RandomState.get_state(legacy=False)` (bit generator state plus the Gaussian cache).
    NumpyLegacy(LegacyState),
    /// `bit_generator.state` of a NumPy bit generator.
    NumpyBitGen(BitGenState),
    /// `torch.get_rng_state()`: 5056 bytes, torch's `CPUGeneratorImplState` layout.
    TorchCpu(Vec<u8>),
    /// `torch.cuda.get_rng_state()`: seed (u64) then offset (i64), little-endian.
    TorchCuda([u8; 16]),
}

/// The kind of an [`AnyState`], as named in files and on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateKind {
    /// `numpy-legacy`.
    NumpyLegacy,
    /// `numpy-bitgen`.
    NumpyBitGen,
    /// `torch-cpu`.
    TorchCpu,
    /// `torch-cuda`.
    TorchCuda,
}

impl StateKind {
    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            StateKind::NumpyLegacy => "numpy-legacy",
            StateKind::NumpyBitGen => "numpy-bitgen",
            StateKind::TorchCpu => "torch-cpu",
            StateKind::TorchCuda => "torch-cuda",
        }
    }

    /// Parses a kind name (`numpy-legacy`, `numpy-bitgen`, `torch-cpu`, `torch-cuda`).
    pub fn parse(s: &str) -> Result<StateKind> {
        match s {
            "numpy-legacy" => Ok(StateKind::NumpyLegacy),
            "numpy-bitgen" => Ok(StateKind::NumpyBitGen),
            "torch-cpu" => Ok(StateKind::TorchCpu),
            "torch-cuda" => Ok(StateKind::TorchCuda),
            other => Err(Error::value(format!(
                "unknown state kind '{other}' (expected numpy-legacy, numpy-bitgen, torch-cpu or torch-cuda)"
            ))),
        }
    }

    fn is_numpy(self) -> bool {
        matches!(self, StateKind::NumpyLegacy | StateKind::NumpyBitGen)
    }
}

impl AnyState {
    /// The kind of this state.
    pub fn kind(&self) -> StateKind {
        match self {
            AnyState::NumpyLegacy(_) => StateKind::NumpyLegacy,
            AnyState::NumpyBitGen(_) => StateKind::NumpyBitGen,
            AnyState::TorchCpu(_) => StateKind::TorchCpu,
            AnyState::TorchCuda(_) => StateKind::TorchCuda,
        }
    }

    /// Checks that the real library would accept the state: MT19937 keys of 624 words with
    /// `pos <= 624`, Philox `buffer_pos <= 4`, uint32 caches that fit, torch CPU blobs of 5056
    /// bytes that pass torch's `set_state` checks, torch CUDA offsets that are multiples of 4.
    pub fn validate(&self) -> Result<()> {
        match self {
            AnyState::NumpyLegacy(st) => validate_bitgen(&st.state),
            AnyState::NumpyBitGen(st) => validate_bitgen(st),
            AnyState::TorchCpu(b) => torch_cpu_generator(b).map(|_| ()),
            AnyState::TorchCuda(b) => CudaGenerator::new().set_state(b),
        }
    }

    /// The JSON state file (see the module docs), without `torch_seed`.
    pub fn to_json(&self) -> String {
        StateDoc::new(self.clone()).to_json()
    }

    /// Reads a JSON state (any accepted form), validated. A `torch_seed` entry is ignored: use
    /// [`StateDoc::from_json`] to keep it.
    pub fn from_json(text: &str) -> Result<AnyState> {
        StateDoc::from_json(text).map(|d| d.state)
    }

    /// Reads a state file's bytes: JSON, or a raw torch state (5056 bytes: CPU; 16 bytes: CUDA).
    pub fn from_bytes(bytes: &[u8]) -> Result<AnyState> {
        StateDoc::from_bytes(bytes).map(|d| d.state)
    }

    /// The raw bytes of a torch state (what `get_rng_state()` returns); `None` for NumPy states.
    pub fn to_raw(&self) -> Option<Vec<u8>> {
        match self {
            AnyState::TorchCpu(b) => Some(b.clone()),
            AnyState::TorchCuda(b) => Some(b.to_vec()),
            _ => None,
        }
    }
}

/// A state as stored in a file: the state and, for NumPy states converted from torch, the torch
/// seed to restore on the way back (`torch_seed`, see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct StateDoc {
    /// The state.
    pub state: AnyState,
    /// torch's `initial_seed()` to use when this NumPy state is converted to torch (only
    /// written when the default rule would not give it back).
    pub torch_seed: Option<u64>,
}

impl StateDoc {
    /// A document without `torch_seed`.
    pub fn new(state: AnyState) -> Self {
        StateDoc {
            state,
            torch_seed: None,
        }
    }

    /// The JSON text (one line and a newline, as Python's `json.dumps` writes it).
    pub fn to_json(&self) -> String {
        let mut o = String::new();
        o.push_str("{\"format\": \"");
        o.push_str(FORMAT);
        o.push_str("\", \"version\": ");
        o.push_str(&VERSION.to_string());
        o.push_str(", \"kind\": \"");
        o.push_str(self.state.kind().name());
        o.push('"');
        if let (Some(s), true) = (self.torch_seed, self.state.kind().is_numpy()) {
            o.push_str(&format!(", \"torch_seed\": {s}"));
        }
        o.push_str(", \"state\": ");
        match &self.state {
            AnyState::NumpyLegacy(st) => write_legacy(&mut o, st),
            AnyState::NumpyBitGen(st) => {
                o.push('{');
                write_bitgen_fields(&mut o, st);
                o.push('}');
            }
            AnyState::TorchCpu(b) => write_hex_string(&mut o, b),
            AnyState::TorchCuda(b) => write_hex_string(&mut o, b),
        }
        o.push_str("}\n");
        o
    }

    /// The bytes to write: JSON, or for torch states with `raw`, the raw blob.
    pub fn to_bytes(&self, raw: bool) -> Result<Vec<u8>> {
        if raw {
            self.state
                .to_raw()
                .ok_or_else(|| Error::value("NumPy states have no raw form: write them as JSON"))
        } else {
            Ok(self.to_json().into_bytes())
        }
    }

    /// Reads and validates a JSON state (any accepted form, see the module docs).
    pub fn from_json(text: &str) -> Result<StateDoc> {
        let v = parse_json(text)?;
        doc_from_value(&v)
    }

    /// Reads and validates a state file's bytes: JSON when they parse as JSON, else a raw torch
    /// CPU (5056 bytes) or CUDA (16 bytes) state.
    pub fn from_bytes(bytes: &[u8]) -> Result<StateDoc> {
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
        let looks_json = matches!(first, Some(b'{') | Some(b'['));
        if looks_json {
            if let Ok(text) = std::str::from_utf8(bytes) {
                let parsed = StateDoc::from_json(text);
                if parsed.is_ok() || !matches!(bytes.len(), TORCH_CPU_SIZE | 16) {
                    return parsed;
                }
            }
        }
        match bytes.len() {
            TORCH_CPU_SIZE => {
                torch_cpu_generator(bytes)?;
                Ok(StateDoc::new(AnyState::TorchCpu(bytes.to_vec())))
            }
            16 => {
                let mut b = [0u8; 16];
                b.copy_from_slice(bytes);
                CudaGenerator::new().set_state(&b)?;
                Ok(StateDoc::new(AnyState::TorchCuda(b)))
            }
            0 => Err(Error::value("empty file: not a state")),
            n if looks_json => Err(Error::value(format!(
                "not valid UTF-8 JSON ({n} bytes)"
            ))),
            n => Err(Error::value(format!(
                "not a state: {n} bytes is neither JSON, a torch CPU state ({TORCH_CPU_SIZE} bytes) nor a torch CUDA state (16 bytes){}",
                if n < TORCH_CPU_SIZE && n > 16 { " (truncated?)" } else { "" }
            ))),
        }
    }
}

fn validate_bitgen(st: &BitGenState) -> Result<()> {
    match st {
        BitGenState::Mt19937 { key, pos } => {
            if key.len() != MT_N {
                return Err(Error::value(format!(
                    "MT19937 key must have 624 words, found {}",
                    key.len()
                )));
            }
            if *pos > MT_N {
                return Err(Error::value(format!(
                    "MT19937 pos must be between 0 and 624, got {pos}"
                )));
            }
        }
        BitGenState::Philox { buffer_pos, .. } if *buffer_pos > 4 => {
            return Err(Error::value(format!(
                "Philox buffer_pos must be between 0 and 4, got {buffer_pos}"
            )));
        }
        _ => {}
    }
    Ok(())
}

/// A NumPy bit generator holding `st` (validated).
fn bitgen_from_state(st: &BitGenState) -> Result<BitGenerator> {
    validate_bitgen(st)?;
    let engine = match st {
        BitGenState::Mt19937 { .. } => Engine::Mt19937(Mt19937::init_genrand(0)),
        BitGenState::Pcg64 { .. } => Engine::Pcg64(Pcg64 { state: 0, inc: 0 }),
        BitGenState::Pcg64Dxsm { .. } => Engine::Pcg64Dxsm(Pcg64Dxsm { state: 0, inc: 0 }),
        BitGenState::Philox { .. } => Engine::Philox(Philox4x64::new([0, 0], [0; 4])),
        BitGenState::Sfc64 { .. } => Engine::Sfc64(Sfc64 { s: [0; 4] }),
    };
    let mut bg = BitGenerator::from_engine(engine, None);
    bg.set_state(st.clone())?;
    Ok(bg)
}

/// A torch CPU generator holding `blob` (torch's size and validity checks).
fn torch_cpu_generator(blob: &[u8]) -> Result<CpuGenerator> {
    let mut g = CpuGenerator::with_default_seed(CpuCapability::Avx2);
    g.set_state(blob)?;
    Ok(g)
}

fn mt_of(st: &BitGenState) -> Result<Mt19937> {
    match st {
        BitGenState::Mt19937 { key, pos } => {
            validate_bitgen(st)?;
            let mut k = [0u32; MT_N];
            k.copy_from_slice(key);
            Mt19937::from_state(k, *pos)
        }
        other => Err(Error::value(format!(
            "only MT19937 states convert to torch, not {}",
            other.bit_generator()
        ))),
    }
}

fn mt_state(mt: &Mt19937) -> BitGenState {
    BitGenState::Mt19937 {
        key: mt.key.to_vec(),
        pos: mt.pos,
    }
}

// =============================================================================================
// MT19937 helpers: twist inversion, seed recognition
// =============================================================================================

const UPPER: u32 = 0x8000_0000;
const LOWER: u32 = 0x7fff_ffff;
const MATRIX_A: u32 = 0x9908_b0df;
const MT_M: usize = 397;
const KNUTH_MUL: u32 = 1_812_433_253;

/// `init_genrand(seed)`'s key (torch's `manual_seed` fill for `seed as u32`).
fn knuth_fill(seed: u32) -> [u32; MT_N] {
    Mt19937::init_genrand(seed).key
}

fn twisted(key: &[u32; MT_N]) -> [u32; MT_N] {
    let mut mt = Mt19937 { key: *key, pos: 0 };
    mt.twist();
    mt.key
}

/// Inverts MT19937's block twist: a key `old` with `twist(old) == key`, or `None` when no key
/// twists into `key`. The 31 low bits of `old[0]` are never read by the twist and are returned
/// as 0.
pub fn untwist(key: &[u32; MT_N]) -> Option<[u32; MT_N]> {
    let mut old = [0u32; MT_N];
    for i in (0..MT_N).rev() {
        // Word i of the twist: key[i] = far ^ (y >> 1) ^ (y odd ? MATRIX_A : 0), with
        // y = old[i].upper | next.lower, far = old[i + M] (i + M < N) or the new key[i + M - N].
        let far = if i + MT_M < MT_N {
            old[i + MT_M]
        } else {
            key[i + MT_M - MT_N]
        };
        let t = key[i] ^ far;
        let odd = t >> 31;
        let y = ((t ^ if odd == 1 { MATRIX_A } else { 0 }) << 1) | odd;
        old[i] |= y & UPPER;
        if i + 1 < MT_N {
            old[i + 1] |= y & LOWER;
        }
    }
    (twisted(&old) == *key).then_some(old)
}

/// `s` when `key` is `init_genrand(s)`'s fill (word 0 compared on its top bit only, the only
/// bit of it a twist reads).
fn seed_of_fill(key: &[u32; MT_N]) -> Option<u32> {
    // key[1] = KNUTH_MUL * (s ^ (s >> 30)) + 1: invert the multiplication, then the xorshift.
    let inv = mod_inverse_u32(KNUTH_MUL);
    let x = key[1].wrapping_sub(1).wrapping_mul(inv);
    let s = x ^ (x >> 30);
    let fill = knuth_fill(s);
    (fill[1..] == key[1..] && (fill[0] & UPPER) == (key[0] & UPPER)).then_some(s)
}

fn mod_inverse_u32(a: u32) -> u32 {
    // Newton's iteration for the inverse of an odd number modulo 2^32.
    let mut x = a;
    for _ in 0..5 {
        x = x.wrapping_mul(2u32.wrapping_sub(a.wrapping_mul(x)));
    }
    x
}

/// The legacy seed `s` of an MT19937 key that is `seed(s)`'s fill or one twist past it, i.e.
/// a state at most 624 words after `np.random.seed(s)` / `torch.manual_seed(s)`.
pub fn recognise_seed(key: &[u32; MT_N]) -> Option<u32> {
    seed_of_fill(key).or_else(|| untwist(key).and_then(|old| seed_of_fill(&old)))
}

/// The torch seed NumPy → torch uses when none is given: [`recognise_seed`], else
/// [`DEFAULT_TORCH_SEED`]. The flag says whether the seed was recognised.
pub fn default_torch_seed(mt: &Mt19937) -> (u64, bool) {
    let key = if mt.pos == 0 {
        untwist(&mt.key).unwrap_or(mt.key)
    } else {
        mt.key
    };
    match recognise_seed(&key) {
        Some(s) => (u64::from(s), true),
        None => (DEFAULT_TORCH_SEED, false),
    }
}

// =============================================================================================
// Conversions
// =============================================================================================

/// torch's MT19937 engine as the NumPy `(key, pos)` state with the same stream: `left_ = 1` is
/// `pos = 624`; otherwise `next_ + left_` must be 625 and `pos = next_`.
pub fn torch_engine_to_mt19937(e: &TorchMt19937) -> Result<Mt19937> {
    if !e.is_valid() {
        return Err(Error::Runtime("Invalid mt19937 state".into()));
    }
    let pos = if e.left == 1 {
        MT_N
    } else if i64::from(e.next) + i64::from(e.left) == MT_N as i64 + 1 {
        e.next as usize
    } else {
        return Err(Error::value(format!(
            "torch state with left_={} and next_={} has no NumPy equivalent: torch reads it \
             partially before twisting (torch itself only produces next_ + left_ = 625, or left_ = 1)",
            e.left, e.next
        )));
    };
    Mt19937::from_state(e.state, pos)
}

/// The torch MT19937 engine (with `seed` as `initial_seed()`) that continues NumPy's stream
/// exactly. `pos = 0` is re-expressed one twist earlier (see the module docs); it fails when no
/// twist produces the key.
pub fn mt19937_to_torch_engine(mt: &Mt19937, seed: u64) -> Result<TorchMt19937> {
    let (key, pos) = if mt.pos == 0 {
        let old = untwist(&mt.key).ok_or_else(|| {
            Error::value(
                "this MT19937 state (pos 0 with a key no twist produces) has no torch equivalent",
            )
        })?;
        (old, MT_N)
    } else {
        (mt.key, mt.pos.min(MT_N))
    };
    let (left, next) = if pos == MT_N {
        let fresh = key == knuth_fill(seed as u32);
        (1, if fresh { 0 } else { MT_N as u32 })
    } else {
        ((MT_N + 1 - pos) as i32, pos as u32)
    };
    Ok(TorchMt19937 {
        seed,
        left,
        seeded: true,
        next,
        state: key,
    })
}

/// A conversion's result and what did not carry over.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted<T> {
    /// The converted state.
    pub state: T,
    /// What was dropped or chosen (one sentence each); empty when everything carried over.
    pub warnings: Vec<String>,
}

/// NumPy legacy (MT19937) → torch CPU blob. `seed` becomes torch's `initial_seed()`; `None`
/// uses [`default_torch_seed`]. A pending Gaussian (`has_gauss`) is dropped with a warning.
pub fn numpy_legacy_to_torch_cpu(
    st: &LegacyState,
    seed: Option<u64>,
) -> Result<Converted<Vec<u8>>> {
    let mt = mt_of(&st.state)?;
    let mut warnings = Vec::new();
    if st.has_gauss {
        warnings.push(format!(
            "NumPy's cached Gaussian (has_gauss=1, gauss={}) was dropped: torch caches normals of a \
             different algorithm (the next NumPy normal would have returned it without drawing)",
            py_float(st.gauss)
        ));
    }
    if mt.pos == 0 {
        warnings.push(
            "NumPy pos 0 has no torch encoding: stored as the same stream one twist earlier \
             (converting back gives pos 624)"
                .to_string(),
        );
    }
    let seed = match seed {
        Some(s) => s,
        None => {
            let (s, recognised) = default_torch_seed(&mt);
            if !recognised {
                warnings.push(format!(
                    "torch initial_seed() set to {s} (torch's default): the NumPy state does not \
                     record a seed (pass one to choose it; the stream does not depend on it)"
                ));
            }
            s
        }
    };
    let engine = mt19937_to_torch_engine(&mt, seed)?;
    let g = CpuGenerator {
        engine,
        next_double_normal: None,
        next_float_normal: None,
        capability: CpuCapability::Avx2,
    };
    Ok(Converted {
        state: g.get_state(),
        warnings,
    })
}

/// torch CPU blob → NumPy legacy (MT19937) state, `has_gauss = 0`, and the blob's torch seed.
/// Cached normal samples are dropped with a warning.
pub fn torch_cpu_to_numpy_legacy(blob: &[u8]) -> Result<(Converted<LegacyState>, u64)> {
    let g = torch_cpu_generator(blob)?;
    let mt = torch_engine_to_mt19937(&g.engine)?;
    let mut warnings = Vec::new();
    if let Some(x) = g.next_double_normal {
        warnings.push(format!(
            "torch's cached normal sample (next_double_normal_sample={}) was dropped: NumPy caches \
             Gaussians of a different algorithm",
            py_float(x)
        ));
    }
    if let Some(x) = g.next_float_normal {
        warnings.push(format!(
            "torch's cached float normal sample ({}) was dropped",
            py_float(f64::from(x))
        ));
    }
    let st = LegacyState {
        state: mt_state(&mt),
        has_gauss: false,
        gauss: 0.0,
    };
    Ok((
        Converted {
            state: st,
            warnings,
        },
        g.engine.seed,
    ))
}

/// Converts a document to another kind: `numpy-legacy`, `numpy-bitgen` and `torch-cpu` convert
/// into each other (MT19937 only for torch); any kind converts to itself. `torch_seed` overrides
/// the torch seed of a NumPy → torch conversion. Converting to NumPy records the torch seed in
/// [`StateDoc::torch_seed`] when the default rule would not give it back.
pub fn convert(
    doc: &StateDoc,
    to: StateKind,
    torch_seed: Option<u64>,
) -> Result<Converted<StateDoc>> {
    doc.state.validate()?;
    let plain = |state: AnyState, warnings| Converted {
        state: StateDoc {
            state,
            torch_seed: doc.torch_seed,
        },
        warnings,
    };
    match (&doc.state, to) {
        (s, k) if s.kind() == k => Ok(plain(s.clone(), Vec::new())),
        (AnyState::NumpyLegacy(st), StateKind::NumpyBitGen) => {
            let mut w = Vec::new();
            if st.has_gauss {
                w.push(format!(
                    "NumPy's cached Gaussian (gauss={}) was dropped: a bit generator state has no \
                     Gaussian cache",
                    py_float(st.gauss)
                ));
            }
            Ok(plain(AnyState::NumpyBitGen(st.state.clone()), w))
        }
        (AnyState::NumpyBitGen(st), StateKind::NumpyLegacy) => Ok(plain(
            AnyState::NumpyLegacy(LegacyState {
                state: st.clone(),
                has_gauss: false,
                gauss: 0.0,
            }),
            Vec::new(),
        )),
        (AnyState::NumpyLegacy(_) | AnyState::NumpyBitGen(_), StateKind::TorchCpu) => {
            let legacy = match &doc.state {
                AnyState::NumpyLegacy(st) => st.clone(),
                AnyState::NumpyBitGen(st) => LegacyState {
                    state: st.clone(),
                    has_gauss: false,
                    gauss: 0.0,
                },
                _ => unreachable_kind()?,
            };
            let c = numpy_legacy_to_torch_cpu(&legacy, torch_seed.or(doc.torch_seed))?;
            Ok(Converted {
                state: StateDoc::new(AnyState::TorchCpu(c.state)),
                warnings: c.warnings,
            })
        }
        (AnyState::TorchCpu(b), StateKind::NumpyLegacy | StateKind::NumpyBitGen) => {
            let (c, seed) = torch_cpu_to_numpy_legacy(b)?;
            let mt = mt_of(&c.state.state)?;
            let (default, _) = default_torch_seed(&mt);
            let state = if to == StateKind::NumpyLegacy {
                AnyState::NumpyLegacy(c.state)
            } else {
                AnyState::NumpyBitGen(c.state.state)
            };
            Ok(Converted {
                state: StateDoc {
                    state,
                    torch_seed: (seed != default).then_some(seed),
                },
                warnings: c.warnings,
            })
        }
        (s, k) => Err(Error::value(format!(
            "cannot convert a {} state to {}: only numpy-legacy, numpy-bitgen (MT19937) and \
             torch-cpu convert into each other",
            s.kind().name(),
            k.name()
        ))),
    }
}

fn unreachable_kind<T>() -> Result<T> {
    Err(Error::value("internal error: unexpected state kind"))
}

// =============================================================================================
// Random access
// =============================================================================================

/// NumPy legacy state advanced by `n` raw outputs of its bit generator (`random_raw(n)`; for
/// MT19937, `n` 32-bit words by polynomial jump-ahead). The Gaussian cache is kept, as
/// `random_raw` keeps it.
pub fn advance_numpy_legacy(st: &LegacyState, n: &BigUint) -> Result<LegacyState> {
    Ok(LegacyState {
        state: advance_numpy_bitgen(&st.state, n)?,
        has_gauss: st.has_gauss,
        gauss: st.gauss,
    })
}

/// NumPy bit generator state advanced by `n` outputs of `random_raw` (uint32 buffer kept):
/// MT19937 by jump-ahead, PCG64/PCG64DXSM by LCG advance (`n mod 2^128`), Philox by counter
/// (`n mod 2^258`, through its 4-output buffer), SFC64 by stepping (at most
/// [`SFC64_MAX_STEPS`]).
pub fn advance_numpy_bitgen(st: &BitGenState, n: &BigUint) -> Result<BitGenState> {
    validate_bitgen(st)?;
    let mut out = st.clone();
    match &mut out {
        BitGenState::Mt19937 { .. } => {
            let mut mt = mt_of(st)?;
            jump_ahead(&mut mt, n);
            out = mt_state(&mt);
        }
        BitGenState::Pcg64 { state, inc, .. } => {
            let mut e = Pcg64 {
                state: *state,
                inc: *inc,
            };
            e.advance(low_u128(n));
            *state = e.state;
        }
        BitGenState::Pcg64Dxsm { state, inc, .. } => {
            let mut e = Pcg64Dxsm {
                state: *state,
                inc: *inc,
            };
            e.advance(low_u128(n));
            *state = e.state;
        }
        BitGenState::Philox {
            counter,
            key,
            buffer,
            buffer_pos,
            ..
        } => {
            let mut e = Philox4x64 {
                ctr: *counter,
                key: *key,
                buffer: *buffer,
                buffer_pos: *buffer_pos,
            };
            philox_advance_outputs(&mut e, n);
            *counter = e.ctr;
            *buffer = e.buffer;
            *buffer_pos = e.buffer_pos;
        }
        BitGenState::Sfc64 { state, .. } => {
            let steps = n
                .to_u64()
                .filter(|&s| s <= SFC64_MAX_STEPS)
                .ok_or_else(|| {
                    Error::value(format!(
                    "SFC64 has no jump-ahead: advancing it by more than {SFC64_MAX_STEPS} outputs \
                     is refused (it steps one output at a time)"
                ))
                })?;
            let mut e = Sfc64 { s: *state };
            for _ in 0..steps {
                e.next_u64();
            }
            *state = e.s;
        }
    }
    Ok(out)
}

fn low_u128(n: &BigUint) -> u128 {
    let d = n.to_u64_digits();
    u128::from(d.first().copied().unwrap_or(0)) | (u128::from(d.get(1).copied().unwrap_or(0)) << 64)
}

/// Philox advanced by `n` `next_u64` outputs: the rest of the buffer, whole blocks by counter,
/// then a partial block.
fn philox_advance_outputs(e: &mut Philox4x64, n: &BigUint) {
    let left_in_buffer = 4 - e.buffer_pos.min(4);
    if let Some(k) = n.to_usize().filter(|&k| k <= left_in_buffer) {
        e.buffer_pos += k;
        return;
    }
    // n' > 0 outputs from fresh blocks: b = ceil(n' / 4) blocks, the last one used n' - 4 (b - 1).
    let rest = n - BigUint::from(left_in_buffer);
    let blocks: BigUint = (&rest + 3u32) / 4u32;
    let used_last = (&rest - (&blocks - 1u32) * 4u32).to_usize().unwrap_or(4);
    let skip = (&blocks - 1u32) % (BigUint::one() << 256u32);
    let mut words = [0u64; 4];
    for (w, d) in words.iter_mut().zip(skip.to_u64_digits()) {
        *w = d;
    }
    e.advance(words);
    e.next_u64();
    e.buffer_pos = used_last;
}

/// NumPy's `bit_generator.jumped(jumps)` state: MT19937 by NumPy's jump polynomial (any number
/// of jumps), PCG64/PCG64DXSM/Philox through [`BitGenerator::jumped`] (`jumps < 2^64`); SFC64
/// has no `jumped`.
pub fn jumped_numpy_bitgen(st: &BitGenState, jumps: &BigUint) -> Result<BitGenState> {
    if let BitGenState::Mt19937 { .. } = st {
        let mut mt = mt_of(st)?;
        jump_numpy(&mut mt, jumps);
        return Ok(mt_state(&mt));
    }
    let j = jumps
        .to_u64()
        .ok_or_else(|| Error::value("jumps must be below 2^64 for this bit generator"))?;
    Ok(bitgen_from_state(st)?.jumped(j)?.state())
}

/// torch CPU blob advanced by `n` 32-bit words (`n` calls of `random()`), by jump-ahead; the
/// seed and the normal caches are kept. The result is canonical (as torch's `get_state` writes
/// it); `n = 0` returns the blob unchanged.
pub fn advance_torch_cpu(blob: &[u8], n: &BigUint) -> Result<Vec<u8>> {
    let mut g = torch_cpu_generator(blob)?;
    if n.is_zero() {
        return Ok(blob.to_vec());
    }
    let mut mt = torch_engine_to_mt19937(&g.engine)?;
    jump_ahead(&mut mt, n);
    g.engine = mt19937_to_torch_engine(&mt, g.engine.seed)?;
    Ok(g.get_state())
}

/// torch CUDA state with `n` added to `philox_offset_per_thread` (torch's `set_offset`
/// semantics: `n` must be a multiple of 4, the offset wraps at 2^64).
pub fn advance_torch_cuda(state: &[u8; 16], n: u64) -> Result<[u8; 16]> {
    let mut g = CudaGenerator::new();
    g.set_state(state)?;
    g.set_offset(g.get_offset().wrapping_add(n))?;
    Ok(g.get_state())
}

/// Any state advanced by `n` outputs (see the module docs for what an output is per kind).
pub fn advance(state: &AnyState, n: &BigUint) -> Result<AnyState> {
    Ok(match state {
        AnyState::NumpyLegacy(st) => AnyState::NumpyLegacy(advance_numpy_legacy(st, n)?),
        AnyState::NumpyBitGen(st) => AnyState::NumpyBitGen(advance_numpy_bitgen(st, n)?),
        AnyState::TorchCpu(b) => AnyState::TorchCpu(advance_torch_cpu(b, n)?),
        AnyState::TorchCuda(b) => {
            let n = n
                .to_u64()
                .ok_or_else(|| Error::value("a torch CUDA offset step must be below 2^64"))?;
            AnyState::TorchCuda(advance_torch_cuda(b, n)?)
        }
    })
}

/// The next `n` raw outputs: NumPy `random_raw` (32-bit words for MT19937), torch CPU
/// `random()` words. torch CUDA states have no single stream (error).
pub fn next_words(state: &AnyState, n: usize) -> Result<Vec<u64>> {
    match state {
        AnyState::NumpyLegacy(LegacyState { state, .. }) | AnyState::NumpyBitGen(state) => {
            let mut bg = bitgen_from_state(state)?;
            Ok((0..n).map(|_| bg.random_raw()).collect())
        }
        AnyState::TorchCpu(b) => {
            let mut g = torch_cpu_generator(b)?;
            Ok((0..n).map(|_| u64::from(g.random())).collect())
        }
        AnyState::TorchCuda(_) => Err(Error::value(
            "a torch CUDA state has no single stream of words (each thread reads its own \
             Philox subsequence)",
        )),
    }
}

// =============================================================================================
// From seeds
// =============================================================================================

/// `np.random.seed(seed)` / `RandomState(seed)`'s state.
pub fn numpy_legacy_from_seed(seed: u32) -> LegacyState {
    RandomState::from_seed(seed).get_state()
}

/// `X(seed).state` for NumPy's bit generator class `X` (`MT19937`, `PCG64`, `PCG64DXSM`,
/// `Philox`, `SFC64`; case-insensitive), seeded through `SeedSequence(seed)`.
pub fn numpy_bitgen_from_seed(bit_generator: &str, seed: &BigUint) -> Result<BitGenState> {
    let name = match bit_generator.to_ascii_lowercase().as_str() {
        "mt19937" => "MT19937",
        "pcg64" => "PCG64",
        "pcg64dxsm" => "PCG64DXSM",
        "philox" => "Philox",
        "sfc64" => "SFC64",
        _ => {
            return Err(Error::value(format!(
                "unknown bit generator '{bit_generator}' (expected MT19937, PCG64, PCG64DXSM, Philox or SFC64)"
            )))
        }
    };
    Ok(BitGenerator::from_seed_sequence(name, SeedSequence::from_int(seed))?.state())
}

/// `torch.manual_seed(seed); torch.get_rng_state()`.
pub fn torch_cpu_from_seed(seed: u64) -> Vec<u8> {
    CpuGenerator::new(seed, CpuCapability::Avx2).get_state()
}

/// `torch.cuda.manual_seed(seed); torch.cuda.get_rng_state()`.
pub fn torch_cuda_from_seed(seed: u64) -> [u8; 16] {
    CudaGenerator::with_seed(seed).get_state()
}

// =============================================================================================
// Summary
// =============================================================================================

/// A human-readable summary of a state (what `seedbridge state show` prints).
pub fn describe(doc: &StateDoc) -> String {
    let mut o = Vec::<String>::new();
    let st = &doc.state;
    o.push(format!("kind: {}", st.kind().name()));
    match st {
        AnyState::NumpyLegacy(l) => {
            describe_bitgen(&mut o, &l.state);
            o.push(format!(
                "has_gauss: {}{}",
                u8::from(l.has_gauss),
                if l.has_gauss {
                    format!(" (gauss {})", py_float(l.gauss))
                } else {
                    String::new()
                }
            ));
            describe_torch_equivalent(&mut o, &l.state, doc.torch_seed);
        }
        AnyState::NumpyBitGen(b) => {
            describe_bitgen(&mut o, b);
            describe_torch_equivalent(&mut o, b, doc.torch_seed);
        }
        AnyState::TorchCpu(b) => match torch_cpu_generator(b) {
            Ok(g) => {
                let e = &g.engine;
                o.push(format!("initial_seed: {}", e.seed));
                o.push(format!("left_: {}, next_: {}", e.left, e.next));
                o.push(format!(
                    "next_double_normal_sample: {}",
                    g.next_double_normal.map_or("none".to_string(), py_float)
                ));
                o.push(format!(
                    "next_float_normal_sample: {}",
                    g.next_float_normal
                        .map_or("none".to_string(), |x| py_float(f64::from(x)))
                ));
                match torch_engine_to_mt19937(e) {
                    Ok(mt) => o.push(format!("numpy equivalent: MT19937 pos {}", mt.pos)),
                    Err(err) => o.push(format!("numpy equivalent: none ({err})")),
                }
            }
            Err(err) => o.push(format!("invalid: {err}")),
        },
        AnyState::TorchCuda(b) => {
            let mut g = CudaGenerator::new();
            match g.set_state(b) {
                Ok(()) => {
                    o.push(format!("seed: {}", g.initial_seed()));
                    o.push(format!("offset: {}", g.get_offset()));
                }
                Err(err) => o.push(format!("invalid: {err}")),
            }
        }
    }
    if let Ok(w) = next_words(st, 4) {
        let w: Vec<String> = w.iter().map(u64::to_string).collect();
        o.push(format!("next raw outputs: {}", w.join(", ")));
    }
    o.join("\n")
}

fn describe_bitgen(o: &mut Vec<String>, st: &BitGenState) {
    o.push(format!("bit_generator: {}", st.bit_generator()));
    match st {
        BitGenState::Mt19937 { key, pos } => {
            o.push(format!(
                "pos: {pos} ({} words before the next twist)",
                MT_N - pos
            ));
            if key.len() == MT_N {
                let mut k = [0u32; MT_N];
                k.copy_from_slice(key);
                if let Some(s) = recognise_seed(&k) {
                    o.push(format!(
                        "recognised seed: {s} (within 624 words of seed({s}))"
                    ));
                }
            }
        }
        BitGenState::Pcg64 {
            state,
            inc,
            has_uint32,
            uinteger,
        }
        | BitGenState::Pcg64Dxsm {
            state,
            inc,
            has_uint32,
            uinteger,
        } => {
            o.push(format!("state: {state:#034x}, inc: {inc:#034x}"));
            o.push(format!(
                "has_uint32: {}, uinteger: {uinteger}",
                u8::from(*has_uint32)
            ));
        }
        BitGenState::Philox {
            counter,
            key,
            buffer_pos,
            has_uint32,
            uinteger,
            ..
        } => {
            o.push(format!(
                "counter: {counter:?}, key: {key:?}, buffer_pos: {buffer_pos}"
            ));
            o.push(format!(
                "has_uint32: {}, uinteger: {uinteger}",
                u8::from(*has_uint32)
            ));
        }
        BitGenState::Sfc64 {
            state,
            has_uint32,
            uinteger,
        } => {
            o.push(format!("state: {state:?}"));
            o.push(format!(
                "has_uint32: {}, uinteger: {uinteger}",
                u8::from(*has_uint32)
            ));
        }
    }
}

fn describe_torch_equivalent(o: &mut Vec<String>, st: &BitGenState, torch_seed: Option<u64>) {
    let Ok(mt) = mt_of(st) else { return };
    let (seed, recognised) = match torch_seed {
        Some(s) => (s, true),
        None => default_torch_seed(&mt),
    };
    match mt19937_to_torch_engine(&mt, seed) {
        Ok(e) => o.push(format!(
            "torch equivalent: left_={} next_={} initial_seed {}{}",
            e.left,
            e.next,
            seed,
            if recognised { "" } else { " (default)" }
        )),
        Err(err) => o.push(format!("torch equivalent: none ({err})")),
    }
}

// =============================================================================================
// The `seedbridge state` command
// =============================================================================================

/// Usage of `seedbridge state` (what [`state_command`] accepts after `state`).
pub const STATE_USAGE: &str = "\
usage: seedbridge state show FILE
       seedbridge state convert --to KIND [--torch-seed SEED] [--format json|raw] IN OUT
       seedbridge state advance (--steps N | --jumps K) [--format json|raw] IN OUT
       seedbridge state from-seed --lib LIB [--format json|raw] SEED OUT

State files: JSON ({\"format\": \"seedbridge-state\", ...}, or NumPy's own state dict/tuple as
JSON), or raw torch states (5056 bytes: torch.get_rng_state(); 16 bytes: torch.cuda).

  show       print the kind, the position, the caches and the next raw outputs
  convert    KIND: numpy-legacy, numpy-bitgen (MT19937), torch-cpu (or the file's own kind,
             to re-encode). The MT19937 key and position carry over exactly; Gaussian/normal
             caches do not (dropped, with a warning). --torch-seed sets torch's initial_seed()
             (default: the file's torch_seed, else the seed recognised from the key, else
             67280421310721).
  advance    --steps N: skip N raw outputs without generating them (NumPy: random_raw outputs,
             32-bit words for MT19937; torch CPU: 32-bit words; torch CUDA: N added to the
             Philox offset, a multiple of 4). --jumps K: NumPy's bit_generator.jumped(K).
             N and K: decimal, 0x-hex or B**E.
  from-seed  LIB: numpy (np.random.seed), numpy-mt19937, numpy-pcg64, numpy-pcg64dxsm,
             numpy-philox, numpy-sfc64 (X(SEED)), torch (torch.manual_seed),
             torch-cuda (torch.cuda.manual_seed).

Output: JSON, except torch states written raw unless OUT ends in .json or --format json.
Inputs are fully validated before anything is written; OUT is replaced atomically.";

#[derive(Default)]
struct Args {
    positional: Vec<String>,
    options: Vec<(String, String)>,
}

impl Args {
    fn parse(args: &[String], known: &[&str]) -> Result<Args> {
        let mut out = Args::default();
        let mut i = 0;
        let mut only_positional = false;
        while i < args.len() {
            let a = &args[i];
            i += 1;
            if only_positional || !a.starts_with("--") {
                out.positional.push(a.clone());
                continue;
            }
            if a == "--" {
                only_positional = true;
                continue;
            }
            let (name, value) = match a.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => {
                    let v = args
                        .get(i)
                        .cloned()
                        .ok_or_else(|| usage_error(&format!("option {a} needs a value")))?;
                    i += 1;
                    (a.clone(), v)
                }
            };
            if !known.contains(&name.as_str()) {
                return Err(usage_error(&format!("unknown option {name}")));
            }
            if out.options.iter().any(|(n, _)| *n == name) {
                return Err(usage_error(&format!("option {name} given twice")));
            }
            out.options.push((name, value));
        }
        Ok(out)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn positional(&self, names: &[&str]) -> Result<Vec<&str>> {
        if self.positional.len() != names.len() {
            return Err(usage_error(&format!(
                "expected {} ({}), got {} argument(s)",
                names.join(" "),
                names.len(),
                self.positional.len()
            )));
        }
        Ok(self.positional.iter().map(String::as_str).collect())
    }
}

fn usage_error(msg: &str) -> Error {
    Error::value(format!("seedbridge state: {msg}\n{STATE_USAGE}"))
}

/// The logic of `seedbridge state SUBCOMMAND ...`: `args` are the arguments after `state`
/// (see [`STATE_USAGE`]). Returns the text to print on stdout: the summary for `show`, a
/// `wrote OUT: ...` line otherwise, followed by `warning: ...` lines for what did not carry
/// over. Output files are written only after the input was read, validated and converted in
/// full, through a temporary file in the same directory renamed over `OUT`; on any error
/// nothing is written.
pub fn state_command(args: &[String]) -> Result<String> {
    let Some((sub, rest)) = args.split_first() else {
        return Err(usage_error("missing subcommand"));
    };
    match sub.as_str() {
        "-h" | "--help" | "help" => Ok(STATE_USAGE.to_string()),
        "show" => {
            let a = Args::parse(rest, &[])?;
            let [input] = a.positional(&["FILE"])?[..] else {
                return Err(usage_error("expected FILE"));
            };
            let doc = read_state_file(Path::new(input))?;
            Ok(describe(&doc))
        }
        "convert" => {
            let a = Args::parse(rest, &["--to", "--torch-seed", "--format"])?;
            let [input, output] = a.positional(&["IN", "OUT"])?[..] else {
                return Err(usage_error("expected IN OUT"));
            };
            let to = StateKind::parse(
                a.get("--to")
                    .ok_or_else(|| usage_error("convert needs --to KIND"))?,
            )?;
            let seed = a.get("--torch-seed").map(parse_torch_seed).transpose()?;
            let format = a.get("--format").map(parse_format).transpose()?;
            let doc = read_state_file(Path::new(input))?;
            let c = convert(&doc, to, seed)?;
            finish(&c.state, format, Path::new(output), &c.warnings)
        }
        "advance" => {
            let a = Args::parse(rest, &["--steps", "--jumps", "--format"])?;
            let [input, output] = a.positional(&["IN", "OUT"])?[..] else {
                return Err(usage_error("expected IN OUT"));
            };
            let format = a.get("--format").map(parse_format).transpose()?;
            let (steps, jumps) = match (a.get("--steps"), a.get("--jumps")) {
                (Some(n), None) => (Some(parse_big(n, "--steps")?), None),
                (None, Some(k)) => (None, Some(parse_big(k, "--jumps")?)),
                _ => {
                    return Err(usage_error(
                        "advance needs exactly one of --steps N, --jumps K",
                    ))
                }
            };
            let doc = read_state_file(Path::new(input))?;
            let state = match (steps, jumps, &doc.state) {
                (Some(n), _, st) => advance(st, &n)?,
                (None, Some(k), AnyState::NumpyBitGen(st)) => {
                    AnyState::NumpyBitGen(jumped_numpy_bitgen(st, &k)?)
                }
                (_, _, other) => {
                    return Err(Error::value(format!(
                        "--jumps is NumPy's bit_generator.jumped(): it needs a numpy-bitgen \
                         state, not {}",
                        other.kind().name()
                    )))
                }
            };
            let out = StateDoc {
                state,
                torch_seed: doc.torch_seed,
            };
            finish(&out, format, Path::new(output), &[])
        }
        "from-seed" => {
            let a = Args::parse(rest, &["--lib", "--format"])?;
            let [seed, output] = a.positional(&["SEED", "OUT"])?[..] else {
                return Err(usage_error("expected SEED OUT"));
            };
            let format = a.get("--format").map(parse_format).transpose()?;
            let lib = a
                .get("--lib")
                .ok_or_else(|| usage_error("from-seed needs --lib LIB"))?;
            let state = match lib {
                "numpy" => {
                    let s = parse_int(seed, "SEED")?;
                    let s = u32::try_from(s)
                        .map_err(|_| Error::value("Seed must be between 0 and 2**32 - 1"))?;
                    AnyState::NumpyLegacy(numpy_legacy_from_seed(s))
                }
                "torch" => AnyState::TorchCpu(torch_cpu_from_seed(parse_torch_seed(seed)?)),
                "torch-cuda" => AnyState::TorchCuda(torch_cuda_from_seed(parse_torch_seed(seed)?)),
                l => match l.strip_prefix("numpy-") {
                    Some(bg) => {
                        if seed.starts_with('-') {
                            return Err(Error::value("SeedSequence expects non-negative integers"));
                        }
                        AnyState::NumpyBitGen(numpy_bitgen_from_seed(
                            bg,
                            &parse_big(seed, "SEED")?,
                        )?)
                    }
                    None => {
                        return Err(usage_error(&format!(
                            "unknown --lib {l} (expected numpy, numpy-mt19937, numpy-pcg64, \
                             numpy-pcg64dxsm, numpy-philox, numpy-sfc64, torch or torch-cuda)"
                        )))
                    }
                },
            };
            finish(&StateDoc::new(state), format, Path::new(output), &[])
        }
        other => Err(usage_error(&format!("unknown subcommand '{other}'"))),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Json,
    Raw,
}

fn parse_format(s: &str) -> Result<Format> {
    match s {
        "json" => Ok(Format::Json),
        "raw" => Ok(Format::Raw),
        other => Err(usage_error(&format!(
            "--format must be json or raw, not '{other}'"
        ))),
    }
}

/// A non-negative integer: decimal, `0x` hex or `B**E`.
fn parse_big(s: &str, what: &str) -> Result<BigUint> {
    let t: String = s.trim().chars().filter(|&c| c != '_').collect();
    let bad = || Error::value(format!("{what}: '{s}' is not a non-negative integer"));
    if let Some((b, e)) = t.split_once("**") {
        let b = parse_big(b, what)?;
        let e = e.parse::<u32>().map_err(|_| bad())?;
        if e > 1 << 16 {
            return Err(bad());
        }
        return Ok(b.pow(e));
    }
    let (digits, radix) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => (h, 16),
        None => (t.as_str(), 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(bad());
    }
    BigUint::parse_bytes(digits.as_bytes(), radix).ok_or_else(bad)
}

/// A signed integer (`-` then [`parse_big`]) within `i128`.
fn parse_int(s: &str, what: &str) -> Result<i128> {
    let (neg, body) = match s.trim().strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let v = parse_big(body, what)?
        .to_i128()
        .ok_or_else(|| Error::value(format!("{what}: {s} is out of range")))?;
    Ok(if neg { -v } else { v })
}

/// torch's seed reduction (`[0, 2^64)` as is, negatives as two's complement).
fn parse_torch_seed(s: &str) -> Result<u64> {
    match parse_int(s, "seed") {
        Ok(v) => CpuGenerator::seed_from_int(v),
        Err(_)
            if s.trim_start()
                .starts_with(|c: char| c == '-' || c.is_ascii_digit()) =>
        {
            Err(Error::value("Overflow when unpacking long long"))
        }
        Err(e) => Err(e),
    }
}

/// Reads and validates a state file.
pub fn read_state_file(path: &Path) -> Result<StateDoc> {
    let shown = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| Error::Io(format!("cannot read {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(Error::Io(format!("cannot read {shown}: not a file")));
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(Error::value(format!(
            "{shown}: {} bytes is too large to be a state file",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::Io(format!("cannot read {shown}: {e}")))?;
    StateDoc::from_bytes(&bytes).map_err(|e| prefix_error(e, &format!("{shown}")))
}

fn prefix_error(e: Error, prefix: &str) -> Error {
    match e {
        Error::Value(m) => Error::Value(format!("{prefix}: {m}")),
        Error::Runtime(m) => Error::Runtime(format!("{prefix}: {m}")),
        Error::Type(m) => Error::Type(format!("{prefix}: {m}")),
        Error::Index(m) => Error::Index(format!("{prefix}: {m}")),
        Error::Overflow(m) => Error::Overflow(format!("{prefix}: {m}")),
        other => other,
    }
}

/// Encodes, writes atomically, and reports.
fn finish(
    doc: &StateDoc,
    format: Option<Format>,
    out: &Path,
    warnings: &[String],
) -> Result<String> {
    doc.state.validate()?;
    let is_torch = !doc.state.kind().is_numpy();
    let json_name = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let raw = match format {
        Some(Format::Raw) => true,
        Some(Format::Json) => false,
        None => is_torch && !json_name,
    };
    let bytes = doc.to_bytes(raw)?;
    write_atomic(out, &bytes)?;
    let mut msg = format!(
        "wrote {}: {} state ({} bytes, {})",
        out.display(),
        doc.state.kind().name(),
        bytes.len(),
        if raw { "raw" } else { "JSON" }
    );
    for w in warnings {
        msg.push_str("\nwarning: ");
        msg.push_str(w);
    }
    Ok(msg)
}

/// Writes `data` to a temporary file next to `path`, then renames it over `path`.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let shown = path.display();
    let name = path
        .file_name()
        .ok_or_else(|| Error::Io(format!("cannot write {shown}: not a file name")))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(
        ".{}.seedbridge-tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::Io(format!("cannot write {shown}: {e}"))
    })
}

// =============================================================================================
// JSON: a small exact reader and a writer in Python's `json.dumps` style
// =============================================================================================

/// A parsed JSON value; numbers keep their text so that big integers stay exact.
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Num(_) => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "a list",
            Json::Obj(_) => "an object",
        }
    }
}

const MAX_DEPTH: usize = 32;

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

fn parse_json(text: &str) -> Result<Json> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("unexpected characters after the JSON value"));
    }
    Ok(v)
}

impl Parser<'_> {
    fn err(&self, msg: &str) -> Error {
        let before = &self.s[..self.i.min(self.s.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        Error::value(format!("invalid JSON at line {line}, column {col}: {msg}"))
    }

    fn eof(&self) -> Error {
        self.err("unexpected end of input (truncated file?)")
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        match self.peek() {
            Some(x) if x == c => {
                self.i += 1;
                Ok(())
            }
            Some(_) => Err(self.err(&format!("expected '{}'", c as char))),
            None => Err(self.eof()),
        }
    }

    fn value(&mut self) -> Result<Json> {
        match self.peek() {
            None => Err(self.eof()),
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'N') => self.literal("NaN", Json::Num("NaN".into())),
            Some(b'I') => self.literal("Infinity", Json::Num("inf".into())),
            Some(b'-') if self.s[self.i..].starts_with(b"-Infinity") => {
                self.literal("-Infinity", Json::Num("-inf".into()))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("expected a JSON value")),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Json>) -> Result<Json> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json> {
        let rest = &self.s[self.i..];
        if rest.starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else if word.as_bytes().starts_with(rest) {
            Err(self.eof())
        } else {
            Err(self.err("expected a JSON value"))
        }
    }

    fn object(&mut self) -> Result<Json> {
        self.expect(b'{')?;
        let mut fields: Vec<(String, Json)> = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Json::Obj(fields));
        }
        loop {
            self.ws();
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.eof()),
                Some(_) => return Err(self.err("expected a string key")),
            }
            let key_at = self.i;
            let k = self.string()?;
            if fields.iter().any(|(n, _)| *n == k) {
                self.i = key_at;
                return Err(self.err(&format!("duplicate key \"{k}\"")));
            }
            self.ws();
            self.expect(b':')?;
            self.ws();
            let v = self.value()?;
            fields.push((k, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Obj(fields));
                }
                None => return Err(self.eof()),
                Some(_) => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self) -> Result<Json> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                None => return Err(self.eof()),
                Some(_) => return Err(self.err("expected ',' or ']'")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        if self.i + 4 > self.s.len() {
            return Err(self.eof());
        }
        let h = std::str::from_utf8(&self.s[self.i..self.i + 4])
            .ok()
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(h)
    }

    fn string(&mut self) -> Result<String> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.s.len() && !matches!(self.s[self.i], b'"' | b'\\' | 0..=0x1f) {
                self.i += 1;
            }
            // The input came from a &str and we stop only at ASCII bytes: valid UTF-8.
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default());
            match self.peek() {
                None => return Err(self.eof()),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek().ok_or_else(|| self.eof())?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xd800..0xdc00).contains(&cp)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                } else {
                                    return Err(self.err("invalid surrogate pair"));
                                }
                            }
                            out.push(
                                char::from_u32(cp).ok_or_else(|| self.err("invalid \\u escape"))?,
                            );
                        }
                        _ => return Err(self.err("invalid escape")),
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }

    fn number(&mut self) -> Result<Json> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
            p.i - s
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = digits(self);
        if n == 0 {
            return Err(if self.peek().is_none() {
                self.eof()
            } else {
                self.err("invalid number")
            });
        }
        if n > 1 && self.s[int_start] == b'0' {
            return Err(self.err("invalid number (leading zero)"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.err("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("invalid number"));
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default();
        Ok(Json::Num(text.to_string()))
    }
}

// ---- reading values ------------------------------------------------------------------------

type Fields = [(String, Json)];

fn as_obj<'a>(v: &'a Json, path: &str) -> Result<&'a Fields> {
    match v {
        Json::Obj(f) => Ok(f),
        other => Err(Error::value(format!(
            "`{path}` must be an object, found {}",
            other.type_name()
        ))),
    }
}

fn field<'a>(o: &'a Fields, key: &str, path: &str) -> Result<&'a Json> {
    o.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .ok_or_else(|| Error::value(format!("missing `{}`", join(path, key))))
}

fn opt_field<'a>(o: &'a Fields, key: &str) -> Option<&'a Json> {
    o.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn only_fields(o: &Fields, allowed: &[&str], path: &str) -> Result<()> {
    match o.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((k, _)) => Err(Error::value(format!(
            "unexpected key `{}` (expected {})",
            join(path, k),
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// An integer in `0..=max`.
fn uint(v: &Json, path: &str, max: u128) -> Result<u128> {
    let range = || {
        Error::value(format!(
            "`{path}` must be an integer between 0 and {max}, found {}",
            match v {
                Json::Num(t) => t.clone(),
                other => other.type_name().to_string(),
            }
        ))
    };
    match v {
        Json::Num(t) if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) => {
            let x = t.parse::<u128>().map_err(|_| range())?;
            if x > max {
                return Err(range());
            }
            Ok(x)
        }
        Json::Num(t) if t.starts_with('-') && t[1..].bytes().all(|c| c.is_ascii_digit()) => {
            Err(range())
        }
        Json::Num(t) => Err(Error::value(format!(
            "`{path}` must be an integer, found {t}"
        ))),
        other => Err(Error::value(format!(
            "`{path}` must be an integer, found {}",
            other.type_name()
        ))),
    }
}

fn u32_of(v: &Json, path: &str) -> Result<u32> {
    uint(v, path, u32::MAX.into()).map(|x| x as u32)
}

fn u64_of(v: &Json, path: &str) -> Result<u64> {
    uint(v, path, u64::MAX.into()).map(|x| x as u64)
}

fn flag(v: &Json, path: &str) -> Result<bool> {
    match v {
        Json::Bool(b) => Ok(*b),
        Json::Num(_) => match uint(v, path, 1) {
            Ok(x) => Ok(x == 1),
            Err(_) => Err(Error::value(format!(
                "`{path}` must be 0, 1, true or false"
            ))),
        },
        other => Err(Error::value(format!(
            "`{path}` must be 0, 1, true or false, found {}",
            other.type_name()
        ))),
    }
}

fn float(v: &Json, path: &str) -> Result<f64> {
    match v {
        Json::Num(t) => t
            .parse::<f64>()
            .map_err(|_| Error::value(format!("`{path}` must be a number, found {t}"))),
        other => Err(Error::value(format!(
            "`{path}` must be a number, found {}",
            other.type_name()
        ))),
    }
}

fn list<'a>(v: &'a Json, path: &str, len: usize) -> Result<&'a [Json]> {
    match v {
        Json::Arr(items) if items.len() == len => Ok(items),
        Json::Arr(items) => Err(Error::value(format!(
            "`{path}` must have {len} entries, found {}",
            items.len()
        ))),
        other => Err(Error::value(format!(
            "`{path}` must be a list of {len} integers, found {}",
            other.type_name()
        ))),
    }
}

fn u64_words<const W: usize>(v: &Json, path: &str) -> Result<[u64; W]> {
    let items = list(v, path, W)?;
    let mut out = [0u64; W];
    for (i, (o, x)) in out.iter_mut().zip(items).enumerate() {
        *o = u64_of(x, &format!("{path}[{i}]"))?;
    }
    Ok(out)
}

/// `bit_generator.state` from a dict's fields (`extra`: further keys allowed, e.g. the legacy
/// Gaussian cache).
fn bitgen_from_fields(o: &Fields, path: &str, extra: &[&'static str]) -> Result<BitGenState> {
    let name = match field(o, "bit_generator", path)? {
        Json::Str(s) => s.as_str(),
        other => {
            return Err(Error::value(format!(
                "`{}` must be a string, found {}",
                join(path, "bit_generator"),
                other.type_name()
            )))
        }
    };
    let sp = join(path, "state");
    let inner = as_obj(field(o, "state", path)?, &sp)?;
    let allow = |own: &[&'static str]| -> Vec<&'static str> {
        let mut v: Vec<&'static str> = vec!["bit_generator", "state"];
        v.extend_from_slice(own);
        v.extend_from_slice(extra);
        v
    };
    let cache = |o: &Fields| -> Result<(bool, u32)> {
        Ok((
            flag(field(o, "has_uint32", path)?, &join(path, "has_uint32"))?,
            u32_of(field(o, "uinteger", path)?, &join(path, "uinteger"))?,
        ))
    };
    let st = match name {
        "MT19937" => {
            only_fields(o, &allow(&[]), path)?;
            only_fields(inner, &["key", "pos"], &sp)?;
            let kp = join(&sp, "key");
            let items = list(field(inner, "key", &sp)?, &kp, MT_N)?;
            let key = items
                .iter()
                .enumerate()
                .map(|(i, x)| u32_of(x, &format!("{kp}[{i}]")))
                .collect::<Result<Vec<u32>>>()?;
            let pos = uint(field(inner, "pos", &sp)?, &join(&sp, "pos"), MT_N as u128)? as usize;
            BitGenState::Mt19937 { key, pos }
        }
        "PCG64" | "PCG64DXSM" => {
            only_fields(o, &allow(&["has_uint32", "uinteger"]), path)?;
            only_fields(inner, &["state", "inc"], &sp)?;
            let state = uint(field(inner, "state", &sp)?, &join(&sp, "state"), u128::MAX)?;
            let inc = uint(field(inner, "inc", &sp)?, &join(&sp, "inc"), u128::MAX)?;
            let (has_uint32, uinteger) = cache(o)?;
            if name == "PCG64" {
                BitGenState::Pcg64 {
                    state,
                    inc,
                    has_uint32,
                    uinteger,
                }
            } else {
                BitGenState::Pcg64Dxsm {
                    state,
                    inc,
                    has_uint32,
                    uinteger,
                }
            }
        }
        "Philox" => {
            only_fields(
                o,
                &allow(&["buffer", "buffer_pos", "has_uint32", "uinteger"]),
                path,
            )?;
            only_fields(inner, &["counter", "key"], &sp)?;
            let counter = u64_words::<4>(field(inner, "counter", &sp)?, &join(&sp, "counter"))?;
            let key = u64_words::<2>(field(inner, "key", &sp)?, &join(&sp, "key"))?;
            let buffer = u64_words::<4>(field(o, "buffer", path)?, &join(path, "buffer"))?;
            let buffer_pos =
                uint(field(o, "buffer_pos", path)?, &join(path, "buffer_pos"), 4)? as usize;
            let (has_uint32, uinteger) = cache(o)?;
            BitGenState::Philox {
                counter,
                key,
                buffer,
                buffer_pos,
                has_uint32,
                uinteger,
            }
        }
        "SFC64" => {
            only_fields(o, &allow(&["has_uint32", "uinteger"]), path)?;
            only_fields(inner, &["state"], &sp)?;
            let state = u64_words::<4>(field(inner, "state", &sp)?, &join(&sp, "state"))?;
            let (has_uint32, uinteger) = cache(o)?;
            BitGenState::Sfc64 {
                state,
                has_uint32,
                uinteger,
            }
        }
        other => {
            return Err(Error::value(format!(
            "unknown bit_generator '{other}' (expected MT19937, PCG64, PCG64DXSM, Philox or SFC64)"
        )))
        }
    };
    Ok(st)
}

fn legacy_from_fields(o: &Fields, path: &str) -> Result<LegacyState> {
    let state = bitgen_from_fields(o, path, &["has_gauss", "gauss"])?;
    let has_gauss = match opt_field(o, "has_gauss") {
        Some(v) => flag(v, &join(path, "has_gauss"))?,
        None => false,
    };
    let gauss = match opt_field(o, "gauss") {
        Some(v) => float(v, &join(path, "gauss"))?,
        None => 0.0,
    };
    Ok(LegacyState {
        state,
        has_gauss,
        gauss,
    })
}

/// The legacy tuple `('MT19937', key, pos[, has_gauss, gauss])` as a JSON list.
fn legacy_from_tuple(items: &[Json], path: &str) -> Result<LegacyState> {
    if !matches!(items.len(), 3 | 5) || items[0] != Json::Str("MT19937".into()) {
        return Err(Error::value(format!(
            "`{path}` is not a legacy MT19937 state (expected [\"MT19937\", key, pos, has_gauss, gauss])"
        )));
    }
    let kp = format!("{path}[1]");
    let key = list(&items[1], &kp, MT_N)?
        .iter()
        .enumerate()
        .map(|(i, x)| u32_of(x, &format!("{kp}[{i}]")))
        .collect::<Result<Vec<u32>>>()?;
    let pos = uint(&items[2], &format!("{path}[2]"), MT_N as u128)? as usize;
    let (has_gauss, gauss) = if items.len() == 5 {
        (
            flag(&items[3], &format!("{path}[3]"))?,
            float(&items[4], &format!("{path}[4]"))?,
        )
    } else {
        (false, 0.0)
    };
    Ok(LegacyState {
        state: BitGenState::Mt19937 { key, pos },
        has_gauss,
        gauss,
    })
}

fn bytes_of(v: &Json, path: &str) -> Result<Vec<u8>> {
    match v {
        Json::Str(s) => decode_hex(s).map_err(|m| Error::value(format!("`{path}`: {m}"))),
        Json::Arr(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| uint(x, &format!("{path}[{i}]"), 255).map(|b| b as u8))
            .collect(),
        Json::Obj(o) => {
            only_fields(o, &["hex", "base64"], path)?;
            match (opt_field(o, "hex"), opt_field(o, "base64")) {
                (Some(Json::Str(h)), None) => {
                    decode_hex(h).map_err(|m| Error::value(format!("`{path}.hex`: {m}")))
                }
                (None, Some(Json::Str(b))) => {
                    decode_base64(b).map_err(|m| Error::value(format!("`{path}.base64`: {m}")))
                }
                _ => Err(Error::value(format!(
                    "`{path}` must hold one string, `hex` or `base64`"
                ))),
            }
        }
        other => Err(Error::value(format!(
            "`{path}` must be a hex string, found {}",
            other.type_name()
        ))),
    }
}

fn torch_state_from_bytes(kind: StateKind, b: Vec<u8>, path: &str) -> Result<AnyState> {
    let st = match kind {
        StateKind::TorchCpu => {
            if b.len() != TORCH_CPU_SIZE {
                return Err(Error::value(format!(
                    "`{path}`: a torch CPU state has {TORCH_CPU_SIZE} bytes, found {}",
                    b.len()
                )));
            }
            AnyState::TorchCpu(b)
        }
        _ => {
            let arr: [u8; 16] = b.as_slice().try_into().map_err(|_| {
                Error::value(format!(
                    "`{path}`: a torch CUDA state has 16 bytes, found {}",
                    b.len()
                ))
            })?;
            AnyState::TorchCuda(arr)
        }
    };
    Ok(st)
}

fn doc_from_value(v: &Json) -> Result<StateDoc> {
    let doc = match v {
        Json::Obj(o) if opt_field(o, "format").is_some() => {
            only_fields(o, &["format", "version", "kind", "torch_seed", "state"], "")?;
            match field(o, "format", "")? {
                Json::Str(f) if f == FORMAT => {}
                _ => {
                    return Err(Error::value(format!(
                        "`format` must be \"{FORMAT}\""
                    )))
                }
            }
            let version = uint(field(o, "version", "")?, "version", u128::MAX)?;
            if version != u128::from(VERSION) {
                return Err(Error::value(format!(
                    "unsupported state file version {version} (this seedbridge reads version {VERSION})"
                )));
            }
            let kind = match field(o, "kind", "")? {
                Json::Str(k) => StateKind::parse(k)?,
                other => {
                    return Err(Error::value(format!(
                        "`kind` must be a string, found {}",
                        other.type_name()
                    )))
                }
            };
            let torch_seed = opt_field(o, "torch_seed")
                .map(|s| u64_of(s, "torch_seed"))
                .transpose()?;
            if torch_seed.is_some() && !kind.is_numpy() {
                return Err(Error::value("`torch_seed` only belongs in NumPy states"));
            }
            let sv = field(o, "state", "")?;
            let state = match kind {
                StateKind::NumpyLegacy => match sv {
                    Json::Arr(items) => AnyState::NumpyLegacy(legacy_from_tuple(items, "state")?),
                    _ => AnyState::NumpyLegacy(legacy_from_fields(as_obj(sv, "state")?, "state")?),
                },
                StateKind::NumpyBitGen => {
                    AnyState::NumpyBitGen(bitgen_from_fields(as_obj(sv, "state")?, "state", &[])?)
                }
                k => torch_state_from_bytes(k, bytes_of(sv, "state")?, "state")?,
            };
            StateDoc { state, torch_seed }
        }
        Json::Obj(o) if opt_field(o, "bit_generator").is_some() => {
            let legacy = opt_field(o, "has_gauss").is_some() || opt_field(o, "gauss").is_some();
            StateDoc::new(if legacy {
                AnyState::NumpyLegacy(legacy_from_fields(o, "")?)
            } else {
                AnyState::NumpyBitGen(bitgen_from_fields(o, "", &[])?)
            })
        }
        Json::Arr(items) if matches!(items.first(), Some(Json::Str(_))) => {
            StateDoc::new(AnyState::NumpyLegacy(legacy_from_tuple(items, "state")?))
        }
        Json::Arr(items) if matches!(items.len(), TORCH_CPU_SIZE | 16) => {
            let kind = if items.len() == 16 {
                StateKind::TorchCuda
            } else {
                StateKind::TorchCpu
            };
            StateDoc::new(torch_state_from_bytes(kind, bytes_of(v, "state")?, "state")?)
        }
        _ => {
            return Err(Error::value(
                "not a state: expected a seedbridge state object ({\"format\": \"seedbridge-state\", ...}), \
                 a NumPy state dict or tuple, or torch state bytes",
            ))
        }
    };
    doc.state.validate()?;
    Ok(doc)
}

fn decode_hex(s: &str) -> std::result::Result<Vec<u8>, String> {
    if s.len() % 2 != 0 {
        return Err(format!("odd number of hex digits ({})", s.len()));
    }
    hex::decode(s).map_err(|_| "not a hex string".to_string())
}

/// Standard or URL-safe base64 (Python's `base64.b64encode` / `urlsafe_b64encode`), with or
/// without `=` padding, through the `base64` crate.
fn decode_base64(s: &str) -> std::result::Result<Vec<u8>, String> {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    use base64::Engine;
    let cfg = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let std_engine = GeneralPurpose::new(&base64::alphabet::STANDARD, cfg);
    let url_engine = GeneralPurpose::new(&base64::alphabet::URL_SAFE, cfg);
    std_engine
        .decode(s)
        .or_else(|_| url_engine.decode(s))
        .map_err(|e| format!("not base64 ({e})"))
}

// ---- writing -------------------------------------------------------------------------------

/// A float as Python's `repr` (and so `json.dumps`) writes it: shortest round-trip digits,
/// scientific notation below 1e-4 and from 1e16, `NaN`/`Infinity` as Python's `json` does.
pub fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    crate::format::py_float_repr(x)
}

fn write_list<T: std::fmt::Display>(o: &mut String, items: &[T]) {
    o.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            o.push_str(", ");
        }
        o.push_str(&x.to_string());
    }
    o.push(']');
}

fn write_hex_string(o: &mut String, b: &[u8]) {
    o.push('"');
    o.push_str(&hex::encode(b));
    o.push('"');
}

/// The fields of `bit_generator.state`, in NumPy's order, without the braces.
fn write_bitgen_fields(o: &mut String, st: &BitGenState) {
    o.push_str(&format!(
        "\"bit_generator\": \"{}\", \"state\": {{",
        st.bit_generator()
    ));
    let cache = |o: &mut String, has: bool, u: u32| {
        o.push_str(&format!(
            ", \"has_uint32\": {}, \"uinteger\": {u}",
            u8::from(has)
        ));
    };
    match st {
        BitGenState::Mt19937 { key, pos } => {
            o.push_str("\"key\": ");
            write_list(o, key);
            o.push_str(&format!(", \"pos\": {pos}}}"));
        }
        BitGenState::Pcg64 {
            state,
            inc,
            has_uint32,
            uinteger,
        }
        | BitGenState::Pcg64Dxsm {
            state,
            inc,
            has_uint32,
            uinteger,
        } => {
            o.push_str(&format!("\"state\": {state}, \"inc\": {inc}}}"));
            cache(o, *has_uint32, *uinteger);
        }
        BitGenState::Philox {
            counter,
            key,
            buffer,
            buffer_pos,
            has_uint32,
            uinteger,
        } => {
            o.push_str("\"counter\": ");
            write_list(o, counter);
            o.push_str(", \"key\": ");
            write_list(o, key);
            o.push_str("}, \"buffer\": ");
            write_list(o, buffer);
            o.push_str(&format!(", \"buffer_pos\": {buffer_pos}"));
            cache(o, *has_uint32, *uinteger);
        }
        BitGenState::Sfc64 {
            state,
            has_uint32,
            uinteger,
        } => {
            o.push_str("\"state\": ");
            write_list(o, state);
            o.push('}');
            cache(o, *has_uint32, *uinteger);
        }
    }
}

fn write_legacy(o: &mut String, st: &LegacyState) {
    o.push('{');
    write_bitgen_fields(o, &st.state);
    o.push_str(&format!(
        ", \"has_gauss\": {}, \"gauss\": {}}}",
        u8::from(st.has_gauss),
        py_float(st.gauss)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn py_float_matches_python_repr() {
        for (x, s) in [
            (0.13121641588973168, "0.13121641588973168"),
            (-1.0729686221561705, "-1.0729686221561705"),
            (1e-7, "1e-07"),
            (1.5e16, "1.5e+16"),
            (1e16, "1e+16"),
            (123.0, "123.0"),
            (0.0001, "0.0001"),
            (1e-5, "1e-05"),
            (-2.5e-10, "-2.5e-10"),
            (1e300, "1e+300"),
            (5e-324, "5e-324"),
            (123456789.125, "123456789.125"),
            (1e15, "1000000000000000.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
        ] {
            assert_eq!(py_float(x), s);
            assert_eq!(s.parse::<f64>().unwrap().to_bits(), x.to_bits());
        }
    }

    #[test]
    fn untwist_inverts_twist() {
        let mut mt = Mt19937::init_genrand(12345);
        for _ in 0..3 {
            let before = mt.key;
            mt.twist();
            let old = untwist(&mt.key).unwrap();
            assert_eq!(old[0] & UPPER, before[0] & UPPER);
            assert_eq!(old[1..], before[1..]);
        }
        // Not every key is a twist output.
        let mut k = mt.key;
        k[0] ^= 1;
        assert!(untwist(&k).is_none());
    }

    #[test]
    fn seeds_are_recognised_within_one_block() {
        for s in [0u32, 1, 42, 5489, u32::MAX] {
            let mut mt = Mt19937::init_genrand(s);
            assert_eq!(recognise_seed(&mt.key), Some(s));
            mt.twist();
            assert_eq!(recognise_seed(&mt.key), Some(s));
            mt.twist();
            assert_eq!(recognise_seed(&mt.key), None);
        }
        assert_eq!(
            recognise_seed(&Mt19937::init_by_array(&[1, 2, 3]).key),
            None
        );
    }

    #[test]
    fn json_parser_edges() {
        assert!(parse_json("{\"a\": 1, \"a\": 2}").is_err());
        assert!(parse_json("[1, 2")
            .unwrap_err()
            .to_string()
            .contains("truncated"));
        assert!(parse_json("01").is_err());
        assert!(parse_json("[1] x").is_err());
        assert_eq!(
            parse_json("\"\\u00e9\\ud83d\\ude00\"").unwrap(),
            Json::Str("é😀".into())
        );
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse_json(&deep).is_err());
        assert_eq!(
            parse_json("340282366920938463463374607431768211455").unwrap(),
            Json::Num("340282366920938463463374607431768211455".into())
        );
    }

    #[test]
    fn base64_and_hex() {
        assert_eq!(decode_base64("AAECAw==").unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(decode_base64("AAEC").unwrap(), vec![0, 1, 2]);
        assert_eq!(decode_base64("AAE").unwrap(), vec![0, 1]);
        assert!(decode_base64("A").is_err());
        assert_eq!(decode_hex("00ff").unwrap(), vec![0, 255]);
        assert!(decode_hex("0").is_err());
        assert!(decode_hex("zz").is_err());
    }

    #[test]
    fn philox_output_advance_matches_stepping() {
        let base = Philox4x64::new([3, 4], [u64::MAX, 0, 0, 0]);
        for pos in 0..=4 {
            for n in 0..20u32 {
                let mut a = base;
                a.buffer_pos = pos;
                let mut b = a;
                for _ in 0..n {
                    a.next_u64();
                }
                philox_advance_outputs(&mut b, &BigUint::from(n));
                assert_eq!(
                    (a.ctr, a.buffer_pos),
                    (b.ctr, b.buffer_pos),
                    "pos {pos} n {n}"
                );
                assert_eq!(a.next_u64(), b.next_u64());
            }
        }
    }

    #[test]
    fn parse_numbers() {
        assert_eq!(parse_big("2**70", "n").unwrap(), BigUint::one() << 70u32);
        assert_eq!(parse_big("0x10", "n").unwrap(), BigUint::from(16u32));
        assert_eq!(parse_big("1_000", "n").unwrap(), BigUint::from(1000u32));
        assert!(parse_big("-1", "n").is_err());
        assert!(parse_big("", "n").is_err());
        assert_eq!(parse_torch_seed("-1").unwrap(), u64::MAX);
        assert!(parse_torch_seed("18446744073709551616").is_err());
    }
}
