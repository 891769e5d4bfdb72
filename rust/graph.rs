//! The Ising model as flat arrays: fields `h`, and couplings as a symmetric
//! compressed adjacency (CSR) so a spin's neighbours are one contiguous slice.
//!
//! Convention (dimod's): E(s) = sum_i h_i s_i + sum_(i<j) J_ij s_i s_j.

use crate::error::{Error, Result};

#[derive(Clone, Debug)]
pub struct IsingGraph {
    pub h: Vec<f64>,
    /// Unique edges (i < j) with duplicates summed, sorted by (i, j).
    pub edges: Vec<(u32, u32, f64)>,
    /// CSR: neighbours of spin i are `nbr[offsets[i]..offsets[i + 1]]`.
    pub offsets: Vec<usize>,
    pub nbr: Vec<u32>,
    pub weight: Vec<f64>,
}

impl IsingGraph {
    /// Build from `h[n]` and coupling triples `(irow[k], icol[k], J[k])`.
    pub fn new(h: &[f64], irow: &[i64], icol: &[i64], j: &[f64]) -> Result<Self> {
        let n = h.len();
        if n > u32::MAX as usize {
            return Err(Error::value(
                "h",
                format!("has {n} spins, more than supported"),
            ));
        }
        if irow.len() != j.len() || icol.len() != j.len() {
            return Err(Error::shape(
                "J",
                format!(
                    "irow, icol and J must have equal lengths, got {}, {} and {}",
                    irow.len(),
                    icol.len(),
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
        let mut pairs: Vec<(u32, u32, f64)> = Vec::with_capacity(j.len());
        for k in 0..j.len() {
            let (a, b, w) = (irow[k], icol[k], j[k]);
            if !w.is_finite() {
                return Err(Error::value(
                    "J",
                    format!("must be finite: coupling ({a}, {b}) = {w}"),
                ));
            }
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
                    format!("self-loop on spin {a} is not allowed"),
                ));
            }
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            pairs.push((lo as u32, hi as u32, w));
        }
        pairs.sort_by_key(|&(a, b, _)| (a, b));
        let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity(pairs.len());
        for (a, b, w) in pairs {
            match edges.last_mut() {
                Some(last) if last.0 == a && last.1 == b => last.2 += w,
                _ => edges.push((a, b, w)),
            }
        }
        let mut degree = vec![0usize; n + 1];
        for &(a, b, _) in &edges {
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        let mut offsets = vec![0usize; n + 1];
        for i in 0..n {
            offsets[i + 1] = offsets[i] + degree[i];
        }
        let mut fill = offsets.clone();
        let mut nbr = vec![0u32; offsets[n]];
        let mut weight = vec![0f64; offsets[n]];
        for &(a, b, w) in &edges {
            let (a, b) = (a as usize, b as usize);
            nbr[fill[a]] = b as u32;
            weight[fill[a]] = w;
            fill[a] += 1;
            nbr[fill[b]] = a as u32;
            weight[fill[b]] = w;
            fill[b] += 1;
        }
        Ok(IsingGraph {
            h: h.to_vec(),
            edges,
            offsets,
            nbr,
            weight,
        })
    }

    pub fn num_spins(&self) -> usize {
        self.h.len()
    }

    /// Energy of one state of ±1 values (no offset).
    pub fn energy(&self, s: &[i8]) -> f64 {
        let mut e = 0.0;
        for (hi, &si) in self.h.iter().zip(s) {
            e += hi * si as f64;
        }
        for &(a, b, w) in &self.edges {
            e += w * (s[a as usize] * s[b as usize]) as f64;
        }
        e
    }

    /// Energies of `rows` states stored row-major in `samples`.
    pub fn energies(&self, samples: &[i8]) -> Result<Vec<f64>> {
        let n = self.num_spins();
        check_states("samples", samples, n)?;
        if n == 0 {
            return Ok(vec![0.0; if samples.is_empty() { 0 } else { 1 }]);
        }
        Ok(samples.chunks_exact(n).map(|s| self.energy(s)).collect())
    }

    /// Dense symmetric coupling matrix, row-major n x n (for exact enumeration).
    pub fn dense_couplings(&self) -> Vec<f64> {
        let n = self.num_spins();
        let mut m = vec![0.0; n * n];
        for &(a, b, w) in &self.edges {
            m[a as usize * n + b as usize] = w;
            m[b as usize * n + a as usize] = w;
        }
        m
    }
}

/// Check a row-major block of states: length a multiple of `n`, values ±1.
pub fn check_states(parameter: &'static str, states: &[i8], n: usize) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    if states.len() % n != 0 {
        return Err(Error::shape(
            parameter,
            format!(
                "{} values do not split into rows of {n} spins",
                states.len()
            ),
        ));
    }
    if let Some(k) = states.iter().position(|&v| v != 1 && v != -1) {
        return Err(Error::value(
            parameter,
            format!(
                "must hold spins +1 or -1: row {}, column {} is {}",
                k / n,
                k % n,
                states[k]
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_and_reversed_edges_are_summed() {
        let g = IsingGraph::new(&[0.0; 3], &[0, 1, 1], &[1, 0, 2], &[1.0, 0.5, -2.0]).unwrap();
        assert_eq!(g.edges, vec![(0, 1, 1.5), (1, 2, -2.0)]);
        assert_eq!(g.offsets, vec![0, 1, 3, 4]);
        assert_eq!(g.energy(&[1, 1, -1]), 1.5 + 2.0);
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
        assert!(g.energies(&[1, 0]).is_err());
        assert!(g.energies(&[1, 1, 1]).is_err());
    }
}
