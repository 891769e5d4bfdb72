"""qsample's simulated annealing against dwave-samplers' (see qsample.benchmark).

    python benches/compare_sa.py [--reads 1,16,96,1000] [--sweeps 200] [--repeats 3]
                                 [--problems gaussian,bas,k46]

The data files (python/qsample/_data/) were written with
``qsample.benchmark.write_arrays``: ``k46_chimera16.txt`` from
``embedded_clique()``, ``bas_k42_dw2x.txt`` from the model.npz of
``qsample bas --quick`` (``HardwareModel.load(path).to_bqm()``).
"""

from qsample.benchmark import main

if __name__ == "__main__":
    raise SystemExit(main())
