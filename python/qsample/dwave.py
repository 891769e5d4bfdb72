"""The D-Wave backend: a QPU as the sampler of a hardware-embedded model.

The model is already physical — one field per qubit, one coupling per coupler —
so the QPU samples it directly: no ``EmbeddingComposite`` in the loop, no chain
strength, and ``auto_scale=False`` so the device does not rescale what the
learner programs (the learner absorbs the device's temperature instead).

dwave-system is imported only when a live solver is requested, so everything
else here works offline; :func:`qpu_stand_in` builds a structured sampler with
the same properties as a ``DWaveSampler`` on top of qsample's annealer, which
is how the tests run the whole QPU path without a token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import dimod
import numpy as np

from . import hardware
from .embedding import Embedding, clique_embedding, find_embedding
from .hardware import Target
from .learning import Hyperparameters, SampledMoments, Trainer, embedded_trainer
from .model import HardwareModel
from .samplers import SimulatedAnnealingSampler

#: Settings every QPU call of the learner gets unless the caller overrides
#: them: the learner must program the device with its parameters unscaled.
QPU_DEFAULTS: dict[str, Any] = {"auto_scale": False}

#: QPU parameters the stand-in accepts (and, apart from auto_scale, ignores:
#: an annealer emulated by SA has no annealing time or thermalization).
STAND_IN_PARAMETERS = (
    "num_reads",
    "auto_scale",
    "annealing_time",
    "answer_mode",
    "programming_thermalization",
    "readout_thermalization",
    "reduce_intersample_correlation",
    "label",
    "seed",
)


def _dwave_system() -> Any:
    try:
        import dwave.system as system
    except ImportError:
        raise ImportError(
            "the D-Wave backend needs dwave-system: pip install 'qsample[dwave]' "
            "(or pip install dwave-system), then configure a token with 'dwave setup'"
        ) from None
    return system


def has_token() -> bool:
    """Whether a D-Wave API token is configured (environment or dwave config file)."""
    if os.environ.get("DWAVE_API_TOKEN"):
        return True
    try:
        from dwave.cloud.config import load_config
    except ImportError:
        return False
    try:
        return bool(load_config().get("token"))
    except Exception:  # any config problem means "no usable token"
        return False


def connect(**client_options: Any) -> Any:
    """A live ``dwave.system.DWaveSampler`` (options as for its constructor,
    e.g. ``solver=dict(topology__type="pegasus")``)."""
    return _dwave_system().DWaveSampler(**client_options)


def target_of(sampler: Any) -> Target:
    """The working graph and the h and J ranges of a QPU (or a stand-in)."""
    return hardware.from_dwave_sampler(sampler)


def embed(sampler: Any, num_logical: int, *, clique: bool = False, **options: Any) -> Embedding:
    """Embed K_N onto a QPU's working graph: minorminer with the paper's rule
    (options as for :func:`qsample.find_embedding`), or the clique embedder."""
    target = target_of(sampler)
    if clique:
        return clique_embedding(num_logical, target, seed=options.get("seed", 0))
    return find_embedding(num_logical, target, **options)


def qpu_negative_phase(
    sampler: dimod.Sampler, sampler_parameters: Mapping[str, Any] | None = None
) -> SampledMoments:
    """Model moments from a QPU with :data:`QPU_DEFAULTS` applied; the sampler's
    parameter names are checked now, its values on the first iteration."""
    return SampledMoments(sampler, {**QPU_DEFAULTS, **(sampler_parameters or {})})


def trainer(
    sampler: dimod.Sampler,
    model: HardwareModel,
    logical_data: Any,
    hyper: Hyperparameters | None = None,
    *,
    sampler_parameters: Mapping[str, Any] | None = None,
    **options: Any,
) -> Trainer:
    """Learn ``model`` from ``logical_data`` with a QPU as the negative phase.

    The model must live on the sampler's graph (every qubit and coupler present);
    the device's h and J ranges bound the parameters (``hyper.range_policy``).
    ``sampler_parameters`` pass through to every call (e.g. ``annealing_time``,
    ``programming_thermalization``, ``readout_thermalization`` — the paper's
    Table III settings); ``auto_scale`` is False unless given.
    """
    hyper = hyper or Hyperparameters()
    _check_fits(sampler, model)
    device = target_of(sampler)
    negative = qpu_negative_phase(sampler, sampler_parameters)
    options.setdefault("h_range", device.h_range)
    if "J_range" not in options:  # the deprecated name reaches Trainer, which warns
        options.setdefault("j_range", device.j_range)
    return embedded_trainer(model, logical_data, negative, hyper, **options)


def _check_fits(sampler: Any, model: HardwareModel) -> None:
    nodes = set(sampler.nodelist)
    edges = {frozenset(e) for e in sampler.edgelist}
    missing_q = [q for q in model.qubits if q not in nodes]
    if missing_q:
        raise ValueError(f"the model uses qubits the sampler does not have: {missing_q[:10]}")
    qubits = model.qubits
    missing_e = [
        (qubits[a], qubits[b])
        for a, b in zip(model.irow, model.icol)
        if frozenset((qubits[a], qubits[b])) not in edges
    ]
    if missing_e:
        raise ValueError(f"the model uses couplers the sampler does not have: {missing_e[:10]}")


class _AnnealerEmulator(dimod.Sampler):
    """qsample's SA behind a QPU's parameter names and range rules."""

    def __init__(
        self,
        h_range: tuple[float, float],
        j_range: tuple[float, float],
        beta_final: float,
        num_sweeps: int,
        properties: Mapping[str, Any],
    ) -> None:
        self._sa = SimulatedAnnealingSampler()
        self.h_range, self.j_range = h_range, j_range
        self.schedule = np.linspace(0.0, beta_final, num_sweeps)
        self._properties = dict(properties)

    @property
    def parameters(self) -> dict[str, list[str]]:
        return {name: ["parameters"] for name in STAND_IN_PARAMETERS}

    @property
    def properties(self) -> dict[str, Any]:
        return self._properties

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        num_reads: int = 1,
        auto_scale: bool = True,
        seed: int | None = None,
        **ignored: Any,
    ) -> dimod.SampleSet:
        spin = bqm.spin
        h = np.array(list(spin.linear.values()), dtype=float)
        J = np.array(list(spin.quadratic.values()), dtype=float)
        scale = 1.0
        if auto_scale:
            # As the QPU does: use the full range, keeping the ratio of h to J.
            largest = max(
                np.abs(h).max(initial=0.0) / max(abs(x) for x in self.h_range),
                np.abs(J).max(initial=0.0) / max(abs(x) for x in self.j_range),
            )
            scale = 1.0 / largest if largest > 0 else 1.0
        else:
            for name, values, (lo, hi) in (("h", h, self.h_range), ("J", J, self.j_range)):
                if values.size and (values.min() < lo or values.max() > hi):
                    raise ValueError(
                        f"{name} outside the solver's range {(lo, hi)} with auto_scale=False: "
                        f"min {values.min():.4g}, max {values.max():.4g}"
                    )
        device = dimod.BinaryQuadraticModel(spin.linear, spin.quadratic, 0.0, dimod.SPIN)
        device.scale(scale)
        ss = self._sa.sample(
            device,
            num_reads=num_reads,
            seed=seed,
            beta_schedule_type="custom",
            beta_schedule=self.schedule,
        )
        out = dimod.SampleSet.from_samples_bqm((ss.record.sample, ss.variables), bqm.spin)
        return out.change_vartype(bqm.vartype, inplace=True)


class QPUStandIn(dimod.StructureComposite):
    """A structured sampler that looks like a ``DWaveSampler``: ``nodelist``,
    ``edgelist``, ``properties`` with ``qubits``, ``couplers``, ``h_range``,
    ``j_range``, ``topology``, ``parameters`` and ``chip_id``; QPU keyword
    arguments accepted; ``auto_scale`` and the range check behave as on the QPU."""


def qpu_stand_in(
    target: Target | None = None, *, beta_final: float = 1.0, num_sweeps: int = 200
) -> QPUStandIn:
    """An offline stand-in for a QPU with ``target``'s graph and ranges
    (default: a Chimera C(4,4,4) with the D-Wave 2X's ranges), sampled by
    qsample's SA with a fixed linear schedule 0 → ``beta_final``."""
    target = target or hardware.chimera(4)
    nodes = sorted(target.graph.nodes, key=hardware._sort_key)
    edges = sorted(
        (tuple(sorted(e, key=hardware._sort_key)) for e in target.graph.edges),
        key=lambda e: (hardware._sort_key(e[0]), hardware._sort_key(e[1])),
    )
    properties = {
        "chip_id": f"qsample-stand-in-{target.name or 'graph'}",
        "qubits": nodes,
        "couplers": [list(e) for e in edges],
        "h_range": list(target.h_range),
        "j_range": list(target.j_range),
        "topology": {"type": target.family, "shape": list(target.shape)} if target.family else {},
        "parameters": {name: "" for name in STAND_IN_PARAMETERS},
        "num_reads_range": [1, 10000],
    }
    child = _AnnealerEmulator(target.h_range, target.j_range, beta_final, num_sweeps, properties)
    return QPUStandIn(child, nodes, edges)
