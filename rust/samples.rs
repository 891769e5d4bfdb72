//! Blocks of ±1 states, row-major, that carry their own shape.

use crate::error::{Error, Result};
use crate::resources::{check_bytes, try_filled};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Samples {
    rows: usize,
    cols: usize,
    data: Vec<i8>,
}

impl Samples {
    /// `rows x cols` states, every entry +1, allocated only if the memory is
    /// there (`parameter` is named in the error otherwise).
    pub fn filled(parameter: &'static str, rows: usize, cols: usize) -> Result<Self> {
        let len = check_bytes(parameter, "samples", rows as u128 * cols as u128)?;
        Ok(Samples {
            rows,
            cols,
            data: try_filled(parameter, "samples", len, 1i8)?,
        })
    }

    /// Checked states: `data.len() == rows * cols`, every entry ±1.
    pub fn from_vec(
        parameter: &'static str,
        rows: usize,
        cols: usize,
        data: Vec<i8>,
    ) -> Result<Self> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(Error::shape(
                parameter,
                format!("expected {rows} x {cols} values, got {}", data.len()),
            ));
        }
        // A branch-free pass first (it vectorises); the position only on failure.
        let bad = data
            .iter()
            .fold(false, |acc, &v| acc | ((v != 1) & (v != -1)));
        if let Some(k) = bad
            .then(|| data.iter().position(|&v| v != 1 && v != -1))
            .flatten()
        {
            return Err(Error::value(
                parameter,
                format!(
                    "must hold spins +1 or -1: row {}, column {} is {}",
                    k / cols.max(1),
                    k % cols.max(1),
                    data[k]
                ),
            ));
        }
        Ok(Samples { rows, cols, data })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn as_slice(&self) -> &[i8] {
        &self.data
    }

    pub fn as_mut_slice(&mut self) -> &mut [i8] {
        &mut self.data
    }

    pub fn into_vec(self) -> Vec<i8> {
        self.data
    }

    pub fn row(&self, r: usize) -> &[i8] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// Rows in order, also when there are no columns (each row is then empty).
    pub fn iter_rows(&self) -> impl Iterator<Item = &[i8]> + '_ {
        (0..self.rows).map(move |r| self.row(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_values_are_checked() {
        assert!(Samples::from_vec("s", 2, 2, vec![1, -1, 1]).is_err());
        let e = Samples::from_vec("s", 2, 2, vec![1, -1, 1, 0]).unwrap_err();
        assert!(e.to_string().contains("row 1, column 1"), "{e}");
        let s = Samples::from_vec("s", 2, 0, vec![]).unwrap();
        assert_eq!(s.iter_rows().count(), 2);
        assert!(Samples::filled("num_reads", usize::MAX, 3).is_err());
    }
}
