"""LoRA on Dense: Keras 3's shapes, initializers, weight order, counts, penalties; gradients by finite differences."""
import numpy as np
import pytest

from dense_viz import Dense, Sequential
from dense_viz.engine.gradcheck import numerical_gradient, relative_error

RNG = np.random.default_rng(0)


def lora_layer(units=4, input_dim=3, rank=2, alpha=None, **kwargs):
    """A built float64 LoRA Dense with a non-zero B (so the low-rank term shows)."""
    layer = Dense(units, dtype="float64", seed=3, bias_initializer="random_normal", lora_rank=rank,
                  lora_alpha=alpha, **kwargs)
    layer.build((None, input_dim))
    layer.lora_kernel_b = np.random.default_rng([units, input_dim, rank]).normal(size=layer.lora_kernel_b.shape)
    return layer  # (its own draws: the same layer in any test order)


def test_shapes_initializers_and_alpha_default():
    layer = Dense(5, lora_rank=3)
    layer.build((None, 40))
    a, b = layer.lora_kernel_a, layer.lora_kernel_b
    assert a.shape == (40, 3) and b.shape == (3, 5) and a.dtype == b.dtype == np.float32
    assert np.all(b == 0) and np.max(np.abs(a)) <= np.sqrt(6 / 40)  # he_uniform: U(±sqrt(6 / fan_in))
    assert np.std(a) > 0.5 * np.sqrt(2 / 40)
    assert layer.lora_alpha == 3 and layer.lora_enabled and not layer.kernel_trainable
    np.testing.assert_array_equal(layer.effective_kernel, layer.kernel)  # B = 0: starts as the layer was


def test_effective_kernel_and_output():
    layer = lora_layer(alpha=6)
    x = RNG.normal(size=(7, 3))
    w = layer.kernel + (6 / 2) * layer.lora_kernel_a @ layer.lora_kernel_b
    np.testing.assert_allclose(layer.effective_kernel, w)
    np.testing.assert_allclose(layer(x), x @ w + layer.bias)


def test_weight_order_counts_and_summary():
    layer = lora_layer(units=5, input_dim=3, rank=2)
    assert layer.weight_names == ["kernel", "bias", "lora_kernel_a", "lora_kernel_b"]
    assert [w.shape for w in layer.get_weights()] == [(3, 5), (5,), (3, 2), (2, 5)]
    assert layer.count_params() == 15 + 5 + 6 + 10
    assert sum(w.size for w in layer.trainable_weights) == 21
    assert sum(w.size for w in layer.non_trainable_weights) == 15
    model = Sequential([Dense(5, lora_rank=2)], input_shape=(3,))
    text = model.summary()
    assert " Trainable params: 21 (84.00 B)" in text and " Non-trainable params: 15 (60.00 B)" in text


def test_set_weights_in_keras_order_and_config():
    layer = lora_layer()
    new = [RNG.normal(size=w.shape) for w in layer.get_weights()]
    layer.set_weights(new)
    for have, want in zip(layer.get_weights(), new):
        np.testing.assert_array_equal(have, want)
    with pytest.raises(ValueError, match="was expecting 4 weights"):
        layer.set_weights(new[:2])
    config = layer.get_config()
    assert config["lora_rank"] == 2 and config["lora_alpha"] == 2
    unbuilt = Dense(4, lora_rank=2, lora_alpha=4)
    unbuilt.set_weights(new)  # builds from the kernel's shape
    assert unbuilt.lora_enabled and unbuilt.lora_alpha == 4


def test_enable_lora_on_built_layer():
    layer = Dense(4, seed=0)
    layer.build((None, 3))
    before = layer.get_weights()
    layer.enable_lora(2, lora_alpha=5)
    assert layer.lora_rank == 2 and layer.lora_alpha == 5
    np.testing.assert_array_equal(layer.get_weights()[0], before[0])
    same = Dense(4, seed=0)
    same.build((None, 3))
    same.enable_lora(2)
    np.testing.assert_array_equal(same.lora_kernel_a, layer.lora_kernel_a)  # drawn from the seed


@pytest.mark.parametrize("make, message", [
    (lambda: Dense(4).enable_lora(2), "Cannot enable lora on a layer that isn't yet built."),
    (lambda: Dense(4, kernel_constraint="non_neg", lora_rank=2), "Lora is incompatible with kernel constraints"),
    (lambda: lora_layer().enable_lora(2), "lora is already enabled. This can only be done once per layer."),
    (lambda: Dense(4, lora_rank=0), "Received an invalid value for `lora_rank`, expected None or a positive "
                                    "integer. Received: lora_rank=0"),
    (lambda: Dense(4, lora_rank=2, lora_alpha=-1), "Received: lora_alpha=-1"),
])
def test_refusals(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        make()


def test_penalties_move_from_kernel_to_a_and_b():
    layer = lora_layer(kernel_regularizer="l2", bias_regularizer="l1")
    terms = layer.loss_terms
    assert list(terms) == ["bias", "lora_kernel_a", "lora_kernel_b"]  # Keras: trainable weights only
    assert terms["lora_kernel_a"] == pytest.approx(0.01 * np.sum(layer.lora_kernel_a ** 2))


@pytest.mark.parametrize("kwargs", [{}, {"activation": "tanh", "kernel_regularizer": "l2"},
                                    {"activation": "softmax", "use_bias": False, "alpha": 3}])
def test_gradients_match_finite_differences(kwargs):
    alpha = kwargs.pop("alpha", None)
    layer = lora_layer(units=4, input_dim=3, rank=2, alpha=alpha, **kwargs)
    x, dy = RNG.normal(size=(5, 2, 3)), RNG.normal(size=(5, 2, 4))

    def loss():
        return float(np.sum(dy * layer.forward(x)) + sum(layer.losses))

    layer.forward(x)
    dx = layer.backward(dy)
    assert "kernel" not in layer.grads
    analytic = {"x": dx, **layer.grads}
    params = {"x": x, "bias": layer.bias, "lora_kernel_a": layer.lora_kernel_a, "lora_kernel_b": layer.lora_kernel_b}
    for name, grad in analytic.items():
        assert relative_error(grad, numerical_gradient(loss, params[name])) < 1e-7, name


def test_optimizer_steps_a_b_and_bias_only():
    from dense_viz.engine import optimizers
    layer = lora_layer()
    kernel = layer.kernel.copy()
    a, b = layer.lora_kernel_a.copy(), layer.lora_kernel_b.copy()
    rng = np.random.default_rng(5)  # its own draws: order-proof
    layer(rng.normal(size=(4, 3)))
    layer.backward(rng.normal(size=(4, 4)))
    optimizers.SGD(learning_rate=0.1).step([layer])
    np.testing.assert_array_equal(layer.kernel, kernel)
    np.testing.assert_allclose(layer.lora_kernel_a, a - 0.1 * layer.grads["lora_kernel_a"])
    np.testing.assert_allclose(layer.lora_kernel_b, b - 0.1 * layer.grads["lora_kernel_b"])
