//! Exact enumeration of all 2^n states of a small Ising model.
//!
//! Spins are split into `k` inner spins (the low bits of a state index) and
//! n - k outer spins (the high bits). For one outer state the 2^k inner
//! energies are E_out + P[b] + sum_j heff_j s_j(b), where P is a table of the
//! inner couplings made once and the linear term is filled in O(1) per state
//! (lin[b] = lin[b with its lowest bit cleared] + 2 heff_lowbit). Blocks are
//! weighted with a stable log-sum-exp and combined in a fixed order, so results
//! do not depend on the number of threads.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::graph::IsingGraph;
use crate::resources::Stop;
use crate::rng::Xoshiro256;
use crate::samples::Samples;

/// Largest model enumerated exactly (2^30 states take a few seconds per pass).
pub const MAX_EXACT_SPINS: usize = 30;
/// Largest |beta E| handled: beyond it exp and log-sum-exp would overflow.
const MAX_EXPONENT: f64 = 1e300;
const MAX_INNER: usize = 12;
/// Outer states are cut into this many chunks at most; fixed so sums are
/// reduced in the same order on any machine.
const CHUNKS: usize = 256;

/// Biases are divided by the largest |bias| and beta multiplied by it (the
/// distribution depends only on beta E), so any finite model is enumerated
/// without overflow; a model whose beta E itself exceeds the float range is
/// refused.
pub struct Enumerator {
    n: usize,
    k: usize,
    /// Normalised fields and dense symmetric couplings (n x n).
    h: Vec<f64>,
    jd: Vec<f64>,
    /// Energy of the inner couplings for every inner state b.
    pair: Vec<f64>,
    /// beta times the normalising scale.
    beta: f64,
}

/// Exact first and second moments; `correlation[i * n + j]` = <s_i s_j>, diagonal 1.
pub struct Moments {
    pub log_z: f64,
    pub mean: Vec<f64>,
    pub correlation: Vec<f64>,
}

#[inline]
fn spin(bits: usize, j: usize) -> f64 {
    if (bits >> j) & 1 == 1 {
        1.0
    } else {
        -1.0
    }
}

impl Enumerator {
    pub fn new(graph: &IsingGraph, beta: f64) -> Result<Self> {
        let n = graph.num_spins();
        if n > MAX_EXACT_SPINS {
            return Err(Error::TooLarge {
                num_spins: n,
                max: MAX_EXACT_SPINS,
            });
        }
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(Error::value(
                "beta",
                format!("must be finite and non-negative: value = {beta}"),
            ));
        }
        let max = graph.max_abs_bias();
        let scale = if max > 0.0 { max } else { 1.0 };
        let h: Vec<f64> = graph.h().iter().map(|v| v / scale).collect();
        let jd: Vec<f64> = graph.dense_couplings().iter().map(|v| v / scale).collect();
        let total: f64 =
            h.iter().map(|v| v.abs()).sum::<f64>() + jd.iter().map(|v| v.abs()).sum::<f64>() / 2.0;
        let beta_scaled = beta * scale;
        let exponent = beta_scaled * total;
        if exponent.is_nan() || exponent > MAX_EXPONENT {
            return Err(Error::value(
                "beta",
                format!(
                    "times the model's energies ({beta} x {:.3e}) exceeds the floating-point \
                     range: log Z cannot be represented",
                    total * scale
                ),
            ));
        }
        let k = n.min(MAX_INNER);
        let mut pair = vec![0.0; 1 << k];
        for (b, p) in pair.iter_mut().enumerate() {
            let mut e = 0.0;
            for i in 0..k {
                for j in i + 1..k {
                    e += jd[i * n + j] * spin(b, i) * spin(b, j);
                }
            }
            *p = e;
        }
        Ok(Enumerator {
            n,
            k,
            h,
            jd,
            pair,
            beta: beta_scaled,
        })
    }

    fn num_outer(&self) -> usize {
        1 << (self.n - self.k)
    }

    /// Fill `x[b] = -beta E(a, b)` for every inner state b of outer state `a`;
    /// returns the block's maximum. `heff` and `lin` are scratch.
    fn block(&self, a: usize, x: &mut [f64], heff: &mut [f64], lin: &mut [f64]) -> f64 {
        let (n, k) = (self.n, self.k);
        let mut e_out = 0.0;
        for i in k..n {
            let si = spin(a, i - k);
            e_out += self.h[i] * si;
            for i2 in i + 1..n {
                e_out += self.jd[i * n + i2] * si * spin(a, i2 - k);
            }
        }
        for (j, hj) in heff.iter_mut().enumerate() {
            let mut f = self.h[j];
            for i in k..n {
                f += self.jd[j * n + i] * spin(a, i - k);
            }
            *hj = f;
        }
        lin[0] = -heff.iter().sum::<f64>();
        for b in 1..lin.len() {
            lin[b] = lin[b & (b - 1)] + 2.0 * heff[b.trailing_zeros() as usize];
        }
        let mut m = f64::NEG_INFINITY;
        for b in 0..x.len() {
            let v = -self.beta * (e_out + self.pair[b] + lin[b]);
            x[b] = v;
            m = m.max(v);
        }
        m
    }

    fn scratch(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        (
            vec![0.0; 1 << self.k],
            vec![0.0; self.k],
            vec![0.0; 1 << self.k],
        )
    }

    fn chunks(&self) -> Vec<std::ops::Range<usize>> {
        let outer = self.num_outer();
        let size = outer.div_ceil(CHUNKS.min(outer));
        (0..outer)
            .step_by(size)
            .map(|s| s..(s + size).min(outer))
            .collect()
    }

    /// log Z_a for every outer state a, in order.
    fn outer_log_weights(&self, stop: &Stop) -> Result<Vec<f64>> {
        let parts: Vec<Vec<f64>> = self
            .chunks()
            .into_par_iter()
            .map(|range| {
                stop.check()?;
                let (mut x, mut heff, mut lin) = self.scratch();
                Ok(range
                    .map(|a| {
                        let m = self.block(a, &mut x, &mut heff, &mut lin);
                        m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
                    })
                    .collect::<Vec<_>>())
            })
            .collect::<Result<_>>()?;
        Ok(parts.concat())
    }

    pub fn log_partition(&self, stop: &Stop) -> Result<f64> {
        Ok(log_sum_exp(&self.outer_log_weights(stop)?))
    }

    pub fn moments(&self, stop: &Stop) -> Result<Moments> {
        let parts: Vec<Accumulator> = self
            .chunks()
            .into_par_iter()
            .map(|range| {
                stop.check()?;
                let mut acc = Accumulator::new(self.n, self.k);
                let (mut x, mut heff, mut lin) = self.scratch();
                for a in range {
                    let m = self.block(a, &mut x, &mut heff, &mut lin);
                    acc.add_block(a, m, &mut x);
                }
                Ok(acc)
            })
            .collect::<Result<_>>()?;
        let mut total = Accumulator::new(self.n, self.k);
        for p in parts {
            total.merge(p);
        }
        Ok(total.finish())
    }

    /// -beta E(s) of one state, from the normalised biases (no overflow).
    fn minus_beta_energy(&self, s: &[i8]) -> f64 {
        let n = self.n;
        let mut e = 0.0;
        for i in 0..n {
            let si = s[i] as f64;
            e += self.h[i] * si;
            for (w, &sj) in self.jd[i * n + i + 1..(i + 1) * n].iter().zip(&s[i + 1..]) {
                e += w * si * sj as f64;
            }
        }
        -self.beta * e
    }

    fn check_columns(&self, samples: &Samples) -> Result<()> {
        if samples.cols() != self.n {
            return Err(Error::shape(
                "samples",
                format!(
                    "expected {} columns (one per spin), got {}",
                    self.n,
                    samples.cols()
                ),
            ));
        }
        Ok(())
    }

    /// log P(s) for each row of `samples`.
    pub fn log_probs(&self, samples: &Samples, stop: &Stop) -> Result<Vec<f64>> {
        self.check_columns(samples)?;
        let log_z = self.log_partition(stop)?;
        Ok(samples
            .iter_rows()
            .map(|s| self.minus_beta_energy(s) - log_z)
            .collect())
    }

    /// Lambda_av(S) = -beta mean_s E(s) - log Z.
    pub fn log_likelihood_proxy(&self, samples: &Samples, stop: &Stop) -> Result<f64> {
        self.check_columns(samples)?;
        if samples.rows() == 0 {
            return Err(Error::value("samples", "must hold at least one state"));
        }
        let total: f64 = samples.iter_rows().map(|s| self.minus_beta_energy(s)).sum();
        Ok(total / samples.rows() as f64 - self.log_partition(stop)?)
    }

    /// `num` i.i.d. states from the Boltzmann distribution: samples
    /// `offset ..` of `seed`. Sample d picks its outer state, then its inner
    /// state, with two uniforms from stream d of `seed`.
    pub fn sample(&self, num: usize, seed: u64, offset: u64, stop: &Stop) -> Result<Samples> {
        Error::positive("num_reads", num)?;
        if offset.checked_add(num as u64).is_none() {
            return Err(Error::value(
                "read_offset",
                format!("plus num_reads must stay below 2^64: value = {offset}"),
            ));
        }
        let mut out = Samples::filled("num_reads", num, self.n)?;
        let logw = self.outer_log_weights(stop)?;
        let top = logw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let mut cdf = Vec::with_capacity(logw.len());
        let mut acc = 0.0;
        for w in &logw {
            acc += (w - top).exp();
            cdf.push(acc);
        }
        let (n, k) = (self.n, self.k);
        if n == 0 {
            return Ok(out);
        }
        // Draws in blocks, so the stop flag is seen between blocks.
        const BLOCK: usize = 1024;
        out.as_mut_slice()
            .par_chunks_mut(BLOCK * n)
            .enumerate()
            .try_for_each(|(block, rows)| {
                stop.check()?;
                let (mut x, mut heff, mut lin) = self.scratch();
                for (r, row) in rows.chunks_mut(n).enumerate() {
                    let d = offset + (block * BLOCK + r) as u64;
                    let mut rng = Xoshiro256::for_stream(seed, d);
                    let a = pick(&cdf, rng.next_f64());
                    let u = rng.next_f64();
                    let m = self.block(a, &mut x, &mut heff, &mut lin);
                    let mut acc = 0.0;
                    for v in x.iter_mut() {
                        acc += (*v - m).exp();
                        *v = acc;
                    }
                    let b = pick(&x, u);
                    for (i, v) in row.iter_mut().enumerate() {
                        let up = if i < k {
                            (b >> i) & 1
                        } else {
                            (a >> (i - k)) & 1
                        };
                        *v = if up == 1 { 1 } else { -1 };
                    }
                }
                Ok(())
            })?;
        Ok(out)
    }
}

/// Index of the first cumulative weight above u * total.
fn pick(cdf: &[f64], u: f64) -> usize {
    let target = u * cdf[cdf.len() - 1];
    cdf.partition_point(|&c| c <= target).min(cdf.len() - 1)
}

pub fn log_sum_exp(v: &[f64]) -> f64 {
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// Weighted sums of one chunk of outer states, all relative to `shift`
/// (true weight = stored weight * e^shift).
struct Accumulator {
    n: usize,
    k: usize,
    shift: f64,
    z: f64,
    /// Marginal weight of each inner state.
    inner: Vec<f64>,
    /// sum_a Z_a s_i(a) for outer i.
    outer_mean: Vec<f64>,
    /// sum_a Z_a s_i(a) s_i2(a) for outer i, i2.
    outer_corr: Vec<f64>,
    /// sum_a s_i(a) sum_b w(a, b) s_j(b) for outer i, inner j.
    cross: Vec<f64>,
}

impl Accumulator {
    fn new(n: usize, k: usize) -> Self {
        let o = n - k;
        Accumulator {
            n,
            k,
            shift: f64::NEG_INFINITY,
            z: 0.0,
            inner: vec![0.0; 1 << k],
            outer_mean: vec![0.0; o],
            outer_corr: vec![0.0; o * o],
            cross: vec![0.0; o * k],
        }
    }

    fn rescale(&mut self, new_shift: f64) {
        let f = (self.shift - new_shift).exp();
        self.z *= f;
        for v in self
            .inner
            .iter_mut()
            .chain(self.outer_mean.iter_mut())
            .chain(self.outer_corr.iter_mut())
            .chain(self.cross.iter_mut())
        {
            *v *= f;
        }
        self.shift = new_shift;
    }

    /// Add outer state `a` whose block holds `x[b] = -beta E` with maximum `m`.
    fn add_block(&mut self, a: usize, m: f64, x: &mut [f64]) {
        if m > self.shift {
            self.rescale(m);
        }
        let base = m - self.shift;
        let mut za = 0.0;
        for (v, w_in) in x.iter_mut().zip(self.inner.iter_mut()) {
            let w = (*v - m + base).exp();
            *v = w;
            za += w;
            *w_in += w;
        }
        self.z += za;
        let (k, o) = (self.k, self.n - self.k);
        for j in 0..k {
            // sum_b w s_j(b) = 2 (weight with bit j set) - Z_a
            let mut up = 0.0;
            for chunk in x.chunks(2 << j) {
                up += chunk[1 << j..].iter().sum::<f64>();
            }
            let v = 2.0 * up - za;
            for i in 0..o {
                self.cross[i * k + j] += spin(a, i) * v;
            }
        }
        for i in 0..o {
            let si = spin(a, i);
            self.outer_mean[i] += za * si;
            for i2 in 0..o {
                self.outer_corr[i * o + i2] += za * si * spin(a, i2);
            }
        }
    }

    fn merge(&mut self, other: Accumulator) {
        if other.shift == f64::NEG_INFINITY {
            return;
        }
        let mut other = other;
        if other.shift > self.shift {
            self.rescale(other.shift);
        } else {
            other.rescale(self.shift);
        }
        self.z += other.z;
        for (a, b) in self.inner.iter_mut().zip(&other.inner) {
            *a += b;
        }
        for (a, b) in self.outer_mean.iter_mut().zip(&other.outer_mean) {
            *a += b;
        }
        for (a, b) in self.outer_corr.iter_mut().zip(&other.outer_corr) {
            *a += b;
        }
        for (a, b) in self.cross.iter_mut().zip(&other.cross) {
            *a += b;
        }
    }

    fn finish(self) -> Moments {
        let (n, k) = (self.n, self.k);
        let o = n - k;
        let z = self.z;
        let mut mean = vec![0.0; n];
        let mut correlation = vec![0.0; n * n];
        for (b, &w) in self.inner.iter().enumerate() {
            for j in 0..k {
                let sj = spin(b, j);
                mean[j] += w * sj;
                for j2 in j + 1..k {
                    correlation[j * n + j2] += w * sj * spin(b, j2);
                }
            }
        }
        for i in 0..o {
            mean[k + i] = self.outer_mean[i];
            for i2 in i + 1..o {
                correlation[(k + i) * n + k + i2] = self.outer_corr[i * o + i2];
            }
            for j in 0..k {
                correlation[j * n + k + i] = self.cross[i * k + j];
            }
        }
        for v in mean.iter_mut() {
            *v /= z;
        }
        for i in 0..n {
            correlation[i * n + i] = 1.0;
            for j in i + 1..n {
                correlation[i * n + j] /= z;
                correlation[j * n + i] = correlation[i * n + j];
            }
        }
        Moments {
            log_z: self.shift + z.ln(),
            mean,
            correlation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random model with every coupling present, from a fixed seed.
    fn dense_model(n: usize, seed: u64) -> IsingGraph {
        let mut rng = Xoshiro256::for_stream(seed, 0);
        let h: Vec<f64> = (0..n).map(|_| rng.next_f64() - 0.5).collect();
        let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
        for a in 0..n {
            for b in a + 1..n {
                ir.push(a as i64);
                ic.push(b as i64);
                j.push(rng.next_f64() * 1.2 - 0.6);
            }
        }
        IsingGraph::new(&h, &ir, &ic, &j).unwrap()
    }

    fn brute_force(g: &IsingGraph, beta: f64) -> Moments {
        let n = g.num_spins();
        let states: Vec<Vec<i8>> = (0..1usize << n)
            .map(|b| {
                (0..n)
                    .map(|i| if (b >> i) & 1 == 1 { 1 } else { -1 })
                    .collect()
            })
            .collect();
        let x: Vec<f64> = states.iter().map(|s| -beta * g.energy(s)).collect();
        let log_z = log_sum_exp(&x);
        let mut mean = vec![0.0; n];
        let mut correlation = vec![0.0; n * n];
        for (s, xv) in states.iter().zip(&x) {
            let p = (xv - log_z).exp();
            for i in 0..n {
                mean[i] += p * s[i] as f64;
                for j in 0..n {
                    correlation[i * n + j] += p * (s[i] * s[j]) as f64;
                }
            }
        }
        Moments {
            log_z,
            mean,
            correlation,
        }
    }

    #[test]
    fn moments_match_brute_force_across_the_block_split() {
        for (n, beta) in [(0, 1.0), (1, 0.7), (5, 1.3), (12, 0.9), (15, 1.1)] {
            let g = dense_model(n, n as u64 + 3);
            let e = Enumerator::new(&g, beta).unwrap();
            let got = e.moments(Stop::never()).unwrap();
            let want = brute_force(&g, beta);
            assert!((got.log_z - want.log_z).abs() < 1e-10, "n={n}");
            let log_z = e.log_partition(Stop::never()).unwrap();
            assert!((log_z - want.log_z).abs() < 1e-10, "n={n}");
            for (a, b) in got.mean.iter().zip(&want.mean) {
                assert!((a - b).abs() < 1e-10, "n={n} mean {a} vs {b}");
            }
            for (a, b) in got.correlation.iter().zip(&want.correlation) {
                assert!((a - b).abs() < 1e-10, "n={n} correlation {a} vs {b}");
            }
        }
    }

    #[test]
    fn large_couplings_do_not_overflow() {
        let g = dense_model(14, 1);
        let got = Enumerator::new(&g, 2000.0)
            .unwrap()
            .moments(Stop::never())
            .unwrap();
        assert!(got.log_z.is_finite());
        assert!(got.mean.iter().all(|m| m.abs() <= 1.0 + 1e-12));
    }

    /// Finite biases near the top of the float range: the same distribution
    /// as the model scaled down, and log Z shifted by nothing but the scale.
    #[test]
    fn huge_finite_biases_are_enumerated_exactly() {
        let g = dense_model(10, 4);
        let scale = 1e300;
        let h: Vec<f64> = g.h().iter().map(|v| v * scale).collect();
        let (ir, ic): (Vec<i64>, Vec<i64>) =
            g.edges().iter().map(|&(a, b)| (a as i64, b as i64)).unzip();
        let j: Vec<f64> = g.couplings().iter().map(|v| v * scale).collect();
        let big = IsingGraph::new(&h, &ir, &ic, &j).unwrap();
        let small = Enumerator::new(&g, 1.0)
            .unwrap()
            .moments(Stop::never())
            .unwrap();
        let e = Enumerator::new(&big, 1.0 / scale).unwrap();
        let got = e.moments(Stop::never()).unwrap();
        assert!((got.log_z - small.log_z).abs() < 1e-9);
        for (a, b) in got.mean.iter().zip(&small.mean) {
            assert!((a - b).abs() < 1e-9);
        }
        let s = e.sample(50, 1, 0, Stop::never()).unwrap();
        let s_small = Enumerator::new(&g, 1.0)
            .unwrap()
            .sample(50, 1, 0, Stop::never())
            .unwrap();
        assert_eq!(s, s_small);
        // beta E beyond the float range: refused, not infinite.
        assert!(Enumerator::new(&big, 1.0).is_err());
    }

    #[test]
    fn samples_follow_the_distribution() {
        let g = dense_model(14, 11);
        let e = Enumerator::new(&g, 1.0).unwrap();
        let exact = e.moments(Stop::never()).unwrap();
        let num = 20_000;
        let s = e.sample(num, 42, 0, Stop::never()).unwrap();
        for i in 0..14 {
            let m: f64 = s.iter_rows().map(|r| r[i] as f64).sum::<f64>() / num as f64;
            let sd = ((1.0 - exact.mean[i].powi(2)) / num as f64).sqrt();
            assert!(
                (m - exact.mean[i]).abs() < 5.0 * sd + 1e-9,
                "spin {i}: {m} vs {}",
                exact.mean[i]
            );
        }
        assert_eq!(s, e.sample(num, 42, 0, Stop::never()).unwrap());
        assert_ne!(s, e.sample(num, 43, 0, Stop::never()).unwrap());
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        let g = IsingGraph::new(&vec![0.0; 31], &[], &[], &[]).unwrap();
        assert!(matches!(
            Enumerator::new(&g, 1.0),
            Err(Error::TooLarge { .. })
        ));
        let g = dense_model(3, 0);
        assert!(Enumerator::new(&g, -1.0).is_err());
        assert!(Enumerator::new(&g, f64::NAN).is_err());
        let e = Enumerator::new(&g, 1.0).unwrap();
        let none = Samples::from_vec("samples", 0, 3, vec![]).unwrap();
        assert!(e.log_likelihood_proxy(&none, Stop::never()).is_err());
        assert!(e.sample(0, 1, 0, Stop::never()).is_err());
        assert!(matches!(
            e.sample(usize::MAX / 4, 1, 0, Stop::never()),
            Err(Error::OutOfMemory { .. })
        ));
        let stop = Stop::new();
        stop.request();
        assert_eq!(e.log_partition(&stop).err(), Some(Error::Interrupted));
    }
}
