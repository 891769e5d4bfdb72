//! qsample's native core: simulated annealing, exact enumeration and the
//! log-likelihood proxy for Ising models given as flat arrays.
//!
//! Nothing here knows about Python; `bindings` (behind the `python` feature)
//! is the only place that does.

pub mod anneal;
pub mod error;
pub mod exact;
pub mod graph;
pub mod rng;

#[cfg(feature = "python")]
mod bindings;

pub use anneal::{anneal, Acceptance, AnnealParams};
pub use error::{Error, Result};
pub use exact::{log_likelihood_proxy, Enumerator, Moments, MAX_EXACT_SPINS};
pub use graph::IsingGraph;
