//! Annealed importance sampling (Neal, "Annealed importance sampling",
//! Statistics and Computing 11, 2001): log Z(beta) of an Ising model of any
//! size, with an error bar.
//!
//! The distributions p_k(x) ∝ exp(-beta_k E(x)), 0 = beta_0 < ... < beta_K,
//! bridge the uniform distribution (Z_0 = the number of states) and the
//! target. Each run draws x_0 uniformly, then for k = 1..K adds
//! -(beta_k - beta_(k-1)) E(x_(k-1)) to its log-weight and moves x_(k-1) to
//! x_k by sweeps of the shared kernel at beta_k (Metropolis or heat bath:
//! both leave p_k invariant). Then E[w] = Z / Z_0, so
//! log Z = log Z_0 + log mean w, computed in log space.
//!
//! The same runs work on restricted state sets: fixed spins (Z over the free
//! spins, with the energy of the whole state) and chain majorities
//! (`ChainMajority`: Z over the states whose chains decode to given values),
//! with Z_0 the number of allowed states.
//!
//! With chain majorities the path may also pull the chains towards their
//! values: p_k(x) ∝ exp(-beta_k E(x) - lambda_k D(x)) on the allowed set,
//! D(x) the number of chained spins against their chain's value, and the
//! increments gain -(lambda_k - lambda_(k-1)) D(x_(k-1)). Started from a given
//! state x_0 (every run the same) instead of uniform draws, the runs estimate
//! Z_K / Z_0 with Z_0 taken as p*_0(x_0) = exp(-beta_0 E(x_0) - lambda_0 D(x_0)):
//! right when p_0 is concentrated on x_0 (a strong pull to the aligned
//! state), and low by -log p_0(x_0) otherwise.
//!
//! Run r of a seed is a pure function of (seed, r, model, schedule): runs are
//! grouped into SIMD lanes by their absolute index (group g holds runs
//! 16g .. 16g + 15; lanes not asked for are run and discarded), with the
//! read keys and start streams of `anneal`. So thread counts and
//! `run_offset` never change a weight.

use rayon::prelude::*;

use crate::chain_majority::{restricted_lane_sweep, ChainMajority, UniformStart};
use crate::error::{Error, Result};
use crate::graph::IsingGraph;
use crate::kernel::{
    choose_precision, lane_sweep, multiversion, Acceptance, KernelModel, Lanes, Precision,
    PrecisionRequest, Real, LANES, TOLERANCE,
};
use crate::resources::{check_threads, try_filled, with_threads, Stop};
use crate::rng::{ReadKeys, Xoshiro256};
use crate::samples::Samples;

#[derive(Clone, Debug)]
pub struct AisParams<'a> {
    /// beta_0, beta_1, ..., beta_K: finite and non-negative; beta_0 = 0
    /// unless a start state is given.
    pub betas: &'a [f64],
    /// lambda_0, ..., lambda_K (one per beta; needs `majority`): the pull
    /// towards the chains' values. None: no pull.
    pub pulls: Option<&'a [f64]>,
    /// Every run starts from this state (±1 per spin) instead of a uniform draw.
    pub start: Option<&'a [i8]>,
    /// Sweeps of the kernel at each beta_k (k >= 1).
    pub sweeps_per_beta: usize,
    pub num_runs: usize,
    /// Absolute index of the first run: runs `run_offset ..` of the seed.
    pub run_offset: u64,
    pub seed: u64,
    /// Per spin: 0 free, +1 or -1 held at that value.
    pub fixed: Option<&'a [i8]>,
    /// Count only the states whose chains have these majorities.
    pub majority: Option<&'a ChainMajority>,
    pub acceptance: Acceptance,
    pub precision: PrecisionRequest,
    /// 0: all cores.
    pub num_threads: usize,
    /// Return each run's final state (a draw of p_K, to be weighted by w).
    pub keep_states: bool,
    /// Return each run's energies E(x_(k-1)), k = 1..K: how much the weight
    /// increments vary along the schedule (what an adapted schedule follows).
    pub keep_energies: bool,
}

impl<'a> AisParams<'a> {
    /// Defaults for everything but the schedule, the run count and the seed.
    pub fn new(betas: &'a [f64], num_runs: usize, seed: u64) -> Self {
        AisParams {
            betas,
            pulls: None,
            start: None,
            sweeps_per_beta: 1,
            num_runs,
            run_offset: 0,
            seed,
            fixed: None,
            majority: None,
            acceptance: Acceptance::Metropolis,
            precision: PrecisionRequest::Auto,
            num_threads: 0,
            keep_states: false,
            keep_energies: false,
        }
    }
}

/// The runs of one call.
pub struct AisRuns {
    /// log w of every run, in run order.
    pub log_weights: Vec<f64>,
    /// log Z_0: the log of the number of states the runs start from, or
    /// log p*_0(x_0) for a given start.
    pub log_base: f64,
    /// Final states (num_runs x n) when asked for.
    pub states: Option<Samples>,
    /// Energies (num_runs x K, row per run) when asked for.
    pub energies: Option<Vec<f64>>,
    pub precision: Precision,
}

impl AisRuns {
    pub fn estimate(&self) -> Result<AisEstimate> {
        summarise(self.log_base, &self.log_weights)
    }
}

/// log Z with its error bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AisEstimate {
    /// log Z_0 + log mean w.
    pub log_partition: f64,
    /// Delta-method standard error of log mean w: sd(w) / (mean(w) sqrt(R));
    /// infinite for one run. It is itself estimated from the weights, so it
    /// is trustworthy only when `effective_runs` is large (tens or more).
    pub std_error: f64,
    /// (sum w)^2 / sum w^2: how many equally weighted runs the weights are worth.
    pub effective_runs: f64,
    pub num_runs: usize,
}

/// log Z, its standard error and the effective number of runs from the
/// log-weights, without ever leaving log space for the overall scale.
pub fn summarise(log_base: f64, log_weights: &[f64]) -> Result<AisEstimate> {
    if log_weights.is_empty() {
        return Err(Error::value(
            "log_weights",
            "must hold at least one run: got none",
        ));
    }
    if let Some(r) = log_weights
        .iter()
        .position(|x| x.is_nan() || *x == f64::INFINITY)
    {
        return Err(Error::value(
            "log_weights",
            format!("must be finite or -inf: run {r} has {}", log_weights[r]),
        ));
    }
    let top = log_weights
        .iter()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return Err(Error::value(
            "log_weights",
            "are all -inf: every run has weight zero",
        ));
    }
    let r = log_weights.len() as f64;
    // Weights scaled by the largest: in (0, 1], the largest exactly 1.
    let w: Vec<f64> = log_weights.iter().map(|&x| (x - top).exp()).collect();
    let sum: f64 = w.iter().sum();
    let mean = sum / r;
    let squares: f64 = w.iter().map(|v| v * v).sum();
    let spread: f64 = w.iter().map(|v| (v - mean) * (v - mean)).sum();
    let std_error = if log_weights.len() > 1 {
        (spread / (r - 1.0) / r).sqrt() / mean
    } else {
        f64::INFINITY
    };
    Ok(AisEstimate {
        log_partition: log_base + top + mean.ln(),
        std_error,
        effective_runs: sum * sum / squares,
        num_runs: log_weights.len(),
    })
}

/// Run `num_runs` annealed importance sampling runs; `stop` is polled
/// between sweeps.
pub fn ais(graph: &IsingGraph, p: &AisParams, stop: &Stop) -> Result<AisRuns> {
    let n = graph.num_spins();
    validate(n, p)?;
    let start = match p.start {
        None => Start::Uniform(UniformStart::new(n, p.fixed, p.majority)?),
        Some(s) => Start::Given(s),
    };
    let log_base = match &start {
        Start::Uniform(u) => u.log_count(),
        Start::Given(s) => {
            let d = p.majority.map_or(0, |m| m.disagreements_of(s)) as f64;
            -p.betas[0] * graph.energy(s) - p.pulls.map_or(0.0, |q| q[0]) * d
        }
    };
    let mut log_weights = try_filled("num_runs", "log-weights", p.num_runs, 0.0f64)?;
    let mut states = if p.keep_states {
        Some(Samples::filled("num_runs", p.num_runs, n)?)
    } else {
        None
    };
    let steps = p.betas.len() - 1;
    let mut energies = if p.keep_energies {
        let len = p.num_runs.checked_mul(steps).ok_or_else(|| {
            Error::value(
                "num_runs",
                "times the number of steps overflows: too many energies",
            )
        })?;
        Some(try_filled("num_runs", "energies", len, 0.0f64)?)
    } else {
        None
    };
    let beta_max = p.betas.iter().cloned().fold(0.0, f64::max);
    let pull_max = p
        .pulls
        .map_or(0.0, |q| q.iter().cloned().fold(0.0, f64::max));
    // Adding the pull to beta dE rounds by up to pull * 2^-24 in single
    // precision: within the kernel's tolerance for any pull below ~10^4.
    let precision =
        if p.precision == PrecisionRequest::Auto && pull_max * f32::EPSILON as f64 > TOLERANCE {
            Precision::Double
        } else {
            choose_precision(graph, beta_max, p.precision)
        };
    let out = Outputs {
        log_weights: &mut log_weights,
        states: states.as_mut().map(Samples::as_mut_slice),
        energies: energies.as_deref_mut(),
    };
    match precision {
        Precision::Single => run::<f32>(graph, p, &start, out, stop)?,
        Precision::Double => run::<f64>(graph, p, &start, out, stop)?,
    }
    Ok(AisRuns {
        log_weights,
        log_base,
        states,
        energies,
        precision,
    })
}

fn validate(n: usize, p: &AisParams) -> Result<()> {
    Error::positive("num_runs", p.num_runs)?;
    Error::positive("sweeps_per_beta", p.sweeps_per_beta)?;
    check_threads(p.num_threads)?;
    if p.run_offset.checked_add(p.num_runs as u64).is_none() {
        return Err(Error::value(
            "run_offset",
            format!(
                "plus num_runs must stay below 2^64: value = {}",
                p.run_offset
            ),
        ));
    }
    if p.betas.is_empty() {
        return Err(Error::value(
            "betas",
            "must hold at least beta_0: got an empty schedule",
        ));
    }
    for (name, values) in [("betas", Some(p.betas)), ("pulls", p.pulls)] {
        let Some(values) = values else { continue };
        if let Some(k) = values.iter().position(|b| !(b.is_finite() && *b >= 0.0)) {
            return Err(Error::value(
                name,
                format!(
                    "must hold finite non-negative values: {name}[{k}] = {}",
                    values[k]
                ),
            ));
        }
        if p.start.is_none() && values.first().is_some_and(|&v| v != 0.0) {
            return Err(Error::value(
                name,
                format!(
                    "must start at 0 (the uniform distribution the runs start from) unless a \
                     start state is given: {name}[0] = {}",
                    values[0]
                ),
            ));
        }
    }
    if let Some(m) = p.majority {
        if m.num_spins() != n {
            return Err(Error::shape(
                "chain_of_spin",
                format!("expected {n} entries (one per spin), got {}", m.num_spins()),
            ));
        }
    }
    if let Some(q) = p.pulls {
        if p.majority.is_none() {
            return Err(Error::value(
                "pulls",
                "pull towards the chains' values: they need chain majorities",
            ));
        }
        if q.len() != p.betas.len() {
            return Err(Error::shape(
                "pulls",
                format!(
                    "expected {} values (one per beta), got {}",
                    p.betas.len(),
                    q.len()
                ),
            ));
        }
    }
    if let Some(s) = p.start {
        check_start(s, n, p)?;
    }
    Ok(())
}

/// A given start state must be a state the runs may visit.
fn check_start(s: &[i8], n: usize, p: &AisParams) -> Result<()> {
    if s.len() != n {
        return Err(Error::shape(
            "start",
            format!("expected {n} values (one per spin), got {}", s.len()),
        ));
    }
    if let Some(i) = s.iter().position(|&v| v != 1 && v != -1) {
        return Err(Error::value(
            "start",
            format!("must hold spins +1 or -1: spin {i} is {}", s[i]),
        ));
    }
    if let Some(f) = p.fixed {
        if let Some(i) = (0..n.min(f.len())).find(|&i| f[i] != 0 && f[i] != s[i]) {
            return Err(Error::value(
                "start",
                format!(
                    "must agree with the fixed spins: spin {i} is held at {}",
                    f[i]
                ),
            ));
        }
    }
    if p.majority.is_some_and(|m| !m.holds(s)) {
        return Err(Error::value(
            "start",
            "must give every chain its majority value",
        ));
    }
    Ok(())
}

/// Where the runs start.
enum Start<'a> {
    Uniform(UniformStart),
    Given(&'a [i8]),
}

impl Start<'_> {
    fn draw(&self, seed: u64, run: u64, out: &mut [i8]) {
        match self {
            Start::Uniform(u) => u.draw(&mut Xoshiro256::for_stream(seed, run), out),
            Start::Given(s) => out.copy_from_slice(s),
        }
    }
}
/// Where the runs write: a log-weight per run and, if asked, a state and
/// the energies of each run.
struct Outputs<'a> {
    log_weights: &'a mut [f64],
    states: Option<&'a mut [i8]>,
    energies: Option<&'a mut [f64]>,
}

/// One lane group: runs `first_run .. first_run + 16`, of which `lo .. hi`
/// are returned, into its own slices of the outputs.
struct Job<'a> {
    first_run: u64,
    lo: u64,
    hi: u64,
    log_weights: &'a mut [f64],
    states: Option<&'a mut [i8]>,
    energies: Option<&'a mut [f64]>,
}

/// The first `len` entries of `rest` (if any) for this job; `rest` keeps the others.
fn take_front<'a, V>(rest: &mut Option<&'a mut [V]>, len: usize) -> Option<&'a mut [V]> {
    rest.take().map(|s| {
        let (mine, tail) = s.split_at_mut(len);
        *rest = Some(tail);
        mine
    })
}

fn run<T: Real>(
    graph: &IsingGraph,
    p: &AisParams,
    start: &Start,
    out: Outputs,
    stop: &Stop,
) -> Result<()> {
    let model = KernelModel::<T>::new(graph, p.fixed)?;
    let n = graph.num_spins();
    let (first, end) = (p.run_offset, p.run_offset + p.num_runs as u64);
    let mut jobs = Vec::new();
    let steps = p.betas.len() - 1;
    let (mut weights, mut states, mut energies) = (Some(out.log_weights), out.states, out.energies);
    for g in first / LANES as u64..=(end - 1) / LANES as u64 {
        let first_run = g * LANES as u64;
        let (lo, hi) = (first.max(first_run), end.min(first_run + LANES as u64));
        let count = (hi - lo) as usize;
        jobs.push(Job {
            first_run,
            lo,
            hi,
            log_weights: take_front(&mut weights, count).unwrap_or_default(),
            states: take_front(&mut states, count * n),
            energies: take_front(&mut energies, count * steps),
        });
    }
    with_threads(p.num_threads, || {
        jobs.into_par_iter()
            .try_for_each(|job| group(&model, graph, p, start, job, stop))
    })?
}

fn group<T: Real>(
    m: &KernelModel<T>,
    graph: &IsingGraph,
    p: &AisParams,
    start: &Start,
    job: Job,
    stop: &Stop,
) -> Result<()> {
    let n = m.num_spins();
    let mut state: Vec<Lanes<T>> = try_filled("num_spins", "SIMD state", n, [T::ZERO; LANES])?;
    let mut row = vec![0i8; n];
    for l in 0..LANES {
        let run = job.first_run + l as u64;
        start.draw(p.seed, run, &mut row);
        for (s, &v) in state.iter_mut().zip(&row) {
            s[l] = T::ONE.flip_if(v < 0);
        }
    }
    let mut agree = match p.majority {
        Some(c) => c.agreement(&state)?,
        None => Vec::new(),
    };
    let keys: [ReadKeys; LANES] =
        std::array::from_fn(|l| ReadKeys::new(p.seed, job.first_run + l as u64));
    let mut log_w = [0.0f64; LANES];
    let steps = p.betas.len() - 1;
    let mut trace = if job.energies.is_some() {
        try_filled("num_runs", "energies", steps, [0.0f64; LANES])?
    } else {
        Vec::new()
    };
    let g = GroupRun {
        model: m,
        graph,
        majority: p.majority,
        betas: p.betas,
        pulls: p.pulls,
        per_beta: p.sweeps_per_beta,
        keys: &keys,
    };
    match p.acceptance {
        Acceptance::Metropolis => {
            anneal_group::<T, false>(&g, &mut state, &mut agree, &mut log_w, &mut trace, stop)?
        }
        Acceptance::Gibbs => {
            anneal_group::<T, true>(&g, &mut state, &mut agree, &mut log_w, &mut trace, stop)?
        }
    }
    let lo = (job.lo - job.first_run) as usize;
    let count = (job.hi - job.lo) as usize;
    job.log_weights.copy_from_slice(&log_w[lo..lo + count]);
    if let Some(rows) = job.energies {
        for k in 0..count {
            for (v, e) in rows[k * steps..(k + 1) * steps].iter_mut().zip(&trace) {
                *v = e[lo + k];
            }
        }
    }
    if let Some(rows) = job.states {
        for k in 0..count {
            for (v, s) in rows[k * n..(k + 1) * n].iter_mut().zip(&state) {
                *v = if s[lo + k] > T::ZERO { 1 } else { -1 };
            }
        }
    }
    Ok(())
}

/// What the annealing of one lane group reads.
struct GroupRun<'a, T> {
    model: &'a KernelModel<T>,
    graph: &'a IsingGraph,
    majority: Option<&'a ChainMajority>,
    betas: &'a [f64],
    pulls: Option<&'a [f64]>,
    per_beta: usize,
    keys: &'a [ReadKeys; LANES],
}

/// Energies E(x) of the 16 lane states, in double precision from the
/// model's own parameters (the kernel's normalised, possibly single, copy is
/// for the sweeps only): the weights sum K of them.
#[inline(always)]
fn lane_energies<T: Real>(g: &IsingGraph, state: &[Lanes<T>]) -> Lanes<f64> {
    let mut e = [0.0f64; LANES];
    for (&h, s) in g.h().iter().zip(state) {
        for l in 0..LANES {
            e[l] += h * s[l].to_f64();
        }
    }
    for (&(a, b), &w) in g.edges().iter().zip(g.couplings()) {
        let (sa, sb) = (&state[a as usize], &state[b as usize]);
        for l in 0..LANES {
            e[l] += w * (sa[l] * sb[l]).to_f64();
        }
    }
    e
}

#[inline(always)]
fn anneal_group_body<T: Real, const GIBBS: bool>(
    g: &GroupRun<'_, T>,
    state: &mut [Lanes<T>],
    agree: &mut [Lanes<i32>],
    log_w: &mut Lanes<f64>,
    trace: &mut [Lanes<f64>],
    stop: &Stop,
) -> Result<()> {
    let mut t = 0u64;
    for k in 1..g.betas.len() {
        // log p*_k(x_(k-1)) - log p*_(k-1)(x_(k-1)), then x_k from x_(k-1).
        let step = g.betas[k] - g.betas[k - 1];
        if step != 0.0 || !trace.is_empty() {
            let e = lane_energies(g.graph, state);
            for l in 0..LANES {
                log_w[l] -= step * e[l];
            }
            if let Some(row) = trace.get_mut(k - 1) {
                *row = e;
            }
        }
        let mut pull = T::ZERO;
        if let (Some(q), Some(c)) = (g.pulls, g.majority) {
            let step = q[k] - q[k - 1];
            if step != 0.0 {
                let d = c.disagreements(agree);
                for l in 0..LANES {
                    log_w[l] -= step * d[l];
                }
            }
            pull = T::from_f64(q[k]);
        }
        let beta = [g.model.beta(g.betas[k]); LANES];
        for _ in 0..g.per_beta {
            stop.check()?;
            let keys: Lanes<u32> = std::array::from_fn(|l| g.keys[l].sweep(t));
            match g.majority {
                Some(c) => {
                    restricted_lane_sweep::<T, GIBBS>(g.model, c, &beta, pull, state, agree, &keys)
                }
                None => lane_sweep::<T, GIBBS>(g.model, &beta, state, &keys),
            }
            t += 1;
        }
    }
    Ok(())
}

multiversion!(
    fn anneal_group [T: Real, const GIBBS: bool] [T, GIBBS] (
        g: &GroupRun<'_, T>,
        state: &mut [Lanes<T>],
        agree: &mut [Lanes<i32>],
        log_w: &mut Lanes<f64>,
        trace: &mut [Lanes<f64>],
        stop: &Stop,
    ) -> Result<()> => anneal_group_body
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::{log_sum_exp, Enumerator};

    /// A frustrated glass: a ring with chords (odd cycles), random fields.
    fn glass(n: usize, seed: u64, scale: f64) -> IsingGraph {
        let mut rng = Xoshiro256::for_stream(seed, 0);
        let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
        for i in 0..n {
            for d in [1, 3] {
                ir.push(i as i64);
                ic.push(((i + d) % n) as i64);
                j.push(scale * (rng.next_f64() * 2.0 - 1.0));
            }
        }
        let h: Vec<f64> = (0..n).map(|_| scale * (rng.next_f64() - 0.5)).collect();
        IsingGraph::new(&h, &ir, &ic, &j).unwrap()
    }

    fn linear(k: usize, beta: f64) -> Vec<f64> {
        (0..=k).map(|i| beta * i as f64 / k as f64).collect()
    }

    /// log of sum over the states `keep` accepts of exp(-beta E), by brute force.
    fn brute_log_z(g: &IsingGraph, beta: f64, keep: impl Fn(&[i8]) -> bool) -> f64 {
        let n = g.num_spins();
        let terms: Vec<f64> = (0..1u64 << n)
            .map(|b| {
                (0..n)
                    .map(|i| if b >> i & 1 == 1 { 1i8 } else { -1 })
                    .collect::<Vec<i8>>()
            })
            .filter(|s| keep(s))
            .map(|s| -beta * g.energy(&s))
            .collect();
        log_sum_exp(&terms)
    }

    fn estimate(g: &IsingGraph, p: &AisParams) -> AisEstimate {
        ais(g, p, Stop::never()).unwrap().estimate().unwrap()
    }

    #[test]
    fn agrees_with_enumeration_within_its_error_bar() {
        for (seed, n, scale, beta) in [(1u64, 14usize, 1.0, 1.0), (2, 12, 2.0, 1.5)] {
            let g = glass(n, seed, scale);
            let exact = Enumerator::new(&g, beta)
                .unwrap()
                .log_partition(Stop::never())
                .unwrap();
            let betas = linear(1000, beta);
            for acceptance in [Acceptance::Metropolis, Acceptance::Gibbs] {
                let p = AisParams {
                    acceptance,
                    ..AisParams::new(&betas, 160, 7)
                };
                let e = estimate(&g, &p);
                let err = (e.log_partition - exact).abs();
                assert!(
                    err < 4.0 * e.std_error + 1e-3 && err < 0.05,
                    "{acceptance:?}, n = {n}: {} vs exact {exact} (se {})",
                    e.log_partition,
                    e.std_error
                );
                assert!(e.std_error < 0.05 && e.effective_runs > 50.0, "{e:?}");
            }
        }
    }

    #[test]
    fn fixed_spins_give_the_conditional_partition_function() {
        let g = glass(11, 3, 1.0);
        let mut fixed = vec![0i8; 11];
        fixed[2] = 1;
        fixed[7] = -1;
        let exact = brute_log_z(&g, 0.8, |s| s[2] == 1 && s[7] == -1);
        let betas = linear(300, 0.8);
        let p = AisParams {
            fixed: Some(&fixed),
            keep_states: true,
            ..AisParams::new(&betas, 96, 1)
        };
        let runs = ais(&g, &p, Stop::never()).unwrap();
        assert!((runs.log_base - 9.0 * std::f64::consts::LN_2).abs() < 1e-12);
        let e = runs.estimate().unwrap();
        assert!(
            (e.log_partition - exact).abs() < 4.0 * e.std_error + 1e-3,
            "{e:?} vs {exact}"
        );
        let states = runs.states.unwrap();
        assert!(states.iter_rows().all(|s| s[2] == 1 && s[7] == -1));
    }

    /// Three chains of 3, 4 and 2 spins (the even ones can tie: a tie is
    /// outside the set) with bonds `bond` inside, two spins in no chain,
    /// random couplings between.
    fn chained(bond: f64) -> (IsingGraph, ChainMajority) {
        let n = 11;
        let chain_of = [0i64, 0, 0, 1, 1, 1, 1, 2, 2, -1, -1];
        let maj = ChainMajority::new(n, &chain_of, &[1, -1, -1]).unwrap();
        let mut rng = Xoshiro256::for_stream(5, 0);
        let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
        for a in 0..n {
            for b in a + 1..n {
                let same = chain_of[a] == chain_of[b] && chain_of[a] >= 0;
                if same || rng.next_f64() < 0.3 {
                    ir.push(a as i64);
                    ic.push(b as i64);
                    j.push(if same { bond } else { rng.next_f64() - 0.5 });
                }
            }
        }
        let h: Vec<f64> = (0..n).map(|_| rng.next_f64() - 0.5).collect();
        (IsingGraph::new(&h, &ir, &ic, &j).unwrap(), maj)
    }

    #[test]
    fn chain_majorities_restrict_the_sum() {
        let (g, maj) = chained(-1.5);
        let exact = brute_log_z(&g, 1.0, |s| maj.holds(s));
        let count = brute_log_z(&g, 0.0, |s| maj.holds(s));
        let betas = linear(300, 1.0);
        for acceptance in [Acceptance::Metropolis, Acceptance::Gibbs] {
            let p = AisParams {
                majority: Some(&maj),
                acceptance,
                keep_states: true,
                ..AisParams::new(&betas, 128, 2)
            };
            let runs = ais(&g, &p, Stop::never()).unwrap();
            assert!((runs.log_base - count).abs() < 1e-12);
            let e = runs.estimate().unwrap();
            assert!(
                (e.log_partition - exact).abs() < 4.0 * e.std_error + 1e-3,
                "{acceptance:?}: {e:?} vs {exact}"
            );
            assert!(runs.states.unwrap().iter_rows().all(|s| maj.holds(s)));
        }
    }

    /// From the aligned state, at the target beta, with the pull to the
    /// chains' values released: Z over the restricted set relative to the
    /// aligned state's weight.
    #[test]
    fn releasing_the_pull_from_the_aligned_state() {
        for bond in [-1.5, -0.4] {
            let (g, maj) = chained(bond);
            let aligned = [1i8, 1, 1, -1, -1, -1, -1, -1, -1, 1, -1];
            // Spins 9 and 10 are in no chain: not pulled, summed over in p_0.
            let pinned = brute_log_z(&g, 1.0, |s| s[..9] == aligned[..9]);
            let full = brute_log_z(&g, 1.0, |s| maj.holds(s));
            let strength = 40.0;
            let pulls: Vec<f64> = (0..=400)
                .rev()
                .map(|k| strength * k as f64 / 400.0)
                .collect();
            let betas = vec![1.0; pulls.len()];
            for acceptance in [Acceptance::Metropolis, Acceptance::Gibbs] {
                let p = AisParams {
                    majority: Some(&maj),
                    pulls: Some(&pulls),
                    start: Some(&aligned),
                    acceptance,
                    ..AisParams::new(&betas, 96, 4)
                };
                let runs = ais(&g, &p, Stop::never()).unwrap();
                assert_eq!(runs.log_base, -g.energy(&aligned));
                let e = runs.estimate().unwrap();
                // The start holds spins 9 and 10 at one value: p_0 puts weight
                // on all four of their values (no pull on them), so the
                // estimate is low by log(Z over them / the start's term).
                let start_share = -g.energy(&aligned) - pinned;
                let want = full + start_share;
                assert!(
                    (e.log_partition - want).abs() < 4.0 * e.std_error + 1e-3,
                    "bond {bond}, {acceptance:?}: {e:?} vs {want}"
                );
                assert!(runs.log_weights.iter().all(|&w| w >= 0.0));
            }
        }
    }

    #[test]
    fn a_huge_pull_runs_in_double_precision() {
        let (g, maj) = chained(-1.0);
        let aligned = [1i8, 1, 1, -1, -1, -1, -1, -1, -1, 1, -1];
        let betas = [0.5; 3];
        let run = |pulls: &[f64]| {
            let p = AisParams {
                majority: Some(&maj),
                pulls: Some(pulls),
                start: Some(&aligned),
                ..AisParams::new(&betas, 16, 1)
            };
            ais(&g, &p, Stop::never()).unwrap().precision
        };
        assert_eq!(run(&[30.0, 10.0, 0.0]), Precision::Single);
        assert_eq!(run(&[1e6, 10.0, 0.0]), Precision::Double);
    }

    #[test]
    fn weights_do_not_depend_on_threads_or_offsets() {
        let g = glass(30, 4, 1.0);
        let betas = linear(40, 1.0);
        let base = AisParams {
            num_threads: 1,
            ..AisParams::new(&betas, 40, 9)
        };
        let all = ais(&g, &base, Stop::never()).unwrap().log_weights;
        let threaded = AisParams {
            num_threads: 3,
            ..base.clone()
        };
        assert_eq!(ais(&g, &threaded, Stop::never()).unwrap().log_weights, all);
        let mut parts = Vec::new();
        for (off, len) in [(3u64, 5usize), (8, 13), (21, 19)] {
            let p = AisParams {
                run_offset: off,
                num_runs: len,
                ..base.clone()
            };
            parts.extend(ais(&g, &p, Stop::never()).unwrap().log_weights);
        }
        assert_eq!(&all[3..], &parts[..]);
        let other = AisParams {
            seed: 10,
            ..base.clone()
        };
        assert_ne!(ais(&g, &other, Stop::never()).unwrap().log_weights, all);
    }

    /// The energies returned are the ones the weights were made of, the
    /// first of them that of the start, and the last state is returned.
    #[test]
    fn energies_and_states_are_those_of_the_runs() {
        let g = glass(9, 6, 1.0);
        let betas = [0.0, 0.2, 0.2, 0.7, 1.1];
        let p = AisParams {
            keep_energies: true,
            keep_states: true,
            sweeps_per_beta: 2,
            ..AisParams::new(&betas, 21, 3)
        };
        let runs = ais(&g, &p, Stop::never()).unwrap();
        let energies = runs.energies.unwrap();
        let states = runs.states.unwrap();
        let start = UniformStart::new(9, None, None).unwrap();
        for r in 0..21 {
            let e = &energies[r * 4..(r + 1) * 4];
            let mut w = 0.0;
            for k in 1..betas.len() {
                w -= (betas[k] - betas[k - 1]) * e[k - 1];
            }
            assert_eq!(w, runs.log_weights[r], "run {r}");
            let mut s0 = vec![0i8; 9];
            start.draw(&mut Xoshiro256::for_stream(3, r as u64), &mut s0);
            assert_eq!(e[0], g.energy(&s0));
        }
        // The same runs without the extras: the same weights.
        let plain = AisParams {
            sweeps_per_beta: 2,
            ..AisParams::new(&betas, 21, 3)
        };
        let again = ais(&g, &plain, Stop::never()).unwrap();
        assert_eq!(again.log_weights, runs.log_weights);
        assert_eq!(states.rows(), 21);
    }

    #[test]
    fn summary_of_known_weights() {
        // Equal weights: no spread, every run counts.
        let e = summarise(2.0, &[-1.0; 8]).unwrap();
        assert!((e.log_partition - 1.0).abs() < 1e-12);
        assert_eq!((e.std_error, e.effective_runs, e.num_runs), (0.0, 8.0, 8));
        // Weights 1 and 3 (logs shifted far beyond exp's range): mean 2,
        // sd sqrt(2), se of the mean 1, relative se 1/2, ESS 16/10.
        let big = 5000.0;
        let e = summarise(0.0, &[big, big + 3f64.ln()]).unwrap();
        assert!((e.log_partition - (big + 2f64.ln())).abs() < 1e-9);
        assert!((e.std_error - 0.5).abs() < 1e-12);
        assert!((e.effective_runs - 1.6).abs() < 1e-12);
        assert_eq!(summarise(0.0, &[1.0]).unwrap().std_error, f64::INFINITY);
        // A run of weight zero counts as zero.
        let e = summarise(0.0, &[f64::NEG_INFINITY, 0.0]).unwrap();
        assert!((e.log_partition - 0.5f64.ln()).abs() < 1e-12);
        assert!(summarise(0.0, &[]).is_err());
        assert!(summarise(0.0, &[f64::NAN]).is_err());
        assert!(summarise(0.0, &[f64::NEG_INFINITY]).is_err());
    }

    #[test]
    fn bad_parameters_are_named() {
        let g = glass(6, 1, 1.0);
        let betas = linear(3, 1.0);
        let message = |p: AisParams| ais(&g, &p, Stop::never()).err().unwrap().to_string();
        let ok = AisParams::new(&betas, 4, 0);
        assert!(message(AisParams {
            num_runs: 0,
            ..ok.clone()
        })
        .contains("'num_runs'"));
        assert!(message(AisParams {
            sweeps_per_beta: 0,
            ..ok.clone()
        })
        .contains("'sweeps_per_beta'"));
        assert!(message(AisParams {
            betas: &[0.5, 1.0],
            ..ok.clone()
        })
        .contains("betas[0] = 0.5"));
        assert!(message(AisParams {
            betas: &[],
            ..ok.clone()
        })
        .contains("'betas'"));
        for bad in [f64::NAN, f64::INFINITY, -1.0] {
            let b = [0.0, bad];
            assert!(message(AisParams {
                betas: &b,
                ..ok.clone()
            })
            .contains("betas[1]"));
        }
        assert!(message(AisParams {
            run_offset: u64::MAX,
            ..ok.clone()
        })
        .contains("'run_offset'"));
        assert!(message(AisParams {
            num_threads: 100_000,
            ..ok.clone()
        })
        .contains("'num_threads'"));
        let short = ChainMajority::new(5, &[0; 5], &[1]).unwrap();
        assert!(message(AisParams {
            majority: Some(&short),
            ..ok.clone()
        })
        .contains("'chain_of_spin'"));
        let pulls = [0.0, 1.0, 0.0, 0.0];
        assert!(message(AisParams {
            pulls: Some(&pulls),
            ..ok.clone()
        })
        .contains("need chain majorities"));
        let maj = ChainMajority::new(6, &[0, 0, 0, 1, 1, 1], &[1, -1]).unwrap();
        assert!(message(AisParams {
            pulls: Some(&pulls[..3]),
            majority: Some(&maj),
            ..ok.clone()
        })
        .contains("one per beta"));
        let late = [1.0, 0.0, 0.0, 0.0];
        assert!(message(AisParams {
            pulls: Some(&late),
            majority: Some(&maj),
            ..ok.clone()
        })
        .contains("pulls[0] = 1"));
        let broken = [1i8, -1, -1, -1, -1, -1];
        assert!(message(AisParams {
            start: Some(&broken),
            majority: Some(&maj),
            ..ok.clone()
        })
        .contains("majority"));
        assert!(message(AisParams {
            start: Some(&broken[..5]),
            ..ok.clone()
        })
        .contains("'start'"));
        let held = [0i8, 0, 1, 0, 0, 0];
        assert!(message(AisParams {
            start: Some(&broken),
            fixed: Some(&held),
            ..ok.clone()
        })
        .contains("spin 2 is held at 1"));
        let e = ais(
            &g,
            &AisParams {
                num_runs: usize::MAX / 2,
                ..ok.clone()
            },
            Stop::never(),
        );
        assert!(matches!(e, Err(Error::OutOfMemory { .. })));
        let stop = Stop::new();
        stop.request();
        let long = linear(100_000, 1.0);
        let e = ais(&g, &AisParams::new(&long, 4, 0), &stop).err();
        assert_eq!(e, Some(Error::Interrupted));
    }
}
