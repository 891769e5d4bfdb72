"""The ``qsample`` command line.

    qsample sk        the SK experiment (Fig. 7): exact-gradient vs SA-based learning
    qsample bas       bars and stripes 7x6: learn, reconstruct a blacked-out block (Fig. 5)
    qsample digits    OptDigits 1-4 with classes: accuracy, denoising, generation (Figs. 4, 6)
    qsample embed     embed K_N into a target graph (JSON + PNG)
    qsample train     learn a model on a dataset (no evaluation)
    qsample evaluate  evaluate a saved model on a dataset
    qsample likelihood  test log-likelihood of a saved BAS model (annealed importance sampling)
    qsample demo      SA on a built-in SK model vs the exact Boltzmann distribution
    qsample bench     qsample's simulated annealing vs dwave-samplers, ns per update

Experiments take --quick (about a minute) or run the paper's settings, and
write a results folder (results.json, model, PNG plots).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import __version__


def _demo(args: argparse.Namespace) -> int:
    from . import SimulatedAnnealingSampler, exact
    from ._validate import check_positive_int
    from .ising import from_matrix

    n = check_positive_int("--spins", args.spins)
    if n > 20:
        raise ValueError(f"'--spins' must be at most 20 for the exact comparison: value = {n}")
    rng = np.random.default_rng(args.seed)
    J = np.triu(rng.normal(0.0, 2.0 / np.sqrt(n), size=(n, n)), k=1)
    ising = from_matrix(np.zeros(n), J)
    bqm = ising.to_bqm()
    t = time.perf_counter()
    ss = SimulatedAnnealingSampler().sample(
        bqm, num_reads=args.reads, beta_schedule_type="custom",
        beta_schedule=np.linspace(0.0, 1.0, 200), seed=args.seed)
    sa_seconds = time.perf_counter() - t
    samples = ss.record.sample[:, [ss.variables.index(v) for v in range(n)]]
    t = time.perf_counter()
    m = exact.moments(ising, beta=1.0)
    exact_seconds = time.perf_counter() - t
    corr_hat = samples.T.astype(float) @ samples / len(samples)
    iu = np.triu_indices(n, k=1)
    err = np.abs(corr_hat[iu] - m.correlation[iu])
    data = exact.sample(ising, args.reads, beta=1.0, seed=args.seed)
    print(f"qsample {__version__}: SK model, {n} spins, J ~ N(0, 2/sqrt(N)), beta = 1")
    print(f"  simulated annealing: {args.reads} reads, linear beta 0 -> 1 over 200 sweeps, "
          f"{sa_seconds:.3f} s")
    print(f"  exact enumeration of 2^{n} states (log Z and all moments): {exact_seconds:.3f} s")
    print(f"  log Z(beta=1) = {m.log_partition:.4f}")
    print(f"  <s_i s_j>: mean |SA - exact| = {err.mean():.4f}, max = {err.max():.4f} "
          f"(sampling noise ~ {1 / np.sqrt(args.reads):.4f})")
    print(f"  proxy Lambda_av: SA samples {exact.log_likelihood_proxy(ising, samples):.4f}, "
          f"exact samples {exact.log_likelihood_proxy(ising, data):.4f}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from .benchmark import run

    return run(args)


def _settings(args: argparse.Namespace, name: str) -> Any:
    from . import experiments as ex

    cls = {"sk": ex.SKSettings, "bas": ex.BASSettings, "digits": ex.DigitsSettings}[name]
    settings = cls.quick() if args.quick else cls.full()
    overrides = {"iterations": args.iterations, "target": args.target, "seed": args.seed,
                 "embedding": args.embedding, "embedding_tries": args.tries}
    if name == "sk":
        overrides["instances"] = args.instances
        if args.learning_rate is not None:
            overrides["learning_rates"] = tuple(args.learning_rate)
    else:
        if args.learning_rate is not None and len(args.learning_rate) != 1:
            raise ValueError(f"'--learning-rate' takes one value for {name}: "
                             f"value = {args.learning_rate}")
        overrides["learning_rate"] = args.learning_rate[0] if args.learning_rate else None
    if name == "digits":
        overrides["train_path"] = args.optdigits
    return ex.with_overrides(settings, **overrides)


def _experiment(args: argparse.Namespace) -> int:
    from . import experiments as ex

    name = args.command if args.command in ("sk", "bas", "digits") else args.dataset
    settings = _settings(args, name)
    out = ex.results_folder(args.out, name)
    progress = False if args.no_progress else None
    evaluate = args.command != "train"
    print(f"qsample {name}{' (quick)' if args.quick else ''}: results in {out}")
    try:
        if name == "sk":
            result = ex.run_sk(settings, out, progress)
        elif name == "bas":
            result = ex.run_bas(settings, out, progress, evaluate=evaluate)
        else:
            result = ex.run_digits(settings, out, progress, evaluate=evaluate)
    except BaseException:
        if not any(out.iterdir()):  # leave no empty results folder behind
            out.rmdir()
        raise
    _print_figures(result)
    return 0


def _print_figures(result: dict[str, Any]) -> None:
    f = result["figures"]
    if result["experiment"] == "sk":
        print(f"  Lambda_av(D) = {f['data_proxy_mean']:.3f} +- {f['data_proxy_std']:.3f}")
        for label, c in f["curves"].items():
            print(f"  {label}: final Lambda_av {c['final_mean']:.3f} +- {c['final_std']:.3f}, "
                  f"first iteration in the band: {c['first_iteration_in_band']}")
    if "mistakes_per_picture" in f:
        for it, wrong in f["mistakes_per_picture"].items():
            print(f"  iteration {it}: {wrong:.3f} wrong pixels per picture "
                  f"({f['ties_per_picture'][it]:.3f} tied; "
                  f"{f['expected_mistakes_per_picture'][it]:.3f} with ties as half) "
                  f"of {f['corrupted_pixels_per_picture']}")
    if "test_accuracy" in f:
        r = f["reconstruction"]
        print(f"  test accuracy {f['test_accuracy']:.4f} on {f['num_test']} pictures")
        print(f"  {r['noise_rate']:.0%} salt-and-pepper (positions known): "
              f"{r['wrong_per_picture']:.2f} wrong "
              f"({r['ties_per_picture']:.2f} tied) of {r['corrupted_per_picture']:.1f} corrupted "
              "pixels per picture")
    if "log_likelihood_per_picture" in f:
        print(f"  test log-likelihood {f['log_likelihood_per_picture']:.3f} "
              f"+- {f['log_likelihood_se']:.3f} nats per picture ({f['num_pictures']} pictures; "
              f"ceiling {f['ceiling']:.3f})")
        print(f"    aligned chains log P(f(v)): {f['aligned_per_picture']:.3f} "
              f"+- {f['aligned_se']:.3f}; misaligned chains add {f['chains_per_picture']:.3f} "
              f"+- {f['chains_se']:.3f}")
        print(f"    log Z = {f['log_partition']:.3f} +- {f['log_partition_se']:.3f} "
              f"({f['log_partition_effective_runs']:.0f} effective of "
              f"{f['log_partition_runs']} runs)")
    print(f"  wall time {result['wall_seconds']:.1f} s")


def _embed(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from . import experiments as ex

    out = ex.results_folder(args.out, f"embed-K{args.n}")
    e = ex.make_embedding(args.n, ex.make_target(args.target or "dw2x", args.seed or 0),
                          args.embedding or "minorminer", args.tries or 10, args.seed or 0)
    e.save(out / "embedding.json")
    ex.write_json(out / "results.json", {"experiment": "embed", "report": asdict(e.report()),
                                         "environment": ex.environment()})
    e.draw(out / "embedding.png")
    r = e.report()
    print(f"K{args.n} on {e.target.name}: {r.physical_qubits} qubits, chains "
          f"{r.min_chain}-{r.max_chain}, {r.physical_parameters} physical parameters; "
          f"written to {out}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from . import experiments as ex
    from .model import HardwareModel

    model = HardwareModel.load(args.model)
    out = ex.results_folder(args.out, f"evaluate-{args.dataset}")
    progress = False if args.no_progress else None
    start = time.perf_counter()
    if args.dataset == "digits":
        settings = _training_settings(args.model, ex.DigitsSettings, args.seed)
        figures = ex.evaluate_digits(model, settings, out, progress=progress)
    else:
        from . import datasets
        from . import evaluate as ev

        s = _training_settings(args.model, ex.BASSettings, args.seed)
        _, test = datasets.shuffled_split(datasets.bars_and_stripes(s.rows, s.columns),
                                          s.num_train, seed=s.seed)
        known = ev.block_mask((s.rows, s.columns), *s.block)
        r = ev.reconstruct(model, test.data, known, ex.sa_phase().draw,
                           num_reconstructions=s.num_reconstructions, seed=s.seed,
                           progress=progress)
        figures = {"mistakes_per_picture": {"end": r.mean_wrong},
                   "expected_mistakes_per_picture": {"end": r.mean_expected_wrong},
                   "ties_per_picture": {"end": r.mean_ties},
                   "corrupted_pixels_per_picture": int(np.sum(~known))}
    result = {"experiment": "evaluate", "model": str(args.model), "dataset": args.dataset,
              "settings": {"seed": args.seed or 0, "sampler": "qsample SA, linear beta 0 -> 1, "
                           "200 sweeps (the learning sampler)"},
              "environment": ex.environment(), "wall_seconds": time.perf_counter() - start,
              "figures": figures}
    ex.write_json(out / "results.json", result)
    _print_figures(result)
    return 0


def _likelihood(args: argparse.Namespace) -> int:
    from . import experiments as ex
    from ._validate import check_beta, check_int
    from .model import HardwareModel

    model = HardwareModel.load(args.model)
    settings = _training_settings(args.model, ex.BASSettings, None)
    options = {k: v for k, v in (("num_runs", args.runs), ("num_steps", args.steps),
                                 ("chain_runs", args.chain_runs),
                                 ("chain_steps", args.chain_steps)) if v is not None}
    beta = check_beta(args.beta, "--beta")
    seed = check_int("--seed", args.seed, 0, 2**64 - 1)
    out = ex.results_folder(args.out, "likelihood-bas")
    start = time.perf_counter()
    try:
        figures = ex.bas_log_likelihood(model, settings, beta=beta, seed=seed,
                                        progress=False if args.no_progress else None,
                                        **options)
    except BaseException:
        if not any(out.iterdir()):
            out.rmdir()
        raise
    result = {"experiment": "likelihood", "model": str(args.model), "dataset": "bas",
              "settings": {"seed": seed, "beta": beta, **options},
              "environment": ex.environment(), "wall_seconds": time.perf_counter() - start,
              "figures": figures}
    ex.write_json(out / "results.json", result)
    print(f"qsample likelihood: results in {out}")
    _print_figures(result)
    return 0


def _training_settings(model_path: str, cls: Any, seed: int | None) -> Any:
    """The settings the model was trained with, from the results.json beside it
    (the BAS split depends on them); the defaults, with a warning, without one."""
    import json
    from pathlib import Path

    results = Path(model_path).with_name("results.json")
    if results.is_file():
        stored = json.loads(results.read_text()).get("settings", {})
        known = {k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()
                 if k in cls.__dataclass_fields__}
        known.pop("train_path", None)  # evaluation needs only the test split
        settings = cls(**known)
        if seed is not None and seed != settings.seed:
            raise ValueError(f"'--seed' {seed} differs from the seed {settings.seed} the model "
                             f"was trained with ({results}); the test split would overlap "
                             "the training data")
        return settings
    print(f"warning: no {results}; assuming the default settings (seed "
          f"{0 if seed is None else seed}) for the data split", file=sys.stderr)
    return cls(seed=0 if seed is None else seed)


def _common(p: argparse.ArgumentParser, dataset: bool = False) -> None:
    from .experiments import TARGETS

    if dataset:
        p.add_argument("dataset", choices=("bas", "digits"))
    p.add_argument("--quick", action="store_true", help="about a minute: fewer iterations")
    p.add_argument("--out", help="results folder (default results/<name>-<time>)")
    p.add_argument("--iterations", type=int)
    p.add_argument("--learning-rate", type=float, nargs="+", dest="learning_rate")
    p.add_argument("--target", choices=TARGETS)
    p.add_argument("--embedding", choices=("minorminer", "clique"))
    p.add_argument("--tries", type=int, help="minorminer tries (the best is kept)")
    p.add_argument("--seed", type=int)
    p.add_argument("--instances", type=int, help="SK instances")
    p.add_argument("--optdigits", help="path of the UCI optdigits.tra file "
                   "(default: cached, downloaded if needed)")
    p.add_argument("--no-progress", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qsample", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"qsample {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="SA on a built-in SK model vs exact enumeration")
    demo.add_argument("--spins", type=int, default=16)
    demo.add_argument("--reads", type=int, default=5000)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)
    for name, text in (("sk", "SK experiment (Fig. 7)"), ("bas", "bars and stripes (Fig. 5)"),
                       ("digits", "OptDigits with classes (Figs. 4, 6)")):
        e = sub.add_parser(name, help=text)
        _common(e)
        e.set_defaults(run=_experiment)
    train = sub.add_parser("train", help="learn a model on bas or digits, save it")
    _common(train, dataset=True)
    train.set_defaults(run=_experiment)
    evaluate = sub.add_parser("evaluate", help="evaluate a saved model (model.npz)")
    evaluate.add_argument("model")
    evaluate.add_argument("dataset", choices=("bas", "digits"))
    evaluate.add_argument("--out")
    evaluate.add_argument("--seed", type=int)
    evaluate.add_argument("--no-progress", action="store_true")
    evaluate.set_defaults(run=_evaluate)
    likelihood = sub.add_parser(
        "likelihood", help="test log-likelihood of a saved BAS model (model.npz)",
        description="The test log-likelihood, in nats per picture, of a BAS model trained by "
        "'qsample bas' (the test split is read from the results.json beside the model), by "
        "annealed importance sampling, beside the ceiling -ln 190.")
    likelihood.add_argument("model")
    likelihood.add_argument("--beta", type=float, default=1.0,
                            help="inverse temperature of the model (default 1: the end of the "
                            "learning schedule)")
    likelihood.add_argument("--runs", type=int, help="AIS runs for log Z (default 512)")
    likelihood.add_argument("--steps", type=int, help="AIS steps for log Z (default 20000)")
    likelihood.add_argument("--chain-runs", type=int, dest="chain_runs",
                            help="runs per picture for the chain term (default 32)")
    likelihood.add_argument("--chain-steps", type=int, dest="chain_steps",
                            help="steps per picture for the chain term (default 10000)")
    likelihood.add_argument("--seed", type=int, default=0)
    likelihood.add_argument("--out")
    likelihood.add_argument("--no-progress", action="store_true")
    likelihood.set_defaults(run=_likelihood)
    embed = sub.add_parser("embed", help="embed K_N into a target graph")
    embed.add_argument("n", type=int)
    embed.add_argument("--target", choices=("dw2x", "chimera16", "pegasus6", "zephyr4"))
    embed.add_argument("--embedding", choices=("minorminer", "clique"))
    embed.add_argument("--tries", type=int)
    embed.add_argument("--seed", type=int)
    embed.add_argument("--out")
    embed.set_defaults(run=_embed)
    bench = sub.add_parser("bench", help="qsample SA vs dwave-samplers (needs dwave-samplers)")
    from .benchmark import add_arguments

    add_arguments(bench)
    bench.set_defaults(run=_bench)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (ValueError, ImportError, FileNotFoundError, OSError) as e:
        print(f"qsample {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
