"""Losses: hand-computed values, Keras' documented examples, exact gradients, clipping, name resolution."""
import math

import numpy as np
import pytest

from dense_viz.engine import losses
from dense_viz.engine.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)

EPS = 1e-7


def numeric_gradient(loss, y_true, y_pred, h=1e-6):
    """Centred finite differences of the reduced loss with respect to every entry of y_pred."""
    grad = np.zeros_like(y_pred)
    for index in np.ndindex(y_pred.shape):
        up, down = y_pred.copy(), y_pred.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (loss(y_true, up) - loss(y_true, down)) / (2 * h)
    return grad


def relative_error(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


# ---------------------------------------------------------------- mean squared error


def test_mse_single_sample_by_hand():
    # ((1 - 0)² + (2 - 0)²) / 2 = (1 + 4) / 2 = 2.5
    assert MeanSquaredError()([[1.0, 2.0]], [[0.0, 0.0]]) == 2.5


def test_mse_batch_is_mean_of_per_sample_means():
    y_true = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_pred = np.array([[1.0, 1.0], [1.0, 1.0]])
    # sample 0: (0² + 1²) / 2 = 0.5; sample 1: (2² + 3²) / 2 = 6.5; batch mean (0.5 + 6.5) / 2 = 3.5
    np.testing.assert_allclose(MeanSquaredError().per_sample(y_true, y_pred), [0.5, 6.5])
    assert MeanSquaredError()(y_true, y_pred) == 3.5


def test_mse_gradient_by_hand():
    y_true = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_pred = np.array([[1.0, 1.0], [1.0, 1.0]])
    # dL/dp = 2 (p - t) / (k · N) = 2 · [[0, -1], [-2, -3]] / (2 · 2)
    np.testing.assert_allclose(MeanSquaredError().gradient(y_true, y_pred), [[0.0, -0.5], [-1.0, -1.5]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mse_gradient_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    y_true, y_pred = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    loss = MeanSquaredError()
    assert relative_error(loss.gradient(y_true, y_pred), numeric_gradient(loss, y_true, y_pred)) < 1e-6


def test_mse_rank_one_targets_match_column_predictions():
    # Keras expands y_true (n,) to (n, 1) when y_pred is (n, 1): ((1-0)² + (3-1)²) / 2 = 2.5
    loss = MeanSquaredError()
    assert loss([1.0, 3.0], [[0.0], [1.0]]) == 2.5
    assert loss.gradient([1.0, 3.0], [[0.0], [1.0]]).shape == (2, 1)


# ---------------------------------------------------------------- binary crossentropy


def test_bce_by_hand():
    # -(1·log 0.8) = 0.22314355…, -(1·log(1 - 0.4)) = 0.51082562…; mean = 0.36698458…
    value = BinaryCrossentropy()([[1.0], [0.0]], [[0.8], [0.4]])
    assert value == pytest.approx((-math.log(0.8) - math.log(0.6)) / 2, rel=1e-12)
    assert value == pytest.approx(0.36698458, rel=1e-7)


def test_bce_keras_docstring_example():
    # keras.losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) -> [0.916, 0.714]
    per_sample = BinaryCrossentropy().per_sample([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    np.testing.assert_allclose(per_sample, [0.916, 0.714], atol=1e-3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bce_gradient_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, size=(6, 2)).astype(float)
    y_pred = rng.uniform(0.05, 0.95, size=(6, 2))
    loss = BinaryCrossentropy()
    assert relative_error(loss.gradient(y_true, y_pred), numeric_gradient(loss, y_true, y_pred)) < 1e-6


def test_bce_gradient_by_hand():
    # d/dp of mean(-(y log p + (1-y) log(1-p))) over N=2 samples: y=1: -1/(p·N); y=0: 1/((1-p)·N)
    gradient = BinaryCrossentropy().gradient([[1.0], [0.0]], [[0.8], [0.4]])
    np.testing.assert_allclose(gradient, [[-1 / (0.8 * 2)], [1 / (0.6 * 2)]])


def test_bce_clips_certain_wrong_predictions_to_finite_loss():
    # p = 0 for y = 1 is clipped to 1e-7: loss = -log(1e-7) = 16.118…, not inf
    assert BinaryCrossentropy()([[1.0]], [[0.0]]) == pytest.approx(-math.log(EPS), rel=1e-12)
    # p = 1 for y = 0 is clipped to 1 - 1e-7: loss = -log(1 - (1 - 1e-7)) ≈ -log(1e-7)
    assert BinaryCrossentropy()([[0.0]], [[1.0]]) == pytest.approx(-math.log(EPS), rel=1e-6)


def test_bce_gradient_is_zero_where_the_clip_is_active():
    # Autodiff through clip: no gradient flows for p outside [1e-7, 1 - 1e-7].
    gradient = BinaryCrossentropy().gradient([[1.0, 0.0, 1.0]], [[0.0, 1.0, 0.5]])
    np.testing.assert_array_equal(gradient[0, :2], [0.0, 0.0])
    assert gradient[0, 2] == pytest.approx(-1 / (0.5 * 3))


def test_bce_float32_stays_float32():
    y_pred = np.array([[0.25], [0.75]], dtype=np.float32)
    assert BinaryCrossentropy().gradient([[1.0], [0.0]], y_pred).dtype == np.float32
    assert isinstance(BinaryCrossentropy()([[1.0], [0.0]], y_pred), float)


def test_bce_shape_mismatch_is_a_value_error():
    with pytest.raises(ValueError, match="must have the same shape"):
        BinaryCrossentropy()(np.zeros((2, 2)), np.full((2, 3), 0.5))


# ---------------------------------------------------------------- categorical crossentropy


def test_cce_keras_docstring_example():
    # keras.losses.categorical_crossentropy([[0,1,0],[0,0,1]], [[.05,.95,0],[.1,.8,.1]]) -> [0.0513, 2.303]
    y_true = [[0, 1, 0], [0, 0, 1]]
    y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    per_sample = CategoricalCrossentropy().per_sample(y_true, y_pred)
    np.testing.assert_allclose(per_sample, [-math.log(0.95), -math.log(0.1)], rtol=1e-12)
    np.testing.assert_allclose(per_sample, [0.0513, 2.303], atol=1e-3)
    assert CategoricalCrossentropy()(y_true, y_pred) == pytest.approx((-math.log(0.95) - math.log(0.1)) / 2)


def test_cce_normalises_predictions_first():
    # [1, 3] is rescaled to [0.25, 0.75]: loss = -log 0.75 = 0.28768207…
    assert CategoricalCrossentropy()([[0.0, 1.0]], [[1.0, 3.0]]) == pytest.approx(-math.log(0.75), rel=1e-12)


def test_cce_gradient_by_hand():
    # L = -log(p1 / (p0 + p1)) = -log p1 + log(p0 + p1) at p = [1, 3]:
    # dL/dp0 = 1/4 = 0.25, dL/dp1 = -1/3 + 1/4 = -1/12
    np.testing.assert_allclose(CategoricalCrossentropy().gradient([[0.0, 1.0]], [[1.0, 3.0]]), [[0.25, -1 / 12]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cce_gradient_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    y_pred = rng.uniform(0.1, 1.0, size=(4, 3))  # unnormalised: the gradient goes through p / Σp
    y_true = rng.uniform(0.0, 1.0, size=(4, 3))
    y_true /= y_true.sum(axis=1, keepdims=True)  # soft targets exercise every term
    loss = CategoricalCrossentropy()
    assert relative_error(loss.gradient(y_true, y_pred), numeric_gradient(loss, y_true, y_pred)) < 1e-6


def test_cce_gradient_of_softmax_output_is_the_familiar_form_in_logit_space():
    # Chain rule check: with p = softmax(z) the logit gradient of CCE is (p - y) / N.
    z = np.array([[0.2, -1.0, 0.5], [1.5, 0.3, -0.4]])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    y = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    g_p = CategoricalCrossentropy().gradient(y, p)
    g_z = p * (g_p - np.sum(g_p * p, axis=1, keepdims=True))  # softmax Jacobian-vector product
    np.testing.assert_allclose(g_z, (p - y) / 2, atol=1e-12)


def test_cce_clips_zero_probability_for_the_true_class():
    # p = [1, 0] with label 1: clipped to 1e-7, loss = -log(1e-7); no gradient through the clip at 0
    loss = CategoricalCrossentropy()
    assert loss([[0.0, 1.0]], [[1.0, 0.0]]) == pytest.approx(-math.log(EPS), rel=1e-12)
    # both normalised entries (1 and 0) are outside [1e-7, 1 - 1e-7]: autodiff gives exactly zero
    np.testing.assert_array_equal(loss.gradient([[0.0, 1.0]], [[1.0, 0.0]]), [[0.0, 0.0]])


# ---------------------------------------------------------------- sparse categorical crossentropy


def test_scce_keras_docstring_example():
    # keras.losses.sparse_categorical_crossentropy([1, 2], [[.05,.95,0],[.1,.8,.1]]) -> [0.0513, 2.303]
    y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    per_sample = SparseCategoricalCrossentropy().per_sample([1, 2], y_pred)
    np.testing.assert_allclose(per_sample, [-math.log(0.95), -math.log(0.1)], rtol=1e-12)


def test_scce_equals_cce_of_one_hot_labels_in_value_and_gradient():
    rng = np.random.default_rng(3)
    y_pred = rng.uniform(0.1, 1.0, size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    one_hot = np.eye(3)[labels]
    sparse, dense = SparseCategoricalCrossentropy(), CategoricalCrossentropy()
    assert sparse(labels, y_pred) == dense(one_hot, y_pred)
    np.testing.assert_array_equal(sparse.gradient(labels, y_pred), dense.gradient(one_hot, y_pred))


def test_scce_accepts_column_labels_and_integral_floats():
    y_pred = [[0.25, 0.75], [0.5, 0.5]]
    expected = (-math.log(0.75) - math.log(0.5)) / 2
    assert SparseCategoricalCrossentropy()([[1], [0]], y_pred) == pytest.approx(expected)
    assert SparseCategoricalCrossentropy()([1.0, 0.0], y_pred) == pytest.approx(expected)


@pytest.mark.parametrize("seed", [0, 1])
def test_scce_gradient_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    y_pred = rng.uniform(0.1, 1.0, size=(4, 3))
    labels = rng.integers(0, 3, size=4)
    loss = SparseCategoricalCrossentropy()
    assert relative_error(loss.gradient(labels, y_pred), numeric_gradient(loss, labels, y_pred)) < 1e-6


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0], [0.5, 1]])
def test_scce_rejects_labels_that_are_not_class_indices(labels):
    with pytest.raises(ValueError, match=r"Received an invalid value for `y_true`.*Received: y_true="):
        SparseCategoricalCrossentropy()(labels, [[0.5, 0.25, 0.25], [0.25, 0.5, 0.25]])


def test_scce_rejects_a_label_count_that_does_not_match_the_batch():
    with pytest.raises(ValueError, match="same shape up until the last dimension"):
        SparseCategoricalCrossentropy()([0, 1, 2], [[0.5, 0.5], [0.5, 0.5]])


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    "identifier, cls",
    [
        ("mean_squared_error", MeanSquaredError),
        ("mse", MeanSquaredError),
        ("MSE", MeanSquaredError),
        ("MeanSquaredError", MeanSquaredError),
        ("binary_crossentropy", BinaryCrossentropy),
        ("bce", BinaryCrossentropy),
        ("BinaryCrossentropy", BinaryCrossentropy),
        ("categorical_crossentropy", CategoricalCrossentropy),
        ("CategoricalCrossentropy", CategoricalCrossentropy),
        ("sparse_categorical_crossentropy", SparseCategoricalCrossentropy),
        ("SparseCategoricalCrossentropy", SparseCategoricalCrossentropy),
    ],
)
def test_get_resolves_keras_names(identifier, cls):
    loss = losses.get(identifier)
    assert type(loss) is cls
    assert loss.name == cls.name


def test_get_passes_instances_through():
    loss = BinaryCrossentropy()
    assert losses.get(loss) is loss


def test_names_are_the_keras_snake_case_names():
    assert losses.NAMES == (
        "mean_squared_error",
        "binary_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
    )
    assert all(losses.get(name).name == name for name in losses.NAMES)


@pytest.mark.parametrize("identifier", ["hinge", "mean_squared", 3, None])
def test_get_rejects_unknown_identifiers_listing_valid_names(identifier):
    with pytest.raises(ValueError, match="Could not interpret loss identifier") as info:
        losses.get(identifier)
    assert "mean_squared_error" in str(info.value)
    assert f"Received: loss={identifier!r}" in str(info.value)
