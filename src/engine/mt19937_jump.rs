//! MT19937 jump-ahead by 2^128 outputs, as NumPy's `MT19937.jumped()`.
//!
//! Mirrors `numpy/random/src/mt19937/mt19937-jump.c` (`mt19937_jump_state`, `horner1`,
//! `gen_next`, `add_state`): Horner evaluation of the precomputed jump polynomial over the
//! incremental one-word twist. The polynomial [`POLY_COEF`] is transcribed from `poly_coef` in
//! `numpy/random/src/mt19937/mt19937-jump.h` (data, generated from that header by a script).
//!
//! It also provides jump-ahead by an arbitrary number of steps ([`jump_ahead`], exactly equal
//! to `n` calls of [`Mt19937::next_u32`]) and NumPy's `MT19937.jumped(jumps)` for any number of
//! jumps ([`jump_numpy`]), both without generating the skipped outputs. They follow the method of
//! Haramoto, Matsumoto, Nishimura, Panneton and L'Ecuyer, "Efficient Jump Ahead for
//! F2-Linear Random Number Generators" (the method behind `mt19937-jump.c`): the
//! characteristic polynomial `phi` of the MT19937 recurrence (degree 19937) is derived once at
//! run time with the Berlekamp–Massey algorithm, `x^n mod phi` is computed by square-and-multiply
//! over GF(2), and the resulting polynomial is evaluated on the state.
//!
//! # Position conventions
//! A state `(key, pos)` (`pos` in `0..=624`) stands for the word sequence `w_0, w_1, ...` with
//! `w_i = key[i]` for `i < 624` and `w_{i+624} = twist(w_i, w_{i+1}, w_{i+397})`; the next
//! output is `temper(w_pos)`. NumPy's jump (`mt19937_jump_state`) instead reads the key
//! *circularly from `pos`* as the window of the incremental generator (`gen_next`), maps
//! `pos == 624` to `0`, and leaves the result at `pos + 19933 (mod 624)`, where the following
//! whole-array twist of `mt19937_next` is no longer aligned with that window. So NumPy's
//! `jumped()` is not the stream advanced by 2^128 (numpy/numpy#15394; numpy/numpy#16153 kept the
//! reference behaviour on purpose): from a state at `pos == 0` whose key came out of a twist, its
//! first 35 outputs are those of [`jump_ahead`] by 2^128, and later ones are not.
//! [`jump_ahead`] implements the true advance; [`jump_numpy`] reproduces NumPy bit for bit.

use std::sync::OnceLock;

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

use super::mt19937::{Mt19937, M, N};

/// `MEXP`: the Mersenne exponent (degree bound of the jump polynomial).
const MEXP: usize = 19937;

/// `coef(i)`: bit `i` of the jump polynomial.
#[inline]
fn coef(i: usize) -> bool {
    (POLY_COEF[i >> 5] >> (i & 31)) & 1 != 0
}

/// `gen_next`: the incremental twist of the single word at `pos`, then `pos += 1`
/// (wrapping to 0 after 623).
#[inline]
fn gen_next(mt: &mut Mt19937) {
    let num = mt.pos;
    let next = if num + 1 < N { num + 1 } else { 0 };
    let far = if num + M < N { num + M } else { num + M - N };
    let y = (mt.key[num] & 0x8000_0000) | (mt.key[next] & 0x7fff_ffff);
    let mag = if y & 1 == 1 { 0x9908_b0df } else { 0 };
    mt.key[num] = mt.key[far] ^ (y >> 1) ^ mag;
    mt.pos = next;
}

/// `add_state`: XOR `src` into `dst` with both keys read circularly from their own `pos`.
#[inline]
fn add_state(dst: &mut Mt19937, src: &Mt19937) {
    let (p1, p2) = (dst.pos, src.pos);
    let mut a = p1;
    let mut b = p2;
    for _ in 0..N {
        dst.key[a] ^= src.key[b];
        a += 1;
        if a == N {
            a = 0;
        }
        b += 1;
        if b == N {
            b = 0;
        }
    }
}

/// `mt19937_jump_state`: map `pos >= 624` to `0`, then replace the state by the jump
/// polynomial evaluated at it (`horner1`). One call advances the stream by 2^128 outputs;
/// the resulting `pos` is kept as computed.
pub fn jump_state(mt: &mut Mt19937) {
    if mt.pos >= N {
        mt.pos = 0;
    }
    let mut i = MEXP - 1;
    while i > 0 && !coef(i) {
        i -= 1;
    }
    if i == 0 {
        // Degenerate polynomials (not NumPy's): constant 1 keeps the state, 0 zeroes it.
        if !coef(0) {
            mt.key = [0; N];
            mt.pos = 0;
        }
        return;
    }
    let mut temp = mt.clone();
    gen_next(&mut temp);
    i -= 1;
    while i > 0 {
        if coef(i) {
            add_state(&mut temp, mt);
        }
        gen_next(&mut temp);
        i -= 1;
    }
    if coef(0) {
        add_state(&mut temp, mt);
    }
    *mt = temp;
}

/// `poly_coef` from `mt19937-jump.h`: the 2^128-step jump polynomial, 32 coefficients per
/// word, least-significant coefficient first.
#[rustfmt::skip]
pub const POLY_COEF: [u32; 624] = [
    0x72de3963, 0xb5709ec4, 0x88279bb6, 0xa823f8e5, 0x26d83e59, 0x041f2259,
    0xe7fdbb15, 0x8b521777, 0x48b5e756, 0xbf2812d5, 0xe4b0adb9, 0x0b4849aa,
    0x3e928b83, 0xe96d39ce, 0xaf6131d3, 0x09eaf2e8, 0x33548456, 0xc1814c7b,
    0x893a7c83, 0xfebd07bc, 0x01bd8267, 0x5147dcbf, 0xe2a67de6, 0x9afef574,
    0xb8334d09, 0xf0d3deca, 0x5561fd58, 0xd884703b, 0xef5c803b, 0xb39b8f42,
    0x20dfb761, 0xd61cfed3, 0xcf5f3e5b, 0x47416177, 0x8e8442e9, 0x8ea9cfab,
    0x585d0ec0, 0x60ddf78d, 0x2c9b8528, 0xf0f7d60e, 0xb2bb3bfc, 0xca3ee37d,
    0x81c9e659, 0x870ed969, 0x9573a0de, 0xce524851, 0x77683b94, 0x73cda5ed,
    0x56bcfcbc, 0xf43b956c, 0x1f91de14, 0xbf04b400, 0x9438c481, 0x1d859831,
    0xca6ae0a2, 0x9d97aed5, 0x9e464218, 0xe75c9519, 0x253c5486, 0xcd43455c,
    0x73b5ccd8, 0x7f8282d4, 0xc8cacd44, 0x192ddf99, 0xd6be8546, 0x5288b589,
    0xb4f26ca7, 0x9819557f, 0x200570eb, 0x03e73d28, 0x264acc04, 0x78a114c9,
    0x95f0fb7b, 0x42eee897, 0xabcc80c2, 0x67e751e8, 0x1330cc85, 0x140e87ef,
    0x913b9a96, 0xd3f8525e, 0x3ee3d205, 0x1ba1158f, 0x2c4cdb89, 0x1f6aa87d,
    0x9b5e9a3a, 0x878b3223, 0xa498c3ed, 0xa48c7778, 0x974ac066, 0x1d08f055,
    0xc8a08242, 0xd6de80e9, 0xa1cf0b40, 0x2892ce4c, 0x842731c7, 0x604168ae,
    0xdd23ee6d, 0xbecff8b2, 0xdfac7287, 0xa4369751, 0xba8bc89d, 0x4a5840d9,
    0xa7a58582, 0xf53bdbed, 0xcfba4997, 0xa4149d1c, 0xd5c66fc3, 0xf2c72905,
    0xce68ad39, 0xae4d8e96, 0xf213a9b5, 0xc588f396, 0x9d6116bb, 0x2c618d4e,
    0xb34420d1, 0xebfb61f3, 0x3b702ed7, 0xcbdca6f2, 0x7cb78166, 0xbe283395,
    0x03a2436a, 0x20c0d096, 0xe190aa6f, 0xbf49b815, 0x49d78dc3, 0x9b45b903,
    0x0aa4c4c8, 0x67eb90e3, 0xf32b13f0, 0x7f5ceab1, 0xccc48294, 0x641eaedb,
    0x6d6aafb6, 0x80b55358, 0x72b55832, 0xf1fa779a, 0x3b60af74, 0x8992aefd,
    0x4fa609f2, 0x28359472, 0x61e7aaf1, 0x527dc1a9, 0x834e8087, 0xbcad693f,
    0xc9ca3bf6, 0x95171796, 0x9f41164a, 0xb7d36775, 0xcf20cf3b, 0x5c77677b,
    0xf4765b01, 0x47dfd69f, 0xd90d6e15, 0xd708247f, 0x5fe95113, 0xad799628,
    0xc627f9f2, 0xfcfb0ce2, 0x0f2441ce, 0x4b003380, 0x72161100, 0x50fa780b,
    0x1f72b11a, 0xb71ca8b7, 0xffab42fd, 0x5475bace, 0x91c28b39, 0x356eef78,
    0x1441c9c3, 0xdc80086d, 0x96c47491, 0xb5c30ec9, 0xa254e42d, 0xa9321add,
    0x963a3612, 0xc30bee5b, 0x635c75c7, 0xdf141323, 0x38308f58, 0x8926e38f,
    0x71b69592, 0x897754d8, 0x3cddde5e, 0x5bc06174, 0xad520904, 0xbebb80a7,
    0x5cc284d4, 0xd91d5d33, 0x8c6ba748, 0x11090e41, 0x33bb9929, 0x462cffbc,
    0xc42a508e, 0xefc68605, 0x602a3a14, 0x230e6cd9, 0x26c6f9f4, 0x49b8eb31,
    0x51bd358f, 0x7c49e7a4, 0x47b592cb, 0x1910bb39, 0x3ced6a5b, 0xad0ca518,
    0x93461dcb, 0xd98ca579, 0x9526948e, 0xecc5cb65, 0xfd1a431b, 0x0bddc87d,
    0x5d694024, 0x7d9820ac, 0xffeb5538, 0x716c1ae1, 0x13cffb2f, 0x04f8ed86,
    0xd777f039, 0x1b32eb97, 0x87c1a95f, 0x893da4ee, 0xc235f16c, 0x965118d4,
    0xe87994ba, 0xf99023e2, 0xbb8c4545, 0x891268a5, 0xe7cf46b4, 0x4d163861,
    0x0b2c5681, 0xca688c0e, 0x36702e5f, 0xb86346b5, 0x55e311bb, 0x72a60137,
    0x142fdc5c, 0x47d10e13, 0xa34ce0cb, 0xac088c30, 0x8f9503fe, 0x4d79a2e8,
    0x937670c7, 0x02b4c095, 0x20f8f5e0, 0x080533c0, 0x81fe8f32, 0xab1d0c25,
    0x048f776d, 0xb601bb28, 0x96004a47, 0xf8b8e16e, 0x6862af7b, 0x4a9fa042,
    0xb0b6f662, 0x54384ad4, 0xa350c0ee, 0x81670a57, 0x26061dc1, 0x3a2c2820,
    0xb575f899, 0xb9749667, 0x738dfc2a, 0xaa853838, 0x00ccc442, 0xa53a92a4,
    0xcfaf5a3e, 0xbdc8cfa2, 0x09884265, 0x529fee9d, 0xa4d7f84f, 0x966c709e,
    0x4c80bc42, 0xd14265d4, 0xf5ebe7f3, 0xb23c2aed, 0x804523f1, 0xb7d47c42,
    0xa7cb0aa9, 0x73370568, 0x06d90ac5, 0x66158a1e, 0x9805c7ad, 0xc4a3898c,
    0x7890adde, 0x7fc53690, 0x85c39b20, 0xc5427e08, 0xc0c864f8, 0x2fba05ed,
    0xc365017a, 0x210ad2bf, 0x8ffb95ea, 0x609ca003, 0x8e6c4f72, 0x84e663c4,
    0x3c110562, 0x753c1ca8, 0x8700b723, 0x48642afc, 0x14ac952c, 0xcef1123e,
    0xed84973c, 0xf075b8b8, 0x0ceac5c9, 0xf00a255a, 0xdfcd487c, 0x7e77e0da,
    0x8be5750c, 0x0071cb97, 0x560827fe, 0x28c4386f, 0xaf4049f0, 0xbf6b3ad6,
    0xa911aadd, 0x2e3006d1, 0x5eb5bb74, 0x2e8489f9, 0xc36fb83d, 0x84278164,
    0x82302b47, 0x61e0e6be, 0x0422260e, 0x11b59c56, 0xe4f20c9c, 0x9cd5ecaa,
    0xf866e2da, 0x9bc72523, 0x52c41667, 0x816f533c, 0x47a3235e, 0xa0dbff9e,
    0x0c62a756, 0xea9ca5a3, 0xde0761a6, 0xc51267e9, 0x3eed2af6, 0xf28b8866,
    0x695ed01f, 0xfd769663, 0x9065af4e, 0xbc47fcdf, 0xdfca6259, 0x424e389c,
    0x166c2c1b, 0xbb03335e, 0x2a73a1a1, 0xc4be33dd, 0xe690d058, 0x45746bc2,
    0x94b43407, 0x07d38d7f, 0x60854fb3, 0x74b851e4, 0xdb3d2ac2, 0xd99df507,
    0x86d3323b, 0x5d6c254c, 0x82bfac22, 0xb4dd3032, 0xb27e023b, 0xb7261a5f,
    0x34fe8179, 0x40f361bf, 0x6c9e7858, 0xe716500e, 0x65873b06, 0x35c6ee0b,
    0xfb2864e7, 0xe4c5d4fc, 0x281901c6, 0x858ee284, 0xe5fca3cd, 0x44803a65,
    0xf850f7f6, 0xf9f41e41, 0x65eb5539, 0x87cbf3c9, 0xbe2f8074, 0xae056412,
    0x3c5cb955, 0xd8fe916f, 0xaec289df, 0xd18ccb5e, 0x0eef81bf, 0x446157f2,
    0x4690364a, 0xde982175, 0xc1597ea0, 0xd094591b, 0xb1ed3e17, 0x79676e7a,
    0xc495ebc1, 0xa283bdf6, 0x648c3570, 0x6a06b25c, 0x398b0580, 0x0deb138c,
    0xe51108ed, 0x4e3d096a, 0x1dda7416, 0xafde012b, 0x722f0317, 0xcb001892,
    0x23875cf7, 0x82d756d2, 0xc99114de, 0x2091ce44, 0xd24757b4, 0x8a944ef9,
    0x8594145a, 0xedf8f12b, 0x998c4aff, 0xf30c0ce9, 0x9ce601a0, 0xba657a58,
    0x36a851dd, 0x94e6ec8d, 0xed46b938, 0x86ada470, 0x409b507d, 0x46c714b9,
    0x05c862a8, 0xb628043e, 0x7ac4a188, 0x8d763a8c, 0x0adc18b6, 0x7f5ba797,
    0x69073599, 0x5db4bc6b, 0x444d59d3, 0x3d087e22, 0xe9c04e89, 0x61466f51,
    0x548aa4e6, 0x151fd405, 0x91555389, 0x60905661, 0x5e8d5619, 0x3e3c8561,
    0x39c6b81c, 0x2491156c, 0xfc2fd4a6, 0x17b4d42c, 0x82c9bcf9, 0x2bd704cf,
    0x7b2568ec, 0x05403240, 0x5d2268d9, 0x7e037b6b, 0xd86bec7a, 0x231f10e7,
    0xba016830, 0x964f8501, 0xa3b7321f, 0x9873c321, 0x350ac2dd, 0xa5a250e1,
    0x26578385, 0xc738d247, 0x012541ca, 0xcd33873c, 0xc5907f19, 0xd0cdc82c,
    0x5c2b540a, 0x5656cca4, 0x1f887dd1, 0xa3d987b8, 0x83e7fe48, 0x06a28478,
    0x945682db, 0x465f2df8, 0x9b494ce1, 0xfac8ffbc, 0x598f39cd, 0xb12ac825,
    0xfa99231b, 0x3e5c217e, 0x3b2d8ba2, 0xe550fdba, 0x8e510006, 0x846a6733,
    0x3e573194, 0xee48a926, 0x5ccd36bd, 0x41c394c8, 0x10a79620, 0xa19b67f2,
    0x8b3fd2a6, 0x8a285c06, 0x3a1797d9, 0x3637050a, 0x63dfca07, 0x7295647e,
    0x7a7b3bba, 0xbe8e7601, 0xea660549, 0x3c1e511a, 0xc7a1931a, 0x06c40c25,
    0x3796cf70, 0x7d188664, 0xccd9fa38, 0xb9f70031, 0x601e2c75, 0x87fe9735,
    0xf8cd68b0, 0xef645dd6, 0x7d05b323, 0x535d7138, 0x5c02f47f, 0x90327a26,
    0x63ecd3b2, 0xabd5ea25, 0x01624325, 0x302c1641, 0xdbfbeb93, 0x1cdfa6bc,
    0x866519a2, 0xb15987ed, 0x113296f1, 0x0c31ec84, 0x232a35b2, 0xb4132090,
    0x92d0c3c5, 0x535172e3, 0x095ffccb, 0xfc24a0a9, 0x932c038e, 0x2546326e,
    0xccc15e47, 0x1bbafc54, 0x3cf2a838, 0xa8486630, 0x1057e025, 0x8405b4ae,
    0xda36738d, 0x1eec4c73, 0x88b30f90, 0x4f9ff104, 0x85eea780, 0x6eab7da8,
    0x40d9fdbe, 0x6fe9593d, 0x3c850d3c, 0x65606c0c, 0xb078a231, 0x70308a34,
    0x635af9bd, 0x6d9a7cbe, 0xed73ee32, 0x63660519, 0x1701dd8d, 0x0e62955f,
    0x180db0e9, 0x9cb66a13, 0xd3c2cd3e, 0x78fb88aa, 0x85fdbe48, 0xa2859c52,
    0x9579f8f8, 0x902ffd41, 0x4b7c6a7b, 0x1f5e048a, 0x8e262d89, 0x706d2495,
    0xebbbd878, 0x816d7f42, 0x88cdfbf1, 0x3e6cc58a, 0x754a64ab, 0xaa7dfafd,
    0xe98d0a02, 0xb63cd2f7, 0x38c8c85c, 0x72c5b57f, 0xb97f2b0a, 0xe479da34,
    0x553e33f7, 0x7c86232a, 0xb35cc8f8, 0xedc6266d, 0xca67e7fe, 0x14b7f688,
    0x072d997b, 0xb3d3d66f, 0x528c6a42, 0x121005b9, 0x0df2b622, 0x87d31f39,
    0x12ce5fd4, 0xedaedb37, 0x49dec2f4, 0x8e53ff25, 0xe79e435a, 0x764041aa,
    0x29a3ee70, 0xb359bd5e, 0x5aa2b047, 0x303acd04, 0xb82a2d07, 0x165795c2,
    0xa64ab733, 0x950faac1, 0xdfa2861f, 0xff195e03, 0x8cd6e865, 0x5eb360ec,
    0x639cb063, 0x19e1a74d, 0x7ec12528, 0x775c20d6, 0xa44c4ddf, 0x08722d7f,
    0xb0c92d32, 0x83d145bc, 0x3b2207e8, 0x73da60e4, 0xa13d0929, 0x962813b9,
    0x738f420b, 0xeb6572d6, 0x151a52ca, 0x80a4a0ef, 0x23eee457, 0x00000000,
];

// ---------------------------------------------------------------------------------------------
// Arbitrary jump-ahead: GF(2) polynomial arithmetic modulo the characteristic polynomial.

/// 64-bit words of a polynomial of degree `<= MEXP` (bit `i` of the vector = coefficient of
/// `x^i`; `312 * 64 = 19968 > 19937`).
const WORDS: usize = MEXP.div_ceil(64);

/// Bit offset of `x^MEXP` inside its word (`19937 = 311 * 64 + 33`).
const TOP_SHIFT: usize = MEXP % 64;

/// NumPy's jump polynomial has degree 19933, so each `mt19937_jump_state` moves `pos` by
/// `19933 mod 624 = 589` (its Horner loop calls `gen_next` once per degree).
const NUMPY_JUMP_DEGREE: usize = 19933;

/// Number of whole-array twists below which [`jump_ahead`] simply twists.
const TWIST_DIRECTLY_BELOW: u64 = 64;

/// A polynomial over GF(2) of degree `<= MEXP`.
type Poly = [u64; WORDS];

/// The characteristic polynomial and the reduction tables, built once.
struct Gf2Field {
    /// `phi`, the characteristic polynomial of the MT19937 recurrence (degree `MEXP`).
    phi: Poly,
    /// `phi - x^MEXP`, i.e. `x^MEXP mod phi`.
    low: Poly,
    /// `tables[(j * 256 + b) * WORDS ..][..WORDS]` = `sum over bits t of b of
    /// x^(MEXP + 8 j + t) mod phi`, for reducing 64 bits above `x^MEXP` at a time.
    tables: Vec<u64>,
}

fn field() -> &'static Gf2Field {
    static FIELD: OnceLock<Gf2Field> = OnceLock::new();
    FIELD.get_or_init(Gf2Field::new)
}

#[inline]
fn bit(v: &[u64], i: usize) -> bool {
    (v[i >> 6] >> (i & 63)) & 1 != 0
}

/// Berlekamp–Massey over GF(2): the connection polynomial `C` (`C_0 = 1`,
/// `a_j = sum_{i=1..L} C_i a_{j-i}`) and the linear complexity `L` of the `n` bits `a`
/// (bit `j` of the packed vector `a` is `a_j`).
fn berlekamp_massey(a: &[u64], n: usize) -> (Vec<u64>, usize) {
    let words = n / 64 + 4;
    // Reversed sequence r_k = a_{n-1-k}, so that sum_i C_i a_{t-i} is a dot product of C with
    // r read from bit offset n-1-t.
    let mut r = vec![0u64; words + 2];
    for k in 0..n {
        if bit(a, n - 1 - k) {
            r[k >> 6] |= 1 << (k & 63);
        }
    }
    let mut c = vec![0u64; words];
    let mut b = vec![0u64; words];
    c[0] = 1;
    b[0] = 1;
    let (mut l, mut lb, mut m) = (0usize, 0usize, 1usize);
    for t in 0..n {
        let o = n - 1 - t;
        let (w0, sh) = (o >> 6, o & 63);
        let mut acc = 0u64;
        for (j, &cj) in c.iter().enumerate().take(l / 64 + 1) {
            let rw = if sh == 0 {
                r[w0 + j]
            } else {
                (r[w0 + j] >> sh) | (r[w0 + j + 1] << (64 - sh))
            };
            acc ^= cj & rw;
        }
        if acc.count_ones() & 1 == 0 {
            m += 1;
            continue;
        }
        let prev = (2 * l <= t).then(|| c.clone());
        let (ws, bs) = (m >> 6, m & 63);
        for i in 0..=lb / 64 {
            c[i + ws] ^= b[i] << bs;
            if bs != 0 {
                c[i + ws + 1] ^= b[i] >> (64 - bs);
            }
        }
        match prev {
            Some(p) => {
                lb = l;
                l = t + 1 - l;
                b = p;
                m = 1;
            }
            None => m += 1,
        }
    }
    (c, l)
}

impl Gf2Field {
    fn new() -> Self {
        // One state bit (bit 0 of each word) along 2 * MEXP + 64 steps of the recurrence,
        // starting after one twist so that the 31 dropped bits of the first word play no part.
        let mut mt = Mt19937::init_genrand(5489);
        let n = 2 * MEXP + 64;
        let mut a = vec![0u64; n.div_ceil(64)];
        let mut j = 0;
        while j < n {
            mt.twist();
            for &w in mt.key.iter() {
                if j < n && w & 1 != 0 {
                    a[j >> 6] |= 1 << (j & 63);
                }
                j += 1;
            }
        }
        let (c, l) = berlekamp_massey(&a, n);
        debug_assert_eq!(l, MEXP, "MT19937 has linear complexity 19937");
        // phi(x) = x^L C(1/x): coefficient of x^k is C_{L-k}.
        let mut phi = [0u64; WORDS];
        for k in 0..=l.min(MEXP) {
            if bit(&c, l - k) {
                phi[k >> 6] |= 1 << (k & 63);
            }
        }
        let mut low = phi;
        low[MEXP >> 6] &= !(1u64 << TOP_SHIFT);
        // x^(MEXP + i) mod phi for i in 0..64.
        let mut powers = Vec::with_capacity(64);
        let mut cur = low;
        for _ in 0..64 {
            powers.push(cur);
            cur = mul_x(&cur, &low);
        }
        let mut tables = vec![0u64; 8 * 256 * WORDS];
        for j in 0..8 {
            for b in 1..256usize {
                let t = b.trailing_zeros() as usize;
                let rest = b & (b - 1);
                let (dst, src) = ((j * 256 + b) * WORDS, (j * 256 + rest) * WORDS);
                for w in 0..WORDS {
                    tables[dst + w] = tables[src + w] ^ powers[8 * j + t][w];
                }
            }
        }
        Gf2Field { phi, low, tables }
    }

    /// Reduces `a` (degree `< 2 * MEXP`, `2 * WORDS` words) modulo `phi`.
    fn reduce(&self, a: &mut [u64]) -> Poly {
        let top_word = MEXP >> 6;
        for k in (0..a.len() - top_word - 1).rev() {
            // The 64 coefficients of x^(MEXP + 64 k) .. x^(MEXP + 64 k + 63).
            let w = top_word + k;
            let chunk = (a[w] >> TOP_SHIFT) | (a[w + 1] << (64 - TOP_SHIFT));
            if chunk == 0 {
                continue;
            }
            a[w] &= (1u64 << TOP_SHIFT) - 1;
            a[w + 1] &= !((1u64 << TOP_SHIFT) - 1);
            for j in 0..8 {
                let b = ((chunk >> (8 * j)) & 0xff) as usize;
                if b != 0 {
                    let row = &self.tables[(j * 256 + b) * WORDS..][..WORDS];
                    for (x, y) in a[k..k + WORDS].iter_mut().zip(row) {
                        *x ^= y;
                    }
                }
            }
        }
        let mut out = [0u64; WORDS];
        out.copy_from_slice(&a[..WORDS]);
        out
    }

    /// `p^2 mod phi` (squaring over GF(2) spreads the bits).
    fn square(&self, p: &Poly) -> Poly {
        let mut a = vec![0u64; 2 * WORDS];
        for (i, &w) in p.iter().enumerate() {
            a[2 * i] = spread(w as u32);
            a[2 * i + 1] = spread((w >> 32) as u32);
        }
        self.reduce(&mut a)
    }

    /// `x^e mod phi`.
    fn x_pow(&self, e: &BigUint) -> Poly {
        let mut r = [0u64; WORDS];
        r[0] = 1;
        for i in (0..e.bits()).rev() {
            r = self.square(&r);
            if e.bit(i) {
                r = mul_x(&r, &self.low);
            }
        }
        r
    }

    /// `x^e mod phi`, then plus `phi` if needed so that the constant term is `constant`.
    /// The result `P` satisfies `P(T) = T^e` on the 19937-dimensional part of the state and
    /// `P(T) = constant` on the 31 discarded low bits of the first word (the kernel of `T`).
    fn x_pow_with_constant(&self, e: &BigUint, constant: bool) -> Poly {
        let mut p = self.x_pow(e);
        if (p[0] & 1 != 0) != constant {
            for (x, y) in p.iter_mut().zip(&self.phi) {
                *x ^= y;
            }
        }
        p
    }
}

/// `x * p mod phi` for `p` of degree `< MEXP`, given `low = x^MEXP mod phi`.
fn mul_x(p: &Poly, low: &Poly) -> Poly {
    let mut out = [0u64; WORDS];
    let mut carry = 0u64;
    for (o, &w) in out.iter_mut().zip(p) {
        *o = (w << 1) | carry;
        carry = w >> 63;
    }
    let top = MEXP >> 6;
    if (out[top] >> TOP_SHIFT) & 1 != 0 {
        out[top] &= !(1u64 << TOP_SHIFT);
        for (x, y) in out.iter_mut().zip(low) {
            *x ^= y;
        }
    }
    out
}

/// Interleaves the 32 bits of `x` with zeros (bit `i` goes to bit `2 i`).
#[inline]
fn spread(x: u32) -> u64 {
    let mut v = x as u64;
    v = (v | (v << 16)) & 0x0000_ffff_0000_ffff;
    v = (v | (v << 8)) & 0x00ff_00ff_00ff_00ff;
    v = (v | (v << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    v = (v | (v << 2)) & 0x3333_3333_3333_3333;
    (v | (v << 1)) & 0x5555_5555_5555_5555
}

/// Evaluates `p(T)` on a window of the incremental generator: `window[i] = w_i`, where `T`
/// shifts the window by one word (`gen_next`). Returns `sum_i p_i (w_i, ..., w_{i+623})`.
fn apply_poly(window: &[u32; N], p: &Poly) -> [u32; N] {
    let deg = (0..=MEXP).rev().find(|&i| bit(p, i)).unwrap_or(0);
    let mut seq = Vec::with_capacity(deg + N + 1);
    seq.extend_from_slice(window);
    for k in 0..=deg {
        let y = (seq[k] & 0x8000_0000) | (seq[k + 1] & 0x7fff_ffff);
        let mag = if y & 1 == 1 { 0x9908_b0df } else { 0 };
        seq.push(seq[k + M] ^ (y >> 1) ^ mag);
    }
    let mut out = [0u32; N];
    for i in (0..=deg).filter(|&i| bit(p, i)) {
        for (o, s) in out.iter_mut().zip(&seq[i..i + N]) {
            *o ^= s;
        }
    }
    out
}

/// Advances `mt` by exactly `n` outputs: the result (key and `pos`) is the state that `n` calls
/// of [`Mt19937::next_u32`] leave, for any `n` (e.g. up to 2^200 and beyond), without generating
/// them. Whole blocks of 624 words are skipped with `x^(624 b) mod phi` (see the module docs);
/// the final `pos` is `pos + n` reduced into `1..=624` like the stepping code leaves it.
///
/// This is the mathematically exact advance, which NumPy's `MT19937.jumped()` is not: use
/// [`jump_numpy`] to reproduce NumPy.
pub fn jump_ahead(mt: &mut Mt19937, n: &BigUint) {
    jump_ahead_with(mt, n, TWIST_DIRECTLY_BELOW);
}

/// [`jump_ahead`] for a machine-sized `n`.
pub fn jump_ahead_u64(mt: &mut Mt19937, n: u64) {
    jump_ahead(mt, &BigUint::from(n));
}

fn jump_ahead_with(mt: &mut Mt19937, n: &BigUint, twist_below: u64) {
    if n.is_zero() {
        return;
    }
    let consumed = BigUint::from(mt.pos.min(N)) + n;
    let blocks: BigUint = (&consumed - 1u32) / N as u32;
    let pos = (&consumed - &blocks * N as u32).to_usize().unwrap_or(N);
    match blocks.to_u64() {
        Some(b) if b < twist_below => {
            for _ in 0..b {
                mt.twist();
            }
        }
        _ => {
            let p = field().x_pow_with_constant(&(&blocks * N as u32), false);
            mt.key = apply_poly(&mt.key, &p);
        }
    }
    mt.pos = pos;
}

/// NumPy's `MT19937.jumped(jumps)` (`_mt19937.pyx: jump_inplace`, which calls
/// `mt19937_jump_state` `jumps` times) for any number of jumps at the cost of one: `pos == 624`
/// becomes `0`, the key read circularly from `pos` is replaced by the window `jumps * 2^128`
/// steps further (with NumPy's treatment of the dropped low bits of the first word), stored
/// circularly from `pos + 19933 * jumps (mod 624)`. `jumps == 0` leaves the state unchanged.
pub fn jump_numpy(mt: &mut Mt19937, jumps: &BigUint) {
    if jumps.is_zero() {
        return;
    }
    let start = if mt.pos >= N { 0 } else { mt.pos };
    let mut window = [0u32; N];
    for (i, w) in window.iter_mut().enumerate() {
        *w = mt.key[(start + i) % N];
    }
    // NumPy's polynomial is x^(2^128) mod phi with constant term 1, so `jumps` applications
    // act as x^(jumps 2^128) on the 19937-dimensional part and as 1 on the kernel of T.
    let p = field().x_pow_with_constant(&(jumps << 128u32), true);
    let out = apply_poly(&window, &p);
    let shift = (jumps % N as u32).to_usize().unwrap_or(0) * NUMPY_JUMP_DEGREE;
    let end = (start + shift) % N;
    for (i, w) in out.iter().enumerate() {
        mt.key[(end + i) % N] = *w;
    }
    mt.pos = end;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(mt: &mut Mt19937, n: u64) {
        for _ in 0..n {
            mt.next_u32();
        }
    }

    fn states() -> Vec<Mt19937> {
        let mut v = vec![
            Mt19937::init_genrand(0),
            Mt19937::init_genrand(12345),
            Mt19937::init_by_array(&[1, 2, 3]),
        ];
        let mut m = Mt19937::init_genrand(7);
        steps(&mut m, 5);
        v.push(m.clone());
        steps(&mut m, 619);
        v.push(m.clone()); // pos 624 after a twist
        steps(&mut m, 1);
        v.push(m.clone()); // pos 1
        let mut z = Mt19937::init_genrand(99);
        z.twist(); // pos 0
        v.push(z);
        v
    }

    #[test]
    fn characteristic_polynomial_gives_numpy_jump_polynomial() {
        let f = field();
        assert!(bit(&f.phi, MEXP) && bit(&f.phi, 0));
        let j = f.x_pow(&(BigUint::from(1u32) << 128u32));
        for i in 0..N {
            let w = ((j[i / 2] >> (32 * (i % 2))) & 0xffff_ffff) as u32;
            assert_eq!(w, POLY_COEF[i], "word {i}");
        }
    }

    #[test]
    fn small_powers_are_monomials() {
        let f = field();
        for e in [0u32, 1, 63, 64, 1000, MEXP as u32 - 1] {
            let p = f.x_pow(&BigUint::from(e));
            for i in 0..MEXP {
                assert_eq!(bit(&p, i), i == e as usize);
            }
        }
        // x^MEXP = phi - x^MEXP.
        assert_eq!(f.x_pow(&BigUint::from(MEXP)), f.low);
    }

    #[test]
    fn jump_ahead_equals_stepping() {
        let mut lcg = 0x1234_5678_9abc_def0u64;
        let mut ns = vec![0u64, 1, 2, 623, 624, 625, 1247, 1248, 1249, 100_003];
        for _ in 0..4 {
            lcg = lcg
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ns.push((lcg >> 44) + 1);
        }
        for s in states() {
            for &n in &ns {
                let mut a = s.clone();
                steps(&mut a, n);
                // Both the direct-twist path and the polynomial path.
                for below in [0u64, TWIST_DIRECTLY_BELOW] {
                    let mut b = s.clone();
                    jump_ahead_with(&mut b, &BigUint::from(n), below);
                    assert_eq!(a, b, "n = {n}, pos = {}, below = {below}", s.pos);
                }
            }
        }
    }

    #[test]
    fn jump_ahead_composes() {
        let big = (BigUint::from(1u32) << 200u32) + 12345u32;
        let s = Mt19937::init_genrand(42);
        let mut a = s.clone();
        jump_ahead(&mut a, &big);
        jump_ahead_u64(&mut a, 1000);
        let mut b = s.clone();
        jump_ahead_u64(&mut b, 1000);
        jump_ahead(&mut b, &big);
        assert_eq!(a, b);
        let mut c = s;
        jump_ahead(&mut c, &(big + 1000u32));
        assert_eq!(a, c);
        // And stepping after a jump agrees with jumping further.
        let mut d = a.clone();
        steps(&mut d, 700);
        jump_ahead_u64(&mut a, 700);
        assert_eq!(a, d);
    }

    #[test]
    fn jump_numpy_equals_repeated_jump_state() {
        for s in states() {
            let mut a = s.clone();
            for k in 1..=3u32 {
                jump_state(&mut a);
                let mut b = s.clone();
                jump_numpy(&mut b, &BigUint::from(k));
                assert_eq!(a, b, "jumps = {k}, pos = {}", s.pos);
            }
            let mut c = s.clone();
            jump_numpy(&mut c, &BigUint::zero());
            assert_eq!(c, s);
        }
    }

    #[test]
    fn numpy_jump_is_the_true_advance_only_for_35_outputs() {
        let mut s = Mt19937::init_genrand(2024);
        s.twist();
        let mut t = s.clone();
        jump_ahead(&mut t, &(BigUint::from(1u32) << 128u32));
        let mut np = s;
        jump_state(&mut np);
        assert_eq!(np.pos, 589);
        let a: Vec<u32> = (0..40).map(|_| t.next_u32()).collect();
        let b: Vec<u32> = (0..40).map(|_| np.next_u32()).collect();
        assert_eq!(a[..35], b[..35]);
        assert_ne!(a[35], b[35]);
    }
}
