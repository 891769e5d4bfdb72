//! Whether a proposed single-spin flip is taken: x = beta dE against a uniform
//! u on (0, 1).
//!
//! Metropolis takes it with probability min(1, e^-x), Gibbs (heat bath) with
//! 1 / (1 + e^x). Outside a range of x the outcome is the same for every u
//! (the uniforms are multiples of 2^-24 strictly inside (0, 1)), so a caller
//! needs u only when some x lies inside `range`. e^-x is computed by range
//! reduction to 2^f, f in [-1/2, 1/2], and a degree-5 polynomial (relative
//! error about 1e-7; rounding the argument adds up to 1e-6 at the top of the
//! range): far cheaper than the logarithm of u, and
//! only multiplications, additions and bit operations, so every SIMD build
//! gives the same bits.

/// Below `range().0` a flip is always taken, at or above `range().1` never.
#[inline(always)]
pub fn range<const GIBBS: bool>() -> (f32, f32) {
    // e^-17 = 4.1e-8 < 2^-24 = 6.0e-8, the smallest uniform: never taken above.
    if GIBBS {
        (-17.0, 17.0)
    } else {
        (0.0, 17.0)
    }
}

/// 1.5 * 2^23: adding it rounds a float below 2^22 to an integer held in
/// the low mantissa bits.
pub const EXP_NEG_ROUND: f32 = 12_582_912.0;

/// 2^f on [-1/2, 1/2], Chebyshev fit, highest degree first (Horner's order).
pub const EXP_NEG_POLY: [f32; 6] = [
    1.340_043_2e-3,
    9.676_04e-3,
    5.550_327e-2,
    2.402_210_7e-1,
    6.931_472e-1,
    1.000_000_1,
];

/// e^-x for x in [0, 17].
#[inline(always)]
pub fn exp_neg(x: f32) -> f32 {
    let y = x * std::f32::consts::LOG2_E;
    let t = y + EXP_NEG_ROUND;
    let n = t - EXP_NEG_ROUND; // round(y), exactly
    let f = n - y; // in [-1/2, 1/2]: e^-x = 2^f * 2^-n
    let mut p = EXP_NEG_POLY[0];
    for &c in &EXP_NEG_POLY[1..] {
        p = p * f + c;
    }
    let shift = t.to_bits().wrapping_sub(EXP_NEG_ROUND.to_bits()) << 23;
    f32::from_bits(p.to_bits().wrapping_sub(shift))
}

/// Whether the flip is taken, for x inside `range::<GIBBS>()` and u in (0, 1).
#[inline(always)]
pub fn accepts<const GIBBS: bool>(x: f32, u: f32) -> bool {
    if GIBBS {
        // 1 / (1 + e^x) with q = e^-|x|: q / (1 + q) for x >= 0, 1 / (1 + q)
        // below; compared without dividing.
        let q = exp_neg(f32::from_bits(x.to_bits() & 0x7fff_ffff));
        let limit = if x >= 0.0 { q } else { 1.0 };
        u + u * q < limit
    } else {
        u < exp_neg(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::open_uniform;

    #[test]
    fn exp_neg_is_accurate_to_single_precision() {
        let mut worst = 0f64;
        let mut x = 0.0f32;
        while x <= 17.0 {
            let got = exp_neg(x) as f64;
            let want = (-(x as f64)).exp();
            worst = worst.max((got / want - 1.0).abs());
            x += 0.000_731;
        }
        // The polynomial is good to 1e-7; rounding x log2(e) to f32 adds up to
        // 1e-6 near x = 17 (where e^-x < 1e-7 anyway).
        assert!(worst < 2e-6, "worst relative error {worst}");
    }

    /// Over every uniform the hash can give, the fraction that accepts is the
    /// rule's probability (up to the 2^-23 grid of the uniforms).
    #[test]
    fn acceptance_frequencies_are_the_rules() {
        for &x in &[0.0f32, 0.3, 1.0, 4.0, 12.0, 16.9] {
            for gibbs in [false, true] {
                for &sign in &[1.0f32, -1.0] {
                    let x = x * sign;
                    let (lo, hi) = if gibbs {
                        range::<true>()
                    } else {
                        range::<false>()
                    };
                    let mut taken = 0u64;
                    let total = 1u64 << 23;
                    for k in 0..total {
                        let u = open_uniform((k as u32) << 9).0;
                        let t = if x < lo {
                            true
                        } else if x >= hi {
                            false
                        } else if gibbs {
                            accepts::<true>(x, u)
                        } else {
                            accepts::<false>(x, u)
                        };
                        taken += t as u64;
                    }
                    let xf = x as f64;
                    let want = if gibbs {
                        1.0 / (1.0 + xf.exp())
                    } else {
                        (-xf).exp().min(1.0)
                    };
                    let got = taken as f64 / total as f64;
                    assert!(
                        (got - want).abs() < 2.0 / total as f64 + 3e-7 * want,
                        "x {x} gibbs {gibbs}: {got} vs {want}"
                    );
                }
            }
        }
    }
}
