//! Path-integral simulated quantum annealing: discrete-time path-integral
//! Monte Carlo of the transverse-field Ising model along an annealing path.
//!
//! For H = -Gamma sum_i sigma^x_i + c H_p at inverse temperature beta, the
//! Suzuki-Trotter decomposition with P slices gives the classical weight
//! exp(-(beta c / P) sum_k E_p(s^k) + J_perp sum_k sum_i s^k_i s^(k+1)_i), slices
//! periodic in k, with J_perp = -1/2 ln tanh(beta Gamma / P). The caller turns
//! its schedule into two numbers per sweep: the slices' problem beta (beta c /
//! P) and J_perp; a sweep updates every spin of slice 0, then of slice 1, ...,
//! each spin seeing its problem field and its two neighbours in imaginary time.
//!
//! Reads sit in SIMD lanes (16 per group, all slices of a read in its lane);
//! a group only partly requested runs whole and the extra lanes are dropped.
//! The uniforms of spin i of slice k in sweep t of read r come from the key
//! of (seed, r) at step t P + k, and the start from the stream (seed, r), so
//! read r is the same in any call, on any number of threads. A read returns
//! its slice 0.

use rayon::prelude::*;

use crate::anneal::Annealed;
use crate::error::{Error, Result};
use crate::graph::IsingGraph;
use crate::kernel::{
    choose_precision, lane_sweep, lane_sweep_ext, multiversion, Acceptance, Copies, KernelModel,
    Lanes, Precision, PrecisionRequest, Real, LANES,
};
use crate::resources::{
    check_bytes, check_task_list, check_threads, try_filled, with_threads, Stop,
};
use crate::rng::{ReadKeys, Xoshiro256};
use crate::samples::Samples;

/// Separates SQA's streams from those of other samplers with the same seed.
const STREAM_SALT: u64 = 0x7371_6121_5051_4d43;

#[derive(Clone, Debug)]
pub struct SqaParams<'a> {
    /// Per sweep: the inverse temperature of each slice's problem energy.
    pub slice_betas: &'a [f64],
    /// Per sweep: the coupling J_perp between neighbouring slices.
    pub slice_couplings: &'a [f64],
    pub num_slices: usize,
    pub num_reads: usize,
    /// Absolute index of the first read.
    pub read_offset: u64,
    pub seed: u64,
    /// Per spin: 0 free, +1 or -1 held at that value (in every slice).
    pub fixed: Option<&'a [i8]>,
    pub acceptance: Acceptance,
    pub precision: PrecisionRequest,
    /// 0: all cores.
    pub num_threads: usize,
}

impl<'a> SqaParams<'a> {
    pub fn new(
        slice_betas: &'a [f64],
        slice_couplings: &'a [f64],
        num_slices: usize,
        num_reads: usize,
        seed: u64,
    ) -> Self {
        SqaParams {
            slice_betas,
            slice_couplings,
            num_slices,
            num_reads,
            read_offset: 0,
            seed,
            fixed: None,
            acceptance: Acceptance::Metropolis,
            precision: PrecisionRequest::Auto,
            num_threads: 0,
        }
    }

    /// Single-spin updates of the call, counting whole lane groups.
    pub fn work(&self, num_spins: usize) -> f64 {
        let first = self.read_offset / LANES as u64;
        let end = self
            .read_offset
            .saturating_add(self.num_reads.max(1) as u64);
        let last = (end - 1) / LANES as u64;
        ((last - first + 1) * LANES as u64) as f64
            * self.slice_betas.len() as f64
            * (self.num_slices * num_spins) as f64
    }
}

/// Slice 0 of every read, with the float width used.
pub fn sqa(graph: &IsingGraph, p: &SqaParams, stop: &Stop) -> Result<Annealed> {
    let n = graph.num_spins();
    validate(n, p)?;
    let mut samples = Samples::filled("num_reads", p.num_reads, n)?;
    let beta_max = p.slice_betas.iter().cloned().fold(0.0, f64::max);
    let precision = choose_precision(graph, beta_max, p.precision);
    if n == 0 {
        // Reads of nothing: no work, and no task list as long as the reads.
        return Ok(Annealed { samples, precision });
    }
    check_task_list("num_reads", p.num_reads, 48)?;
    match precision {
        Precision::Single => run::<f32>(graph, p, &mut samples, stop)?,
        Precision::Double => run::<f64>(graph, p, &mut samples, stop)?,
    }
    Ok(Annealed { samples, precision })
}

fn validate(n: usize, p: &SqaParams) -> Result<()> {
    Error::positive("num_reads", p.num_reads)?;
    Error::positive("num_slices", p.num_slices)?;
    check_threads(p.num_threads)?;
    if p.slice_betas.len() != p.slice_couplings.len() {
        return Err(Error::shape(
            "slice_couplings",
            format!(
                "expected one per sweep ({}), got {}",
                p.slice_betas.len(),
                p.slice_couplings.len()
            ),
        ));
    }
    for (name, values) in [
        ("slice_betas", p.slice_betas),
        ("slice_couplings", p.slice_couplings),
    ] {
        if let Some(k) = values.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::value(
                name,
                format!(
                    "must hold finite non-negative values: {name}[{k}] = {}",
                    values[k]
                ),
            ));
        }
    }
    if (p.slice_betas.len() as u128) * (p.num_slices as u128) >= u64::MAX as u128 {
        return Err(Error::value(
            "num_slices",
            "times the number of sweeps must stay below 2^64",
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

fn run<T: Real>(graph: &IsingGraph, p: &SqaParams, out: &mut Samples, stop: &Stop) -> Result<()> {
    let m = KernelModel::<T>::new(graph, p.fixed)?;
    let n = graph.num_spins();
    let (start, end) = (p.read_offset, p.read_offset + p.num_reads as u64);
    let first_group = start / LANES as u64;
    let last_group = (end - 1) / LANES as u64;
    let threads = if p.num_threads == 0 {
        rayon::current_num_threads()
    } else {
        p.num_threads
    };
    let concurrent = (threads as u64).min(last_group - first_group + 1) as u128;
    check_bytes(
        "num_slices",
        "the slices of the reads",
        concurrent * p.num_slices as u128 * (n * LANES * std::mem::size_of::<T>()) as u128,
    )?;
    let mut jobs: Vec<(u64, u64, u64, &mut [i8])> = Vec::new();
    let mut rest = out.as_mut_slice();
    for g in first_group..=last_group {
        let first_read = g * LANES as u64;
        let (lo, hi) = (start.max(first_read), end.min(first_read + LANES as u64));
        let (mine, tail) = rest.split_at_mut((hi - lo) as usize * n);
        jobs.push((first_read, lo, hi, mine));
        rest = tail;
    }
    with_threads(p.num_threads, || {
        jobs.into_par_iter()
            .try_for_each(|(first_read, lo, hi, rows)| {
                group_task(&m, p, first_read, lo, hi, rows, stop)
            })
    })?
}

fn group_task<T: Real>(
    m: &KernelModel<T>,
    p: &SqaParams,
    first_read: u64,
    lo: u64,
    hi: u64,
    rows: &mut [i8],
    stop: &Stop,
) -> Result<()> {
    let n = m.num_spins();
    let slices = p.num_slices;
    let mut state: Vec<Lanes<T>> = try_filled(
        "num_slices",
        "the slices of the reads",
        slices * n,
        [T::ONE; LANES],
    )?;
    let keys: [ReadKeys; LANES] =
        std::array::from_fn(|l| ReadKeys::new(p.seed ^ STREAM_SALT, first_read + l as u64));
    // Each read draws its start, slice after slice, from its own stream.
    let mut rngs: [Xoshiro256; LANES] = std::array::from_fn(|l| {
        Xoshiro256::for_stream(p.seed ^ STREAM_SALT, first_read + l as u64)
    });
    for (row, i) in state.iter_mut().zip((0..n).cycle()) {
        let held = m.fixed_value(i);
        for (v, rng) in row.iter_mut().zip(rngs.iter_mut()) {
            *v = match held {
                0 => T::ONE.flip_if(rng.spin() < 0),
                h => T::ONE.flip_if(h < 0),
            };
        }
    }
    let args = (p.slice_betas, p.slice_couplings, slices);
    match p.acceptance {
        Acceptance::Metropolis => anneal_slices::<T, false>(m, args, &mut state, &keys, stop)?,
        Acceptance::Gibbs => anneal_slices::<T, true>(m, args, &mut state, &keys, stop)?,
    }
    for (k, read) in (lo..hi).enumerate() {
        let l = (read - first_read) as usize;
        for (r, s) in rows[k * n..(k + 1) * n].iter_mut().zip(&state[..n]) {
            *r = if s[l] > T::ZERO { 1 } else { -1 };
        }
    }
    Ok(())
}

/// The schedule: slice betas, slice couplings, number of slices.
type Schedule<'a> = (&'a [f64], &'a [f64], usize);

#[inline(always)]
fn anneal_slices_body<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    (betas, couplings, slices): Schedule<'_>,
    state: &mut [Lanes<T>],
    keys: &[ReadKeys; LANES],
    stop: &Stop,
) -> Result<()> {
    let n = m.num_spins();
    let mut unused = [T::ZERO; LANES];
    for (t, (&b, &j)) in betas.iter().zip(couplings).enumerate() {
        stop.check()?;
        let beta = [m.beta(b); LANES];
        let strength = [T::from_f64(-j); LANES];
        for k in 0..slices {
            let step = t as u64 * slices as u64 + k as u64;
            let key: Lanes<u32> = std::array::from_fn(|l| keys[l].sweep(step));
            if slices == 1 {
                // One slice: s s = 1 with itself, the coupling is a constant.
                lane_sweep::<T, GIBBS>(m, &beta, state, &key);
                continue;
            }
            let (head, tail) = state.split_at_mut(k * n);
            let (cur, after) = tail.split_at_mut(n);
            let above: &[Lanes<T>] = if k + 1 < slices {
                &after[..n]
            } else {
                &head[..n]
            };
            let below: &[Lanes<T>] = if k > 0 {
                &head[(k - 1) * n..k * n]
            } else {
                &after[(slices - 2) * n..(slices - 1) * n]
            };
            let copies = Copies {
                above,
                below,
                strength,
            };
            lane_sweep_ext::<T, GIBBS, false, true>(m, &beta, cur, &key, &copies, &mut unused);
        }
    }
    Ok(())
}

multiversion!(
    fn anneal_slices [T: Real, const GIBBS: bool] [T, GIBBS] (
        m: &KernelModel<T>,
        schedule: Schedule<'_>,
        state: &mut [Lanes<T>],
        keys: &[ReadKeys; LANES],
        stop: &Stop,
    ) -> Result<()> => anneal_slices_body
);

#[cfg(test)]
mod tests {
    use super::*;

    /// A ring with chords (d = 1, 3, 7): no slow one-dimensional coarsening.
    fn ring(n: usize, j: f64) -> IsingGraph {
        let (mut irow, mut icol) = (vec![], vec![]);
        for i in 0..n as i64 {
            for d in [1, 3, 7] {
                irow.push(i);
                icol.push((i + d) % n as i64);
            }
        }
        IsingGraph::new(&vec![0.05; n], &irow, &icol, &vec![j; 3 * n]).unwrap()
    }

    /// A linear anneal: problem beta up, transverse field down.
    fn schedule(sweeps: usize, slices: usize) -> (Vec<f64>, Vec<f64>) {
        let beta = 4.0;
        (0..sweeps)
            .map(|t| {
                let s = (t + 1) as f64 / sweeps as f64;
                let gamma = 3.0 * (1.0 - s) + 1e-6;
                let jp = -0.5 * (beta * gamma / slices as f64).tanh().ln();
                (beta * s / slices as f64, jp)
            })
            .unzip()
    }

    fn go(g: &IsingGraph, p: &SqaParams) -> Vec<i8> {
        sqa(g, p, Stop::never()).unwrap().samples.into_vec()
    }

    #[test]
    fn annealing_orders_a_ferromagnet() {
        // The field is too weak to pick a side before the spins order, so a
        // read ends in either aligned state: all of them must be aligned.
        let g = ring(24, -1.0);
        let (b, j) = schedule(300, 8);
        for acceptance in [Acceptance::Metropolis, Acceptance::Gibbs] {
            let p = SqaParams {
                acceptance,
                num_threads: 1,
                ..SqaParams::new(&b, &j, 8, 20, 3)
            };
            let out = go(&g, &p);
            let hits = out
                .chunks(24)
                .filter(|r| r.iter().all(|&v| v == r[0]))
                .count();
            assert!(hits >= 18, "{hits} of 20 reads aligned: {out:?}");
        }
    }

    #[test]
    fn reads_do_not_depend_on_threads_or_offsets() {
        let g = ring(20, 0.7);
        let (b, j) = schedule(30, 4);
        for slices in [1usize, 2, 4] {
            let base = SqaParams {
                num_threads: 1,
                ..SqaParams::new(&b, &j, slices, 40, 8)
            };
            let all = go(&g, &base);
            let threads = go(
                &g,
                &SqaParams {
                    num_threads: 3,
                    ..base.clone()
                },
            );
            assert_eq!(all, threads);
            let mut parts = Vec::new();
            for (off, len) in [(5u64, 12usize), (17, 1), (18, 22)] {
                parts.extend(go(
                    &g,
                    &SqaParams {
                        read_offset: off,
                        num_reads: len,
                        ..base.clone()
                    },
                ));
            }
            assert_eq!(&all[5 * 20..], &parts[..]);
        }
    }

    #[test]
    fn fixed_spins_hold_in_every_slice() {
        let g = ring(10, 1.0);
        let mut fixed = vec![0i8; 10];
        fixed[2] = 1;
        let (b, j) = (vec![0.5; 20], vec![0.3; 20]);
        let p = SqaParams {
            fixed: Some(&fixed),
            num_threads: 1,
            ..SqaParams::new(&b, &j, 3, 30, 1)
        };
        assert!(go(&g, &p).chunks(10).all(|r| r[2] == 1));
    }

    #[test]
    fn bad_parameters_are_refused() {
        let g = ring(4, 1.0);
        let (b, j) = (vec![1.0; 3], vec![0.5; 3]);
        let ok = SqaParams::new(&b, &j, 4, 2, 0);
        let bad = |p: SqaParams| sqa(&g, &p, Stop::never()).is_err();
        assert!(bad(SqaParams {
            num_slices: 0,
            ..ok.clone()
        }));
        assert!(bad(SqaParams {
            num_reads: 0,
            ..ok.clone()
        }));
        assert!(bad(SqaParams {
            slice_couplings: &[0.5],
            ..ok.clone()
        }));
        assert!(bad(SqaParams {
            slice_betas: &[1.0, -1.0, 1.0],
            ..ok.clone()
        }));
        assert!(bad(SqaParams {
            slice_couplings: &[0.5, f64::INFINITY, 1.0],
            ..ok.clone()
        }));
        assert!(bad(SqaParams {
            read_offset: u64::MAX,
            ..ok.clone()
        }));
        let e = sqa(
            &g,
            &SqaParams {
                num_slices: usize::MAX / 64,
                ..ok.clone()
            },
            Stop::never(),
        );
        assert!(matches!(e, Err(Error::OutOfMemory { .. })), "{:?}", e.err());
    }

    #[test]
    fn a_stop_request_ends_the_call() {
        let g = ring(30, 1.0);
        let (b, j) = (vec![1.0; 100_000], vec![0.5; 100_000]);
        let stop = Stop::new();
        stop.request();
        let e = sqa(&g, &SqaParams::new(&b, &j, 8, 4, 0), &stop).err();
        assert_eq!(e, Some(Error::Interrupted));
    }
}
