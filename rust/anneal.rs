//! Simulated annealing: independent reads, each swept through a schedule of
//! inverse temperatures by the shared kernel.
//!
//! Read r of a seed is a pure function of (seed, r, model, schedule): reads
//! are grouped into SIMD lanes by their absolute index (group g holds reads
//! 16g .. 16g + 15), a group only partly requested runs either whole (extra
//! lanes discarded) or read by read with the spin-parallel kernel, whichever
//! is cheaper — both give the same samples. So `read_offset` splits a job
//! across calls, threads or machines without changing any sample.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::graph::IsingGraph;
use crate::kernel::{
    choose_precision, lane_sweep_ahead, multiversion, spin_sweep, Acceptance, KernelModel,
    LaneRows, Lanes, Precision, PrecisionRequest, Real, SpinGroups, LANES,
};
use crate::resources::{check_task_list, check_threads, with_threads, Stop};
use crate::rng::{ReadKeys, Xoshiro256};
use crate::samples::Samples;
use crate::team::{run_member, Outcome, SharedRows, TeamPlan, TeamSync};

#[derive(Clone, Debug)]
pub struct AnnealParams<'a> {
    /// Inverse temperatures, one per step of the schedule (+inf allowed: a
    /// zero-temperature quench).
    pub betas: &'a [f64],
    pub sweeps_per_beta: usize,
    pub num_reads: usize,
    /// Absolute index of the first read: reads `read_offset ..` of the seed.
    pub read_offset: u64,
    pub seed: u64,
    /// `num_reads` starting states; uniformly random when `None`.
    pub initial_states: Option<&'a Samples>,
    /// Per spin: 0 free, +1 or -1 held at that value (never updated).
    pub fixed: Option<&'a [i8]>,
    pub acceptance: Acceptance,
    /// Pick a random spin for every update instead of sweeping in order.
    pub randomize_order: bool,
    pub precision: PrecisionRequest,
    /// 0: all cores.
    pub num_threads: usize,
}

impl<'a> AnnealParams<'a> {
    /// Defaults for everything but the schedule and the read count.
    pub fn new(betas: &'a [f64], num_reads: usize, seed: u64) -> Self {
        AnnealParams {
            betas,
            sweeps_per_beta: 1,
            num_reads,
            read_offset: 0,
            seed,
            initial_states: None,
            fixed: None,
            acceptance: Acceptance::Metropolis,
            randomize_order: false,
            precision: PrecisionRequest::Auto,
            num_threads: 0,
        }
    }
}

pub struct Annealed {
    pub samples: Samples,
    pub precision: Precision,
}

/// Anneal `num_reads` reads; `stop` is polled between sweeps.
pub fn anneal(graph: &IsingGraph, p: &AnnealParams, stop: &Stop) -> Result<Annealed> {
    let n = graph.num_spins();
    validate(n, p)?;
    let mut samples = Samples::filled("num_reads", p.num_reads, n)?;
    let beta_max = p.betas.iter().cloned().fold(0.0, f64::max);
    let precision = choose_precision(graph, beta_max, p.precision);
    if n == 0 {
        // Reads of nothing: no work, and no task list as long as the reads.
        return Ok(Annealed { samples, precision });
    }
    check_task_list("num_reads", p.num_reads, std::mem::size_of::<Task>())?;
    match precision {
        Precision::Single => run::<f32>(graph, p, &mut samples, stop)?,
        Precision::Double => run::<f64>(graph, p, &mut samples, stop)?,
    }
    Ok(Annealed { samples, precision })
}

fn validate(n: usize, p: &AnnealParams) -> Result<()> {
    Error::positive("num_reads", p.num_reads)?;
    Error::positive("num_sweeps_per_beta", p.sweeps_per_beta)?;
    check_threads(p.num_threads)?;
    if p.read_offset.checked_add(p.num_reads as u64).is_none() {
        return Err(Error::value(
            "read_offset",
            format!(
                "plus num_reads must stay below 2^64: value = {}",
                p.read_offset
            ),
        ));
    }
    if let Some(k) = p.betas.iter().position(|b| b.is_nan() || *b < 0.0) {
        return Err(Error::value(
            "beta_schedule",
            format!("must hold non-negative values: beta[{k}] = {}", p.betas[k]),
        ));
    }
    if let Some(s) = p.initial_states {
        if s.rows() != p.num_reads || s.cols() != n {
            return Err(Error::shape(
                "initial_states",
                format!(
                    "expected {} x {n} values, got {} x {}",
                    p.num_reads,
                    s.rows(),
                    s.cols()
                ),
            ));
        }
    }
    Ok(())
}

/// A unit of work: one lane group (reads `first_read .. first_read + 16`,
/// of which `lo .. hi` are returned) or one read by the spin kernel, or one
/// read in random order.
#[derive(Clone, Copy, Debug)]
enum Task {
    Lanes { first_read: u64, lo: u64, hi: u64 },
    Single { read: u64 },
    RandomOrder { read: u64 },
}

impl Task {
    fn rows(&self) -> usize {
        match *self {
            Task::Lanes { lo, hi, .. } => (hi - lo) as usize,
            _ => 1,
        }
    }
}

fn run<T: Real>(
    graph: &IsingGraph,
    p: &AnnealParams,
    out: &mut Samples,
    stop: &Stop,
) -> Result<()> {
    let model = KernelModel::<T>::new(graph, p.fixed)?;
    let n = graph.num_spins();
    let (start, end) = (p.read_offset, p.read_offset + p.num_reads as u64);
    let mut tasks = Vec::new();
    let mut groups: Option<SpinGroups<T>> = None;
    if p.randomize_order {
        tasks.extend((start..end).map(|read| Task::RandomOrder { read }));
    } else {
        let lane_cost = model.lane_sweep_cost();
        let first_group = start / LANES as u64;
        let last_group = (end - 1) / LANES as u64;
        for g in first_group..=last_group {
            let first_read = g * LANES as u64;
            let (lo, hi) = (start.max(first_read), end.min(first_read + LANES as u64));
            let count = (hi - lo) as f64;
            let single = count < LANES as f64 && {
                let groups = groups.get_or_insert_with(|| SpinGroups::new(&model));
                count * groups.read_sweep_cost() < lane_cost
            };
            if single {
                tasks.extend((lo..hi).map(|read| Task::Single { read }));
            } else {
                tasks.push(Task::Lanes { first_read, lo, hi });
            }
        }
    }
    // Each task owns the output rows of its reads.
    let mut jobs: Vec<(Task, &mut [i8])> = Vec::with_capacity(tasks.len());
    let mut rest = out.as_mut_slice();
    for task in tasks {
        let (mine, tail) = rest.split_at_mut(task.rows() * n);
        jobs.push((task, mine));
        rest = tail;
    }
    let groups = groups.as_ref();
    with_threads(p.num_threads, || {
        let threads = rayon::current_num_threads();
        let all_lanes = jobs.iter().all(|(t, _)| matches!(t, Task::Lanes { .. }));
        let sweeps = p.betas.len() * p.sweeps_per_beta;
        let teams_help =
            all_lanes && sweeps * n >= TEAM_MIN_WORK && model.num_free() >= TEAM_MIN_SPINS;
        // The lane groups that do not fill a last round over the threads are
        // shared by teams once the rest are done (3 groups on 2 threads: one
        // each, then the third by both; alone, the third would leave a core
        // idle for a third of the time).
        let left = if teams_help { jobs.len() % threads } else { 0 };
        let team = threads / left.max(1);
        let shared = if team > 1 {
            jobs.split_off(jobs.len() - left)
        } else {
            Vec::new()
        };
        let run_job = |(task, rows): (Task, &mut [i8]), team: usize| match task {
            Task::Lanes { first_read, lo, hi } if team > 1 => {
                lane_task_team(&model, p, first_read, lo, hi, rows, stop, team)
            }
            Task::Lanes { first_read, lo, hi } => {
                lane_task(&model, p, first_read, lo, hi, rows, stop)
            }
            Task::Single { read } => match groups {
                Some(g) => single_task(&model, g, p, read, rows, stop),
                None => Err(Error::Internal("spin groups missing".into())),
            },
            Task::RandomOrder { read } => random_order_task(&model, p, read, rows, stop),
        };
        jobs.into_par_iter().try_for_each(|job| run_job(job, 1))?;
        shared
            .into_par_iter()
            .try_for_each(|job| run_job(job, team))
    })?
}

/// The starting state of `read`: the given one if the read was requested
/// with initial states, else uniformly random from the read's own stream;
/// fixed spins take their value either way.
fn start_state<T: Real>(
    m: &KernelModel<T>,
    p: &AnnealParams,
    read: u64,
    rng: &mut Xoshiro256,
) -> Vec<T> {
    let n = m.num_spins();
    let requested = read >= p.read_offset && read < p.read_offset + p.num_reads as u64;
    let mut s: Vec<T> = match p.initial_states {
        Some(init) if requested => init
            .row((read - p.read_offset) as usize)
            .iter()
            .map(|&v| if v > 0 { T::ONE } else { T::ONE.flip_if(true) })
            .collect(),
        _ => (0..n).map(|_| T::ONE.flip_if(rng.spin() < 0)).collect(),
    };
    for (i, v) in s.iter_mut().enumerate() {
        match m.fixed_value(i) {
            1 => *v = T::ONE,
            -1 => *v = T::ONE.flip_if(true),
            _ => {}
        }
    }
    s
}

fn write_row<T: Real>(row: &mut [i8], state: impl Iterator<Item = T>) {
    for (r, v) in row.iter_mut().zip(state) {
        *r = if v > T::ZERO { 1 } else { -1 };
    }
}

/// The starting states of the 16 reads of a group, lane by lane, and their keys.
fn lane_start<T: Real>(
    m: &KernelModel<T>,
    p: &AnnealParams,
    first_read: u64,
) -> Result<(LaneRows<T>, [ReadKeys; LANES])> {
    let n = m.num_spins();
    let mut state = LaneRows::filled("num_spins", n, [T::ZERO; LANES])?;
    for l in 0..LANES {
        let read = first_read + l as u64;
        let s = start_state(m, p, read, &mut Xoshiro256::for_stream(p.seed, read));
        for (row, v) in state.iter_mut().zip(s) {
            row[l] = v;
        }
    }
    let keys = std::array::from_fn(|l| ReadKeys::new(p.seed, first_read + l as u64));
    Ok((state, keys))
}

/// Rows `lo .. hi` of a group's final state, lane by lane.
fn write_group<T: Real>(state: &[Lanes<T>], first_read: u64, lo: u64, hi: u64, rows: &mut [i8]) {
    let n = state.len();
    for (k, read) in (lo..hi).enumerate() {
        let l = (read - first_read) as usize;
        write_row(&mut rows[k * n..(k + 1) * n], state.iter().map(|s| s[l]));
    }
}

fn lane_task<T: Real>(
    m: &KernelModel<T>,
    p: &AnnealParams,
    first_read: u64,
    lo: u64,
    hi: u64,
    rows: &mut [i8],
    stop: &Stop,
) -> Result<()> {
    let (mut state, keys) = lane_start(m, p, first_read)?;
    match p.acceptance {
        Acceptance::Metropolis => {
            lane_anneal::<T, false>(m, p.betas, p.sweeps_per_beta, &mut state, &keys, stop)?
        }
        Acceptance::Gibbs => {
            lane_anneal::<T, true>(m, p.betas, p.sweeps_per_beta, &mut state, &keys, stop)?
        }
    }
    write_group(&state, first_read, lo, hi, rows);
    Ok(())
}

/// Below this many spin visits per read (sweeps x spins) a group is not
/// shared: starting the team's threads (tens of microseconds) would cost
/// more than it saves.
const TEAM_MIN_WORK: usize = 200_000;

/// Below this many free spins a group is not shared: a colour class would
/// hold too few spins to pay for handing the rest over between cores.
const TEAM_MIN_SPINS: usize = 512;

/// One lane group annealed by `team` threads together (rust/team.rs): the
/// calling thread and `team - 1` more of the pool. Not threads started for
/// the call: the pool's idle threads, spinning for work, kept the vCPUs
/// those needed, so that in some calls the team started a millisecond late.
/// If the pool is busy (another call sharing it), the calling thread goes
/// on alone after a millisecond.
#[allow(clippy::too_many_arguments)]
fn lane_task_team<T: Real>(
    m: &KernelModel<T>,
    p: &AnnealParams,
    first_read: u64,
    lo: u64,
    hi: u64,
    rows: &mut [i8],
    stop: &Stop,
    team: usize,
) -> Result<()> {
    // The plan on another of the team's threads meanwhile.
    let (start, plan) = rayon::join(|| lane_start(m, p, first_read), || TeamPlan::new(m, team));
    let (mut state, keys) = start?;
    let mut team_rows = plan.to_rows(&state)?;
    let sync = TeamSync::new(team);
    // SAFETY: `team_rows` outlives the scope below, its only users are the
    // team's members (`run_member`), and it is not touched otherwise until
    // they are joined.
    let shared = unsafe { SharedRows::new(&mut team_rows) };
    let gibbs = p.acceptance == Acceptance::Gibbs;
    let member = |k: usize| {
        let (plan, sync) = (&plan, &sync);
        if gibbs {
            team_anneal::<T, true>(
                p.betas,
                p.sweeps_per_beta,
                plan,
                sync,
                shared,
                &keys,
                k,
                stop,
            )
        } else {
            team_anneal::<T, false>(
                p.betas,
                p.sweeps_per_beta,
                plan,
                sync,
                shared,
                &keys,
                k,
                stop,
            )
        }
    };
    rayon::scope(|scope| {
        for k in 1..team {
            scope.spawn(move |_| member(k));
        }
        member(0);
    });
    // A stop request is what makes the result incomplete.
    stop.check()?;
    plan.from_rows(&team_rows, &mut state);
    write_group(&state, first_read, lo, hi, rows);
    Ok(())
}

/// Member `member`'s share of annealing a group, and member 0's sweeps alone
/// if the team does not help.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn team_anneal_body<T: Real, const GIBBS: bool>(
    betas: &[f64],
    per_beta: usize,
    plan: &TeamPlan<T>,
    sync: &TeamSync,
    state: SharedRows<T>,
    keys: &[ReadKeys; LANES],
    member: usize,
    stop: &Stop,
) {
    let m = plan.model();
    let sweeps = (betas.len() * per_beta) as u64;
    let beta_of = |t: u64| [m.beta(betas[t as usize / per_beta]); LANES];
    let keys_of = |t: u64| -> Lanes<u32> { std::array::from_fn(|l| keys[l].sweep(t)) };
    // SAFETY: `SharedRows::new`'s contract; every member runs this with the
    // same arguments but `member`, on its own thread.
    let outcome = unsafe {
        run_member::<T, GIBBS>(plan, sync, state, member, sweeps, beta_of, keys_of, stop)
    };
    if let Outcome::Solo { from } = outcome {
        // SAFETY: the other members have returned without touching the rows
        // again, so member 0 has them to itself.
        let rows = unsafe { state.rows() };
        let _ = solo_anneal::<T, GIBBS>(m, betas, per_beta, rows, keys, from, stop);
    }
}

/// The sweeps of a group from sweep `from` on, by one thread: a lone thread's
/// whole anneal, or what member 0 does when its team does not help. A stop
/// request ends it early; the caller reports it.
#[inline(always)]
fn solo_anneal<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    betas: &[f64],
    per_beta: usize,
    state: &mut [Lanes<T>],
    keys: &[ReadKeys; LANES],
    from: u64,
    stop: &Stop,
) -> Result<()> {
    let mut t = 0u64;
    let mut ahead = true;
    for &b in betas {
        let beta = [m.beta(b); LANES];
        for _ in 0..per_beta {
            if t >= from {
                stop.check()?;
                let mut k: Lanes<u32> = [0; LANES];
                for (kl, key) in k.iter_mut().zip(keys) {
                    *kl = key.sweep(t);
                }
                let needed = lane_sweep_ahead::<T, GIBBS>(m, &beta, state, &k, ahead);
                ahead = 2 * needed > m.num_free();
            }
            t += 1;
        }
    }
    Ok(())
}

multiversion!(
    #[allow(clippy::too_many_arguments)]
    fn team_anneal [T: Real, const GIBBS: bool] [T, GIBBS] (
        betas: &[f64],
        per_beta: usize,
        plan: &TeamPlan<T>,
        sync: &TeamSync,
        state: SharedRows<T>,
        keys: &[ReadKeys; LANES],
        member: usize,
        stop: &Stop,
    ) -> () => team_anneal_body
);

#[inline(always)]
fn lane_anneal_body<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    betas: &[f64],
    per_beta: usize,
    state: &mut [Lanes<T>],
    keys: &[ReadKeys; LANES],
    stop: &Stop,
) -> Result<()> {
    solo_anneal::<T, GIBBS>(m, betas, per_beta, state, keys, 0, stop)
}

multiversion!(
    fn lane_anneal [T: Real, const GIBBS: bool] [T, GIBBS] (
        m: &KernelModel<T>,
        betas: &[f64],
        per_beta: usize,
        state: &mut [Lanes<T>],
        keys: &[ReadKeys; LANES],
        stop: &Stop,
    ) -> Result<()> => lane_anneal_body
);

fn single_task<T: Real>(
    m: &KernelModel<T>,
    g: &SpinGroups<T>,
    p: &AnnealParams,
    read: u64,
    row: &mut [i8],
    stop: &Stop,
) -> Result<()> {
    let mut state = start_state(m, p, read, &mut Xoshiro256::for_stream(p.seed, read));
    state.push(T::ONE); // the padding spin of the groups
    let keys = ReadKeys::new(p.seed, read);
    match p.acceptance {
        Acceptance::Metropolis => {
            spin_anneal::<T, false>(m, g, p.betas, p.sweeps_per_beta, &mut state, &keys, stop)?
        }
        Acceptance::Gibbs => {
            spin_anneal::<T, true>(m, g, p.betas, p.sweeps_per_beta, &mut state, &keys, stop)?
        }
    }
    write_row(row, state.into_iter());
    Ok(())
}

#[inline(always)]
fn spin_anneal_body<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    g: &SpinGroups<T>,
    betas: &[f64],
    per_beta: usize,
    state: &mut [T],
    keys: &ReadKeys,
    stop: &Stop,
) -> Result<()> {
    let mut t = 0u64;
    for &b in betas {
        let beta = m.beta(b);
        for _ in 0..per_beta {
            stop.check()?;
            spin_sweep::<T, GIBBS>(g, beta, state, keys.sweep(t));
            t += 1;
        }
    }
    Ok(())
}

multiversion!(
    fn spin_anneal [T: Real, const GIBBS: bool] [T, GIBBS] (
        m: &KernelModel<T>,
        g: &SpinGroups<T>,
        betas: &[f64],
        per_beta: usize,
        state: &mut [T],
        keys: &ReadKeys,
        stop: &Stop,
    ) -> Result<()> => spin_anneal_body
);

/// One read with a random free spin chosen for every update, drawing sites
/// and acceptances from the read's own scalar stream.
fn random_order_task<T: Real>(
    m: &KernelModel<T>,
    p: &AnnealParams,
    read: u64,
    row: &mut [i8],
    stop: &Stop,
) -> Result<()> {
    let mut rng = Xoshiro256::for_stream(p.seed, read);
    let mut s = start_state(m, p, read, &mut rng);
    let free = m.free_spins();
    let nfree = free.len() as u64;
    if nfree > 0 {
        for &b in p.betas {
            let beta = m.beta(b);
            for _ in 0..p.sweeps_per_beta {
                stop.check()?;
                for _ in 0..nfree {
                    let i = free[rng.below(nfree) as usize] as usize;
                    let x = (beta * ((T::MINUS_TWO * s[i]) * m.field_of(i, &s))).to_f64();
                    let u = 1.0 - rng.next_f64(); // (0, 1]
                    let flip = match p.acceptance {
                        Acceptance::Metropolis => x < -u.ln(),
                        // u < 1 / (1 + e^x), written to stay finite for large x.
                        Acceptance::Gibbs => x < (-u).ln_1p() - u.ln(),
                    };
                    s[i] = s[i].flip_if(flip);
                }
            }
        }
    }
    write_row(row, s.into_iter());
    Ok(())
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
            num_threads: 1,
            ..AnnealParams::new(betas, 13, 5)
        }
    }

    fn go(g: &IsingGraph, p: &AnnealParams) -> Vec<i8> {
        anneal(g, p, Stop::never()).unwrap().samples.into_vec()
    }

    #[test]
    fn cold_ferromagnet_reaches_ground_state() {
        let g = ring(40, -1.0);
        let betas: Vec<f64> = (0..300).map(|k| 0.1 + 5.0 * k as f64 / 300.0).collect();
        for randomize_order in [false, true] {
            for acceptance in [Acceptance::Metropolis, Acceptance::Gibbs] {
                let p = AnnealParams {
                    randomize_order,
                    acceptance,
                    ..params(&betas)
                };
                let out = anneal(&g, &p, Stop::never()).unwrap().samples;
                let e = g.energies(&out).unwrap();
                let ground = -40.0 - 0.1 * 40.0;
                let hits = e.iter().filter(|&&v| (v - ground).abs() < 1e-9).count();
                assert!(
                    hits >= 10,
                    "{hits} of 13 reads reached the ground state: {e:?}"
                );
            }
        }
    }

    #[test]
    fn samples_do_not_depend_on_threads_offsets_or_read_counts() {
        let g = ring(30, 0.7);
        let betas: Vec<f64> = (0..30).map(|k| 0.1 * k as f64).collect();
        for randomize_order in [false, true] {
            let base = AnnealParams {
                randomize_order,
                num_reads: 40,
                ..params(&betas)
            };
            let all = go(&g, &base);
            let two = go(
                &g,
                &AnnealParams {
                    num_threads: 3,
                    ..base.clone()
                },
            );
            assert_eq!(all, two);
            // Reads 3..8, 8..21 and 21..40 asked for separately.
            let mut parts = Vec::new();
            for (off, len) in [(3u64, 5usize), (8, 13), (21, 19)] {
                parts.extend(go(
                    &g,
                    &AnnealParams {
                        read_offset: off,
                        num_reads: len,
                        ..base.clone()
                    },
                ));
            }
            assert_eq!(&all[3 * 30..], &parts[..]);
            // One read alone is the same read.
            let one = go(
                &g,
                &AnnealParams {
                    read_offset: 17,
                    num_reads: 1,
                    ..base.clone()
                },
            );
            assert_eq!(&all[17 * 30..18 * 30], &one[..]);
        }
        let other = go(
            &g,
            &AnnealParams {
                seed: 6,
                ..params(&betas)
            },
        );
        assert_ne!(go(&g, &params(&betas)), other);
    }

    /// One group shared by a team of threads gives the samples of one thread,
    /// in both precisions and both rules, also when stopped; so do the groups
    /// left over after rounds of one group per thread (40 reads: three groups
    /// on two threads, the third shared).
    #[test]
    fn a_team_sharing_a_group_gives_the_samples_of_one_thread() {
        // A frustrated ring with chords: three colour classes of ~700 spins.
        let n = 2000;
        let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
        for i in 0..n as i64 {
            for (d, w) in [(1, -1.0), (7, 0.6)] {
                ir.push(i);
                ic.push((i + d) % n as i64);
                j.push(w * (1.0 + (i % 5) as f64 * 0.1));
            }
        }
        let g = IsingGraph::new(&vec![0.05; n], &ir, &ic, &j).unwrap();
        let betas: Vec<f64> = (0..120).map(|k| 0.02 * k as f64).collect();
        for acceptance in [Acceptance::Metropolis, Acceptance::Gibbs] {
            for precision in [PrecisionRequest::Single, PrecisionRequest::Double] {
                for (num_reads, num_threads) in [(13, 3), (40, 2), (40, 3)] {
                    let p = AnnealParams {
                        num_reads,
                        acceptance,
                        precision,
                        ..params(&betas)
                    };
                    let one = go(
                        &g,
                        &AnnealParams {
                            num_threads: 1,
                            ..p.clone()
                        },
                    );
                    let team = go(
                        &g,
                        &AnnealParams {
                            num_threads,
                            ..p.clone()
                        },
                    );
                    assert_eq!(
                        one, team,
                        "{acceptance:?} {precision:?} {num_reads} reads, {num_threads} threads"
                    );
                }
            }
        }
        let stop = Stop::new();
        stop.request();
        let p = AnnealParams {
            num_threads: 2,
            ..params(&betas)
        };
        assert_eq!(anneal(&g, &p, &stop).err(), Some(Error::Interrupted));
    }

    #[test]
    fn single_and_double_precision_agree_on_an_exact_model() {
        // Biases exactly representable and small sums: both precisions make
        // the same decisions.
        let g = ring(20, -1.0);
        let betas: Vec<f64> = (0..50).map(|k| 0.04 * k as f64).collect();
        let single = go(
            &g,
            &AnnealParams {
                precision: PrecisionRequest::Single,
                ..params(&betas)
            },
        );
        let double = go(
            &g,
            &AnnealParams {
                precision: PrecisionRequest::Double,
                ..params(&betas)
            },
        );
        assert_eq!(single, double);
    }

    #[test]
    fn fixed_spins_never_flip_and_initial_states_are_used() {
        let g = ring(12, -1.0);
        let mut fixed = vec![0i8; 12];
        fixed[3] = -1;
        fixed[7] = 1;
        let init = Samples::from_vec("initial_states", 13, 12, vec![1i8; 13 * 12]).unwrap();
        let betas = [0.0; 5]; // infinite temperature: every free spin flips often
        for randomize_order in [false, true] {
            let p = AnnealParams {
                fixed: Some(&fixed),
                randomize_order,
                ..params(&betas)
            };
            for row in go(&g, &p).chunks(12) {
                assert_eq!((row[3], row[7]), (-1, 1));
            }
            // With no sweeps the initial states come back unchanged.
            let p0 = AnnealParams {
                betas: &[],
                initial_states: Some(&init),
                ..p
            };
            let back = go(&g, &p0);
            assert!(back.chunks(12).all(|r| r[3] == -1 && r[7] == 1));
            assert_eq!(back.iter().filter(|&&v| v == 1).count(), 13 * 11);
        }
    }

    #[test]
    fn bad_parameters_are_refused() {
        let g = ring(4, 1.0);
        let betas = [1.0];
        let bad = |p: AnnealParams| anneal(&g, &p, Stop::never()).is_err();
        assert!(bad(AnnealParams {
            num_reads: 0,
            ..params(&betas)
        }));
        assert!(bad(AnnealParams {
            sweeps_per_beta: 0,
            ..params(&betas)
        }));
        assert!(bad(AnnealParams {
            betas: &[-1.0],
            ..params(&betas)
        }));
        assert!(bad(AnnealParams {
            betas: &[f64::NAN],
            ..params(&betas)
        }));
        assert!(bad(AnnealParams {
            num_threads: 100_000,
            ..params(&betas)
        }));
        assert!(bad(AnnealParams {
            read_offset: u64::MAX,
            ..params(&betas)
        }));
        let short = Samples::from_vec("initial_states", 1, 4, vec![1i8; 4]).unwrap();
        assert!(bad(AnnealParams {
            initial_states: Some(&short),
            ..params(&betas)
        }));
        let fixed = [0i8, 2, 0, 0];
        assert!(bad(AnnealParams {
            fixed: Some(&fixed),
            ..params(&betas)
        }));
        let e = anneal(
            &g,
            &AnnealParams {
                num_reads: usize::MAX / 2,
                ..params(&betas)
            },
            Stop::never(),
        );
        assert!(matches!(e, Err(Error::OutOfMemory { .. })), "{:?}", e.err());
    }

    #[test]
    fn a_stop_request_ends_the_call() {
        let g = ring(50, 0.3);
        let betas = vec![1.0; 100_000];
        let stop = Stop::new();
        stop.request();
        let e = anneal(&g, &params(&betas), &stop).err();
        assert_eq!(e, Some(Error::Interrupted));
    }
}
