"""Seeded toy data sets in pure numpy: offline, instant, and small enough to train in seconds.

Each generator is a self-contained function ``name(rng, **options) -> (x, y)`` (only ``np`` inside),
so that `tuitrain export` can paste its source into a stand-alone script and get the very same
arrays. Its keyword arguments *are* the source's options (read with ``inspect.signature``).
"""

from __future__ import annotations

import numpy as np


def spiral(rng, samples=1000, noise=0.1, classes=2):
    """Interleaved spiral arms, one per class; `noise` jitters the angle (radians)."""
    y = np.arange(samples) % classes
    radius = rng.uniform(0.05, 1.0, samples)
    angle = 2.5 * np.pi * radius + 2.0 * np.pi * y / classes + rng.normal(0.0, noise, samples)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x.astype(np.float32), y.astype(np.int64)


def circles(rng, samples=1000, noise=0.1, factor=0.5):
    """A small circle (class 1, radius `factor`) inside a big one (class 0); Gaussian `noise`."""
    y = np.arange(samples) % 2
    angle = rng.uniform(0.0, 2.0 * np.pi, samples)
    radius = np.where(y == 1, factor, 1.0)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x = x + rng.normal(0.0, noise, x.shape)
    return x.astype(np.float32), y.astype(np.int64)


def moons(rng, samples=1000, noise=0.1):
    """Two interleaving half circles (as sklearn's make_moons); Gaussian `noise`."""
    y = np.arange(samples) % 2
    angle = rng.uniform(0.0, np.pi, samples)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    x = np.where(y[:, None] == 0, upper, lower) + rng.normal(0.0, noise, (samples, 2))
    return x.astype(np.float32), y.astype(np.int64)


def xor(rng, samples=1000, noise=0.1):
    """Points in [-1, 1]²; class 1 where the two coordinates have different signs; Gaussian `noise`."""
    x = rng.uniform(-1.0, 1.0, (samples, 2))
    y = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    x = x + rng.normal(0.0, noise, x.shape)
    return x.astype(np.float32), y


def blobs(rng, samples=1000, noise=1.0, classes=3, features=2):
    """Gaussian clusters (std `noise`) around `classes` random centres in [-5, 5]^features."""
    centres = rng.uniform(-5.0, 5.0, (classes, features))
    y = np.arange(samples) % classes
    x = centres[y] + rng.normal(0.0, noise, (samples, features))
    return x.astype(np.float32), y.astype(np.int64)


def regression(rng, samples=1000, features=8, noise=0.1):
    """y = x·w + 0.5·sin(2·x₀) + noise: mostly linear with a bend a small MLP can learn."""
    x = rng.normal(0.0, 1.0, (samples, features))
    weights = rng.normal(0.0, 1.0, features)
    y = x @ weights + 0.5 * np.sin(2.0 * x[:, 0]) + rng.normal(0.0, noise, samples)
    return x.astype(np.float32), y.astype(np.float32)


# name -> (generator, task). The options of each come from its signature, never a second table.
GENERATORS = {
    "spiral": (spiral, "classification"),
    "circles": (circles, "classification"),
    "moons": (moons, "classification"),
    "xor": (xor, "classification"),
    "blobs": (blobs, "classification"),
    "regression": (regression, "regression"),
}
