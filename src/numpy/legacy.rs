//! NumPy's legacy `RandomState` (`numpy/random/mtrand.pyx`), bit for bit.
//!
//! The Python-level argument coercion (lists to arrays, `operator.index`, dtype names) belongs
//! to the caller (`script::bind_numpy`); this module takes already-typed arguments and
//! reproduces every draw, every result shape/dtype and every NumPy error raised after
//! coercion. A `size` of `None` gives a 0-d array where NumPy returns a scalar; the caller
//! decides which Python scalar type NumPy would have returned.

use num_bigint::BigUint;

use super::bitgen::{BitGenState, BitGenerator, Engine};
use super::distributions::{
    bounded_integers, cont, legacy_exponential, legacy_normal, legacy_standard_exponential,
    random_interval, random_positive_int, random_standard_uniform_fill, random_uniform, Cons,
    FParam, GaussCache, IParam,
};
use crate::engine::mt19937::{Mt19937, N as MT_N};
use crate::engine::seed_sequence::{int_to_words, SeedSequence, DEFAULT_POOL_SIZE};
use crate::{DType, Data, Error, NdArray, Result};

// ---------------------------------------------------------------------------------------------
// OS entropy

/// `SeedSequence()` with `entropy=None`: NumPy draws `secrets.randbits(pool_size * 32)` from the
/// OS. Here: 128 bits from `/dev/urandom`, or (where that is unavailable) from the clock,
/// the process id and a stack address. Not reproducible, by design.
pub fn entropy_seed_sequence() -> SeedSequence {
    let mut bytes = [0u8; 4 * DEFAULT_POOL_SIZE];
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .is_ok();
    if !ok {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let local = 0u8;
        let mix = t
            ^ ((std::process::id() as u128) << 64)
            ^ ((&local as *const u8 as usize as u128) << 32);
        let mixed = mix.wrapping_mul(0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645);
        bytes = mixed.to_le_bytes();
    }
    let n = BigUint::from_bytes_le(&bytes);
    SeedSequence::new(int_to_words(&n), Vec::new(), DEFAULT_POOL_SIZE)
}

// ---------------------------------------------------------------------------------------------
// Array helpers shared with `generator.rs`

/// Swaps index `i` and `j` along `axis` of a C-ordered buffer of shape `shape`.
pub(crate) fn swap_along_axis(data: &mut Data, shape: &[usize], axis: usize, i: usize, j: usize) {
    if i == j {
        return;
    }
    let n = shape[axis];
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    macro_rules! sw {
        ($v:expr) => {
            for o in 0..outer {
                let base = o * n * inner;
                for k in 0..inner {
                    $v.swap(base + i * inner + k, base + j * inner + k);
                }
            }
        };
    }
    match data {
        Data::Bool(v) => sw!(v),
        Data::I8(v) => sw!(v),
        Data::I16(v) => sw!(v),
        Data::I32(v) => sw!(v),
        Data::I64(v) => sw!(v),
        Data::U8(v) => sw!(v),
        Data::U16(v) => sw!(v),
        Data::U32(v) => sw!(v),
        Data::U64(v) => sw!(v),
        Data::F16(v) => sw!(v),
        Data::BF16(v) => sw!(v),
        Data::F32(v) => sw!(v),
        Data::F64(v) => sw!(v),
    }
}

/// `a.take(idx, axis=axis)` with `idx` of shape `idx_shape`: the result has shape
/// `a.shape[..axis] + idx_shape + a.shape[axis+1..]`. Indices must be in range.
pub(crate) fn take_along(a: &NdArray, axis: usize, idx: &[usize], idx_shape: &[usize]) -> NdArray {
    let n = a.shape[axis];
    let outer: usize = a.shape[..axis].iter().product();
    let inner: usize = a.shape[axis + 1..].iter().product();
    let mut flat = Vec::with_capacity(outer * idx.len() * inner);
    for o in 0..outer {
        for &t in idx {
            let base = o * n * inner + t * inner;
            flat.extend(base..base + inner);
        }
    }
    let mut shape = a.shape[..axis].to_vec();
    shape.extend_from_slice(idx_shape);
    shape.extend_from_slice(&a.shape[axis + 1..]);
    NdArray::new(shape, a.data.gather(&flat))
}

/// `np.arange(n)` as int64 (empty for `n <= 0`).
pub(crate) fn arange_i64(n: i128) -> Result<Vec<i64>> {
    if n <= 0 {
        return Ok(Vec::new());
    }
    let n = usize::try_from(n).map_err(|_| Error::Memory("arange too large".into()))?;
    super::distributions::alloc_len(&[n])?;
    Ok((0..n as i64).collect())
}

/// The validated probabilities of `choice(..., p=...)`.
pub(crate) struct CheckedP {
    pub(crate) p: Vec<f64>,
}

/// Messages of the `p` checks, which differ between `RandomState` and `Generator`.
pub(crate) struct PMessages {
    pub(crate) ndim: &'static str,
    pub(crate) size: &'static str,
    pub(crate) nan: &'static str,
    pub(crate) neg: &'static str,
    pub(crate) sum: &'static str,
}

/// Kahan summation exactly as `kahan_sum` (`_common.pyx`).
fn kahan_sum(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut sum = v[0];
    let mut c = 0.0;
    for &x in &v[1..] {
        let y = x - c;
        let t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    sum
}

/// The `p` validation of `choice` (`mtrand.pyx` / `_generator.pyx`): 1-d, same size as the
/// population, Kahan sum not NaN, no negative entries, sum within `atol` of 1 where
/// `atol = max(sqrt(eps64), sqrt(eps(p.dtype)))` for a floating ndarray `p`.
pub(crate) fn check_p(p: &Probabilities, pop_size: i128, msgs: &PMessages) -> Result<CheckedP> {
    let mut atol = f64::EPSILON.sqrt();
    if p.is_ndarray {
        let eps = match p.values.dtype() {
            DType::F16 => Some(f64::from(half::f16::EPSILON)),
            DType::BF16 => Some(f64::from(half::bf16::EPSILON)),
            DType::F32 => Some(f64::from(f32::EPSILON)),
            DType::F64 => Some(f64::EPSILON),
            _ => None,
        };
        if let Some(e) = eps {
            atol = atol.max(e.sqrt());
        }
    }
    let vals: Vec<f64> = (0..p.values.len())
        .map(|i| p.values.data.get_f64(i))
        .collect();
    if p.values.ndim() != 1 {
        return Err(Error::value(msgs.ndim));
    }
    if vals.len() as i128 != pop_size {
        return Err(Error::value(msgs.size));
    }
    let s = kahan_sum(&vals);
    if s.is_nan() {
        return Err(Error::value(msgs.nan));
    }
    if vals.iter().any(|&x| x < 0.0) {
        return Err(Error::value(msgs.neg));
    }
    if (s - 1.0).abs() > atol {
        return Err(Error::value(msgs.sum));
    }
    Ok(CheckedP { p: vals })
}

/// `cdf = cumsum(p); cdf /= cdf[-1]`.
pub(crate) fn cdf_of(p: &[f64]) -> Vec<f64> {
    let mut cdf = Vec::with_capacity(p.len());
    let mut acc = 0.0;
    for &x in p {
        acc += x;
        cdf.push(acc);
    }
    let last = *cdf.last().unwrap_or(&1.0);
    for c in cdf.iter_mut() {
        *c /= last;
    }
    cdf
}

/// `cdf.searchsorted(u, side='right')`: the number of entries `<= u` (cdf is non-decreasing).
pub(crate) fn searchsorted_right(cdf: &[f64], u: f64) -> usize {
    cdf.partition_point(|&c| c <= u)
}

/// The `replace=False, p=...` loop of `choice` (identical in both APIs, given the uniform
/// source): draw `size - n_uniq` uniforms, zero the found entries, search the cdf, keep new
/// values in order of first appearance.
pub(crate) fn choice_no_replace_p<F>(p: &[f64], size: usize, mut uniforms: F) -> Vec<i64>
where
    F: FnMut(usize) -> Vec<f64>,
{
    let mut p = p.to_vec();
    let mut found: Vec<i64> = Vec::with_capacity(size);
    while found.len() < size {
        let x = uniforms(size - found.len());
        for &f in &found {
            p[f as usize] = 0.0;
        }
        let cdf = cdf_of(&p);
        let mut seen = std::collections::HashSet::new();
        for u in x {
            let v = searchsorted_right(&cdf, u) as i64;
            if seen.insert(v) {
                found.push(v);
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Public argument types

/// The `seed` argument of `RandomState(seed)` / `RandomState.seed(seed)` / `np.random.seed`,
/// after Python-level coercion (`MT19937._legacy_seeding` in `_mt19937.pyx`).
#[derive(Debug, Clone, PartialEq)]
pub enum LegacySeed {
    /// `None`: fresh OS entropy through `SeedSequence()`.
    Entropy,
    /// Anything `operator.index` accepts (after `.squeeze()` for arrays): `init_genrand`.
    Int(i128),
    /// The array path (`np.asarray(seed).astype(int64, casting='safe')`): `init_by_array`.
    /// `shape` is the array's shape (it must be 1-d and non-empty).
    Array {
        /// Shape of `np.asarray(seed)`.
        shape: Vec<usize>,
        /// Its elements (already safely cast to integers).
        data: Vec<i128>,
    },
}

/// `RandomState.get_state(legacy=False)` / the state `set_state` accepts: the bit generator's
/// `state` dict plus the Gaussian cache. The legacy tuple form
/// `('MT19937', key, pos, has_gauss, gauss)` carries the same fields.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyState {
    /// `st['state']` with `st['bit_generator']`.
    pub state: BitGenState,
    /// `st['has_gauss']`.
    pub has_gauss: bool,
    /// `st['gauss']`.
    pub gauss: f64,
}

/// The population argument `a` of `choice`.
#[derive(Debug, Clone, Copy)]
pub enum ChoiceA<'a> {
    /// An integer `a`: sample from `arange(a)`.
    Int(i128),
    /// An array `a` (`np.asarray(a)`), of any dimension (the method checks what it allows).
    Array(&'a NdArray),
}

/// The `p` argument of `choice`: its values as an array (`np.asarray(p)`; Python lists give
/// float64), and whether the caller passed an actual ndarray (which widens the tolerance for
/// float32/float16 arrays, as NumPy does).
#[derive(Debug, Clone)]
pub struct Probabilities {
    /// The probabilities as given (any numeric dtype; converted to float64 internally).
    pub values: NdArray,
    /// `isinstance(p, np.ndarray)`.
    pub is_ndarray: bool,
}

impl Probabilities {
    /// Probabilities from a plain list of floats (not an ndarray).
    pub fn from_list(p: &[f64]) -> Self {
        Probabilities {
            values: NdArray::new(vec![p.len()], Data::F64(p.to_vec())),
            is_ndarray: false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// RandomState

/// `numpy.random.RandomState` (`mtrand.pyx`): a bit generator (MT19937 unless built from
/// another one) plus the Gaussian cache of `aug_bitgen_t`.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomState {
    /// `_bit_generator`.
    pub bitgen: BitGenerator,
    /// `_aug_state.has_gauss`.
    pub has_gauss: bool,
    /// `_aug_state.gauss`.
    pub gauss: f64,
}

fn legacy_mt_from_seed(seed: &LegacySeed, old_pos: usize) -> Result<Mt19937> {
    match seed {
        LegacySeed::Entropy => {
            let val = entropy_seed_sequence().generate_state_u32(MT_N);
            let mut key = [0u32; MT_N];
            key[1..].copy_from_slice(&val[1..]);
            key[0] = 0x8000_0000;
            Mt19937::from_state(key, old_pos)
        }
        LegacySeed::Int(v) => {
            if *v < 0 || *v > u32::MAX as i128 {
                return Err(Error::value("Seed must be between 0 and 2**32 - 1"));
            }
            Ok(Mt19937::init_genrand(*v as u32))
        }
        LegacySeed::Array { shape, data } => {
            if data.is_empty() {
                return Err(Error::value("Seed must be non-empty"));
            }
            if shape.len() != 1 {
                return Err(Error::value("Seed array must be 1-d"));
            }
            if data.iter().any(|&v| v < 0 || v > u32::MAX as i128) {
                return Err(Error::value("Seed must be between 0 and 2**32 - 1"));
            }
            let words: Vec<u32> = data.iter().map(|&v| v as u32).collect();
            Ok(Mt19937::init_by_array(&words))
        }
    }
}

fn shape_of(size: Option<&[usize]>) -> Vec<usize> {
    size.map(|s| s.to_vec()).unwrap_or_default()
}

impl RandomState {
    /// `RandomState(seed)`: `None` gives `MT19937()` seeded through an OS-entropy
    /// `SeedSequence` (pos = 623); an int or array uses `_legacy_seeding`.
    pub fn new(seed: LegacySeed) -> Result<Self> {
        let bitgen = match seed {
            LegacySeed::Entropy => {
                BitGenerator::from_seed_sequence("MT19937", entropy_seed_sequence())?
            }
            other => BitGenerator::legacy_mt19937(legacy_mt_from_seed(&other, MT_N)?),
        };
        Ok(Self::from_bit_generator(bitgen))
    }

    /// `RandomState(seed)` for an integer seed in `0..2**32`.
    pub fn from_seed(seed: u32) -> Self {
        Self::from_bit_generator(BitGenerator::legacy_mt19937(Mt19937::init_genrand(seed)))
    }

    /// `RandomState(bit_generator)`: wraps any bit generator, with an empty Gaussian cache.
    pub fn from_bit_generator(bitgen: BitGenerator) -> Self {
        RandomState {
            bitgen,
            has_gauss: false,
            gauss: 0.0,
        }
    }

    fn with_cache<T>(&mut self, f: impl FnOnce(&mut BitGenerator, &mut GaussCache) -> T) -> T {
        let mut cache = GaussCache {
            has_gauss: self.has_gauss,
            gauss: self.gauss,
        };
        let out = f(&mut self.bitgen, &mut cache);
        self.has_gauss = cache.has_gauss;
        self.gauss = cache.gauss;
        out
    }

    /// `RandomState.seed(seed)`: `_legacy_seeding` then `_reset_gauss`. Only for MT19937
    /// (`TypeError('can only re-seed a MT19937 BitGenerator')`). With `Entropy` the position
    /// `pos` is kept, as NumPy does.
    pub fn seed(&mut self, seed: LegacySeed) -> Result<()> {
        let Engine::Mt19937(mt) = &self.bitgen.engine else {
            return Err(Error::type_err("can only re-seed a MT19937 BitGenerator"));
        };
        let new = legacy_mt_from_seed(&seed, mt.pos)?;
        self.bitgen = BitGenerator::legacy_mt19937(new);
        self.has_gauss = false;
        self.gauss = 0.0;
        Ok(())
    }

    /// `get_state()`: the bit generator's state plus the Gaussian cache (the binding builds
    /// the legacy tuple or the dict from it).
    pub fn get_state(&self) -> LegacyState {
        LegacyState {
            state: self.bitgen.state(),
            has_gauss: self.has_gauss,
            gauss: self.gauss,
        }
    }

    /// `set_state(state)`: the Gaussian cache is set first, then the bit generator state
    /// (which must be for this bit generator: `ValueError('state must be for a MT19937 PRNG')`).
    pub fn set_state(&mut self, st: LegacyState) -> Result<()> {
        self.has_gauss = st.has_gauss;
        self.gauss = st.gauss;
        self.bitgen.set_state(st.state)
    }

    /// `random_sample(size)` (also `random`, `sample`, `ranf`): `next_double` per element.
    pub fn random_sample(&mut self, size: Option<&[usize]>) -> Result<NdArray> {
        let shape = shape_of(size);
        let n = super::distributions::alloc_len(&shape)?;
        let mut out = vec![0.0; n];
        super::bitgen::fill_double(&mut self.bitgen, &mut out);
        Ok(NdArray::new(shape, Data::F64(out)))
    }

    /// `rand(*dims)`: `random_sample()` with no dims, else `random_sample(size=dims)`.
    pub fn rand(&mut self, dims: &[usize]) -> Result<NdArray> {
        self.random_sample(if dims.is_empty() { None } else { Some(dims) })
    }

    /// `standard_normal(size)`: `legacy_gauss` per element (polar method, cached pair).
    pub fn standard_normal(&mut self, size: Option<&[usize]>) -> Result<NdArray> {
        let shape = shape_of(size);
        let n = super::distributions::alloc_len(&shape)?;
        let mut out = vec![0.0; n];
        self.with_cache(|b, c| super::bitgen::fill_legacy_gauss(b, c, &mut out));
        Ok(NdArray::new(shape, Data::F64(out)))
    }

    /// `randn(*dims)`: `standard_normal()` with no dims, else `standard_normal(size=dims)`.
    pub fn randn(&mut self, dims: &[usize]) -> Result<NdArray> {
        self.standard_normal(if dims.is_empty() { None } else { Some(dims) })
    }

    /// `normal(loc, scale, size)`: `loc + scale * legacy_gauss()`; `scale < 0` (sign bit set,
    /// not NaN) raises `ValueError('scale < 0')`. Array parameters broadcast as in `cont`.
    pub fn normal(
        &mut self,
        loc: &FParam,
        scale: &FParam,
        size: Option<&[usize]>,
    ) -> Result<NdArray> {
        let RandomState {
            bitgen,
            has_gauss,
            gauss,
        } = self;
        let mut cache = GaussCache {
            has_gauss: *has_gauss,
            gauss: *gauss,
        };
        let r = cont(
            &[(loc, "", Cons::None), (scale, "scale", Cons::NonNegative)],
            size,
            |v| legacy_normal(bitgen, &mut cache, v[0], v[1]),
        );
        *has_gauss = cache.has_gauss;
        *gauss = cache.gauss;
        r
    }

    /// `uniform(low, high, size)`: `low + (high - low) * next_double()`. `high - low` must be
    /// finite (`OverflowError('Range exceeds valid bounds')`); no sign check.
    pub fn uniform(
        &mut self,
        low: &FParam,
        high: &FParam,
        size: Option<&[usize]>,
    ) -> Result<NdArray> {
        let range = uniform_range(low, high, "Range exceeds valid bounds")?;
        let b = &mut self.bitgen;
        cont(
            &[(low, "", Cons::None), (&range, "", Cons::None)],
            size,
            |v| random_uniform(b, v[0], v[1]),
        )
    }

    /// `standard_exponential(size)`: `-log(1 - next_double())` per element.
    pub fn standard_exponential(&mut self, size: Option<&[usize]>) -> Result<NdArray> {
        let b = &mut self.bitgen;
        cont(&[], size, |_| legacy_standard_exponential(b))
    }

    /// `exponential(scale, size)`: `scale * (-log(1 - U))`; `ValueError('scale < 0')`.
    pub fn exponential(&mut self, scale: &FParam, size: Option<&[usize]>) -> Result<NdArray> {
        let b = &mut self.bitgen;
        cont(&[(scale, "scale", Cons::NonNegative)], size, |v| {
            legacy_exponential(b, v[0])
        })
    }

    /// `tomaxint(size)`: `next_uint64() >> 1` per element (C `long` is 64-bit), int64.
    pub fn tomaxint(&mut self, size: Option<&[usize]>) -> Result<NdArray> {
        let shape = shape_of(size);
        let n = super::distributions::alloc_len(&shape)?;
        let out = (0..n)
            .map(|_| random_positive_int(&mut self.bitgen))
            .collect();
        Ok(NdArray::new(shape, Data::I64(out)))
    }

    /// `randint(low, high=None, size=None, dtype)`: `[0, low)` when `high` is `None`; masked
    /// rejection at the dtype's width (32-bit draws whenever the range fits), NumPy's bounds
    /// errors. `dtype` is any integer type or bool (`dtype=int` is int64).
    pub fn randint(
        &mut self,
        low: &IParam,
        high: Option<&IParam>,
        size: Option<&[usize]>,
        dtype: DType,
    ) -> Result<NdArray> {
        if !(dtype.is_int() || dtype == DType::Bool) {
            return Err(Error::type_err(format!(
                "Unsupported dtype dtype('{}') for randint",
                dtype.name()
            )));
        }
        let zero = IParam::Scalar(0);
        let (lo, hi) = match high {
            None => (&zero, low),
            Some(h) => (low, h),
        };
        crate::with_np_bits!(&mut self.bitgen, |g| bounded_integers(
            g, dtype, lo, hi, size, true, false
        ))
    }

    /// `random_integers(low, high=None, size)` (deprecated): `randint(low, high + 1)` with
    /// `[1, low]` when `high` is `None`, int64.
    pub fn random_integers(
        &mut self,
        low: &IParam,
        high: Option<i128>,
        size: Option<&[usize]>,
    ) -> Result<NdArray> {
        let (lo, hi) = match high {
            None => {
                let IParam::Scalar(h) = low else {
                    return Err(Error::type_err(
                        "only length-1 arrays can be converted to Python scalars",
                    ));
                };
                (IParam::Scalar(1), *h)
            }
            Some(h) => (low.clone(), h),
        };
        let hi = IParam::Scalar(hi.saturating_add(1));
        bounded_integers(&mut self.bitgen, DType::I64, &lo, &hi, size, true, false)
    }

    /// `bytes(length)`: `randint(0, 2**32, size=ceil(length/4), dtype=uint32)` as
    /// little-endian bytes, truncated to `length`.
    pub fn bytes(&mut self, length: usize) -> Vec<u8> {
        // `(length - 1) // 4 + 1` in C division (`cdivision=True`): `bytes(0)` draws one word.
        let n = if length == 0 { 1 } else { (length - 1) / 4 + 1 };
        let mut out = Vec::with_capacity(4 * n);
        for _ in 0..n {
            out.extend_from_slice(&super::NpBitGen::next_uint32(&mut self.bitgen).to_le_bytes());
        }
        out.truncate(length);
        out
    }

    /// The draws of `shuffle` for a sequence of length `n`: for `i = n-1` down to 1,
    /// `j = random_interval(i)`; element `k` of the result is the `j` for `i = n-1-k`. Apply as
    /// `swap(x[i], x[j])` in that order (see [`apply_swaps`]).
    pub fn shuffle_swaps(&mut self, n: usize) -> Vec<usize> {
        (1..n)
            .rev()
            .map(|i| random_interval(&mut self.bitgen, i as u64) as usize)
            .collect()
    }

    /// `shuffle(x)` for an ndarray, in place along axis 0. A 0-d array is NumPy's
    /// `TypeError('len() of unsized object')`; an empty array makes no draws.
    pub fn shuffle(&mut self, x: &mut NdArray) -> Result<()> {
        if x.ndim() == 0 {
            return Err(Error::type_err("len() of unsized object"));
        }
        if x.is_empty() {
            return Ok(());
        }
        let swaps = self.shuffle_swaps(x.shape[0]);
        let shape = x.shape.clone();
        for (k, &j) in swaps.iter().enumerate() {
            let i = shape[0] - 1 - k;
            swap_along_axis(&mut x.data, &shape, 0, i, j);
        }
        Ok(())
    }

    /// `shuffle(x)` for a Python list (any element type), in place.
    pub fn shuffle_slice<T>(&mut self, x: &mut [T]) {
        let swaps = self.shuffle_swaps(x.len());
        apply_swaps(x, &swaps);
    }

    /// `permutation(n)` for an integer: `arange(n)` (int64) shuffled.
    pub fn permutation_int(&mut self, n: i128) -> Result<NdArray> {
        let mut v = arange_i64(n)?;
        self.shuffle_slice(&mut v);
        Ok(NdArray::new(vec![v.len()], Data::I64(v)))
    }

    /// `permutation(x)` for an array: 0-d raises `IndexError('x must be an integer or at least
    /// 1-dimensional')`; 1-d: a shuffled copy; n-d: `x[shuffled arange(len(x))]`.
    pub fn permutation(&mut self, x: &NdArray) -> Result<NdArray> {
        if x.ndim() < 1 {
            return Err(Error::Index(
                "x must be an integer or at least 1-dimensional".into(),
            ));
        }
        if x.ndim() == 1 {
            let mut c = x.clone();
            self.shuffle(&mut c)?;
            return Ok(c);
        }
        let mut idx: Vec<usize> = (0..x.shape[0]).collect();
        self.shuffle_slice(&mut idx);
        Ok(take_along(x, 0, &idx, &[idx.len()]))
    }

    /// `choice(a, size=None, replace=True, p=None)` with all of NumPy's checks. Returns the
    /// chosen indices (int64) when `a` is an int, else `a[idx]`; with `size = None` a 0-d
    /// array (NumPy returns `idx.item(0)`, a Python int, for an int `a`, and a NumPy scalar of
    /// `a`'s dtype otherwise).
    pub fn choice(
        &mut self,
        a: ChoiceA<'_>,
        size: Option<&[usize]>,
        replace: bool,
        p: Option<&Probabilities>,
    ) -> Result<NdArray> {
        let size_prod_nonzero = size.is_none_or(|s| s.iter().product::<usize>() != 0);
        let pop_size: i128 = match a {
            ChoiceA::Int(n) => {
                if n <= 0 && size_prod_nonzero {
                    return Err(Error::value(
                        "a must be greater than 0 unless no samples are taken",
                    ));
                }
                n
            }
            ChoiceA::Array(arr) => {
                if arr.ndim() == 0 {
                    return Err(Error::value("a must be 1-dimensional or an integer"));
                }
                if arr.ndim() != 1 {
                    return Err(Error::value("a must be 1-dimensional"));
                }
                if arr.shape[0] == 0 && size_prod_nonzero {
                    return Err(Error::value(
                        "'a' cannot be empty unless no samples are taken",
                    ));
                }
                arr.shape[0] as i128
            }
        };
        let checked = match p {
            Some(p) => Some(check_p(
                p,
                pop_size,
                &PMessages {
                    ndim: "'p' must be 1-dimensional",
                    size: "'a' and 'p' must have same size",
                    nan: "probabilities contain NaN",
                    neg: "probabilities are not non-negative",
                    sum: "probabilities do not sum to 1",
                },
            )?),
            None => None,
        };
        let shape = shape_of(size);
        let n = super::distributions::alloc_len(&shape)?;
        let idx: Vec<i64> = if replace {
            if let Some(cp) = &checked {
                let cdf = cdf_of(&cp.p);
                let u = self.random_sample(Some(&shape))?;
                let Data::F64(u) = u.data else {
                    unreachable!("random_sample returns float64")
                };
                u.iter()
                    .map(|&x| searchsorted_right(&cdf, x) as i64)
                    .collect()
            } else {
                let r = self.randint(
                    &IParam::Scalar(0),
                    Some(&IParam::Scalar(pop_size)),
                    Some(&shape),
                    DType::I64,
                )?;
                match r.data {
                    Data::I64(v) => v,
                    _ => unreachable!("randint int64"),
                }
            }
        } else {
            if n as i128 > pop_size {
                return Err(Error::value(
                    "Cannot take a larger sample than population when 'replace=False'",
                ));
            }
            if let Some(cp) = &checked {
                if cp.p.iter().filter(|&&x| x > 0.0).count() < n {
                    return Err(Error::value("Fewer non-zero entries in p than size"));
                }
                choice_no_replace_p(&cp.p, n, |k| {
                    let mut out = vec![0.0; k];
                    random_standard_uniform_fill(&mut self.bitgen, &mut out);
                    out
                })
            } else {
                let perm = self.permutation_int(pop_size)?;
                match perm.data {
                    Data::I64(mut v) => {
                        v.truncate(n);
                        v
                    }
                    _ => unreachable!("permutation int64"),
                }
            }
        };
        Ok(match a {
            ChoiceA::Int(_) => NdArray::new(shape, Data::I64(idx)),
            ChoiceA::Array(arr) => {
                let ix: Vec<usize> = idx.iter().map(|&v| v as usize).collect();
                take_along(arr, 0, &ix, &shape)
            }
        })
    }
}

/// Applies the swaps drawn by [`RandomState::shuffle_swaps`] (or the Generator's) to a
/// slice: for `k`-th entry `j`, swap `x[n-1-k]` and `x[j]`.
pub fn apply_swaps<T>(x: &mut [T], swaps: &[usize]) {
    let n = x.len();
    for (k, &j) in swaps.iter().enumerate() {
        x.swap(n - 1 - k, j);
    }
}

/// `high - low` of `uniform`, which must be finite everywhere (`OverflowError(msg)`); arrays
/// broadcast as `np.subtract(high, low)`.
pub(crate) fn uniform_range(low: &FParam, high: &FParam, msg: &str) -> Result<FParam> {
    match (low, high) {
        (FParam::Scalar(l), FParam::Scalar(h)) => {
            let r = h - l;
            if !r.is_finite() {
                return Err(Error::Overflow(msg.into()));
            }
            Ok(FParam::Scalar(r))
        }
        _ => {
            let shape = super::distributions::broadcast_shapes(&[high.shape(), low.shape()])
                .map_err(|_| {
                    Error::value(format!(
                        "operands could not be broadcast together with shapes {} {} ",
                        ufunc_shape(high.shape()),
                        ufunc_shape(low.shape())
                    ))
                })?;
            let hm = super::distributions::broadcast_index_map(&shape, high.shape());
            let lm = super::distributions::broadcast_index_map(&shape, low.shape());
            let get = |p: &FParam, i: usize| match p {
                FParam::Scalar(v) => *v,
                FParam::Array { data, .. } => data[i],
            };
            let data: Vec<f64> = hm
                .iter()
                .zip(&lm)
                .map(|(&i, &j)| get(high, i) - get(low, j))
                .collect();
            if data.iter().any(|v| !v.is_finite()) {
                return Err(Error::Overflow("Range exceeds valid bounds".into()));
            }
            Ok(FParam::Array { shape, data })
        }
    }
}

fn ufunc_shape(s: &[usize]) -> String {
    match s.len() {
        1 => format!("({},)", s[0]),
        _ => format!(
            "({})",
            s.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}
