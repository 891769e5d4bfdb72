"""qsample's simulated annealing against dwave-samplers' (see qsample.benchmark).

    python benches/compare_sa.py [--reads 64] [--sweeps 1000] [--repeats 3]

The Rust benches' K46 data file was written with
``qsample.benchmark.write_arrays(embedded_clique(), "benches/data/k46_chimera16.txt")``.
"""

from qsample.benchmark import main

if __name__ == "__main__":
    raise SystemExit(main())
