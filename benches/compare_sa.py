"""qsample's samplers against their peers in one run (see qsample.benchmark):
simulated annealing against dwave-samplers', parallel tempering next to SA,
path-integral SQA against dwave-samplers' and OpenJij's (when installed).

    python benches/compare_sa.py [--samplers sa,pt,sqa] [--reads 64] [--sweeps 1000]
                                 [--sqa-reads 32] [--sqa-sweeps 100] [--slices 32]
                                 [--repeats 3]

The Rust benches' K46 data file was written with
``qsample.benchmark.write_arrays(embedded_clique(), "benches/data/k46_chimera16.txt")``.
"""

from qsample.benchmark import main

if __name__ == "__main__":
    raise SystemExit(main())
