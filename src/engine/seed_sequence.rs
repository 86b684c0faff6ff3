//! NumPy's `SeedSequence`: entropy pooling and seed-word generation.
//!
//! Mirrors `numpy/random/bit_generator.pyx`: `_int_to_uint32_array`, `hashmix`, `mix`,
//! `SeedSequence.mix_entropy`, `SeedSequence.get_assembled_entropy`,
//! `SeedSequence.generate_state` and `SeedSequence.spawn`. All arithmetic is on `u32`
//! modulo 2^32, exactly as the Cython `uint32_t` code.
//!
//! Python-level coercion of the `entropy` argument (ints, lists, strings, arrays) belongs to
//! the caller: this type receives entropy already converted to 32-bit words (least-significant
//! word first, see [`int_to_words`]) and the spawn key as one word-vector per spawn-key element.

use num_bigint::BigUint;

/// `DEFAULT_POOL_SIZE` in `bit_generator.pyx`.
pub const DEFAULT_POOL_SIZE: usize = 4;
/// `INIT_A`: initial hash constant of `mix_entropy`.
pub const INIT_A: u32 = 0x43b0_d7e5;
/// `MULT_A`: hash-constant multiplier of `mix_entropy`.
pub const MULT_A: u32 = 0x931e_8875;
/// `INIT_B`: initial hash constant of `generate_state`.
pub const INIT_B: u32 = 0x8b51_f9dd;
/// `MULT_B`: hash-constant multiplier of `generate_state`.
pub const MULT_B: u32 = 0x58f3_8ded;
/// `MIX_MULT_L`: left multiplier of `mix`.
pub const MIX_MULT_L: u32 = 0xca01_f9dd;
/// `MIX_MULT_R`: right multiplier of `mix`.
pub const MIX_MULT_R: u32 = 0x4973_f715;
/// `XSHIFT`: half the width of a `u32`.
const XSHIFT: u32 = 16;

/// `_int_to_uint32_array`: the base-2^32 digits of a non-negative integer, least-significant
/// word first. Zero gives `[0]`.
pub fn int_to_words(v: &BigUint) -> Vec<u32> {
    let words = v.to_u32_digits();
    if words.is_empty() {
        vec![0]
    } else {
        words
    }
}

/// [`int_to_words`] for a machine integer.
pub fn u128_to_words(v: u128) -> Vec<u32> {
    if v == 0 {
        return vec![0];
    }
    let mut out = Vec::new();
    let mut n = v;
    while n > 0 {
        out.push(n as u32);
        n >>= 32;
    }
    out
}

/// `hashmix` (`bit_generator.pyx`): mixes one word, advancing the shared hash constant.
fn hashmix(value: u32, hash_const: &mut u32) -> u32 {
    let mut v = value ^ *hash_const;
    *hash_const = hash_const.wrapping_mul(MULT_A);
    v = v.wrapping_mul(*hash_const);
    v ^ (v >> XSHIFT)
}

/// `mix` (`bit_generator.pyx`).
fn mix(x: u32, y: u32) -> u32 {
    let r = MIX_MULT_L
        .wrapping_mul(x)
        .wrapping_sub(MIX_MULT_R.wrapping_mul(y));
    r ^ (r >> XSHIFT)
}

/// NumPy's `numpy.random.SeedSequence`, with its entropy already in 32-bit words.
///
/// `spawn_key` keeps one word-vector per spawn-key element (the element's
/// [`int_to_words`]); that is all `get_assembled_entropy` and `spawn` need, so the original
/// Python integers are not stored (each is recoverable as the little-endian value of its words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSequence {
    /// Run entropy as 32-bit words, least-significant word of each integer first
    /// (`_coerce_to_uint32_array(entropy)`).
    pub entropy: Vec<u32>,
    /// The spawn key: one word-vector per element of NumPy's `spawn_key` tuple.
    pub spawn_key: Vec<Vec<u32>>,
    /// Size of the entropy pool in 32-bit words (NumPy's default is 4).
    pub pool_size: usize,
    /// How many children [`SeedSequence::spawn`] has produced so far.
    pub n_children_spawned: u64,
    /// The mixed entropy pool (`SeedSequence.pool`), `pool_size` words.
    pub pool: Vec<u32>,
}

impl SeedSequence {
    /// `SeedSequence(entropy, spawn_key=spawn_key, pool_size=pool_size)`; `entropy` is the
    /// already-coerced word list (an empty list is valid: `SeedSequence([])`).
    ///
    /// NumPy refuses `pool_size < 4` with a ValueError; use [`SeedSequence::try_new`] to get
    /// that check. This constructor mixes whatever pool size it is given.
    pub fn new(entropy: Vec<u32>, spawn_key: Vec<Vec<u32>>, pool_size: usize) -> Self {
        let mut ss = SeedSequence {
            entropy,
            spawn_key,
            pool_size,
            n_children_spawned: 0,
            pool: vec![0; pool_size],
        };
        let assembled = ss.assembled_entropy();
        mix_entropy(&mut ss.pool, &assembled);
        ss
    }

    /// [`SeedSequence::new`] with NumPy's pool-size check:
    /// `ValueError("The size of the entropy pool should be at least 4")`.
    pub fn try_new(
        entropy: Vec<u32>,
        spawn_key: Vec<Vec<u32>>,
        pool_size: usize,
    ) -> crate::Result<Self> {
        if pool_size < DEFAULT_POOL_SIZE {
            return Err(crate::Error::value(format!(
                "The size of the entropy pool should be at least {DEFAULT_POOL_SIZE}"
            )));
        }
        Ok(Self::new(entropy, spawn_key, pool_size))
    }

    /// `SeedSequence(n)` for one non-negative integer, default pool size, no spawn key.
    pub fn from_int(n: &BigUint) -> Self {
        Self::new(int_to_words(n), Vec::new(), DEFAULT_POOL_SIZE)
    }

    /// `SeedSequence(n)` for a machine integer.
    pub fn from_u128(n: u128) -> Self {
        Self::new(u128_to_words(n), Vec::new(), DEFAULT_POOL_SIZE)
    }

    /// `get_assembled_entropy`: run entropy (zero-padded to `pool_size` only when a spawn key
    /// is present) followed by the spawn key's words.
    pub fn assembled_entropy(&self) -> Vec<u32> {
        let spawn: Vec<u32> = self.spawn_key.iter().flatten().copied().collect();
        let mut run = self.entropy.clone();
        if !spawn.is_empty() && run.len() < self.pool_size {
            run.resize(self.pool_size, 0);
        }
        run.extend_from_slice(&spawn);
        run
    }

    /// `generate_state(n, np.uint32)`.
    pub fn generate_state_u32(&self, n: usize) -> Vec<u32> {
        let mut hash_const = INIT_B;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let mut v = if self.pool.is_empty() {
                0
            } else {
                self.pool[i % self.pool.len()]
            };
            v ^= hash_const;
            hash_const = hash_const.wrapping_mul(MULT_B);
            v = v.wrapping_mul(hash_const);
            v ^= v >> XSHIFT;
            out.push(v);
        }
        out
    }

    /// `generate_state(n, np.uint64)`: `2n` words paired little-endian,
    /// `out[k] = w[2k] | w[2k+1] << 32`.
    pub fn generate_state_u64(&self, n: usize) -> Vec<u64> {
        self.generate_state_u32(2 * n)
            .chunks_exact(2)
            .map(|w| u64::from(w[0]) | (u64::from(w[1]) << 32))
            .collect()
    }

    /// `spawn(n)`: children with `spawn_key = self.spawn_key + (i,)` for
    /// `i = n_children_spawned .. n_children_spawned + n`, same entropy and pool size.
    pub fn spawn(&mut self, n: usize) -> Vec<SeedSequence> {
        let start = self.n_children_spawned;
        let children = (0..n as u64)
            .map(|k| {
                let mut key = self.spawn_key.clone();
                key.push(u128_to_words(u128::from(start + k)));
                SeedSequence::new(self.entropy.clone(), key, self.pool_size)
            })
            .collect();
        self.n_children_spawned += n as u64;
        children
    }
}

/// `mix_entropy`: one hash constant threaded through every `hashmix` call, in call order.
fn mix_entropy(pool: &mut [u32], entropy: &[u32]) {
    let mut hc = INIT_A;
    let n = pool.len();
    for (i, slot) in pool.iter_mut().enumerate() {
        *slot = hashmix(entropy.get(i).copied().unwrap_or(0), &mut hc);
    }
    for src in 0..n {
        for dst in 0..n {
            if src != dst {
                let h = hashmix(pool[src], &mut hc);
                pool[dst] = mix(pool[dst], h);
            }
        }
    }
    for &word in entropy.iter().skip(n) {
        for slot in pool.iter_mut() {
            let h = hashmix(word, &mut hc);
            *slot = mix(*slot, h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_seed_zero() {
        let ss = SeedSequence::from_u128(0);
        assert_eq!(ss.pool, [0xfe40eb07, 0x4f363a36, 0x4eb2009d, 0xc89a7aa7]);
        assert_eq!(
            ss.generate_state_u32(4),
            [0xb0f478be, 0xdb2cd7e7, 0x2c71ba49, 0xabf4641a]
        );
        assert_eq!(
            ss.generate_state_u64(2),
            [0xdb2cd7e7b0f478be, 0xabf4641a2c71ba49]
        );
    }

    #[test]
    fn golden_spawn_key() {
        let ss = SeedSequence::new(vec![12345], vec![vec![1]], DEFAULT_POOL_SIZE);
        assert_eq!(ss.pool, [0x1bf06c58, 0x72041bae, 0xdc63859d, 0xca855455]);
    }

    #[test]
    fn words() {
        assert_eq!(int_to_words(&BigUint::from(0u32)), [0]);
        assert_eq!(u128_to_words(1 << 40), [0, 256]);
        assert_eq!(
            int_to_words(&(BigUint::from(1u32) << 100usize)),
            [0, 0, 0, 16]
        );
    }
}
