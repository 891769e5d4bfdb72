"""qsample's samplers against their peers in one run (see qsample.benchmark):
simulated annealing against dwave-samplers', parallel tempering next to SA,
path-integral SQA against dwave-samplers' and OpenJij's (when installed).

    python benches/compare_sa.py [--samplers sa,pt,sqa] [--problems gaussian,bas,k46]
                                 [--reads 1,16,40,96,1000] [--sweeps 200] [--pt-reads 64]
                                 [--sqa-reads 32] [--sqa-sweeps 100] [--slices 32]
                                 [--repeats 3]

The data files (python/qsample/_data/) were written with
``qsample.benchmark.write_arrays``: ``k46_chimera16.txt`` from
``embedded_clique()``, ``bas_k42_dw2x.txt`` from the model.npz of
``qsample bas --quick`` (``HardwareModel.load(path).to_bqm()``).
"""

from qsample.benchmark import main

if __name__ == "__main__":
    raise SystemExit(main())
