//! A small n-dimensional array: a shape and a typed, C-ordered buffer.
//!
//! It is the value every library call returns (NumPy arrays and torch tensors alike); printing
//! lives in [`crate::format`], `.npy` output in [`crate::npy`].

use half::{bf16, f16};

/// Element type of an [`NdArray`], named as NumPy / torch name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F16,
    BF16,
    F32,
    F64,
}

impl DType {
    /// NumPy's name (`float64`, `int32`, `bool`, ...); `bfloat16` for torch's bfloat16.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// Size of one element in bytes.
    pub fn itemsize(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 => 8,
        }
    }

    /// True for the floating-point types.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// True for the signed and unsigned integer types (not bool).
    pub fn is_int(self) -> bool {
        matches!(
            self,
            DType::I8
                | DType::I16
                | DType::I32
                | DType::I64
                | DType::U8
                | DType::U16
                | DType::U32
                | DType::U64
        )
    }

    /// True for the signed integer types.
    pub fn is_signed_int(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    /// Inclusive value range of an integer (or bool) dtype, as i128.
    pub fn int_bounds(self) -> Option<(i128, i128)> {
        Some(match self {
            DType::Bool => (0, 1),
            DType::I8 => (i8::MIN as i128, i8::MAX as i128),
            DType::I16 => (i16::MIN as i128, i16::MAX as i128),
            DType::I32 => (i32::MIN as i128, i32::MAX as i128),
            DType::I64 => (i64::MIN as i128, i64::MAX as i128),
            DType::U8 => (0, u8::MAX as i128),
            DType::U16 => (0, u16::MAX as i128),
            DType::U32 => (0, u32::MAX as i128),
            DType::U64 => (0, u64::MAX as i128),
            _ => return None,
        })
    }
}

/// The typed, C-ordered element buffer of an [`NdArray`].
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    Bool(Vec<bool>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F16(Vec<f16>),
    BF16(Vec<bf16>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

macro_rules! each_data {
    ($d:expr, $v:ident => $body:expr) => {
        match $d {
            Data::Bool($v) => $body,
            Data::I8($v) => $body,
            Data::I16($v) => $body,
            Data::I32($v) => $body,
            Data::I64($v) => $body,
            Data::U8($v) => $body,
            Data::U16($v) => $body,
            Data::U32($v) => $body,
            Data::U64($v) => $body,
            Data::F16($v) => $body,
            Data::BF16($v) => $body,
            Data::F32($v) => $body,
            Data::F64($v) => $body,
        }
    };
}

impl Data {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            Data::Bool(_) => DType::Bool,
            Data::I8(_) => DType::I8,
            Data::I16(_) => DType::I16,
            Data::I32(_) => DType::I32,
            Data::I64(_) => DType::I64,
            Data::U8(_) => DType::U8,
            Data::U16(_) => DType::U16,
            Data::U32(_) => DType::U32,
            Data::U64(_) => DType::U64,
            Data::F16(_) => DType::F16,
            Data::BF16(_) => DType::BF16,
            Data::F32(_) => DType::F32,
            Data::F64(_) => DType::F64,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        each_data!(self, v => v.len())
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i` widened to f64 (exact for every type but 64-bit integers above 2^53).
    pub fn get_f64(&self, i: usize) -> f64 {
        match self {
            Data::Bool(v) => v[i] as u8 as f64,
            Data::I8(v) => v[i] as f64,
            Data::I16(v) => v[i] as f64,
            Data::I32(v) => v[i] as f64,
            Data::I64(v) => v[i] as f64,
            Data::U8(v) => v[i] as f64,
            Data::U16(v) => v[i] as f64,
            Data::U32(v) => v[i] as f64,
            Data::U64(v) => v[i] as f64,
            Data::F16(v) => v[i].to_f64(),
            Data::BF16(v) => v[i].to_f64(),
            Data::F32(v) => v[i] as f64,
            Data::F64(v) => v[i],
        }
    }

    /// Element `i` of an integer or bool buffer as i128 (`None` for floats).
    pub fn get_i128(&self, i: usize) -> Option<i128> {
        Some(match self {
            Data::Bool(v) => v[i] as i128,
            Data::I8(v) => v[i] as i128,
            Data::I16(v) => v[i] as i128,
            Data::I32(v) => v[i] as i128,
            Data::I64(v) => v[i] as i128,
            Data::U8(v) => v[i] as i128,
            Data::U16(v) => v[i] as i128,
            Data::U32(v) => v[i] as i128,
            Data::U64(v) => v[i] as i128,
            _ => return None,
        })
    }

    /// A new buffer holding the elements at `idx` (in that order).
    pub fn gather(&self, idx: &[usize]) -> Data {
        macro_rules! g {
            ($v:expr, $c:ident) => {
                Data::$c(idx.iter().map(|&i| $v[i]).collect())
            };
        }
        match self {
            Data::Bool(v) => g!(v, Bool),
            Data::I8(v) => g!(v, I8),
            Data::I16(v) => g!(v, I16),
            Data::I32(v) => g!(v, I32),
            Data::I64(v) => g!(v, I64),
            Data::U8(v) => g!(v, U8),
            Data::U16(v) => g!(v, U16),
            Data::U32(v) => g!(v, U32),
            Data::U64(v) => g!(v, U64),
            Data::F16(v) => g!(v, F16),
            Data::BF16(v) => g!(v, BF16),
            Data::F32(v) => g!(v, F32),
            Data::F64(v) => g!(v, F64),
        }
    }

    /// Little-endian bytes of the buffer (bool as 0/1 bytes), as `.npy` stores them.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len() * self.dtype().itemsize());
        match self {
            Data::Bool(v) => out.extend(v.iter().map(|&b| b as u8)),
            Data::I8(v) => out.extend(v.iter().map(|&b| b as u8)),
            Data::U8(v) => out.extend_from_slice(v),
            Data::I16(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Data::U16(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Data::I32(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Data::U32(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Data::I64(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Data::U64(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Data::F16(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Data::BF16(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Data::F32(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Data::F64(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        }
        out
    }
}

/// An n-dimensional, C-ordered array. A 0-d array (`shape == []`) holds one element and stands
/// for a scalar result.
#[derive(Debug, Clone, PartialEq)]
pub struct NdArray {
    /// Dimensions, outermost first. Empty for a 0-d array.
    pub shape: Vec<usize>,
    /// The elements in C order; `data.len() == shape.iter().product()`.
    pub data: Data,
}

/// For each position of `out_shape` in C order, the flat index of the element of an operand
/// of shape `in_shape` that broadcasting maps there (`in_shape` must broadcast to `out_shape`).
pub fn broadcast_index_map(out_shape: &[usize], in_shape: &[usize]) -> Vec<usize> {
    let nd = out_shape.len();
    let off = nd - in_shape.len();
    // Strides of the operand in the output's coordinates (0 where broadcast).
    let mut strides = vec![0usize; nd];
    let mut acc = 1usize;
    for k in (0..in_shape.len()).rev() {
        strides[k + off] = if in_shape[k] == 1 { 0 } else { acc };
        acc *= in_shape[k];
    }
    let total: usize = out_shape.iter().product();
    let mut idx = vec![0usize; nd];
    let mut out = Vec::with_capacity(total);
    let mut cur = 0usize;
    for _ in 0..total {
        out.push(cur);
        for d in (0..nd).rev() {
            idx[d] += 1;
            cur += strides[d];
            if idx[d] < out_shape[d] {
                break;
            }
            cur -= strides[d] * idx[d];
            idx[d] = 0;
        }
    }
    out
}

impl NdArray {
    /// The values of `self` broadcast to `shape` (which it must broadcast to), as f64, in C
    /// order.
    pub fn broadcast_f64(&self, shape: &[usize]) -> Vec<f64> {
        broadcast_index_map(shape, &self.shape)
            .into_iter()
            .map(|i| self.data.get_f64(i))
            .collect()
    }

    /// Wraps a buffer; panics in debug builds if the shape does not match the length.
    pub fn new(shape: Vec<usize>, data: Data) -> Self {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len());
        NdArray { shape, data }
    }

    /// A 0-d array holding one element.
    pub fn scalar(data: Data) -> Self {
        debug_assert_eq!(data.len(), 1);
        NdArray {
            shape: vec![],
            data,
        }
    }

    /// A zero-filled array (`calloc`-backed: no page is touched until written), with NumPy's
    /// size checks.
    pub fn zeros(shape: &[usize], dtype: DType) -> crate::Result<NdArray> {
        let n = checked_size(shape)?;
        let data = match dtype {
            DType::Bool => Data::Bool(vec![false; n]),
            DType::I8 => Data::I8(vec![0; n]),
            DType::I16 => Data::I16(vec![0; n]),
            DType::I32 => Data::I32(vec![0; n]),
            DType::I64 => Data::I64(vec![0; n]),
            DType::U8 => Data::U8(vec![0; n]),
            DType::U16 => Data::U16(vec![0; n]),
            DType::U32 => Data::U32(vec![0; n]),
            DType::U64 => Data::U64(vec![0; n]),
            DType::F16 => Data::F16(vec![f16::ZERO; n]),
            DType::BF16 => Data::BF16(vec![bf16::ZERO; n]),
            DType::F32 => Data::F32(vec![0.0; n]),
            DType::F64 => Data::F64(vec![0.0; n]),
        };
        Ok(NdArray::new(shape.to_vec(), data))
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
}

/// Number of elements of `shape`, or a `ValueError` when the product overflows (NumPy's
/// "array is too big" message).
pub fn checked_size(shape: &[usize]) -> crate::Result<usize> {
    let mut n: usize = 1;
    for &d in shape {
        n = n
            .checked_mul(d)
            .ok_or_else(|| crate::Error::value("array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size."))?;
    }
    if n.checked_mul(8).is_none_or(|b| b > isize::MAX as usize) {
        return Err(crate::Error::value(
            "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.",
        ));
    }
    Ok(n)
}
