//! The only file that knows about Python: copy numpy inputs into owned
//! buffers, release the GIL for the whole computation while watching for
//! Ctrl-C, hand back numpy arrays, and turn core errors (and any panic) into
//! Python exceptions — nothing here can abort the interpreter.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::ais::{ais as ais_core, summarise as ais_summarise, AisParams};
use crate::anneal::{anneal as anneal_core, AnnealParams};
use crate::chain_majority::ChainMajority;
use crate::error::Error;
use crate::exact::{Enumerator, MAX_EXACT_SPINS};
use crate::graph::IsingGraph;
use crate::kernel::{simd_level, Acceptance, PrecisionRequest, LANES};
use crate::moments::sample_moments as moments_core;
use crate::persistent::{advance, PersistentParams};
use crate::resources::{available_memory, Stop, MAX_THREADS};
use crate::samples::Samples;
use crate::sqa::{sqa as sqa_core, SqaParams};
use crate::tempering::{temper as temper_core, TemperingParams};

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            Error::OutOfMemory { .. } => PyMemoryError::new_err(e.to_string()),
            Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
            Error::Internal(_) => PyRuntimeError::new_err(e.to_string()),
            _ => PyValueError::new_err(e.to_string()),
        }
    }
}

/// A computation handed to `run_released`.
type Work<'a, T> = Box<dyn FnOnce(&Stop) -> Result<T, Error> + Send + 'a>;

/// Work estimated below this many elementary steps runs on the calling
/// thread without watching for Ctrl-C (it ends within milliseconds anyway).
const WATCH_ABOVE: f64 = 2e6;

/// Run `work` with the GIL released. Long work runs on a helper thread while
/// this (the calling) thread checks Python's signal handlers every 50 ms; on
/// Ctrl-C the work is asked to stop and the handler's exception
/// (KeyboardInterrupt) is raised as soon as it has. Panics become errors.
fn run_released<T: Send>(
    py: Python<'_>,
    cost: f64,
    work: impl FnOnce(&Stop) -> Result<T, Error> + Send,
) -> PyResult<T> {
    let caught = |work: Work<'_, T>, stop: &Stop| {
        catch_unwind(AssertUnwindSafe(|| work(stop))).unwrap_or_else(|panic| {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            Err(Error::Internal(msg))
        })
    };
    if cost < WATCH_ABOVE {
        return Ok(py.detach(|| caught(Box::new(work), Stop::never()))?);
    }
    let stop = Stop::new();
    let mut signal: Option<PyErr> = None;
    let result = py.detach(|| {
        std::thread::scope(|scope| {
            let (done_tx, done_rx) = mpsc::channel::<()>();
            let stop_ref = &stop;
            let handle = scope.spawn(move || {
                let r = caught(Box::new(work), stop_ref);
                let _ = done_tx.send(());
                r
            });
            loop {
                match done_rx.recv_timeout(Duration::from_millis(50)) {
                    Err(mpsc::RecvTimeoutError::Timeout) if signal.is_none() => {
                        if let Err(e) = Python::attach(|py| py.check_signals()) {
                            signal = Some(e);
                            stop.request();
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    _ => break,
                }
            }
            handle
                .join()
                .unwrap_or_else(|_| Err(Error::Internal("worker thread panicked".into())))
        })
    });
    match (signal, result) {
        (Some(e), _) => Err(e),
        (None, r) => Ok(r?),
    }
}

/// The structure of an Ising model, built once, and its current parameters.
#[pyclass(name = "IsingModel", module = "qsample._core")]
struct PyIsingModel {
    graph: IsingGraph,
}

#[pymethods]
impl PyIsingModel {
    /// `num_spins` spins coupled on the pairs `(irow[k], icol[k])`; all
    /// parameters zero until `set_parameters`.
    #[new]
    fn new(
        num_spins: usize,
        irow: PyReadonlyArray1<'_, i64>,
        icol: PyReadonlyArray1<'_, i64>,
    ) -> PyResult<Self> {
        let (irow, icol) = (irow.as_array().to_vec(), icol.as_array().to_vec());
        Ok(PyIsingModel {
            graph: IsingGraph::structure(num_spins, &irow, &icol)?,
        })
    }

    /// Replace the fields (one per spin) and couplings (one per pair given to
    /// the constructor, in that order; repeated pairs add up).
    fn set_parameters(
        &mut self,
        h: PyReadonlyArray1<'_, f64>,
        j: PyReadonlyArray1<'_, f64>,
    ) -> PyResult<()> {
        let h = h.as_array();
        let j = j.as_array();
        let (h, j) = (
            h.as_slice().map_or_else(|| h.to_vec(), |s| s.to_vec()),
            j.as_slice().map_or_else(|| j.to_vec(), |s| s.to_vec()),
        );
        Ok(self.graph.set_parameters(&h, &j)?)
    }

    #[getter]
    fn num_spins(&self) -> usize {
        self.graph.num_spins()
    }

    #[getter]
    fn num_couplings(&self) -> usize {
        self.graph.num_inputs()
    }

    /// Energies E(s) = sum h s + sum J s s (no offset) of the rows of `samples`.
    fn energies<'py>(
        &self,
        py: Python<'py>,
        samples: PyReadonlyArray2<'py, i8>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let s = copy_states("samples", &samples, self.graph.num_spins())?;
        let cost = (s.rows() * (self.graph.num_spins() + self.graph.num_edges())) as f64;
        let graph = &self.graph;
        let e = run_released(py, cost, |_| graph.energies(&s))?;
        Ok(PyArray1::from_vec(py, e))
    }
}

/// Rows of states copied out of a 2-D int8 array and checked (±1, n columns).
fn copy_states(
    parameter: &'static str,
    states: &PyReadonlyArray2<'_, i8>,
    n: usize,
) -> Result<Samples, Error> {
    let view = states.as_array();
    let (rows, cols) = view.dim();
    if cols != n {
        return Err(Error::shape(
            parameter,
            format!("expected {n} columns (one per variable), got {cols}"),
        ));
    }
    let data = match view.as_slice() {
        Some(contiguous) => contiguous.to_vec(),
        None => view.iter().copied().collect(),
    };
    Samples::from_vec(parameter, rows, cols, data)
}

fn to_2d<'py, T: numpy::Element>(
    py: Python<'py>,
    rows: usize,
    cols: usize,
    data: Vec<T>,
) -> PyResult<Bound<'py, PyArray2<T>>> {
    let a = Array2::from_shape_vec((rows, cols), data)
        .map_err(|e| PyRuntimeError::new_err(format!("internal shape error: {e}")))?;
    Ok(a.into_pyarray(py))
}

fn samples_to_numpy<'py>(py: Python<'py>, s: Samples) -> PyResult<Bound<'py, PyArray2<i8>>> {
    let (rows, cols) = (s.rows(), s.cols());
    to_2d(py, rows, cols, s.into_vec())
}

fn precision_request(name: &str) -> Result<PrecisionRequest, Error> {
    match name {
        "auto" => Ok(PrecisionRequest::Auto),
        "single" => Ok(PrecisionRequest::Single),
        "double" => Ok(PrecisionRequest::Double),
        _ => Err(Error::value(
            "precision",
            format!("must be 'auto', 'single' or 'double': value = {name:?}"),
        )),
    }
}

/// Simulated annealing: (samples int8 (num_reads, n), precision used).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (model, betas, sweeps_per_beta, num_reads, seed, read_offset=0,
                    initial_states=None, fixed=None, gibbs=false, randomize_order=false,
                    precision="auto", num_threads=0))]
fn anneal<'py>(
    py: Python<'py>,
    model: &PyIsingModel,
    betas: PyReadonlyArray1<'py, f64>,
    sweeps_per_beta: usize,
    num_reads: usize,
    seed: u64,
    read_offset: u64,
    initial_states: Option<PyReadonlyArray2<'py, i8>>,
    fixed: Option<PyReadonlyArray1<'py, i8>>,
    gibbs: bool,
    randomize_order: bool,
    precision: &str,
    num_threads: usize,
) -> PyResult<(Bound<'py, PyArray2<i8>>, &'static str)> {
    let graph = &model.graph;
    let n = graph.num_spins();
    let betas = betas.as_array().to_vec();
    let init = match &initial_states {
        Some(s) => Some(copy_states("initial_states", s, n)?),
        None => None,
    };
    let fixed = fixed.map(|c| c.as_array().to_vec());
    let precision = precision_request(precision)?;
    let cost = num_reads as f64 * (betas.len() * sweeps_per_beta) as f64 * (n + 1) as f64;
    let out = run_released(py, cost, |stop| {
        let params = AnnealParams {
            betas: &betas,
            sweeps_per_beta,
            num_reads,
            read_offset,
            seed,
            initial_states: init.as_ref(),
            fixed: fixed.as_deref(),
            acceptance: if gibbs {
                Acceptance::Gibbs
            } else {
                Acceptance::Metropolis
            },
            randomize_order,
            precision,
            num_threads,
        };
        anneal_core(graph, &params, stop)
    })?;
    Ok((samples_to_numpy(py, out.samples)?, out.precision.name()))
}

fn acceptance(gibbs: bool) -> Acceptance {
    if gibbs {
        Acceptance::Gibbs
    } else {
        Acceptance::Metropolis
    }
}

type TemperOutput<'py> = (
    Bound<'py, PyArray2<i8>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
    u64,
    u64,
    &'static str,
);

/// Parallel tempering: (samples int8 (num_reads, n), swap attempts and
/// accepts per ladder step, cluster moves made, spins they flipped, precision).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (model, betas, num_sweeps, num_reads, seed, read_offset=0,
                    samples_per_chain=1, thinning=1, fixed=None, gibbs=false,
                    cluster_moves=false, cluster_beta_min=0.0, precision="auto",
                    num_threads=0))]
fn temper<'py>(
    py: Python<'py>,
    model: &PyIsingModel,
    betas: PyReadonlyArray1<'py, f64>,
    num_sweeps: u64,
    num_reads: usize,
    seed: u64,
    read_offset: u64,
    samples_per_chain: usize,
    thinning: u64,
    fixed: Option<PyReadonlyArray1<'py, i8>>,
    gibbs: bool,
    cluster_moves: bool,
    cluster_beta_min: f64,
    precision: &str,
    num_threads: usize,
) -> PyResult<TemperOutput<'py>> {
    let graph = &model.graph;
    let betas = betas.as_array().to_vec();
    let fixed = fixed.map(|c| c.as_array().to_vec());
    let params = TemperingParams {
        betas: &betas,
        num_sweeps,
        samples_per_chain,
        thinning,
        num_reads,
        read_offset,
        seed,
        fixed: fixed.as_deref(),
        acceptance: acceptance(gibbs),
        cluster_moves,
        cluster_beta_min,
        precision: precision_request(precision)?,
        num_threads,
    };
    let cost = params.work(graph.num_spins());
    let out = run_released(py, cost, |stop| temper_core(graph, &params, stop))?;
    Ok((
        samples_to_numpy(py, out.samples)?,
        PyArray1::from_vec(py, out.swap_attempts),
        PyArray1::from_vec(py, out.swap_accepts),
        out.cluster_moves,
        out.cluster_spins,
        out.precision.name(),
    ))
}

type ChainsOutput<'py> = (
    Bound<'py, PyArray2<i8>>,
    Bound<'py, PyArray1<u64>>,
    &'static str,
);

/// Persistent chains: advance every row of `states` by `num_sweeps` sweeps
/// at `beta` (rows with `fresh` start from their own random state first);
/// returns (states, sweeps done per chain, precision).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (model, states, sweeps_done, fresh, beta, num_sweeps, seed, first_chain=0,
                    fixed=None, gibbs=true, precision="auto", num_threads=0))]
fn persistent_sweeps<'py>(
    py: Python<'py>,
    model: &PyIsingModel,
    states: PyReadonlyArray2<'py, i8>,
    sweeps_done: PyReadonlyArray1<'py, u64>,
    fresh: PyReadonlyArray1<'py, bool>,
    beta: f64,
    num_sweeps: u64,
    seed: u64,
    first_chain: u64,
    fixed: Option<PyReadonlyArray1<'py, i8>>,
    gibbs: bool,
    precision: &str,
    num_threads: usize,
) -> PyResult<ChainsOutput<'py>> {
    let graph = &model.graph;
    let mut s = copy_states("states", &states, graph.num_spins())?;
    let mut done = sweeps_done.as_array().to_vec();
    let fresh = fresh.as_array().to_vec();
    let fixed = fixed.map(|c| c.as_array().to_vec());
    let params = PersistentParams {
        beta,
        num_sweeps,
        first_chain,
        seed,
        fixed: fixed.as_deref(),
        acceptance: acceptance(gibbs),
        precision: precision_request(precision)?,
        num_threads,
    };
    let cost = s.rows() as f64 * (num_sweeps as f64 + 1.0) * (graph.num_spins() + 1) as f64;
    let used = run_released(py, cost, |stop| {
        advance(graph, &mut s, &mut done, &fresh, &params, stop)
    })?;
    Ok((
        samples_to_numpy(py, s)?,
        PyArray1::from_vec(py, done),
        used.name(),
    ))
}

/// Path-integral SQA: (slice 0 of every read, int8 (num_reads, n), precision).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (model, slice_betas, slice_couplings, num_slices, num_reads, seed,
                    read_offset=0, fixed=None, gibbs=false, precision="auto", num_threads=0))]
fn sqa<'py>(
    py: Python<'py>,
    model: &PyIsingModel,
    slice_betas: PyReadonlyArray1<'py, f64>,
    slice_couplings: PyReadonlyArray1<'py, f64>,
    num_slices: usize,
    num_reads: usize,
    seed: u64,
    read_offset: u64,
    fixed: Option<PyReadonlyArray1<'py, i8>>,
    gibbs: bool,
    precision: &str,
    num_threads: usize,
) -> PyResult<(Bound<'py, PyArray2<i8>>, &'static str)> {
    let graph = &model.graph;
    let betas = slice_betas.as_array().to_vec();
    let couplings = slice_couplings.as_array().to_vec();
    let fixed = fixed.map(|c| c.as_array().to_vec());
    let params = SqaParams {
        slice_betas: &betas,
        slice_couplings: &couplings,
        num_slices,
        num_reads,
        read_offset,
        seed,
        fixed: fixed.as_deref(),
        acceptance: acceptance(gibbs),
        precision: precision_request(precision)?,
        num_threads,
    };
    let cost = params.work(graph.num_spins());
    let out = run_released(py, cost, |stop| sqa_core(graph, &params, stop))?;
    Ok((samples_to_numpy(py, out.samples)?, out.precision.name()))
}

type AisArrays<'py> = (
    Bound<'py, PyArray1<f64>>,
    f64,
    Option<Bound<'py, PyArray2<i8>>>,
    Option<Bound<'py, PyArray2<f64>>>,
    &'static str,
);

/// Annealed importance sampling: (log-weights (num_runs,), log Z_0, final
/// states (num_runs, n) or None, energies (num_runs, K) or None, precision
/// used). `chain_of_spin` (-1: no chain) and `chain_values` restrict the
/// states to those whose chains have these strict majorities; `pulls`
/// (lambda per beta) pull them towards these values; `start` is the state
/// every run starts from (uniform draws when None).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (model, betas, sweeps_per_beta, num_runs, seed, run_offset=0, fixed=None,
                    chain_of_spin=None, chain_values=None, pulls=None, start=None, gibbs=false,
                    precision="auto", num_threads=0, keep_states=false, keep_energies=false))]
fn ais<'py>(
    py: Python<'py>,
    model: &PyIsingModel,
    betas: PyReadonlyArray1<'py, f64>,
    sweeps_per_beta: usize,
    num_runs: usize,
    seed: u64,
    run_offset: u64,
    fixed: Option<PyReadonlyArray1<'py, i8>>,
    chain_of_spin: Option<PyReadonlyArray1<'py, i64>>,
    chain_values: Option<PyReadonlyArray1<'py, i8>>,
    pulls: Option<PyReadonlyArray1<'py, f64>>,
    start: Option<PyReadonlyArray1<'py, i8>>,
    gibbs: bool,
    precision: &str,
    num_threads: usize,
    keep_states: bool,
    keep_energies: bool,
) -> PyResult<AisArrays<'py>> {
    let graph = &model.graph;
    let n = graph.num_spins();
    let betas = betas.as_array().to_vec();
    let fixed = fixed.map(|c| c.as_array().to_vec());
    let pulls = pulls.map(|c| c.as_array().to_vec());
    let start = start.map(|c| c.as_array().to_vec());
    let majority = match (chain_of_spin, chain_values) {
        (Some(c), Some(v)) => Some(ChainMajority::new(
            n,
            &c.as_array().to_vec(),
            &v.as_array().to_vec(),
        )?),
        (None, None) => None,
        _ => {
            return Err(
                Error::value("chain_values", "and 'chain_of_spin' must be given together").into(),
            )
        }
    };
    let precision = precision_request(precision)?;
    let cost = num_runs.max(LANES) as f64
        * (betas.len() * sweeps_per_beta) as f64
        * (n + graph.num_edges() + 1) as f64;
    let runs = run_released(py, cost, |stop| {
        let params = AisParams {
            betas: &betas,
            pulls: pulls.as_deref(),
            start: start.as_deref(),
            sweeps_per_beta,
            num_runs,
            run_offset,
            seed,
            fixed: fixed.as_deref(),
            majority: majority.as_ref(),
            acceptance: if gibbs {
                Acceptance::Gibbs
            } else {
                Acceptance::Metropolis
            },
            precision,
            num_threads,
            keep_states,
            keep_energies,
        };
        ais_core(graph, &params, stop)
    })?;
    let states = match runs.states {
        Some(s) => Some(samples_to_numpy(py, s)?),
        None => None,
    };
    let energies = match runs.energies {
        Some(e) => Some(to_2d(py, num_runs, betas.len() - 1, e)?),
        None => None,
    };
    Ok((
        PyArray1::from_vec(py, runs.log_weights),
        runs.log_base,
        states,
        energies,
        runs.precision.name(),
    ))
}

/// (log Z, standard error, effective runs) from log-weights and log Z_0.
#[pyfunction]
fn ais_summary(log_base: f64, log_weights: PyReadonlyArray1<'_, f64>) -> PyResult<(f64, f64, f64)> {
    let e = ais_summarise(log_base, &log_weights.as_array().to_vec())?;
    Ok((e.log_partition, e.std_error, e.effective_runs))
}

type MomentPair<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// (<s_i>, <s_irow[k] s_icol[k]>) over the rows of an int8 sample array.
#[pyfunction]
fn sample_moments<'py>(
    py: Python<'py>,
    samples: PyReadonlyArray2<'py, i8>,
    irow: PyReadonlyArray1<'py, i64>,
    icol: PyReadonlyArray1<'py, i64>,
) -> PyResult<MomentPair<'py>> {
    let view = samples.as_array();
    let (rows, cols) = view.dim();
    let data: Vec<i8> = match view.as_slice() {
        Some(contiguous) => contiguous.to_vec(),
        None => view.iter().copied().collect(),
    };
    let (irow, icol) = (irow.as_array().to_vec(), icol.as_array().to_vec());
    let cost = (rows * (cols + irow.len())) as f64;
    let (means, products) =
        run_released(py, cost, |_| moments_core(&data, rows, cols, &irow, &icol))?;
    Ok((
        PyArray1::from_vec(py, means),
        PyArray1::from_vec(py, products),
    ))
}

fn enumeration_cost(graph: &IsingGraph) -> f64 {
    (graph.num_spins().min(62) as f64).exp2()
}

/// log Z(beta) by exact enumeration.
#[pyfunction]
fn exact_log_partition(py: Python<'_>, model: &PyIsingModel, beta: f64) -> PyResult<f64> {
    let graph = &model.graph;
    run_released(py, enumeration_cost(graph), |stop| {
        Enumerator::new(graph, beta)?.log_partition(stop)
    })
}

type MomentArrays<'py> = (f64, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray2<f64>>);

/// (log Z, <s_i>, <s_i s_j>) by exact enumeration.
#[pyfunction]
fn exact_moments<'py>(
    py: Python<'py>,
    model: &PyIsingModel,
    beta: f64,
) -> PyResult<MomentArrays<'py>> {
    let graph = &model.graph;
    let n = graph.num_spins();
    let m = run_released(py, enumeration_cost(graph), |stop| {
        Enumerator::new(graph, beta)?.moments(stop)
    })?;
    Ok((
        m.log_z,
        PyArray1::from_vec(py, m.mean),
        to_2d(py, n, n, m.correlation)?,
    ))
}

/// log P(s) of each row of `samples`.
#[pyfunction]
fn exact_log_probs<'py>(
    py: Python<'py>,
    model: &PyIsingModel,
    beta: f64,
    samples: PyReadonlyArray2<'py, i8>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let graph = &model.graph;
    let s = copy_states("samples", &samples, graph.num_spins())?;
    let lp = run_released(py, enumeration_cost(graph), |stop| {
        Enumerator::new(graph, beta)?.log_probs(&s, stop)
    })?;
    Ok(PyArray1::from_vec(py, lp))
}

/// `num_reads` i.i.d. Boltzmann samples (samples `read_offset ..` of the seed).
#[pyfunction]
#[pyo3(signature = (model, beta, num_reads, seed, read_offset=0))]
fn exact_sample<'py>(
    py: Python<'py>,
    model: &PyIsingModel,
    beta: f64,
    num_reads: usize,
    seed: u64,
    read_offset: u64,
) -> PyResult<Bound<'py, PyArray2<i8>>> {
    let graph = &model.graph;
    let cost = enumeration_cost(graph) + num_reads as f64 * 4096.0;
    let s = run_released(py, cost, |stop| {
        Enumerator::new(graph, beta)?.sample(num_reads, seed, read_offset, stop)
    })?;
    samples_to_numpy(py, s)
}

/// Lambda_av(S) = -beta <E>_S - log Z(beta), exactly.
#[pyfunction]
fn log_likelihood_proxy(
    py: Python<'_>,
    model: &PyIsingModel,
    beta: f64,
    samples: PyReadonlyArray2<'_, i8>,
) -> PyResult<f64> {
    let graph = &model.graph;
    let s = copy_states("samples", &samples, graph.num_spins())?;
    run_released(py, enumeration_cost(graph), |stop| {
        Enumerator::new(graph, beta)?.log_likelihood_proxy(&s, stop)
    })
}

/// The instruction set the sweep kernel uses on this CPU.
#[pyfunction]
fn simd_kernel() -> &'static str {
    simd_level().name()
}

/// Bytes of memory the system can give now (None where unknown).
#[pyfunction(name = "available_memory")]
fn py_available_memory() -> Option<u64> {
    available_memory()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyIsingModel>()?;
    m.add_function(wrap_pyfunction!(anneal, m)?)?;
    m.add_function(wrap_pyfunction!(temper, m)?)?;
    m.add_function(wrap_pyfunction!(persistent_sweeps, m)?)?;
    m.add_function(wrap_pyfunction!(sqa, m)?)?;
    m.add_function(wrap_pyfunction!(ais, m)?)?;
    m.add_function(wrap_pyfunction!(ais_summary, m)?)?;
    m.add_function(wrap_pyfunction!(exact_log_partition, m)?)?;
    m.add_function(wrap_pyfunction!(exact_moments, m)?)?;
    m.add_function(wrap_pyfunction!(exact_log_probs, m)?)?;
    m.add_function(wrap_pyfunction!(exact_sample, m)?)?;
    m.add_function(wrap_pyfunction!(log_likelihood_proxy, m)?)?;
    m.add_function(wrap_pyfunction!(sample_moments, m)?)?;
    m.add_function(wrap_pyfunction!(simd_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(py_available_memory, m)?)?;
    m.add("MAX_EXACT_SPINS", MAX_EXACT_SPINS)?;
    m.add("LANES", LANES)?;
    m.add("MAX_THREADS", MAX_THREADS)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
