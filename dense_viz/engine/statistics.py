"""What a layer's last forward/backward tells without another pass: unit health and gradient sizes."""
import numpy as np

from . import losses

SATURATION_THRESHOLD = 1e-3  # |dy/dz| below this for every sample: the unit passes almost no gradient


def unit_health(activation, z, y, threshold=SATURATION_THRESHOLD):
    """Per output unit, over every sample and leading position: dead (dy/dz exactly 0 everywhere, for an
    activation that can die) and saturated (|dy/dz| < threshold everywhere, but not dead).

    z: (B, …, units), y: (B, …, out) -> {"dead", "saturated": bool (out,), "derivative": |dy/dz| (N, out)}.
    """
    d = np.abs(activation.derivative(z, y)).reshape(-1, y.shape[-1])
    dead = np.all(d == 0, axis=0) & activation.can_die
    saturated = np.all(d < threshold, axis=0) & ~dead
    return {"dead": dead, "saturated": saturated, "derivative": d}


def array_stats(a):
    """mean |a|, max |a| and the Frobenius norm of an array, as floats."""
    a = np.abs(a)
    return {"mean_abs": float(a.mean()), "max_abs": float(a.max()), "norm": float(np.sqrt(np.sum(np.square(a))))}


def layer_stats(layer, threshold=SATURATION_THRESHOLD):
    """Gradient sizes (kernel, bias) and unit health of a layer after forward + backward, from its caches."""
    _, z, y = layer.cache
    health = unit_health(layer.activation, z, y, threshold)
    stats = {name: array_stats(g) for name, g in layer.grads.items()}
    stats["weights"] = {name: array_stats(w) for name, w in zip(("kernel", "bias"), layer.weights)}
    stats["dead_fraction"] = float(health["dead"].mean())
    stats["saturated_fraction"] = float(health["saturated"].mean())
    return stats


def gradient_stats(model, x, y, loss):
    """What `Sequential.train_step(x, y, loss, …)` measures, without the optimizer update.

    Forward and backward on the batch x (batch, …, in), y (targets for `loss`); returns (loss value incl.
    penalties, [layer_stats per layer]); the weights stay as they are (caches and grads are refreshed).
    """
    loss = losses.get(loss)
    y_pred = model.forward(x)
    value = float(loss(y, y_pred)) + float(sum(model.losses))
    model.backward(loss.gradient(y, y_pred))
    return value, [layer_stats(layer) for layer in model.layers]
