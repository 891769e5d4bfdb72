"""The paper's three experiments, end to end, each writing a results folder.

Every run writes ``results.json`` (settings, seeds, versions, figures, wall
time), the trained model(s) and PNG plots into its folder. ``quick()``
settings finish in about a minute on a 2-core machine; ``full()`` settings are
the paper's.

Samplers: learning and evaluation use qsample's SA with one fixed schedule
(linear β 0 → 1 over 200 sweeps, the paper's SA setting), so the learned
parameters absorb that sampler's temperature and are judged by the same
sampler. SA has no device range, so the range policy is "ignore" and the
largest |J| inside and between chains is reported instead (the chains of a
β ≤ 1 sampler need |J| beyond a D-Wave 2X's 1).
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__, _files, datasets, exact, hardware
from . import evaluate as ev
from ._validate import check_positive_int
from .embedding import Embedding, clique_embedding, find_embedding
from .learning import (
    ExactMoments,
    Hyperparameters,
    SampledMoments,
    Trainer,
    embedded_trainer,
    logical_complete_graph,
)
from .model import HardwareModel

TARGETS = ("dw2x", "chimera16", "pegasus6", "zephyr4")


# -- shared pieces --------------------------------------------------------------------
def make_target(name: str, seed: int = 0) -> hardware.Target:
    """A named target: ``dw2x`` (C(12,12,4), 1097 working qubits, the paper's),
    ``chimera16``, ``pegasus6``, ``zephyr4`` (complete graphs of those sizes)."""
    if name == "dw2x":
        return hardware.dwave_2x(seed=seed)
    if name == "chimera16":
        return hardware.chimera(16)
    if name == "pegasus6":
        return hardware.pegasus(6)
    if name == "zephyr4":
        return hardware.zephyr(4)
    raise ValueError(f"'target' must be one of {TARGETS}: value = {name!r}")


def make_embedding(n: int, target: hardware.Target, method: str = "minorminer",
                   tries: int = 10, seed: int = 0) -> Embedding:
    """K_n on the target: minorminer with the paper's rule, or the clique embedder."""
    if method == "minorminer":
        return find_embedding(n, target, tries=tries, seed=seed)
    if method == "clique":
        return clique_embedding(n, target, seed=seed)
    raise ValueError(f"'embedding' must be 'minorminer' or 'clique': value = {method!r}")


def sa_phase(num_reads: int) -> SampledMoments:
    """qsample's SA with the fixed learning schedule (see the module notes)."""
    return SampledMoments(num_reads=num_reads)


def environment() -> dict[str, str]:
    import dimod

    return {"qsample": __version__, "numpy": np.__version__, "dimod": dimod.__version__,
            "python": platform.python_version(), "machine": platform.machine(),
            "cpus": str(os.cpu_count())}


def results_folder(out: str | os.PathLike | None, experiment: str) -> Path:
    """``out`` if given (created; must be empty), else ``results/<experiment>-<time>``."""
    if out is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = Path("results") / f"{experiment}-{stamp}"
        k = 1
        while path.exists():
            k += 1
            path = Path("results") / f"{experiment}-{stamp}-{k}"
    else:
        path = Path(out)
        if path.exists() and any(path.iterdir()):
            raise ValueError(f"results folder {path} exists and is not empty; choose another "
                             "with --out")
    path.mkdir(parents=True, exist_ok=True)
    return path


write_json = _files.write_json


def _report(embedding: Embedding) -> dict[str, Any]:
    return {"target": embedding.target.name, **asdict(embedding.report())}


def _check_settings(settings: Any, counts: tuple[str, ...], rates: tuple[str, ...] = ()) -> None:
    """Refuse bad settings before any folder is made or any work done."""
    for name in counts:
        check_positive_int(name, getattr(settings, name))
    for name in rates:
        values = getattr(settings, name)
        for v in values if isinstance(values, tuple) else (values,):
            if not (isinstance(v, (int, float)) and np.isfinite(v) and v > 0):
                raise ValueError(f"'{name}' must be positive: value = {values!r}")
    if settings.target not in TARGETS:
        raise ValueError(f"'target' must be one of {TARGETS}: value = {settings.target!r}")
    if settings.embedding not in ("minorminer", "clique"):
        raise ValueError(f"'embedding' must be 'minorminer' or 'clique': "
                         f"value = {settings.embedding!r}")


# -- SK (Fig. 7) -------------------------------------------------------------------------
@dataclass
class SKSettings:
    instances: int = 10
    spins: int = 15
    zeta: float = 2.0
    num_samples: int = 150  # D
    iterations: int = 500
    learning_rates: tuple[float, ...] = (0.0025, 0.01)
    num_reads: int = 150  # SA samples per negative phase
    target: str = "dw2x"
    embedding: str = "minorminer"
    embedding_tries: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        _check_settings(self, ("instances", "spins", "num_samples", "iterations", "num_reads",
                               "embedding_tries"), ("zeta", "learning_rates"))
        if self.spins > exact.MAX_EXACT_SPINS:
            raise ValueError(f"'spins' must be at most {exact.MAX_EXACT_SPINS} (exact "
                             f"samples and log Z): value = {self.spins}")

    @classmethod
    def quick(cls) -> SKSettings:
        return cls(instances=3, iterations=150, learning_rates=(0.01,), embedding_tries=3)

    @classmethod
    def full(cls) -> SKSettings:
        return cls()


def run_sk(settings: SKSettings, out: Path, progress: bool | None = None) -> dict[str, Any]:
    """Exact-gradient learning of the logical K_N vs SA-based learning of the
    embedded physical model, Λ_av per iteration against the data's Λ_av(D).

    Λ_av of the exact logical model is its expectation under the model
    (exact, from its moments); Λ_av of the physical model is that of the
    negative phase's decoded SA samples at each iteration (ties broken at random).
    Both curves give, at iteration k, the model at the start of iteration k.
    """
    from tqdm.auto import tqdm

    start = time.perf_counter()
    s = settings
    embedding = make_embedding(s.spins, make_target(s.target, s.seed), s.embedding,
                               s.embedding_tries, s.seed)
    embedding.save(out / "embedding.json")
    T = s.iterations
    curves: dict[str, list[np.ndarray]] = {}
    data_proxy, kl_exact, kl_sa, max_j = [], {}, {}, {}
    for i in tqdm(range(s.instances), desc="SK instances", disable=ev.progress_disabled(progress)):
        truth, data = datasets.sk_dataset(s.spins, s.num_samples, s.zeta, seed=s.seed + i)
        data_proxy.append(exact.log_likelihood_proxy(truth, data.data))
        for eta in s.learning_rates:
            hyper = Hyperparameters(learning_rate=eta, num_reads=s.num_reads,
                                    range_policy="ignore")
            lam, logical = _sk_exact_curve(truth, data.data, hyper, T, s.seed)
            curves.setdefault(f"exact logical, eta={eta}", []).append(lam)
            kl_exact.setdefault(eta, []).append(_exact_kl(logical.current_model(), truth))
            lam_sa, learned, physical, phase = _sk_physical_curve(
                truth, data.data, embedding, hyper, T, s.seed + i)
            curves.setdefault(f"SA physical, eta={eta}", []).append(lam_sa)
            decoded = learned.decode(phase.draw(learned.to_ising(), 20000, seed=s.seed)).values
            kl_sa.setdefault(eta, []).append(ev.empirical_kl(decoded, truth))
            max_j.setdefault(eta, []).append([physical.history.max_abs_J_intra[-1],
                                              physical.history.max_abs_J_inter[-1]])
            if i == 0:
                learned.save(out / f"model_instance0_eta{eta}.npz")
    d_mean, d_std = float(np.mean(data_proxy)), float(np.std(data_proxy))
    band_low = d_mean - d_std
    summary: dict[str, Any] = {}
    x = np.arange(1, T + 1)
    series = {}
    for label, runs in curves.items():
        a = np.array(runs)
        mean, std = a.mean(axis=0), a.std(axis=0)
        series[label] = (x, mean, std)
        inside = np.flatnonzero(mean >= band_low)
        summary[label] = {
            "final_mean": float(mean[-1]), "final_std": float(std[-1]),
            "first_iteration_in_band": int(inside[0] + 1) if inside.size else None,
            "final_in_band": bool(mean[-1] >= band_low),
            # Per instance, the model's final Λ_av minus its own data's Λ_av(D).
            "final_gap_to_data_mean": float(np.mean(a[:, -1] - np.array(data_proxy))),
        }
    from . import plots

    plots.curves(out / "sk_proxy.png", series, "iteration", "Λ_av",
                 f"SK N={s.spins}, {s.instances} instances, D={s.num_samples} (mean ± std)",
                 band=(d_mean - d_std, d_mean + d_std, "Λ_av(D) ± std"))
    figures = {
        "data_proxy_mean": d_mean, "data_proxy_std": d_std, "curves": summary,
        "kl_exact_logical": {str(k): float(np.mean(v)) for k, v in kl_exact.items()},
        "kl_sa_physical_empirical_20000": {str(k): float(np.mean(v)) for k, v in kl_sa.items()},
        "max_abs_J_intra_inter_final": {str(k): np.mean(v, axis=0) for k, v in max_j.items()},
        "embedding": _report(embedding),
    }
    np.savez(out / "sk_curves.npz", data_proxy=np.array(data_proxy),
             **{k.replace(" ", "_").replace(",", ""): np.array(v) for k, v in curves.items()})
    return _finish(out, "sk", settings, figures, start)


def _sk_exact_curve(truth: Any, data: np.ndarray, hyper: Hyperparameters, T: int,
                    seed: int) -> tuple[np.ndarray, Trainer]:
    """Exact-gradient learning of the logical K_N; Λ_av = -<E_Q>_P - log Z_Q per
    iteration, exact from the model's moments."""
    lam = np.empty(T)
    log_z = exact.log_partition(truth)

    def expected_proxy(model: Any) -> float:
        m = exact.moments(model)
        return float(-(truth.h @ m.mean + truth.J @ m.correlation[truth.irow, truth.icol])
                     - log_z)

    def record(t: Trainer, it: int) -> None:
        if it < T:  # entry k is the model at the start of iteration k + 1, as for SA
            lam[it] = expected_proxy(t.current_model())

    logical = Trainer(logical_complete_graph(truth.num_variables, seed=seed), data,
                      ExactMoments(), hyper, seed=seed, progress=False, callbacks=[(1, record)])
    lam[0] = expected_proxy(logical.current_model())
    logical.run(T)
    return lam, logical


def _sk_physical_curve(truth: Any, data: np.ndarray, embedding: Embedding,
                       hyper: Hyperparameters, T: int, seed: int
                       ) -> tuple[np.ndarray, HardwareModel, Trainer, SampledMoments]:
    """SA-based learning of the embedded model; Λ_av of the decoded
    negative-phase samples of each iteration."""
    model = HardwareModel(embedding, seed=seed)
    phase = sa_phase(hyper.num_reads)
    lam = np.empty(T)

    def sampled_proxy(t: Trainer, it: int) -> None:
        decoded = model.decode(phase.last_samples).values
        lam[it - 1] = ev.proxy(truth, decoded, seed=it)

    physical = embedded_trainer(model, data, phase, hyper, seed=seed, progress=False,
                                callbacks=[(1, sampled_proxy)])
    physical.run(T)
    return lam, model.with_parameters(physical.h, physical.J), physical, phase


def _exact_kl(model: Any, truth: Any) -> float:
    """KL(P || Q) by enumeration, P the learned logical model, Q the truth."""
    n = truth.num_variables
    states = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.int8) * 2 - 1
    log_p = exact.log_probabilities(model, states)
    log_q = exact.log_probabilities(truth, states)
    return float(np.sum(np.exp(log_p) * (log_p - log_q)))


# -- BAS (Fig. 5) --------------------------------------------------------------------------
#: The paper's expected mistakes per reconstructed BAS picture (of 20 pixels).
PAPER_BAS = {1: 10.45, 100: 3.73, 1000: 0.59, 3850: 0.13}


@dataclass
class BASSettings:
    rows: int = 7
    columns: int = 6
    num_train: int = 96
    iterations: int = 3850
    learning_rate: float = 0.0025
    num_reads: int = 96
    block: tuple[int, int, int, int] = (1, 1, 5, 4)  # top, left, height, width
    num_reconstructions: int = 100
    evaluate_at: tuple[int, ...] = (1, 100, 1000)  # and always the end
    target: str = "dw2x"
    embedding: str = "minorminer"
    embedding_tries: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        _check_settings(self, ("rows", "columns", "num_train", "iterations", "num_reads",
                               "num_reconstructions", "embedding_tries"), ("learning_rate",))
        ev.block_mask((self.rows, self.columns), *self.block)  # the block fits

    @classmethod
    def quick(cls) -> BASSettings:
        return cls(iterations=300, learning_rate=0.01, evaluate_at=(1, 100),
                   embedding_tries=2)

    @classmethod
    def full(cls) -> BASSettings:
        return cls()


def run_bas(settings: BASSettings, out: Path, progress: bool | None = None,
            evaluate: bool = True) -> dict[str, Any]:
    """Train on 96 BAS pictures; reconstruct the 96 test pictures with a
    blacked-out block at the evaluation iterations and at the end."""
    start = time.perf_counter()
    s = settings
    train, test = datasets.shuffled_split(datasets.bars_and_stripes(s.rows, s.columns),
                                          s.num_train, seed=s.seed)
    known = ev.block_mask((s.rows, s.columns), *s.block)
    embedding = make_embedding(s.rows * s.columns, make_target(s.target, s.seed), s.embedding,
                               s.embedding_tries, s.seed)
    embedding.save(out / "embedding.json")
    model = HardwareModel(embedding, seed=s.seed)
    phase = sa_phase(s.num_reads)
    at = sorted({*s.evaluate_at, s.iterations}) if evaluate else []
    recon: dict[int, ev.Reconstruction] = {}

    def reconstruct(t: Trainer, it: int) -> None:
        if it in at:
            recon[it] = ev.reconstruct(model.with_parameters(t.h, t.J), test.data, known,
                                       phase.draw, num_reconstructions=s.num_reconstructions,
                                       seed=s.seed)

    trainer = embedded_trainer(model, train.data, phase,
                               Hyperparameters(learning_rate=s.learning_rate,
                                               num_reads=s.num_reads, range_policy="ignore"),
                               seed=s.seed, progress=progress, callbacks=[(1, reconstruct)])
    trainer.run(s.iterations)
    learned = model.with_parameters(trainer.h, trainer.J)
    learned.save(out / "model.npz")
    trainer.save_checkpoint(out / "checkpoint.npz")
    figures: dict[str, Any] = {"embedding": _report(embedding), "iterations": trainer.iteration,
                               "training_seconds": float(np.sum(
                                   trainer.history.sampling_seconds)
                                   + np.sum(trainer.history.update_seconds)),
                               "max_abs_J_intra": trainer.history.max_abs_J_intra[-1],
                               "max_abs_J_inter": trainer.history.max_abs_J_inter[-1]}
    if recon:
        figures["mistakes_per_picture"] = {str(k): r.mean_wrong for k, r in recon.items()}
        figures["ties_per_picture"] = {str(k): r.mean_ties for k, r in recon.items()}
        # Ties settled by a fair coin: the figure comparable with the paper's.
        figures["expected_mistakes_per_picture"] = {str(k): r.mean_expected_wrong
                                                    for k, r in recon.items()}
        figures["corrupted_pixels_per_picture"] = int(np.sum(~known))
        figures["paper_mistakes_per_picture"] = {str(k): v for k, v in PAPER_BAS.items()}
        _plot_bas(out, s, test.data, known, recon)
    _plot_history(out, trainer)
    return _finish(out, "bas", settings, figures, start)


def _plot_bas(out: Path, s: BASSettings, truth: np.ndarray, known: np.ndarray,
              recon: dict[int, ev.Reconstruction]) -> None:
    from . import plots

    k = 12
    its = sorted(recon)
    rows = [("data", list(truth[:k])), ("blacked out", list(truth[:k]))]
    rows += [(f"iteration {it}", list(recon[it].values[:k])) for it in its]
    masks = [None, np.broadcast_to(known, (k, known.size))] + [None] * len(its)
    plots.picture_grid(out / "bas_reconstructions.png", rows, (s.rows, s.columns),
                       "BAS reconstructions (red: tied pixels)", known=masks)
    plots.curves(out / "bas_mistakes.png", {
        "qsample (SA), ties as half": (np.array(its),
                                       np.array([recon[i].mean_expected_wrong for i in its]),
                                       None),
        "paper (D-Wave 2X)": (np.array(list(PAPER_BAS)), np.array(list(PAPER_BAS.values())),
                              None)},
        "iteration", "wrong pixels per picture (of 20)", "BAS 7x6 block reconstruction",
        logx=True)


def _plot_history(out: Path, trainer: Trainer) -> None:
    from . import plots

    h = trainer.history
    x = np.arange(1, len(h) + 1)
    plots.curves(out / "learning.png", {
        "max |<z>_data - <z>_model|": (x, np.array(h.moment_error_h), None),
        "max |<zz>_data - <zz>_model|": (x, np.array(h.moment_error_J), None),
        "max |J| inside chains": (x, np.array(h.max_abs_J_intra), None),
        "max |J| between chains": (x, np.array(h.max_abs_J_inter), None)},
        "iteration", "value", "learning history")
    write_json(out / "history.json", asdict(h))


# -- OptDigits (Figs. 4 and 6) ----------------------------------------------------------------
@dataclass
class DigitsSettings:
    train_path: str | None = None  # None: the cache, downloaded if needed
    iterations: int = 6000
    learning_rate: float = 0.0025
    batch_size: int = 200
    num_reads: int = 200
    classify_samples: int = 100
    noise_rate: float = 0.5
    num_reconstructions: int = 100
    generate_per_class: int = 10
    target: str = "dw2x"
    embedding: str = "minorminer"
    embedding_tries: int = 5
    seed: int = 0
    evaluate_at: tuple[int, ...] = field(default_factory=tuple)  # accuracy along the way

    def __post_init__(self) -> None:
        _check_settings(self, ("iterations", "batch_size", "num_reads", "classify_samples",
                               "num_reconstructions", "generate_per_class", "embedding_tries"),
                        ("learning_rate",))
        if not 0 <= self.noise_rate <= 1:
            raise ValueError(f"'noise_rate' must be in [0, 1]: value = {self.noise_rate!r}")
        if self.train_path is not None and not Path(self.train_path).is_file():
            raise FileNotFoundError(f"OptDigits training file not found: {self.train_path}")

    @classmethod
    def quick(cls, train_path: str | None = None) -> DigitsSettings:
        return cls(train_path=train_path, iterations=300, learning_rate=0.01,
                   embedding_tries=1, num_reconstructions=30)

    @classmethod
    def full(cls, train_path: str | None = None) -> DigitsSettings:
        return cls(train_path=train_path, evaluate_at=(1000, 2000, 3000, 4000, 5000))


def run_digits(settings: DigitsSettings, out: Path, progress: bool | None = None,
               evaluate: bool = True) -> dict[str, Any]:
    """Train the 46-variable model (42 pixels + 4 one-hot classes) on the 1545
    training pictures; test accuracy on the 723 test pictures, reconstructions
    under salt-and-pepper noise and class-conditioned generation."""
    start = time.perf_counter()
    s = settings
    train = datasets.optdigits_train(s.train_path, one_hot=True)
    test = datasets.optdigits_test(one_hot=True) if evaluate else None
    embedding = make_embedding(train.data.shape[1], make_target(s.target, s.seed), s.embedding,
                               s.embedding_tries, s.seed)
    embedding.save(out / "embedding.json")
    model = HardwareModel(embedding, seed=s.seed)
    phase = sa_phase(s.num_reads)
    accuracy_along: dict[str, float] = {}

    def accuracy(t: Trainer, it: int) -> None:
        if test is not None and it in s.evaluate_at:
            c = ev.classify(model.with_parameters(t.h, t.J), test.data[:, :42], test.labels, 4,
                            phase.draw, num_samples=s.classify_samples, seed=s.seed)
            accuracy_along[str(it)] = c.accuracy

    trainer = embedded_trainer(model, train.data, phase,
                               Hyperparameters(learning_rate=s.learning_rate,
                                               num_reads=s.num_reads, batch_size=s.batch_size,
                                               range_policy="ignore"),
                               seed=s.seed, progress=progress, callbacks=[(1, accuracy)])
    trainer.run(s.iterations)
    learned = model.with_parameters(trainer.h, trainer.J)
    learned.save(out / "model.npz")
    trainer.save_checkpoint(out / "checkpoint.npz")
    _plot_history(out, trainer)
    figures: dict[str, Any] = {"embedding": _report(embedding), "iterations": trainer.iteration,
                               "num_train": len(train),
                               "accuracy_along": accuracy_along,
                               "max_abs_J_intra": trainer.history.max_abs_J_intra[-1],
                               "max_abs_J_inter": trainer.history.max_abs_J_inter[-1]}
    if test is not None:
        figures.update(evaluate_digits(learned, s, out, test, phase, progress))
    return _finish(out, "digits", settings, figures, start)


def evaluate_digits(model: HardwareModel, s: DigitsSettings, out: Path,
                    test: datasets.Dataset | None = None, phase: SampledMoments | None = None,
                    progress: bool | None = None) -> dict[str, Any]:
    from . import plots

    test = test or datasets.optdigits_test(one_hot=True)
    phase = phase or sa_phase(s.num_reads)
    c = ev.classify(model, test.data[:, :42], test.labels, 4, phase.draw,
                    num_samples=s.classify_samples, seed=s.seed, progress=progress)
    names = [str(k) for k in datasets.DIGIT_CLASSES]
    plots.confusion(out / "digits_confusion.png", c.confusion, names,
                    f"test accuracy {c.accuracy:.3f} ({len(test)} pictures)")
    noisy, known = ev.salt_and_pepper(test.data, s.noise_rate, seed=s.seed, num_pixels=42)
    known[:, 42:] = False  # the class is not given to the reconstruction
    # As in the paper's clamping, the corrupted positions are known and treated
    # as missing: only the intact pixels are clamped, so the noisy values never
    # reach the model and the clean pictures serve as the truth to score on.
    r = ev.reconstruct(model, test.data, known, phase.draw,
                       num_reconstructions=s.num_reconstructions, seed=s.seed,
                       columns=np.arange(42), progress=progress)
    corrupted_wrong = r.wrong.sum() / max(int(r.corrupted.sum()), 1)
    k = 12
    plots.picture_grid(out / "digits_reconstructions.png",
                       [("test", list(test.data[:k])),
                        (f"{s.noise_rate:.0%} noise", list(noisy[:k])),
                        ("given (gray: missing)", list(noisy[:k])),
                        ("reconstructed", list(r.values[:k]))], datasets.DIGIT_SHAPE,
                       f"salt-and-pepper rate {s.noise_rate}, corrupted positions known and "
                       "reconstructed (red: tied)",
                       known=[None, None, known[:k], None])
    rows = []
    for cls_index, name in enumerate(names):
        generated = ev.generate(model, cls_index, 4, phase.draw,
                                num_pictures=s.generate_per_class, seed=s.seed + cls_index)
        real = test.data[test.labels == cls_index][: s.generate_per_class]
        rows += [(f"real {name}", list(real)), (f"generated {name}", list(generated))]
    plots.picture_grid(out / "digits_generated.png", rows, datasets.DIGIT_SHAPE,
                       "class-conditioned generation beside real test pictures")
    return {"num_test": len(test), "test_accuracy": c.accuracy, "confusion": c.confusion,
            "reconstruction": {"noise_rate": s.noise_rate, "corrupted_positions_known": True,
                               "expected_wrong_per_picture": r.mean_expected_wrong,
                               "wrong_per_picture": r.mean_wrong,
                               "ties_per_picture": r.mean_ties,
                               "corrupted_per_picture": float(r.corrupted.mean()),
                               "wrong_fraction_of_corrupted": float(corrupted_wrong)}}


def _finish(out: Path, name: str, settings: Any, figures: dict[str, Any],
            start: float) -> dict[str, Any]:
    result = {"experiment": name, "settings": asdict(settings), "environment": environment(),
              "wall_seconds": time.perf_counter() - start, "figures": figures}
    write_json(out / "results.json", result)
    return result


def with_overrides(settings: Any, **overrides: Any) -> Any:
    """``settings`` with the non-None overrides applied."""
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
