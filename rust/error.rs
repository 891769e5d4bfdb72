//! The one error type of the core. Every message names what was wrong, so the
//! Python side can hand it to the user unchanged.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An input value that is not allowed (non-finite, out of range, ...).
    InvalidValue {
        parameter: &'static str,
        detail: String,
    },
    /// Arrays whose lengths or shapes do not agree.
    ShapeMismatch {
        parameter: &'static str,
        detail: String,
    },
    /// A model too large for exact enumeration.
    TooLarge { num_spins: usize, max: usize },
    /// A request whose memory would not fit: refused before allocating.
    OutOfMemory {
        parameter: &'static str,
        what: &'static str,
        bytes: u128,
        available: Option<u64>,
    },
    /// The caller asked the computation to stop (Ctrl-C).
    Interrupted,
    /// A broken invariant of the core itself: a bug, reported instead of a panic.
    Internal(String),
}

impl Error {
    pub(crate) fn value(parameter: &'static str, detail: impl Into<String>) -> Self {
        Error::InvalidValue {
            parameter,
            detail: detail.into(),
        }
    }

    pub(crate) fn shape(parameter: &'static str, detail: impl Into<String>) -> Self {
        Error::ShapeMismatch {
            parameter,
            detail: detail.into(),
        }
    }

    pub(crate) fn positive(parameter: &'static str, value: usize) -> Result<usize> {
        if value == 0 {
            return Err(Error::value(
                parameter,
                "must be a positive integer: value = 0",
            ));
        }
        Ok(value)
    }
}

/// Bytes in a human unit, e.g. "1.5 TB".
pub fn human_bytes(bytes: u128) -> String {
    let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut v = bytes as f64;
    let mut k = 0;
    while v >= 1000.0 && k + 1 < units.len() {
        v /= 1000.0;
        k += 1;
    }
    if k == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{v:.1} {}", units[k])
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidValue { parameter, detail } => write!(f, "'{parameter}' {detail}"),
            Error::ShapeMismatch { parameter, detail } => {
                write!(f, "'{parameter}' has the wrong shape: {detail}")
            }
            Error::TooLarge { num_spins, max } => write!(
                f,
                "exact enumeration handles at most {max} variables (2^{max} states); the model \
                 has {num_spins}"
            ),
            Error::OutOfMemory {
                parameter,
                what,
                bytes,
                available,
            } => {
                write!(
                    f,
                    "'{parameter}' asks for {what} of {} ({bytes} bytes)",
                    human_bytes(*bytes)
                )?;
                match available {
                    Some(a) => write!(
                        f,
                        ", more than the {} of memory available",
                        human_bytes(*a as u128)
                    ),
                    None => write!(f, ", which could not be allocated"),
                }
            }
            Error::Interrupted => write!(f, "interrupted"),
            Error::Internal(m) => {
                write!(f, "internal error in qsample's core (please report): {m}")
            }
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_parameter_and_the_size() {
        let e = Error::OutOfMemory {
            parameter: "num_reads",
            what: "samples",
            bytes: 2_000_000_000_000,
            available: Some(20_000_000_000),
        };
        let m = e.to_string();
        assert!(m.contains("'num_reads'") && m.contains("2.0 TB") && m.contains("20.0 GB"));
        assert_eq!(human_bytes(999), "999 bytes");
        assert!(Error::positive("num_reads", 0)
            .unwrap_err()
            .to_string()
            .contains("num_reads"));
    }
}
