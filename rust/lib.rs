//! qsample's native core: the Ising model, the shared sweep kernel and the
//! samplers built on it (annealing, parallel tempering, persistent chains,
//! path-integral SQA), exact enumeration, the log-likelihood proxy and
//! annealed importance sampling of log Z.
//!
//! Nothing here knows about Python; `bindings` (behind the `python` feature)
//! is the only place that does.

pub mod acceptance;
pub mod ais;
pub mod anneal;
pub mod chain_majority;
pub mod error;
pub mod exact;
pub mod graph;
pub mod kernel;
#[cfg(target_arch = "x86_64")]
mod kernel_avx512;
pub mod moments;
pub mod persistent;
pub mod resources;
pub mod rng;
pub mod samples;
pub mod sqa;
pub mod team;
pub mod tempering;

#[cfg(feature = "python")]
mod bindings;

pub use ais::{ais, AisEstimate, AisParams, AisRuns};
pub use anneal::{anneal, AnnealParams, Annealed};
pub use chain_majority::ChainMajority;
pub use error::{Error, Result};
pub use exact::{Enumerator, Moments, MAX_EXACT_SPINS};
pub use graph::IsingGraph;
pub use kernel::{Acceptance, Precision, PrecisionRequest};
pub use persistent::{advance, PersistentParams};
pub use resources::Stop;
pub use samples::Samples;
pub use sqa::{sqa, SqaParams};
pub use tempering::{temper, Tempered, TemperingParams};
