//! The single-precision lane update of `kernel.rs` written with AVX-512
//! intrinsics, for CPUs that have them.
//!
//! Why not leave it to the compiler: LLVM's SLP vectoriser cuts the 16-lane
//! field sum of the generic code into pieces of 4, 2, 2 and 8 lanes and
//! glues them back with shuffles, which made the AVX-512 build barely faster
//! than the AVX2 one. Here every 16-lane step is one instruction.
//!
//! The operations are those of the generic code, one for one and in the same
//! order (multiplies and adds, never fused; the same hash and polynomial), so
//! the samples are the same bits as the baseline and AVX2 builds give
//! (tests/test_engine.py runs all three).

use std::arch::x86_64::*;

use crate::acceptance::{range, EXP_NEG_POLY, EXP_NEG_ROUND};
use crate::kernel::{KernelTables, Lanes, AHEAD, LANES};
use crate::rng::{MIX32_MULTIPLIERS, UNIT24};

/// The uniforms of the 16 lanes for one spin: `flip_uniform(key, salt)` lane by lane.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
fn lane_uniforms(keys: __m512i, salt: u32) -> __m512 {
    let mut x = _mm512_xor_si512(keys, _mm512_set1_epi32(salt as i32));
    x = _mm512_xor_si512(x, _mm512_srli_epi32::<16>(x));
    x = _mm512_mullo_epi32(x, _mm512_set1_epi32(MIX32_MULTIPLIERS[0] as i32));
    x = _mm512_xor_si512(x, _mm512_srli_epi32::<15>(x));
    x = _mm512_mullo_epi32(x, _mm512_set1_epi32(MIX32_MULTIPLIERS[1] as i32));
    x = _mm512_xor_si512(x, _mm512_srli_epi32::<16>(x));
    // open_uniform: (2 (h >> 9) + 1) / 2^24, exact (below 2^24).
    let odd = _mm512_or_si512(
        _mm512_slli_epi32::<1>(_mm512_srli_epi32::<9>(x)),
        _mm512_set1_epi32(1),
    );
    _mm512_mul_ps(_mm512_cvtepi32_ps(odd), _mm512_set1_ps(UNIT24))
}

/// `acceptance::exp_neg` lane by lane.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
fn exp_neg(x: __m512) -> __m512 {
    let round = _mm512_set1_ps(EXP_NEG_ROUND);
    let y = _mm512_mul_ps(x, _mm512_set1_ps(std::f32::consts::LOG2_E));
    let t = _mm512_add_ps(y, round);
    let n = _mm512_sub_ps(t, round);
    let f = _mm512_sub_ps(n, y);
    let mut p = _mm512_set1_ps(EXP_NEG_POLY[0]);
    for &c in &EXP_NEG_POLY[1..] {
        p = _mm512_add_ps(_mm512_mul_ps(p, f), _mm512_set1_ps(c));
    }
    let shift = _mm512_slli_epi32::<23>(_mm512_sub_epi32(
        _mm512_castps_si512(t),
        _mm512_set1_epi32(EXP_NEG_ROUND.to_bits() as i32),
    ));
    _mm512_castsi512_ps(_mm512_sub_epi32(_mm512_castps_si512(p), shift))
}

/// `acceptance::accepts` lane by lane (meaningful where x is inside the range).
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
fn accepts<const GIBBS: bool>(x: __m512, u: __m512) -> __mmask16 {
    if GIBBS {
        let abs = _mm512_castsi512_ps(_mm512_and_si512(
            _mm512_castps_si512(x),
            _mm512_set1_epi32(0x7fff_ffff),
        ));
        let q = exp_neg(abs);
        let non_negative = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(x, _mm512_setzero_ps());
        let limit = _mm512_mask_blend_ps(non_negative, _mm512_set1_ps(1.0), q);
        let lhs = _mm512_add_ps(u, _mm512_mul_ps(u, q));
        _mm512_cmp_ps_mask::<_CMP_LT_OQ>(lhs, limit)
    } else {
        _mm512_cmp_ps_mask::<_CMP_LT_OQ>(u, exp_neg(x))
    }
}

/// What one spin's update computed, lane by lane: the energy change of a
/// flip (d = -2 s field, without beta), the spin before and after, and
/// whether some lane needed its uniform.
struct Step<V> {
    d: V,
    s: V,
    new: V,
    undecided: bool,
}

/// The two copies of every spin a coupled sweep feels (rows `above` and
/// `below`, laid out as the state) and the strength of their pull per lane.
#[derive(Clone, Copy)]
struct Pull<T, V> {
    above: *const Lanes<T>,
    below: *const Lanes<T>,
    strength: V,
}

/// Update spin i in every lane as `kernel::update_lanes_at` does (with
/// `COUPLED`, as `lane_sweep_ext` does); `uniforms` is called only when some
/// lane's outcome depends on its draw.
///
/// # Safety
/// That of `update_lanes_at`: `state` (and with `COUPLED` both copies) holds
/// a row per spin of the tables' model, i is one of its spins, and nobody
/// else touches the rows read and written here meanwhile.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
unsafe fn step_f32<const GIBBS: bool, const COUPLED: bool>(
    m: &KernelTables<'_, f32>,
    i: usize,
    beta: __m512,
    state: *mut Lanes<f32>,
    pull: Pull<f32, __m512>,
    uniforms: impl FnOnce(u32) -> __m512,
) -> Step<__m512> {
    let (lo_x, hi_x) = range::<GIBBS>();
    // SAFETY: the caller's contract; every index in the tables is < n.
    unsafe {
        let (lo, hi) = (
            *m.offsets.get_unchecked(i) as usize,
            *m.offsets.get_unchecked(i + 1) as usize,
        );
        let mut field = _mm512_set1_ps(*m.h.get_unchecked(i));
        for k in lo..hi {
            let j = *m.neighbours.get_unchecked(k) as usize;
            let w = _mm512_set1_ps(*m.weights.get_unchecked(k));
            let row = _mm512_loadu_ps(state.add(j).cast::<f32>());
            field = _mm512_add_ps(field, _mm512_mul_ps(w, row));
        }
        let si = state.add(i).cast::<f32>();
        let s = _mm512_loadu_ps(si);
        let minus_two_s = _mm512_mul_ps(_mm512_set1_ps(-2.0), s);
        let d = _mm512_mul_ps(minus_two_s, field);
        // beta dE (flip_energy), plus the copies' pull when coupled.
        let x = if COUPLED {
            let (up, down) = (
                _mm512_loadu_ps(pull.above.add(i).cast()),
                _mm512_loadu_ps(pull.below.add(i).cast()),
            );
            let p = _mm512_mul_ps(pull.strength, _mm512_add_ps(up, down));
            _mm512_add_ps(_mm512_mul_ps(beta, d), _mm512_mul_ps(minus_two_s, p))
        } else {
            _mm512_mul_ps(beta, d)
        };
        let (lo_v, hi_v) = (_mm512_set1_ps(lo_x), _mm512_set1_ps(hi_x));
        let below = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(x, lo_v);
        let inside =
            _mm512_cmp_ps_mask::<_CMP_GE_OQ>(x, lo_v) & _mm512_cmp_ps_mask::<_CMP_LT_OQ>(x, hi_v);
        let undecided = inside != 0;
        let flip = if undecided {
            below | (inside & accepts::<GIBBS>(x, uniforms(*m.salts.get_unchecked(i))))
        } else {
            below
        };
        let bits = _mm512_castps_si512(s);
        let new = _mm512_castsi512_ps(_mm512_mask_xor_epi32(
            bits,
            flip,
            bits,
            _mm512_set1_epi32(i32::MIN),
        ));
        _mm512_storeu_ps(si, new);
        Step {
            d,
            s,
            new,
            undecided,
        }
    }
}

/// `step_f32` for a double-precision state: the 16 lanes in two vectors of
/// 8, beta dE rounded to single precision for the acceptance test (as in
/// the generic code).
///
/// # Safety
/// That of `step_f32`.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
unsafe fn step_f64<const GIBBS: bool, const COUPLED: bool>(
    m: &KernelTables<'_, f64>,
    i: usize,
    beta: [__m512d; 2],
    state: *mut Lanes<f64>,
    pull: Pull<f64, [__m512d; 2]>,
    uniforms: impl FnOnce(u32) -> __m512,
) -> Step<[__m512d; 2]> {
    let (lo_x, hi_x) = range::<GIBBS>();
    // SAFETY: the caller's contract; every index in the tables is < n.
    unsafe {
        let (lo, hi) = (
            *m.offsets.get_unchecked(i) as usize,
            *m.offsets.get_unchecked(i + 1) as usize,
        );
        let h = _mm512_set1_pd(*m.h.get_unchecked(i));
        let mut field = [h, h];
        for k in lo..hi {
            let j = *m.neighbours.get_unchecked(k) as usize;
            let w = _mm512_set1_pd(*m.weights.get_unchecked(k));
            let row = halves(state.add(j).cast());
            for (f, r) in field.iter_mut().zip(row) {
                *f = _mm512_add_pd(*f, _mm512_mul_pd(w, r));
            }
        }
        let si = state.add(i).cast::<f64>();
        let s = halves(si);
        let (up, down) = if COUPLED {
            (
                halves(pull.above.add(i).cast()),
                halves(pull.below.add(i).cast()),
            )
        } else {
            ([_mm512_setzero_pd(); 2], [_mm512_setzero_pd(); 2])
        };
        let (lo_v, hi_v) = (_mm512_set1_pd(lo_x as f64), _mm512_set1_pd(hi_x as f64));
        let (mut d, mut x) = ([_mm512_setzero_pd(); 2], [_mm512_setzero_pd(); 2]);
        let (mut below, mut inside) = (0u16, 0u16);
        for q in 0..2 {
            let minus_two_s = _mm512_mul_pd(_mm512_set1_pd(-2.0), s[q]);
            d[q] = _mm512_mul_pd(minus_two_s, field[q]);
            x[q] = if COUPLED {
                let p = _mm512_mul_pd(pull.strength[q], _mm512_add_pd(up[q], down[q]));
                _mm512_add_pd(_mm512_mul_pd(beta[q], d[q]), _mm512_mul_pd(minus_two_s, p))
            } else {
                _mm512_mul_pd(beta[q], d[q])
            };
            let shift = 8 * q as u32;
            below |= (_mm512_cmp_pd_mask::<_CMP_LT_OQ>(x[q], lo_v) as u16) << shift;
            inside |= ((_mm512_cmp_pd_mask::<_CMP_GE_OQ>(x[q], lo_v)
                & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(x[q], hi_v)) as u16)
                << shift;
        }
        let undecided = inside != 0;
        let flip = if undecided {
            let x32 = _mm512_insertf32x8::<1>(
                _mm512_castps256_ps512(_mm512_cvtpd_ps(x[0])),
                _mm512_cvtpd_ps(x[1]),
            );
            below | (inside & accepts::<GIBBS>(x32, uniforms(*m.salts.get_unchecked(i))))
        } else {
            below
        };
        let mut new = s;
        for (q, n) in new.iter_mut().enumerate() {
            let bits = _mm512_castpd_si512(*n);
            let mask = (flip >> (8 * q)) as u8;
            *n = _mm512_castsi512_pd(_mm512_mask_xor_epi64(
                bits,
                mask,
                bits,
                _mm512_set1_epi64(i64::MIN),
            ));
            _mm512_storeu_pd(si.add(8 * q), *n);
        }
        Step {
            d,
            s,
            new,
            undecided,
        }
    }
}

/// The 16 lanes of a double-precision row as two vectors.
///
/// # Safety
/// `p` points to 16 readable doubles.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
unsafe fn halves(p: *const f64) -> [__m512d; 2] {
    // SAFETY: the caller's contract.
    unsafe { [_mm512_loadu_pd(p), _mm512_loadu_pd(p.add(8))] }
}

/// `lane_sweep`'s update of spin i, single precision (see `step_f32`).
///
/// # Safety
/// That of `step_f32`.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
unsafe fn update<const GIBBS: bool>(
    m: &KernelTables<'_, f32>,
    i: usize,
    beta: &Lanes<f32>,
    state: *mut Lanes<f32>,
    uniforms: impl FnOnce(u32) -> __m512,
) -> bool {
    let none = Pull {
        above: std::ptr::null(),
        below: std::ptr::null(),
        strength: _mm512_setzero_ps(),
    };
    // SAFETY: the caller's contract (no copies are read when not coupled).
    unsafe {
        step_f32::<GIBBS, false>(m, i, _mm512_loadu_ps(beta.as_ptr()), state, none, uniforms)
            .undecided
    }
}

/// `lane_sweep`'s update of spin i, double precision (see `step_f64`).
///
/// # Safety
/// That of `step_f64`.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
unsafe fn update_f64<const GIBBS: bool>(
    m: &KernelTables<'_, f64>,
    i: usize,
    beta: &Lanes<f64>,
    state: *mut Lanes<f64>,
    uniforms: impl FnOnce(u32) -> __m512,
) -> bool {
    let zero = _mm512_setzero_pd();
    let none = Pull {
        above: std::ptr::null(),
        below: std::ptr::null(),
        strength: [zero, zero],
    };
    // SAFETY: the caller's contract (no copies are read when not coupled).
    unsafe {
        step_f64::<GIBBS, false>(m, i, halves(beta.as_ptr()), state, none, uniforms).undecided
    }
}

/// `kernel::sweep_spins` in one precision: update `spins` in order in every
/// lane; returns how many spins needed uniforms.
macro_rules! sweep_spins_in {
    ($(#[$doc:meta])* $name:ident, $t:ty, $update:ident) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// That of the update, for every spin of `spins`; the CPU has AVX-512
        /// F, BW, DQ and VL.
        #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
        pub(crate) unsafe fn $name<const GIBBS: bool>(
            m: &KernelTables<'_, $t>,
            spins: &[u32],
            beta: &Lanes<$t>,
            state: *mut Lanes<$t>,
            keys: &Lanes<u32>,
            ahead: bool,
        ) -> usize {
            // SAFETY: the caller's contract.
            unsafe {
                let keys = _mm512_loadu_si512(keys.as_ptr().cast());
                let mut needed = 0;
                if ahead {
                    let mut u = [_mm512_setzero_ps(); AHEAD];
                    for block in spins.chunks(AHEAD) {
                        for (k, &i) in block.iter().enumerate() {
                            u[k] = lane_uniforms(keys, *m.salts.get_unchecked(i as usize));
                        }
                        for (k, &i) in block.iter().enumerate() {
                            needed += $update::<GIBBS>(m, i as usize, beta, state, |_| u[k]) as usize;
                        }
                    }
                } else {
                    for &i in spins {
                        needed += $update::<GIBBS>(m, i as usize, beta, state, |salt| {
                            lane_uniforms(keys, salt)
                        }) as usize;
                    }
                }
                needed
            }
        }
    };
}

sweep_spins_in!(
    /// Single precision.
    sweep_spins,
    f32,
    update
);
sweep_spins_in!(
    /// Double precision.
    sweep_spins_f64,
    f64,
    update_f64
);

/// `kernel::lane_sweep_ext` in single precision: `lane_sweep`'s update with
/// the energy change of every flip added to `energy` (`TRACK`) and the pull
/// of two copies of each spin (`COUPLED`: the Trotter slices above and
/// below), the generic code's operations one for one.
///
/// # Safety
/// `state`, and when `COUPLED` `above` and `below`, hold a row per spin of
/// the tables' model; the CPU has AVX-512 F, BW, DQ and VL.
#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
pub(crate) unsafe fn sweep_ext<const GIBBS: bool, const TRACK: bool, const COUPLED: bool>(
    m: &KernelTables<'_, f32>,
    beta: &Lanes<f32>,
    state: *mut Lanes<f32>,
    keys: &Lanes<u32>,
    above: *const Lanes<f32>,
    below: *const Lanes<f32>,
    strength: &Lanes<f32>,
    energy: &mut Lanes<f32>,
) {
    // SAFETY: the caller's contract.
    unsafe {
        let beta = _mm512_loadu_ps(beta.as_ptr());
        let keys = _mm512_loadu_si512(keys.as_ptr().cast());
        let pull = Pull {
            above,
            below,
            strength: _mm512_loadu_ps(strength.as_ptr()),
        };
        let (half, one) = (_mm512_set1_ps(0.5), _mm512_set1_ps(1.0));
        let minus_one = _mm512_mul_ps(_mm512_set1_ps(-2.0), half);
        let mut e = _mm512_loadu_ps(energy.as_ptr());
        for &i in m.order {
            let st = step_f32::<GIBBS, COUPLED>(m, i as usize, beta, state, pull, |salt| {
                lane_uniforms(keys, salt)
            });
            if TRACK {
                // half d (1 + (-2 half) s new), as the generic code groups it.
                let sn = _mm512_mul_ps(_mm512_mul_ps(minus_one, st.s), st.new);
                let change = _mm512_mul_ps(_mm512_mul_ps(half, st.d), _mm512_add_ps(one, sn));
                e = _mm512_add_ps(e, change);
            }
        }
        _mm512_storeu_ps(energy.as_mut_ptr(), e);
    }
}

/// `sweep_ext` in double precision (see `step_f64`).
///
/// # Safety
/// That of `sweep_ext`.
#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl")]
pub(crate) unsafe fn sweep_ext_f64<const GIBBS: bool, const TRACK: bool, const COUPLED: bool>(
    m: &KernelTables<'_, f64>,
    beta: &Lanes<f64>,
    state: *mut Lanes<f64>,
    keys: &Lanes<u32>,
    above: *const Lanes<f64>,
    below: *const Lanes<f64>,
    strength: &Lanes<f64>,
    energy: &mut Lanes<f64>,
) {
    // SAFETY: the caller's contract.
    unsafe {
        let beta = halves(beta.as_ptr());
        let keys = _mm512_loadu_si512(keys.as_ptr().cast());
        let pull = Pull {
            above,
            below,
            strength: halves(strength.as_ptr()),
        };
        let (half, one) = (_mm512_set1_pd(0.5), _mm512_set1_pd(1.0));
        let minus_one = _mm512_mul_pd(_mm512_set1_pd(-2.0), half);
        let mut e = halves(energy.as_ptr());
        for &i in m.order {
            let st = step_f64::<GIBBS, COUPLED>(m, i as usize, beta, state, pull, |salt| {
                lane_uniforms(keys, salt)
            });
            if TRACK {
                for (q, eq) in e.iter_mut().enumerate() {
                    // half d (1 + (-2 half) s new), as the generic code groups it.
                    let sn = _mm512_mul_pd(_mm512_mul_pd(minus_one, st.s[q]), st.new[q]);
                    let change =
                        _mm512_mul_pd(_mm512_mul_pd(half, st.d[q]), _mm512_add_pd(one, sn));
                    *eq = _mm512_add_pd(*eq, change);
                }
            }
        }
        _mm512_storeu_pd(energy.as_mut_ptr(), e[0]);
        _mm512_storeu_pd(energy.as_mut_ptr().add(8), e[1]);
    }
}

const _: () = assert!(LANES == 16, "one AVX-512 vector holds the 16 lanes of f32");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::IsingGraph;
    use crate::kernel::{simd_level, sweep_spins_generic, KernelModel, Real, SimdLevel};
    use crate::rng::{ReadKeys, Xoshiro256};

    type Sweep<T> = unsafe fn(
        &KernelTables<'_, T>,
        &[u32],
        &Lanes<T>,
        *mut Lanes<T>,
        &Lanes<u32>,
        bool,
    ) -> usize;

    /// A model with couplings of exactly +-1 and fields of 0 among random
    /// ones (ties at dE = 0).
    fn model() -> IsingGraph {
        let n = 300;
        let mut rng = Xoshiro256::for_stream(11, 0);
        let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
        for i in 0..n {
            for d in [1, 4, 9, 30] {
                ir.push(i as i64);
                ic.push(((i + d) % n) as i64);
                j.push(if i % 3 == 0 {
                    1.0
                } else {
                    rng.next_f64() * 2.0 - 1.0
                });
            }
        }
        let h: Vec<f64> = (0..n)
            .map(|i| {
                if i % 4 == 0 {
                    0.0
                } else {
                    rng.next_f64() - 0.5
                }
            })
            .collect();
        IsingGraph::new(&h, &ir, &ic, &j).unwrap()
    }

    fn compare<T: Real, const GIBBS: bool>(avx512: Sweep<T>) {
        let m = KernelModel::<T>::new(&model(), None).unwrap();
        let order = m.free_spins().to_vec();
        let keys: Vec<ReadKeys> = (0..LANES as u64).map(|r| ReadKeys::new(3, r)).collect();
        let mut rng = Xoshiro256::for_stream(12, 0);
        let start: Vec<Lanes<T>> = (0..m.num_spins())
            .map(|_| std::array::from_fn(|_| T::ONE.flip_if(rng.spin() < 0)))
            .collect();
        let (mut a, mut b) = (start.clone(), start);
        for t in 0..60u64 {
            let beta_value = if t >= 55 {
                f64::INFINITY
            } else {
                0.1 * t as f64
            };
            let beta: Lanes<T> =
                std::array::from_fn(|l| m.beta(beta_value * (1.0 + l as f64 / 16.0)));
            let k: Lanes<u32> = std::array::from_fn(|q| keys[q].sweep(t));
            let ahead = t % 3 == 0;
            // SAFETY: both states hold a row per spin and are used by this
            // thread only; the caller checked the CPU's features.
            let (na, nb) = unsafe {
                (
                    sweep_spins_generic::<T, GIBBS>(&m, &order, &beta, a.as_mut_ptr(), &k, ahead),
                    avx512(&m.tables(), &order, &beta, b.as_mut_ptr(), &k, ahead),
                )
            };
            assert_eq!(na, nb, "sweep {t}, gibbs {GIBBS}");
            let bits = |s: &[Lanes<T>]| -> Vec<u64> {
                s.iter().flatten().map(|v| v.to_f64().to_bits()).collect()
            };
            assert_eq!(bits(&a), bits(&b), "sweep {t}, gibbs {GIBBS}");
        }
    }

    /// The AVX-512 sweeps give the generic sweeps' states bit for bit, in both
    /// precisions, over hot, cold and infinite beta (a NaN beta dE at dE = 0),
    /// both rules and both ways of drawing uniforms.
    #[test]
    fn avx512_sweeps_match_the_generic_ones() {
        if simd_level() != SimdLevel::Avx512 {
            eprintln!("skipped: this CPU has no AVX-512");
            return;
        }
        compare::<f32, false>(sweep_spins::<false>);
        compare::<f32, true>(sweep_spins::<true>);
        compare::<f64, false>(sweep_spins_f64::<false>);
        compare::<f64, true>(sweep_spins_f64::<true>);
    }

    type SweepExt<T> = unsafe fn(
        &KernelTables<'_, T>,
        &Lanes<T>,
        *mut Lanes<T>,
        &Lanes<u32>,
        *const Lanes<T>,
        *const Lanes<T>,
        &Lanes<T>,
        &mut Lanes<T>,
    );

    fn compare_ext<T: Real, const GIBBS: bool, const TRACK: bool, const COUPLED: bool>(
        avx512: SweepExt<T>,
    ) {
        use crate::kernel::{lane_sweep_ext_generic, Copies};
        let m = KernelModel::<T>::new(&model(), None).unwrap();
        let keys: Vec<ReadKeys> = (0..LANES as u64).map(|r| ReadKeys::new(4, r)).collect();
        let mut rng = Xoshiro256::for_stream(13, 0);
        let mut spins = || -> Vec<Lanes<T>> {
            (0..m.num_spins())
                .map(|_| std::array::from_fn(|_| T::ONE.flip_if(rng.spin() < 0)))
                .collect()
        };
        let (start, above, below) = (spins(), spins(), spins());
        let strength: Lanes<T> = std::array::from_fn(|l| T::from_f64(-0.05 * l as f64));
        let (mut a, mut b) = (start.clone(), start);
        let (mut ea, mut eb) = ([T::from_f64(0.5); LANES], [T::from_f64(0.5); LANES]);
        for t in 0..60u64 {
            let beta_value = if t >= 55 {
                f64::INFINITY
            } else {
                0.1 * t as f64
            };
            let beta: Lanes<T> =
                std::array::from_fn(|l| m.beta(beta_value * (1.0 + l as f64 / 16.0)));
            let k: Lanes<u32> = std::array::from_fn(|q| keys[q].sweep(t));
            let copies = Copies {
                above: &above,
                below: &below,
                strength,
            };
            lane_sweep_ext_generic::<T, GIBBS, TRACK, COUPLED>(
                &m, &beta, &mut a, &k, &copies, &mut ea,
            );
            // SAFETY: the rows of the state and of both copies are the model's;
            // the caller checked the CPU's features.
            unsafe {
                avx512(
                    &m.tables(),
                    &beta,
                    b.as_mut_ptr(),
                    &k,
                    above.as_ptr(),
                    below.as_ptr(),
                    &strength,
                    &mut eb,
                );
            }
            let bits = |s: &[Lanes<T>]| -> Vec<u64> {
                s.iter().flatten().map(|v| v.to_f64().to_bits()).collect()
            };
            assert_eq!(bits(&a), bits(&b), "sweep {t}");
            assert_eq!(bits(&[ea]), bits(&[eb]), "energies, sweep {t}");
        }
    }

    /// The same for the sweep that tracks energies and feels copies (parallel
    /// tempering, path-integral SQA).
    #[test]
    fn avx512_extended_sweeps_match_the_generic_ones() {
        if simd_level() != SimdLevel::Avx512 {
            eprintln!("skipped: this CPU has no AVX-512");
            return;
        }
        compare_ext::<f32, false, false, false>(sweep_ext::<false, false, false>);
        compare_ext::<f32, false, true, false>(sweep_ext::<false, true, false>);
        compare_ext::<f32, true, true, false>(sweep_ext::<true, true, false>);
        compare_ext::<f32, false, false, true>(sweep_ext::<false, false, true>);
        compare_ext::<f32, true, true, true>(sweep_ext::<true, true, true>);
        compare_ext::<f64, false, true, false>(sweep_ext_f64::<false, true, false>);
        compare_ext::<f64, true, true, false>(sweep_ext_f64::<true, true, false>);
        compare_ext::<f64, false, false, true>(sweep_ext_f64::<false, false, true>);
        compare_ext::<f64, true, true, true>(sweep_ext_f64::<true, true, true>);
    }
}
