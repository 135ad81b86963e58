"""What a layer's last forward/backward tells without another pass: unit health and gradient sizes."""
import numpy as np

SATURATION_THRESHOLD = 1e-3  # |dy/dz| below this for every sample: the unit passes almost no gradient


def unit_health(activation, z, y, threshold=SATURATION_THRESHOLD):
    """Per output unit, over every sample and leading position: dead (dy/dz exactly 0 everywhere) and
    saturated (|dy/dz| < threshold everywhere, but not dead). z: (B, …, units), y: (B, …, out) -> bool (out,)."""
    d = np.abs(activation.derivative(z, y)).reshape(-1, y.shape[-1])
    dead = np.all(d == 0, axis=0)
    saturated = np.all(d < threshold, axis=0) & ~dead
    return {"dead": dead, "saturated": saturated}


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
