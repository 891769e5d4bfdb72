//! States restricted to given chain majorities.
//!
//! An embedded model's qubits form chains; a state z decodes to the logical
//! values v when the strict majority of every chain agrees with its value.
//! The set A_v of those states carries the logical probability
//! P(v) = sum_(z in A_v) P(z); to weigh it, this file gives
//! - `ChainMajority`: which spins form which chain, and the value each
//!   chain's strict majority must take;
//! - `UniformStart`: uniform draws over the allowed states (with fixed spins
//!   held) and the log of their number — the beta = 0 end of annealed
//!   importance sampling;
//! - `restricted_lane_sweep`: `lane_sweep` with every flip that would cost a
//!   chain its majority refused. Refusing a proposal that leaves A is the
//!   Metropolis rule for the Boltzmann distribution restricted to A (and,
//!   for the heat-bath rule, the conditional of a spin whose other value is
//!   outside A is a point mass), so the sweep leaves that distribution
//!   invariant. It can also pull the chains towards their values:
//!   p(z) ∝ exp(-beta E(z) - lambda D(z)) on A, D(z) the number of spins
//!   disagreeing with their chain's value.

use crate::error::{Error, Result};
use crate::kernel::{add_scaled, bounds, decide, lane_uniforms, KernelModel, Lanes, Real, LANES};
use crate::resources::try_filled;
use crate::rng::Xoshiro256;

/// The chain index of a spin that belongs to no chain.
pub const NO_CHAIN: u32 = u32::MAX;

/// Spins grouped into chains, each with the value its strict majority must have.
#[derive(Clone, Debug)]
pub struct ChainMajority {
    chain: Vec<u32>,
    value: Vec<i8>,
    size: Vec<u32>,
}

impl ChainMajority {
    /// `chain_of_spin[i]`: the chain of spin i, or -1 for a spin in no chain;
    /// `values[c]`: the value (+1 or -1) of chain c's strict majority.
    pub fn new(num_spins: usize, chain_of_spin: &[i64], values: &[i8]) -> Result<Self> {
        if chain_of_spin.len() != num_spins {
            return Err(Error::shape(
                "chain_of_spin",
                format!(
                    "expected {num_spins} entries (one per spin), got {}",
                    chain_of_spin.len()
                ),
            ));
        }
        if let Some(c) = values.iter().position(|&v| v != 1 && v != -1) {
            return Err(Error::value(
                "chain_values",
                format!("must be +1 or -1: chain {c} has {}", values[c]),
            ));
        }
        let num_chains = values.len();
        let mut size = vec![0u32; num_chains];
        let mut chain = Vec::with_capacity(num_spins);
        for (i, &c) in chain_of_spin.iter().enumerate() {
            if c == -1 {
                chain.push(NO_CHAIN);
            } else if c < 0 || c as u64 >= num_chains as u64 {
                return Err(Error::value(
                    "chain_of_spin",
                    format!(
                        "must be -1 (no chain) or a chain index below {num_chains} (the number of \
                         chain values): spin {i} has {c}"
                    ),
                ));
            } else {
                chain.push(c as u32);
                size[c as usize] += 1;
            }
        }
        if let Some(c) = size.iter().position(|&s| s == 0) {
            return Err(Error::value(
                "chain_values",
                format!("has a value for chain {c}, which has no spin"),
            ));
        }
        Ok(ChainMajority {
            chain,
            value: values.to_vec(),
            size,
        })
    }

    pub fn num_spins(&self) -> usize {
        self.chain.len()
    }

    pub fn num_chains(&self) -> usize {
        self.value.len()
    }

    /// Whether every chain's strict majority of `s` (±1 per spin) has its value.
    pub fn holds(&self, s: &[i8]) -> bool {
        let mut votes = vec![0i64; self.num_chains()];
        for (&c, &v) in self.chain.iter().zip(s) {
            if c != NO_CHAIN {
                votes[c as usize] += (v * self.value[c as usize]) as i64;
            }
        }
        votes.iter().all(|&v| v > 0)
    }

    /// Per lane, D: the number of chained spins disagreeing with their
    /// chain's value, from the counts of `agreement`.
    #[inline(always)]
    pub fn disagreements(&self, agree: &[Lanes<i32>]) -> Lanes<f64> {
        let mut d = [0.0f64; LANES];
        for (&size, a) in self.size.iter().zip(agree) {
            for l in 0..LANES {
                d[l] += (size as i32 - a[l]) as f64;
            }
        }
        d
    }

    /// D of one state (±1 per spin).
    pub fn disagreements_of(&self, s: &[i8]) -> usize {
        self.chain
            .iter()
            .zip(s)
            .filter(|&(&c, &v)| c != NO_CHAIN && v != self.value[c as usize])
            .count()
    }

    /// Per chain and lane, the number of spins agreeing with the chain's value.
    pub fn agreement<T: Real>(&self, state: &[Lanes<T>]) -> Result<Vec<Lanes<i32>>> {
        let mut agree = try_filled(
            "chain_values",
            "chain counts",
            self.num_chains(),
            [0i32; LANES],
        )?;
        for (&c, s) in self.chain.iter().zip(state) {
            if c != NO_CHAIN {
                let v = self.value[c as usize] as f64;
                for l in 0..LANES {
                    agree[c as usize][l] += (s[l].to_f64() == v) as i32;
                }
            }
        }
        Ok(agree)
    }
}

/// Uniform draws over the states whose fixed spins hold their values and
/// whose chains (if any) have their majorities.
pub struct UniformStart {
    n: usize,
    fixed: Option<Vec<i8>>,
    chain: Option<Vec<u32>>,
    chains: Vec<ChainDraw>,
    log_count: f64,
}

/// How to draw the free spins of one chain: k of them take the chain's value
/// with probability `cdf[k - k_min] - cdf[k - k_min - 1]`, proportional to
/// the number C(F, k) of ways to choose them.
struct ChainDraw {
    value: i8,
    free: Vec<u32>,
    k_min: usize,
    cdf: Vec<f64>,
}

impl UniformStart {
    pub fn new(n: usize, fixed: Option<&[i8]>, majority: Option<&ChainMajority>) -> Result<Self> {
        let is_free = |i: usize| fixed.is_none_or(|f| f[i] == 0);
        let mut log_count = 0.0;
        let loose = (0..n)
            .filter(|&i| is_free(i) && majority.is_none_or(|m| m.chain[i] == NO_CHAIN))
            .count();
        log_count += loose as f64 * std::f64::consts::LN_2;
        let mut chains = Vec::new();
        if let Some(m) = majority {
            if m.num_spins() != n {
                return Err(Error::shape(
                    "chain_of_spin",
                    format!("expected {n} entries (one per spin), got {}", m.num_spins()),
                ));
            }
            let mut free: Vec<Vec<u32>> = vec![Vec::new(); m.num_chains()];
            let mut agreeing_fixed = vec![0usize; m.num_chains()];
            for i in 0..n {
                let c = m.chain[i];
                if c == NO_CHAIN {
                    continue;
                }
                if is_free(i) {
                    free[c as usize].push(i as u32);
                } else if fixed.is_some_and(|f| f[i] == m.value[c as usize]) {
                    agreeing_fixed[c as usize] += 1;
                }
            }
            let largest = free.iter().map(Vec::len).max().unwrap_or(0);
            let log_factorial: Vec<f64> = std::iter::once(0.0)
                .chain((1..=largest).scan(0.0, |acc, k| {
                    *acc += (k as f64).ln();
                    Some(*acc)
                }))
                .collect();
            for (c, members) in free.into_iter().enumerate() {
                let f = members.len();
                // A strict majority of the chain's size agrees with the value.
                let needed = m.size[c] as usize / 2 + 1;
                let k_min = needed.saturating_sub(agreeing_fixed[c]);
                if k_min > f {
                    return Err(Error::value(
                        "fixed_variables",
                        format!(
                            "leave chain {c} no state whose majority is {}: {} of its {} spins \
                             are held against it",
                            m.value[c],
                            m.size[c] as usize - f - agreeing_fixed[c],
                            m.size[c]
                        ),
                    ));
                }
                let log_ways: Vec<f64> = (k_min..=f)
                    .map(|k| log_factorial[f] - log_factorial[k] - log_factorial[f - k])
                    .collect();
                let top = log_ways.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = log_ways.iter().map(|&x| (x - top).exp()).sum();
                log_count += top + total.ln();
                let mut acc = 0.0;
                let mut cdf: Vec<f64> = log_ways
                    .iter()
                    .map(|&x| {
                        acc += (x - top).exp() / total;
                        acc
                    })
                    .collect();
                if let Some(last) = cdf.last_mut() {
                    *last = 1.0;
                }
                chains.push(ChainDraw {
                    value: m.value[c],
                    free: members,
                    k_min,
                    cdf,
                });
            }
        }
        Ok(UniformStart {
            n,
            fixed: fixed.map(<[i8]>::to_vec),
            chain: majority.map(|m| m.chain.clone()),
            chains,
            log_count,
        })
    }

    /// The log of the number of allowed states.
    pub fn log_count(&self) -> f64 {
        self.log_count
    }

    /// One uniform draw into `out` (n spins).
    pub fn draw(&self, rng: &mut Xoshiro256, out: &mut [i8]) {
        for (i, s) in out.iter_mut().enumerate().take(self.n) {
            let held = self.fixed.as_ref().map_or(0, |f| f[i]);
            let chained = self.chain.as_ref().is_some_and(|c| c[i] != NO_CHAIN);
            *s = if held != 0 {
                held
            } else if chained {
                0 // set with its chain below
            } else {
                rng.spin()
            };
        }
        let mut scratch: Vec<u32> = Vec::new();
        for ch in &self.chains {
            let u = rng.next_f64();
            let k = ch.k_min
                + ch.cdf
                    .iter()
                    .position(|&c| u < c)
                    .unwrap_or(ch.cdf.len() - 1);
            // A uniform k-subset of the free members by a partial shuffle.
            scratch.clear();
            scratch.extend_from_slice(&ch.free);
            for j in 0..k {
                let pick = j + rng.below((scratch.len() - j) as u64) as usize;
                scratch.swap(j, pick);
            }
            for (j, &i) in scratch.iter().enumerate() {
                out[i as usize] = if j < k { ch.value } else { -ch.value };
            }
        }
    }
}

/// One sweep of `LANES` chains restricted to the chain majorities of `c`:
/// the same visiting order, field sums, keys and uniforms as `lane_sweep`
/// (so the same moves are proposed and judged), but a flip that would leave
/// a chain without its majority is refused, and a chained spin's flip costs
/// `pull` more (less) when it leaves (joins) its chain's value: the sweep
/// leaves exp(-beta E - pull D) on the restricted set invariant. `agree`
/// holds, per chain and lane, the spins agreeing with the chain's value
/// (`ChainMajority::agreement`) and is kept up to date.
#[inline(always)]
pub fn restricted_lane_sweep<T: Real, const GIBBS: bool>(
    m: &KernelModel<T>,
    c: &ChainMajority,
    beta: &Lanes<T>,
    pull: T,
    state: &mut [Lanes<T>],
    agree: &mut [Lanes<i32>],
    keys: &Lanes<u32>,
) {
    let t = m.tables();
    let (lo_t, hi_t) = bounds::<T, GIBBS>();
    assert!(state.len() >= m.num_spins(), "state must hold every spin");
    assert!(c.num_spins() == m.num_spins(), "one chain entry per spin");
    assert!(agree.len() >= c.num_chains(), "one count per chain");
    for &i in t.order {
        let i = i as usize;
        // SAFETY: as in `lane_sweep`: the tables come from a valid graph of n
        // spins and `state` holds n rows (asserted). `c.chain` has n entries
        // (asserted), each NO_CHAIN or a chain index below `num_chains`
        // (checked by `ChainMajority::new`), and `agree` holds a row per chain.
        unsafe {
            let (lo, hi) = (
                *t.offsets.get_unchecked(i) as usize,
                *t.offsets.get_unchecked(i + 1) as usize,
            );
            let nbr = t.neighbours.get_unchecked(lo..hi);
            let w = t.weights.get_unchecked(lo..hi);
            let mut field = [*t.h.get_unchecked(i); LANES];
            for (&j, &wj) in nbr.iter().zip(w) {
                add_scaled(&mut field, wj, state.get_unchecked(j as usize));
            }
            let salt = *t.salts.get_unchecked(i);
            let si = state.get_unchecked_mut(i);
            let s: Lanes<T> = *si;
            let ch = *c.chain.get_unchecked(i);
            let mut x = [T::ZERO; LANES];
            for l in 0..LANES {
                x[l] = beta[l] * ((T::MINUS_TWO * s[l]) * field[l]);
            }
            // The chain's value (0 for a spin in no chain: no pull).
            let v = if ch == NO_CHAIN {
                T::ZERO
            } else {
                T::ONE.flip_if(*c.value.get_unchecked(ch as usize) < 0)
            };
            if ch != NO_CHAIN {
                for l in 0..LANES {
                    // Leaving the value (s v = 1) adds one to D.
                    x[l] = x[l] + pull * (s[l] * v);
                }
            }
            let mut undecided = false;
            for &xl in &x {
                undecided |= (xl >= lo_t) & (xl < hi_t);
            }
            let mut flip: Lanes<bool> = if undecided {
                decide::<T, GIBBS>(&x, &lane_uniforms(keys, salt))
            } else {
                let mut f = [false; LANES];
                for l in 0..LANES {
                    f[l] = x[l] < lo_t;
                }
                f
            };
            if ch != NO_CHAIN {
                let ch = ch as usize;
                let size = *c.size.get_unchecked(ch) as i32;
                let a = agree.get_unchecked_mut(ch);
                for l in 0..LANES {
                    let agreeing = s[l] == v;
                    // An agreeing spin may leave only if a strict majority stays.
                    flip[l] &= !agreeing | (2 * (a[l] - 1) > size);
                    let step = if agreeing { -1 } else { 1 };
                    a[l] += if flip[l] { step } else { 0 };
                }
            }
            for l in 0..LANES {
                si[l] = s[l].flip_if(flip[l]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::IsingGraph;
    use crate::kernel::lane_sweep;
    use crate::rng::ReadKeys;

    fn ladder(n: usize, seed: u64) -> IsingGraph {
        let mut rng = Xoshiro256::for_stream(seed, 0);
        let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
        for i in 0..n {
            for d in [1, 2] {
                if i + d < n {
                    ir.push(i as i64);
                    ic.push((i + d) as i64);
                    j.push(rng.next_f64() * 2.0 - 1.0);
                }
            }
        }
        let h: Vec<f64> = (0..n).map(|_| rng.next_f64() - 0.5).collect();
        IsingGraph::new(&h, &ir, &ic, &j).unwrap()
    }

    fn lanes_of(states: &[Vec<i8>]) -> Vec<Lanes<f64>> {
        let n = states[0].len();
        (0..n)
            .map(|i| std::array::from_fn(|l| states[l % states.len()][i] as f64))
            .collect()
    }

    /// Without chains nothing is refused: the same samples as `lane_sweep`.
    #[test]
    fn no_chains_is_the_plain_sweep() {
        let g = ladder(23, 1);
        let m = KernelModel::<f64>::new(&g, None).unwrap();
        let none = ChainMajority::new(23, &[-1; 23], &[]).unwrap();
        let start = UniformStart::new(23, None, None).unwrap();
        let states: Vec<Vec<i8>> = (0..LANES as u64)
            .map(|r| {
                let mut s = vec![0i8; 23];
                start.draw(&mut Xoshiro256::for_stream(4, r), &mut s);
                s
            })
            .collect();
        for gibbs in [false, true] {
            let mut a = lanes_of(&states);
            let mut b = a.clone();
            let mut agree = none.agreement(&b).unwrap();
            for t in 0..30u64 {
                let beta = [m.beta(0.1 * t as f64); LANES];
                let k: Lanes<u32> = std::array::from_fn(|l| ReadKeys::new(2, l as u64).sweep(t));
                if gibbs {
                    lane_sweep::<f64, true>(&m, &beta, &mut a, &k);
                    restricted_lane_sweep::<f64, true>(
                        &m, &none, &beta, 0.0, &mut b, &mut agree, &k,
                    );
                } else {
                    lane_sweep::<f64, false>(&m, &beta, &mut a, &k);
                    restricted_lane_sweep::<f64, false>(
                        &m, &none, &beta, 0.0, &mut b, &mut agree, &k,
                    );
                }
            }
            assert_eq!(a, b);
        }
    }

    /// Starts are in the restricted set, sweeps never leave it, and the
    /// chain counts follow the state.
    #[test]
    fn sweeps_keep_every_majority() {
        let n = 20;
        let g = ladder(n, 2);
        // Chains of 4, 5, 1 and 6 spins (one even: ties are outside the set),
        // spins 16..20 free of chains.
        let chain_of: Vec<i64> = (0..n as i64)
            .map(|i| match i {
                0..=3 => 0,
                4..=8 => 1,
                9 => 2,
                10..=15 => 3,
                _ => -1,
            })
            .collect();
        let values = [1i8, -1, 1, -1];
        let maj = ChainMajority::new(n, &chain_of, &values).unwrap();
        let mut fixed = vec![0i8; n];
        fixed[5] = 1; // against chain 1's value
        fixed[17] = -1;
        let start = UniformStart::new(n, Some(&fixed), Some(&maj)).unwrap();
        let m = KernelModel::<f32>::new(&g, Some(&fixed)).unwrap();
        let states: Vec<Vec<i8>> = (0..LANES as u64)
            .map(|r| {
                let mut s = vec![0i8; n];
                start.draw(&mut Xoshiro256::for_stream(9, r), &mut s);
                assert!(maj.holds(&s), "{s:?}");
                assert_eq!((s[5], s[17]), (1, -1));
                s
            })
            .collect();
        let mut lanes: Vec<Lanes<f32>> = (0..n)
            .map(|i| std::array::from_fn(|l| states[l][i] as f32))
            .collect();
        let mut agree = maj.agreement(&lanes).unwrap();
        for t in 0..200u64 {
            // Hot: many proposals would break a chain.
            let beta = [m.beta(0.05); LANES];
            let k: Lanes<u32> = std::array::from_fn(|l| ReadKeys::new(3, l as u64).sweep(t));
            let pull = if t % 2 == 0 { 0.0 } else { 2.0 };
            restricted_lane_sweep::<f32, false>(&m, &maj, &beta, pull, &mut lanes, &mut agree, &k);
            for l in 0..LANES {
                let s: Vec<i8> = lanes.iter().map(|r| r[l] as i8).collect();
                assert!(maj.holds(&s), "sweep {t}, lane {l}: {s:?}");
                assert_eq!((s[5], s[17]), (1, -1));
            }
            assert_eq!(agree, maj.agreement(&lanes).unwrap());
        }
    }

    /// log |A| and the frequencies of the uniform draws, by brute force.
    #[test]
    fn uniform_start_counts_and_draws_uniformly() {
        let n = 7;
        let chain_of = [0i64, 0, 0, 0, 1, 1, -1];
        let values = [1i8, -1];
        let maj = ChainMajority::new(n, &chain_of, &values).unwrap();
        let fixed = [0i8, 0, -1, 0, 0, 0, 0];
        let start = UniformStart::new(n, Some(&fixed), Some(&maj)).unwrap();
        let allowed: Vec<Vec<i8>> = (0..1u32 << n)
            .map(|b| {
                (0..n)
                    .map(|i| if b >> i & 1 == 1 { 1 } else { -1 })
                    .collect()
            })
            .filter(|s: &Vec<i8>| maj.holds(s) && s[2] == -1)
            .collect();
        // Chain 0 (4 spins, one held at -1): the other three all +1; chain 1
        // (2 spins): both -1; spin 6 free: 2 states.
        assert_eq!(allowed.len(), 2);
        assert!((start.log_count() - (allowed.len() as f64).ln()).abs() < 1e-12);
        let wide = ChainMajority::new(5, &[0, 0, 0, 0, 0], &[1]).unwrap();
        let start = UniformStart::new(5, None, Some(&wide)).unwrap();
        assert!((start.log_count() - 16f64.ln()).abs() < 1e-12); // C(5,3)+C(5,4)+C(5,5)
        let mut counts = std::collections::HashMap::new();
        let draws = 32_000;
        for r in 0..draws {
            let mut s = vec![0i8; 5];
            start.draw(&mut Xoshiro256::for_stream(1, r), &mut s);
            assert!(wide.holds(&s));
            *counts.entry(s).or_insert(0usize) += 1;
        }
        assert_eq!(counts.len(), 16);
        // Each state has probability 1/16: sd of a count is ~43; 5 sigma.
        for (s, &k) in &counts {
            assert!((k as f64 - 2000.0).abs() < 220.0, "{s:?} drawn {k} times");
        }
    }

    #[test]
    fn bad_chains_are_named() {
        let e = ChainMajority::new(3, &[0, 0], &[1]).unwrap_err();
        assert!(e.to_string().contains("'chain_of_spin'"), "{e}");
        let e = ChainMajority::new(2, &[0, 2], &[1, 1]).unwrap_err();
        assert!(e.to_string().contains("spin 1 has 2"), "{e}");
        let e = ChainMajority::new(2, &[0, 0], &[1, 0]).unwrap_err();
        assert!(e.to_string().contains("'chain_values'"), "{e}");
        let e = ChainMajority::new(2, &[0, 0], &[1, -1]).unwrap_err();
        assert!(e.to_string().contains("chain 1, which has no spin"), "{e}");
        // Two of three spins held against the value: no majority left.
        let m = ChainMajority::new(3, &[0, 0, 0], &[1]).unwrap();
        let e = UniformStart::new(3, Some(&[-1, -1, 0]), Some(&m))
            .err()
            .unwrap();
        assert!(e.to_string().contains("'fixed_variables'"), "{e}");
    }
}
