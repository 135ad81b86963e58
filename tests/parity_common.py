"""What the opt-in parity runs (parity_keras.py: Keras 3 + torch; parity_tf_keras.py: tf.keras 2) compare alike."""
import numpy as np


def assert_same_backward(ours, dx, kernel_grad, bias_grad, their_dx, rtol=1e-6, atol=1e-6):
    """Our layer's kernel and bias gradients (after `ours.backward`) and its dx equal the framework's."""
    np.testing.assert_allclose(ours.grads["kernel"], kernel_grad, rtol=rtol, atol=atol)
    np.testing.assert_allclose(ours.grads["bias"], bias_grad, rtol=rtol, atol=atol)
    np.testing.assert_allclose(dx, their_dx, rtol=rtol, atol=atol)


def assert_same_pass(ours, x, rng, theirs):
    """One forward and backward pass of `ours` on `x` (dy drawn from `rng`) equals the framework's:
    theirs(x, dy) -> (y, (kernel_grad, bias_grad, dx), penalties). Returns their penalties."""
    y = ours(x)
    dy = rng.normal(size=y.shape)
    dx = ours.backward(dy)
    their_y, (kernel_grad, bias_grad, their_dx), penalties = theirs(x, dy)
    np.testing.assert_allclose(y, their_y, rtol=1e-6, atol=1e-6)
    assert_same_backward(ours, dx, kernel_grad, bias_grad, their_dx)
    return penalties


def run_ours(layers, x):
    """x through each of `layers` ({name: dense_viz.Dense}, in model order)."""
    for layer in layers.values():
        x = layer(x)
    return x


def save_and_read(model, tmp_path, suffix):
    """`model` saved as Keras saves it for `suffix` (.keras, .h5, .weights.h5), read back by read_layers."""
    from dense_viz.io import read_layers
    path = tmp_path / f"model{suffix}"
    model.save_weights(path) if suffix == ".weights.h5" else model.save(path)
    layers = read_layers(path)
    assert len(layers) == 3, layers.notes
    return layers
