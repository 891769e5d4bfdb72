//! The only file that knows about Python: copy numpy inputs into owned
//! buffers, release the GIL for the whole computation, hand back numpy arrays,
//! and turn core errors into `ValueError`.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::anneal::{anneal as anneal_core, Acceptance, AnnealParams, LANES};
use crate::error::Error;
use crate::exact::{log_likelihood_proxy as proxy_core, Enumerator, MAX_EXACT_SPINS};
use crate::graph::IsingGraph;

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        PyValueError::new_err(e.to_string())
    }
}

/// The model's arrays, copied so the GIL can be released while they are read.
struct ModelArrays {
    h: Vec<f64>,
    irow: Vec<i64>,
    icol: Vec<i64>,
    j: Vec<f64>,
}

impl ModelArrays {
    fn copy(
        h: PyReadonlyArray1<f64>,
        irow: PyReadonlyArray1<i64>,
        icol: PyReadonlyArray1<i64>,
        j: PyReadonlyArray1<f64>,
    ) -> Self {
        ModelArrays {
            h: h.as_array().to_vec(),
            irow: irow.as_array().to_vec(),
            icol: icol.as_array().to_vec(),
            j: j.as_array().to_vec(),
        }
    }

    fn graph(&self) -> Result<IsingGraph, Error> {
        IsingGraph::new(&self.h, &self.irow, &self.icol, &self.j)
    }
}

/// Rows of states copied out of a 2-D int8 array, checked against the model size.
fn copy_states(
    parameter: &'static str,
    states: &PyReadonlyArray2<i8>,
    n: usize,
) -> Result<(usize, Vec<i8>), Error> {
    let view = states.as_array();
    let (rows, cols) = view.dim();
    if cols != n {
        return Err(Error::ShapeMismatch {
            parameter,
            detail: format!("expected {n} columns (one per variable), got {cols}"),
        });
    }
    Ok((rows, view.iter().copied().collect()))
}

fn to_2d<'py, T: numpy::Element>(
    py: Python<'py>,
    rows: usize,
    cols: usize,
    data: Vec<T>,
) -> PyResult<Bound<'py, PyArray2<T>>> {
    let a = Array2::from_shape_vec((rows, cols), data)
        .map_err(|e| PyValueError::new_err(format!("internal shape error: {e}")))?;
    Ok(a.into_pyarray(py))
}

type SamplesAndEnergies<'py> = (Bound<'py, PyArray2<i8>>, Bound<'py, PyArray1<f64>>);

#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (h, irow, icol, j, betas, sweeps_per_beta, num_reads, seed,
                    initial_states=None, clamp=None, gibbs=false, randomize_order=false,
                    num_threads=0))]
fn anneal<'py>(
    py: Python<'py>,
    h: PyReadonlyArray1<f64>,
    irow: PyReadonlyArray1<i64>,
    icol: PyReadonlyArray1<i64>,
    j: PyReadonlyArray1<f64>,
    betas: PyReadonlyArray1<f64>,
    sweeps_per_beta: usize,
    num_reads: usize,
    seed: u64,
    initial_states: Option<PyReadonlyArray2<i8>>,
    clamp: Option<PyReadonlyArray1<i8>>,
    gibbs: bool,
    randomize_order: bool,
    num_threads: usize,
) -> PyResult<SamplesAndEnergies<'py>> {
    let model = ModelArrays::copy(h, irow, icol, j);
    let n = model.h.len();
    let betas = betas.as_array().to_vec();
    let init = match &initial_states {
        Some(s) => Some(copy_states("initial_states", s, n)?.1),
        None => None,
    };
    let clamp = clamp.map(|c| c.as_array().to_vec());
    let (samples, energies) = py.detach(|| -> Result<_, Error> {
        let graph = model.graph()?;
        let params = AnnealParams {
            betas: &betas,
            sweeps_per_beta,
            num_reads,
            seed,
            initial_states: init.as_deref(),
            clamp: clamp.as_deref(),
            acceptance: if gibbs {
                Acceptance::Gibbs
            } else {
                Acceptance::Metropolis
            },
            randomize_order,
            num_threads,
        };
        let samples = anneal_core(&graph, &params)?;
        let energies = energies_of(&graph, num_reads, &samples)?;
        Ok((samples, energies))
    })?;
    Ok((
        to_2d(py, num_reads, n, samples)?,
        PyArray1::from_vec(py, energies),
    ))
}

fn energies_of(graph: &IsingGraph, rows: usize, samples: &[i8]) -> Result<Vec<f64>, Error> {
    if graph.num_spins() == 0 {
        return Ok(vec![0.0; rows]);
    }
    graph.energies(samples)
}

/// Energies E(s) = sum h s + sum J s s (no offset) of each row of `samples`.
#[pyfunction]
fn energies<'py>(
    py: Python<'py>,
    h: PyReadonlyArray1<f64>,
    irow: PyReadonlyArray1<i64>,
    icol: PyReadonlyArray1<i64>,
    j: PyReadonlyArray1<f64>,
    samples: PyReadonlyArray2<i8>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let model = ModelArrays::copy(h, irow, icol, j);
    let (rows, s) = copy_states("samples", &samples, model.h.len())?;
    let e = py.detach(|| energies_of(&model.graph()?, rows, &s))?;
    Ok(PyArray1::from_vec(py, e))
}

#[pyfunction]
fn log_partition(
    py: Python<'_>,
    h: PyReadonlyArray1<f64>,
    irow: PyReadonlyArray1<i64>,
    icol: PyReadonlyArray1<i64>,
    j: PyReadonlyArray1<f64>,
    beta: f64,
) -> PyResult<f64> {
    let model = ModelArrays::copy(h, irow, icol, j);
    Ok(py.detach(|| -> Result<f64, Error> {
        Ok(Enumerator::new(&model.graph()?, beta)?.log_partition())
    })?)
}

type MomentArrays<'py> = (f64, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray2<f64>>);

/// (log Z, <s_i>, <s_i s_j>) by exact enumeration.
#[pyfunction]
fn exact_moments<'py>(
    py: Python<'py>,
    h: PyReadonlyArray1<f64>,
    irow: PyReadonlyArray1<i64>,
    icol: PyReadonlyArray1<i64>,
    j: PyReadonlyArray1<f64>,
    beta: f64,
) -> PyResult<MomentArrays<'py>> {
    let model = ModelArrays::copy(h, irow, icol, j);
    let n = model.h.len();
    let m = py
        .detach(|| -> Result<_, Error> { Ok(Enumerator::new(&model.graph()?, beta)?.moments()) })?;
    Ok((
        m.log_z,
        PyArray1::from_vec(py, m.mean),
        to_2d(py, n, n, m.corr)?,
    ))
}

#[pyfunction]
fn exact_log_probs<'py>(
    py: Python<'py>,
    h: PyReadonlyArray1<f64>,
    irow: PyReadonlyArray1<i64>,
    icol: PyReadonlyArray1<i64>,
    j: PyReadonlyArray1<f64>,
    beta: f64,
    samples: PyReadonlyArray2<i8>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let model = ModelArrays::copy(h, irow, icol, j);
    let (rows, s) = copy_states("samples", &samples, model.h.len())?;
    let lp = py.detach(|| -> Result<Vec<f64>, Error> {
        let graph = model.graph()?;
        let en = Enumerator::new(&graph, beta)?;
        if graph.num_spins() == 0 {
            return Ok(vec![-en.log_partition(); rows]);
        }
        en.log_probs(&graph, &s)
    })?;
    Ok(PyArray1::from_vec(py, lp))
}

#[allow(clippy::too_many_arguments)]
#[pyfunction]
fn exact_sample<'py>(
    py: Python<'py>,
    h: PyReadonlyArray1<f64>,
    irow: PyReadonlyArray1<i64>,
    icol: PyReadonlyArray1<i64>,
    j: PyReadonlyArray1<f64>,
    beta: f64,
    num_reads: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<i8>>> {
    let model = ModelArrays::copy(h, irow, icol, j);
    let n = model.h.len();
    let s = py.detach(|| -> Result<Vec<i8>, Error> {
        if num_reads == 0 {
            return Err(Error::InvalidValue {
                parameter: "num_reads",
                detail: "must be a positive integer: value = 0".into(),
            });
        }
        Ok(Enumerator::new(&model.graph()?, beta)?.sample(num_reads, seed))
    })?;
    to_2d(py, num_reads, n, s)
}

#[pyfunction]
fn log_likelihood_proxy(
    py: Python<'_>,
    h: PyReadonlyArray1<f64>,
    irow: PyReadonlyArray1<i64>,
    icol: PyReadonlyArray1<i64>,
    j: PyReadonlyArray1<f64>,
    beta: f64,
    samples: PyReadonlyArray2<i8>,
) -> PyResult<f64> {
    let model = ModelArrays::copy(h, irow, icol, j);
    let (_, s) = copy_states("samples", &samples, model.h.len())?;
    Ok(py.detach(|| -> Result<f64, Error> { proxy_core(&model.graph()?, beta, &s) })?)
}

/// The instruction set the annealing kernel uses on this CPU.
#[pyfunction]
fn simd_kernel() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            return "avx2";
        }
    }
    "baseline"
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(anneal, m)?)?;
    m.add_function(wrap_pyfunction!(energies, m)?)?;
    m.add_function(wrap_pyfunction!(log_partition, m)?)?;
    m.add_function(wrap_pyfunction!(exact_moments, m)?)?;
    m.add_function(wrap_pyfunction!(exact_log_probs, m)?)?;
    m.add_function(wrap_pyfunction!(exact_sample, m)?)?;
    m.add_function(wrap_pyfunction!(log_likelihood_proxy, m)?)?;
    m.add_function(wrap_pyfunction!(simd_kernel, m)?)?;
    m.add("MAX_EXACT_SPINS", MAX_EXACT_SPINS)?;
    m.add("LANES", LANES)?;
    Ok(())
}
