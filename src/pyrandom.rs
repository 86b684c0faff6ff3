//! CPython's `random` module, bit for bit: `random.Random` as CPython 3.11 defines it.
//!
//! The generator is CPython's Mersenne Twister (`Modules/_randommodule.c`: `genrand_uint32`,
//! `init_genrand`, `init_by_array`, `random_seed`, `random_random`, `getrandbits`,
//! `getstate`/`setstate`), which is the reference MT19937 and shares
//! [`crate::engine::mt19937::Mt19937`] with NumPy's legacy generator. The methods follow
//! `Lib/random.py` (`Random.seed`, `_randbelow_with_getrandbits`, `randrange`, `choice`,
//! `shuffle`, `sample`, `choices`, `uniform`, `triangular`, `normalvariate`, `gauss`,
//! `lognormvariate`, `expovariate`, `vonmisesvariate`, `gammavariate`, `betavariate`,
//! `paretovariate`, `weibullvariate`, `randbytes`).
//!
//! Reference version: CPython 3.11 (the version the fixtures were generated with). Python 3.12
//! changed only argument handling, not the streams of the calls implemented here: `randrange`
//! raises `TypeError` for non-integer arguments and reports empty ranges as
//! `empty range in randrange(start, stop, step)`, and `expovariate` gets a default `lambd=1.0`.
//! The transcendental functions are the C library's (`log`, `exp`, `cos`, `sin` through
//! [`crate::math::cpu`], `acos` and `pow` from `std`), as CPython's `math` module calls them,
//! so results match a CPython running on the same C library (glibc on Linux).

use std::collections::HashSet;

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::engine::mt19937::{Mt19937, N};
use crate::engine::mt19937_jump;
use crate::math::cpu as cmath;
use crate::{Error, Result};

/// `random.BPF`: bits per float.
pub const BPF: u32 = 53;
/// `random.RECIP_BPF` = `2 ** -BPF`.
pub const RECIP_BPF: f64 = 1.0 / 9_007_199_254_740_992.0;
/// `random.TWOPI` = `2.0 * math.pi`.
pub const TWOPI: f64 = 2.0 * std::f64::consts::PI;

/// `random.NV_MAGICCONST` = `4 * exp(-0.5) / sqrt(2.0)` (computed with the C library's `exp`).
pub fn nv_magicconst() -> f64 {
    4.0 * cmath::exp(-0.5) / 2.0f64.sqrt()
}

/// `random.LOG4` = `log(4.0)`.
pub fn log4() -> f64 {
    cmath::log(4.0)
}

/// `random.SG_MAGICCONST` = `1.0 + log(4.5)`.
pub fn sg_magicconst() -> f64 {
    1.0 + cmath::log(4.5)
}

/// Upper bound on rejection-loop iterations. CPython loops forever on parameters such as NaN;
/// seedbridge reports an error instead of hanging (no finite parameters come near this bound).
const MAX_REJECTIONS: u64 = 100_000_000;

fn no_termination(what: &str) -> Error {
    Error::Runtime(format!(
        "random.{what} did not terminate with these parameters (CPython loops forever)"
    ))
}

// ---------------------------------------------------------------------------------------------
// Python numbers.

/// A Python `int` or `float` with Python's mixed arithmetic (`int - int` is exact, an `int`
/// meeting a `float` is converted with `int.__float__`), as needed where `Lib/random.py`
/// subtracts or divides its arguments (`uniform`, `triangular`) or accumulates weights.
#[derive(Clone, Debug, PartialEq)]
pub enum PyNum {
    /// Python `int` (`bool` included).
    Int(BigInt),
    /// Python `float`.
    Float(f64),
}

impl From<f64> for PyNum {
    fn from(v: f64) -> Self {
        PyNum::Float(v)
    }
}

impl From<i64> for PyNum {
    fn from(v: i64) -> Self {
        PyNum::Int(BigInt::from(v))
    }
}

impl From<BigInt> for PyNum {
    fn from(v: BigInt) -> Self {
        PyNum::Int(v)
    }
}

/// `int.__float__` (`PyLong_AsDouble`): round-half-even, `OverflowError` beyond the float range.
pub fn int_to_f64(v: &BigInt) -> Result<f64> {
    match v.to_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(Error::Overflow("int too large to convert to float".into())),
    }
}

/// `x * 2^e` for an `x` whose result is representable (exact).
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    let pow2 = |k: i64| f64::from_bits(((k + 1023) as u64) << 52);
    while e > 1000 {
        x *= pow2(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= pow2(-1000);
        e += 1000;
    }
    x * pow2(e)
}

/// `int / int` (`Objects/longobject.c: long_true_divide`): the correctly rounded quotient.
pub fn int_truediv(a: &BigInt, b: &BigInt) -> Result<f64> {
    if b.is_zero() {
        return Err(Error::ZeroDivision("division by zero".into()));
    }
    let lim = BigInt::from(1u64 << 53);
    if a.abs() <= lim && b.abs() <= lim {
        return Ok(int_to_f64(a)? / int_to_f64(b)?);
    }
    let negative = (a.sign() == Sign::Minus) != (b.sign() == Sign::Minus);
    let (na, nb) = (a.magnitude(), b.magnitude());
    if na.is_zero() {
        return Ok(if negative { -0.0 } else { 0.0 });
    }
    let (la, lb) = (na.bits() as i64, nb.bits() as i64);
    // q = floor(na 2^s / nb) has 55 or 56 bits; r != 0 is the sticky bit.
    let s = 55 + lb - la;
    let (num, den) = if s >= 0 {
        (na << s as u64, nb.clone())
    } else {
        (na.clone(), nb << (-s) as u64)
    };
    let (q, r) = num.div_rem(&den);
    let lead = q.bits() as i64 - 1 - s;
    if lead > 1023 {
        return Err(Error::Overflow(
            "integer division result too large for a float".into(),
        ));
    }
    let low = (lead - 52).max(-1074);
    let drop = (low + s) as u64;
    let mut mant = &q >> drop;
    let rest = &q - (&mant << drop);
    let half = BigUint::one() << (drop - 1);
    if rest > half || (rest == half && (!r.is_zero() || mant.is_odd())) {
        mant += 1u32;
    }
    let val = ldexp(mant.to_f64().unwrap_or(f64::INFINITY), low);
    if val.is_infinite() {
        return Err(Error::Overflow(
            "integer division result too large for a float".into(),
        ));
    }
    Ok(if negative { -val } else { val })
}

impl PyNum {
    /// `float(x)`.
    pub fn to_f64(&self) -> Result<f64> {
        match self {
            PyNum::Int(i) => int_to_f64(i),
            PyNum::Float(f) => Ok(*f),
        }
    }

    /// `self - other`.
    pub fn sub(&self, other: &PyNum) -> Result<PyNum> {
        Ok(match (self, other) {
            (PyNum::Int(a), PyNum::Int(b)) => PyNum::Int(a - b),
            _ => PyNum::Float(self.to_f64()? - other.to_f64()?),
        })
    }

    /// `self + other`.
    pub fn add(&self, other: &PyNum) -> Result<PyNum> {
        Ok(match (self, other) {
            (PyNum::Int(a), PyNum::Int(b)) => PyNum::Int(a + b),
            _ => PyNum::Float(self.to_f64()? + other.to_f64()?),
        })
    }

    /// `self / other` (true division).
    pub fn truediv(&self, other: &PyNum) -> Result<f64> {
        match (self, other) {
            (PyNum::Int(a), PyNum::Int(b)) => int_truediv(a, b),
            _ => {
                let d = other.to_f64()?;
                let n = self.to_f64()?;
                if d == 0.0 {
                    return Err(Error::ZeroDivision("float division by zero".into()));
                }
                Ok(n / d)
            }
        }
    }
}

/// `x < y` for a float `x` and a Python number `y`, exact as Python compares floats with ints.
fn float_lt(x: f64, y: &PyNum) -> bool {
    match y {
        PyNum::Float(f) => x < *f,
        PyNum::Int(i) => {
            if x.is_nan() {
                return false;
            }
            if x.is_infinite() {
                return x < 0.0;
            }
            let fl = x.floor();
            let fi = BigInt::from(fl as i128);
            let fi = if fl.abs() < 1e38 {
                fi
            } else {
                // Exact conversion of a large integral float.
                let bits = fl.abs().to_bits();
                let mant = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
                let exp = ((bits >> 52) & 0x7ff) as i64 - 1075;
                let v = BigInt::from(mant) << exp as u64;
                if fl < 0.0 {
                    -v
                } else {
                    v
                }
            };
            // floor(x) < y  <=>  x < y for integer y.
            &fi < i
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Float hash and SHA-512 (the seeding of floats and of str/bytes).

/// `frexp`: `x = m 2^e` with `0.5 <= |m| < 1` (`m = x`, `e = 0` for zero).
fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let (x, adj) = if x.abs() < f64::MIN_POSITIVE {
        (x * 18_446_744_073_709_551_616.0, -64)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i32 - 1022;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, e + adj)
}

/// `hash(x)` for a float (`Python/pyhash.c: _Py_HashDouble`), as the unsigned `size_t` that
/// `random_seed` turns into the seed. `None` for NaN, whose hash depends on the object's
/// address since Python 3.10.
pub fn float_hash(v: f64) -> Option<u64> {
    const BITS: i32 = 61;
    const MODULUS: u64 = (1u64 << 61) - 1;
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 {
            314_159
        } else {
            (-314_159i64) as u64
        });
    }
    let (mut m, mut e) = frexp(v);
    let mut negative = false;
    if m < 0.0 {
        negative = true;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (BITS - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 {
        e % BITS
    } else {
        BITS - 1 - ((-1 - e) % BITS)
    } as u32;
    x = ((x << e) & MODULUS) | (x >> (BITS as u32 - e));
    if negative {
        x = x.wrapping_neg();
    }
    if x == u64::MAX {
        x = u64::MAX - 1;
    }
    Some(x)
}

/// SHA-512 of `data` (the `sha2` crate), used by version-2 seeding (`Lib/random.py:
/// Random.seed`, `_sha512(a).digest()`).
pub fn sha512(data: &[u8]) -> [u8; 64] {
    use sha2::Digest;
    sha2::Sha512::digest(data).into()
}

// ---------------------------------------------------------------------------------------------
// Seeds and state.

/// A seed for [`PyRandom::seed`], one per type `Random.seed` accepts.
#[derive(Clone, Copy, Debug)]
pub enum Seed<'a> {
    /// `None`: OS entropy (`/dev/urandom`), or time and process id if that fails.
    Entropy,
    /// An `int` (or `bool`) of any size; its absolute value is used.
    Int(&'a BigInt),
    /// A `float`: seeded with `hash(x)`. NaN is refused (its hash is address-based).
    Float(f64),
    /// A `str` (UTF-8 encoded for version 2; code points for version 1).
    Str(&'a str),
    /// `bytes` or `bytearray`.
    Bytes(&'a [u8]),
}

/// `Random.getstate()`: version 3 — the 624 key words, the position, and `gauss_next`.
#[derive(Clone, Debug, PartialEq)]
pub struct PyRandomState {
    /// `state[1][:624]`.
    pub key: [u32; N],
    /// `state[1][624]`, in `0..=624`.
    pub pos: usize,
    /// `state[2]`.
    pub gauss_next: Option<f64>,
}

/// CPython's `random.Random`: the MT19937 state plus the `gauss_next` cache.
#[derive(Clone, Debug, PartialEq)]
pub struct PyRandom {
    mt: Mt19937,
    gauss_next: Option<f64>,
}

impl Default for PyRandom {
    fn default() -> Self {
        Self::new()
    }
}

/// `random_seed_urandom`, falling back to `random_seed_time_pid`.
fn entropy_state() -> Mt19937 {
    use std::io::Read;
    let mut buf = [0u8; 4 * N];
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok();
    if ok {
        let key: Vec<u32> = buf
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        return Mt19937::init_by_array(&key);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mono = std::time::Instant::now().elapsed().as_nanos() as u64;
    Mt19937::init_by_array(&[
        now as u32,
        (now >> 32) as u32,
        std::process::id(),
        mono as u32,
        (mono >> 32) as u32,
    ])
}

/// `bisect.bisect_right(a, x, 0, hi)` with Python's float/int comparison.
fn bisect_right_f(a: &[PyNum], x: f64, hi: usize) -> usize {
    let (mut lo, mut hi) = (0usize, hi);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if float_lt(x, &a[mid]) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// `setsize` of `Random.sample`: 21, plus `4 ** ceil(log(3 k, 4))` when `k > 5`.
fn sample_setsize(k: usize) -> u128 {
    let mut s = 21u128;
    if k > 5 {
        let e = (cmath::log((k as f64) * 3.0) / cmath::log(4.0)).ceil();
        s += 4u128.saturating_pow(e as u32);
    }
    s
}

/// `math.pow` / `float.__pow__` for the non-negative bases `Lib/random.py` uses
/// (`Objects/floatobject.c: float_pow`): `0.0 ** negative` is `ZeroDivisionError`, an
/// overflow is `OverflowError`.
fn py_pow(x: f64, y: f64) -> Result<f64> {
    if x == 0.0 && y < 0.0 && y.is_finite() {
        return Err(Error::ZeroDivision(
            "0.0 cannot be raised to a negative power".into(),
        ));
    }
    if x < 0.0 {
        return Err(Error::unsupported(
            "a negative base in random's float power",
        ));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(Error::Overflow(
            "(34, 'Numerical result out of range')".into(),
        ));
    }
    Ok(r)
}

/// `math.log` (`ValueError: math domain error` for `x <= 0`).
fn py_log(x: f64) -> Result<f64> {
    if x <= 0.0 {
        return Err(Error::value("math domain error"));
    }
    Ok(cmath::log(x))
}

/// `math.exp` (`OverflowError: math range error`).
fn py_exp(x: f64) -> Result<f64> {
    let r = cmath::exp(x);
    if r.is_infinite() && x.is_finite() {
        return Err(Error::Overflow("math range error".into()));
    }
    Ok(r)
}

/// `math.sqrt` (`ValueError: math domain error` for negative arguments).
fn py_sqrt(x: f64) -> Result<f64> {
    if x < 0.0 {
        return Err(Error::value("math domain error"));
    }
    Ok(x.sqrt())
}

/// `math.acos` (`ValueError: math domain error` outside `[-1, 1]`).
fn py_acos(x: f64) -> Result<f64> {
    let r = x.acos();
    if r.is_nan() && !x.is_nan() {
        return Err(Error::value("math domain error"));
    }
    Ok(r)
}

/// `float % float` (`float_rem`): the result takes the sign of the divisor.
fn py_fmod(x: f64, y: f64) -> f64 {
    let m = x % y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m + y
        } else {
            m
        }
    } else {
        0.0f64.copysign(y)
    }
}

fn division_by_zero() -> Error {
    Error::ZeroDivision("float division by zero".into())
}

impl PyRandom {
    /// `random.Random()`: seeded from OS entropy.
    pub fn new() -> Self {
        PyRandom {
            mt: entropy_state(),
            gauss_next: None,
        }
    }

    /// `random.Random(seed)` (version-2 seeding).
    pub fn with_seed(seed: Seed<'_>) -> Result<Self> {
        let mut r = PyRandom {
            mt: Mt19937::init_genrand(0),
            gauss_next: None,
        };
        r.seed(seed)?;
        Ok(r)
    }

    /// `random.Random(n)` for an integer seed.
    pub fn from_int(seed: &BigInt) -> Self {
        let mut r = PyRandom {
            mt: Mt19937::init_genrand(0),
            gauss_next: None,
        };
        r.seed_int(seed);
        r
    }

    /// `random.Random(n)` for a machine integer.
    pub fn from_i64(seed: i64) -> Self {
        Self::from_int(&BigInt::from(seed))
    }

    /// The underlying MT19937 state (`key`, `pos` = CPython's `index`).
    pub fn mt(&self) -> &Mt19937 {
        &self.mt
    }

    /// `random_seed` for an int: `abs(n)` split into 32-bit words, least significant first,
    /// then `init_by_array` (`Modules/_randommodule.c`). Also resets `gauss_next`.
    pub fn seed_int(&mut self, seed: &BigInt) {
        let mut key = seed.magnitude().to_u32_digits();
        if key.is_empty() {
            key.push(0);
        }
        self.mt = Mt19937::init_by_array(&key);
        self.gauss_next = None;
    }

    /// `Random.seed(a)` with the default `version=2`.
    pub fn seed(&mut self, seed: Seed<'_>) -> Result<()> {
        self.seed_version(seed, 2)
    }

    /// `Random.seed(a, version)` (`Lib/random.py`). `version` 1 and 2 change how str/bytes are
    /// turned into an int (1: the old string hash; 2: `int.from_bytes(a + sha512(a).digest())`);
    /// ints, floats and `None` ignore it. A str/bytes seed with any other version would be
    /// hashed with the per-process string hash, which is refused.
    pub fn seed_version(&mut self, seed: Seed<'_>, version: i64) -> Result<()> {
        match seed {
            Seed::Entropy => {
                self.mt = entropy_state();
                self.gauss_next = None;
            }
            Seed::Int(i) => self.seed_int(i),
            Seed::Float(f) => {
                let h = float_hash(f).ok_or_else(|| {
                    Error::unsupported("random.seed with a NaN (its hash is address-based)")
                })?;
                self.seed_int(&BigInt::from(h));
            }
            Seed::Str(_) | Seed::Bytes(_) if version == 1 => {
                let codes: Vec<u32> = match seed {
                    Seed::Str(s) => s.chars().map(|c| c as u32).collect(),
                    Seed::Bytes(b) => b.iter().map(|&c| c as u32).collect(),
                    _ => Vec::new(),
                };
                let mut x: u64 = codes.first().map_or(0, |&c| (c as u64) << 7);
                for &c in &codes {
                    x = 1_000_003u64.wrapping_mul(x) ^ c as u64;
                }
                x ^= codes.len() as u64;
                self.seed_int(&BigInt::from(x));
            }
            Seed::Str(_) | Seed::Bytes(_) if version == 2 => {
                let bytes: &[u8] = match seed {
                    Seed::Str(s) => s.as_bytes(),
                    Seed::Bytes(b) => b,
                    _ => &[],
                };
                let mut all = bytes.to_vec();
                all.extend_from_slice(&sha512(bytes));
                self.seed_int(&BigInt::from_bytes_be(Sign::Plus, &all));
            }
            Seed::Str(_) | Seed::Bytes(_) => {
                return Err(Error::unsupported(
                    "random.seed of a str or bytes with a version other than 1 or 2 \
                     (CPython uses the per-process string hash)",
                ))
            }
        }
        Ok(())
    }

    /// `genrand_uint32`: the next raw 32-bit output.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// Advances the generator by `n` 32-bit outputs without generating them
    /// ([`mt19937_jump::jump_ahead`]); `random()` uses two outputs, `getrandbits(k)`
    /// `ceil(k / 32)`. `gauss_next` is left alone.
    pub fn skip_words(&mut self, n: &BigUint) {
        mt19937_jump::jump_ahead(&mut self.mt, n);
    }

    /// `Random.random()` (`random_random`, `genrand_res53`): `(a 2^26 + b) / 2^53` with
    /// `a = u32 >> 5`, `b = u32 >> 6`.
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (a as f64 * 67_108_864.0 + b as f64) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for `k <= 64`.
    pub fn getrandbits_u64(&mut self, k: u32) -> u64 {
        match k {
            0 => 0,
            1..=32 => (self.next_u32() >> (32 - k)) as u64,
            _ => {
                let lo = self.next_u32() as u64;
                let hi = self.next_u32() >> (64 - k.min(64));
                lo | (hi as u64) << 32
            }
        }
    }

    /// `Random.getrandbits(k)` (`_random_Random_getrandbits_impl`): 32-bit words from the
    /// least significant up, the last one keeping its top `k mod 32` bits.
    pub fn getrandbits(&mut self, k: u64) -> BigUint {
        if k <= 64 {
            return BigUint::from(self.getrandbits_u64(k as u32));
        }
        let words = (k - 1) / 32 + 1;
        let mut v = Vec::with_capacity(words as usize);
        let mut left = k;
        for _ in 0..words {
            let mut r = self.next_u32();
            if left < 32 {
                r >>= 32 - left;
            }
            v.push(r);
            left = left.saturating_sub(32);
        }
        BigUint::from_slice(&v)
    }

    /// `_randbelow_with_getrandbits(n)` for `0 < n < 2^64`.
    pub fn randbelow_u64(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let k = 64 - n.leading_zeros();
        loop {
            let r = self.getrandbits_u64(k);
            if r < n {
                return r;
            }
        }
    }

    /// `_randbelow_with_getrandbits(n)`: `getrandbits(n.bit_length())` until below `n`.
    /// `n` must be positive.
    pub fn randbelow(&mut self, n: &BigUint) -> BigUint {
        if let Some(small) = n.to_u64() {
            return BigUint::from(self.randbelow_u64(small.max(1)));
        }
        let k = n.bits();
        loop {
            let r = self.getrandbits(k);
            if &r < n {
                return r;
            }
        }
    }

    fn randbelow_int(&mut self, n: &BigInt) -> BigInt {
        BigInt::from(self.randbelow(n.magnitude()))
    }

    /// `Random.randbytes(n)`: `getrandbits(8 n).to_bytes(n, 'little')`.
    pub fn randbytes(&mut self, n: usize) -> Vec<u8> {
        let v = self.getrandbits(8 * n as u64);
        let mut b = v.to_bytes_le();
        if v.is_zero() {
            b.clear();
        }
        b.resize(n, 0);
        b
    }

    /// `Random.randrange(start, stop, step)` for integer arguments (`stop = None` is
    /// `randrange(start)`), with CPython 3.11's errors:
    /// `ValueError: empty range for randrange()`,
    /// `ValueError: empty range for randrange() (start, stop, width)`,
    /// `ValueError: zero step for randrange()`.
    pub fn randrange(
        &mut self,
        start: &BigInt,
        stop: Option<&BigInt>,
        step: &BigInt,
    ) -> Result<BigInt> {
        let Some(stop) = stop else {
            if start.is_positive() {
                return Ok(self.randbelow_int(start));
            }
            return Err(Error::value("empty range for randrange()"));
        };
        let width = stop - start;
        if step.is_one() {
            if width.is_positive() {
                return Ok(start + self.randbelow_int(&width));
            }
            return Err(Error::value(format!(
                "empty range for randrange() ({start}, {stop}, {width})"
            )));
        }
        let n = if step.is_positive() {
            (&width + step - 1u32).div_floor(step)
        } else if step.is_negative() {
            (&width + step + 1u32).div_floor(step)
        } else {
            return Err(Error::value("zero step for randrange()"));
        };
        if !n.is_positive() {
            return Err(Error::value("empty range for randrange()"));
        }
        Ok(start + step * self.randbelow_int(&n))
    }

    /// `Random.randint(a, b)` = `randrange(a, b + 1)`.
    pub fn randint(&mut self, a: &BigInt, b: &BigInt) -> Result<BigInt> {
        self.randrange(a, Some(&(b + 1)), &BigInt::one())
    }

    /// The index `Random.choice(seq)` picks for a sequence of length `len`:
    /// `_randbelow(len)`, or `IndexError: Cannot choose from an empty sequence`.
    pub fn choice_index(&mut self, len: usize) -> Result<usize> {
        if len == 0 {
            return Err(Error::Index("Cannot choose from an empty sequence".into()));
        }
        Ok(self.randbelow_u64(len as u64) as usize)
    }

    /// `Random.choice(seq)`.
    pub fn choice<'a, T>(&mut self, seq: &'a [T]) -> Result<&'a T> {
        let i = self.choice_index(seq.len())?;
        Ok(&seq[i])
    }

    /// `Random.shuffle(x)`: for `i` from `len - 1` down to 1, swap `x[i]` with
    /// `x[_randbelow(i + 1)]`.
    pub fn shuffle<T>(&mut self, x: &mut [T]) {
        for i in (1..x.len()).rev() {
            let j = self.randbelow_u64(i as u64 + 1) as usize;
            x.swap(i, j);
        }
    }

    /// The positions `Random.sample(range(n), k)` returns, in selection order (both of
    /// CPython's algorithms: the pool when `n <= setsize`, else the set of selected positions).
    /// `ValueError: Sample larger than population or is negative` when `k > n`.
    pub fn sample_indices(&mut self, n: usize, k: usize) -> Result<Vec<usize>> {
        Ok(self
            .sample_range(&BigUint::from(n), k)?
            .into_iter()
            .map(|v| v.to_usize().unwrap_or(0))
            .collect())
    }

    /// `Random.sample(range(n), k)`. CPython refuses `n >= 2^63` (`len(range(n))` overflows a
    /// `ssize_t`); beyond that the same set algorithm is simply continued on big integers.
    pub fn sample_range(&mut self, n: &BigUint, k: usize) -> Result<Vec<BigUint>> {
        if BigUint::from(k) > *n {
            return Err(Error::value("Sample larger than population or is negative"));
        }
        let setsize = sample_setsize(k);
        if n.to_u128().is_some_and(|v| v <= setsize) {
            let n = n.to_usize().unwrap_or(0);
            let mut pool: Vec<usize> = (0..n).collect();
            let mut out = Vec::with_capacity(k);
            for i in 0..k {
                let j = self.randbelow_u64((n - i) as u64) as usize;
                out.push(BigUint::from(pool[j]));
                pool[j] = pool[n - i - 1];
            }
            return Ok(out);
        }
        let mut out = Vec::with_capacity(k);
        if let Some(n) = n.to_u64() {
            let mut selected = HashSet::with_capacity(k);
            for _ in 0..k {
                let mut j = self.randbelow_u64(n);
                while selected.contains(&j) {
                    j = self.randbelow_u64(n);
                }
                selected.insert(j);
                out.push(BigUint::from(j));
            }
        } else {
            let mut selected = HashSet::with_capacity(k);
            for _ in 0..k {
                let mut j = self.randbelow(n);
                while selected.contains(&j) {
                    j = self.randbelow(n);
                }
                selected.insert(j.clone());
                out.push(j);
            }
        }
        Ok(out)
    }

    /// `Random.sample(population, k)`.
    pub fn sample<T: Clone>(&mut self, population: &[T], k: usize) -> Result<Vec<T>> {
        Ok(self
            .sample_indices(population.len(), k)?
            .into_iter()
            .map(|i| population[i].clone())
            .collect())
    }

    /// The population positions of `Random.sample(population, k, counts=counts)` for a
    /// population of `counts.len()` elements: `cum = accumulate(counts)`, `total = cum.pop()`
    /// (must be a positive int), `sample(range(total), k)` mapped through
    /// `bisect_right(cum, s)`. Errors as CPython's (`Counts must be integers`, ...).
    pub fn sample_counts(&mut self, counts: &[PyNum], k: usize) -> Result<Vec<usize>> {
        let mut cum: Vec<PyNum> = Vec::with_capacity(counts.len());
        for c in counts {
            let next = match cum.last() {
                None => c.clone(),
                Some(prev) => prev.add(c)?,
            };
            cum.push(next);
        }
        let total = cum
            .pop()
            .ok_or_else(|| Error::Index("pop from empty list".into()))?;
        let PyNum::Int(total) = total else {
            return Err(Error::type_err("Counts must be integers"));
        };
        if !total.is_positive() {
            return Err(Error::value("Total of counts must be greater than zero"));
        }
        // Once a float enters the running sum every later sum is a float, so an int total
        // means all cumulative counts are ints.
        let cum: Vec<BigInt> = cum
            .into_iter()
            .map(|c| match c {
                PyNum::Int(i) => Ok(i),
                PyNum::Float(_) => Err(Error::type_err("Counts must be integers")),
            })
            .collect::<Result<_>>()?;
        let sel = self.sample_range(total.magnitude(), k)?;
        Ok(sel
            .into_iter()
            .map(|s| {
                // bisect.bisect_right, step by step (the sums need not be sorted).
                let s = BigInt::from(s);
                let (mut lo, mut hi) = (0usize, cum.len());
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if s < cum[mid] {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                lo
            })
            .collect())
    }

    /// The positions `Random.choices(population, k=k)` picks without weights:
    /// `floor(random() * n)` each (`IndexError` if one lands on `n`, as CPython's would).
    pub fn choices_uniform(&mut self, n: usize, k: usize) -> Result<Vec<usize>> {
        let nf = n as f64;
        (0..k)
            .map(|_| {
                let i = (self.random() * nf).floor();
                if i < nf {
                    Ok(i as usize)
                } else {
                    Err(Error::Index("list index out of range".into()))
                }
            })
            .collect()
    }

    /// The positions `Random.choices(population, cum_weights=cum, k=k)` picks for a population
    /// of `n` elements: `bisect(cum, random() * total, 0, n - 1)`, with CPython's checks.
    pub fn choices_cum_weights(&mut self, n: usize, cum: &[PyNum], k: usize) -> Result<Vec<usize>> {
        if cum.len() != n {
            return Err(Error::value(
                "The number of weights does not match the population",
            ));
        }
        let total = cum
            .last()
            .ok_or_else(|| Error::Index("list index out of range".into()))?
            .to_f64()?
            + 0.0;
        if total <= 0.0 {
            return Err(Error::value("Total of weights must be greater than zero"));
        }
        if !total.is_finite() {
            return Err(Error::value("Total of weights must be finite"));
        }
        let hi = n - 1;
        Ok((0..k)
            .map(|_| bisect_right_f(cum, self.random() * total, hi))
            .collect())
    }

    /// `Random.choices(population, weights, k=k)`: `cum = accumulate(weights)`, then as
    /// [`PyRandom::choices_cum_weights`].
    pub fn choices_weights(&mut self, n: usize, weights: &[PyNum], k: usize) -> Result<Vec<usize>> {
        let mut cum: Vec<PyNum> = Vec::with_capacity(weights.len());
        for w in weights {
            let next = match cum.last() {
                None => w.clone(),
                Some(prev) => prev.add(w)?,
            };
            cum.push(next);
        }
        self.choices_cum_weights(n, &cum, k)
    }

    /// `Random.uniform(a, b)` = `a + (b - a) * random()` with Python's int/float arithmetic.
    pub fn uniform_num(&mut self, a: &PyNum, b: &PyNum) -> Result<f64> {
        let d = b.sub(a)?.to_f64()?;
        let x = d * self.random();
        Ok(a.to_f64()? + x)
    }

    /// `Random.uniform(a, b)` for floats.
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }

    /// `Random.triangular(low, high, mode)` with Python's int/float arithmetic. When `mode` is
    /// given and `high == low`, CPython catches the `ZeroDivisionError` and returns `low`
    /// itself (an int stays an int).
    pub fn triangular_num(
        &mut self,
        low: &PyNum,
        high: &PyNum,
        mode: Option<&PyNum>,
    ) -> Result<PyNum> {
        let mut u = self.random();
        let mut c = match mode {
            None => 0.5,
            Some(m) => match m.sub(low)?.truediv(&high.sub(low)?) {
                Ok(c) => c,
                Err(Error::ZeroDivision(_)) => return Ok(low.clone()),
                Err(e) => return Err(e),
            },
        };
        let (mut low, mut high) = (low, high);
        if u > c {
            u = 1.0 - u;
            c = 1.0 - c;
            std::mem::swap(&mut low, &mut high);
        }
        let span = high.sub(low)?.to_f64()?;
        let x = span * py_sqrt(u * c)?;
        Ok(PyNum::Float(low.to_f64()? + x))
    }

    /// `Random.triangular(low, high, mode)` for floats.
    pub fn triangular(&mut self, low: f64, high: f64, mode: Option<f64>) -> f64 {
        match self.triangular_num(&low.into(), &high.into(), mode.map(PyNum::Float).as_ref()) {
            Ok(PyNum::Float(f)) => f,
            _ => low,
        }
    }

    /// `Random.normalvariate(mu, sigma)` (Kinderman–Monahan ratio of uniforms).
    pub fn normalvariate(&mut self, mu: f64, sigma: f64) -> f64 {
        let nv = nv_magicconst();
        loop {
            let u1 = self.random();
            let u2 = 1.0 - self.random();
            let z = nv * (u1 - 0.5) / u2;
            let zz = z * z / 4.0;
            if zz <= -cmath::log(u2) {
                return mu + z * sigma;
            }
        }
    }

    /// `Random.gauss(mu, sigma)`: Box–Muller with the second value cached in `gauss_next`.
    pub fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        let z = match self.gauss_next.take() {
            Some(z) => z,
            None => {
                let x2pi = self.random() * TWOPI;
                let g2rad = (-2.0 * cmath::log(1.0 - self.random())).sqrt();
                self.gauss_next = Some(cmath::sin(x2pi) * g2rad);
                cmath::cos(x2pi) * g2rad
            }
        };
        mu + z * sigma
    }

    /// `Random.lognormvariate(mu, sigma)` = `exp(normalvariate(mu, sigma))`.
    pub fn lognormvariate(&mut self, mu: f64, sigma: f64) -> Result<f64> {
        py_exp(self.normalvariate(mu, sigma))
    }

    /// `Random.expovariate(lambd)` = `-log(1.0 - random()) / lambd`.
    pub fn expovariate(&mut self, lambd: f64) -> Result<f64> {
        let x = -cmath::log(1.0 - self.random());
        if lambd == 0.0 {
            return Err(division_by_zero());
        }
        Ok(x / lambd)
    }

    /// `Random.vonmisesvariate(mu, kappa)` (Fisher's algorithm).
    pub fn vonmisesvariate(&mut self, mu: f64, kappa: f64) -> Result<f64> {
        if kappa <= 1e-6 {
            return Ok(TWOPI * self.random());
        }
        let s = 0.5 / kappa;
        let r = s + (1.0 + s * s).sqrt();
        let mut z;
        let mut n = 0u64;
        loop {
            let u1 = self.random();
            z = cmath::cos(std::f64::consts::PI * u1);
            let d = z / (r + z);
            let u2 = self.random();
            if u2 < 1.0 - d * d || u2 <= (1.0 - d) * py_exp(d)? {
                break;
            }
            n += 1;
            if n > MAX_REJECTIONS {
                return Err(no_termination("vonmisesvariate"));
            }
        }
        let q = 1.0 / r;
        let f = (q + z) / (1.0 + q * z);
        let u3 = self.random();
        Ok(if u3 > 0.5 {
            py_fmod(mu + py_acos(f)?, TWOPI)
        } else {
            py_fmod(mu - py_acos(f)?, TWOPI)
        })
    }

    /// `Random.gammavariate(alpha, beta)` (Cheng's algorithm for `alpha > 1`, the exponential
    /// for `alpha == 1`, algorithm GS for `alpha < 1`).
    pub fn gammavariate(&mut self, alpha: f64, beta: f64) -> Result<f64> {
        if alpha <= 0.0 || beta <= 0.0 {
            return Err(Error::value("gammavariate: alpha and beta must be > 0.0"));
        }
        let mut n = 0u64;
        let mut guard = || {
            n += 1;
            if n > MAX_REJECTIONS {
                Err(no_termination("gammavariate"))
            } else {
                Ok(())
            }
        };
        if alpha > 1.0 {
            let ainv = (2.0 * alpha - 1.0).sqrt();
            let bbb = alpha - log4();
            let ccc = alpha + ainv;
            let sg = sg_magicconst();
            loop {
                guard()?;
                let u1 = self.random();
                if !(1e-7 < u1 && u1 < 0.9999999) {
                    continue;
                }
                let u2 = 1.0 - self.random();
                let v = py_log(u1 / (1.0 - u1))? / ainv;
                let x = alpha * py_exp(v)?;
                let z = u1 * u1 * u2;
                let r = bbb + ccc * v - x;
                if r + sg - 4.5 * z >= 0.0 || r >= py_log(z)? {
                    return Ok(x * beta);
                }
            }
        } else if alpha == 1.0 {
            Ok(-cmath::log(1.0 - self.random()) * beta)
        } else {
            let e = std::f64::consts::E;
            loop {
                guard()?;
                let u = self.random();
                let b = (e + alpha) / e;
                let p = b * u;
                let x = if p <= 1.0 {
                    py_pow(p, 1.0 / alpha)?
                } else {
                    -py_log((b - p) / alpha)?
                };
                let u1 = self.random();
                if p > 1.0 {
                    if u1 <= py_pow(x, alpha - 1.0)? {
                        return Ok(x * beta);
                    }
                } else if u1 <= py_exp(-x)? {
                    return Ok(x * beta);
                }
            }
        }
    }

    /// `Random.betavariate(alpha, beta)`: `y / (y + gammavariate(beta, 1))` with
    /// `y = gammavariate(alpha, 1)` (0.0 when `y` is 0).
    pub fn betavariate(&mut self, alpha: f64, beta: f64) -> Result<f64> {
        let y = self.gammavariate(alpha, 1.0)?;
        if y != 0.0 {
            let d = y + self.gammavariate(beta, 1.0)?;
            if d == 0.0 {
                return Err(division_by_zero());
            }
            return Ok(y / d);
        }
        Ok(0.0)
    }

    /// `Random.paretovariate(alpha)` = `(1.0 - random()) ** (-1.0 / alpha)`.
    pub fn paretovariate(&mut self, alpha: f64) -> Result<f64> {
        let u = 1.0 - self.random();
        if alpha == 0.0 {
            return Err(division_by_zero());
        }
        py_pow(u, -1.0 / alpha)
    }

    /// `Random.weibullvariate(alpha, beta)` = `alpha * (-log(1.0 - random())) ** (1.0 / beta)`.
    pub fn weibullvariate(&mut self, alpha: f64, beta: f64) -> Result<f64> {
        let u = 1.0 - self.random();
        let l = -cmath::log(u);
        if beta == 0.0 {
            return Err(division_by_zero());
        }
        Ok(alpha * py_pow(l, 1.0 / beta)?)
    }

    /// `Random.getstate()`.
    pub fn getstate(&self) -> PyRandomState {
        PyRandomState {
            key: self.mt.key,
            pos: self.mt.pos,
            gauss_next: self.gauss_next,
        }
    }

    /// `Random.setstate(state)` for a version-3 state; `ValueError: invalid state` when
    /// `pos > 624`.
    pub fn setstate(&mut self, state: &PyRandomState) -> Result<()> {
        self.gauss_next = state.gauss_next;
        self.mt =
            Mt19937::from_state(state.key, state.pos).map_err(|_| Error::value("invalid state"))?;
        Ok(())
    }

    /// The cached second Box–Muller value (`self.gauss_next`).
    pub fn gauss_next(&self) -> Option<f64> {
        self.gauss_next
    }

    /// Sets `self.gauss_next` (as `setstate` does before validating the MT state).
    pub fn set_gauss_next(&mut self, v: Option<f64>) {
        self.gauss_next = v;
    }
}
