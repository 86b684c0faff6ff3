//! NumPy's `numpy.random`: the legacy `RandomState` and the `Generator` API, bit for bit.
//!
//! Layering mirrors NumPy's own: [`bitgen`] is `bitgen_t` (the per-generator `next_uint64`,
//! `next_uint32`, `next_double` and the uint32 split buffer), [`distributions`] is
//! `numpy/random/src/distributions/distributions.c` + `src/legacy/legacy-distributions.c`,
//! [`legacy`] is `mtrand.pyx` and [`generator`] is `_generator.pyx`.

pub mod bitgen;
pub mod distributions;
pub mod generator;
pub mod legacy;
pub mod ziggurat;

/// The four entry points of NumPy's `bitgen_t` (`numpy/_core/include/numpy/random/bitgen.h`)
/// that distributions call. `next_double` is the bit generator's own formula (two 32-bit words
/// for MT19937, `(u64 >> 11) * 2^-53` for the 64-bit generators).
pub trait NpBitGen {
    /// `bitgen->next_uint64`.
    fn next_uint64(&mut self) -> u64;
    /// `bitgen->next_uint32` (for 64-bit generators: low half first, high half buffered).
    fn next_uint32(&mut self) -> u32;
    /// `bitgen->next_double`.
    fn next_double(&mut self) -> f64;
    /// `next_float` in `distributions.c`: `(next_uint32() >> 8) * 2^-24` in float32.
    fn next_float(&mut self) -> f32 {
        (self.next_uint32() >> 8) as f32 * (1.0f32 / 16777216.0f32)
    }
}
