//! Simulated annealing of Ising models.
//!
//! Sequential-order sweeps run `LANES` reads side by side: the spins of a read
//! live in one SIMD lane (`state[i][lane]`), every lane visits the spins in the
//! same order, and each lane draws from its own generator. The kernel is plain
//! array code that the compiler vectorises; it is compiled once for baseline
//! x86-64 and once with AVX2 and picked at run time. No fused multiply-add is
//! used, so both builds give bit-identical samples.
//!
//! Acceptance skips `exp`: Metropolis accepts a flip iff beta * dE < -ln(u)
//! (an Exp(1) variate), Gibbs iff beta * dE < ln(u / (1 - u)) (a logistic
//! variate), which are exactly the usual rules min(1, e^(-beta dE)) and
//! 1 / (1 + e^(beta dE)).
//!
//! Random-order sweeps pick each update's spin at random per read, so they run
//! one read at a time (a shared order across lanes would correlate the reads).

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::graph::{check_states, IsingGraph};
use crate::rng::{LaneRng, Xoshiro256};

/// Reads per SIMD group.
pub const LANES: usize = 16;
/// Spins whose thresholds are drawn ahead in one go.
const BLOCK: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acceptance {
    Metropolis,
    Gibbs,
}

#[derive(Clone, Debug)]
pub struct AnnealParams<'a> {
    /// Inverse temperatures, one per step of the schedule.
    pub betas: &'a [f64],
    pub sweeps_per_beta: usize,
    pub num_reads: usize,
    pub seed: u64,
    /// Row-major `num_reads x n` starting states; uniformly random when `None`.
    pub initial_states: Option<&'a [i8]>,
    /// Length-n array: 0 for a free spin, +1 or -1 for a spin held at that value.
    pub clamp: Option<&'a [i8]>,
    pub acceptance: Acceptance,
    pub randomize_order: bool,
    /// 0 uses rayon's global pool (all cores).
    pub num_threads: usize,
}

/// Anneal and return the final states, row-major `num_reads x n`.
pub fn anneal(graph: &IsingGraph, p: &AnnealParams) -> Result<Vec<i8>> {
    let n = graph.num_spins();
    validate(n, p)?;
    let model = Kernel::new(graph, p.clamp);
    let work = || -> Vec<i8> {
        if p.randomize_order {
            (0..p.num_reads)
                .into_par_iter()
                .flat_map_iter(|r| model.random_order_read(p, r))
                .collect()
        } else {
            let groups = p.num_reads.div_ceil(LANES);
            let mut out: Vec<i8> = (0..groups)
                .into_par_iter()
                .flat_map_iter(|g| model.sequential_group(p, g))
                .collect();
            out.truncate(p.num_reads * n);
            out
        }
    };
    if p.num_threads == 0 {
        Ok(work())
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(p.num_threads)
            .build()
            .map_err(|e| Error::value("num_threads", format!("could not start threads: {e}")))?;
        Ok(pool.install(work))
    }
}

fn validate(n: usize, p: &AnnealParams) -> Result<()> {
    if p.num_reads == 0 {
        return Err(Error::value(
            "num_reads",
            "must be a positive integer: value = 0",
        ));
    }
    if p.sweeps_per_beta == 0 {
        return Err(Error::value(
            "num_sweeps_per_beta",
            "must be a positive integer: value = 0",
        ));
    }
    if let Some(k) = p.betas.iter().position(|b| !(b.is_finite() && *b >= 0.0)) {
        return Err(Error::value(
            "beta_schedule",
            format!(
                "must hold finite non-negative values: beta[{k}] = {}",
                p.betas[k]
            ),
        ));
    }
    if let Some(s) = p.initial_states {
        if s.len() != p.num_reads * n {
            return Err(Error::shape(
                "initial_states",
                format!("expected {} x {n} values, got {}", p.num_reads, s.len()),
            ));
        }
        check_states("initial_states", s, n)?;
    }
    if let Some(c) = p.clamp {
        if c.len() != n {
            return Err(Error::shape(
                "fixed_variables",
                format!("expected {n} values, got {}", c.len()),
            ));
        }
        if let Some(k) = c.iter().position(|&v| !(v == 0 || v == 1 || v == -1)) {
            return Err(Error::value(
                "fixed_variables",
                format!("must be +1 or -1 (0 = free): spin {k} is {}", c[k]),
            ));
        }
    }
    Ok(())
}

/// Acceptance thresholds for all lanes, drawn a block ahead: they do not
/// depend on the state, so drawing many at once lets the logarithm's long
/// dependency chain overlap instead of stalling every update.
struct Thresholds<'r, const GIBBS: bool> {
    rng: &'r mut LaneRng<LANES>,
    block: Box<[[f32; LANES]; BLOCK]>,
    used: usize,
    /// Every threshold lies in [min, max).
    min: f32,
    max: f32,
}

impl<'r, const GIBBS: bool> Thresholds<'r, GIBBS> {
    fn new(rng: &'r mut LaneRng<LANES>) -> Self {
        let (min, max) = if GIBBS {
            LaneRng::<LANES>::logistic_bounds()
        } else {
            LaneRng::<LANES>::exp1_bounds()
        };
        let mut t = Thresholds {
            rng,
            block: Box::new([[0.0; LANES]; BLOCK]),
            used: 0,
            min,
            max,
        };
        t.refill();
        t
    }

    #[inline(always)]
    fn current(&self) -> [f32; LANES] {
        self.block[self.used]
    }

    #[inline(always)]
    fn advance(&mut self, consumed: bool) {
        self.used += consumed as usize;
        if self.used == BLOCK {
            self.refill();
        }
    }

    #[inline(always)]
    fn refill(&mut self) {
        for t in self.block.iter_mut() {
            *t = if GIBBS {
                self.rng.next_logistic()
            } else {
                self.rng.next_exp1()
            };
        }
        self.used = 0;
    }
}

/// The model in the form the sweeps read: f32 fields and couplings in CSR order.
struct Kernel<'g> {
    n: usize,
    h: Vec<f32>,
    offsets: &'g [usize],
    nbr: &'g [u32],
    weight: Vec<f32>,
    /// Spins that are updated, in index order.
    free: Vec<u32>,
    clamp: Option<&'g [i8]>,
}

// Lane loops index several arrays in step; written this way they vectorise.
#[allow(clippy::needless_range_loop)]
impl<'g> Kernel<'g> {
    fn new(g: &'g IsingGraph, clamp: Option<&'g [i8]>) -> Self {
        let n = g.num_spins();
        let free = (0..n as u32)
            .filter(|&i| clamp.is_none_or(|c| c[i as usize] == 0))
            .collect();
        Kernel {
            n,
            h: g.h.iter().map(|&v| v as f32).collect(),
            offsets: &g.offsets,
            nbr: &g.nbr,
            weight: g.weight.iter().map(|&v| v as f32).collect(),
            free,
            clamp,
        }
    }

    /// The starting state of read `r`: given, or uniformly random from its stream;
    /// clamped spins take their value either way.
    fn start(&self, p: &AnnealParams, r: usize, rng: &mut Xoshiro256) -> Vec<i8> {
        let n = self.n;
        let mut s: Vec<i8> = match p.initial_states {
            Some(init) if r < p.num_reads => init[r * n..(r + 1) * n].to_vec(),
            _ => (0..n).map(|_| rng.spin()).collect(),
        };
        if let Some(c) = self.clamp {
            for (si, &ci) in s.iter_mut().zip(c) {
                if ci != 0 {
                    *si = ci;
                }
            }
        }
        s
    }

    /// Reads `g * LANES ..` run together; returns their states row-major.
    fn sequential_group(&self, p: &AnnealParams, g: usize) -> Vec<i8> {
        let n = self.n;
        let first = g * LANES;
        let mut state = vec![[0f32; LANES]; n];
        for l in 0..LANES {
            let mut rng = Xoshiro256::for_stream(p.seed, (first + l) as u64);
            let s = self.start(p, first + l, &mut rng);
            for i in 0..n {
                state[i][l] = s[i] as f32;
            }
        }
        let mut rng = LaneRng::<LANES>::for_reads(p.seed, first as u64);
        self.run_sequential(p, &mut state, &mut rng);
        let mut out = Vec::with_capacity(LANES * n);
        for l in 0..LANES {
            out.extend(state.iter().map(|s| if s[l] > 0.0 { 1i8 } else { -1i8 }));
        }
        out
    }

    fn run_sequential(
        &self,
        p: &AnnealParams,
        state: &mut [[f32; LANES]],
        rng: &mut LaneRng<LANES>,
    ) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { self.run_sequential_avx2(p, state, rng) };
                return;
            }
        }
        self.run_sequential_body(p, state, rng);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_sequential_avx2(
        &self,
        p: &AnnealParams,
        state: &mut [[f32; LANES]],
        rng: &mut LaneRng<LANES>,
    ) {
        self.run_sequential_body(p, state, rng);
    }

    #[inline(always)]
    fn run_sequential_body(
        &self,
        p: &AnnealParams,
        state: &mut [[f32; LANES]],
        rng: &mut LaneRng<LANES>,
    ) {
        match p.acceptance {
            Acceptance::Metropolis => self.anneal_lanes::<false>(p, state, rng),
            Acceptance::Gibbs => self.anneal_lanes::<true>(p, state, rng),
        }
    }

    #[inline(always)]
    fn anneal_lanes<const GIBBS: bool>(
        &self,
        p: &AnnealParams,
        state: &mut [[f32; LANES]],
        rng: &mut LaneRng<LANES>,
    ) {
        let mut thresholds = Thresholds::<GIBBS>::new(rng);
        for &beta in p.betas {
            let beta = beta as f32;
            for _ in 0..p.sweeps_per_beta {
                self.sweep(beta, state, &mut thresholds);
            }
        }
    }

    #[inline(always)]
    fn sweep<const GIBBS: bool>(
        &self,
        beta: f32,
        state: &mut [[f32; LANES]],
        thresholds: &mut Thresholds<GIBBS>,
    ) {
        let (lo_t, hi_t) = (thresholds.min, thresholds.max);
        for &i in &self.free {
            let i = i as usize;
            let (lo, hi) = (self.offsets[i], self.offsets[i + 1]);
            // Two partial sums halve the chain of dependent additions.
            let mut even = [self.h[i]; LANES];
            let mut odd = [0f32; LANES];
            let nbr = &self.nbr[lo..hi];
            let weight = &self.weight[lo..hi];
            for (js, ws) in nbr.chunks_exact(2).zip(weight.chunks_exact(2)) {
                let (a, b) = (&state[js[0] as usize], &state[js[1] as usize]);
                for l in 0..LANES {
                    even[l] += ws[0] * a[l];
                    odd[l] += ws[1] * b[l];
                }
            }
            if nbr.len() % 2 == 1 {
                let (j, w) = (nbr[nbr.len() - 1] as usize, weight[nbr.len() - 1]);
                for l in 0..LANES {
                    even[l] += w * state[j][l];
                }
            }
            let field: [f32; LANES] = std::array::from_fn(|l| even[l] + odd[l]);
            let si = &mut state[i];
            let mut x = [0f32; LANES];
            let mut undecided = 0u32;
            for l in 0..LANES {
                // Flipping s_i changes E by -2 s_i field_i.
                x[l] = beta * (-2.0 * si[l] * field[l]);
                undecided |= ((x[l] >= lo_t) & (x[l] < hi_t)) as u32;
            }
            // A lane whose x lies outside [min, max) has the same outcome for
            // every threshold, so the current block row is consumed only when
            // some lane's outcome depends on it; this keeps the loop free of
            // unpredictable branches and skips the logarithms in cold sweeps.
            let t = thresholds.current();
            let flip: [bool; LANES] = std::array::from_fn(|l| x[l] < t[l]);
            thresholds.advance(undecided != 0);
            for l in 0..LANES {
                // Flip by the sign bit and always store the whole row: a
                // masked store would stall the next spin's loads.
                si[l] = f32::from_bits(si[l].to_bits() ^ ((flip[l] as u32) << 31));
            }
        }
    }

    /// One read with a random spin chosen for every update.
    fn random_order_read(&self, p: &AnnealParams, r: usize) -> Vec<i8> {
        let mut rng = Xoshiro256::for_stream(p.seed, r as u64);
        let mut s: Vec<f32> = self
            .start(p, r, &mut rng)
            .iter()
            .map(|&v| v as f32)
            .collect();
        let nfree = self.free.len() as u64;
        if nfree > 0 {
            for &beta in p.betas {
                let beta = beta as f32;
                for _ in 0..p.sweeps_per_beta * self.free.len() {
                    let i = self.free[rng.below(nfree) as usize] as usize;
                    let mut field = self.h[i];
                    let (lo, hi) = (self.offsets[i], self.offsets[i + 1]);
                    for (&j, &w) in self.nbr[lo..hi].iter().zip(&self.weight[lo..hi]) {
                        field += w * s[j as usize];
                    }
                    let delta = (-2.0 * s[i] * field) as f64;
                    let u = 1.0 - rng.next_f64(); // (0, 1]
                    let flip = match p.acceptance {
                        Acceptance::Metropolis => beta as f64 * delta < -u.ln(),
                        Acceptance::Gibbs => u * (1.0 + (beta as f64 * delta).exp()) < 1.0,
                    };
                    if flip {
                        s[i] = -s[i];
                    }
                }
            }
        }
        s.iter().map(|&v| if v > 0.0 { 1 } else { -1 }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(n: usize, j: f64) -> IsingGraph {
        let irow: Vec<i64> = (0..n as i64).collect();
        let icol: Vec<i64> = (0..n as i64).map(|i| (i + 1) % n as i64).collect();
        IsingGraph::new(&vec![0.1; n], &irow, &icol, &vec![j; n]).unwrap()
    }

    fn params(betas: &[f64]) -> AnnealParams<'_> {
        AnnealParams {
            betas,
            sweeps_per_beta: 1,
            num_reads: 13,
            seed: 5,
            initial_states: None,
            clamp: None,
            acceptance: Acceptance::Metropolis,
            randomize_order: false,
            num_threads: 1,
        }
    }

    #[test]
    fn cold_ferromagnet_reaches_ground_state() {
        let g = ring(40, -1.0);
        let betas: Vec<f64> = (0..300).map(|k| 0.1 + 5.0 * k as f64 / 300.0).collect();
        for randomize_order in [false, true] {
            let p = AnnealParams {
                randomize_order,
                ..params(&betas)
            };
            let out = anneal(&g, &p).unwrap();
            let e = g.energies(&out).unwrap();
            let ground = -40.0 - 0.1 * 40.0;
            let hits = e.iter().filter(|&&v| (v - ground).abs() < 1e-9).count();
            assert!(
                hits >= 10,
                "{hits} of 13 reads reached the ground state: {e:?}"
            );
        }
    }

    #[test]
    fn seed_fixes_samples_for_any_thread_count() {
        let g = ring(30, 0.7);
        let betas = [0.5, 1.0];
        for randomize_order in [false, true] {
            let one = anneal(
                &g,
                &AnnealParams {
                    randomize_order,
                    num_threads: 1,
                    ..params(&betas)
                },
            );
            let two = anneal(
                &g,
                &AnnealParams {
                    randomize_order,
                    num_threads: 3,
                    ..params(&betas)
                },
            );
            assert_eq!(one.unwrap(), two.unwrap());
        }
        let other = anneal(
            &g,
            &AnnealParams {
                seed: 6,
                ..params(&betas)
            },
        )
        .unwrap();
        assert_ne!(anneal(&g, &params(&betas)).unwrap(), other);
    }

    #[test]
    fn simd_and_baseline_builds_agree_bit_for_bit() {
        let g = ring(50, 0.3);
        let betas: Vec<f64> = (0..20).map(|k| 0.05 * k as f64).collect();
        let p = params(&betas);
        let kernel = Kernel::new(&g, None);
        let fresh = || {
            let mut state = vec![[0f32; LANES]; 50];
            for (i, s) in state.iter_mut().enumerate() {
                for (l, v) in s.iter_mut().enumerate() {
                    *v = if (i * 7 + l * 3) % 5 < 2 { 1.0 } else { -1.0 };
                }
            }
            (state, LaneRng::<LANES>::for_reads(1, 0))
        };
        let (mut a, mut ra) = fresh();
        kernel.run_sequential_body(&p, &mut a, &mut ra);
        let (mut b, mut rb) = fresh();
        kernel.run_sequential(&p, &mut b, &mut rb);
        assert_eq!(a, b);
    }

    #[test]
    fn clamped_spins_never_flip_and_initial_states_are_used() {
        let g = ring(12, -1.0);
        let mut clamp = vec![0i8; 12];
        clamp[3] = -1;
        clamp[7] = 1;
        let init = vec![1i8; 13 * 12];
        let betas = [0.0; 5]; // infinite temperature: every free spin flips often
        for randomize_order in [false, true] {
            let p = AnnealParams {
                clamp: Some(&clamp),
                randomize_order,
                ..params(&betas)
            };
            let out = anneal(&g, &p).unwrap();
            for row in out.chunks(12) {
                assert_eq!((row[3], row[7]), (-1, 1));
            }
            // With no sweeps the initial states come back unchanged.
            let p0 = AnnealParams {
                betas: &[],
                initial_states: Some(&init),
                ..p
            };
            let back = anneal(&g, &p0).unwrap();
            assert!(back.chunks(12).all(|r| r[3] == -1 && r[7] == 1));
            assert_eq!(back.iter().filter(|&&v| v == 1).count(), 13 * 11);
        }
    }

    #[test]
    fn bad_parameters_are_refused() {
        let g = ring(4, 1.0);
        let betas = [1.0];
        assert!(anneal(
            &g,
            &AnnealParams {
                num_reads: 0,
                ..params(&betas)
            }
        )
        .is_err());
        assert!(anneal(
            &g,
            &AnnealParams {
                sweeps_per_beta: 0,
                ..params(&betas)
            }
        )
        .is_err());
        assert!(anneal(
            &g,
            &AnnealParams {
                betas: &[-1.0],
                ..params(&betas)
            }
        )
        .is_err());
        assert!(anneal(
            &g,
            &AnnealParams {
                betas: &[f64::NAN],
                ..params(&betas)
            }
        )
        .is_err());
        let short = [1i8; 3];
        assert!(anneal(
            &g,
            &AnnealParams {
                initial_states: Some(&short),
                ..params(&betas)
            }
        )
        .is_err());
        let clamp = [0i8, 2, 0, 0];
        assert!(anneal(
            &g,
            &AnnealParams {
                clamp: Some(&clamp),
                ..params(&betas)
            }
        )
        .is_err());
    }
}
