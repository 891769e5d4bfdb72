"""Each new sampler drives the learning loop's negative phase: a short BAS
3x3 run, clique-embedded on a Chimera C(3) (9 chains, 36 qubits), learns the
data's logical moments."""

from __future__ import annotations

import numpy as np
import pytest

import qsample
from qsample import datasets
from qsample import hardware as hw
from qsample.embedding import clique_embedding
from qsample.learning import Hyperparameters, SampledMoments, embedded_trainer
from qsample.learning.moments import sample_moments
from qsample.model import HardwareModel

PHASES = {
    "parallel tempering": (
        qsample.ParallelTemperingSampler,
        {"num_replicas": 4, "num_sweeps": 20, "samples_per_chain": 10, "thinning": 2},
    ),
    "persistent chains": (qsample.PersistentChainSampler, {"num_sweeps": 1}),
    "path-integral SQA": (
        qsample.SimulatedQuantumAnnealingSampler,
        {"num_sweeps": 50, "num_slices": 8},
    ),
}


@pytest.mark.parametrize("name", sorted(PHASES))
def test_a_short_bas_run_learns_the_logical_moments(name):
    data = datasets.bars_and_stripes(3, 3).data
    n = data.shape[1]
    irow, icol = np.triu_indices(n, 1)
    data_mean, data_corr = sample_moments(data, irow, icol)
    model = HardwareModel(clique_embedding(n, hw.chimera(3)), seed=0)
    cls, params = PHASES[name]
    decoded: list[tuple[np.ndarray, np.ndarray]] = []

    def record(trainer, iteration):
        v = model.decode(trainer.negative.samples).values.astype(np.float64)
        decoded.append((v.mean(0), (v[:, irow] * v[:, icol]).mean(0)))

    def error(rows):
        mean = np.mean([r[0] for r in rows], axis=0)
        corr = np.mean([r[1] for r in rows], axis=0)
        return max(np.abs(mean - data_mean).max(), np.abs(corr - data_corr).max())

    trainer = embedded_trainer(
        model,
        data,
        SampledMoments(cls(), params),
        Hyperparameters(learning_rate=0.05, num_reads=200, range_policy="ignore"),
        seed=0,
        progress=False,
        callbacks=[(1, record)],
    )
    trainer.run(300)
    # The untrained model decodes to uncorrelated pixels while the data's
    # correlations reach 0.5, so the first error is about 0.5 (plus the noise
    # of 200 samples). The last 25 negative phases are pooled to average out
    # the sampling noise (for the persistent chains they share chains, so the
    # pool is worth fewer independent samples); a learned model's error lands
    # well under 0.4 of the start.
    before, after = error(decoded[:1]), error(decoded[-25:])
    assert before > 0.45
    assert after < 0.4 * before, (before, after)
