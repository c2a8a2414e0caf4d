"""KerasTuner's oracles do the searching: the space as its ``HyperParameters``, its state in ``oracle/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tuitrain.sweep.config import SweepConfig
from tuitrain.sweep.sweepdir import ORACLE_DIR


def hyperparameters(config: SweepConfig) -> Any:
    """The space as KerasTuner's ``HyperParameters``, one entry per swept key (named by its path)."""
    import keras_tuner as kt

    hp = kt.HyperParameters()
    for dim in config.space:
        if dim.values:
            hp.Choice(dim.path, list(dim.values))
        elif dim.is_int:
            hp.Int(dim.path, dim.low, dim.high, step=dim.step, sampling=dim.sampling)
        else:
            hp.Float(dim.path, float(dim.low), float(dim.high), step=dim.step, sampling=dim.sampling)
    return hp


def make_oracle(config: SweepConfig, sweep_dir: Path, *, max_epochs: int = 1) -> Any:
    """The oracle ``config.algorithm`` names, saving into ``SWEEP_DIR/oracle/`` (reloaded when there).

    ``max_epochs``: Hyperband's largest budget (the preset's ``fit.epochs``). A failed trial never
    stops the search (``max_consecutive_failed_trials`` above ``max_trials``); the run records why.
    """
    import keras_tuner as kt

    common: dict[str, Any] = dict(objective=kt.Objective(config.objective, config.direction),
                                  hyperparameters=hyperparameters(config), seed=config.seed,
                                  allow_new_entries=False, max_consecutive_failed_trials=config.max_trials + 1)
    if config.algorithm == "hyperband":
        oracle = kt.oracles.HyperbandOracle(max_epochs=max(2, max_epochs), factor=config.factor, **common)
        oracle.max_trials = config.max_trials  # the Oracle's own cap on trials created
    else:
        cls = {"random": kt.oracles.RandomSearchOracle, "grid": kt.oracles.GridSearchOracle,
               "bayesian": kt.oracles.BayesianOptimizationOracle}[config.algorithm]
        oracle = cls(max_trials=config.max_trials, **common)
    oracle.verbose = 0
    oracle._set_project_dir(str(sweep_dir), ORACLE_DIR)  # what KerasTuner's BaseTuner does
    if (sweep_dir / ORACLE_DIR / "oracle.json").is_file():
        oracle.reload()  # running trials go to its retry queue; the controller adopts those still alive
    return oracle
