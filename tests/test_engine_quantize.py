"""int8 on Dense: Keras 3's abs-max scheme, weight order, counts, forward, and the inputs' gradient."""
import numpy as np
import pytest

from dense_viz import Dense, Sequential
from dense_viz.engine import quantize as q
from dense_viz.engine.gradcheck import numerical_gradient, relative_error

RNG = np.random.default_rng(0)


def int8_layer(units=4, input_dim=3, dtype="float32", **kwargs):
    """A built, quantized Dense with a random bias."""
    layer = Dense(units, dtype=dtype, seed=2, bias_initializer="random_normal", **kwargs)
    layer.build((None, input_dim))
    layer.quantize("int8")
    return layer


def test_abs_max_quantize_rules():
    x = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]], dtype=np.float32)
    values, scale = q.abs_max_quantize(x, axis=-1)
    assert values.dtype == np.int8 and scale.shape == (2, 1) and scale.dtype == np.float32
    np.testing.assert_array_equal(values, [[64, -127, 32], [0, 0, 0]])  # 63.5 -> 64 and 31.75 -> 32
    assert scale[0, 0] == np.float32(127) / (np.float32(2) + np.float32(1e-7))  # in the array's dtype
    halves = np.array([[0.5, 1.5, 2.5, -2.5, 127.0]], dtype=np.float32)  # float32: scale is exactly 1
    np.testing.assert_array_equal(q.abs_max_quantize(halves, axis=-1)[0], [[0, 2, 2, -2, 127]])  # half to even


def test_quantize_replaces_the_kernel():
    layer = Dense(5, seed=0)
    layer.build((None, 3))
    kernel = layer.kernel.copy()
    layer.quantize("int8")
    assert layer.kernel.dtype == np.int8 and layer.kernel_scale.shape == (5,)
    np.testing.assert_array_equal(np.max(np.abs(layer.kernel), axis=0), 127)
    np.testing.assert_allclose(q.dequantize(layer.kernel, layer.kernel_scale), kernel, atol=np.abs(kernel).max() / 254)
    assert layer.weight_names == ["bias", "kernel", "kernel_scale"]
    assert layer.count_params() == 15 + 5 + 5
    assert layer.dtype_policy == "int8_from_float32" and layer.get_config()["dtype"] == "int8_from_float32"
    text = Sequential([layer], input_shape=(3,)).summary()
    assert " Total params: 25 (55.00 B)" in text and " Trainable params: 5 (20.00 B)" in text


def test_forward_is_the_integer_product_over_both_scales():
    layer = int8_layer(units=6, input_dim=4, activation="relu")
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    xq, x_scale = q.abs_max_quantize(x, axis=-1)
    z = (xq.astype(np.int32) @ layer.kernel.astype(np.int32)).astype(np.float32) / (layer.kernel_scale * x_scale)
    np.testing.assert_array_equal(layer.call(x).z, z + layer.bias)
    assert np.max(np.abs(layer(x) - np.maximum(x @ layer.effective_kernel + layer.bias, 0))) < 0.05


def test_set_weights_order_and_refusals():
    layer = int8_layer()
    weights = layer.get_weights()
    assert [w.dtype for w in weights] == [np.float32, np.int8, np.float32]
    layer.set_weights(weights)
    with pytest.raises(ValueError, match=r"already quantized with dtype_policy='int8_from_float32'\. Received: mode=int8"):
        layer.quantize("int8")
    with pytest.raises(ValueError, match=r"Cannot quantize a layer that isn't yet built\. Layer 'q' \(of type 'Dense'\)"):
        Dense(3, name="q").quantize("int8")
    built = Dense(3)
    built.build((None, 2))
    with pytest.raises(ValueError, match=r"Invalid quantization mode\. Expected one of .*Received: mode=int3"):
        built.quantize("int3")
    with pytest.raises(ValueError, match="int8 quantization only. Received: mode=int4"):
        built.quantize("int4")


def test_no_kernel_penalty_or_constraint_after_quantize():
    layer = int8_layer(kernel_regularizer="l2", kernel_constraint="non_neg")
    assert layer.loss_terms == {}
    before = layer.kernel.copy()
    layer.apply_constraints()
    np.testing.assert_array_equal(layer.kernel, before)


@pytest.mark.parametrize("lora_first", [True, False])
def test_lora_on_int8(lora_first):
    layer = Dense(4, dtype="float64", seed=1, bias_initializer="random_normal")
    layer.build((None, 3))
    if lora_first:
        layer.enable_lora(2, lora_alpha=4)
        layer.quantize("int8")
    else:
        layer.quantize("int8")
        layer.enable_lora(2, lora_alpha=4)
    assert layer.weight_names == ["bias", "lora_kernel_a", "lora_kernel_b", "kernel", "kernel_scale"]
    layer.lora_kernel_b = RNG.normal(size=(2, 4))
    x = RNG.normal(size=(5, 3))
    base = q.int8_matmul(x, layer.kernel, layer.kernel_scale) + layer.bias
    np.testing.assert_allclose(layer(x), base + 2.0 * (x @ layer.lora_kernel_a) @ layer.lora_kernel_b)


def test_gradients_keras_int8_rule():
    """dx uses the dequantized kernel (Keras' custom gradient); bias, A, B are exact; no kernel gradient."""
    layer = int8_layer(units=4, input_dim=3, dtype="float64", activation="tanh")
    layer.enable_lora(2)
    layer.lora_kernel_b = RNG.normal(size=(2, 4))
    x, dy = RNG.normal(size=(6, 3)), RNG.normal(size=(6, 4))
    layer.forward(x)
    dx = layer.backward(dy)
    assert set(layer.grads) == {"bias", "lora_kernel_a", "lora_kernel_b"}
    dz = layer.dz
    np.testing.assert_allclose(dx, dz @ layer.effective_kernel.T)

    def loss():
        return float(np.sum(dy * layer.forward(x)))

    for name in ("bias", "lora_kernel_a", "lora_kernel_b"):
        assert relative_error(layer.grads[name], numerical_gradient(loss, getattr(layer, name))) < 1e-7, name
