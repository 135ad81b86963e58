"""The engine inputs of issue 11 that used to escape as unclear errors or silent NaN: each now gives Keras' value
or a clear ValueError in Keras' words. Keras 3.15's own behaviour for each is checked in tests/parity_keras.py."""
import tracemalloc

import numpy as np
import pytest

from dense_viz import Dense, Sequential
from dense_viz.engine import constraints, initializers, losses, regularizers


# -- an empty batch --------------------------------------------------------------------------------------------
def test_empty_batch_with_activity_regularizer_gives_zero_penalty():
    layer = Dense(2, activity_regularizer="l2", seed=0)
    y = layer(np.zeros((0, 3)))
    assert y.shape == (0, 2) and layer.losses == [0.0]  # Keras 3.15: layer.losses == [0.0]
    assert layer.backward(np.zeros((0, 2))).shape == (0, 3)
    assert np.all(layer.grads["kernel"] == 0) and layer.grads["bias"].shape == (2,)


@pytest.mark.parametrize("name", ["mean_squared_error", "binary_crossentropy", "categorical_crossentropy"])
@pytest.mark.parametrize("shape", [(0, 3), (0, 5, 3)])
def test_losses_on_an_empty_batch_are_zero_not_nan(name, shape):
    loss = losses.get(name)
    assert loss(np.zeros(shape), np.zeros(shape)) == 0.0  # Keras' divide_no_nan
    assert loss.gradient(np.zeros(shape), np.zeros(shape)).shape == shape


def test_sparse_crossentropy_on_an_empty_batch():
    loss = losses.get("sparse_categorical_crossentropy")
    assert loss(np.zeros((0,)), np.zeros((0, 3))) == 0.0
    assert loss.gradient(np.zeros((0,)), np.zeros((0, 3))).shape == (0, 3)


# -- weights -------------------------------------------------------------------------------------------------
def test_set_weights_of_an_empty_list_or_none():
    layer = Dense(2)
    layer.set_weights([])  # Keras: an unbuilt layer has no weights, so nothing is set
    assert not layer.built
    with pytest.raises(ValueError, match=r"Expected `weights` to be a list of arrays \(kernel, bias\).*"
                                         r"Received: weights=None"):
        layer.set_weights(None)
    layer.build((None, 3))
    with pytest.raises(ValueError, match="with a weight list of length 0, but the layer was expecting 2 weights"):
        layer.set_weights([])
    with pytest.raises(ValueError, match="Received: Python objects"):
        layer.set_weights([np.array([[None, 1.0]] * 3, dtype=object), np.zeros(2)])


# -- Sequential -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("layers", [["relu"], [None], [Dense(2), 3]])
def test_sequential_refuses_non_layers(layers):
    with pytest.raises(ValueError, match=r"Only instances of `keras.Layer` can be added to a Sequential model\. "
                                         r"Received: .* \(of type <class"):
        Sequential(layers)
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        Sequential().add("relu")


# -- losses on scalars ---------------------------------------------------------------------------------------
def test_mse_and_bce_on_scalars_give_keras_values():
    assert losses.get("mse")(1.0, 0.5) == pytest.approx(0.25)  # Keras 3.15: 0.25
    assert losses.get("mse").gradient(1.0, 0.5) == pytest.approx(-1.0)
    assert losses.get("bce")(1.0, 0.5) == pytest.approx(np.log(2))  # Keras 3.15: 0.6931…
    assert np.shape(losses.get("bce").gradient(1.0, 0.5)) == ()


def test_crossentropies_refuse_scalars():
    with pytest.raises(ValueError, match=r"Arguments `target` and `output` must be at least rank 1\. "
                                         r"Received: target.shape=\(\), output.shape=\(\)"):
        losses.get("categorical_crossentropy")(1.0, 0.5)
    with pytest.raises(ValueError, match=r"Argument `output` must be at least rank 1\. Received: output.shape=\(\)"):
        losses.get("sparse_categorical_crossentropy").gradient(1, 0.5)


def test_sparse_labels_are_one_hot_without_an_identity_matrix():
    loss = losses.get("sparse_categorical_crossentropy")
    p = np.full((2, 40_000), 1 / 40_000)
    assert loss(np.array([3, 39_999]), p) == pytest.approx(np.log(40_000), rel=1e-6)
    np.testing.assert_array_equal(losses.one_hot(np.array([[2], [0]]), 3, np.float32),
                                  [[[0, 0, 1]], [[1, 0, 0]]])


# -- values that are not real numbers ----------------------------------------------------------------------------
@pytest.mark.parametrize("x, what", [
    (np.array([[1, None, 2]], dtype=object), "Python objects"),
    ([[1, None, 2]], "Python objects"),
    (np.array([[1 + 2j, 0, 2]]), "complex numbers"),
    ([["a", "b", "c"]], "strings"),
])
def test_inputs_that_are_not_real_numbers_are_refused(x, what):
    layer = Dense(2, seed=0)
    with pytest.raises(ValueError, match=f"Expected `inputs` to be an array of real numbers.*Received: {what}"):
        layer(x)
    with pytest.raises(ValueError, match="Expected `y_pred` to be an array of real numbers"):
        losses.get("mse")(np.zeros(3), np.asarray(x).reshape(3))
    with pytest.raises(ValueError, match="Expected `y_true` to be an array of real numbers"):
        losses.get("mse")(np.asarray(x).reshape(3), np.zeros(3))


def test_bool_and_int_inputs_are_numbers():
    layer = Dense(2, seed=0)
    assert layer(np.array([[True, False, True]])).dtype == np.float32
    assert layer([[1, 2, 3]]).shape == (1, 2)


def test_ragged_inputs_are_refused():
    with pytest.raises(ValueError, match="Expected `inputs` to be an array of real numbers"):
        Dense(2)([[1, 2], [3]])


# -- string factors, axes and dtypes ---------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda: constraints.MaxNorm("2"), "Received an invalid value for `max_value`, expected a number. "
                                       "Received: max_value='2'"),
    (lambda: constraints.MaxNorm(2, axis="0"), "Received an invalid value for `axis`, expected an integer or a "
                                               "tuple of distinct integers. Received: axis='0'"),
    (lambda: constraints.MinMaxNorm(rate=None), "Received: rate=None"),
    (lambda: constraints.MinMaxNorm(min_value=float("nan")), "Received: min_value=nan"),
    (lambda: constraints.UnitNorm(axis=(0, 0)), "Received: axis=(0, 0)"),
    (lambda: constraints.UnitNorm(axis=True), "Received: axis=True"),
    (lambda: initializers.Constant("a"), "Received an invalid value for `value`, expected a finite number. "
                                         "Received: value='a'"),
    (lambda: initializers.RandomNormal(stddev="x"), "Received: stddev='x'"),
    (lambda: initializers.RandomNormal(stddev=-1.0), "expected a non-negative finite number. Received: stddev=-1.0"),
    (lambda: initializers.TruncatedNormal(mean=float("inf")), "Received: mean=inf"),
    (lambda: initializers.RandomUniform("0", 1), "Received: minval='0'"),
    (lambda: initializers.VarianceScaling("x"), "Argument `scale` must be positive float. Received: scale='x'"),
    (lambda: initializers.Orthogonal(gain=[1]), "Received: gain=[1]"),
    (lambda: regularizers.L2("0.1"), "Invalid value for argument l2: expected a non-negative float. "
                                     "Received: l2='0.1'"),
    (lambda: Dense(2, dtype="foo"), "Invalid dtype: expected one of ('float32', 'float64'). Received: dtype='foo'"),
    (lambda: Dense(2, dtype=3), "Received: dtype=3"),
    (lambda: Dense(2, dtype=[1]), "Received: dtype=[1]"),
    (lambda: Dense(2, name=5), "Argument `name` must be a string and cannot contain character `/`. Received: name=5"),
])
def test_wrong_types_in_constructors_are_keras_value_errors(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert message in str(info.value)


def test_constraint_axis_outside_the_weights():
    with pytest.raises(ValueError, match=r"expected an axis of the 2-D weights \(from -2 to 1\)\. "
                                         r"Received: axis=5, weights.shape=\(3, 2\)"):
        constraints.UnitNorm(axis=5)(np.ones((3, 2)))
    np.testing.assert_allclose(np.linalg.norm(constraints.UnitNorm(axis=[0, 1])(np.ones((3, 2)))), 1.0, rtol=1e-6)


def test_initializers_refuse_bad_shapes_and_dtypes():
    with pytest.raises(ValueError, match=r"expected a tuple of non-negative integers\. Received: shape=\(-1, 3\)"):
        initializers.get("glorot_uniform")((-1, 3))
    with pytest.raises(ValueError, match="Expected a floating-point dtype for the weights. Received: dtype=dtype"):
        initializers.get("zeros")((2, 2), "int32")


# -- RandomUniform(1, -1): Keras' formula (maxval - minval)·U + minval ------------------------------------------
def test_random_uniform_with_minval_above_maxval_draws_between_them():
    w = initializers.RandomUniform(1, -1)((500,), "float32", np.random.default_rng(0))
    assert w.dtype == np.float32 and -1 < w.min() and w.max() <= 1
    theory = initializers.RandomUniform(1, -1).theory((500,))
    assert (theory.low, theory.high) == (-1, 1) and theory.std == pytest.approx(2 / np.sqrt(12))


# -- initializers draw in the layer's dtype ----------------------------------------------------------------------
@pytest.mark.parametrize("name", initializers.NAMES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_initializers_return_the_requested_dtype(name, dtype):
    shape = (6, 4)
    w = initializers.get(name)(shape, dtype, np.random.default_rng(0))
    assert w.shape == shape and w.dtype == dtype and np.all(np.isfinite(w))


def test_float32_kernel_draw_allocates_no_float64_copy():
    """The question preset's kernel (100 × 25600 float32 = 10.24 MB): the peak stays ≈ one float32 array."""
    for name in ("glorot_uniform", "glorot_normal", "random_normal"):
        init = initializers.get(name)
        tracemalloc.start()
        w = init((100, 25600), "float32", np.random.default_rng(0))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 1.6 * w.nbytes, (name, peak)  # a float64 draw + cast peaked at 3 × w.nbytes
