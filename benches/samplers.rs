//! Sampler throughput: `cargo bench`. Throughput is in single-spin updates
//! (reads x sweeps x spins) for annealing and in states for enumeration.
//! The side-by-side ratio against dwave-samplers is `benches/compare_sa.py`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use qsample::rng::Xoshiro256;
use qsample::{anneal, AnnealParams, Enumerator, IsingGraph, Stop};

/// A standard normal variate (Box-Muller) from the generator.
fn normal(rng: &mut Xoshiro256) -> f64 {
    let u1 = rng.next_f64().max(1e-300);
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Glass on the full Chimera C(m, m, 4), dwave-graphs' linear qubit order,
/// couplings Gaussian or ±1.
fn chimera_glass(m: usize, seed: u64, gaussian: bool) -> IsingGraph {
    let idx = |i: usize, j: usize, u: usize, k: usize| (((i * m + j) * 2 + u) * 4 + k) as i64;
    let (mut ir, mut ic) = (vec![], vec![]);
    for i in 0..m {
        for j in 0..m {
            for k in 0..4 {
                for k2 in 0..4 {
                    ir.push(idx(i, j, 0, k));
                    ic.push(idx(i, j, 1, k2));
                }
                if i + 1 < m {
                    ir.push(idx(i, j, 0, k));
                    ic.push(idx(i + 1, j, 0, k));
                }
                if j + 1 < m {
                    ir.push(idx(i, j, 1, k));
                    ic.push(idx(i, j + 1, 1, k));
                }
            }
        }
    }
    let mut rng = Xoshiro256::for_stream(seed, 0);
    let jv: Vec<f64> = ir
        .iter()
        .map(|_| {
            if gaussian {
                normal(&mut rng)
            } else {
                rng.spin() as f64
            }
        })
        .collect();
    IsingGraph::new(&vec![0.0; 8 * m * m], &ir, &ic, &jv).expect("valid glass")
}

/// Flat arrays written by `qsample.benchmark.write_arrays`: the K46 clique
/// embedding on C(16, 16, 4) (`embedded_clique()`), or the trained BAS model.
fn stored_model(text: &str) -> IsingGraph {
    let mut lines = text.lines().skip(1);
    let mut floats = || -> Vec<f64> {
        let line = lines.next().unwrap_or_default();
        line.split_whitespace()
            .map(|v| v.parse().expect("number"))
            .collect()
    };
    let h = floats();
    let ir: Vec<i64> = floats().into_iter().map(|v| v as i64).collect();
    let ic: Vec<i64> = floats().into_iter().map(|v| v as i64).collect();
    let j = floats();
    IsingGraph::new(&h, &ir, &ic, &j).expect("valid embedded model")
}

fn dense_model(n: usize, seed: u64) -> IsingGraph {
    let mut rng = Xoshiro256::for_stream(seed, 0);
    let h: Vec<f64> = (0..n).map(|_| rng.next_f64() - 0.5).collect();
    let (mut ir, mut ic, mut j) = (vec![], vec![], vec![]);
    for a in 0..n {
        for b in a + 1..n {
            ir.push(a as i64);
            ic.push(b as i64);
            j.push((rng.next_f64() - 0.5) / (n as f64).sqrt());
        }
    }
    IsingGraph::new(&h, &ir, &ic, &j).expect("valid dense model")
}

fn bench_anneal(c: &mut Criterion) {
    let mut group = c.benchmark_group("anneal");
    group.sample_size(10);
    let sweeps = 200;
    let betas: Vec<f64> = (0..sweeps)
        .map(|k| 0.1 * (30.0f64).powf(k as f64 / (sweeps - 1) as f64))
        .collect();
    let problems = [
        ("chimera2048_gaussian", chimera_glass(16, 1, true)),
        ("chimera2048_pm1", chimera_glass(16, 1, false)),
        (
            "bas_k42_trained",
            stored_model(include_str!("../python/qsample/_data/bas_k42_dw2x.txt")),
        ),
        (
            "k46_embedded",
            stored_model(include_str!("../python/qsample/_data/k46_chimera16.txt")),
        ),
    ];
    for (name, graph) in &problems {
        for (reads, threads, label) in [
            (1usize, 1usize, "1_read"),
            (64, 1, "64_reads_1_thread"),
            (64, 0, "64_reads_all_threads"),
        ] {
            group.throughput(Throughput::Elements(
                (reads * sweeps * graph.num_spins()) as u64,
            ));
            group.bench_with_input(BenchmarkId::new(*name, label), &threads, |b, &threads| {
                let p = AnnealParams {
                    num_threads: threads,
                    ..AnnealParams::new(&betas, reads, 7)
                };
                b.iter(|| black_box(anneal(graph, &p, Stop::never()).expect("anneal")));
            });
        }
    }
    group.finish();
}

fn bench_exact(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_moments");
    group.sample_size(10);
    for n in [20usize, 24] {
        let graph = dense_model(n, n as u64);
        group.throughput(Throughput::Elements(1u64 << n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &graph, |b, g| {
            b.iter(|| {
                let e = Enumerator::new(g, 1.0).expect("small model");
                black_box(e.moments(Stop::never()).expect("moments"))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_anneal, bench_exact);
criterion_main!(benches);
