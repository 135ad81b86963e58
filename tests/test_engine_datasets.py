"""Toy data sets: shapes, labels, determinism, splits, exact labels without noise, errors."""
import numpy as np
import pytest

from dense_viz.engine import datasets
from dense_viz.engine.datasets import Dataset, make

CLASSIFICATION = ["circle", "xor", "gaussians", "spiral", "spiral3"]


def full(data):
    """Train and test joined back together."""
    return np.concatenate([data.x_train, data.x_test]), np.concatenate([data.y_train, data.y_test])


def test_names():
    assert datasets.NAMES == ("circle", "xor", "gaussians", "spiral", "spiral3", "sine")


@pytest.mark.parametrize("name", ["circle", "xor", "gaussians", "spiral"])
def test_binary_sets_have_2d_inputs_and_column_float_labels(name):
    data = make(name, n_samples=100)
    assert isinstance(data, Dataset)
    assert (data.name, data.task, data.n_classes) == (name, "binary", 2)
    assert data.x_train.shape == (80, 2) and data.x_test.shape == (20, 2)
    assert data.y_train.shape == (80, 1) and data.y_test.shape == (20, 1)
    assert data.x_train.dtype == np.float64 and data.y_train.dtype == np.float64
    x, y = full(data)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert np.abs(x).max() < 2.0  # about [-1.5, 1.5] with the default noise


def test_spiral3_has_integer_labels_0_1_2():
    data = make("spiral3", n_samples=90)
    assert (data.task, data.n_classes) == ("multiclass", 3)
    assert data.y_train.shape == (72,) and data.y_test.shape == (18,)
    assert np.issubdtype(data.y_train.dtype, np.integer)
    _, y = full(data)
    np.testing.assert_array_equal(np.bincount(y), [30, 30, 30])


def test_sine_is_1d_regression_on_minus_pi_to_pi():
    data = make("sine", n_samples=50, noise=0.0)
    assert (data.task, data.n_classes) == ("regression", None)
    assert data.x_train.shape == (40, 1) and data.y_train.shape == (40, 1)
    x, y = full(data)
    assert x.min() >= -np.pi and x.max() <= np.pi
    np.testing.assert_array_equal(y, np.sin(x))


def test_sine_noise_jitters_the_targets():
    x, y = full(make("sine", n_samples=2000, noise=0.2, seed=4))
    assert np.std(y - np.sin(x)) == pytest.approx(0.2, rel=0.1)


@pytest.mark.parametrize("name", ["circle", "gaussians", "spiral"])
def test_two_class_sets_are_balanced(name):
    _, y = full(make(name, n_samples=101))
    assert sorted(np.bincount(y[:, 0].astype(int))) == [50, 51]


@pytest.mark.parametrize("name", datasets.NAMES)
def test_same_seed_same_data_and_different_seed_different_data(name):
    a, b, c = make(name, seed=7), make(name, seed=7), make(name, seed=8)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize(
    "n_samples, train_fraction, n_train", [(200, 0.8, 160), (10, 0.5, 5), (7, 0.5, 4), (4, 0.01, 1), (20, 1.0, 20)]
)
def test_split_sizes(n_samples, train_fraction, n_train):
    data = make("xor", n_samples=n_samples, train_fraction=train_fraction)
    assert len(data.x_train) == len(data.y_train) == n_train
    assert len(data.x_test) == len(data.y_test) == n_samples - n_train
    assert data.x_test.shape[1:] == (2,)


def test_split_is_a_shuffle_of_all_points():
    data = make("spiral3", n_samples=60, noise=0.0)
    x, y = full(data)
    assert len(np.unique(x, axis=0)) == 60
    assert not np.array_equal(data.y_train, np.sort(data.y_train))  # generated in label order, then shuffled


def test_noise_is_the_standard_deviation_of_input_jitter():
    # Same seed: the clean points and the shuffle are the same, only the jitter's scale differs.
    clean, noisy = make("circle", n_samples=4000, noise=0.0, seed=3), make("circle", n_samples=4000, noise=0.1, seed=3)
    np.testing.assert_array_equal(clean.y_train, noisy.y_train)
    assert np.std(noisy.x_train - clean.x_train) == pytest.approx(0.1, rel=0.05)


def test_xor_without_noise_labels_are_the_sign_of_x1_x2():
    x, y = full(make("xor", n_samples=500, noise=0.0))
    np.testing.assert_array_equal(y[:, 0], (x[:, 0] * x[:, 1] > 0).astype(float))
    assert np.abs(x).max() <= 1.0


def test_circle_without_noise_inner_disc_is_class_1_and_outer_ring_class_0():
    x, y = full(make("circle", n_samples=500, noise=0.0))
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius[y[:, 0] == 1].max() <= 0.5
    assert radius[y[:, 0] == 0].min() >= 0.8 and radius.max() <= 1.1


def test_gaussians_without_noise_are_blobs_around_plus_and_minus_0_6():
    x, y = full(make("gaussians", n_samples=2000, noise=0.0))
    np.testing.assert_allclose(x[y[:, 0] == 1].mean(axis=0), [0.6, 0.6], atol=0.03)
    np.testing.assert_allclose(x[y[:, 0] == 0].mean(axis=0), [-0.6, -0.6], atol=0.03)
    assert np.mean((x.sum(axis=1) > 0) == (y[:, 0] == 1)) > 0.99  # nearly separable by x1 + x2 = 0


@pytest.mark.parametrize("name, arms", [("spiral", 2), ("spiral3", 3)])
def test_spirals_without_noise_lie_exactly_on_their_arms(name, arms):
    x, y = full(make(name, n_samples=300, noise=0.0))
    labels = y.reshape(-1).astype(int)
    radius, angle = np.hypot(x[:, 0], x[:, 1]), np.arctan2(x[:, 1], x[:, 0])
    assert radius.min() >= 0.1 and radius.max() <= 1.0
    # radius = 0.1 + 0.9 t, angle = 1.75 · 2π t + 2π k / arms (mod 2π)
    t = (radius - 0.1) / 0.9
    residual = np.angle(np.exp(1j * (angle - 1.75 * 2 * np.pi * t - 2 * np.pi * labels / arms)))
    np.testing.assert_allclose(residual, 0.0, atol=1e-9)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "moons"}, "Received an invalid value for `name`, expected one of ('circle'"),
        ({"name": ["xor"]}, "Received: name=['xor']"),
        ({"name": "xor", "noise": -0.1}, "expected a non-negative float. Received: noise=-0.1"),
        ({"name": "xor", "noise": float("nan")}, "Received: noise=nan"),
        ({"name": "xor", "train_fraction": 0}, "expected a float in (0, 1]. Received: train_fraction=0"),
        ({"name": "xor", "train_fraction": 1.5}, "Received: train_fraction=1.5"),
        ({"name": "xor", "n_samples": 3}, "expected an integer from 4 to 1000000. Received: n_samples=3"),
        ({"name": "xor", "n_samples": 10.0}, "Received: n_samples=10.0"),
        ({"name": "xor", "seed": -1}, "expected a non-negative integer. Received: seed=-1"),
    ],
)
def test_invalid_arguments_raise_keras_style_errors(kwargs, message):
    with pytest.raises(ValueError) as info:
        make(**kwargs)
    assert message in str(info.value)


def test_the_smallest_allowed_data_set():
    data = make("spiral3", n_samples=4, train_fraction=0.5)
    assert data.x_train.shape == (2, 2) and data.x_test.shape == (2, 2)
