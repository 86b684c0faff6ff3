//! torch's names for dtypes and its C++ number formatting, as they appear in torch's error
//! messages — shared by the CPU kernels ([`super::cpu`]) and the CUDA emulation
//! ([`super::cuda`]). Mirrors `c10/core/ScalarType.h` (`toString(ScalarType)`),
//! `c10/util/TypeIndex.h` (`caffe2::TypeMeta` names, GCC spelling) and
//! `c10/util/Exception.h` (`std::ostream << double` in `TORCH_CHECK`).

use crate::array::DType;
use crate::Error;

/// torch's `ScalarType` name (`Float`, `Long`, ...), as in "not implemented for 'Long'".
pub fn scalar_type_name(d: DType) -> &'static str {
    match d {
        DType::Bool => "Bool",
        DType::I8 => "Char",
        DType::I16 => "Short",
        DType::I32 => "Int",
        DType::I64 => "Long",
        DType::U8 => "Byte",
        DType::U16 => "UInt16",
        DType::U32 => "UInt32",
        DType::U64 => "UInt64",
        DType::F16 => "Half",
        DType::BF16 => "BFloat16",
        DType::F32 => "Float",
        DType::F64 => "Double",
    }
}

/// The C++ type name torch prints for a `caffe2::TypeMeta` (GCC/Linux spelling).
pub fn type_meta_name(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::I8 => "signed char",
        DType::I16 => "short int",
        DType::I32 => "int",
        DType::I64 => "long int",
        DType::U8 => "unsigned char",
        DType::U16 => "short unsigned int",
        DType::U32 => "unsigned int",
        DType::U64 => "long unsigned int",
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        DType::F32 => "float",
        DType::F64 => "double",
    }
}

/// torch's `NotImplementedError` for a kernel that has no instance for `d`.
pub fn not_implemented(kernel: &str, d: DType) -> Error {
    // Python raises NotImplementedError (a subclass of RuntimeError).
    Error::NotImplemented(format!(
        "\"{kernel}\" not implemented for '{}'",
        scalar_type_name(d)
    ))
}

/// C++ `std::ostream << double` with default settings (`%g`, 6 significant digits), as torch
/// formats numbers in error messages.
pub fn cpp_double(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let exp = format!("{:.5e}", v);
    let (mant, e) = exp.split_once('e').unwrap_or((&exp, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    if (-4..6).contains(&e) {
        let decimals = (5 - e).max(0) as usize;
        let s = format!("{:.*}", decimals, v);
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        s
    } else {
        let mant = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.')
        } else {
            mant
        };
        format!(
            "{mant}e{}{:02}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        )
    }
}
