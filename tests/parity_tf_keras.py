"""Opt-in parity with tf.keras 2.x (TensorFlow 2.15, Keras 2.15): `python3 dev.py parity --tf-keras`.

Not part of `dev.py test`: TensorFlow 2.15 needs Python ≤ 3.11 and NumPy 1.x, so it runs in its own venv
(.venv-tf-keras). A live tf.keras Dense or Sequential goes through dense_viz.io.from_framework and explain(),
files written by tf.keras (.keras, legacy .h5, .weights.h5) through read_layers; outputs, penalties and
gradients (tf.GradientTape) must agree with TensorFlow's to float32 precision.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

tf = pytest.importorskip("tensorflow")
keras = tf.keras

from parity_common import assert_same_pass, run_ours, save_and_read  # noqa: E402
from dense_viz import Dense, activations, explain  # noqa: E402
from dense_viz.io import from_framework, read_layers  # noqa: E402
from dense_viz.io.build import KERAS2_DIFFERENT  # noqa: E402

KERAS_VERSION = getattr(keras, "__version__", None) or __import__("keras").__version__
pytestmark = pytest.mark.skipif(not KERAS_VERSION.startswith("2."),
                                reason=f"needs tf.keras 2.x; this tf.keras is {KERAS_VERSION}")
RNG = np.random.default_rng(0)


def tf_activations():
    """The engine's activations that tf.keras 2.x also knows by name."""
    known = []
    for name in activations.NAMES:
        try:
            keras.activations.get(name)
        except (ValueError, KeyError, TypeError):
            continue
        known.append(name)
    return known


def tf_forward_backward(layer, x, dy):
    """y, the gradients of sum(y·dy) + penalties (kernel, bias, x) and the penalties, through tf.GradientTape."""
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        total = tf.reduce_sum(y * tf.constant(dy, dtype=y.dtype)) + tf.add_n(layer.losses) if layer.losses else \
            tf.reduce_sum(y * tf.constant(dy, dtype=y.dtype))
    params = [layer.kernel] + ([layer.bias] if layer.use_bias else [])
    grads = tape.gradient(total, params + [xt])
    return y.numpy(), [g.numpy() for g in grads], [float(v) for v in layer.losses]


@pytest.mark.parametrize("activation", [n for n in tf_activations() if n not in KERAS2_DIFFERENT])
def test_a_live_dense_gives_tensorflows_outputs_and_gradients(activation):
    layer = keras.layers.Dense(6, activation=activation, bias_initializer="random_normal", dtype="float64")
    layer.build((None, 5))
    ours, notes = from_framework(layer)
    assert notes == [] and ours.kernel.shape == (5, 6)
    assert ours.activation.name == activations.get(activation).name  # 'swish' is Keras 3's silu
    assert_same_pass(ours, RNG.normal(size=(4, 5)), RNG, lambda x, dy: tf_forward_backward(layer, x, dy))


@pytest.mark.parametrize("kwargs", [
    {"kernel_regularizer": "l2"}, {"kernel_regularizer": "l1", "use_bias": False},
    {"bias_regularizer": "l2"}, {"activity_regularizer": "l1", "activation": "tanh"},
    {"kernel_regularizer": "L1L2"}, {"kernel_constraint": "non_neg"},
])
def test_a_live_dense_keeps_its_regularizers_and_constraints(kwargs):
    layer = keras.layers.Dense(4, bias_initializer="random_normal", **kwargs)
    layer.build((None, 5))
    ours, notes = from_framework(layer)
    assert notes == []
    x = RNG.normal(size=(3, 5)).astype(np.float32)
    dy = RNG.normal(size=(3, 4)).astype(np.float32)
    y = ours(x)
    dx = ours.backward(dy)
    ty, grads, penalties = tf_forward_backward(layer, x, dy)
    np.testing.assert_allclose(y, ty, rtol=1e-5, atol=1e-6)
    assert sum(ours.losses) == pytest.approx(sum(penalties), rel=1e-5, abs=1e-7)
    np.testing.assert_allclose(ours.grads["kernel"], grads[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx, grads[-1], rtol=1e-5, atol=1e-5)
    for name in ("kernel_constraint", "bias_constraint"):
        assert (getattr(ours, name) is None) == (kwargs.get(name) is None)


@pytest.mark.parametrize("save", [None, ".keras", ".h5"])
def test_tf_keras_2s_hard_sigmoid_is_named_not_misdrawn(tmp_path, save):
    """tf.keras 2's hard_sigmoid is clip(0.2·z + 0.5, 0, 1); the engine's is Keras 3's relu6(z + 3) / 6."""
    z = np.linspace(-4, 4, 9)
    assert not np.allclose(keras.activations.hard_sigmoid(tf.constant(z)).numpy(),
                           activations.get("hard_sigmoid")(z))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="hard_sigmoid", name="hs")])
    if save is None:
        layers, notes = from_framework(model)
    else:
        model.save(tmp_path / f"m{save}")
        layers = read_layers(tmp_path / f"m{save}")
        notes = layers.notes
    assert layers["hs"].activation.name == "linear"
    assert any("hard_sigmoid" in n and "clip(0.2·z + 0.5, 0, 1)" in n for n in notes), notes


def tf_model():
    """relu Dense (L2), Dropout, tanh Dense, softmax Dense; with an explicit Input, as tf.keras 2 users write."""
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((5,)), keras.layers.Dense(6, activation="relu", kernel_regularizer="l2"),
                             keras.layers.Dropout(0.2), keras.layers.Dense(4, activation="tanh"),
                             keras.layers.Dense(3, activation="softmax")])


def test_a_live_sequential_and_a_nested_functional_model():
    model = tf_model()
    x = RNG.normal(size=(7, 5)).astype(np.float32)
    layers, notes = from_framework(model)
    assert list(layers) == [layer.name for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert any("Dropout" in n for n in notes)
    np.testing.assert_allclose(run_ours(layers, x), model(x).numpy(), rtol=1e-5, atol=1e-6)
    inputs = keras.Input((5,))
    outer = keras.Model(inputs, keras.layers.Dense(2, name="head")(model(inputs)))
    nested, _ = from_framework(outer)
    assert list(nested)[-1] == "head" and len(nested) == 4
    np.testing.assert_allclose(run_ours(nested, x), outer(x).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_files_written_by_tf_keras_read_with_identical_outputs(tmp_path, suffix):
    model = tf_model()
    x = RNG.normal(size=(7, 5)).astype(np.float32)
    layers = save_and_read(model, tmp_path, suffix)
    assert [layer.kernel.shape for layer in layers.values()] == [(5, 6), (6, 4), (4, 3)]
    if suffix == ".weights.h5":  # no config: the first layer's pre-activation
        ours = list(layers.values())[0](x)
        want = x @ model.layers[0].kernel.numpy() + model.layers[0].bias.numpy()
    else:
        ours, want = run_ours(layers, x), model(x).numpy()
        assert [layer.activation.name for layer in layers.values()] == ["relu", "tanh", "softmax"]
    np.testing.assert_allclose(ours, want, rtol=1e-5, atol=1e-6)


def test_explain_shows_a_tf_keras_layer_exactly():
    layer = keras.layers.Dense(3, activation="gelu", bias_initializer="random_normal")
    layer.build((None, 4))
    app = explain(layer)
    state = app.state
    assert (state.input_dim, state.units, state.activation) == (4, 3, "gelu")
    np.testing.assert_array_equal(state.layer.kernel, layer.kernel.numpy())
    np.testing.assert_allclose(state.y, layer(state.x).numpy(), rtol=1e-6, atol=1e-6)
    model = tf_model()
    picked = explain(model, layer_name=model.layers[2].name)  # the tanh Dense, after the Dropout
    assert picked.state.layer.kernel.shape == (6, 4) and picked.state.activation == "tanh"
    assert len(picked.own.picker.options) == 3


def test_a_dense_viz_layer_round_trips_into_tf_keras():
    ours = Dense(4, activation="relu", seed=3)
    ours.build((None, 5))
    theirs = keras.layers.Dense(4, activation="relu")
    theirs.build((None, 5))
    theirs.set_weights(ours.get_weights())
    x = RNG.normal(size=(6, 5)).astype(np.float32)
    np.testing.assert_allclose(ours(x), theirs(x).numpy(), rtol=1e-6, atol=1e-6)
