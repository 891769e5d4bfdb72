//! Small, fast, reproducible generators.
//!
//! Every read owns streams derived from `(seed, read index)`, so the samples a
//! seed gives do not depend on how reads are spread over threads, SIMD lanes
//! or calls (a read offset names the same read in any call).

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

/// The two multipliers of `mix32`.
pub const MIX32_MULTIPLIERS: [u32; 2] = [0x7feb_352d, 0x846c_a68b];

/// A 32-bit mixer with strong avalanche (Wellons' "lowbias32"); a bijection.
#[inline(always)]
pub fn mix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(MIX32_MULTIPLIERS[0]);
    x ^= x >> 15;
    x = x.wrapping_mul(MIX32_MULTIPLIERS[1]);
    x ^= x >> 16;
    x
}

/// The per-spin input of the uniform hash: distinct spins get distinct salts.
#[inline]
pub fn spin_salt(i: u32) -> u32 {
    mix32(i.wrapping_add(0x9E37_79B9))
}

/// The random numbers of one read, counter-based: the uniform of spin i
/// in sweep t is a pure function of (seed, read, t, i). So a read's samples do
/// not depend on which other reads share its SIMD lanes or thread, on the read
/// count of the call, nor on whether its uniforms were needed by a
/// neighbouring lane: skipping a draw never shifts a later one.
#[derive(Clone, Copy, Debug)]
pub struct ReadKeys {
    base: u64,
}

impl ReadKeys {
    pub fn new(seed: u64, read: u64) -> Self {
        // A separate stream family from the scalar generator of the same read.
        ReadKeys {
            base: stream_key(seed, read) ^ 0xA076_1D64_78BD_642F,
        }
    }

    /// The key of sweep `t`.
    #[inline]
    pub fn sweep(&self, t: u64) -> u32 {
        let mut x = self
            .base
            .wrapping_add(t.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        (splitmix64(&mut x) >> 32) as u32
    }
}

/// 1 / 2^24.
pub const UNIT24: f32 = 1.0 / 16_777_216.0;

/// A uniform on the open interval (0, 1) from the 23 high bits k of a hash:
/// (2k + 1) / 2^24, exact in f32, symmetric around 1/2, never 0 or 1.
/// Returns (u, 1 - u), both exact.
#[inline(always)]
pub fn open_uniform(h: u32) -> (f32, f32) {
    let odd = ((h >> 9) << 1 | 1) as f32;
    (odd * UNIT24, (16_777_216.0 - odd) * UNIT24)
}

/// The uniform that decides spin `salt`'s flip in the sweep with `key`.
#[inline(always)]
pub fn flip_uniform(key: u32, salt: u32) -> f32 {
    open_uniform(mix32(key ^ salt)).0
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
    fn uniforms_stay_strictly_inside_the_unit_interval() {
        for h in [0u32, 1, 511, 512, 1 << 31, u32::MAX - 511, u32::MAX] {
            let (u, v) = open_uniform(h);
            assert!(
                u > 0.0 && u < 1.0 && v > 0.0 && v < 1.0 && u + v == 1.0,
                "{h}: {u} {v}"
            );
        }
        assert_eq!(open_uniform(0).0, 1.0 / 16_777_216.0);
    }

    #[test]
    fn salts_are_distinct_and_keys_depend_on_everything() {
        let mut salts: Vec<u32> = (0..100_000).map(spin_salt).collect();
        salts.sort_unstable();
        salts.dedup();
        assert_eq!(salts.len(), 100_000);
        let k = ReadKeys::new(1, 2);
        assert_ne!(k.sweep(0), k.sweep(1));
        assert_ne!(k.sweep(0), ReadKeys::new(1, 3).sweep(0));
        assert_ne!(k.sweep(0), ReadKeys::new(2, 2).sweep(0));
        assert_eq!(k.sweep(5), ReadKeys::new(1, 2).sweep(5));
    }

    /// Uniforms from (key ^ salt) over many keys and spins have the right mean
    /// and variance, and those of neighbouring spins in a sweep are uncorrelated.
    #[test]
    fn hashed_uniforms_have_the_right_moments() {
        let (mut s1, mut s2, mut c, mut count) = (0f64, 0f64, 0f64, 0f64);
        for read in 0..40u64 {
            let keys = ReadKeys::new(9, read);
            for t in 0..50u64 {
                let key = keys.sweep(t);
                let mut prev = 0.5f64;
                for i in 0..100u32 {
                    let u = flip_uniform(key, spin_salt(i)) as f64;
                    s1 += u;
                    s2 += u * u;
                    if i > 0 {
                        c += (u - 0.5) * (prev - 0.5);
                    }
                    prev = u;
                    count += 1.0;
                }
            }
        }
        let mean = s1 / count;
        let var = s2 / count - mean * mean;
        // sd of the mean of 200 000 uniforms is 0.00065: 5 sigma bands.
        assert!((mean - 0.5).abs() < 0.0033, "mean {mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.002, "var {var}");
        assert!(
            (c / count).abs() < 0.0033 / 3.0,
            "lag-1 covariance {}",
            c / count
        );
    }
}
