//! First and second moments of samples on a set of pairs: the mean of every
//! column and the mean product over every pair (irow[k], icol[k]), the two
//! vectors both phases of moment matching reduce samples to.
//!
//! The sums are integers (entries are small integers: ±1, or 0 for a tied
//! chain), so they are exact and the means are the same bits as summing in
//! double precision in any order.

use crate::error::{Error, Result};

/// (means, mean products) of `rows` samples of `cols` entries each, stored
/// row after row in `samples`.
pub fn sample_moments(
    samples: &[i8],
    rows: usize,
    cols: usize,
    irow: &[i64],
    icol: &[i64],
) -> Result<(Vec<f64>, Vec<f64>)> {
    if rows == 0 || rows.checked_mul(cols) != Some(samples.len()) {
        return Err(Error::shape(
            "samples",
            format!(
                "expected a non-empty {rows} x {cols} array, got {} values",
                samples.len()
            ),
        ));
    }
    if irow.len() != icol.len() {
        return Err(Error::shape(
            "icol",
            format!(
                "expected {} indices, as 'irow' has, got {}",
                irow.len(),
                icol.len()
            ),
        ));
    }
    let index = |name: &'static str, v: &[i64]| -> Result<Vec<u32>> {
        match v.iter().position(|&i| i < 0 || i as u64 >= cols as u64) {
            Some(k) => Err(Error::value(
                name,
                format!(
                    "must hold column indices in [0, {cols}): {name}[{k}] = {}",
                    v[k]
                ),
            )),
            None => Ok(v.iter().map(|&i| i as u32).collect()),
        }
    };
    let (a, b) = (index("irow", irow)?, index("icol", icol)?);
    // Column by column (a transposed copy): each mean product is then a dot
    // product of two contiguous columns, which the compiler vectorises.
    let mut columns = vec![0i8; samples.len()];
    for (r, s) in samples.chunks_exact(cols).enumerate() {
        for (c, &v) in s.iter().enumerate() {
            columns[c * rows + r] = v;
        }
    }
    let column = |c: u32| &columns[c as usize * rows..(c as usize + 1) * rows];
    // Blocks of rows whose products (at most 127^2 each) fit an i32 sum.
    const BLOCK: usize = 1 << 16;
    let dot = |x: &[i8], y: &[i8]| -> i64 {
        x.chunks(BLOCK)
            .zip(y.chunks(BLOCK))
            .map(|(x, y)| {
                x.iter()
                    .zip(y)
                    .map(|(&p, &q)| p as i32 * q as i32)
                    .sum::<i32>() as i64
            })
            .sum()
    };
    let sums: Vec<i64> = (0..cols as u32)
        .map(|c| column(c).iter().map(|&v| v as i64).sum())
        .collect();
    let products: Vec<i64> = a
        .iter()
        .zip(&b)
        .map(|(&i, &j)| dot(column(i), column(j)))
        .collect();
    let n = rows as f64;
    Ok((
        sums.into_iter().map(|t| t as f64 / n).collect(),
        products.into_iter().map(|t| t as f64 / n).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_the_means_and_mean_products() {
        let s = [1i8, -1, 1, 1, 1, 0, -1, -1, -1];
        let (m, c) = sample_moments(&s, 3, 3, &[0, 1], &[1, 2]).unwrap();
        assert_eq!(m, vec![1.0 / 3.0, -1.0 / 3.0, 0.0]);
        assert_eq!(c, vec![(-1.0 + 1.0 + 1.0) / 3.0, (-1.0 + 0.0 + 1.0) / 3.0]);
        assert!(sample_moments(&s, 3, 3, &[0], &[3]).is_err());
        assert!(sample_moments(&s, 3, 3, &[0, 1], &[1]).is_err());
        assert!(sample_moments(&[], 0, 3, &[], &[]).is_err());
    }
}
