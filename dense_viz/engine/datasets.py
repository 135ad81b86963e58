"""Seeded toy data sets for training a small Dense network.

Classification sets are 2-D points within about [-1.5, 1.5]², labelled from the clean points;
`noise` is the standard deviation of Gaussian jitter then added to the inputs. "sine" is 1-D
regression where `noise` jitters the targets instead. Binary labels are (n, 1) floats 0/1,
multiclass labels (n,) integers, regression targets (n, 1) floats. `Points` holds a set of your own
(read by dense_viz.io.read_points) and splits it the same way.
"""
from dataclasses import dataclass

import numpy as np

_CIRCLE_INNER_RADIUS = 0.5  # label 1 inside this radius
_CIRCLE_RING = (0.8, 1.1)  # label 0 on this ring
_BLOB_CENTRE, _BLOB_STD = 0.6, 0.3  # blobs at ±(0.6, 0.6)
_SPIRAL_TURNS = 1.75


@dataclass(frozen=True, eq=False)
class Dataset:
    """x_train (n_train, d), y_train (n_train, 1) or (n_train,); the same for test; n_classes (None: regression)."""

    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int | None


@dataclass(frozen=True, eq=False)
class Points:
    """Your own points, not yet split: x (n, d); y (n, 1) (binary, regression) or (n,) ints (multiclass)."""

    name: str
    task: str
    x: np.ndarray
    y: np.ndarray
    n_classes: int | None

    def split(self, train_fraction=0.8, seed=0):
        """A Dataset of these points, shuffled by `seed` and split train/test by `train_fraction` as make() does."""
        _check_split(train_fraction, seed)
        n = len(self.x)
        order = np.random.default_rng(int(seed)).permutation(n)
        n_train = min(n, max(1, int(round(n * train_fraction))))
        train, test = order[:n_train], order[n_train:]
        return Dataset(self.name, self.task, self.x[train], self.y[train], self.x[test], self.y[test], self.n_classes)


def _split_counts(n, parts):
    """n split into `parts` near-equal integer counts, e.g. (10, 3) -> [4, 3, 3]."""
    return [n // parts + (i < n % parts) for i in range(parts)]


def _circle(n, rng):
    """(n, 2) points: a disc of radius 0.5 (label 1) inside a ring of radii 0.8..1.1 (label 0)."""
    n_in, n_out = _split_counts(n, 2)
    radius = np.concatenate([
        _CIRCLE_INNER_RADIUS * np.sqrt(rng.uniform(0, 1, n_in)),  # uniform over the disc
        rng.uniform(*_CIRCLE_RING, n_out),
    ])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x, np.concatenate([np.ones(n_in), np.zeros(n_out)])


def _xor(n, rng):
    """(n, 2) points uniform in [-1, 1]²; label 1 where x1·x2 > 0 (first and third quadrants)."""
    x = rng.uniform(-1, 1, (n, 2))
    return x, (x[:, 0] * x[:, 1] > 0).astype(np.float64)


def _gaussians(n, rng):
    """(n, 2) points from two Gaussian blobs (std 0.3): label 1 around (0.6, 0.6), 0 around (-0.6, -0.6)."""
    n_one, n_zero = _split_counts(n, 2)
    centres = np.repeat([[_BLOB_CENTRE] * 2, [-_BLOB_CENTRE] * 2], [n_one, n_zero], axis=0)
    return centres + _BLOB_STD * rng.standard_normal((n, 2)), np.concatenate([np.ones(n_one), np.zeros(n_zero)])


def _spiral_arms(n, arms, rng):
    """(n, 2) points on `arms` interleaved spiral arms of radius 0.1..1; label = arm index (n,) ints."""
    labels = np.repeat(np.arange(arms), _split_counts(n, arms))
    t = rng.uniform(0, 1, n)
    radius = 0.1 + 0.9 * t
    angle = _SPIRAL_TURNS * 2 * np.pi * t + 2 * np.pi * labels / arms
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1), labels


def _spiral(n, rng):
    """Two interleaved spirals; label (n,) floats 0/1."""
    x, labels = _spiral_arms(n, 2, rng)
    return x, labels.astype(np.float64)


def _spiral3(n, rng):
    """Three spiral arms; label (n,) integers 0, 1, 2."""
    return _spiral_arms(n, 3, rng)


def _sine(n, noise, rng):
    """x (n, 1) uniform in [-π, π]; y (n, 1) = sin(x) + noise·N(0, 1)."""
    x = rng.uniform(-np.pi, np.pi, (n, 1))
    return x, np.sin(x) + noise * rng.standard_normal((n, 1))


def _jittered(points):
    """Wrap a clean-points generator (n, rng) -> (x, labels) into (n, noise, rng) with input jitter."""
    def generate(n, noise, rng):
        x, labels = points(n, rng)
        return x + noise * rng.standard_normal(x.shape), labels
    return generate


# name -> (generate(n, noise, rng) -> (x, y), task, n_classes)
_GENERATORS = {
    "circle": (_jittered(_circle), "binary", 2),
    "xor": (_jittered(_xor), "binary", 2),
    "gaussians": (_jittered(_gaussians), "binary", 2),
    "spiral": (_jittered(_spiral), "binary", 2),
    "spiral3": (_jittered(_spiral3), "multiclass", 3),
    "sine": (_sine, "regression", None),
}
NAMES = tuple(_GENERATORS)


def _invalid(argname, value, expected):
    """A Keras-style ValueError for one argument."""
    return ValueError(f"Received an invalid value for `{argname}`, expected {expected}. Received: {argname}={value!r}")


MAX_SAMPLES = 1_000_000  # 2-D points: 16 MB of float64, the largest set these toy problems need (and can train on)


def _validate(name, n_samples, noise, train_fraction, seed):
    """Raise a Keras-style ValueError for the first bad argument."""
    if not isinstance(name, str) or name not in _GENERATORS:
        raise _invalid("name", name, f"one of {NAMES}")
    if not (_is_int(n_samples) and 4 <= n_samples <= MAX_SAMPLES):
        raise _invalid("n_samples", n_samples, f"an integer from 4 to {MAX_SAMPLES}")
    if not (_is_real(noise) and noise >= 0):
        raise _invalid("noise", noise, "a non-negative float")
    _check_split(train_fraction, seed)


def _is_int(v):
    """True for an int (numpy's too), not a bool."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v):
    """True for a finite int or float (not a bool)."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and np.isfinite(v)


def _check_split(train_fraction, seed):
    """Raise a Keras-style ValueError unless 0 < train_fraction <= 1 and seed is a non-negative integer."""
    if not (_is_real(train_fraction) and 0 < train_fraction <= 1):
        raise _invalid("train_fraction", train_fraction, "a float in (0, 1]")
    if not (_is_int(seed) and seed >= 0):
        raise _invalid("seed", seed, "a non-negative integer")


def make(name, n_samples=200, noise=0.1, train_fraction=0.8, seed=0):
    """Dataset `name` with n_samples points, shuffled and split train/test by a seeded permutation."""
    _validate(name, n_samples, noise, train_fraction, seed)
    n = int(n_samples)
    rng = np.random.default_rng(int(seed))
    generate, task, n_classes = _GENERATORS[name]
    x, y = generate(n, float(noise), rng)
    y = y.reshape(-1, 1) if task == "binary" else y
    order = rng.permutation(n)
    n_train = min(n, max(1, int(round(n * train_fraction))))
    train, test = order[:n_train], order[n_train:]
    return Dataset(name, task, x[train], y[train], x[test], y[test], n_classes)
