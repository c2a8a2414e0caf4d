"""Hyper-parameter sweeps: ``[sweep]`` in a preset, searched by KerasTuner's oracles, one trainer run per trial."""
