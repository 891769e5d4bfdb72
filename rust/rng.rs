//! Small, fast, reproducible generators.
//!
//! Every read owns a stream derived from `(seed, read index)`, so the samples a
//! seed gives do not depend on how reads are spread over threads or SIMD lanes.

/// SplitMix64 step: used only to expand seeds into well-mixed generator states.
#[inline]
pub fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit key for stream `index` of `seed`: distinct indices give unrelated streams.
#[inline]
pub fn stream_key(seed: u64, index: u64) -> u64 {
    let mut s = seed ^ 0x6A09_E667_F3BC_C909;
    let a = splitmix64(&mut s);
    let mut t = a ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
    splitmix64(&mut t)
}

/// xoshiro256++: the scalar generator (starts, random site order, exact sampling).
#[derive(Clone, Debug)]
pub struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    pub fn for_stream(seed: u64, index: u64) -> Self {
        let mut k = stream_key(seed, index);
        let mut s = [0u64; 4];
        for w in s.iter_mut() {
            *w = splitmix64(&mut k);
        }
        Xoshiro256 { s }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n) by Lemire's multiply-shift (bias < n / 2^64).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// A random spin, +1 or -1.
    #[inline]
    pub fn spin(&mut self) -> i8 {
        if self.next_u64() >> 63 == 0 {
            1
        } else {
            -1
        }
    }
}

/// xoshiro128+ in `L` independent lanes. Written lane by lane on plain arrays so
/// the compiler turns it into SIMD; the lanes never mix, so lane `l` is a pure
/// function of its own seed.
#[derive(Clone, Debug)]
pub struct LaneRng<const L: usize> {
    s0: [u32; L],
    s1: [u32; L],
    s2: [u32; L],
    s3: [u32; L],
}

// Lane loops index several arrays in step; written this way they vectorise.
#[allow(clippy::needless_range_loop)]
impl<const L: usize> LaneRng<L> {
    /// Lane `l` follows the stream of read `first_read + l`.
    pub fn for_reads(seed: u64, first_read: u64) -> Self {
        let mut r = LaneRng {
            s0: [0; L],
            s1: [0; L],
            s2: [0; L],
            s3: [0; L],
        };
        for l in 0..L {
            // A separate stream family from the scalar generator of the same read.
            let mut k = stream_key(seed, first_read + l as u64) ^ 0xA076_1D64_78BD_642F;
            let a = splitmix64(&mut k);
            let b = splitmix64(&mut k);
            r.s0[l] = a as u32;
            r.s1[l] = (a >> 32) as u32;
            r.s2[l] = b as u32;
            r.s3[l] = ((b >> 32) as u32) | 1; // never the all-zero state
        }
        r
    }

    /// Bounds (min, max) such that every `next_exp1` value v has min <= v < max.
    pub fn exp1_bounds() -> (f32, f32) {
        (-ln_f32(1.0), next_up(-ln_f32(1.0 / 16_777_216.0)))
    }

    /// Bounds (min, max) such that every `next_logistic` value v has min <= v < max.
    pub fn logistic_bounds() -> (f32, f32) {
        // The extreme uniforms next_logistic can produce: (k + 1/2) / 2^24, k in [0, 2^24).
        let lo = 0.5 / 16_777_216.0;
        let hi = 1.0 - lo;
        (ln_f32(lo) - ln_f32(hi), next_up(ln_f32(hi) - ln_f32(lo)))
    }

    /// Exp(1) variates, -ln(u) with u uniform on (0, 1] in 24-bit steps.
    #[inline(always)]
    pub fn next_exp1(&mut self) -> [f32; L] {
        let mut out = [0f32; L];
        for l in 0..L {
            let x = self.s0[l].wrapping_add(self.s3[l]);
            let t = self.s1[l] << 9;
            self.s2[l] ^= self.s0[l];
            self.s3[l] ^= self.s1[l];
            self.s1[l] ^= self.s2[l];
            self.s0[l] ^= self.s3[l];
            self.s2[l] ^= t;
            self.s3[l] = self.s3[l].rotate_left(11);
            // The top 24 bits are the strong ones in xoshiro128+; +1 keeps u > 0.
            let u = ((x >> 8) + 1) as f32 * (1.0 / 16_777_216.0);
            out[l] = -ln_f32(u);
        }
        out
    }

    /// Standard logistic variates ln(u / (1 - u)): the Gibbs (heat-bath) threshold.
    #[inline(always)]
    pub fn next_logistic(&mut self) -> [f32; L] {
        let mut out = [0f32; L];
        for l in 0..L {
            let x = self.s0[l].wrapping_add(self.s3[l]);
            let t = self.s1[l] << 9;
            self.s2[l] ^= self.s0[l];
            self.s3[l] ^= self.s1[l];
            self.s1[l] ^= self.s2[l];
            self.s0[l] ^= self.s3[l];
            self.s2[l] ^= t;
            self.s3[l] = self.s3[l].rotate_left(11);
            // u on the open interval (0, 1), symmetric around 1/2.
            let k = (x >> 8) as f32;
            let u = (k + 0.5) * (1.0 / 16_777_216.0);
            let v = (16_777_215.0 - k + 0.5) * (1.0 / 16_777_216.0);
            out[l] = ln_f32(u) - ln_f32(v);
        }
        out
    }
}

fn next_up(x: f32) -> f32 {
    f32::from_bits(x.to_bits() + 1)
}

/// Natural logarithm for positive normal f32, branch-free so it vectorises.
/// The Cephes `logf` polynomial: about 1 ulp, so acceptance probabilities are
/// not biased by the approximation.
// The constants are Cephes' as published.
#[allow(clippy::excessive_precision)]
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
    let bits = x.to_bits();
    let mut e = ((bits >> 23) & 0xff) as i32 - 126;
    // Mantissa in [0.5, 1).
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000);
    let small = m < SQRT_HALF;
    e -= small as i32;
    m = if small { m + m - 1.0 } else { m - 1.0 };
    let z = m * m;
    let mut y = 7.037_683_6E-2;
    y = y * m - 1.151_461_1E-1;
    y = y * m + 1.167_699_9E-1;
    y = y * m - 1.242_014_1E-1;
    y = y * m + 1.424_932_3E-1;
    y = y * m - 1.666_805_8E-1;
    y = y * m + 2.000_071_5E-1;
    y = y * m - 2.499_999_4E-1;
    y = y * m + 3.333_333_1E-1;
    y = y * m * z;
    let ef = e as f32;
    y += -2.121_944_4E-4 * ef;
    y += -0.5 * z;
    let r = m + y;
    r + 0.693_359_4 * ef
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_std_to_a_few_ulp() {
        let mut worst = 0f64;
        let mut k = 1u32;
        while k <= 1 << 24 {
            let u = k as f32 / 16_777_216.0;
            let got = ln_f32(u) as f64;
            let want = (u as f64).ln();
            let err = (got - want).abs() / want.abs().max(1e-30);
            if want != 0.0 {
                worst = worst.max(err);
            } else {
                assert!(got.abs() < 1e-7);
            }
            k += 7;
        }
        assert!(worst < 5e-7, "worst relative error {worst}");
    }

    #[test]
    fn streams_differ_by_index_and_seed() {
        let a = Xoshiro256::for_stream(1, 0).next_u64();
        let b = Xoshiro256::for_stream(1, 1).next_u64();
        let c = Xoshiro256::for_stream(2, 0).next_u64();
        assert!(a != b && a != c && b != c);
    }

    #[test]
    fn variates_stay_within_their_bounds() {
        let (lo, hi) = LaneRng::<8>::exp1_bounds();
        assert_eq!(lo, 0.0);
        for k in [1u32, 2, 1000, 1 << 23, (1 << 24) - 1, 1 << 24] {
            let v = -ln_f32(k as f32 / 16_777_216.0);
            assert!(lo <= v && v < hi, "{v} not in [{lo}, {hi})");
        }
        let (lo, hi) = LaneRng::<8>::logistic_bounds();
        assert!(lo < -16.0 && hi > 16.0 && (lo + hi).abs() < 1e-5);
        let mut r = LaneRng::<8>::for_reads(3, 0);
        for _ in 0..10_000 {
            assert!(r.next_logistic().iter().all(|&v| lo <= v && v < hi));
        }
    }

    #[test]
    fn exp1_variates_have_unit_mean() {
        let mut r = LaneRng::<8>::for_reads(7, 0);
        let mut sum = 0f64;
        let n = 200_000;
        for _ in 0..n / 8 {
            for v in r.next_exp1() {
                assert!(v >= 0.0);
                sum += v as f64;
            }
        }
        let mean = sum / n as f64;
        // sd of the mean is 1/sqrt(n) ~ 0.0022; allow 5 sigma.
        assert!((mean - 1.0).abs() < 0.012, "mean {mean}");
    }

    #[test]
    fn logistic_variates_are_symmetric_with_known_variance() {
        let mut r = LaneRng::<8>::for_reads(9, 0);
        let (mut s1, mut s2) = (0f64, 0f64);
        let n = 200_000;
        for _ in 0..n / 8 {
            for v in r.next_logistic() {
                s1 += v as f64;
                s2 += (v as f64) * (v as f64);
            }
        }
        let mean = s1 / n as f64;
        let var = s2 / n as f64 - mean * mean;
        let want = std::f64::consts::PI.powi(2) / 3.0;
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - want).abs() < 0.05 * want, "var {var}");
    }
}
