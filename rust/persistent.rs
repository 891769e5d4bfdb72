//! Persistent chains: Markov chains at a fixed beta whose states outlive the
//! call, advanced k sweeps per call by the shared kernel — the negative phase
//! of persistent contrastive divergence (Tieleman 2008).
//!
//! The caller owns the states between calls. Chain r (an absolute index, so
//! a call may hold any range of chains) carries the number of sweeps it has
//! made; its sweep t draws its uniforms from the key of (seed, r) at sweep
//! t. So a chain never reuses a random number, even when every call passes
//! the same seed, and two calls of k sweeps with one seed give exactly what
//! one call of 2k sweeps gives. A chain marked fresh first starts from its own
//! random state, drawn from the stream (seed, r).

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::graph::IsingGraph;
use crate::kernel::{
    choose_precision, lane_sweep, multiversion, spin_sweep, Acceptance, KernelModel, Lanes,
    Precision, PrecisionRequest, Real, SpinGroups, LANES,
};
use crate::resources::{check_threads, try_filled, with_threads, Stop};
use crate::rng::{ReadKeys, Xoshiro256};
use crate::samples::Samples;

/// Separates the chains' streams from those of other samplers with the same seed.
const STREAM_SALT: u64 = 0x7065_7273_6973_7400;

#[derive(Clone, Debug)]
pub struct PersistentParams<'a> {
    pub beta: f64,
    /// Sweeps added to every chain by this call (0 allowed: only starts).
    pub num_sweeps: u64,
    /// Absolute index of the first chain (row 0 of the states).
    pub first_chain: u64,
    pub seed: u64,
    /// Per spin: 0 free, +1 or -1 held at that value.
    pub fixed: Option<&'a [i8]>,
    pub acceptance: Acceptance,
    pub precision: PrecisionRequest,
    /// 0: all cores.
    pub num_threads: usize,
}

impl<'a> PersistentParams<'a> {
    pub fn new(beta: f64, num_sweeps: u64, seed: u64) -> Self {
        PersistentParams {
            beta,
            num_sweeps,
            first_chain: 0,
            seed,
            fixed: None,
            acceptance: Acceptance::Gibbs,
            precision: PrecisionRequest::Auto,
            num_threads: 0,
        }
    }
}

/// Advance the chains in `states` (one per row) by `num_sweeps` sweeps;
/// `sweeps_done[r]` counts the sweeps chain r has made (updated), rows with
/// `fresh[r]` start from their own random state first (and from 0 sweeps).
pub fn advance(
    graph: &IsingGraph,
    states: &mut Samples,
    sweeps_done: &mut [u64],
    fresh: &[bool],
    p: &PersistentParams,
    stop: &Stop,
) -> Result<Precision> {
    let n = graph.num_spins();
    validate(n, states, sweeps_done, fresh, p)?;
    let precision = choose_precision(graph, p.beta, p.precision);
    if n == 0 {
        for (d, &f) in sweeps_done.iter_mut().zip(fresh) {
            *d = if f { 0 } else { *d } + p.num_sweeps;
        }
        return Ok(precision);
    }
    match precision {
        Precision::Single => run::<f32>(graph, states, sweeps_done, fresh, p, stop)?,
        Precision::Double => run::<f64>(graph, states, sweeps_done, fresh, p, stop)?,
    }
    Ok(precision)
}

fn validate(
    n: usize,
    states: &Samples,
    sweeps_done: &[u64],
    fresh: &[bool],
    p: &PersistentParams,
) -> Result<()> {
    check_threads(p.num_threads)?;
    if !(p.beta.is_finite() && p.beta >= 0.0) {
        return Err(Error::value(
            "beta",
            format!("must be a finite non-negative number: value = {}", p.beta),
        ));
    }
    let rows = states.rows();
    Error::positive("num_reads", rows)?;
    if states.cols() != n {
        return Err(Error::shape(
            "states",
            format!("expected {n} columns (one per spin), got {}", states.cols()),
        ));
    }
    if sweeps_done.len() != rows || fresh.len() != rows {
        return Err(Error::shape(
            "sweeps_done",
            format!(
                "expected one count and one fresh flag per chain ({rows}), got {} and {}",
                sweeps_done.len(),
                fresh.len()
            ),
        ));
    }
    if p.first_chain.checked_add(rows as u64).is_none() {
        return Err(Error::value(
            "read_offset",
            format!(
                "plus num_reads must stay below 2^64: value = {}",
                p.first_chain
            ),
        ));
    }
    if let Some(k) = sweeps_done
        .iter()
        .zip(fresh)
        .position(|(&d, &f)| !f && d.checked_add(p.num_sweeps).is_none())
    {
        return Err(Error::value(
            "num_sweeps",
            format!("takes chain {k} past 2^64 sweeps"),
        ));
    }
    Ok(())
}

/// A lane group (rows `lo .. lo + 16` or fewer) or one chain by the
/// spin-parallel kernel.
enum Task<'s> {
    Lanes {
        lo: usize,
        rows: &'s mut [i8],
        done: &'s mut [u64],
    },
    Single {
        row_index: usize,
        row: &'s mut [i8],
        done: &'s mut u64,
    },
}

fn run<T: Real>(
    graph: &IsingGraph,
    states: &mut Samples,
    sweeps_done: &mut [u64],
    fresh: &[bool],
    p: &PersistentParams,
    stop: &Stop,
) -> Result<()> {
    let m = KernelModel::<T>::new(graph, p.fixed)?;
    let n = graph.num_spins();
    let rows = states.rows();
    // A lone partial group runs chain by chain when that is cheaper.
    let groups = if rows < LANES {
        let g = SpinGroups::new(&m);
        (rows as f64 * g.read_sweep_cost() < m.lane_sweep_cost()).then_some(g)
    } else {
        None
    };
    let mut tasks: Vec<Task> = Vec::new();
    let mut rest_rows = states.as_mut_slice();
    let mut rest_done = sweeps_done;
    let mut lo = 0;
    while lo < rows {
        let count = (rows - lo).min(LANES);
        let (mine, tail) = rest_rows.split_at_mut(count * n);
        let (done, tail_done) = rest_done.split_at_mut(count);
        if groups.is_some() {
            for (k, (row, d)) in mine.chunks_mut(n.max(1)).zip(done.iter_mut()).enumerate() {
                tasks.push(Task::Single {
                    row_index: lo + k,
                    row,
                    done: d,
                });
            }
        } else {
            tasks.push(Task::Lanes {
                lo,
                rows: mine,
                done,
            });
        }
        rest_rows = tail;
        rest_done = tail_done;
        lo += count;
    }
    let groups = groups.as_ref();
    with_threads(p.num_threads, || {
        tasks.into_par_iter().try_for_each(|task| match task {
            Task::Lanes { lo, rows, done } => lane_task(&m, p, fresh, lo, rows, done, stop),
            Task::Single {
                row_index,
                row,
                done,
            } => match groups {
                Some(g) => single_task(&m, g, p, fresh[row_index], row_index, row, done, stop),
                None => Err(Error::Internal("spin groups missing".into())),
            },
        })
    })?
}

/// Chain `chain`'s state as the sweeps read it: a fresh random start or the
/// stored row, with held spins at their values.
fn load<T: Real>(
    m: &KernelModel<T>,
    p: &PersistentParams,
    chain: u64,
    fresh: bool,
    row: &[i8],
) -> Vec<T> {
    let mut rng = Xoshiro256::for_stream(p.seed ^ STREAM_SALT, chain);
    (0..m.num_spins())
        .map(|i| {
            let v = match m.fixed_value(i) {
                0 if fresh => rng.spin(),
                0 => row[i],
                held => held,
            };
            T::ONE.flip_if(v < 0)
        })
        .collect()
}

fn store<T: Real>(row: &mut [i8], state: impl Iterator<Item = T>) {
    for (r, v) in row.iter_mut().zip(state) {
        *r = if v > T::ZERO { 1 } else { -1 };
    }
}

fn lane_task<T: Real>(
    m: &KernelModel<T>,
    p: &PersistentParams,
    fresh: &[bool],
    lo: usize,
    rows: &mut [i8],
    done: &mut [u64],
    stop: &Stop,
) -> Result<()> {
    let n = m.num_spins();
    let count = done.len();
    let mut state: Vec<Lanes<T>> = try_filled("num_spins", "SIMD state", n, [T::ONE; LANES])?;
    let mut keys = [ReadKeys::new(0, 0); LANES];
    let mut start = [0u64; LANES];
    for l in 0..count {
        let chain = p.first_chain + (lo + l) as u64;
        let s = load(m, p, chain, fresh[lo + l], &rows[l * n..(l + 1) * n]);
        for (row, v) in state.iter_mut().zip(s) {
            row[l] = v;
        }
        keys[l] = ReadKeys::new(p.seed ^ STREAM_SALT, chain);
        start[l] = if fresh[lo + l] { 0 } else { done[l] };
    }
    let beta = [m.beta(p.beta); LANES];
    match p.acceptance {
        Acceptance::Metropolis => {
            lane_chains::<T, false>(m, &beta, p.num_sweeps, &mut state, &keys, &start, stop)?
        }
        Acceptance::Gibbs => {
            lane_chains::<T, true>(m, &beta, p.num_sweeps, &mut state, &keys, &start, stop)?
        }
    }
    for l in 0..count {
        store(&mut rows[l * n..(l + 1) * n], state.iter().map(|s| s[l]));
        done[l] = start[l] + p.num_sweeps;
    }
    Ok(())
}

#[inline(always)]
fn lane_chains_body<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    beta: &Lanes<T>,
    sweeps: u64,
    state: &mut [Lanes<T>],
    keys: &[ReadKeys; LANES],
    start: &[u64; LANES],
    stop: &Stop,
) -> Result<()> {
    for t in 0..sweeps {
        stop.check()?;
        let k: Lanes<u32> = std::array::from_fn(|l| keys[l].sweep(start[l] + t));
        lane_sweep::<T, GIBBS>(m, beta, state, &k);
    }
    Ok(())
}

multiversion!(
    fn lane_chains [T: Real, const GIBBS: bool] [T, GIBBS] (
        m: &KernelModel<T>,
        beta: &Lanes<T>,
        sweeps: u64,
        state: &mut [Lanes<T>],
        keys: &[ReadKeys; LANES],
        start: &[u64; LANES],
        stop: &Stop,
    ) -> Result<()> => lane_chains_body
);

#[allow(clippy::too_many_arguments)]
fn single_task<T: Real>(
    m: &KernelModel<T>,
    g: &SpinGroups<T>,
    p: &PersistentParams,
    fresh: bool,
    row_index: usize,
    row: &mut [i8],
    done: &mut u64,
    stop: &Stop,
) -> Result<()> {
    let chain = p.first_chain + row_index as u64;
    let mut state = load(m, p, chain, fresh, row);
    state.push(T::ONE); // the padding spin of the groups
    let keys = ReadKeys::new(p.seed ^ STREAM_SALT, chain);
    let start = if fresh { 0 } else { *done };
    let beta = m.beta(p.beta);
    match p.acceptance {
        Acceptance::Metropolis => {
            spin_chain::<T, false>(g, beta, p.num_sweeps, &mut state, &keys, start, stop)?
        }
        Acceptance::Gibbs => {
            spin_chain::<T, true>(g, beta, p.num_sweeps, &mut state, &keys, start, stop)?
        }
    }
    store(row, state.into_iter());
    *done = start + p.num_sweeps;
    Ok(())
}

#[inline(always)]
fn spin_chain_body<T: Real, const GIBBS: bool>(
    g: &SpinGroups<T>,
    beta: T,
    sweeps: u64,
    state: &mut [T],
    keys: &ReadKeys,
    start: u64,
    stop: &Stop,
) -> Result<()> {
    for t in 0..sweeps {
        stop.check()?;
        spin_sweep::<T, GIBBS>(g, beta, state, keys.sweep(start + t));
    }
    Ok(())
}

multiversion!(
    fn spin_chain [T: Real, const GIBBS: bool] [T, GIBBS] (
        g: &SpinGroups<T>,
        beta: T,
        sweeps: u64,
        state: &mut [T],
        keys: &ReadKeys,
        start: u64,
        stop: &Stop,
    ) -> Result<()> => spin_chain_body
);

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(n: usize, j: f64) -> IsingGraph {
        let irow: Vec<i64> = (0..n as i64).collect();
        let icol: Vec<i64> = (0..n as i64).map(|i| (i + 1) % n as i64).collect();
        IsingGraph::new(&vec![0.1; n], &irow, &icol, &vec![j; n]).unwrap()
    }

    fn params() -> PersistentParams<'static> {
        PersistentParams {
            num_threads: 1,
            ..PersistentParams::new(0.7, 5, 9)
        }
    }

    /// Fresh chains after k sweeps, as (states, sweeps done).
    fn start(g: &IsingGraph, rows: usize, p: &PersistentParams) -> (Samples, Vec<u64>) {
        let n = g.num_spins();
        let mut s = Samples::filled("num_reads", rows, n).unwrap();
        let mut done = vec![0; rows];
        advance(g, &mut s, &mut done, &vec![true; rows], p, Stop::never()).unwrap();
        (s, done)
    }

    #[test]
    fn two_calls_of_k_sweeps_are_one_call_of_2k() {
        let g = ring(30, -0.6);
        for rows in [3usize, 40] {
            for acceptance in [Acceptance::Gibbs, Acceptance::Metropolis] {
                let p = PersistentParams {
                    acceptance,
                    ..params()
                };
                let (mut s, mut done) = start(&g, rows, &p);
                assert!(done.iter().all(|&d| d == 5));
                advance(&g, &mut s, &mut done, &vec![false; rows], &p, Stop::never()).unwrap();
                assert!(done.iter().all(|&d| d == 10));
                let (once, _) = start(
                    &g,
                    rows,
                    &PersistentParams {
                        num_sweeps: 10,
                        ..p
                    },
                );
                assert_eq!(s, once);
            }
        }
    }

    #[test]
    fn chains_do_not_depend_on_threads_grouping_or_offsets() {
        let g = ring(25, 0.8);
        let p = params();
        let (all, _) = start(&g, 37, &p);
        let (threads, _) = start(
            &g,
            37,
            &PersistentParams {
                num_threads: 3,
                ..p.clone()
            },
        );
        assert_eq!(all, threads);
        // Chains 20..23 alone (spin-parallel kernel or a partial group).
        let (part, _) = start(
            &g,
            3,
            &PersistentParams {
                first_chain: 20,
                ..p.clone()
            },
        );
        assert_eq!(&all.as_slice()[20 * 25..23 * 25], part.as_slice());
    }

    #[test]
    fn zero_sweeps_start_fresh_chains_and_keep_the_others() {
        let g = ring(12, 1.0);
        let mut fixed = vec![0i8; 12];
        fixed[4] = -1;
        let p = PersistentParams {
            num_sweeps: 0,
            fixed: Some(&fixed),
            ..params()
        };
        let mut s = Samples::from_vec("states", 2, 12, vec![1; 24]).unwrap();
        let mut done = vec![7, 7];
        advance(&g, &mut s, &mut done, &[false, true], &p, Stop::never()).unwrap();
        assert_eq!(done, vec![7, 0]);
        let row0 = s.row(0);
        assert!(row0
            .iter()
            .enumerate()
            .all(|(i, &v)| v == if i == 4 { -1 } else { 1 }));
        assert_eq!(s.row(1)[4], -1);
        assert!(s.row(1).contains(&-1) && s.row(1).iter().filter(|&&v| v == 1).count() > 0);
    }

    #[test]
    fn bad_parameters_are_refused() {
        let g = ring(4, 1.0);
        let mut s = Samples::filled("num_reads", 2, 4).unwrap();
        let mut done = vec![0u64; 2];
        let mut bad = |p: PersistentParams, fresh: &[bool], done: &mut [u64]| {
            advance(&g, &mut s, done, fresh, &p, Stop::never()).is_err()
        };
        assert!(bad(
            PersistentParams {
                beta: -1.0,
                ..params()
            },
            &[true; 2],
            &mut done
        ));
        assert!(bad(
            PersistentParams {
                beta: f64::NAN,
                ..params()
            },
            &[true; 2],
            &mut done
        ));
        assert!(bad(params(), &[true; 3], &mut done));
        assert!(bad(params(), &[false; 2], &mut [u64::MAX, 0]));
        assert!(bad(
            PersistentParams {
                first_chain: u64::MAX,
                ..params()
            },
            &[true; 2],
            &mut done
        ));
        let mut empty = Samples::filled("num_reads", 0, 4).unwrap();
        assert!(advance(&g, &mut empty, &mut [], &[], &params(), Stop::never()).is_err());
    }

    #[test]
    fn a_stop_request_ends_the_call() {
        let g = ring(50, 0.3);
        let stop = Stop::new();
        stop.request();
        let mut s = Samples::filled("num_reads", 20, 50).unwrap();
        let mut done = vec![0; 20];
        let p = PersistentParams {
            num_sweeps: 1_000_000,
            ..params()
        };
        let e = advance(&g, &mut s, &mut done, &[true; 20], &p, &stop);
        assert_eq!(e.err(), Some(Error::Interrupted));
    }
}
