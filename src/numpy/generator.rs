//! NumPy's `Generator` (`numpy/random/_generator.pyx`), bit for bit, on any of NumPy's bit
//! generators.
//!
//! As in [`super::legacy`], arguments arrive already coerced from Python; `size = None` gives a
//! 0-d array where NumPy returns a scalar, and the caller picks the Python scalar type.

use std::collections::HashSet;

use super::bitgen::BitGenerator;
use super::distributions::{
    bounded_integers, cont, random_bounded_uint64, random_exponential, random_interval,
    random_normal, random_standard_uniform_fill, random_uniform, Cons, FParam, IParam,
};
use super::legacy::{
    apply_swaps, arange_i64, cdf_of, check_p, choice_no_replace_p, entropy_seed_sequence,
    searchsorted_right, swap_along_axis, take_along, uniform_range, ChoiceA, PMessages,
    Probabilities,
};
use crate::engine::seed_sequence::SeedSequence;
use crate::{DType, Data, Error, NdArray, Result};

/// `normalize_axis_index(axis, ndim)`: NumPy's `AxisError` (a `ValueError` subclass) when out
/// of range.
pub fn normalize_axis_index(axis: i64, ndim: usize) -> Result<usize> {
    let nd = ndim as i64;
    if axis < -nd || axis >= nd {
        return Err(Error::value(format!(
            "axis {axis} is out of bounds for array of dimension {ndim}"
        )));
    }
    Ok(if axis < 0 { axis + nd } else { axis } as usize)
}

/// `numpy.random.Generator` (`_generator.pyx`).
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    /// `bit_generator`.
    pub bitgen: BitGenerator,
}

fn shape_of(size: Option<&[usize]>) -> Vec<usize> {
    size.map(|s| s.to_vec()).unwrap_or_default()
}

/// `double_fill` / `float_fill` (`_common.pyx`) for the float64 / float32 variants of a
/// method; other dtypes are `TypeError('Unsupported dtype dtype(...) for <method>')`.
fn float_fill(
    b: &mut BitGenerator,
    size: Option<&[usize]>,
    dtype: DType,
    method: &str,
    f64_fill: fn(&mut BitGenerator, &mut [f64]),
    f32_fill: fn(&mut BitGenerator, &mut [f32]),
) -> Result<NdArray> {
    let shape = shape_of(size);
    match dtype {
        DType::F64 => {
            let n = super::distributions::alloc_len(&shape)?;
            let mut out = vec![0.0f64; n];
            f64_fill(b, &mut out);
            Ok(NdArray::new(shape, Data::F64(out)))
        }
        DType::F32 => {
            let n = super::distributions::alloc_len(&shape)?;
            let mut out = vec![0.0f32; n];
            f32_fill(b, &mut out);
            Ok(NdArray::new(shape, Data::F32(out)))
        }
        other => Err(Error::type_err(format!(
            "Unsupported dtype dtype('{}') for {method}",
            other.name()
        ))),
    }
}

impl Generator {
    /// `Generator(bit_generator)`.
    pub fn new(bitgen: BitGenerator) -> Self {
        Generator { bitgen }
    }

    /// `default_rng(seed_seq)` = `Generator(PCG64(seed_seq))`.
    pub fn from_seed_sequence(ss: SeedSequence) -> Result<Self> {
        Ok(Generator::new(BitGenerator::from_seed_sequence(
            "PCG64", ss,
        )?))
    }

    /// `default_rng(n)` for a non-negative integer seed.
    pub fn default_rng(seed: u128) -> Self {
        Generator::new(
            BitGenerator::from_seed_sequence("PCG64", SeedSequence::from_u128(seed))
                .expect("PCG64 is a known bit generator"),
        )
    }

    /// `default_rng()` / `default_rng(None)`: PCG64 seeded from OS entropy.
    pub fn from_entropy() -> Self {
        Generator::new(
            BitGenerator::from_seed_sequence("PCG64", entropy_seed_sequence())
                .expect("PCG64 is a known bit generator"),
        )
    }

    /// `spawn(n)`: `Generator(child)` for each child of `bit_generator.spawn(n)`.
    pub fn spawn(&mut self, n: usize) -> Result<Vec<Generator>> {
        Ok(self
            .bitgen
            .spawn(n)?
            .into_iter()
            .map(Generator::new)
            .collect())
    }

    /// `random(size, dtype)`: float64 `next_double` or float32 `next_float` per element.
    pub fn random(&mut self, size: Option<&[usize]>, dtype: DType) -> Result<NdArray> {
        float_fill(
            &mut self.bitgen,
            size,
            dtype,
            "random",
            super::bitgen::fill_double,
            super::bitgen::fill_float,
        )
    }

    /// `standard_normal(size, dtype)`: the float64 or float32 ziggurat.
    pub fn standard_normal(&mut self, size: Option<&[usize]>, dtype: DType) -> Result<NdArray> {
        float_fill(
            &mut self.bitgen,
            size,
            dtype,
            "standard_normal",
            super::bitgen::fill_standard_normal,
            super::bitgen::fill_standard_normal_f,
        )
    }

    /// `standard_exponential(size, dtype, method)`: ziggurat when `method == "zig"`, else
    /// (any other string, as in NumPy) the inversion `-log1p(-U)`.
    pub fn standard_exponential(
        &mut self,
        size: Option<&[usize]>,
        dtype: DType,
        method: &str,
    ) -> Result<NdArray> {
        if method == "zig" {
            float_fill(
                &mut self.bitgen,
                size,
                dtype,
                "standard_exponential",
                super::bitgen::fill_standard_exponential,
                super::bitgen::fill_standard_exponential_f,
            )
        } else {
            float_fill(
                &mut self.bitgen,
                size,
                dtype,
                "standard_exponential",
                super::bitgen::fill_standard_exponential_inv,
                super::bitgen::fill_standard_exponential_inv_f,
            )
        }
    }

    /// `normal(loc, scale, size)`: `loc + scale * ziggurat_normal()`; `ValueError('scale < 0')`.
    pub fn normal(
        &mut self,
        loc: &FParam,
        scale: &FParam,
        size: Option<&[usize]>,
    ) -> Result<NdArray> {
        let b = &mut self.bitgen;
        cont(
            &[(loc, "", Cons::None), (scale, "scale", Cons::NonNegative)],
            size,
            |v| random_normal(b, v[0], v[1]),
        )
    }

    /// `uniform(low, high, size)`: `high - low` must be finite (`OverflowError`) and not
    /// negative (`ValueError('high - low < 0')`).
    pub fn uniform(
        &mut self,
        low: &FParam,
        high: &FParam,
        size: Option<&[usize]>,
    ) -> Result<NdArray> {
        let range = uniform_range(low, high, "high - low range exceeds valid bounds")?;
        let b = &mut self.bitgen;
        cont(
            &[
                (low, "", Cons::None),
                (&range, "high - low", Cons::NonNegative),
            ],
            size,
            |v| random_uniform(b, v[0], v[1]),
        )
    }

    /// `exponential(scale, size)`: `scale * ziggurat_exponential()`; `ValueError('scale < 0')`.
    pub fn exponential(&mut self, scale: &FParam, size: Option<&[usize]>) -> Result<NdArray> {
        let b = &mut self.bitgen;
        cont(&[(scale, "scale", Cons::NonNegative)], size, |v| {
            random_exponential(b, v[0])
        })
    }

    /// `integers(low, high=None, size=None, dtype=int64, endpoint=False)`: Lemire's method at
    /// the dtype's width (32-bit draws whenever the range fits), NumPy's bounds errors.
    pub fn integers(
        &mut self,
        low: &IParam,
        high: Option<&IParam>,
        size: Option<&[usize]>,
        dtype: DType,
        endpoint: bool,
    ) -> Result<NdArray> {
        if !(dtype.is_int() || dtype == DType::Bool) {
            return Err(Error::type_err(format!(
                "Unsupported dtype dtype('{}') for integers",
                dtype.name()
            )));
        }
        let zero = IParam::Scalar(0);
        let (lo, hi) = match high {
            None => (&zero, low),
            Some(h) => (low, h),
        };
        crate::with_np_bits!(&mut self.bitgen, |g| bounded_integers(
            g, dtype, lo, hi, size, false, endpoint
        ))
    }

    /// `bytes(length)`: raw `next_uint32` words, little-endian, truncated to `length`.
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

    /// The draws of `shuffle` on a length-`n` sequence (`_shuffle_raw(n, first=1)`): for
    /// `i = n-1` down to 1, `j = random_interval(i)`; apply with
    /// [`super::legacy::apply_swaps`].
    pub fn shuffle_swaps(&mut self, n: usize) -> Vec<usize> {
        (1..n)
            .rev()
            .map(|i| random_interval(&mut self.bitgen, i as u64) as usize)
            .collect()
    }

    /// `shuffle(x, axis)` for an ndarray, in place along `axis` (an empty array makes no
    /// draws; a 0-d array is NumPy's `TypeError('len() of unsized object')`).
    pub fn shuffle(&mut self, x: &mut NdArray, axis: i64) -> Result<()> {
        if x.ndim() == 0 {
            return Err(Error::type_err("len() of unsized object"));
        }
        let ax = normalize_axis_index(axis, x.ndim())?;
        if x.is_empty() {
            return Ok(());
        }
        let n = x.shape[ax];
        let swaps = self.shuffle_swaps(n);
        let shape = x.shape.clone();
        for (k, &j) in swaps.iter().enumerate() {
            swap_along_axis(&mut x.data, &shape, ax, n - 1 - k, j);
        }
        Ok(())
    }

    /// `shuffle(x)` for a Python list, in place.
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

    /// `permutation(x, axis)` for an array: a shuffled copy (1-d), else `x` indexed along
    /// `axis` by a shuffled `arange(x.shape[axis])`.
    pub fn permutation(&mut self, x: &NdArray, axis: i64) -> Result<NdArray> {
        let ax = normalize_axis_index(axis, x.ndim())?;
        if x.ndim() == 1 {
            let mut c = x.clone();
            self.shuffle(&mut c, 0)?;
            return Ok(c);
        }
        let mut idx: Vec<usize> = (0..x.shape[ax]).collect();
        self.shuffle_slice(&mut idx);
        Ok(take_along(x, ax, &idx, &[idx.len()]))
    }

    /// `permuted(x, axis=None)`: a copy shuffled as a flat sequence (`axis=None`), or with
    /// every 1-d lane along `axis` shuffled independently (lanes in C order, each by
    /// `_shuffle_raw(axlen, first=0)`).
    pub fn permuted(&mut self, x: &NdArray, axis: Option<i64>) -> Result<NdArray> {
        let mut out = x.clone();
        match axis {
            None => {
                if x.ndim() > 1 {
                    let shape = out.shape.clone();
                    out.shape = vec![out.len()];
                    self.shuffle(&mut out, 0)?;
                    out.shape = shape;
                } else {
                    self.shuffle(&mut out, 0)?;
                }
            }
            Some(a) => {
                let ax = normalize_axis_index(a, x.ndim())?;
                let n = x.shape[ax];
                let outer: usize = x.shape[..ax].iter().product();
                let inner: usize = x.shape[ax + 1..].iter().product();
                for o in 0..outer {
                    for k in 0..inner {
                        let mut lane: Vec<usize> =
                            (0..n).map(|t| o * n * inner + t * inner + k).collect();
                        for i in (0..n).rev() {
                            let j = random_interval(&mut self.bitgen, i as u64) as usize;
                            lane.swap(i, j);
                        }
                        let vals = x.data.gather(&lane);
                        let pos: Vec<usize> =
                            (0..n).map(|t| o * n * inner + t * inner + k).collect();
                        scatter(&mut out.data, &pos, &vals);
                    }
                }
            }
        }
        Ok(out)
    }

    /// `choice(a, size=None, replace=True, p=None, axis=0, shuffle=True)`: Lemire integers
    /// with replacement, the cdf search with `p`, and without replacement Floyd's algorithm
    /// (+ `_shuffle_int`) or the tail shuffle for large populations. Returns the indices
    /// (int64) for an int `a`, else `a.take(idx, axis)`; `size = None` gives a 0-d array for an
    /// int or 1-d `a`.
    #[allow(clippy::too_many_arguments)]
    pub fn choice(
        &mut self,
        a: ChoiceA<'_>,
        size: Option<&[usize]>,
        replace: bool,
        p: Option<&Probabilities>,
        axis: i64,
        shuffle: bool,
    ) -> Result<NdArray> {
        let size_prod_nonzero = size.is_none_or(|s| s.iter().product::<usize>() != 0);
        let mut ax = 0usize;
        let pop_size: i128 = match a {
            ChoiceA::Int(n) => {
                if n <= 0 && size_prod_nonzero {
                    return Err(Error::value(
                        "a must be a positive integer unless no samples are taken",
                    ));
                }
                n
            }
            ChoiceA::Array(arr) => {
                if arr.ndim() == 0 {
                    return Err(Error::value(
                        "a must be a sequence or an integer, not <class 'numpy.ndarray'>",
                    ));
                }
                let nd = arr.ndim() as i64;
                if axis < -nd || axis >= nd {
                    return Err(Error::Index("tuple index out of range".into()));
                }
                ax = if axis < 0 { axis + nd } else { axis } as usize;
                let ps = arr.shape[ax];
                if ps == 0 && size_prod_nonzero {
                    return Err(Error::value(
                        "a cannot be empty unless no samples are taken",
                    ));
                }
                ps as i128
            }
        };
        let checked = match p {
            Some(p) => Some(check_p(
                p,
                pop_size,
                &PMessages {
                    ndim: "p must be 1-dimensional",
                    size: "a and p must have same size",
                    nan: "Probabilities contain NaN",
                    neg: "Probabilities are not non-negative",
                    sum: "Probabilities do not sum to 1. See Notes section of docstring for \
                          more information.",
                },
            )?),
            None => None,
        };
        let shape = shape_of(size);
        let n = super::distributions::alloc_len(&shape)?;
        let idx: Vec<i64> = if replace {
            if let Some(cp) = &checked {
                let cdf = cdf_of(&cp.p);
                let mut u = vec![0.0; n];
                random_standard_uniform_fill(&mut self.bitgen, &mut u);
                u.iter()
                    .map(|&x| searchsorted_right(&cdf, x) as i64)
                    .collect()
            } else {
                let r = self.integers(
                    &IParam::Scalar(0),
                    Some(&IParam::Scalar(pop_size)),
                    Some(&shape),
                    DType::I64,
                    false,
                )?;
                match r.data {
                    Data::I64(v) => v,
                    _ => unreachable!("integers int64"),
                }
            }
        } else {
            if n as i128 > pop_size {
                return Err(Error::value(
                    "Cannot take a larger sample than population when replace is False",
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
                self.sample_without_replacement(pop_size as i64, n as i64, shuffle)?
            }
        };
        Ok(match a {
            ChoiceA::Int(_) => NdArray::new(shape, Data::I64(idx)),
            ChoiceA::Array(arr) => {
                let ix: Vec<usize> = idx.iter().map(|&v| v as usize).collect();
                take_along(arr, ax, &ix, &shape)
            }
        })
    }

    /// The `replace=False, p=None` branch of `Generator.choice`: the tail shuffle of
    /// `arange(pop)` when `pop > 10000` and `size > pop // (50 if shuffle else 20)`, else
    /// Floyd's algorithm with Lemire draws, then `_shuffle_int(size, 1)` when `shuffle`.
    fn sample_without_replacement(
        &mut self,
        pop: i64,
        size: i64,
        shuffle: bool,
    ) -> Result<Vec<i64>> {
        let cutoff = if shuffle { 50 } else { 20 };
        if pop > 10000 && size > pop / cutoff {
            let mut idx = arange_i64(pop as i128)?;
            shuffle_int(&mut self.bitgen, &mut idx, (pop - size).max(1) as usize);
            return Ok(idx[(pop - size) as usize..].to_vec());
        }
        let mut out = Vec::with_capacity(size as usize);
        let mut set: HashSet<u64> = HashSet::with_capacity(size as usize);
        for j in (pop - size)..pop {
            let val = random_bounded_uint64(&mut self.bitgen, 0, j as u64, 0, false);
            if set.insert(val) {
                out.push(val as i64);
            } else {
                set.insert(j as u64);
                out.push(j);
            }
        }
        if shuffle {
            shuffle_int(&mut self.bitgen, &mut out, 1);
        }
        Ok(out)
    }
}

/// `_shuffle_int(n, first, data)` (`_generator.pyx`): for `i = n-1` down to `first`,
/// `j = random_bounded_uint64(0, i, use_masked=0)` (Lemire), swap.
fn shuffle_int(b: &mut BitGenerator, data: &mut [i64], first: usize) {
    let n = data.len();
    for i in (first..n).rev() {
        let j = random_bounded_uint64(b, 0, i as u64, 0, false) as usize;
        data.swap(i, j);
    }
}

/// Writes `vals` (a buffer of the same type) at flat positions `pos` of `data`.
fn scatter(data: &mut Data, pos: &[usize], vals: &Data) {
    macro_rules! sc {
        ($d:expr, $v:expr) => {
            for (k, &p) in pos.iter().enumerate() {
                $d[p] = $v[k];
            }
        };
    }
    match (data, vals) {
        (Data::Bool(d), Data::Bool(v)) => sc!(d, v),
        (Data::I8(d), Data::I8(v)) => sc!(d, v),
        (Data::I16(d), Data::I16(v)) => sc!(d, v),
        (Data::I32(d), Data::I32(v)) => sc!(d, v),
        (Data::I64(d), Data::I64(v)) => sc!(d, v),
        (Data::U8(d), Data::U8(v)) => sc!(d, v),
        (Data::U16(d), Data::U16(v)) => sc!(d, v),
        (Data::U32(d), Data::U32(v)) => sc!(d, v),
        (Data::U64(d), Data::U64(v)) => sc!(d, v),
        (Data::F16(d), Data::F16(v)) => sc!(d, v),
        (Data::BF16(d), Data::BF16(v)) => sc!(d, v),
        (Data::F32(d), Data::F32(v)) => sc!(d, v),
        (Data::F64(d), Data::F64(v)) => sc!(d, v),
        _ => {}
    }
}
