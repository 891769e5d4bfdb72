//! The Ising model: its structure (spins and coupled pairs, as a symmetric
//! compressed adjacency so a spin's neighbours are one contiguous slice) built
//! once, and its parameters (fields `h`, couplings `J`) that can be replaced
//! without rebuilding the structure — what a learning loop does every
//! iteration.
//!
//! Convention (dimod's): E(s) = sum_i h_i s_i + sum_(i<j) J_ij s_i s_j.

use crate::error::{Error, Result};
use crate::samples::Samples;

/// Largest number of spins: indices are `u32`, and one more index is kept
/// free for the padding of the spin-parallel kernel.
pub const MAX_SPINS: usize = (u32::MAX - 1) as usize;

#[derive(Clone, Debug)]
pub struct IsingGraph {
    n: usize,
    /// Unique coupled pairs (i < j), sorted.
    edges: Vec<(u32, u32)>,
    /// CSR: neighbours of spin i are `nbr[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<u32>,
    nbr: Vec<u32>,
    /// The unique edge behind each CSR slot.
    slot_edge: Vec<u32>,
    /// The unique edge each input coupling adds to (duplicates are summed).
    input_edge: Vec<u32>,
    h: Vec<f64>,
    /// One coupling per unique edge.
    j: Vec<f64>,
}

impl IsingGraph {
    /// The structure of `num_spins` spins coupled on the pairs
    /// `(irow[k], icol[k])`; all parameters start at zero.
    pub fn structure(num_spins: usize, irow: &[i64], icol: &[i64]) -> Result<Self> {
        let n = num_spins;
        if n > MAX_SPINS {
            return Err(Error::value(
                "h",
                format!("has {n} spins, more than the {MAX_SPINS} supported"),
            ));
        }
        if irow.len() != icol.len() {
            return Err(Error::shape(
                "J",
                format!(
                    "irow and icol must have equal lengths, got {} and {}",
                    irow.len(),
                    icol.len()
                ),
            ));
        }
        if irow.len() > (u32::MAX / 2) as usize {
            return Err(Error::value(
                "J",
                format!("has {} couplings, more than supported", irow.len()),
            ));
        }
        let mut pairs: Vec<(u32, u32, u32)> = Vec::with_capacity(irow.len());
        for (k, (&a, &b)) in irow.iter().zip(icol).enumerate() {
            for (name, v) in [("irow", a), ("icol", b)] {
                if v < 0 || v as u64 >= n as u64 {
                    return Err(Error::value(
                        name,
                        format!("index {v} at position {k} is out of range for {n} spins"),
                    ));
                }
            }
            if a == b {
                return Err(Error::value(
                    "J",
                    format!("self-loop on spin {a} (position {k}) is not allowed"),
                ));
            }
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            pairs.push((lo as u32, hi as u32, k as u32));
        }
        pairs.sort_unstable();
        let mut edges: Vec<(u32, u32)> = Vec::with_capacity(pairs.len());
        let mut input_edge = vec![0u32; pairs.len()];
        for &(a, b, k) in &pairs {
            if edges.last() != Some(&(a, b)) {
                edges.push((a, b));
            }
            input_edge[k as usize] = (edges.len() - 1) as u32;
        }
        let mut degree = vec![0u32; n];
        for &(a, b) in &edges {
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        let mut offsets = vec![0u32; n + 1];
        for i in 0..n {
            offsets[i + 1] = offsets[i] + degree[i];
        }
        let mut fill: Vec<u32> = offsets[..n].to_vec();
        let slots = offsets[n] as usize;
        let mut nbr = vec![0u32; slots];
        let mut slot_edge = vec![0u32; slots];
        for (e, &(a, b)) in edges.iter().enumerate() {
            for (from, to) in [(a, b), (b, a)] {
                let s = fill[from as usize] as usize;
                nbr[s] = to;
                slot_edge[s] = e as u32;
                fill[from as usize] += 1;
            }
        }
        let num_edges = edges.len();
        Ok(IsingGraph {
            n,
            edges,
            offsets,
            nbr,
            slot_edge,
            input_edge,
            h: vec![0.0; n],
            j: vec![0.0; num_edges],
        })
    }

    /// Structure and parameters in one go: `h[n]` and one coupling `j[k]` per
    /// pair `(irow[k], icol[k])`.
    pub fn new(h: &[f64], irow: &[i64], icol: &[i64], j: &[f64]) -> Result<Self> {
        let mut g = Self::structure(h.len(), irow, icol)?;
        g.set_parameters(h, j)?;
        Ok(g)
    }

    /// Replace the parameters: `h` per spin, `j` per input coupling (in the
    /// order the structure was given; couplings of a repeated pair add up).
    pub fn set_parameters(&mut self, h: &[f64], j: &[f64]) -> Result<()> {
        if h.len() != self.n {
            return Err(Error::shape(
                "h",
                format!("expected {} fields, got {}", self.n, h.len()),
            ));
        }
        if j.len() != self.input_edge.len() {
            return Err(Error::shape(
                "J",
                format!(
                    "expected {} couplings (one per pair of the structure), got {}",
                    self.input_edge.len(),
                    j.len()
                ),
            ));
        }
        if let Some(i) = h.iter().position(|v| !v.is_finite()) {
            return Err(Error::value(
                "h",
                format!("must be finite: h[{i}] = {}", h[i]),
            ));
        }
        if let Some(k) = j.iter().position(|v| !v.is_finite()) {
            let (a, b) = self.edges[self.input_edge[k] as usize];
            return Err(Error::value(
                "J",
                format!("must be finite: coupling ({a}, {b}) = {}", j[k]),
            ));
        }
        let mut summed = vec![0.0; self.edges.len()];
        for (&e, &w) in self.input_edge.iter().zip(j) {
            summed[e as usize] += w;
        }
        if let Some(e) = summed.iter().position(|v| !v.is_finite()) {
            let (a, b) = self.edges[e];
            return Err(Error::value(
                "J",
                format!("repeated couplings of ({a}, {b}) add up to {}", summed[e]),
            ));
        }
        self.h.copy_from_slice(h);
        self.j = summed;
        Ok(())
    }

    pub fn num_spins(&self) -> usize {
        self.n
    }

    pub fn num_edges(&self) -> usize {
        self.edges.len()
    }

    /// Number of couplings `set_parameters` expects.
    pub fn num_inputs(&self) -> usize {
        self.input_edge.len()
    }

    pub fn h(&self) -> &[f64] {
        &self.h
    }

    /// Unique pairs (i < j), sorted, and their couplings.
    pub fn edges(&self) -> &[(u32, u32)] {
        &self.edges
    }

    pub fn couplings(&self) -> &[f64] {
        &self.j
    }

    /// CSR offsets (n + 1 entries).
    pub fn offsets(&self) -> &[u32] {
        &self.offsets
    }

    /// CSR neighbours.
    pub fn neighbours(&self) -> &[u32] {
        &self.nbr
    }

    /// Coupling of every CSR slot.
    pub fn slot_couplings(&self) -> impl Iterator<Item = f64> + '_ {
        self.slot_edge.iter().map(|&e| self.j[e as usize])
    }

    pub fn degree(&self, i: usize) -> usize {
        (self.offsets[i + 1] - self.offsets[i]) as usize
    }

    /// The largest |h| or |J| (0 for a model without biases).
    pub fn max_abs_bias(&self) -> f64 {
        self.h
            .iter()
            .chain(&self.j)
            .fold(0.0f64, |m, v| m.max(v.abs()))
    }

    /// Energy of one state of ±1 values (no offset).
    pub fn energy(&self, s: &[i8]) -> f64 {
        let mut e = 0.0;
        for (hi, &si) in self.h.iter().zip(s) {
            e += hi * si as f64;
        }
        for (&(a, b), w) in self.edges.iter().zip(&self.j) {
            e += w * (s[a as usize] * s[b as usize]) as f64;
        }
        e
    }

    /// Energies of every row of `samples`.
    pub fn energies(&self, samples: &Samples) -> Result<Vec<f64>> {
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
        Ok(samples.iter_rows().map(|s| self.energy(s)).collect())
    }

    /// Dense symmetric coupling matrix, row-major n x n (for exact enumeration).
    pub fn dense_couplings(&self) -> Vec<f64> {
        let n = self.n;
        let mut m = vec![0.0; n * n];
        for (&(a, b), &w) in self.edges.iter().zip(&self.j) {
            m[a as usize * n + b as usize] = w;
            m[b as usize * n + a as usize] = w;
        }
        m
    }

    /// The free spins (those with `fixed[i] == 0`, or all) grouped into colour
    /// classes with no coupling inside a class, by a greedy colouring in index
    /// order: the spins of class 0 in increasing index, then class 1, and so
    /// on, with the start of every class. Any fixed visiting order is a valid
    /// sweep; this one lets a class be updated all at once.
    pub fn colour_classes(&self, fixed: Option<&[i8]>) -> (Vec<u32>, Vec<usize>) {
        let n = self.n;
        let free = |i: usize| fixed.is_none_or(|f| f[i] == 0);
        let mut colour = vec![u32::MAX; n];
        let mut used: Vec<u32> = Vec::new(); // colour -> last spin that saw it taken
        let mut num_colours = 0u32;
        for i in 0..n {
            if !free(i) {
                continue;
            }
            let (lo, hi) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
            for &j in &self.nbr[lo..hi] {
                let c = colour[j as usize];
                if c != u32::MAX {
                    used[c as usize] = i as u32;
                }
            }
            let c = (0..num_colours)
                .find(|&c| used[c as usize] != i as u32)
                .unwrap_or_else(|| {
                    used.push(u32::MAX);
                    num_colours += 1;
                    num_colours - 1
                });
            colour[i] = c;
        }
        let mut counts = vec![0usize; num_colours as usize + 1];
        for &c in &colour {
            if c != u32::MAX {
                counts[c as usize + 1] += 1;
            }
        }
        for c in 0..num_colours as usize {
            counts[c + 1] += counts[c];
        }
        let starts = counts.clone();
        let mut order = vec![0u32; counts[num_colours as usize]];
        for (i, &c) in colour.iter().enumerate() {
            if c != u32::MAX {
                order[counts[c as usize]] = i as u32;
                counts[c as usize] += 1;
            }
        }
        (order, starts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_and_reversed_edges_are_summed() {
        let g = IsingGraph::new(&[0.0; 3], &[0, 1, 1], &[1, 0, 2], &[1.0, 0.5, -2.0]).unwrap();
        assert_eq!(g.edges(), &[(0, 1), (1, 2)]);
        assert_eq!(g.couplings(), &[1.5, -2.0]);
        assert_eq!(g.offsets(), &[0, 1, 3, 4]);
        assert_eq!(g.energy(&[1, 1, -1]), 1.5 + 2.0);
    }

    #[test]
    fn parameters_are_replaced_without_rebuilding() {
        let mut g = IsingGraph::structure(3, &[0, 1], &[1, 2]).unwrap();
        assert_eq!(g.energy(&[1, 1, 1]), 0.0);
        g.set_parameters(&[1.0, 0.0, 0.0], &[2.0, -1.0]).unwrap();
        assert_eq!(g.energy(&[1, 1, 1]), 2.0);
        assert!(g.set_parameters(&[0.0; 2], &[0.0; 2]).is_err());
        assert!(g.set_parameters(&[0.0; 3], &[0.0; 3]).is_err());
        let e = g.set_parameters(&[0.0; 3], &[1.0, f64::NAN]).unwrap_err();
        assert!(e.to_string().contains("(1, 2)"), "{e}");
        let mut d = IsingGraph::structure(2, &[0, 1], &[1, 0]).unwrap();
        assert!(d.set_parameters(&[0.0; 2], &[f64::MAX, f64::MAX]).is_err());
    }

    #[test]
    fn bad_inputs_are_named() {
        let e = IsingGraph::new(&[f64::NAN], &[], &[], &[]).unwrap_err();
        assert!(e.to_string().contains("'h'"), "{e}");
        let e = IsingGraph::new(&[0.0; 2], &[0], &[1], &[f64::INFINITY]).unwrap_err();
        assert!(e.to_string().contains("finite"), "{e}");
        let e = IsingGraph::new(&[0.0; 2], &[0], &[2], &[1.0]).unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
        let e = IsingGraph::new(&[0.0; 2], &[1], &[1], &[1.0]).unwrap_err();
        assert!(e.to_string().contains("self-loop"), "{e}");
        let e = IsingGraph::new(&[0.0; 2], &[0, 1], &[1], &[1.0]).unwrap_err();
        assert!(matches!(e, Error::ShapeMismatch { .. }));
        let g = IsingGraph::new(&[0.0; 2], &[], &[], &[]).unwrap();
        let s = Samples::from_vec("samples", 1, 3, vec![1, 1, 1]).unwrap();
        assert!(g.energies(&s).is_err());
    }

    #[test]
    fn colour_classes_have_no_inner_coupling() {
        // A 5-ring (odd: three colours) plus a pendant spin 5 on spin 0.
        let g = IsingGraph::structure(6, &[0, 1, 2, 3, 4, 0], &[1, 2, 3, 4, 0, 5]).unwrap();
        let (order, starts) = g.colour_classes(None);
        assert_eq!(order.len(), 6);
        assert_eq!(*starts.last().unwrap(), 6);
        for c in 0..starts.len() - 1 {
            let class = &order[starts[c]..starts[c + 1]];
            for &a in class {
                for &b in class {
                    assert!(!g.edges().contains(&(a.min(b), a.max(b))), "{a} {b}");
                }
            }
        }
        let fixed = [0i8, 1, 0, 0, 0, 0];
        let (order, _) = g.colour_classes(Some(&fixed));
        assert!(!order.contains(&1) && order.len() == 5);
    }
}
