//! Parallel tempering (replica exchange) with optional Houdayer cluster moves.
//!
//! A chain is K replicas of the model at the inverse temperatures of a ladder
//! beta_1 < ... < beta_K (two replicas per rung with cluster moves). One round
//! of a chain is: one sweep of every replica by the shared kernel (replicas sit
//! in SIMD lanes, each lane at its own beta), then the cluster moves, then
//! swap attempts between neighbouring rungs — the even steps (1-2, 3-4, ...) in
//! even rounds, the odd ones in odd rounds. A swap of the replicas at rungs i,
//! j is accepted with probability min(1, exp((beta_i - beta_j)(E_i - E_j))); a
//! swap exchanges the betas of two lanes, the states stay where they are.
//!
//! Houdayer (isoenergetic) cluster move, between the two replicas a, b of a
//! rung: the spins where they differ split into clusters connected on the
//! graph; one cluster, grown from a disagreeing spin picked uniformly, is
//! flipped in both replicas. E_a + E_b does not change, fields included: on
//! the cluster s_a = -s_b, so each field term h_i (s_a + s_b) is zero before
//! and after, and across the cluster's boundary the neighbour agrees in both
//! replicas (else it would be in the cluster), so J_ij s_j (s_a,i + s_b,i) is
//! zero too. The Metropolis factor of the move is therefore exactly 1: it is
//! always accepted (the test `cluster_moves_conserve_the_total_energy` checks
//! this with random fields). The move keeps the overlap, hence the cluster,
//! so it is its own reverse and detailed balance holds.
//!
//! Reads: chain c yields `samples_per_chain` samples of its replica at the
//! coldest rung (of the first copy), sample j after round
//! `num_sweeps + j * thinning`; read r is sample r % S of chain r / S. A chain
//! is a pure function of (seed, chain index, parameters), so read r is the same
//! in every call that asks for it, whatever the thread count or read offset.

use std::ops::Range;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::graph::IsingGraph;
use crate::kernel::{
    choose_precision, lane_sweep_ext, multiversion, Acceptance, Copies, KernelModel, Lanes,
    Precision, PrecisionRequest, Real, LANES,
};
use crate::resources::{
    check_bytes, check_task_list, check_threads, try_filled, with_threads, Stop,
};
use crate::rng::{stream_key, ReadKeys, Xoshiro256};
use crate::samples::Samples;

/// Separates tempering's streams from those of other samplers with the same seed.
const STREAM_SALT: u64 = 0x5054_2d72_6570_6c69;

/// Random spins a cluster move tries before listing the disagreeing ones.
const SEED_TRIES: usize = 16;

/// Rounds between exact recomputations of the tracked energies (the kernel
/// sums energy changes in the sweep's precision; this bounds the drift).
const RESYNC_ROUNDS: u64 = 64;

#[derive(Clone, Debug)]
pub struct TemperingParams<'a> {
    /// The ladder: increasing, finite, non-negative; the last is the target.
    pub betas: &'a [f64],
    /// Rounds before a chain's first sample (0: the random start).
    pub num_sweeps: u64,
    pub samples_per_chain: usize,
    /// Rounds between successive samples of a chain.
    pub thinning: u64,
    pub num_reads: usize,
    /// Absolute index of the first read.
    pub read_offset: u64,
    pub seed: u64,
    /// Per spin: 0 free, +1 or -1 held at that value.
    pub fixed: Option<&'a [i8]>,
    pub acceptance: Acceptance,
    /// Two replicas per rung and a Houdayer move between them every round.
    pub cluster_moves: bool,
    /// Cluster moves only at rungs with beta >= this. Hot replicas disagree
    /// on about half the spins, which on most graphs forms one cluster
    /// spanning the system: flipping it nearly exchanges the two replicas,
    /// at the cost of visiting it. The moves help at the colder rungs, where
    /// the disagreeing clusters are small.
    pub cluster_beta_min: f64,
    pub precision: PrecisionRequest,
    /// 0: all cores.
    pub num_threads: usize,
}

impl<'a> TemperingParams<'a> {
    /// Defaults for everything but the ladder, the burn-in and the read count.
    pub fn new(betas: &'a [f64], num_sweeps: u64, num_reads: usize, seed: u64) -> Self {
        TemperingParams {
            betas,
            num_sweeps,
            samples_per_chain: 1,
            thinning: 1,
            num_reads,
            read_offset: 0,
            seed,
            fixed: None,
            acceptance: Acceptance::Metropolis,
            cluster_moves: false,
            cluster_beta_min: 0.0,
            precision: PrecisionRequest::Auto,
            num_threads: 0,
        }
    }

    fn copies(&self) -> usize {
        if self.cluster_moves {
            2
        } else {
            1
        }
    }

    /// Replicas per chain.
    pub fn slots(&self) -> usize {
        self.betas.len() * self.copies()
    }

    /// The chains the call runs and, for each, the rounds it needs.
    fn chains(&self) -> Range<u64> {
        let s = self.samples_per_chain as u64;
        let first = self.read_offset / s;
        let last = (self.read_offset + self.num_reads as u64 - 1) / s;
        first..last + 1
    }

    /// Rounds chain `c` must run for the reads asked for.
    fn rounds_for(&self, c: u64) -> u64 {
        let s = self.samples_per_chain as u64;
        let last_read = self.read_offset + self.num_reads as u64 - 1;
        let j = (last_read - c * s).min(s - 1);
        self.num_sweeps + j * self.thinning
    }

    /// Single-spin updates the call makes (for cost estimates).
    /// Single-spin updates the call makes (for cost estimates); 0 for
    /// parameters `temper` refuses.
    pub fn work(&self, num_spins: usize) -> f64 {
        let s = self.samples_per_chain as u64;
        if self.num_reads == 0 || s == 0 {
            return 0.0;
        }
        let Some(end) = self.read_offset.checked_add(self.num_reads as u64) else {
            return 0.0;
        };
        let rounds: f64 = (self.read_offset / s..(end - 1) / s + 1)
            .map(|c| {
                let j = (end - 1 - c * s).min(s - 1);
                self.num_sweeps as f64 + j as f64 * self.thinning as f64
            })
            .sum();
        rounds * (self.slots() * num_spins) as f64
    }
}

/// Samples and what the chains did.
pub struct Tempered {
    pub samples: Samples,
    /// Per ladder step k (rungs k and k + 1): swaps tried and accepted.
    pub swap_attempts: Vec<u64>,
    pub swap_accepts: Vec<u64>,
    /// Cluster moves made and spins they flipped (in each of the two replicas).
    pub cluster_moves: u64,
    pub cluster_spins: u64,
    pub precision: Precision,
}

/// Run the chains the reads need; `stop` is polled between rounds.
pub fn temper(graph: &IsingGraph, p: &TemperingParams, stop: &Stop) -> Result<Tempered> {
    validate(graph.num_spins(), p)?;
    let n = graph.num_spins();
    let mut samples = Samples::filled("num_reads", p.num_reads, n)?;
    let beta_max = p.betas.iter().cloned().fold(0.0, f64::max);
    let precision = choose_precision(graph, beta_max, p.precision);
    let stats = if n == 0 {
        // Reads of nothing: no chains to run, no swaps tried.
        Stats::new(p.betas.len() - 1)
    } else {
        check_task_list("num_reads", p.num_reads, 64)?;
        match precision {
            Precision::Single => run::<f32>(graph, p, &mut samples, stop)?,
            Precision::Double => run::<f64>(graph, p, &mut samples, stop)?,
        }
    };
    Ok(Tempered {
        samples,
        swap_attempts: stats.swap_attempts,
        swap_accepts: stats.swap_accepts,
        cluster_moves: stats.cluster_moves,
        cluster_spins: stats.cluster_spins,
        precision,
    })
}

fn validate(n: usize, p: &TemperingParams) -> Result<()> {
    Error::positive("num_reads", p.num_reads)?;
    Error::positive("samples_per_chain", p.samples_per_chain)?;
    Error::positive("thinning", p.thinning as usize)?;
    check_threads(p.num_threads)?;
    if p.betas.is_empty() {
        return Err(Error::value(
            "betas",
            "must hold at least one inverse temperature",
        ));
    }
    if let Some(k) = p.betas.iter().position(|b| !(b.is_finite() && *b >= 0.0)) {
        return Err(Error::value(
            "betas",
            format!(
                "must hold finite non-negative values: betas[{k}] = {}",
                p.betas[k]
            ),
        ));
    }
    if let Some(k) = p.betas.windows(2).position(|w| w[1] <= w[0]) {
        return Err(Error::value(
            "betas",
            format!(
                "must increase from hot to cold: betas[{k}] = {}, betas[{}] = {}",
                p.betas[k],
                k + 1,
                p.betas[k + 1]
            ),
        ));
    }
    if p.cluster_beta_min.is_nan() {
        return Err(Error::value(
            "cluster_beta_min",
            "must be a number: value = NaN",
        ));
    }
    if p.read_offset.checked_add(p.num_reads as u64).is_none() {
        return Err(Error::value(
            "read_offset",
            format!(
                "plus num_reads must stay below 2^64: value = {}",
                p.read_offset
            ),
        ));
    }
    let longest = (p.samples_per_chain as u64 - 1)
        .checked_mul(p.thinning)
        .and_then(|r| r.checked_add(p.num_sweeps));
    if longest.is_none() {
        return Err(Error::value(
            "num_sweeps",
            "plus (samples_per_chain - 1) * thinning must stay below 2^64",
        ));
    }
    if let Some(f) = p.fixed {
        if f.len() != n {
            return Err(Error::shape(
                "fixed_variables",
                format!("expected {n} values, got {}", f.len()),
            ));
        }
    }
    Ok(())
}

#[derive(Default)]
struct Stats {
    swap_attempts: Vec<u64>,
    swap_accepts: Vec<u64>,
    cluster_moves: u64,
    cluster_spins: u64,
}

impl Stats {
    fn new(steps: usize) -> Self {
        Stats {
            swap_attempts: vec![0; steps],
            swap_accepts: vec![0; steps],
            ..Stats::default()
        }
    }

    fn add(mut self, other: Stats) -> Stats {
        for (a, b) in self.swap_attempts.iter_mut().zip(&other.swap_attempts) {
            *a += b;
        }
        for (a, b) in self.swap_accepts.iter_mut().zip(&other.swap_accepts) {
            *a += b;
        }
        self.cluster_moves += other.cluster_moves;
        self.cluster_spins += other.cluster_spins;
        self
    }
}

/// The model in f64, divided by the kernel's scale: exact energies and the
/// cluster moves' energy changes, in the units the kernel tracks.
struct Exact<'g> {
    graph: &'g IsingGraph,
    h: Vec<f64>,
    w: Vec<f64>,
}

impl<'g> Exact<'g> {
    fn new(graph: &'g IsingGraph, scale: f64) -> Self {
        Exact {
            graph,
            h: graph.h().iter().map(|v| v / scale).collect(),
            w: graph.slot_couplings().map(|v| v / scale).collect(),
        }
    }

    fn neighbours(&self, i: usize) -> (&[u32], &[f64]) {
        let o = self.graph.offsets();
        let (lo, hi) = (o[i] as usize, o[i + 1] as usize);
        (&self.graph.neighbours()[lo..hi], &self.w[lo..hi])
    }

    /// Energy of the replica in lane `l` of the rows `rows`.
    fn energy<T: Real>(&self, rows: &[Lanes<T>], l: usize) -> f64 {
        let mut e = 0.0;
        for (i, row) in rows.iter().enumerate().take(self.h.len()) {
            let si = row[l].to_f64();
            let (nbr, w) = self.neighbours(i);
            let mut f = 0.0;
            for (&j, &wj) in nbr.iter().zip(w) {
                f += wj * rows[j as usize][l].to_f64();
            }
            e += si * (self.h[i] + 0.5 * f);
        }
        e
    }
}

/// Where replica `q` of a task lives: rows of group q / LANES, lane q % LANES.
#[inline]
fn place(q: usize, n: usize) -> (usize, usize) {
    (q / LANES * n, q % LANES)
}

/// One chain of a task.
struct Chain {
    index: u64,
    /// First replica of the chain among the task's.
    first: usize,
    /// `rung_slot[c][k]`: the replica (within the chain) of copy c at rung k.
    rung_slot: Vec<Vec<usize>>,
    /// Energy of each replica, in the kernel's units.
    energy: Vec<f64>,
    keys: Vec<ReadKeys>,
    rng: Xoshiro256,
    rounds: u64,
}

/// Scratch space of the cluster moves.
struct ClusterScratch {
    mark: Vec<u32>,
    stamp: u32,
    cluster: Vec<u32>,
    disagree: Vec<u32>,
}

struct Ctx<'a, T> {
    m: KernelModel<T>,
    exact: Exact<'a>,
    p: &'a TemperingParams<'a>,
    /// The ladder, normalised for the kernel.
    kbetas: Vec<T>,
}

fn run<T: Real>(
    graph: &IsingGraph,
    p: &TemperingParams,
    out: &mut Samples,
    stop: &Stop,
) -> Result<Stats> {
    let m = KernelModel::<T>::new(graph, p.fixed)?;
    let exact = Exact::new(graph, m.scale());
    let kbetas = p.betas.iter().map(|&b| m.beta(b)).collect();
    let ctx = Ctx {
        m,
        exact,
        p,
        kbetas,
    };
    let n = graph.num_spins();
    let slots = p.slots();
    let chains = p.chains();
    let num_chains = (chains.end - chains.start) as usize;
    // Chains per task: enough to fill whole lane groups when a chain has few
    // replicas, but no fewer tasks than threads when chains are scarce.
    let fill = lcm(slots, LANES) / slots;
    let threads = if p.num_threads == 0 {
        rayon::current_num_threads()
    } else {
        p.num_threads
    };
    let per_task = fill.min(num_chains.div_ceil(threads)).max(1);
    let groups = (per_task * slots).div_ceil(LANES) as u128;
    check_bytes(
        "betas",
        "replica states",
        groups * (n * LANES * std::mem::size_of::<T>()) as u128 * threads.min(num_chains) as u128,
    )?;
    let s = p.samples_per_chain as u64;
    let mut jobs: Vec<(Range<u64>, u64, &mut [i8])> = Vec::new();
    let mut rest = out.as_mut_slice();
    let mut c = chains.start;
    while c < chains.end {
        let end = (c + per_task as u64).min(chains.end);
        let first_read = (c * s).max(p.read_offset);
        let last_read = (end * s).min(p.read_offset + p.num_reads as u64);
        let (mine, tail) = rest.split_at_mut((last_read - first_read) as usize * n);
        jobs.push((c..end, first_read, mine));
        rest = tail;
        c = end;
    }
    let steps = p.betas.len() - 1;
    with_threads(p.num_threads, || {
        jobs.into_par_iter()
            .map(|(chains, first_read, rows)| run_task(&ctx, chains, first_read, rows, stop))
            .try_reduce(|| Stats::new(steps), |a, b| Ok(a.add(b)))
    })?
}

fn lcm(a: usize, b: usize) -> usize {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    a / x * b
}

fn run_task<T: Real>(
    ctx: &Ctx<'_, T>,
    chain_range: Range<u64>,
    first_read: u64,
    rows: &mut [i8],
    stop: &Stop,
) -> Result<Stats> {
    let p = ctx.p;
    let m = &ctx.m;
    let n = m.num_spins();
    let k = p.betas.len();
    let copies = p.copies();
    let slots = p.slots();
    let num_chains = (chain_range.end - chain_range.start) as usize;
    let groups = (num_chains * slots).div_ceil(LANES);
    let mut state: Vec<Lanes<T>> =
        try_filled("betas", "replica states", groups * n, [T::ONE; LANES])?;
    let mut betas: Vec<Lanes<T>> = vec![[T::ZERO; LANES]; groups];
    let mut chains: Vec<Chain> = Vec::with_capacity(num_chains);
    for (local, index) in chain_range.enumerate() {
        let key = stream_key(p.seed ^ STREAM_SALT, index);
        let first = local * slots;
        for q in 0..slots {
            let mut rng = Xoshiro256::for_stream(key, q as u64);
            let (base, l) = place(first + q, n);
            for i in 0..n {
                state[base + i][l] = match m.fixed_value(i) {
                    0 => T::ONE.flip_if(rng.spin() < 0),
                    v => T::ONE.flip_if(v < 0),
                };
            }
            betas[(first + q) / LANES][(first + q) % LANES] = ctx.kbetas[q % k];
        }
        chains.push(Chain {
            index,
            first,
            rung_slot: (0..copies)
                .map(|c| (c * k..(c + 1) * k).collect())
                .collect(),
            energy: vec![0.0; slots],
            keys: (0..slots).map(|q| ReadKeys::new(key, q as u64)).collect(),
            rng: Xoshiro256::for_stream(p.seed ^ STREAM_SALT, index),
            rounds: p.rounds_for(index),
        });
    }
    let total_rounds = chains.iter().map(|c| c.rounds).max().unwrap_or(0);
    let mut stats = Stats::new(k - 1);
    let mut scratch = ClusterScratch {
        mark: vec![0; n],
        stamp: 0,
        cluster: Vec::new(),
        disagree: Vec::new(),
    };
    let mut keys: Vec<Lanes<u32>> = vec![[0; LANES]; groups];
    let mut de: Vec<Lanes<T>> = vec![[T::ZERO; LANES]; groups];
    for round in 0..=total_rounds {
        if round > 0 {
            stop.check()?;
            for ch in &chains {
                for (q, key) in ch.keys.iter().enumerate() {
                    let g = (ch.first + q) / LANES;
                    keys[g][(ch.first + q) % LANES] = key.sweep(round - 1);
                }
            }
            de.iter_mut().for_each(|d| *d = [T::ZERO; LANES]);
            match p.acceptance {
                Acceptance::Metropolis => {
                    sweep_groups::<T, false>(m, &betas, &mut state, &keys, &mut de)
                }
                Acceptance::Gibbs => sweep_groups::<T, true>(m, &betas, &mut state, &keys, &mut de),
            }
            for ch in chains.iter_mut() {
                for q in 0..slots {
                    let g = (ch.first + q) / LANES;
                    ch.energy[q] += de[g][(ch.first + q) % LANES].to_f64();
                }
            }
        }
        if round % RESYNC_ROUNDS == 0 {
            for ch in chains.iter_mut() {
                for q in 0..slots {
                    let (base, l) = place(ch.first + q, n);
                    ch.energy[q] = ctx.exact.energy(&state[base..base + n], l);
                }
            }
        }
        if round > 0 {
            for ch in chains.iter_mut().filter(|c| round <= c.rounds) {
                if copies == 2 {
                    for rung in 0..k {
                        if p.betas[rung] >= p.cluster_beta_min {
                            let flipped = cluster_move(ctx, ch, rung, &mut state, &mut scratch);
                            if let Some(size) = flipped {
                                stats.cluster_moves += 1;
                                stats.cluster_spins += size as u64;
                            }
                        }
                    }
                }
                swaps(ctx, ch, round, &mut betas, &mut stats);
            }
        }
        // Samples taken after this round.
        for ch in &chains {
            if round < p.num_sweeps || !(round - p.num_sweeps).is_multiple_of(p.thinning) {
                continue;
            }
            let j = (round - p.num_sweeps) / p.thinning;
            if j >= p.samples_per_chain as u64 {
                continue;
            }
            let read = ch.index * p.samples_per_chain as u64 + j;
            if read < first_read || read >= first_read + (rows.len() / n.max(1)) as u64 {
                continue;
            }
            let (base, l) = place(ch.first + ch.rung_slot[0][k - 1], n);
            let row = &mut rows[(read - first_read) as usize * n..][..n];
            for (r, s) in row.iter_mut().zip(&state[base..base + n]) {
                *r = if s[l] > T::ZERO { 1 } else { -1 };
            }
        }
    }
    Ok(stats)
}

#[inline(always)]
fn sweep_groups_body<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    betas: &[Lanes<T>],
    state: &mut [Lanes<T>],
    keys: &[Lanes<u32>],
    de: &mut [Lanes<T>],
) {
    let n = m.num_spins();
    let none = Copies::none();
    for (g, rows) in state.chunks_exact_mut(n.max(1)).enumerate() {
        lane_sweep_ext::<T, GIBBS, true, false>(m, &betas[g], rows, &keys[g], &none, &mut de[g]);
    }
}

multiversion!(
    fn sweep_groups [T: Real, const GIBBS: bool] [T, GIBBS] (
        m: &KernelModel<T>,
        betas: &[Lanes<T>],
        state: &mut [Lanes<T>],
        keys: &[Lanes<u32>],
        de: &mut [Lanes<T>],
    ) -> () => sweep_groups_body
);

/// Swap attempts between neighbouring rungs in every copy of the chain: the
/// steps starting at even rungs in even rounds, at odd rungs in odd rounds.
fn swaps<T: Real>(
    ctx: &Ctx<'_, T>,
    ch: &mut Chain,
    round: u64,
    betas: &mut [Lanes<T>],
    stats: &mut Stats,
) {
    let k = ctx.p.betas.len();
    let scale = ctx.m.scale();
    for c in 0..ch.rung_slot.len() {
        let mut rung = (round % 2) as usize;
        while rung + 1 < k {
            let (a, b) = (ch.rung_slot[c][rung], ch.rung_slot[c][rung + 1]);
            let log_ratio = (ctx.p.betas[rung] - ctx.p.betas[rung + 1])
                * ((ch.energy[a] - ch.energy[b]) * scale);
            let accept = log_ratio >= 0.0 || ch.rng.next_f64() < log_ratio.exp();
            stats.swap_attempts[rung] += 1;
            if accept {
                stats.swap_accepts[rung] += 1;
                ch.rung_slot[c].swap(rung, rung + 1);
                for (slot, r) in [(a, rung + 1), (b, rung)] {
                    let q = ch.first + slot;
                    betas[q / LANES][q % LANES] = ctx.kbetas[r];
                }
            }
            rung += 2;
        }
    }
}

/// A Houdayer move between the two replicas at `rung`; the cluster size, or
/// None when the replicas agree everywhere.
fn cluster_move<T: Real>(
    ctx: &Ctx<'_, T>,
    ch: &mut Chain,
    rung: usize,
    state: &mut [Lanes<T>],
    sc: &mut ClusterScratch,
) -> Option<usize> {
    let n = ctx.m.num_spins();
    let (qa, qb) = (ch.rung_slot[0][rung], ch.rung_slot[1][rung]);
    let (base_a, la) = place(ch.first + qa, n);
    let (base_b, lb) = place(ch.first + qb, n);
    let differs = |state: &[Lanes<T>], i: usize| {
        (state[base_a + i][la] > T::ZERO) != (state[base_b + i][lb] > T::ZERO)
    };
    // The cluster grows from a disagreeing spin picked uniformly: by trying
    // random spins (cheap when many disagree, as at the hot rungs), else by
    // listing them all. Either way the pick is uniform over the disagreeing
    // spins, which the move does not change: it is its own reverse.
    if n == 0 {
        return None;
    }
    let mut seed = None;
    for _ in 0..SEED_TRIES {
        let i = ch.rng.below(n as u64) as usize;
        if differs(state, i) {
            seed = Some(i as u32);
            break;
        }
    }
    let seed = match seed {
        Some(i) => i,
        None => {
            sc.disagree.clear();
            sc.disagree
                .extend((0..n as u32).filter(|&i| differs(state, i as usize)));
            if sc.disagree.is_empty() {
                return None;
            }
            sc.disagree[ch.rng.below(sc.disagree.len() as u64) as usize]
        }
    };
    sc.stamp = sc.stamp.wrapping_add(1);
    if sc.stamp == 0 {
        sc.mark.iter_mut().for_each(|v| *v = 0);
        sc.stamp = 1;
    }
    // The cluster is grown breadth first in `cluster` itself (spins
    // `next..` are still to visit). Whether a neighbour differs is a coin
    // flip at the hot rungs, so the loop is kept free of branches on it:
    // every neighbour is written at the end of the list and kept only if it
    // is new to the cluster. Each spin enters once, so n + 1 slots suffice.
    sc.cluster.clear();
    sc.cluster.resize(n + 1, 0);
    sc.cluster[0] = seed;
    sc.mark[seed as usize] = sc.stamp;
    let (mut next, mut len) = (0usize, 1usize);
    // Energy change of replica a (b changes by the opposite), summed as the
    // cluster grows: a spin's field and its couplings to the neighbours that
    // agree, which are exactly those outside the cluster.
    let mut de = 0.0;
    while next < len {
        let i = sc.cluster[next] as usize;
        next += 1;
        let (nbr, w) = ctx.exact.neighbours(i);
        let mut f = ctx.exact.h[i];
        for (&j, &wj) in nbr.iter().zip(w) {
            let j = j as usize;
            let d = differs(state, j);
            let new = d & (sc.mark[j] != sc.stamp);
            sc.mark[j] = if new { sc.stamp } else { sc.mark[j] };
            sc.cluster[len] = j as u32;
            len += new as usize;
            let agree = if d { 0.0 } else { 1.0 };
            f += agree * wj * state[base_a + j][la].to_f64();
        }
        de += -2.0 * state[base_a + i][la].to_f64() * f;
    }
    sc.cluster.truncate(len);
    for &i in &sc.cluster {
        let i = i as usize;
        state[base_a + i][la] = state[base_a + i][la].flip_if(true);
        state[base_b + i][lb] = state[base_b + i][lb].flip_if(true);
    }
    ch.energy[qa] += de;
    ch.energy[qb] -= de;
    Some(sc.cluster.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::lane_sweep;

    fn glass(n: usize, seed: u64, field: f64) -> IsingGraph {
        let mut rng = Xoshiro256::for_stream(seed, 0);
        let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
        for i in 0..n {
            for d in [1, 3, 7] {
                ir.push(i as i64);
                ic.push(((i + d) % n) as i64);
                j.push(rng.next_f64() * 2.0 - 1.0);
            }
        }
        let h: Vec<f64> = (0..n).map(|_| field * (rng.next_f64() - 0.5)).collect();
        IsingGraph::new(&h, &ir, &ic, &j).unwrap()
    }

    fn params(betas: &[f64]) -> TemperingParams<'_> {
        TemperingParams {
            num_threads: 1,
            ..TemperingParams::new(betas, 20, 13, 5)
        }
    }

    fn go(g: &IsingGraph, p: &TemperingParams) -> Vec<i8> {
        temper(g, p, Stop::never()).unwrap().samples.into_vec()
    }

    /// The tracking sweep makes the same moves as the plain kernel, and the
    /// energy changes it sums match the energies recomputed from the states.
    #[test]
    fn tracked_sweep_matches_the_kernel_and_the_energies() {
        let g = glass(37, 2, 1.0);
        let m = KernelModel::<f64>::new(&g, None).unwrap();
        let exact = Exact::new(&g, m.scale());
        let mut a = vec![[0f64; LANES]; 37];
        for (i, row) in a.iter_mut().enumerate() {
            for (l, v) in row.iter_mut().enumerate() {
                *v = if (i * 5 + l * 3) % 7 < 3 { 1.0 } else { -1.0 };
            }
        }
        let mut b = a.clone();
        let before: Vec<f64> = (0..LANES).map(|l| exact.energy(&b, l)).collect();
        let beta: Lanes<f64> = std::array::from_fn(|l| m.beta(0.1 + 0.2 * l as f64));
        let mut de = [0f64; LANES];
        for t in 0..30u32 {
            let keys: Lanes<u32> = std::array::from_fn(|l| t * 977 + l as u32);
            lane_sweep::<f64, false>(&m, &beta, &mut a, &keys);
            lane_sweep_ext::<f64, false, true, false>(
                &m,
                &beta,
                &mut b,
                &keys,
                &Copies::none(),
                &mut de,
            );
        }
        assert_eq!(a, b);
        for l in 0..LANES {
            let after = exact.energy(&b, l);
            assert!((before[l] + de[l] - after).abs() < 1e-9, "lane {l}");
        }
    }

    #[test]
    fn cluster_moves_conserve_the_total_energy() {
        // Strong random fields: the sum of the two replicas' energies stays.
        let g = glass(40, 4, 3.0);
        let betas = [0.2, 0.5];
        let p = TemperingParams {
            cluster_moves: true,
            ..params(&betas)
        };
        let m = KernelModel::<f64>::new(&g, None).unwrap();
        let exact = Exact::new(&g, m.scale());
        let ctx = Ctx {
            m,
            exact,
            p: &p,
            kbetas: vec![0.0; 2],
        };
        let n = 40;
        let mut rng = Xoshiro256::for_stream(1, 1);
        let mut state: Vec<Lanes<f64>> = (0..n)
            .map(|_| std::array::from_fn(|_| rng.spin() as f64))
            .collect();
        let mut ch = Chain {
            index: 0,
            first: 0,
            rung_slot: vec![vec![0, 1], vec![2, 3]],
            energy: (0..4).map(|q| ctx.exact.energy(&state, q)).collect(),
            keys: vec![],
            rng: Xoshiro256::for_stream(2, 2),
            rounds: 0,
        };
        let mut sc = ClusterScratch {
            mark: vec![0; n],
            stamp: 0,
            cluster: vec![],
            disagree: vec![],
        };
        let mut moved = 0;
        for _ in 0..50 {
            let total = ch.energy[0] + ch.energy[2];
            if let Some(size) = cluster_move(&ctx, &mut ch, 0, &mut state, &mut sc) {
                moved += size;
            }
            let (ea, eb) = (ctx.exact.energy(&state, 0), ctx.exact.energy(&state, 2));
            assert!((ea + eb - total).abs() < 1e-9, "{} != {total}", ea + eb);
            assert!((ch.energy[0] - ea).abs() < 1e-9 && (ch.energy[2] - eb).abs() < 1e-9);
        }
        assert!(moved > 0);
    }

    #[test]
    fn reads_do_not_depend_on_threads_offsets_or_packing() {
        let g = glass(30, 3, 1.0);
        for (betas, cluster) in [
            (vec![0.3, 0.6, 1.0], false),
            (vec![0.3, 1.0], true),
            ((0..20).map(|k| 0.1 + 0.05 * k as f64).collect(), false),
        ] {
            let base = TemperingParams {
                num_reads: 40,
                samples_per_chain: 3,
                thinning: 4,
                cluster_moves: cluster,
                ..params(&betas)
            };
            let all = go(&g, &base);
            let threads = go(
                &g,
                &TemperingParams {
                    num_threads: 3,
                    ..base.clone()
                },
            );
            assert_eq!(all, threads);
            let mut parts = Vec::new();
            for (off, len) in [(2u64, 5usize), (7, 1), (8, 32)] {
                parts.extend(go(
                    &g,
                    &TemperingParams {
                        read_offset: off,
                        num_reads: len,
                        ..base.clone()
                    },
                ));
            }
            assert_eq!(&all[2 * 30..], &parts[..]);
        }
    }

    #[test]
    fn a_one_rung_ladder_is_the_kernel_at_that_beta() {
        // Without swaps each replica is an ordinary chain: its samples move
        // (not stuck at the start) and different seeds differ.
        let g = glass(20, 5, 1.0);
        let betas = [0.5];
        let p = params(&betas);
        let a = temper(&g, &p, Stop::never()).unwrap();
        assert!(a.swap_attempts.is_empty());
        let b = go(
            &g,
            &TemperingParams {
                seed: 6,
                ..p.clone()
            },
        );
        assert_ne!(a.samples.into_vec(), b);
    }

    #[test]
    fn swaps_are_counted_and_hot_replicas_reach_the_cold_end() {
        let g = glass(30, 6, 1.0);
        let betas = [0.05, 0.2, 0.5, 1.0];
        let t = temper(
            &g,
            &TemperingParams {
                num_sweeps: 200,
                ..params(&betas)
            },
            Stop::never(),
        )
        .unwrap();
        assert_eq!(t.swap_attempts.len(), 3);
        for k in 0..3 {
            assert!(t.swap_attempts[k] > 0);
            assert!(t.swap_accepts[k] > 0 && t.swap_accepts[k] <= t.swap_attempts[k]);
        }
    }

    #[test]
    fn bad_parameters_are_refused() {
        let g = glass(10, 1, 1.0);
        let ok = [0.1, 1.0];
        let bad = |p: TemperingParams| temper(&g, &p, Stop::never()).is_err();
        assert!(bad(TemperingParams {
            betas: &[],
            ..params(&ok)
        }));
        assert!(bad(TemperingParams {
            betas: &[1.0, 0.5],
            ..params(&ok)
        }));
        assert!(bad(TemperingParams {
            betas: &[0.1, f64::NAN],
            ..params(&ok)
        }));
        assert!(bad(TemperingParams {
            betas: &[-1.0, 1.0],
            ..params(&ok)
        }));
        assert!(bad(TemperingParams {
            num_reads: 0,
            ..params(&ok)
        }));
        assert!(bad(TemperingParams {
            samples_per_chain: 0,
            ..params(&ok)
        }));
        assert!(bad(TemperingParams {
            thinning: 0,
            ..params(&ok)
        }));
        assert!(bad(TemperingParams {
            read_offset: u64::MAX,
            ..params(&ok)
        }));
        assert!(bad(TemperingParams {
            num_sweeps: u64::MAX,
            samples_per_chain: 2,
            ..params(&ok)
        }));
        let e = temper(
            &g,
            &TemperingParams {
                num_reads: usize::MAX / 2,
                ..params(&ok)
            },
            Stop::never(),
        );
        assert!(matches!(e, Err(Error::OutOfMemory { .. })), "{:?}", e.err());
    }

    #[test]
    fn a_stop_request_ends_the_call() {
        let g = glass(30, 1, 1.0);
        let ok = [0.1, 1.0];
        let stop = Stop::new();
        stop.request();
        let e = temper(
            &g,
            &TemperingParams {
                num_sweeps: 1_000_000,
                ..params(&ok)
            },
            &stop,
        );
        assert_eq!(e.err(), Some(Error::Interrupted));
    }
}
