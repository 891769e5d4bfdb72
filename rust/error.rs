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
                "exact enumeration needs at most {max} spins, the model has {num_spins}"
            ),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
