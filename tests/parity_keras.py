"""Opt-in parity with real Keras 3 (torch backend): `python3 dev.py parity`. Not part of `dev.py test`.

The same weights and inputs go through dense_viz and through keras.layers.Dense; outputs, penalties and
gradients (torch autograd through Keras) must agree to float32 precision.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from parity_common import assert_same_backward, assert_same_pass, run_ours, save_and_read  # noqa: E402
from dense_viz import Dense, Sequential, activations, constraints, initializers  # noqa: E402
from dense_viz.engine import losses, optimizers  # noqa: E402

RNG = np.random.default_rng(0)
pytestmark = pytest.mark.skipif(keras.backend.backend() != "torch", reason="needs KERAS_BACKEND=torch")


def keras_forward_backward(layer, x, dy):
    """y, L's gradients (kernel, bias, x) and penalties from a built keras Dense, via torch autograd."""
    xt = torch.tensor(x, requires_grad=True)
    y = layer(xt)
    total = (y * torch.tensor(dy)).sum() + sum(layer.losses) if layer.losses else (y * torch.tensor(dy)).sum()
    params = [layer.kernel.value] + ([layer.bias.value] if layer.use_bias else [])
    grads = torch.autograd.grad(total, params + [xt])
    return y.detach().numpy(), [g.numpy() for g in grads], [float(v) for v in layer.losses]


def pair(units, input_shape, **kwargs):
    """A dense_viz Dense and a keras Dense with identical config and weights (float64 for tight checks)."""
    ours = Dense(units, dtype="float64", seed=1, bias_initializer="random_normal", **kwargs)
    ours.build(input_shape)
    theirs = keras.layers.Dense(units, dtype="float64", **{k: v for k, v in kwargs.items()})
    theirs.build(input_shape)
    theirs.set_weights(ours.get_weights())
    return ours, theirs


KERAS_TORCH_SPARSEMAX_BUG = pytest.mark.xfail(strict=True, reason=(
    "Keras 3.15's torch backend computes sparsemax's threshold from the sum of ALL cumulative sums over the "
    "support (keras/src/backend/torch/nn.py: tau = (sum(where(support, cumsum, 0)) - 1) / k) instead of the "
    "cumulative sum at k, so its rows do not sum to 1; ours is Martins & Astudillo's projection (rows sum to 1)."))


@pytest.mark.parametrize("activation", [pytest.param(n, marks=KERAS_TORCH_SPARSEMAX_BUG) if n == "sparsemax" else n
                                        for n in activations.NAMES])
def test_activation_forward_and_gradients(activation):
    rng = np.random.default_rng(1)
    ours, theirs = pair(6, (None, 3, 5), activation=activation)
    assert_same_pass(ours, rng.normal(size=(4, 3, 5)), rng, lambda x, dy: keras_forward_backward(theirs, x, dy))


@pytest.mark.parametrize("kwargs", [
    {"kernel_regularizer": "l1"}, {"kernel_regularizer": "l2"}, {"bias_regularizer": "l2"},
    {"activity_regularizer": "l1"}, {"activity_regularizer": "l2", "activation": "tanh"},
    {"kernel_regularizer": "l1l2"},
    {"kernel_regularizer": keras.regularizers.L1L2(0.03, 0.02)},
])
def test_regularizers(kwargs):
    ours_kwargs = {k: (v if isinstance(v, str) else __import__("dense_viz").regularizers.L1L2(v.l1, v.l2))
                   for k, v in kwargs.items()}
    ours = Dense(4, dtype="float64", seed=1, bias_initializer="random_normal", **ours_kwargs)
    ours.build((None, 5))
    theirs = keras.layers.Dense(4, dtype="float64", **kwargs)
    theirs.build((None, 5))
    theirs.set_weights(ours.get_weights())
    x, dy = RNG.normal(size=(3, 5)), RNG.normal(size=(3, 4))
    ours(x)
    dx = ours.backward(dy)
    _, (dk, db, kdx), penalties = keras_forward_backward(theirs, x, dy)
    assert sum(ours.losses) == pytest.approx(sum(penalties), rel=1e-6, abs=1e-9)
    assert_same_backward(ours, dx, dk, db, kdx)


@pytest.mark.parametrize("name", constraints.NAMES)
def test_constraints(name):
    w = RNG.normal(size=(5, 4)) * 2
    np.testing.assert_allclose(constraints.get(name)(w), keras.constraints.get(name)(torch.tensor(w)).numpy(),
                               rtol=1e-7)


@pytest.mark.parametrize("name", [n for n in initializers.NAMES if n not in ("constant",)])
def test_initializer_statistics(name):
    shape = (300, 400)
    ours = initializers.get(name)(shape, "float64", np.random.default_rng(0))
    theirs = keras.initializers.get(name)(shape, dtype="float64")
    theirs = theirs.numpy() if hasattr(theirs, "numpy") else np.asarray(theirs)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.02, abs=1e-12)
    # the 99.9th percentile of |w|, not the max: Keras' torch truncated_normal keeps the first of 4 draws
    # inside ±2σ and, when none is (p ≈ 4e-6 per entry), an untruncated one
    q_ours, q_theirs = np.quantile(np.abs(ours), 0.999), np.quantile(np.abs(theirs), 0.999)
    assert q_ours == pytest.approx(q_theirs, rel=0.03, abs=1e-12)


def test_seed_question_summary_and_shapes(capsys):
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(10 * 10 * 256, use_bias=False)])
    lines = []
    model.summary(print_fn=lambda line, **kw: lines.append(line))
    ours = Sequential([Dense(10 * 10 * 256, use_bias=False, name="dense")], input_shape=(100,), name="sequential")
    keras_text = "\n".join(lines)
    for row in ours.summary().splitlines():
        assert row.strip() in keras_text, row


@pytest.mark.parametrize("name", losses.NAMES)
def test_losses(name):
    if name == "sparse_categorical_crossentropy":
        y_true, y_pred = np.array([0, 2, 1]), np.abs(RNG.normal(size=(3, 3))) + 0.05
    elif name == "mean_squared_error":
        y_true, y_pred = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    else:
        y_true = np.eye(3)[[0, 2, 1]] if name == "categorical_crossentropy" else RNG.integers(0, 2, (3, 1)) * 1.0
        y_pred = RNG.uniform(0.05, 0.95, size=y_true.shape)
    ours = losses.get(name)
    pred = torch.tensor(y_pred, requires_grad=True)
    keras_class = "".join(part.capitalize() for part in name.split("_"))  # MeanSquaredError, …
    value = getattr(keras.losses, keras_class)()(torch.tensor(y_true), pred)
    (grad,) = torch.autograd.grad(value, [pred])
    assert ours(y_true, y_pred) == pytest.approx(float(value), rel=1e-5)
    np.testing.assert_allclose(ours.gradient(y_true, y_pred), grad.numpy(), rtol=1e-4, atol=1e-8)


@pytest.mark.parametrize("name,kwargs", [("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
                                         ("Adam", {}), ("RMSprop", {"centered": True, "momentum": 0.5})])
def test_optimizers_three_steps(name, kwargs):
    w0 = RNG.normal(size=(3, 2)).astype(np.float32)
    grads = [RNG.normal(size=(3, 2)).astype(np.float32) for _ in range(3)]
    ours = getattr(optimizers, name)(**kwargs)
    theirs = getattr(keras.optimizers, name)(**kwargs)
    w_ours, var = w0.copy(), keras.Variable(w0.copy())
    for g in grads:
        ours.apply([w_ours], [g])
        theirs.apply([torch.tensor(g)], [var])
    np.testing.assert_allclose(w_ours, var.numpy(), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- LoRA and int8 (engine.adapters)
def lora_pair(dtype="float32", quantize=False, **kwargs):
    """A dense_viz and a keras Dense (5 -> 4) with LoRA rank 2, alpha 6, and the same non-zero weights."""
    ours = Dense(4, dtype=dtype, seed=1, bias_initializer="random_normal", **kwargs)
    ours.build((None, 5))
    theirs = keras.layers.Dense(4, dtype=dtype, **kwargs)
    theirs.build((None, 5))
    theirs.set_weights(ours.get_weights())
    for layer in (ours, theirs):
        if quantize:
            layer.quantize("int8")
        layer.enable_lora(2, lora_alpha=6)
    ours.lora_kernel_b = RNG.normal(size=(2, 4)).astype(dtype)
    weights = ours.get_weights()
    theirs.set_weights(weights)  # Keras' order on both sides
    return ours, theirs


def test_lora_outputs_gradients_counts_and_penalties():
    ours, theirs = lora_pair("float64", kernel_regularizer="l2", activation="tanh")
    assert [w.path.rsplit("/", 1)[1] for w in theirs.weights] == ours.weight_names
    assert theirs.count_params() == ours.count_params()
    assert sum(int(np.prod(w.shape)) for w in theirs.trainable_weights) == sum(w.size for w in ours.trainable_weights)
    x, dy = RNG.normal(size=(3, 5)), RNG.normal(size=(3, 4))
    y = ours(x)
    dx = ours.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    ky = theirs(xt)
    total = (ky * torch.tensor(dy)).sum() + sum(theirs.losses)
    params = [theirs.bias.value, theirs.lora_kernel_a.value, theirs.lora_kernel_b.value, xt]
    db, da, dbb, kdx = [g.numpy() for g in torch.autograd.grad(total, params)]
    np.testing.assert_allclose(y, ky.detach().numpy(), rtol=1e-6, atol=1e-6)
    assert sum(ours.losses) == pytest.approx(sum(float(v) for v in theirs.losses), rel=1e-6)
    for have, want in ((ours.grads["bias"], db), (ours.grads["lora_kernel_a"], da),
                       (ours.grads["lora_kernel_b"], dbb), (dx, kdx)):
        np.testing.assert_allclose(have, want, rtol=1e-6, atol=1e-6)
    print("lora max abs error:", float(np.max(np.abs(y - ky.detach().numpy()))))


@pytest.mark.xfail(strict=True, reason=(
    "Keras 3.15's Dense.build calls enable_lora(self.lora_rank) without lora_alpha, so "
    "Dense(lora_rank=2, lora_alpha=8) ends up with lora_alpha=2 (keras/src/layers/core/dense.py); dense_viz keeps "
    "the documented lora_alpha."))
def test_lora_alpha_from_the_constructor():
    theirs = keras.layers.Dense(4, lora_rank=2, lora_alpha=8)
    theirs.build((None, 3))
    ours = Dense(4, lora_rank=2, lora_alpha=8)
    ours.build((None, 3))
    assert theirs.lora_alpha == ours.lora_alpha


@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 5)])
def test_int8_outputs_and_kernel(shape):
    ours = Dense(4, seed=1, bias_initializer="random_normal", activation="relu")
    ours.build((None, 5))
    theirs = keras.layers.Dense(4, activation="relu")
    theirs.build((None, 5))
    theirs.set_weights(ours.get_weights())
    ours.quantize("int8")
    theirs.quantize("int8")
    assert theirs.dtype_policy.name == ours.dtype_policy
    for have, want in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(have, want)
    x = RNG.normal(size=shape).astype(np.float32) * 3
    ky = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours(x), ky, rtol=1e-6, atol=1e-6)
    print("int8 max abs error:", float(np.max(np.abs(ours(x) - ky))))


def test_int8_with_lora_outputs_and_input_gradient():
    ours, theirs = lora_pair("float32", quantize=True)
    for have, want in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(have, want)
    x, dy = RNG.normal(size=(4, 5)).astype(np.float32), RNG.normal(size=(4, 4)).astype(np.float32)
    y = ours(x)
    dx = ours.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    ky = theirs(xt)
    params = [theirs.bias.value, theirs.lora_kernel_a.value, theirs.lora_kernel_b.value, xt]
    grads = torch.autograd.grad((ky * torch.tensor(dy)).sum(), params)
    np.testing.assert_allclose(y, ky.detach().numpy(), rtol=1e-5, atol=1e-5)
    for have, want in zip((ours.grads["bias"], ours.grads["lora_kernel_a"], ours.grads["lora_kernel_b"], dx), grads):
        np.testing.assert_allclose(have, want.numpy(), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- files and live objects (dense_viz.io)
def keras_model():
    """A small Keras model: relu Dense, Dropout, LoRA Dense with a trained B, softmax Dense."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(6, activation="relu", kernel_regularizer="l2"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(3, activation="softmax")])
    model.layers[2].enable_lora(2, lora_alpha=4)
    model.layers[2].lora_kernel_b.assign(RNG.normal(size=(2, 4)).astype(np.float32))
    return model


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".h5"])
def test_keras_written_files_read_with_identical_outputs(tmp_path, suffix):
    model = keras_model()
    x = RNG.normal(size=(7, 5)).astype(np.float32)
    layers = save_and_read(model, tmp_path, suffix)
    if suffix == ".weights.h5":  # no config: compare the pre-activations of the linear layers we get
        ours = list(layers.values())[0](x)
        want = x @ model.layers[0].kernel.numpy() + model.layers[0].bias.numpy()
    else:
        ours, want = run_ours(layers, x), model(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours, want, rtol=1e-5, atol=1e-6)
    print(suffix, "max abs error:", float(np.max(np.abs(ours - want))), layers.notes)


def test_int8_keras_file(tmp_path):
    from dense_viz.io import read_layers
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    model.quantize("int8")
    model.save(tmp_path / "q.keras")
    layers = read_layers(tmp_path / "q.keras")
    x = RNG.normal(size=(6, 5)).astype(np.float32)
    want = model(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(run_ours(layers, x), want, rtol=1e-6, atol=1e-6)
    assert all(layer.quantization_mode == "int8" for layer in layers.values())


def test_from_framework_keras_objects():
    from dense_viz.io import from_framework
    model = keras_model()
    x = RNG.normal(size=(4, 5)).astype(np.float32)
    layers, notes = from_framework(model)
    assert list(layers) == [layer.name for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    np.testing.assert_allclose(run_ours(layers, x), model(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert any("Dropout" in n for n in notes)
    lora, _ = from_framework(model.layers[2])
    assert lora.lora_enabled and lora.lora_alpha == 4
    quantized = keras.layers.Dense(3)
    quantized.build((None, 5))
    quantized.quantize("int8")
    ours, _ = from_framework(quantized)
    np.testing.assert_array_equal(ours(x), quantized(torch.tensor(x)).detach().numpy())


def test_from_framework_torch_linear_and_sequential():
    from dense_viz.io import from_framework
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.GELU(), torch.nn.Linear(8, 6), torch.nn.LeakyReLU(0.2),
                              torch.nn.Linear(6, 4), torch.nn.Softmax(dim=-1), torch.nn.Linear(4, 3),
                              torch.nn.LeakyReLU())
    x = RNG.normal(size=(9, 5)).astype(np.float32)
    layers, notes = from_framework(net)
    assert [layer.activation.name for layer in layers.values()] == ["gelu", "leaky_relu", "softmax", "linear"]
    assert any("differs from Keras' leaky_relu" in n for n in notes) and any("transposed" in n for n in notes)
    with torch.no_grad():
        want = net[:-1](torch.tensor(x)).numpy()  # our last layer is linear: leave torch's 0.01-slope out
    np.testing.assert_allclose(run_ours(layers, x), want, rtol=1e-5, atol=1e-6)
    single, notes = from_framework(net[0])
    np.testing.assert_array_equal(single.kernel, net[0].weight.detach().numpy().T)
    print("torch max abs error:", float(np.max(np.abs(run_ours(layers, x) - want))))


def test_torch_saved_state_dict(tmp_path):
    from dense_viz.io import read_layers
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    torch.save(net.state_dict(), tmp_path / "net.pt")
    layers = read_layers(tmp_path / "net.pt")
    assert list(layers) == ["0", "2"]
    x = RNG.normal(size=(3, 5)).astype(np.float32)
    with torch.no_grad():
        want = net[0](torch.tensor(x)).numpy()
    np.testing.assert_allclose(layers["0"](x), want, rtol=1e-6, atol=1e-6)
    torch.save({"model": net}, tmp_path / "pickled.pt")  # a whole module: needs unpickling classes
    with pytest.raises(ValueError, match=r"weights_only=True\) would not load it"):
        read_layers(tmp_path / "pickled.pt")


# -- issue 11: edge inputs, Keras 3's value vs ours -------------------------------------------------------------
@pytest.mark.parametrize("name, keras_cls", [("mean_squared_error", "MeanSquaredError"),
                                             ("binary_crossentropy", "BinaryCrossentropy"),
                                             ("categorical_crossentropy", "CategoricalCrossentropy")])
def test_losses_on_an_empty_batch(name, keras_cls):
    theirs = getattr(keras.losses, keras_cls)()
    # (0, 5, 3): Keras reduces with divide_no_nan -> 0.0; ours too
    assert float(theirs(np.zeros((0, 5, 3)), np.zeros((0, 5, 3)))) == 0.0
    assert losses.get(name)(np.zeros((0, 5, 3)), np.zeros((0, 5, 3))) == 0.0
    # (0, 3): Keras 3.15 skips the reduction for per-sample losses of shape (0,) and returns them (empty);
    # ours returns their sum over the batch size with divide_no_nan, 0.0 — never NaN
    assert tuple(theirs(np.zeros((0, 3)), np.zeros((0, 3))).shape) == (0,)
    assert losses.get(name)(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


@pytest.mark.parametrize("name, keras_cls", [("mean_squared_error", "MeanSquaredError"),
                                             ("binary_crossentropy", "BinaryCrossentropy")])
def test_losses_on_scalars(name, keras_cls):
    theirs = float(getattr(keras.losses, keras_cls)()(np.array(1.0), np.array(0.5)))
    np.testing.assert_allclose(losses.get(name)(1.0, 0.5), theirs, rtol=1e-6)  # 0.25 and log 2


def test_crossentropies_on_scalars_are_refused_by_both():
    for keras_cls, name in (("CategoricalCrossentropy", "categorical_crossentropy"),
                            ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy")):
        with pytest.raises(Exception):  # Keras 3.15 (torch): IndexError; ours: a ValueError in Keras' words
            getattr(keras.losses, keras_cls)()(np.array(1.0), np.array(0.5))
        with pytest.raises(ValueError, match="must be at least rank 1"):
            losses.get(name)(1.0, 0.5)


def test_activity_penalty_on_an_empty_batch():
    theirs = keras.layers.Dense(2, activity_regularizer="l2")
    theirs(np.zeros((0, 3), "float32"))
    ours = Dense(2, activity_regularizer="l2")
    ours(np.zeros((0, 3)))
    assert [float(v) for v in theirs.losses] == ours.losses == [0.0]


def test_set_weights_of_an_empty_list_on_an_unbuilt_layer_sets_nothing():
    theirs, ours = keras.layers.Dense(2), Dense(2)
    theirs.set_weights([])
    ours.set_weights([])
    assert not theirs.built and not ours.built


def test_sequential_of_a_string_is_refused_in_the_same_words():
    with pytest.raises(ValueError, match="Only instances of `keras.Layer` can be added to a Sequential model"):
        keras.Sequential(["relu"])
    with pytest.raises(ValueError, match="Only instances of `keras.Layer` can be added to a Sequential model"):
        Sequential(["relu"])


def test_random_uniform_with_minval_above_maxval_is_drawn_like_keras():
    theirs = keras.ops.convert_to_numpy(keras.initializers.RandomUniform(1.0, -1.0, seed=0)((2000,)))
    ours = initializers.RandomUniform(1.0, -1.0)((2000,), "float32", np.random.default_rng(0))
    for w in (theirs, ours):  # (maxval - minval)·U[0, 1) + minval: values in (-1, 1], mean 0
        assert -1 <= w.min() and w.max() <= 1 and abs(w.mean()) < 0.06


def test_object_arrays_with_none_are_refused_by_both():
    x = np.array([[1, None, 2]], dtype=object)
    with pytest.raises(ValueError):
        keras.layers.Dense(2)(x)  # Keras: "Invalid dtype: object"
    with pytest.raises(ValueError, match="Expected `inputs` to be an array of real numbers"):
        Dense(2)(x)


def test_complex_inputs_keras_keeps_them_ours_refuses():
    """A deliberate difference: Keras (torch) multiplies complex inputs into a complex output; dense_viz is a
    real-valued explainer and refuses them (before, NumPy dropped the imaginary part without a word)."""
    x = np.array([[1 + 2j, 0, 2]])
    assert np.iscomplexobj(keras.ops.convert_to_numpy(keras.layers.Dense(2)(x)))
    with pytest.raises(ValueError, match="Received: complex numbers"):
        Dense(2)(x)
