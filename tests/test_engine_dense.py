"""Dense: known values, shapes, gradients against finite differences, errors in Keras' words."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dense_viz import Dense, Sequential, activations
from dense_viz.engine.gradcheck import check_layer
from dense_viz.engine.regularizers import L1, L2, L1L2

RNG = np.random.default_rng(0)


KINKS = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0])


def input_away_from_kinks(layer, shape):
    """Random x whose pre-activations all stay 0.02 away from every activation's kink points."""
    for _ in range(1000):
        x = RNG.normal(size=shape)
        z = x @ layer.kernel + (layer.bias if layer.bias is not None else 0)
        if np.min(np.abs(z[..., None] - KINKS)) > 0.02:
            return x
    raise AssertionError("could not draw an input away from the kinks")


def test_known_values_2x2():
    layer = Dense(2, activation="relu", dtype="float64")
    layer.build((None, 2))
    layer.set_weights([np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([0.5, -1.0])])
    x = np.array([[1.0, 2.0], [-1.0, 1.0]])
    # z = x @ W + b: [[1+6+0.5, -2+1-1], [-1+3+0.5, 2+0.5-1]] = [[7.5, -2], [2.5, 1.5]]
    np.testing.assert_allclose(layer(x), [[7.5, 0.0], [2.5, 1.5]])
    np.testing.assert_allclose(layer.cache.z, [[7.5, -2.0], [2.5, 1.5]])
    dx = layer.backward(np.ones((2, 2)))
    # δ = 1·relu'(z) = [[1, 0], [1, 1]]; dW = xᵀδ; db = Σδ; dx = δWᵀ
    np.testing.assert_allclose(layer.grads["kernel"], [[0.0, -1.0], [3.0, 1.0]])
    np.testing.assert_allclose(layer.grads["bias"], [2.0, 1.0])
    np.testing.assert_allclose(dx, [[1.0, 3.0], [-1.0, 3.5]])


def test_seed_question_shapes_and_params():
    layer = Dense(10 * 10 * 256, use_bias=False)
    layer.build((None, 100))
    assert layer.kernel.shape == (100, 25600) and layer.kernel.dtype == np.float32
    assert layer.bias is None
    assert layer.count_params() == 2_560_000
    assert layer.compute_output_shape((None, 100)) == (None, 25600)
    y = layer(np.ones((3, 100)))
    assert y.shape == (3, 25600) and y.dtype == np.float32
    layer.backward(np.ones_like(y))
    assert set(layer.grads) == {"kernel"}


def test_nd_input_matmul_on_last_axis():
    layer = Dense(4, dtype="float64", seed=1)
    x = RNG.normal(size=(3, 5, 8))
    y = layer(x)
    assert y.shape == (3, 5, 4)
    np.testing.assert_allclose(y[1, 2], x[1, 2] @ layer.kernel + layer.bias)
    assert layer.compute_output_shape((None, 5, 8)) == (None, 5, 4)


def test_float64_and_float32():
    x = RNG.normal(size=(2, 3))
    assert Dense(2, dtype="float64")(x).dtype == np.float64
    assert Dense(2)(x).dtype == np.float32
    with pytest.raises(ValueError, match="Invalid dtype.*Received: dtype='int32'"):
        Dense(2, dtype="int32")


def test_same_seed_same_weights():
    a, b, c = Dense(5, seed=7), Dense(5, seed=7), Dense(5, seed=8)
    for layer in (a, b, c):
        layer.build((None, 4))
    np.testing.assert_array_equal(a.kernel, b.kernel)
    assert not np.array_equal(a.kernel, c.kernel)


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("activation", activations.NAMES)
def test_gradients_every_activation(activation, use_bias):
    layer = Dense(6, activation=activation, use_bias=use_bias, bias_initializer="random_normal",
                  dtype="float64", seed=3)
    layer.build((None, 4))
    x = input_away_from_kinks(layer, (5, 4))
    out_units = layer.activation.output_units(6)
    dy = RNG.normal(size=(5, out_units))
    errors = check_layer(layer, x, dy)
    assert set(errors) == ({"x", "kernel", "bias"} if use_bias else {"x", "kernel"})
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("kind", ["kernel", "bias", "activity"])
@pytest.mark.parametrize("reg", [L1(0.03), L2(0.05), L1L2(0.02, 0.04)], ids=["l1", "l2", "l1l2"])
def test_gradients_every_regularizer(kind, reg):
    layer = Dense(3, activation="tanh", dtype="float64", seed=2, bias_initializer="random_normal",
                  **{f"{kind}_regularizer": reg})
    x = RNG.normal(size=(4, 5))
    errors = check_layer(layer, x, RNG.normal(size=(4, 3)))
    assert max(errors.values()) < 1e-6, errors
    assert len(layer.losses) == 1 and layer.losses[0] > 0


def test_gradients_nd_input():
    layer = Dense(3, activation="softmax", dtype="float64", seed=4, bias_initializer="random_normal",
                  kernel_regularizer="l2", activity_regularizer="l1")
    x = RNG.normal(size=(2, 4, 5))
    errors = check_layer(layer, x, RNG.normal(size=(2, 4, 3)))
    assert max(errors.values()) < 1e-6, errors


def test_losses_values_and_activity_divided_by_batch():
    layer = Dense(2, dtype="float64", kernel_regularizer=L1(0.5), bias_regularizer=L2(2.0),
                  activity_regularizer=L1(1.0))
    layer.build((None, 2))
    layer.set_weights([np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([1.0, -3.0])])
    assert layer.losses == [0.5 * 4.0, 2.0 * 10.0]  # no call yet: no activity penalty
    layer(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]))
    # y = [[2, -4], [3, -3], [4, -4], [1, -3]]: Σ|y| = 24, over a batch of 4 -> 6
    assert layer.losses == [6.0, 2.0, 20.0]
    assert layer.loss_terms == {"activity": 6.0, "kernel": 2.0, "bias": 20.0}


def test_l1l2_string_is_zero_penalty_as_in_keras3():
    layer = Dense(3, kernel_regularizer="l1l2")
    layer.build((None, 4))
    assert layer.kernel_regularizer.get_config() == {"l1": 0.0, "l2": 0.0}
    assert layer.losses == [0.0]


def test_constraints_applied():
    layer = Dense(3, kernel_constraint="non_neg", bias_constraint="max_norm", dtype="float64")
    layer.build((None, 4))
    layer.set_weights([-np.ones((4, 3)), np.full(3, 5.0)])
    layer.apply_constraints()
    assert np.all(layer.kernel == 0)
    np.testing.assert_allclose(np.linalg.norm(layer.bias), 2.0, rtol=1e-6)


def test_get_config_plain_values():
    config = Dense(7, activation="relu", use_bias=False, kernel_initializer="he_normal", name="d").get_config()
    assert config["units"] == 7 and config["activation"] == "relu" and config["use_bias"] is False
    assert config["kernel_initializer"] == "he_normal" and config["bias_initializer"] == "zeros"
    assert config["name"] == "d" and config["kernel_regularizer"] is None and config["dtype"] == "float32"
    again = Dense(**{k: v for k, v in config.items() if k not in ("name", "trainable")})
    assert again.units == 7 and again.activation.name == "relu"


def test_callable_activation():
    layer = Dense(3, activation=lambda z: z ** 3, dtype="float64", seed=0)
    x = RNG.normal(size=(2, 4))
    np.testing.assert_allclose(layer(x), (x @ layer.kernel) ** 3)
    assert max(check_layer(layer, x, RNG.normal(size=(2, 3))).values()) < 1e-5


# -- errors, in Keras' words --------------------------------------------------------------------------

@pytest.mark.parametrize("units", [0, -3, 2.5, "8", True, None])
def test_units_error(units):
    with pytest.raises(ValueError) as info:
        Dense(units)
    assert str(info.value) == ("Received an invalid value for `units`, expected a positive integer. "
                               f"Received: units={units!r}")


def test_wrong_last_dimension():
    layer = Dense(4, name="dense")
    layer.build((None, 100))
    message = ('Input 0 of layer "dense" is incompatible with the layer: expected axis -1 of input shape to have '
               "value 100, but received input with shape (None, 99)")
    with pytest.raises(ValueError) as info:
        layer.compute_output_shape((None, 99))
    assert str(info.value) == message
    with pytest.raises(ValueError, match=r"but received input with shape \(2, 99\)"):
        layer(np.zeros((2, 99)))


def test_min_ndim():
    with pytest.raises(ValueError, match=r"expected min_ndim=2, found ndim=1\. Full shape received: \(99,\)"):
        Dense(4)(np.zeros(99))


@pytest.mark.parametrize("kind,arg", [("activation", "activation"), ("initializer", "kernel_initializer"),
                                      ("regularizer", "kernel_regularizer"), ("constraint", "kernel_constraint")])
def test_unknown_names_list_valid_ones(kind, arg):
    with pytest.raises(ValueError) as info:
        Dense(3, **{arg: "foo"})
    message = str(info.value)
    assert f"Could not interpret {kind}" in message and "'foo'" in message and "Expected one of:" in message
    valid = {"activation": "relu", "initializer": "glorot_uniform", "regularizer": "l2", "constraint": "max_norm"}
    assert valid[kind] in message


def test_set_weights_errors():
    layer = Dense(4, name="dense")
    layer.build((None, 100))
    with pytest.raises(ValueError, match=r"with a weight list of length 1, but the layer was expecting 2 weights"):
        layer.set_weights([np.zeros((100, 4))])
    with pytest.raises(ValueError, match=r"weight shape \(100, 4\) is not compatible with provided weight shape "
                                         r"\(3, 4\)"):
        layer.set_weights([np.zeros((3, 4)), np.zeros(4)])


def test_count_params_unbuilt_and_glu_odd_units():
    with pytest.raises(ValueError, match="isn't built"):
        Dense(3, name="d").count_params()
    with pytest.raises(ValueError):
        Dense(3, activation="glu")
    assert Dense(4, activation="glu").compute_output_shape((None, 2)) == (None, 2)


def test_backward_before_forward_and_bad_dy():
    layer = Dense(2)
    with pytest.raises(ValueError, match="no forward pass"):
        layer.backward(np.ones((1, 2)))
    layer(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"Received: dy.shape=\(3, 5\)"):
        layer.backward(np.ones((3, 5)))


# -- properties: shape and parameter-count rules --------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(lead=st.lists(st.integers(1, 4), max_size=3), input_dim=st.integers(1, 40), units=st.integers(1, 40),
       use_bias=st.booleans())
def test_shape_and_param_rules(lead, input_dim, units, use_bias):
    layer = Dense(units, use_bias=use_bias, seed=0)
    shape = (2, *lead, input_dim)
    y = layer(np.ones(shape))
    assert y.shape == (2, *lead, units)
    assert layer.compute_output_shape((None, *lead, input_dim)) == (None, *lead, units)
    assert layer.count_params() == input_dim * units + (units if use_bias else 0)
    dx = layer.backward(np.ones_like(y))
    assert dx.shape == shape and layer.grads["kernel"].shape == (input_dim, units)
