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


def housing(rng, samples=1000, noise=0.1):
    """House prices (thousands) from 5 features on very different scales: area m², rooms, age, km to centre, floor.

    Means range from about 2 to 1500: a model needs them normalized (an adapted Normalization layer).
    """
    area = rng.normal(1500.0, 400.0, samples)
    rooms = rng.integers(1, 8, samples).astype(np.float64)
    age = rng.uniform(0.0, 100.0, samples)
    distance = rng.gamma(2.0, 4.0, samples)
    floor = rng.integers(0, 12, samples).astype(np.float64)
    price = 0.2 * area + 15.0 * rooms - 0.8 * age - 6.0 * distance + 2.0 * floor + 40.0 * np.sqrt(rooms)
    price = price * (1.0 + rng.normal(0.0, noise, samples))
    x = np.stack([area, rooms, age, distance, floor], axis=1)
    return x.astype(np.float32), price.astype(np.float32)


def reviews(rng, samples=600, positive=0.3, noise=0.05):
    """Short product reviews (one string each, shape (N, 1)) and their sentiment (1 positive, 0 negative).

    Only a `positive` fraction is positive (an imbalanced set, for class_weight = "balanced");
    `noise` is the fraction of reviews whose words are drawn from the other sentiment.
    """
    good = ["great", "excellent", "love", "perfect", "works", "recommend", "happy", "fast", "solid", "best"]
    bad = ["broken", "terrible", "hate", "refund", "slow", "poor", "awful", "waste", "disappointed", "worst"]
    neutral = ["the", "product", "it", "arrived", "box", "was", "and", "this", "after", "days", "a", "very"]
    y = (rng.random(samples) < positive).astype(np.int64)
    texts = []
    for label in y:
        flip = rng.random() < noise
        mood = good if (label == 1) != flip else bad
        words = list(rng.choice(neutral, rng.integers(3, 8))) + list(rng.choice(mood, rng.integers(1, 4)))
        rng.shuffle(words)
        texts.append(" ".join(words))
    return np.array(texts, dtype=str).reshape(samples, 1), y


def tickets(rng, samples=1000, words=500, tags=12, departments=4):
    """Support tickets: inputs [title word ids (N, 8), body word ids (N, 40), tag flags (N, tags)];
    outputs [priority 0/1 (N, 1), department index (N,)], both readable from the words and tags."""
    department = rng.integers(0, departments, samples)
    urgent = (rng.random(samples) < 0.3).astype(np.float32)
    title = rng.integers(1, words, (samples, 8))
    title[:, 0] = 1 + department  # the first title word names the department
    body = rng.integers(1, words, (samples, 40))
    body[:, :3] = np.where(urgent[:, None] > 0, words - 1, body[:, :3])  # an "urgent" word
    flags = (rng.random((samples, tags)) < 0.2).astype(np.float32)
    flags[np.arange(samples), department % tags] = 1.0
    return [title, body, flags], [urgent.reshape(samples, 1), department.astype(np.int64)]


def topics(rng, samples=800, length=16, words=200, classes=2):
    """Word-id sequences for a small transformer: inputs [word ids (N, length), positions 0..length-1
    (N, length), for a position Embedding]; the class is the topic whose marker words (ids 1..10 for
    class 0, 11..20 for class 1, …) the sequence holds, at random places among filler words."""
    label = rng.integers(0, classes, samples)
    tokens = rng.integers(10 * classes + 1, words, (samples, length))
    for i in range(samples):
        places = rng.choice(length, size=3, replace=False)
        tokens[i, places] = 1 + 10 * label[i] + rng.integers(0, 10, 3)
    positions = np.tile(np.arange(length), (samples, 1))
    return [tokens.astype(np.int32), positions.astype(np.int32)], label.astype(np.int64)


topics.x_names = ["tokens", "positions"]
tickets.x_names = ["title", "body", "tags"]
tickets.y_names = ["priority", "department"]

def shapes(rng, samples=300, size=32, classes=3, noise=0.1):
    """Small RGB images (N, size, size, 3) of uint8: a square, a disc, stripes or a cross
    (``classes`` of them, at most 4) in a random colour, place and scale, on a noisy background."""
    classes = max(1, min(int(classes), 4))
    y = rng.integers(0, classes, samples)
    rows, cols = np.mgrid[0:size, 0:size]
    x = np.empty((samples, size, size, 3), dtype=np.uint8)
    for i, label in enumerate(y):
        r = rng.uniform(0.2, 0.35) * size
        cy, cx = rng.uniform(r, size - r, 2)
        if label == 0:
            mask = (np.abs(rows - cy) < r) & (np.abs(cols - cx) < r)
        elif label == 1:
            mask = (rows - cy) ** 2 + (cols - cx) ** 2 < r * r
        elif label == 2:
            mask = (rows // max(1, size // 8)) % 2 == 0
        else:
            mask = (np.abs(rows - cy) < r / 3) | (np.abs(cols - cx) < r / 3)
        background = rng.uniform(0, 0.3, 3) + rng.normal(0, noise, (size, size, 3))
        image = np.where(mask[..., None], rng.uniform(0.6, 1.0, 3), background)
        x[i] = (np.clip(image, 0, 1) * 255).astype(np.uint8)
    return x, y


# name -> (generator, task). The options of each come from its signature, never a second table.
GENERATORS = {
    "spiral": (spiral, "classification"),
    "circles": (circles, "classification"),
    "moons": (moons, "classification"),
    "xor": (xor, "classification"),
    "blobs": (blobs, "classification"),
    "regression": (regression, "regression"),
    "housing": (housing, "regression"),
    "reviews": (reviews, "classification"),
    "tickets": (tickets, "classification"),
    "topics": (topics, "classification"),
    "shapes": (shapes, "classification"),
}
